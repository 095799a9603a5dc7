"""The ``hyoka`` command: parses options, calls one library function, prints the result.

Errors are caught in one place (:class:`HyokaCLI`): a :class:`HyokaError` prints as a
one-line message per problem and sets the exit status; no traceback reaches the user.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from . import api
from .errors import Diagnostics, ErrorList, HyokaError, UserError, set_display_root
from .workspace import Workspace, find_root, load_workspace


class HyokaCLI(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ErrorList as exc:
            for e in exc.errors:
                click.echo(f"error: {e}" if e.severity == "error" else str(e), err=True)
            click.echo(f"{len(exc.errors)} errors", err=True)
            sys.exit(exc.exit_code)
        except HyokaError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except Exception as exc:  # a bug in hyoka, not the user's input
            if os.environ.get("HYOKA_DEBUG"):
                raise
            click.echo(f"internal error: {type(exc).__name__}: {exc} (set HYOKA_DEBUG=1 for details)", err=True)
            sys.exit(3)


class Ctx:
    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._ws: Workspace | None = None

    @property
    def root(self) -> Path:
        root = find_root(self.directory)
        set_display_root(root)
        return root

    def workspace(self) -> Workspace:
        if self._ws is None:
            self._ws = load_workspace(self.root)
        return self._ws


pass_ctx = click.make_pass_decorator(Ctx)


@click.group(cls=HyokaCLI, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-C", "--workspace", "directory", type=click.Path(file_okay=False, path_type=Path), help="Workspace directory (default: the nearest with hyoka.yaml).")
@click.version_option(package_name="hyoka")
@click.pass_context
def main(ctx: click.Context, directory: Path | None) -> None:
    """hyoka: compose and maintain 特定個人情報保護評価書 from versioned stock clauses."""
    ctx.obj = Ctx(directory)


def report(diag: Diagnostics, as_json: bool = False) -> None:
    """Print diagnostics; exit 1 when any is an error."""
    if as_json:
        click.echo(json.dumps([d.to_dict() for d in diag.items], ensure_ascii=False, indent=2))
    else:
        for d in diag.items:
            click.echo(f"error: {d}" if d.severity == "error" else str(d), err=True)
    n_err, n_warn = len(diag.errors), len(diag.warnings)
    if not as_json:
        click.echo(f"{n_err} errors, {n_warn} warnings", err=True)
    if n_err:
        sys.exit(1)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--municipality", "-m", required=True, help="The municipality, e.g. 豊島区.")
def init(directory: Path, municipality: str) -> None:
    """Create a workspace in DIRECTORY."""
    for p in api.init_workspace(directory, municipality):
        click.echo(f"created {p}")


@main.command()
@click.argument("assessments", nargs=-1)
@click.option("--strict", is_flag=True, help="Treat warnings (open placeholders, lint warnings) as errors.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_ctx
def check(ctx: Ctx, assessments: tuple[str, ...], strict: bool, fmt: str) -> None:
    """Validate clauses and assessments; report every problem found."""
    diag = api.check(ctx.root, assessments or None)
    if strict:
        diag = _strict(diag)
    report(diag, fmt == "json")


def _strict(diag: Diagnostics) -> Diagnostics:
    out = Diagnostics()
    for d in diag.items:
        out.error(d.message, d.location, d.hint, d.code)
    return out


@main.command()
@click.argument("assessments", nargs=-1)
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Output directory (default: the workspace's build/).")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "docx"]), default="md", show_default=True)
@pass_ctx
def build(ctx: Ctx, assessments: tuple[str, ...], out_dir: Path | None, fmt: str) -> None:
    """Compose assessments and write them (Markdown, HTML or Word)."""
    for p in api.build(ctx.root, assessments or None, out_dir, fmt):
        click.echo(f"wrote {p}")


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
        {"id": c.id, "latest": c.latest.number, "kind": c.kind, "library": c.library, "title": c.title, "heading": c.heading}
        for c in ws.library
    ]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    width = max((len(r["id"]) for r in rows), default=10)
    for r in rows:
        click.echo(f"{r['id']:<{width}}  @{r['latest']}  {r['kind']:<9}  {r['library']:<5}  {r['title']}")


@clauses.command("show")
@click.argument("clause_id")
@pass_ctx
def clauses_show(ctx: Ctx, clause_id: str) -> None:
    """Show a clause: every version with its source, date, text and notes."""
    ws = ctx.workspace()
    c = ws.library.get(clause_id)
    if c is None:
        from .validate import did_you_mean

        raise UserError(f"unknown clause '{clause_id}'", None, did_you_mean(clause_id, ws.library.clauses) or "see `hyoka clauses list`")
    click.echo(f"{c.id}  {c.title}")
    click.echo(f"  kind: {c.kind}   library: {c.library}   heading: {c.heading or '（なし）'}")
    click.echo(f"  homes: {', '.join(c.homes) or '-'}")
    if c.parameters:
        click.echo("  parameters: " + ", ".join(f"{p.name}" + (f" ({p.description})" if p.description else "") for p in c.parameters))
    for v in c.versions:
        click.echo("")
        click.echo(f"@{v.number}  {v.date}  {v.source}")
        if v.heading is not None:
            click.echo(f"  heading: {v.heading or '（なし）'}")
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
    uses = api.clause_uses(ctx.workspace(), clause_id)
    if fmt == "json":
        click.echo(json.dumps([
            {"assessment": u.assessment, "item": u.item, "version": u.version, "latest": u.latest, "variant": u.variant,
             "file": u.location.file if u.location else None, "line": u.location.line if u.location else None}
            for u in uses
        ], ensure_ascii=False, indent=2))
        return
    if not uses:
        click.echo(f"{clause_id} is not used by any assessment")
    for u in uses:
        flag = " (local variant)" if u.variant else ""
        old = f" (latest @{u.latest})" if u.outdated else ""
        click.echo(f"{u.location}: {u.assessment} {u.item} @{u.version}{old}{flag}")


@clauses.command("lock")
@click.option("--stock", is_flag=True, help="Lock the bundled stock library (for hyoka's maintainers).")
@pass_ctx
def clauses_lock(ctx: Ctx, stock: bool) -> None:
    """Record new clause versions as published (content hashes in clauses.lock)."""
    from .clauses import write_lock
    from .resources import stock_clauses_dir

    diag = Diagnostics()
    ws = load_workspace(ctx.root, diag)
    root = stock_clauses_dir() if stock else ws.local_clauses_dir
    lib = "stock" if stock else "local"
    added = write_lock(root, [c for c in ws.library if c.library == lib])
    for key in added:
        click.echo(f"published {key}")
    if not added:
        click.echo("nothing new to publish")


@main.command()
@click.argument("assessment")
@click.option("--date", help="Publication date YYYY-MM-DD (default: today).")
@pass_ctx
def publish(ctx: Ctx, assessment: str, date: str | None) -> None:
    """Freeze ASSESSMENT's current text into an immutable snapshot."""
    snap = api.publish(ctx.root, assessment, date)
    click.echo(f"published {assessment} as {snap.path}")
    if snap.composed.changes:
        click.echo("its change annotations are recorded with the snapshot; later diffs ignore them", err=True)


@main.command()
@click.argument("assessment")
@pass_ctx
def history(ctx: Ctx, assessment: str) -> None:
    """List the published snapshots of ASSESSMENT."""
    from .snapshot import list_snapshots, read_snapshot

    paths = list_snapshots(load_workspace(ctx.root).snapshots_dir, assessment)
    if not paths:
        click.echo(f"{assessment} has never been published")
    for p in paths:
        snap = read_snapshot(p)
        click.echo(f"{snap.id}  {snap.date}  {snap.content_hash[:19]}  {p}")


@main.command()
@click.argument("assessment")
@click.option("--from", "from_ref", help="Snapshot to compare from (default: the last published).")
@click.option("--to", "to_ref", help="Snapshot to compare to, or 'draft' (default).")
@click.option("--start", type=int, default=1, show_default=True, help="Number of the first row (通番).")
@click.option("--same-as", is_flag=True, help="Write 「通番Nと同様」 where a row repeats an earlier row's reason and notes.")
@click.option("--strict", is_flag=True, help="A row without a reason is an error.")
@click.option("--table", "table_kind", type=click.Choice(["risk", "official"]), default="risk", show_default=True,
              help="risk: 変更点リスク評価表; official: (別添3) 変更箇所.")
@click.option("--format", "fmt", type=click.Choice(["md", "json", "csv", "html", "docx", "xlsx"]), default="md", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file (required for docx/xlsx).")
@click.option("--reference-doc", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Word reference document for styles.")
@pass_ctx
def diff(ctx: Ctx, assessment: str, from_ref: str | None, to_ref: str | None, start: int, same_as: bool, strict: bool,
         table_kind: str, fmt: str, output: Path | None, reference_doc: Path | None) -> None:
    """Change table of ASSESSMENT between two revisions (default: last published → draft)."""
    from . import tables

    table, warnings = api.diff(ctx.root, assessment, from_ref, to_ref, start, same_as, strict)
    for w in warnings:
        click.echo(str(w), err=True)
    official = table_kind == "official"
    if output is None and fmt in ("docx", "xlsx"):
        raise UserError(f"--format {fmt} writes a file", None, "pass -o FILE")
    if output is None:
        click.echo(tables.render(table, fmt, official), nl=False)
        return
    tables.write(table, fmt, output, official, reference_doc)
    click.echo(f"wrote {output} ({len(table.rows)} rows)")


if __name__ == "__main__":  # pragma: no cover
    main()
