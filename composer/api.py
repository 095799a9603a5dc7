"""The library's operations, one function per user task; the CLI only wraps these."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from composer.batch import BuildResults, Progress, build_workspace, writers
from composer.compose.assemble import Composer
from composer.compose.stream import Progress as StepProgress
from composer.errors import Diagnostics, ErrorList, HyokaError, Location, UserError, WriteError
from composer.i18n import View, _, _n
from composer.load.workspace import CONFIG_NAME, Workspace, load_workspace
from composer.model import Assessment, ChangeTable, ComposedAssessment
from composer.revisions.uses import ClauseUse, uses_of
from composer.transaction import Transaction, workspace_lock

if TYPE_CHECKING:
    from composer.revisions.snapshot import Snapshot
    from composer.writers import TextOut


def composer_for(ws: Workspace) -> Composer:
    return Composer.for_workspace(ws)


def compose_assessment(ws: Workspace, name: str) -> ComposedAssessment:
    """Load and compose one assessment; raises every error found in it."""
    return _compose_one(ws, name)[0]


def _compose_one(ws: Workspace, name: str, text: str | None = None, path: Path | None = None) -> tuple[ComposedAssessment, Diagnostics]:
    """The composed assessment and its warnings; raises every error found in it.

    ``text``: the assessment's text, not yet written to its file ``path`` (an import's).
    """
    from composer.load.assessment import load_assessment

    diag = Diagnostics()
    a = load_assessment(path or ws.assessment_path(name), diag, ws.form_dirs, text=text)
    if a is None:
        diag.raise_if_errors()
        raise UserError(_("cannot load assessment '{name}'", name=name))
    composed = composer_for(ws).compose(a, diag)
    diag.raise_if_errors()
    return composed, diag


def compose_all(ws: Workspace, names: Iterable[str] | None, diag: Diagnostics) -> list[tuple[Assessment, ComposedAssessment]]:
    """Compose every (or the named) assessment, collecting all errors in ``diag``.

    Holds every composed assessment at once: a pass over many assessments streams through
    :func:`composer.compose.stream.compose_each` instead.
    """
    from composer.compose.stream import compose_each

    later = Diagnostics()  # every loading problem first, then the composing ones
    out = list(compose_each(ws, names, diag, later))
    diag.extend(later.items)
    return out


def check(
    root: Path | None = None, names: Iterable[str] | None = None, lint: bool = True, *, progress: StepProgress | None = None,
    jobs: int = 1,
) -> Diagnostics:
    """Validate the workspace, its clauses and assessments; report everything found.

    Every problem collected: :func:`check_stream` gives them one at a time (``hyoka check``
    prints them so, keeping none).
    """
    diag = Diagnostics()
    diag.extend(check_stream(root, names, lint, progress=progress, jobs=jobs))
    return diag


def check_stream(
    root: Path | None = None, names: Iterable[str] | None = None, lint: bool = True, *, progress: StepProgress | None = None,
    jobs: int = 1,
) -> Iterator[UserError]:
    """The problems of :func:`check`, one at a time, as they are found.

    First the workspace's own (hyoka.yaml, clauses, lint settings); then each assessment's,
    in name order, as it is loaded, composed and linted (one at a time: nothing keeps them
    all; with ``jobs`` > 1 in that many worker processes, the order and the problems the same);
    then those across the workspace (the しきい値判断 of each 事務, the clauses' wording, the
    workspace lint rules). ``progress(done, total)`` is called after each assessment.
    """
    from composer.checking import CheckSettings, check_each
    from composer.spool import Spool, SpooledList
    from composer.threshold import Member

    if jobs < 1:
        raise UserError(_("--jobs must be 1 or more (got {jobs})", jobs=jobs))
    diag = Diagnostics()
    ws = load_workspace(root, diag)
    wanted = list(names) if names else None
    linter = None
    if lint:
        from composer.lint.engine import Linter

        linter = Linter(ws, wanted, fixes=False)  # check applies no fix: none is kept
    yield from diag.take()
    if linter is not None:
        yield from linter.start()
    settings = CheckSettings(ws.root, tuple(wanted) if wanted else None, lint, members=wanted is None)
    with Spool() as spool:
        members: SpooledList[Member] = SpooledList(spool)  # each assessment's しきい値 summary, kept on disk
        for checked in check_each(ws, wanted or ws.assessment_names(), settings, jobs, progress):
            yield from checked.problems
            if checked.member is not None:
                members.append(checked.member)
            if linter is not None:
                linter.merge(checked.pinned)
        # with no names every assessment was just loaded: those that compose are looked at (the others have errors)
        yield from threshold_findings(ws, names, None if wanted else members)
    if linter is not None:
        yield from linter.finish()[0]


def threshold_findings(ws: Workspace, names: Iterable[str] | None = None, loaded: Iterable[Any] | None = None) -> Iterator[UserError]:
    """Forms the しきい値判断 requires that the 事務 does not have (every assessment is looked at;
    ``loaded``: the workspace's assessments, already loaded, or their :func:`composer.threshold.member_of`)."""
    from composer.compose.stream import load_each
    from composer.threshold import workspace_findings

    quiet = Diagnostics()  # load errors are reported by the check itself
    everything = loaded if loaded is not None else load_each(ws, None, quiet)
    return workspace_findings(everything, list(names) if names else None, ws.form_dirs)


def judge_threshold(
    ws: Workspace | None, name: str | None = None, people: int | None = None, staff: int | None = None, incident: bool | None = None
):  # type: ignore[no-untyped-def]
    """The しきい値判断 (a ThresholdResult): from the numbers given, and from assessment ``name``'s
    own choice items where a number is not given."""
    from composer.threshold import from_options, inputs_of, judge

    given = from_options(people, staff, incident)
    if name is None or ws is None:
        return judge(given)
    diag = Diagnostics()
    a = ws.load_assessment(name, diag)
    diag.raise_if_errors()
    if a is None:
        raise UserError(_("cannot load assessment '{name}'", name=name))
    return judge(given.merged(inputs_of(a, ws.form_dirs).inputs))


def unverified_nodes(ws: Workspace, forms: Iterable[str] | None = None, in_use: bool = False):  # type: ignore[no-untyped-def]
    """Nodes of the workspace's forms (bundled or its own) that rest on recollection.

    ``forms``: only these (names or aliases); ``in_use``: only forms some assessment uses.
    """
    from composer.load.forms import available_forms, get_form, unverified

    wanted = list(forms or [])
    if in_use:
        quiet = Diagnostics()
        wanted += sorted({a.form for a in ws.load_assessments(None, quiet)})
    if wanted:
        picked = [get_form(n, None, ws.form_dirs)[0] for n in wanted]
        chosen = {f.name: f for f in picked}
    else:
        chosen = {f.name: f for f, _ in available_forms(ws.form_dirs).values()}
    return [u for f in chosen.values() for u in unverified(f)]


def clause_uses(ws: Workspace, clause_id: str | None = None, names: Iterable[str] | None = None, *,
                loaded: list[Assessment] | None = None) -> list[ClauseUse]:
    """Every use of a clause (or of all clauses) in the workspace's assessments (``loaded``: those, already loaded)."""
    return _clause_uses(ws, clause_id, names, loaded=loaded)


def _clause_uses(
    ws: Workspace,
    clause_id: str | None = None,
    names: Iterable[str] | None = None,
    only_outdated: bool = False,
    progress: StepProgress | None = None,
    loaded: list[Assessment] | None = None,
) -> list[ClauseUse]:
    """The uses, one assessment loaded at a time (``only_outdated``: keep only those)."""
    from composer.compose.stream import ErrorsOnly, load_each

    diag = ErrorsOnly()  # only the errors are raised
    uses = []
    for a in loaded if loaded is not None else load_each(ws, names, diag, progress):
        uses.extend(uses_of(ws, a, clause_id, only_outdated))
    diag.raise_if_errors()
    if clause_id:
        ws.library.require(clause_id)
    return uses


def lock_clauses(root: Path | None, stock: bool = False) -> list[str]:
    """Publish new clause versions (record their hashes in clauses.lock); returns ``id@N`` added.

    Refuses while the library has errors: a version is sealed only once it is valid.
    """
    from composer.load.clauses import write_lock
    from composer.resources import stock_clauses_dir

    diag = Diagnostics()
    ws = load_workspace(root, diag)
    diag.raise_if_errors()
    library = "stock" if stock else "local"
    target = stock_clauses_dir() if stock else ws.local_clauses_dir
    with workspace_lock(ws.root):
        return write_lock(target, _versions_from(ws, library), ws.root)


def _versions_from(ws: Workspace, library: str) -> list:  # type: ignore[type-arg]
    """Each clause with only the versions ``library`` defines (what its own lock covers)."""
    from dataclasses import replace

    out = []
    for c in ws.library:
        mine = tuple(v for v in c.versions if (v.library or c.library) == library)
        if mine:
            out.append(replace(c, versions=mine))
    return out


# --------------------------------------------------------------------------- init

_LOCAL_README = """\
# {municipality}の条項

One YAML file per clause, e.g. `{slug}/storage.yaml` becomes the clause id `{slug}/storage`.
See the stock clauses bundled with hyoka (`hyoka clauses list`) for examples.
"""


def init_workspace(directory: Path, municipality: str) -> list[Path]:
    """Create a workspace: hyoka.yaml, assessments/, clauses/. Refuses to overwrite."""
    directory = Path(directory)
    config = directory / CONFIG_NAME
    if config.exists():
        raise UserError(_("{file} already exists", file=CONFIG_NAME), Location.of(config), _("this directory is already a workspace"))
    from composer.load.workspace import config_text

    text = config_text(municipality)  # refuses an unusable name before anything is created
    municipality = municipality.strip()
    created = []
    try:
        for sub in ("assessments", "clauses", "snapshots"):
            (directory / sub).mkdir(parents=True, exist_ok=True)
            created.append(directory / sub)
    except OSError as exc:
        raise WriteError(directory, exc.strerror or str(exc)) from None
    with Transaction(directory) as txn:
        txn.write(config, text, create=True)
        readme = directory / "clauses" / "README.md"
        if not readme.exists():
            txn.write(readme, _LOCAL_README.format(municipality=municipality, slug="local"))
    created.insert(0, config)
    return created


# --------------------------------------------------------------------------- build

def build_documents(
    root: Path | None = None,
    names: Iterable[str] | None = None,
    out_dir: Path | None = None,
    fmt: str = "docx",
    *,
    reference: Path | None = None,
    jobs: int = 1,
    force: bool = False,
    progress: Progress | None = None,
) -> BuildResults:
    """Compose every (or the named) assessment, then write those whose inputs changed.

    Nothing is written when any assessment has an error. Unchanged documents (same
    composed content, writer and reference document; see :mod:`composer.batch`) are
    skipped unless ``force``; ``jobs > 1`` writes in that many processes.
    """
    table = writers(reference)
    if fmt not in table:
        raise UserError(_("unknown format '{fmt}'", fmt=fmt), None, _("use one of: {choices}", choices=list(table)))
    if reference is not None:
        if fmt != "docx":
            raise UserError(_("a reference document applies to Word output only (not '{fmt}')", fmt=fmt), None, _("add --format docx"))
        from composer.writers.docx import check_reference

        check_reference(Path(reference))  # refuse an unreadable reference before composing
    if jobs < 1:
        raise UserError(_("--jobs must be 1 or more (got {jobs})", jobs=jobs))
    ws = load_workspace(root)
    wanted = list(names) if names else ws.assessment_names()
    if not wanted:
        raise UserError(_("no assessments to build"), Location.of(ws.assessments_dir), _("write one there, or draft one with `hyoka new NAME`"))
    target = Path(out_dir) if out_dir else ws.output_dir
    return build_workspace(ws, wanted, target, fmt, jobs, force, reference=reference, progress=progress)


def build(
    root: Path | None = None,
    names: Iterable[str] | None = None,
    out_dir: Path | None = None,
    fmt: str = "docx",
    *,
    reference: Path | None = None,
    jobs: int = 1,
    force: bool = False,
) -> list[Path]:
    """Compose and write every (or the named) assessment; returns the output paths.

    Nothing is written on error; unchanged documents are left as they are (see
    :func:`build_documents`, which also tells which documents were written).
    """
    results = build_documents(root, names, out_dir, fmt, reference=reference, jobs=jobs, force=force)
    return [r.path for r in results]


# --------------------------------------------------------------------------- publish / diff


def publish(root: Path | None, name: str, date: str | None = None):  # type: ignore[no-untyped-def]
    """Freeze the current draft of ``name`` into an immutable snapshot."""
    ws = load_workspace(root)
    with workspace_lock(ws.root):  # a second publish sees the first one's snapshot
        snap, text = _publication(ws, name, date)
        with Transaction(ws.root) as txn:
            txn.write(snap.path, text, create=True)
        return snap


def _publication(ws: Workspace, name: str, date: str | None, source: tuple[Path, str] | None = None) -> tuple[Snapshot, str]:
    """The snapshot publishing ``name`` would write, and its file's text; refused while a placeholder is open.

    ``source``: the assessment's file and its text, when the text is not yet written there.
    """
    from composer.revisions.snapshot import publication

    path, text = source if source is not None else (ws.assessment_path(name), None)
    composed, diag = _compose_one(ws, name, text, path)
    open_points = placeholders(composed, diag, source=path, config=ws.root / CONFIG_NAME, text=text)
    if open_points:
        raise ErrorList([UserError(p.message, p.location, _("fill it in before publishing"), code="placeholder") for p in open_points],
                        more=_("`hyoka check {name}` lists them all", name=name))
    return publication(composed, ws.snapshots_dir, date, ws.library)


def placeholders(
    composed: ComposedAssessment, diag: Diagnostics, source: Path | None = None, config: Path | None = None, text: str | None = None
) -> list[UserError]:
    """The 【要記入…】 texts and 【要選択】 choices still open in a composed assessment.

    ``diag`` holds the warnings of loading it (the loader reports open choices). With
    ``source`` (the assessment's file), every value written in it is searched too — meta,
    file names, items, per-file items, annotations (``changes:``) — and each open point
    is named by line and key; then everything else the composed assessment holds (text
    rendered from clauses, terms, headings) is searched for placeholders not already named
    (a glossary term's is named in ``config``, the workspace's configuration, when given).
    ``text``: the source's text, when it is not (yet) what the file holds.
    """
    from composer.load.assessment import PLACEHOLDER

    found = [d for d in diag.warnings if d.code == "placeholder"]
    in_source = _source_placeholders(source, text) if source is not None else []
    for it in composed.items:
        for b in it.blocks:
            m = PLACEHOLDER.search(b.text)
            if m and not any(text == m.group() and (key.startswith(it.key) or f".{it.key}" in key) for _, key, text in in_source):
                message = (_("placeholder {text} is still there", text=m.group()) if b.location and b.location.key
                           else _("{item}: placeholder {text} is still there", item=it.ref, text=m.group()))
                found.append(UserError(message, b.location, severity="warning", code="placeholder"))
    if source is None:
        return found
    named = {d.location.line for d in diag.warnings if d.code == "placeholder" and d.location}
    written: set[str] = set()
    for line, key, text in in_source:
        written.add(text)
        if line not in named:
            named.add(line)
            found.append(UserError(_("placeholder {text} is still there", text=text), Location.of(source, line, key), severity="warning",
                                   code="placeholder"))
    seen = {m.group() for d in found for m in PLACEHOLDER.finditer(str(d.message))} | written
    for key, text in _composed_placeholders(composed):
        if text not in seen:
            seen.add(text)
            where = config if config is not None and key.startswith("terms.") else source
            found.append(UserError(_("placeholder {text} is still there", text=text), Location.of(where, None, key), severity="warning",
                                   code="placeholder"))
    return found


def _source_placeholders(path: Path, text: str | None = None) -> list[tuple[int, str, str]]:
    """(line, key, placeholder) for every placeholder in a value of an assessment file."""
    from composer.load.assessment import PLACEHOLDER
    from composer.load.yamlio import YList, YMap, parse_yaml, read_text

    out: list[tuple[int, str, str]] = []

    def scalar(value: object, line: int, key: str, block: bool) -> None:
        text = str(value)
        for m in PLACEHOLDER.finditer(text):
            out.append((line + (text.count("\n", 0, m.start()) if block else 0), key, m.group()))

    def walk(node: object, key: str, line: int) -> None:
        if isinstance(node, YMap):
            for k, v in node.items():
                sub = f"{key}.{k}" if key else str(k)
                if isinstance(v, (YMap, YList)):
                    walk(v, sub, node.line_of(k))
                elif v is not None:
                    scalar(v, node.text_line_of(k), sub, k in node.block_values)
        elif isinstance(node, YList):
            for i, v in enumerate(node):
                label = f"[{v['id']}]" if key == "files" and isinstance(v, YMap) and "id" in v else f"[{i}]"
                if isinstance(v, (YMap, YList)):
                    walk(v, key + label, node.line_of(i))
                elif v is not None:
                    scalar(v, node.line_of(i), key + label, False)

    walk(parse_yaml(text if text is not None else read_text(path, "an assessment"), path), "", 1)
    return out


def _composed_placeholders(composed: ComposedAssessment) -> list[tuple[str, str]]:
    """(field, placeholder) for every placeholder in any text a composed assessment holds."""
    import dataclasses

    from composer.load.assessment import PLACEHOLDER

    out: list[tuple[str, str]] = []

    def walk(value: object, key: str) -> None:
        if isinstance(value, str):
            out.extend((key, m.group()) for m in PLACEHOLDER.finditer(value))
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                if f.name != "location":
                    walk(getattr(value, f.name), f"{key}.{f.name}" if key else f.name)
        elif isinstance(value, (tuple, list)):
            for i, v in enumerate(value):
                walk(v, f"{key}[{i}]")
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{key}.{k}")

    walk(dataclasses.replace(composed, terms=()), "")
    for term in composed.terms:
        walk(term, f"terms.{term.key}")
    return out


def history(root: Path | None, name: str):  # type: ignore[no-untyped-def]
    """The published snapshots of ``name``, oldest first (each verified against its hash)."""
    from composer.revisions.snapshot import list_snapshots, read_snapshot

    ws = load_workspace(root)
    paths = list_snapshots(ws.snapshots_dir, name)
    if not paths:
        ws.assessment_path(name)  # an unknown name is an error (with a suggestion), not "never published"
    return [read_snapshot(p, ws.library) for p in paths]


def revision(ws: Workspace, name: str, ref: str | None):  # type: ignore[no-untyped-def]
    """A revision of ``name``: a snapshot by id/date, the latest (None), or the draft."""
    from composer.revisions.snapshot import DRAFT, find_snapshot

    if ref == DRAFT:
        return DRAFT, compose_assessment(ws, name)
    snap = find_snapshot(ws.snapshots_dir, name, ref, ws.library)
    return snap, snap.composed


def diff(
    root: Path | None,
    name: str,
    from_ref: str | None = None,
    to_ref: str | None = None,
    start: int = 1,
    same_as: bool = False,
    strict: bool = False,
    date: str | None = None,
):  # type: ignore[no-untyped-def]
    """Change table between two revisions (default: last published → draft).

    ``to_ref`` is a snapshot id/date or ``"draft"``; ``from_ref`` defaults to the publication
    before ``to_ref``. ``date`` is the 変更日 of a draft's rows (a snapshot's rows carry its date).
    Returns (ChangeTable, warnings); with ``strict``, rows without a reason raise.
    """
    from composer.errors import ErrorList
    from composer.revisions.diff import DiffOptions, between

    ws = load_workspace(root)
    old, new, from_label, to_label, date = revisions(ws, name, from_ref, to_ref, date)
    table, problems = between(old, new, from_label, to_label, DiffOptions(start=start, same_as=same_as, strict=strict, date=date))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ErrorList(errors)
    return table, problems


def revisions(ws: Workspace, name: str, from_ref: str | None, to_ref: str | None, date: str | None = None):  # type: ignore[no-untyped-def]
    """(old, new, from label, to label, 変更日) of ``name`` between two revisions (see :func:`diff`)."""
    from composer.dates import parse_date
    from composer.revisions.snapshot import DRAFT, list_snapshots, read_snapshot

    if from_ref == DRAFT:
        raise UserError(_("--from draft: the draft is the newest revision"), None,
                        _("compare a snapshot with the draft: --from SNAPSHOT (--to draft is the default)"))
    # the draft is composed first so that its errors are reported even when it was never published
    to_rev, new = revision(ws, name, to_ref or DRAFT)
    if to_rev == DRAFT:
        to_label, date = DRAFT, parse_date(date, None, "--date").isoformat() if date else ""
    else:
        if date:
            raise UserError(_("--date sets the 変更日 of a draft's rows"), None,
                            _("snapshot {snapshot} carries its own date ({date})", snapshot=to_rev.id, date=to_rev.date))
        to_label, date = to_rev.id, to_rev.date
    if from_ref is None and to_rev != DRAFT:
        paths = list_snapshots(ws.snapshots_dir, name)
        older = paths[: [p.stem for p in paths].index(to_rev.id)]
        if not older:
            raise UserError(_("snapshot {snapshot} of '{name}' is its first publication", snapshot=to_rev.id, name=name),
                            Location.of(to_rev.path), _("pass --from"))
        from_label, old = older[-1].stem, read_snapshot(older[-1], ws.library).composed
    else:
        from_rev, old = revision(ws, name, from_ref)
        from_label = from_rev.id
    return old, new, from_label, to_label, date


def redline(
    root: Path | None,
    name: str,
    output: Path | None = None,
    from_ref: str | None = None,
    author: str | None = None,
    reference: Path | None = None,
    date: str = "",
) -> Path:
    """Write the draft of ``name`` as .docx with its changes since a publication (default: the latest) tracked.

    The author of the changes is ``author``, else the workspace's ``author:``, else the
    municipality. Returns the path written (default: ``build/NAME.redline.docx``).
    """
    from composer.documents.redline import RedlineOptions, redline_document
    from composer.writers import docx as docx_writer

    if reference is not None:
        from composer.writers.docx import check_reference

        check_reference(Path(reference))
    ws = load_workspace(root)
    old, new, _, _, _ = revisions(ws, name, from_ref, None)
    path = Path(output) if output else ws.output_dir / f"{name}.redline.docx"
    who = author or ws.config.author or ws.config.municipality or "hyoka"
    docx_writer.write(redline_document(old, new, RedlineOptions(author=who, date=date)), path, reference)
    return path


def shinkyu(root: Path | None, name: str, from_ref: str | None = None, to_ref: str | None = None):  # type: ignore[no-untyped-def]
    """The 新旧対照表 of ``name`` between two revisions (default: last published → draft)."""
    from composer.documents.shinkyu import shinkyu_table

    ws = load_workspace(root)
    old, new, from_label, to_label, _ = revisions(ws, name, from_ref, to_ref)
    return shinkyu_table(old, new, from_label, to_label)


# --------------------------------------------------------------------------- documents through the writers
#
# The document builders (composer.documents) make neutral documents; these pick the writer.


def change_table_document(table: ChangeTable, fmt: str, official: bool = False, marks: bool = False):  # type: ignore[no-untyped-def]
    """The neutral document of a change table for ``fmt``: with marks, HTML is the review page."""
    from composer.documents import review, tables

    if marks and fmt == "html":
        return review.review_document(table, official)
    return tables.document(table, fmt, official, marks)


def render_change_table(table: ChangeTable, fmt: str, official: bool = False, marks: bool = False) -> str:
    """A change table as text (md, json, csv, html); ``marks``: the changed words marked (md, html)."""
    from composer import writers

    return writers.render(change_table_document(table, fmt, official, marks), fmt)


def write_change_table(table: ChangeTable, fmt: str, path: Path, official: bool = False, reference: Path | None = None,
                       marks: bool = False) -> None:
    """Write a change table to ``path`` in ``fmt`` (md, json, csv, html, docx, xlsx), atomically."""
    from composer import writers

    writers.write(change_table_document(table, fmt, official, marks), fmt, path, reference)


def render_report(report, fmt: str) -> str:  # type: ignore[no-untyped-def]
    """The yearly report as text (md, html, json)."""
    from composer import writers
    from composer.documents.report import report_document

    return writers.render(report_document(report, fmt), fmt)


def stream_report(report, fmt: str, out: TextOut) -> None:  # type: ignore[no-untyped-def]
    """Write the yearly report as text (md, html, json) to ``out`` as it is made (one assessment's tables at a time)."""
    from composer import writers
    from composer.documents.report import report_document

    writers.stream(report_document(report, fmt), fmt, out)


def write_report(report, fmt: str, path: Path, reference: Path | None = None) -> None:  # type: ignore[no-untyped-def]
    """Write the yearly report to ``path`` in ``fmt`` (md, html, json, docx, xlsx), atomically."""
    from composer import writers
    from composer.documents.report import FORMATS, report_document

    if fmt not in FORMATS:
        raise UserError(_("unknown format '{fmt}'", fmt=fmt), None, _("use one of: {choices}", choices=list(FORMATS)))
    writers.write(report_document(report, fmt), fmt, path, reference)


# --------------------------------------------------------------------------- outdated / propagate


def outdated(root: Path | None = None, names: Iterable[str] | None = None, *, progress: StepProgress | None = None) -> list[ClauseUse]:
    """Every use of a clause version older than the clause's latest (one assessment loaded at a time)."""
    ws = load_workspace(root)
    return _clause_uses(ws, None, names, only_outdated=True, progress=progress)


def propagate(
    root: Path | None,
    clause_ref: str,
    names: Iterable[str] | None = None,
    dry_run: bool = False,
    allow_conflicts: bool = False,
):  # type: ignore[no-untyped-def]
    """Move every (or the named assessments') use of a clause to a new version.

    Returns the plan (updates and file edits). With ``dry_run`` nothing is written.
    """
    from composer.revisions import propagate as _p

    ws = load_workspace(root)
    if dry_run:
        return _p.plan(ws, clause_ref, names)
    with workspace_lock(ws.root):  # plan and write under one lock: a concurrent run cannot lose this update
        plan = _p.plan(ws, clause_ref, names)
        _p.apply(plan, allow_conflicts, ws.root)
    return plan


def new_assessment(
    root: Path | None, name: str, form: str = "全項目", profile: str | None = None, files: Iterable[str] = (), jimu: str = ""
) -> Path:
    """Draft a new assessment from the stock library (see :mod:`composer.compose.draft`)."""
    from composer.compose.draft import draft

    ws = load_workspace(root)
    with workspace_lock(ws.root):
        return draft(ws, name, form, profile, files, jimu)


# --------------------------------------------------------------------------- clause libraries


def libraries(root: Path | None = None):  # type: ignore[no-untyped-def]
    """The workspace and the clause libraries it draws on, in order (the workspace's own last)."""
    ws = load_workspace(root)
    return ws, ws.sources


def review_libraries(root: Path | None = None, name: str | None = None, uses: bool = True):  # type: ignore[no-untyped-def]
    """What each (or the named) shared or stock library brings since the workspace last took it.

    ``uses=False`` leaves out which assessments use each clause (and does not load them).
    """
    from composer.load.library import review

    ws = load_workspace(root)
    return review(ws, ws.sources, clause_uses(ws) if uses else (), name)


def take_libraries(root: Path | None = None, name: str | None = None):  # type: ignore[no-untyped-def]
    """Record in libraries.lock that the workspace has taken each (or the named) library as it stands."""
    from composer.load.library import take

    ws = load_workspace(root)
    return take(ws, ws.sources, name)


def lock_library(directory: Path, after: Iterable[Path] = ()) -> list[str]:
    """Publish the new versions of a shared library directory (its own clauses.lock).

    The library is loaded after the stock library and the libraries ``after`` (in order), so
    that it may add versions to their clauses.
    """
    from dataclasses import replace

    from composer.load.clauses import write_lock
    from composer.load.library import STOCK, LibrarySource, load_libraries, read_manifest
    from composer.resources import stock_clauses_dir

    diag = Diagnostics()
    sources = [LibrarySource(STOCK, STOCK, stock_clauses_dir())]
    for d in (*after, directory):
        src = read_manifest(Path(d), "directory", diag, Location.of(d))
        if src is not None:
            sources.append(src)
    diag.raise_if_errors()
    mine = sources[-1]
    lib = load_libraries(sources, diag)
    diag.raise_if_errors()
    out = []
    for c in lib:
        versions = tuple(v for v in c.versions if (v.library or c.library) == mine.name)
        if versions:
            out.append(replace(c, versions=versions))
    return write_lock(mine.path, out)


@dataclass(frozen=True)
class FleetResult:
    """One workspace of a fleet run: its outdated uses, or what propagation did there.

    ``problem`` is the error that stopped the workspace, kept as raised: its paths are
    shown relative to this workspace by :meth:`view` (each workspace of a fleet from its own root).
    """

    root: Path
    outdated: tuple[ClauseUse, ...] = ()
    moved: int = 0
    conflicts: tuple = ()  # type: ignore[type-arg]
    written: bool = False
    problem: HyokaError | None = None

    def view(self, language: str = "en") -> View:
        """How this workspace's messages show: in ``language``, paths relative to the workspace."""
        return View(language, self.root)

    def error_text(self, view: View | None = None) -> str:
        """The error in one line ("" when none), as ``view`` shows it (default: :meth:`view`)."""
        if self.problem is None:
            return ""
        return _one_line(self.problem, view or self.view())

    @property
    def error(self) -> str:
        """The error in English, paths relative to the workspace ("" when none)."""
        return self.error_text()


def fleet_outdated(roots: Iterable[Path], *, progress: StepProgress | None = None) -> list[FleetResult]:
    """``outdated`` over many workspaces; a workspace that cannot be loaded reports its error.

    ``progress(done, total)`` is called after each workspace."""
    todo = list(roots)
    out = []
    for done, root in enumerate(todo, 1):
        try:
            _require_workspace(Path(root))
            out.append(FleetResult(Path(root), tuple(outdated(Path(root)))))
        except HyokaError as exc:
            out.append(FleetResult(Path(root), problem=exc))
        if progress is not None:
            progress(done, len(todo))
    return out


def _require_workspace(root: Path) -> None:
    """A fleet names each workspace itself: a directory without hyoka.yaml is an error, not its parent's."""
    if not (root / CONFIG_NAME).is_file():
        # the directory as the user named it (a str, not shown relative to itself)
        raise UserError(_("{directory} is not a workspace (no {file})", directory=str(root), file=CONFIG_NAME), None,
                        _("list the workspaces' own directories"))


def fleet_propagate(
    roots: Iterable[Path], clause_refs: Iterable[str] = (), dry_run: bool = False, *, progress: StepProgress | None = None
) -> list[FleetResult]:
    """Propagate the named (default: every outdated) clauses in each workspace.

    A workspace is written only when none of its uses conflicts and every plan succeeds;
    otherwise nothing in it changes. Each workspace is independent of the others.
    ``progress(done, total)`` is called after each workspace.
    """
    refs = list(clause_refs)
    todo = list(roots)
    out = []
    for done, root in enumerate(todo, 1):
        try:
            out.append(_propagate_one(Path(root), refs, dry_run))
        except HyokaError as exc:
            out.append(FleetResult(Path(root), problem=exc))
        if progress is not None:
            progress(done, len(todo))
    return out


def _propagate_one(root: Path, refs: list[str], dry_run: bool) -> FleetResult:
    from composer.revisions import propagate as _p

    _require_workspace(root)
    ws = load_workspace(root)
    with workspace_lock(ws.root):  # one writer per workspace, from the first plan to the last write
        todo = refs or sorted({u.clause for u in clause_uses(ws) if u.outdated})
        plans = [_p.plan(ws, ref) for ref in todo]  # every plan first: a conflict anywhere means nothing is written
        conflicts = tuple(u for p in plans for u in p.conflicts)
        moved = sum(len(p.updates) for p in plans)
        if conflicts or dry_run or not moved:
            return FleetResult(root, moved=moved, conflicts=conflicts)
        # then one clause at a time, each planned on the files as the previous one left them
        # (each step is a transaction); a step that fails puts back what the earlier ones wrote
        before: dict[Path, str] = {}
        try:
            for ref in todo:
                p = _p.plan(load_workspace(root), ref)
                for e in p.edits:
                    before.setdefault(e.path, e.before)
                _p.apply(p, False, ws.root)
        except HyokaError:
            with Transaction(ws.root) as txn:
                for path, text in before.items():
                    txn.write(path, text)
            raise
    return FleetResult(root, moved=moved, written=True)


def _one_line(exc: HyokaError, view: View) -> str:
    """An error in one line: the first three of a list, and how many more."""
    if isinstance(exc, ErrorList):
        first = "; ".join(e.shown(view) for e in exc.errors[:3])
        rest = len(exc.errors) - 3
        return view.text(_n("{errors} (+{count} more)", "{errors} (+{count} more)", rest, errors=first)) if rest > 0 else first
    return exc.shown(view)


@dataclass(frozen=True)
class ClauseMove:
    """A use whose pin moved between two revisions, with the library of each version."""

    item: str
    clause: str
    from_version: int
    to_version: int
    from_library: str
    to_library: str


def clause_moves(root: Path | None, name: str, from_ref: str | None = None, to_ref: str | None = None) -> list[ClauseMove]:
    """The clause uses of ``name`` whose version differs between two revisions (as ``diff`` compares them).

    Only the default ``--to draft`` comparison is covered; a snapshot-to-snapshot diff returns [].
    """
    from composer.load.library import library_of
    from composer.revisions.snapshot import DRAFT

    if to_ref not in (None, DRAFT):
        return []
    ws = load_workspace(root)
    _, new = revision(ws, name, DRAFT)
    try:
        _, old = revision(ws, name, from_ref)
    except HyokaError:
        return []
    before = {(it.ref, b.id): b for it in old.items for b in it.blocks if b.clause}
    out = []
    for it in new.items:
        for b in it.blocks:
            o = before.get((it.ref, b.id))
            if b.clause and o is not None and o.clause == b.clause and o.version != b.version and b.version and o.version:
                c = ws.library.get(b.clause)
                out.append(ClauseMove(it.ref, b.clause, o.version, b.version, library_of(c, o.version), library_of(c, b.version)))
    return out


# --------------------------------------------------------------------------- import from Word


def import_docx(
    root: Path | None, source: Path, name: str, form: str | None = None, publish_date: str | None = None, publish: bool = False
):  # type: ignore[no-untyped-def]
    """Import a 評価書 (.docx) as ``assessments/NAME.yaml``; optionally publish it as the baseline snapshot.

    Returns the :class:`~composer.importing.word.ImportReport`. Nothing is written when the
    document cannot be read or the assessment already exists.
    """
    from composer.importing.word import import_document

    ws = load_workspace(root)
    with workspace_lock(ws.root):
        report, text, target = import_document(ws, source, name, form)
        # the snapshot is made from the imported text before anything is written: one transaction
        # writes both, so no run (a refused publication, a kill) leaves an import without its baseline
        snapshot = _publication(ws, name, publish_date, (target, text)) if publish else None
        with Transaction(ws.root) as txn:
            txn.write(target, text, create=True)
            if snapshot is not None:
                txn.write(snapshot[0].path, snapshot[1], create=True)
        if snapshot is not None:
            report.snapshot = str(snapshot[0].path)
    return report


def update_from_docx(root: Path | None, name: str, source: Path, dry_run: bool = False):  # type: ignore[no-untyped-def]
    """Write back to ``assessments/NAME.yaml`` the edits made in Word to a document hyoka built."""
    from composer.importing.word import update_document

    ws = load_workspace(root)
    with workspace_lock(ws.root):
        report, text, path = update_document(ws, name, source)
        if report.changed and not dry_run:
            with Transaction(ws.root) as txn:
                txn.write(path, text)
    return report
