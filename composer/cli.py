"""The ``hyoka`` command: parses options, calls one library function, prints the result.

Errors are caught in one place (:class:`HyokaCLI`): a :class:`HyokaError` prints as a
one-line message per problem and sets the exit status; no traceback reaches the user.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from composer import __version__
from composer.console import TranslatedGroup, install_click_translations, set_root, view
from composer.errors import BuildError, ErrorList, HyokaError, UserError, strictly
from composer.i18n import Message, _, _n

if TYPE_CHECKING:  # pragma: no cover
    from composer.load.workspace import Workspace


def echo(message: str | Message, err: bool = False, nl: bool = True) -> None:
    """Print a message in the run's language (paths relative to the workspace); plain text as it is."""
    click.echo(view().text(message), err=err, nl=nl)


def _closed_pipe(exc: BaseException) -> bool:
    """Whether ``exc`` is the reader of hyoka's output having gone (``hyoka … | head``): a broken
    pipe raised by printing itself. A broken pipe elsewhere (a worker process's) is a bug to report."""
    if not isinstance(exc, BrokenPipeError) and not (isinstance(exc, OSError) and exc.errno == errno.EINVAL):  # EINVAL: Windows
        return False
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and tb.tb_frame.f_code in (click.utils.echo.__code__, HyokaCLI.invoke.__code__)


def _quiet_exit() -> None:
    """The reader stopped early: end quietly, as ``git log | head`` does (Python's recipe in the
    docs of :mod:`signal`: point stdout at devnull, so the final flush cannot fail again)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout is no file (captured): nothing to flush there
        pass
    sys.exit(0)


class HyokaCLI(TranslatedGroup):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            rv = super().invoke(ctx)
            sys.stdout.flush()  # a reader that has gone is noticed here, not by the interpreter at exit
            return rv
        except ErrorList as exc:
            shown = exc.errors[: exc.SHOWN] if exc.summarised() else exc.errors
            for e in shown:
                echo_problem(e)
            if len(shown) < len(exc.errors):
                echo(_n("… and {count} more ({more})", "… and {count} more ({more})", len(exc.errors) - len(shown), more=exc.more),
                     err=True)
            echo(_n("{count} error", "{count} errors", len(exc.errors)), err=True)
            _last_words(ctx)
            sys.exit(exc.exit_code)
        except HyokaError as exc:
            echo(_("error: {message}", message=exc.shown(view())), err=True)
            _last_words(ctx)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            echo(_("interrupted"), err=True)
            sys.exit(130)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except Exception as exc:  # a bug in hyoka, not the user's input
            if _closed_pipe(exc):
                _quiet_exit()
            if os.environ.get("HYOKA_DEBUG"):
                raise
            echo(_("internal error: {kind}: {error} (set HYOKA_DEBUG=1 for details)", kind=type(exc).__name__, error=exc), err=True)
            sys.exit(3)


def _last_words(ctx: click.Context) -> None:
    """Lines a command left to print after its errors (the build's summary)."""
    obj = ctx.obj
    for line in getattr(obj, "last_words", ()):
        echo(line, err=True)


class Ctx:
    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._ws: Workspace | None = None
        self.last_words: list[str | Message] = []  # printed on stderr after the errors, if the command fails

    @property
    def root(self) -> Path:
        from composer.load.workspace import find_root

        root = find_root(self.directory)
        set_root(click.get_current_context(), root)  # the run's view shows paths relative to it
        return root

    def workspace(self) -> Workspace:
        from composer.load.workspace import load_workspace

        if self._ws is None:
            self._ws = load_workspace(self.root)
        return self._ws


pass_ctx = click.make_pass_decorator(Ctx)
install_click_translations()


# --------------------------------------------------------------------------- progress

PROGRESS_MIN = 4  # a pass over more documents than this shows a progress bar (on a terminal)


def _interactive() -> bool:
    """Whether stderr is a person's terminal: progress bars are shown there only (never in pipes or CI)."""
    try:
        return sys.stderr.isatty() and not os.environ.get("CI")
    except (AttributeError, ValueError):  # closed or replaced stream
        return False


def _screen() -> tuple[int, int]:
    """The terminal's width and height (80 × 24 where it tells none, as a fresh pseudo-terminal does)."""
    try:
        size = os.get_terminal_size(sys.stderr.fileno())
    except (OSError, ValueError, AttributeError):
        return 80, 24
    return min(size.columns or 80, 120), size.lines or 24


class ProgressBar:
    """A progress bar on stderr (tqdm) for a pass over many documents; silent unless stderr is a terminal.

    Called as ``bar(done, total, *ignored)`` — the shape of the library's progress callbacks —
    and shown only above :data:`PROGRESS_MIN` documents. A pass that starts over (``done``
    lower than before, as ``lint --fix`` does) restarts the bar.
    """

    def __init__(self, label: str | Message, unit: str | Message | None = None, shown: bool | None = None) -> None:
        self.label, self.unit = label, unit if unit is not None else _("doc")
        self.shown = _interactive() if shown is None else shown
        self._bar: Any = None

    def __call__(self, done: int, total: int, *_: Any) -> None:
        if not self.shown or total <= PROGRESS_MIN:
            return
        if self._bar is None:
            from tqdm import tqdm

            width, height = _screen()
            self._bar = tqdm(total=total, desc=view().text(self.label), unit=view().text(self.unit), file=sys.stderr, leave=False, ncols=width, nrows=height)
        elif done < self._bar.n:
            self._bar.reset(total)
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    @contextmanager
    def above(self) -> Iterator[None]:
        """Print lines above the bar (it is cleared, then drawn again below them)."""
        if self._bar is None:
            yield
            return
        with self._bar.external_write_mode(file=sys.stderr):
            yield

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@click.group(cls=HyokaCLI, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-C", "--workspace", "directory", type=click.Path(file_okay=False, path_type=Path), help="Workspace directory (default: the nearest with hyoka.yaml).")
@click.option("--language", type=click.Choice(["ja", "en"]), expose_value=False, is_eager=True,
              help="Language of messages and help (default: HYOKA_LANG, language: in hyoka.yaml, then the locale).")
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=lambda c, p, v: _print_version(c, v),
              help="Show the version and exit.")
@click.pass_context
def main(ctx: click.Context, directory: Path | None) -> None:
    """hyoka: compose and maintain 特定個人情報保護評価書 from versioned stock clauses."""
    from composer.transaction import NOTICES

    handler = _NoticeHandler()
    NOTICES.addHandler(handler)
    ctx.call_on_close(lambda: NOTICES.removeHandler(handler))
    ctx.obj = Ctx(directory)


def _print_version(ctx: click.Context, value: bool) -> None:
    """``--version``: the package's own version (no metadata scan at start), in the run's language."""
    if value and not ctx.resilient_parsing:
        click.echo(view(ctx).text(_("{prog}, version {version}", prog=ctx.find_root().info_name or "hyoka", version=__version__)))
        ctx.exit()


class _NoticeHandler(logging.Handler):
    """Prints the library's notices (a recovered interrupted write) on stderr, in the run's language."""

    def emit(self, record: logging.LogRecord) -> None:
        echo(record.msg if isinstance(record.msg, Message) else record.getMessage(), err=True)


def echo_problem(e: UserError) -> None:
    """One line on stderr: ``error: where: what (hint)`` in the run's language."""
    line = e.shown(view())
    echo(_("error: {message}", message=line) if e.severity == "error" else line, err=True)


def report(problems: Iterable[UserError], as_json: bool, bar: ProgressBar) -> None:
    """Print problems as they come (none is kept), then the counts; exit 1 when any is an error.

    ``bar``: the progress bar of the pass that finds them (the lines are printed above it).
    """
    from composer.writers.json import encode

    counts = {"error": 0, "warning": 0}

    def counted() -> Iterator[UserError]:
        for d in problems:
            counts["error" if d.severity == "error" else "warning"] += 1
            yield d

    if as_json:  # one array, written as its elements come
        for chunk in encode(d.to_dict(view()) for d in counted()):
            with bar.above():
                click.echo(chunk, nl=False)
    else:
        for d in counted():
            with bar.above():
                echo_problem(d)
    bar.close()  # the pass is over: the counts stay on the screen below the problems
    if not as_json:
        echo(_("{errors} errors, {warnings} warnings", errors=counts["error"], warnings=counts["warning"]), err=True)
    if counts["error"]:
        sys.exit(1)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--municipality", "-m", required=True, help="The municipality, e.g. 豊島区.")
def init(directory: Path, municipality: str) -> None:
    """Create a workspace in DIRECTORY."""
    from composer import api

    for p in api.init_workspace(directory, municipality):
        echo(_("created {path}", path=p))


@main.command()
@click.argument("assessments", nargs=-1)
@click.option("--strict", is_flag=True, help="Treat warnings (open placeholders, lint warnings) as errors.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--unverified", "list_unverified", is_flag=True,
              help="Also list the form items (of the forms in use) that rest on recollection, not a verified 様式.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Check assessments in N processes (the output is the same).")
@pass_ctx
def check(ctx: Ctx, assessments: tuple[str, ...], strict: bool, fmt: str, list_unverified: bool, jobs: int) -> None:
    """Validate clauses and assessments; report every problem found."""
    from composer import api

    if list_unverified and fmt == "text":
        _print_unverified(api.unverified_nodes(ctx.workspace(), in_use=True))
    with ProgressBar(_("checking")) as bar:
        problems = api.check_stream(ctx.root, assessments or None, progress=bar, jobs=jobs)
        report(strictly(problems) if strict else problems, fmt == "json", bar)


def _print_unverified(nodes: list[Any]) -> None:
    counts: dict[str, int] = {}
    for u in nodes:
        counts[u.form] = counts.get(u.form, 0) + 1
        mark = " ※" if u.important else ""
        click.echo(f"{view().path(u.path)}: {u.form} {u.key}　{u.label}{mark} [{u.basis}]")
    for form, n in counts.items():
        echo(_("{form}: {count} items rest on recollection (correct the copy in forms/, see docs/forms.md)", form=form, count=n), err=True)


@main.group()
def forms() -> None:
    """The form schemas (様式): what hyoka knows of each 評価書."""


@forms.command("unverified")
@click.argument("names", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_ctx
def forms_unverified(ctx: Ctx, names: tuple[str, ...], fmt: str) -> None:
    """List the items of the forms NAMES (default: all) that rest on recollection."""
    from composer import api

    nodes = api.unverified_nodes(ctx.workspace(), names or None)
    if fmt == "json":
        click.echo(json.dumps([u.to_dict() for u in nodes], ensure_ascii=False, indent=2))
        return
    _print_unverified(nodes)


@main.command()
@click.argument("assessment", required=False)
@click.option("--people", type=click.IntRange(min=0), help="対象人数 (number of people whose 特定個人情報 the 事務 handles).")
@click.option("--staff", type=click.IntRange(min=0), help="取扱者数 (staff who handle the 特定個人情報ファイル).")
@click.option("--incident", help="重大事故 in the past year: yes or no.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_ctx
def threshold(ctx: Ctx, assessment: str | None, people: int | None, staff: int | None, incident: str | None, fmt: str) -> None:
    """しきい値判断: which 評価 are required, and the rule applied.

    From the options, or from ASSESSMENT's own choice items (対象人数, 取扱者数, 重大事故);
    options given with ASSESSMENT override its answers.
    """
    from composer import api
    from composer.threshold import parse_incident

    if not assessment and people is None:
        raise click.UsageError(view().text(_("give an ASSESSMENT or at least --people")))
    result = api.judge_threshold(ctx.workspace() if assessment else None, assessment, people, staff, parse_incident(incident) if incident is not None else None)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    _print_threshold(result)


def _print_threshold(result: Any) -> None:
    from composer.threshold import describe

    click.echo(result.inputs.describe())  # the 様式's own words
    if result.rule is None:
        if result.inputs.band is not None:
            echo(_("required in any case: {forms}", forms=describe(result.required)))
        missing = list(result.missing)
        if len(missing) == 2:
            echo(_("undetermined: give {first} and {second}", first=missing[0], second=missing[1]))
        else:
            echo(_("undetermined: give {missing}", missing=missing))
        return
    echo(_("required: {forms}", forms=describe(result.required)))
    click.echo(f"しきい値判断結果: {result.result_label}")  # the 様式's own words
    basis = (_("verified: {source}", source=result.rule.source) if result.rule.basis == "verified"
             else _("recalled: not checked against a public source"))
    echo(_("rule: {rule} [{basis}]", rule=result.rule.text, basis=basis))


@main.command()
@click.argument("assessments", nargs=-1)
@click.option("--fix", is_flag=True, help="Apply the safe fixes to assessment files (never to clauses), then lint again.")
@click.option("--all", "everything", is_flag=True, help="Report every empty item and every stock clause version, not only those in use.")
@click.option("--rules", "list_rules", is_flag=True, help="List the lint rules and exit.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_ctx
def lint(ctx: Ctx, assessments: tuple[str, ...], fix: bool, everything: bool, list_rules: bool, fmt: str) -> None:
    """Report wording problems in assessments and clauses; exit 1 on errors."""
    from composer.lint import engine as linter

    if list_rules:
        rows = linter.rules_table()
        if fmt == "json":
            click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        for r in rows if fmt == "text" else ():
            click.echo(f"{r['id']:<20} {r['severity']:<8} {'fix' if r['fixable'] else '   '}  {view().translate(r['summary'])}")
        return
    with ProgressBar(_("linting")) as bar:
        fixed, problems = linter.lint_stream(ctx.root, assessments or None, fix=fix, everything=everything, progress=bar)
        for path, n in fixed.items():
            with bar.above():
                echo(_("fixed {count} in {file}", count=n, file=Path(path)), err=True)
        report(problems, fmt == "json", bar)


#: the file name endings that say which format a file is in
SUFFIX_FORMATS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json", ".csv": "csv",
                  ".docx": "docx", ".xlsx": "xlsx"}


DIFF_FORMATS = ("md", "json", "csv", "html", "docx", "xlsx")
REPORT_FORMATS = ("md", "html", "json", "docx", "xlsx")


def _output_format(fmt: str, output: Path | None, formats: tuple[str, ...]) -> str:
    """The format to write: ``--format``, else what the output file's name ends in (one of ``formats``).

    A file named ``report.docx`` written without ``--format`` is a Word document, not Markdown
    under a Word name; a ``--format`` that contradicts the name is refused.
    """
    said = SUFFIX_FORMATS.get(output.suffix.lower()) if output is not None else None
    if said is not None and said != fmt:
        defaulted = click.get_current_context().get_parameter_source("fmt") is click.core.ParameterSource.DEFAULT
        if defaulted and said in formats:
            return said
        raise UserError(_("--format {fmt} does not write a {suffix} file ({output})", fmt=fmt, suffix=output.suffix, output=str(output)),  # type: ignore[union-attr]
                        None, _("use --format {said}, or a file name ending in .{fmt}", said=said, fmt=fmt))
    if output is None and fmt in ("docx", "xlsx"):
        raise UserError(_("--format {fmt} writes a file", fmt=fmt), None, _("pass -o FILE"))
    return fmt


@main.command()
@click.argument("assessments", nargs=-1)
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Output directory (default: the workspace's build/).")
@click.option("--format", "fmt", type=click.Choice(["docx", "md", "html"]), default="docx", show_default=True)
@click.option("--reference-doc", "reference", type=click.Path(dir_okay=False, path_type=Path), help="Word document whose styles and page setup to use (default: hyoka's templates/reference.docx).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True, help="Write documents in N processes.")
@click.option("--force", is_flag=True, help="Rewrite documents even when their inputs did not change.")
@click.option("--redline", is_flag=True, help="Write NAME.redline.docx: the draft with its changes since a publication as Word tracked changes.")
@click.option("--from", "from_ref", help="With --redline: the snapshot to compare from (default: the last published).")
@click.option("--author", help="With --redline: author of the tracked changes (default: hyoka.yaml's author:, else the municipality).")
@pass_ctx
def build(ctx: Ctx, assessments: tuple[str, ...], out_dir: Path | None, fmt: str, reference: Path | None, jobs: int, force: bool,
          redline: bool, from_ref: str | None, author: str | None) -> None:
    """Compose assessments and write them (Word, Markdown or HTML)."""
    from composer import api

    if redline:
        _build_redline(ctx, assessments, out_dir, fmt, reference, from_ref, author)
        return
    if from_ref or author:
        raise UserError(_("--from and --author apply to --redline only"), None, _("add --redline"))
    counts = {"written": 0, "unchanged": 0, "failed": 0}
    started = time.perf_counter()
    bar = ProgressBar(_("building"))

    def progress(done: int, total: int, result: Any) -> None:
        counts[result.status] += 1
        bar(done, total)

    try:
        with bar:
            results = api.build_documents(ctx.root, assessments or None, out_dir, fmt, reference=reference, jobs=jobs, force=force,
                                          progress=progress)
    except BuildError:  # a writer failed: the documents written are in place
        ctx.last_words.append(_build_summary(counts["written"], counts["unchanged"], counts["failed"], started))
        raise
    for r in results:  # the output paths as the build wrote them (a script may read them back)
        echo(_("wrote {path}", path=str(r.path)) if r.status == "written"
             else _("unchanged {path} (skipped; --force rewrites it)", path=str(r.path)))
    echo(_build_summary(counts["written"], counts["unchanged"], counts["failed"], started), err=True)


def _build_summary(built: int, skipped: int, failed: int, started: float) -> Message:
    """The last line of ``hyoka build`` (on stderr, in pipes too)."""
    seconds = format(time.perf_counter() - started, ".1f")
    return _("built {built}, skipped {skipped}, failed {failed}, time {seconds} s", built=built, skipped=skipped, failed=failed, seconds=seconds)


def _build_redline(ctx: Ctx, assessments: tuple[str, ...], out_dir: Path | None, fmt: str, reference: Path | None,
                   from_ref: str | None, author: str | None) -> None:
    from composer import api

    if fmt != "docx":
        raise UserError(_("--redline writes Word tracked changes (not '{fmt}')", fmt=fmt), None, _("drop --format or use --format docx"))
    if not assessments:
        raise UserError(_("--redline needs the assessment to compare"), None, _("name it: hyoka build NAME --redline"))
    for name in assessments:
        target = (out_dir / f"{name}.redline.docx") if out_dir else None
        path = api.redline(ctx.root, name, target, from_ref, author, reference)
        echo(_("wrote {path}", path=str(path)))


@main.group()
def clauses() -> None:
    """The clause library: list, show, where-used, lock."""


@clauses.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_ctx
def clauses_list(ctx: Ctx, fmt: str) -> None:
    """List every clause with its latest version."""
    ws = ctx.workspace()
    rows = [
        {"id": c.id, "latest": c.latest.number, "kind": c.kind, "library": c.library, "title": c.title, "heading": c.heading,
         "latest_library": c.latest.library or c.library}
        for c in ws.library
    ]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    width = max((len(r["id"]) for r in rows), default=10)
    libw = max((len(r["latest_library"]) for r in rows), default=5)
    for r in rows:
        click.echo(f"{r['id']:<{width}}  @{r['latest']}  {r['kind']:<9}  {r['latest_library']:<{libw}}  {r['title']}")


@clauses.command("show")
@click.argument("clause_id")
@pass_ctx
def clauses_show(ctx: Ctx, clause_id: str) -> None:
    """Show a clause: every version with its source, date, text and notes."""
    ws = ctx.workspace()
    c = ws.library.require(clause_id)
    click.echo(f"{c.id}  {c.title}")
    echo(_("  kind: {kind}   library: {library}   heading: {heading}", kind=c.kind, library=c.library, heading=c.heading or "（なし）"))
    echo(_("  homes: {homes}", homes=list(c.homes) or "-"))
    if c.parameters:
        echo(_("  parameters: {parameters}", parameters=[p.name + (f" ({p.description})" if p.description else "") for p in c.parameters]))
    for v in c.versions:
        click.echo("")
        click.echo(f"@{v.number}  {v.date}  [{v.library or c.library}]  {v.source}")
        if v.heading is not None:
            echo(_("  heading: {heading}", heading=v.heading or "（なし）"))
        for line in v.text.rstrip("\n").split("\n"):
            click.echo(f"  | {line}")
        n = v.notes
        for label, value in (("変更理由", n.reason), ("リスク変化", n.risk_change or ""), ("リスク変化の状況", n.risk_situation), ("リスク対策", n.countermeasure)):
            if value:
                click.echo(f"  {label}: {value.strip()}")


@clauses.command("where-used")
@click.argument("clause_id")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_ctx
def clauses_where_used(ctx: Ctx, clause_id: str, fmt: str) -> None:
    """List every assessment item that uses CLAUSE_ID."""
    from composer import api

    uses = api.clause_uses(ctx.workspace(), clause_id)
    if fmt == "json":
        click.echo(json.dumps([u.to_dict(view()) for u in uses], ensure_ascii=False, indent=2))
        return
    if not uses:
        echo(_("{clause} is not used by any assessment", clause=clause_id))
    for u in uses:
        flag = " " + view().text(_("(local variant)")) if u.variant else ""
        old = view().text(_(" (latest @{version} from {library})", version=u.latest, library=u.latest_library)) if u.outdated else ""
        click.echo(f"{_where(u.location)}: {u.assessment} {u.item} @{u.version} [{u.library}]{old}{flag}")


def _where(location: Any) -> str:
    """A location as the run shows it (relative to the workspace)."""
    return location.shown(view()) if location is not None else "None"


@clauses.command("lock")
@click.option("--stock", is_flag=True, help="Lock the bundled stock library (for hyoka's maintainers).")
@pass_ctx
def clauses_lock(ctx: Ctx, stock: bool) -> None:
    """Record new clause versions as published (content hashes in clauses.lock)."""
    from composer import api

    added = api.lock_clauses(ctx.root, stock)
    for key in added:
        echo(_("published {key}", key=key))
    if not added:
        echo(_("nothing new to publish"))


@main.command()
@click.argument("assessment")
@click.option("--date", help="Publication date YYYY-MM-DD (default: today).")
@pass_ctx
def publish(ctx: Ctx, assessment: str, date: str | None) -> None:
    """Freeze ASSESSMENT's current text into an immutable snapshot."""
    from composer import api

    snap = api.publish(ctx.root, assessment, date)
    echo(_("published {name} as {path}", name=assessment, path=str(snap.path)))
    if snap.composed.changes:
        echo(_("its change annotations are recorded with the snapshot; later diffs ignore them"), err=True)


@main.command()
@click.argument("assessment")
@pass_ctx
def history(ctx: Ctx, assessment: str) -> None:
    """List the published snapshots of ASSESSMENT."""
    from composer import api

    snaps = api.history(ctx.root, assessment)
    if not snaps:
        echo(_("{name} has never been published", name=assessment))
    for snap in snaps:
        click.echo(f"{snap.id}  {snap.date}  {snap.content_hash[:19]}  {view().path(snap.path)}")


@main.command()
@click.argument("assessment")
@click.option("--from", "from_ref", help="Snapshot to compare from (default: the last published).")
@click.option("--to", "to_ref", help="Snapshot to compare to, or 'draft' (default).")
@click.option("--start", type=click.IntRange(min=1), default=1, show_default=True, help="Number of the first row (通番).")
@click.option("--same-as", is_flag=True, help="Write 「通番Nと同様」 where a row repeats an earlier row's reason and notes.")
@click.option("--strict", is_flag=True, help="A row without a reason is an error.")
@click.option("--date", help="変更日 of the draft's rows, YYYY-MM-DD (e.g. the planned publication date).")
@click.option("--table", "table_kind", type=click.Choice(["risk", "official", "shinkyu"]), default="risk", show_default=True,
              help="risk: 変更点リスク評価表; official: (別添3) 変更箇所; shinkyu: 新旧対照表 (md, html, docx, xlsx).")
@click.option("--format", "fmt", type=click.Choice(DIFF_FORMATS), default="md", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file (required for docx/xlsx); without --format, its name's ending (.docx, .xlsx, .html …) picks the format.")
@click.option("--reference-doc", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Word reference document for styles.")
@click.option("--plain", is_flag=True, help="Do not mark the changed words in 変更前 / 変更後 (md, html, docx, xlsx).")
@pass_ctx
def diff(ctx: Ctx, assessment: str, from_ref: str | None, to_ref: str | None, start: int, same_as: bool, strict: bool,
         date: str | None, table_kind: str, fmt: str, output: Path | None, reference_doc: Path | None, plain: bool) -> None:
    """Change table of ASSESSMENT between two revisions (default: last published → draft).

    The changed words are marked (変更前: deleted words struck through, 変更後: inserted words
    underlined); --format html is a self-contained review page with filters.
    """
    from composer import api

    fmt = _output_format(fmt, output, DIFF_FORMATS)
    if table_kind == "shinkyu":
        _diff_shinkyu(ctx, assessment, from_ref, to_ref, fmt, output, reference_doc)
        return
    table, warnings = api.diff(ctx.root, assessment, from_ref, to_ref, start, same_as, strict, date)
    for w in warnings:
        click.echo(w.shown(view()), err=True)
    official = table_kind == "official"
    if fmt == "html" and not plain:
        from composer import writers
        from composer.documents.review import review_document

        entries = api.shinkyu(ctx.root, assessment, from_ref, to_ref).entries
        page = review_document(table, official, entries)
        if output is None:
            click.echo(writers.render(page, "html"), nl=False)
            return
        writers.write(page, "html", output)
        echo(_("wrote {path} ({count} rows)", path=str(output), count=len(table.rows)))
        return
    if output is None:
        click.echo(api.render_change_table(table, fmt, official, marks=not plain), nl=False)
        return
    api.write_change_table(table, fmt, output, official, reference_doc, marks=not plain)
    echo(_("wrote {path} ({count} rows)", path=str(output), count=len(table.rows)))
    for m in api.clause_moves(ctx.root, assessment, from_ref, to_ref):  # which library each moved version comes from
        click.echo(f"{m.item}: {m.clause} @{m.from_version} [{m.from_library}] -> @{m.to_version} [{m.to_library}]", err=True)


def _diff_shinkyu(ctx: Ctx, assessment: str, from_ref: str | None, to_ref: str | None, fmt: str, output: Path | None,
                  reference_doc: Path | None) -> None:
    from composer import api, writers
    from composer.documents import shinkyu

    if fmt not in shinkyu.FORMATS:
        raise UserError(_("the 新旧対照表 is written as {formats} (not '{fmt}')", formats=list(shinkyu.FORMATS), fmt=fmt), None,
                        _("use --format md, html, docx or xlsx"))
    table = api.shinkyu(ctx.root, assessment, from_ref, to_ref)
    if output is None:
        click.echo(writers.render(shinkyu.document(table, fmt), fmt), nl=False)
        return
    writers.write(shinkyu.document(table, fmt), fmt, output, reference_doc)
    echo(_("wrote {path} ({count} items)", path=str(output), count=len(table.entries)))


@main.command()
@click.argument("assessments", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_ctx
def outdated(ctx: Ctx, assessments: tuple[str, ...], fmt: str) -> None:
    """List uses of clause versions older than the latest; exit 2 when there are any."""
    from composer import api

    with ProgressBar(_("reading")) as bar:
        uses = api.outdated(ctx.root, assessments or None, progress=bar)
    if fmt == "json":
        click.echo(json.dumps([u.to_dict(view()) for u in uses], ensure_ascii=False, indent=2))
    else:
        for u in uses:
            flag = "  " + view().text(_("(local variant)")) if u.variant else ""
            click.echo(f"{u.assessment}  {u.item}  {u.clause}  @{u.version} [{u.library}] -> @{u.latest} [{u.latest_library}]{flag}")
        echo(_("{count} outdated uses", count=len(uses)) if uses else _("all clause uses are current"), err=True)
        for up in api.review_libraries(ctx.root, uses=False):
            if up.source.shared and up.new:
                echo(_("library {library} brings {count} version(s) not yet taken: `hyoka libraries review {library}` shows them",
                       library=up.source.name, count=len(up.new)), err=True)
    if uses:
        sys.exit(2)


@main.command()
@click.argument("clause")
@click.option("--assessment", "-a", "assessments", multiple=True, help="Only this assessment (repeatable).")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--allow-conflicts", is_flag=True, help="Write conflict markers where a local variant conflicts.")
@pass_ctx
def propagate(ctx: Ctx, clause: str, assessments: tuple[str, ...], dry_run: bool, allow_conflicts: bool) -> None:
    """Move every use of CLAUSE[@VERSION] to that (default: the latest) version."""
    from composer import api

    plan = api.propagate(ctx.root, clause, assessments or None, dry_run=dry_run or False, allow_conflicts=allow_conflicts)
    for e in plan.edits:
        click.echo(e.unified_diff(), nl=False)
    libs = {c.id: c for c in ctx.workspace().library}
    from composer.load.library import library_of

    for u in plan.updates:
        c = libs.get(u.clause)
        click.echo(f"{_where(u.location)}: {u.clause} @{u.from_version} [{library_of(c, u.from_version)}] -> "
                   f"@{u.to_version} [{library_of(c, u.to_version)}] {view().text(_STATUS.get(u.status, u.status))}", err=True)
    counts = {"uses": len(plan.updates), "files": len(plan.edits), "conflicts": len(plan.conflicts)}
    echo(_("would update {uses} uses in {files} files ({conflicts} conflicts)", **counts) if dry_run
         else _("updated {uses} uses in {files} files ({conflicts} conflicts)", **counts), err=True)
    if plan.conflicts and not dry_run:
        echo(_("conflict markers were written: hyoka check, build and publish refuse the files until they are resolved"), err=True)


_STATUS = {"moved": _("moved"), "merged": _("merged"), "conflict": _("conflict")}
"""How a use's update is shown (``hyoka propagate``)."""


@main.command()
@click.argument("name")
@click.option("--form", "form_name", default="全項目", show_default=True, help="Form schema: 基礎項目, 重点項目 or 全項目 (or the workspace's own).")
@click.option("--profile", help="Which stock clauses go where, e.g. gov-cloud or mid-server.")
@click.option("--file", "files", multiple=True, metavar="ID=NAME", help="A 特定個人情報ファイル, e.g. juki=住民基本台帳ファイル (repeatable).")
@click.option("--jimu", default="", help="事務の名称, e.g. 住民基本台帳に関する事務.")
@pass_ctx
def new(ctx: Ctx, name: str, form_name: str, profile: str | None, files: tuple[str, ...], jimu: str) -> None:
    """Draft a new assessment NAME pre-filled from the stock library."""
    from composer import api

    path = api.new_assessment(ctx.root, name, form_name, profile, files, jimu)
    echo(_("wrote {path}", path=str(path)))
    echo(_("fill in the 【要記入】 placeholders; `hyoka check {name}` lists those still open", name=name), err=True)


@main.command("report")
@click.option("--year", type=int, help="Fiscal year: 2025 is 2025-04-01..2026-03-31 (default: the current one).")
@click.option("--from", "from_date", type=click.DateTime(["%Y-%m-%d"]), help="First day of the period (overrides the year's).")
@click.option("--to", "to_date", type=click.DateTime(["%Y-%m-%d"]), help="Last day of the period (overrides the year's).")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="md", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file (required for docx/xlsx); without --format, its name's ending (.docx, .xlsx, .html …) picks the format.")
@click.option("--reference-doc", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Word reference document for styles.")
@pass_ctx
def report_command(ctx: Ctx, year: int | None, from_date: Any, to_date: Any, fmt: str, output: Path | None,
                   reference_doc: Path | None) -> None:
    """The yearly report to the 審議会: every assessment's state and changes in the period."""
    from composer import api
    from composer.documents.report import build_report, resolve_period

    fmt = _output_format(fmt, output, REPORT_FORMATS)
    period = resolve_period(year, from_date.date() if from_date else None, to_date.date() if to_date else None)
    with build_report(ctx.root, period.start, period.end) as result:
        for w in result.warnings:
            click.echo(w.shown(view()), err=True)
        if output is None:
            api.stream_report(result, fmt, _Stdout())
            return
        api.write_report(result, fmt, output, reference_doc)
    echo(_("wrote {path} ({count} assessments)", path=str(output), count=len(result.assessments)))


class _Stdout:
    """Standard output as a text stream that click prints to (the console's encoding handled as for any output)."""

    def write(self, text: str) -> int:
        click.echo(text, nl=False)
        return len(text)


@main.group("libraries", invoke_without_command=True)
@click.pass_context
def libraries_group(click_ctx: click.Context) -> None:
    """The clause libraries the workspace draws on: list, review, take, lock."""
    from composer import api

    if click_ctx.invoked_subcommand is None:
        ctx: Ctx = click_ctx.find_object(Ctx)
        from composer.load.library import read_taken

        ws, sources = api.libraries(ctx.root)
        taken = read_taken(ws.root)
        for s in sources:
            where = "clauses/" if s.origin == "workspace" else view().path(s.path)
            had = taken.get(s.name, {}).get("version")
            state = "" if not s.shared else "  " + view().text(_("taken: {version}", version=had) if had else _("not taken yet"))
            click.echo(f"{s.name:<16} {s.origin:<9} {s.version or '-':<10} {s.date or '-':<10} {s.publisher or '-'}  {where}{state}")


@libraries_group.command("review")
@click.argument("name", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_ctx
def libraries_review(ctx: Ctx, name: str | None, fmt: str) -> None:
    """What each (or the named) library brings since the workspace last took it."""
    from composer import api

    updates = api.review_libraries(ctx.root, name)
    if fmt == "json":
        click.echo(json.dumps([_update_json(up) for up in updates], ensure_ascii=False, indent=2))
        return
    for up in updates:
        for key in up.withdrawn:
            echo(_("warning: library {library} no longer has {key}, which this workspace took", library=up.source.name, key=key), err=True)
        if not up.new:
            if name:
                echo(_("{library}: nothing new since it was taken", library=up.source.describe()))
            continue
        if up.taken_version:
            echo(_("== {library} since {version}: {count} new version(s)", library=up.source.describe(), version=up.taken_version,
                   count=len(up.new)))
        else:
            echo(_("== {library} (never taken): {count} new version(s)", library=up.source.describe(), count=len(up.new)))
        for nv in up.new:
            v = nv.version
            prev = view().text(_(" (after @{version} [{library}])", version=nv.previous.number, library=nv.previous.library)
                               if nv.previous else _(" (a new clause)"))
            click.echo("")
            click.echo(f"{nv.key}  {v.date}  [{v.library}]{prev}  {nv.clause.title}")
            click.echo(f"  出典: {v.source}")
            for label, value in (("変更理由", v.notes.reason), ("リスク変化", v.notes.risk_change or ""),
                                 ("リスク変化の状況", v.notes.risk_situation), ("リスク対策", v.notes.countermeasure)):
                if value:
                    click.echo(f"  {label}: {value.strip()}")
            click.echo("  文言の変更 ([-削除-] {+追加+}):")
            for line in nv.wording_diff().split("\n"):
                click.echo(f"  | {line}")
            if nv.uses:
                echo(_("  used by:"))
                for u in nv.uses:
                    click.echo(f"    {u.assessment} {u.item} @{u.version}  ({_where(u.location)})")
            else:
                echo(_("  used by: none of this workspace's assessments"))
        click.echo("")
    if any(up.new for up in updates):  # nothing to take: no advice to take it
        echo(_("take them with `hyoka libraries take`; then `hyoka outdated` and `hyoka propagate`"), err=True)


def _update_json(up: Any) -> dict[str, Any]:
    src = up.source
    return {
        "library": src.name, "origin": src.origin, "publisher": src.publisher, "version": src.version, "date": src.date,
        "taken_version": up.taken_version,
        "withdrawn": list(up.withdrawn),
        "new": [
            {
                "clause": nv.clause.id, "version": nv.version.number, "library": nv.version.library, "date": nv.version.date,
                "previous": nv.previous.number if nv.previous else None,
                "previous_library": nv.previous.library if nv.previous else None,
                "source": {"issuer": nv.version.source.issuer, "document": nv.version.source.document,
                           "edition": nv.version.source.edition, "url": nv.version.source.url},
                "notes": {"reason": nv.version.notes.reason, "risk_change": nv.version.notes.risk_change,
                          "risk_situation": nv.version.notes.risk_situation, "countermeasure": nv.version.notes.countermeasure},
                "diff": nv.wording_diff(),
                "uses": [{"assessment": u.assessment, "item": u.item, "version": u.version,
                          "file": view().path(u.location.file) if u.location else None, "line": u.location.line if u.location else None}
                         for u in nv.uses],
            }
            for nv in up.new
        ],
    }


@libraries_group.command("take")
@click.argument("name", required=False)
@pass_ctx
def libraries_take(ctx: Ctx, name: str | None) -> None:
    """Record (in libraries.lock) that the workspace has taken each (or the named) library as it stands."""
    from composer import api

    for s in api.take_libraries(ctx.root, name):
        echo(_("took {library}", library=s.describe()))


@libraries_group.command("lock")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--after", "after", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="A library this one builds on, loaded before it (after the stock library; repeatable, in order).")
def libraries_lock(directory: Path, after: tuple[Path, ...]) -> None:
    """Publish the new versions of the shared library in DIRECTORY (its own clauses.lock)."""
    from composer import api

    added = api.lock_library(directory, after)
    for key in added:
        echo(_("published {key}", key=key))
    if not added:
        echo(_("nothing new to publish"))


@main.group()
def fleet() -> None:
    """Run outdated and propagate over many workspaces at once (e.g. a vendor's municipalities)."""


@fleet.command("outdated")
@click.argument("directories", nargs=-1, required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def fleet_outdated(directories: tuple[Path, ...], fmt: str) -> None:
    """Outdated uses in every workspace DIRECTORY; exit 2 when any, 1 when a workspace has errors."""
    from composer import api

    with ProgressBar(_("workspaces"), unit=_("ws")) as bar:
        results = api.fleet_outdated(directories, progress=bar)
    if fmt == "json":  # English, each error's paths relative to its workspace; the files as opened
        click.echo(json.dumps([{"workspace": str(r.root), "error": r.error, "outdated": [u.to_dict() for u in r.outdated]}
                               for r in results], ensure_ascii=False, indent=2))
    else:
        for r in results:
            shown = r.view(view().language)  # each workspace's paths relative to it
            state = (_("error: {message}", message=r.error_text(shown)) if r.problem is not None
                     else _("{count} outdated uses", count=len(r.outdated)) if r.outdated else _("current"))
            click.echo(f"{r.root}: {shown.text(state)}")
            for u in r.outdated:
                click.echo(f"  {u.assessment}  {u.item}  {u.clause}  @{u.version} [{u.library}] -> @{u.latest} [{u.latest_library}]")
    if any(r.problem is not None for r in results):
        sys.exit(1)
    if any(r.outdated for r in results):
        sys.exit(2)


@fleet.command("propagate")
@click.argument("directories", nargs=-1, required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--clause", "clause_refs", multiple=True, help="Only this CLAUSE[@VERSION] (repeatable; default: every outdated clause).")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
def fleet_propagate(directories: tuple[Path, ...], clause_refs: tuple[str, ...], dry_run: bool) -> None:
    """Propagate in every workspace DIRECTORY; a workspace with any conflict is left unchanged."""
    from composer import api

    with ProgressBar(_("workspaces"), unit=_("ws")) as bar:
        results = api.fleet_propagate(directories, clause_refs, dry_run, progress=bar)
    for r in results:
        shown = r.view(view().language)  # each workspace's paths relative to it
        if r.problem is not None:
            click.echo(f"{r.root}: {shown.text(_('error: {message}', message=r.error_text(shown)))}")
            continue
        if r.conflicts:
            state = _("{moved} uses to move, {conflicts} conflicts: nothing written", moved=r.moved, conflicts=len(r.conflicts))
        elif r.written:
            state = _("{moved} uses moved", moved=r.moved)
        else:
            state = _("would move {moved} uses", moved=r.moved) if dry_run and r.moved else _("nothing to move")
        click.echo(f"{r.root}: {shown.text(state)}")
        for u in r.conflicts:
            click.echo("  " + shown.text(_("conflict: {location}: {clause} @{old} -> @{new}", location=u.location, clause=u.clause,
                                           old=u.from_version, new=u.to_version)))
    moved = sum(r.moved for r in results if r.written)
    stuck = [r for r in results if r.conflicts or r.problem is not None]
    echo(_("{count} workspaces: {moved} uses moved, {stuck} left unchanged with conflicts or errors", count=len(results), moved=moved,
           stuck=len(stuck)), err=True)
    if stuck:
        sys.exit(1)


@main.command("import")
@click.argument("args", nargs=-1, required=True)
@click.option("--name", help="Name of the new assessment (assessments/NAME.yaml).")
@click.option("--update", "update", is_flag=True, help="Write back edits made in Word: hyoka import --update NAME FILE.docx.")
@click.option("--form", help="Form schema (default: recognised from the document).")
@click.option("--publish", "do_publish", is_flag=True, help="Record the imported state as the baseline snapshot.")
@click.option("--date", help="Publication date YYYY-MM-DD for --publish (default: today).")
@click.option("--dry-run", is_flag=True, help="With --update: report what would change, write nothing.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_ctx
def import_(
    ctx: Ctx, args: tuple[str, ...], name: str | None, update: bool, form: str | None, do_publish: bool, date: str | None,
    dry_run: bool, fmt: str,
) -> None:
    """Import a 評価書 from Word (FILE.docx --name NAME), or write back Word edits (--update NAME FILE.docx)."""
    from composer import api

    if update:
        if len(args) != 2:
            raise UserError(_("--update takes NAME FILE.docx"), hint=_("hyoka import --update juki build/juki.docx"))
        rep = api.update_from_docx(ctx.root, args[0], Path(args[1]), dry_run=dry_run)
    else:
        if len(args) != 1 or not name:
            raise UserError(_("import takes FILE.docx and --name NAME"), hint=_("hyoka import 評価書.docx --name juki"))
        if date and not do_publish:
            raise UserError(_("--date is for --publish"), hint=_("add --publish to record the baseline snapshot"))
        rep = api.import_docx(ctx.root, Path(args[0]), name, form, date, do_publish)
    if fmt == "json":
        click.echo(json.dumps(rep.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(rep.text(view()))


if __name__ == "__main__":  # pragma: no cover
    main()
