"""The library's operations, one function per user task; the CLI only wraps these."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .batch import BuildResult, Progress, build_many, writers
from .compose import Composer
from .errors import Diagnostics, ErrorList, Location, UserError, WriteError
from .model import Assessment, ComposedAssessment
from .transaction import Transaction, workspace_lock
from .workspace import CONFIG_NAME, Workspace, load_workspace


def composer_for(ws: Workspace) -> Composer:
    return Composer.for_workspace(ws)


def compose_assessment(ws: Workspace, name: str) -> ComposedAssessment:
    """Load and compose one assessment; raises every error found in it."""
    return _compose_one(ws, name)[0]


def _compose_one(ws: Workspace, name: str) -> tuple[ComposedAssessment, Diagnostics]:
    """The composed assessment and its warnings; raises every error found in it."""
    diag = Diagnostics()
    a = ws.load_assessment(name, diag)
    if a is None:
        diag.raise_if_errors()
        raise UserError(f"cannot load assessment '{name}'")
    composed = composer_for(ws).compose(a, diag)
    diag.raise_if_errors()
    return composed, diag


def compose_all(ws: Workspace, names: Iterable[str] | None, diag: Diagnostics) -> list[tuple[Assessment, ComposedAssessment]]:
    """Compose every (or the named) assessment, collecting all errors in ``diag``."""
    comp = composer_for(ws)
    out = []
    for a in ws.load_assessments(list(names) if names else None, diag):
        before = len(diag.errors)
        composed = comp.compose(a, diag)
        if len(diag.errors) == before:
            out.append((a, composed))
    return out


def check(root: Path | None = None, names: Iterable[str] | None = None, lint: bool = True) -> Diagnostics:
    """Validate the workspace, its clauses and assessments; report everything found."""
    diag = Diagnostics()
    ws = load_workspace(root, diag)
    composed = compose_all(ws, names, diag)
    # with no names every assessment was just loaded: those that compose are looked at (the others have errors)
    diag.extend(threshold_findings(ws, names, None if names else [a for a, _ in composed]))
    if lint:
        from .lint import lint_workspace

        diag.extend(lint_workspace(ws, composed, names=list(names) if names else None))
    return diag


def threshold_findings(ws: Workspace, names: Iterable[str] | None = None, loaded: list[Assessment] | None = None) -> list[UserError]:
    """Forms the しきい値判断 requires that the 事務 does not have (every assessment is looked at;
    ``loaded``: the workspace's assessments, already loaded)."""
    from .threshold import workspace_findings

    quiet = Diagnostics()  # load errors are reported by the check itself
    everything = loaded if loaded is not None else ws.load_assessments(None, quiet)
    return workspace_findings(everything, list(names) if names else None, ws.form_dirs)


def judge_threshold(
    ws: Workspace | None, name: str | None = None, people: int | None = None, staff: int | None = None, incident: bool | None = None
):  # type: ignore[no-untyped-def]
    """The しきい値判断 (a ThresholdResult): from the numbers given, and from assessment ``name``'s
    own choice items where a number is not given."""
    from .threshold import from_options, inputs_of, judge

    given = from_options(people, staff, incident)
    if name is None or ws is None:
        return judge(given)
    diag = Diagnostics()
    a = ws.load_assessment(name, diag)
    diag.raise_if_errors()
    if a is None:
        raise UserError(f"cannot load assessment '{name}'")
    return judge(given.merged(inputs_of(a, ws.form_dirs).inputs))


def unverified_nodes(ws: Workspace, forms: Iterable[str] | None = None, in_use: bool = False):  # type: ignore[no-untyped-def]
    """Nodes of the workspace's forms (bundled or its own) that rest on recollection.

    ``forms``: only these (names or aliases); ``in_use``: only forms some assessment uses.
    """
    from .forms import available_forms, get_form, unverified

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


@dataclass(frozen=True)
class ClauseUse:
    assessment: str
    item: str  # item ref, e.g. "juki:II.6.1"
    label: str
    clause: str
    version: int
    latest: int
    variant: bool
    location: Location | None

    @property
    def outdated(self) -> bool:
        return self.version < self.latest

    def to_dict(self) -> dict[str, object]:
        loc = self.location
        return {
            "assessment": self.assessment, "item": self.item, "clause": self.clause, "version": self.version,
            "latest": self.latest, "variant": self.variant, "file": loc.file if loc else None, "line": loc.line if loc else None,
        }


def clause_uses(ws: Workspace, clause_id: str | None = None, names: Iterable[str] | None = None) -> list[ClauseUse]:
    """Every use of a clause (or of all clauses) in the workspace's assessments."""
    diag = Diagnostics()
    uses = []
    for a in ws.load_assessments(list(names) if names else None, diag):
        for entry in a.items:
            for b in entry.blocks:
                if b.pin is None or (clause_id and b.pin.clause != clause_id):
                    continue
                clause = ws.library.get(b.pin.clause)
                latest = clause.latest.number if clause else b.pin.version
                uses.append(
                    ClauseUse(a.name, entry.ref, entry.key, b.pin.clause, b.pin.version, latest, b.variant is not None, b.location)
                )
    diag.raise_if_errors()
    if clause_id:
        ws.library.require(clause_id)
    return uses


def lock_clauses(root: Path | None, stock: bool = False) -> list[str]:
    """Publish new clause versions (record their hashes in clauses.lock); returns ``id@N`` added.

    Refuses while the library has errors: a version is sealed only once it is valid.
    """
    from .clauses import write_lock
    from .resources import stock_clauses_dir

    diag = Diagnostics()
    ws = load_workspace(root, diag)
    diag.raise_if_errors()
    library = "stock" if stock else "local"
    target = stock_clauses_dir() if stock else ws.local_clauses_dir
    with workspace_lock(ws.root):
        return write_lock(target, [c for c in ws.library if c.library == library], ws.root)


# --------------------------------------------------------------------------- init

_CONFIG_TEMPLATE = """\
# hyoka workspace: {municipality}
municipality: {municipality}
stock_clauses: true      # use the stock clauses bundled with hyoka
clauses: clauses         # this workspace's own clauses ({municipality}における措置 …)
assessments: assessments # one file per 評価書
snapshots: snapshots     # published revisions (hyoka publish)
output: build            # where hyoka build writes
parameters: {{}}
terms: {{}}              # glossary: term -> current wording, used as {{{{ term.KEY }}}}
"""

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
        raise UserError(f"{CONFIG_NAME} already exists", Location.of(config), "this directory is already a workspace")
    if not municipality.strip():
        raise UserError("the municipality name is empty", None, "pass --municipality 豊島区")
    created = []
    try:
        for sub in ("assessments", "clauses", "snapshots"):
            (directory / sub).mkdir(parents=True, exist_ok=True)
            created.append(directory / sub)
    except OSError as exc:
        raise WriteError(directory, exc.strerror or str(exc)) from None
    with Transaction(directory) as txn:
        txn.write(config, _CONFIG_TEMPLATE.format(municipality=municipality), create=True)
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
) -> list[BuildResult]:
    """Compose every (or the named) assessment, then write those whose inputs changed.

    Nothing is written when any assessment has an error. Unchanged documents (same
    composed content, writer and reference document; see :mod:`composer.batch`) are
    skipped unless ``force``; ``jobs > 1`` writes in that many processes.
    """
    table = writers(reference)
    if fmt not in table:
        raise UserError(f"unknown format '{fmt}'", None, f"use one of: {', '.join(table)}")
    if reference is not None:
        if fmt != "docx":
            raise UserError(f"a reference document applies to Word output only (not '{fmt}')", None, "add --format docx")
        from .docx_writer import check_reference

        check_reference(Path(reference))  # refuse an unreadable reference before composing
    if jobs < 1:
        raise UserError(f"--jobs must be 1 or more (got {jobs})")
    diag = Diagnostics()
    ws = load_workspace(root, diag)
    composed = compose_all(ws, names, diag)
    diag.raise_if_errors()
    if not composed:
        raise UserError("no assessments to build", Location.of(ws.assessments_dir), "write one there, or draft one with `hyoka new NAME`")
    target = Path(out_dir) if out_dir else ws.output_dir
    return build_many([c for _, c in composed], target, fmt, jobs, force, reference=reference, progress=progress)


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
    from .snapshot import publish as _publish

    ws = load_workspace(root)
    with workspace_lock(ws.root):  # a second publish sees the first one's snapshot
        composed, diag = _compose_one(ws, name)
        open_points = placeholders(composed, diag)
        if open_points:
            raise ErrorList([UserError(p.message, p.location, "fill it in before publishing", code="placeholder") for p in open_points])
        return _publish(composed, ws.snapshots_dir, date, ws.root)


def placeholders(composed: ComposedAssessment, diag: Diagnostics) -> list[UserError]:
    """The 【要記入…】 texts and 【要選択】 choices still open in a composed assessment.

    ``diag`` holds the warnings of loading it (the loader reports open choices).
    """
    from .assessment import PLACEHOLDER

    found = [d for d in diag.warnings if d.code == "placeholder"]
    for it in composed.items:
        for b in it.blocks:
            m = PLACEHOLDER.search(b.text)
            if m:
                found.append(UserError(f"{it.ref}: placeholder {m.group()} is still there", b.location, severity="warning", code="placeholder"))
    return found


def history(root: Path | None, name: str):  # type: ignore[no-untyped-def]
    """The published snapshots of ``name``, oldest first (each verified against its hash)."""
    from .snapshot import list_snapshots, read_snapshot

    ws = load_workspace(root)
    return [read_snapshot(p) for p in list_snapshots(ws.snapshots_dir, name)]


def revision(ws: Workspace, name: str, ref: str | None):  # type: ignore[no-untyped-def]
    """A revision of ``name``: a snapshot by id/date, the latest (None), or the draft."""
    from .snapshot import DRAFT, find_snapshot

    if ref == DRAFT:
        return DRAFT, compose_assessment(ws, name)
    snap = find_snapshot(ws.snapshots_dir, name, ref)
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
    from .dates import parse_date
    from .diff import DiffOptions, between
    from .errors import ErrorList
    from .snapshot import DRAFT, list_snapshots, read_snapshot

    ws = load_workspace(root)
    if from_ref == DRAFT:
        raise UserError("--from draft: the draft is the newest revision", None, "compare a snapshot with the draft: --from SNAPSHOT (--to draft is the default)")
    # the draft is composed first so that its errors are reported even when it was never published
    to_rev, new = revision(ws, name, to_ref or DRAFT)
    if to_rev == DRAFT:
        to_label, date = DRAFT, parse_date(date, None, "--date").isoformat() if date else ""
    else:
        if date:
            raise UserError("--date sets the 変更日 of a draft's rows", None, f"snapshot {to_rev.id} carries its own date ({to_rev.date})")
        to_label, date = to_rev.id, to_rev.date
    if from_ref is None and to_rev != DRAFT:
        paths = list_snapshots(ws.snapshots_dir, name)
        older = paths[: [p.stem for p in paths].index(to_rev.id)]
        if not older:
            raise UserError(f"snapshot {to_rev.id} of '{name}' is its first publication", Location.of(to_rev.path), "pass --from")
        from_label, old = older[-1].stem, read_snapshot(older[-1]).composed
    else:
        from_rev, old = revision(ws, name, from_ref)
        from_label = from_rev.id
    table, problems = between(old, new, from_label, to_label, DiffOptions(start=start, same_as=same_as, strict=strict, date=date))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ErrorList(errors)
    return table, problems


# --------------------------------------------------------------------------- outdated / propagate


def outdated(root: Path | None = None, names: Iterable[str] | None = None) -> list[ClauseUse]:
    """Every use of a clause version older than the clause's latest."""
    ws = load_workspace(root)
    return [u for u in clause_uses(ws, None, names) if u.outdated]


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
    from . import propagate as _p

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
    """Draft a new assessment from the stock library (see :mod:`composer.draft`)."""
    from .draft import draft

    ws = load_workspace(root)
    with workspace_lock(ws.root):
        return draft(ws, name, form, profile, files, jimu)


# --------------------------------------------------------------------------- import from Word


def import_docx(
    root: Path | None, source: Path, name: str, form: str | None = None, publish_date: str | None = None, publish: bool = False
):  # type: ignore[no-untyped-def]
    """Import a 評価書 (.docx) as ``assessments/NAME.yaml``; optionally publish it as the baseline snapshot.

    Returns the :class:`~composer.word_import.ImportReport`. Nothing is written when the
    document cannot be read or the assessment already exists.
    """
    from .word_import import import_document
    from .yamlio import atomic_write

    ws = load_workspace(root)
    with workspace_lock(ws.root):
        report, text, target = import_document(ws, source, name, form)
        atomic_write(target, text)
    if publish:
        try:
            report.snapshot = str(_publish_after_import(ws.root, name, publish_date))
        except BaseException:
            target.unlink(missing_ok=True)  # not a half import: the assessment goes with its snapshot
            raise
    return report


def _publish_after_import(root: Path, name: str, date: str | None) -> Path:
    return publish(root, name, date).path


def update_from_docx(root: Path | None, name: str, source: Path, dry_run: bool = False):  # type: ignore[no-untyped-def]
    """Write back to ``assessments/NAME.yaml`` the edits made in Word to a document hyoka built."""
    from .word_import import update_document
    from .yamlio import atomic_write

    ws = load_workspace(root)
    with workspace_lock(ws.root):
        report, text, path = update_document(ws, name, source)
        if report.changed and not dry_run:
            atomic_write(path, text)
    return report
