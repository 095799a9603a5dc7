"""Stage 1: load the clause library (stock clauses plus the workspace's own).

A clause file is ``<root>/<group>/<name>.yaml``; its id is the path without
``.yaml``. Published versions are protected by ``clauses.lock`` in each root: a version
whose content no longer matches its recorded hash is refused.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from composer.errors import Diagnostics, Location, UserError
from composer.i18n import Message, _
from composer.load.validate import Fields, confined, did_you_mean, is_identifier, scalar_text
from composer.load.yamlio import YMap, load_mapping
from composer.model import CLAUSE_KINDS, RISK_CHANGES, Clause, ClauseVersion, Notes, Parameter, Pin, Source
from composer.transaction import Transaction, find_workspace_root

LOCK_NAME = "clauses.lock"
MANIFEST_NAME = "hyoka-library.yaml"  # a shared library's manifest (see composer.load.library)
CLAUSE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)*$")
PIN = re.compile(r"^(?P<id>[^@\s]+)@(?P<version>[1-9][0-9]*)$")

CLAUSE_KEYS = ("id", "title", "heading", "kind", "homes", "parameters", "versions", "description")
VERSION_KEYS = ("version", "date", "source", "heading", "text", "notes")
SOURCE_KEYS = ("issuer", "document", "edition", "url")
NOTES_KEYS = ("reason", "risk_change", "risk_situation", "countermeasure")
PARAM_KEYS = ("description", "default")


@dataclass(frozen=True)
class LibraryRoot:
    path: Path
    name: str  # "stock" or "local"
    confine: Path | None = None  # clause files (links resolved) must lie inside this directory


@dataclass
class Library:
    """All clauses known to a workspace, by id."""

    clauses: dict[str, Clause] = field(default_factory=dict)
    roots: tuple[LibraryRoot, ...] = ()

    def get(self, clause_id: str) -> Clause | None:
        return self.clauses.get(clause_id)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(sorted(self.clauses.values(), key=lambda c: c.id))

    def __len__(self) -> int:
        return len(self.clauses)

    def require(self, clause_id: str, location: Location | None = None) -> Clause:
        """The clause with this id, or an error with a suggestion."""
        clause = self.clauses.get(clause_id)
        if clause is None:
            raise UserError(
                _("unknown clause '{clause}'", clause=clause_id),
                location,
                did_you_mean(clause_id, self.clauses) or _("see `hyoka clauses list`"),
            )
        return clause

    def resolve(self, pin: Pin, location: Location | None = None) -> tuple[Clause, ClauseVersion]:
        """The clause and version a pin names, or a located error listing what exists."""
        clause = self.require(pin.clause, location)
        version = clause.version(pin.version)
        if version is None:
            have = [str(v.number) for v in clause.versions]
            raise UserError(
                _("clause {clause} has no version {version} (have: {have})", clause=pin.clause, version=pin.version, have=have),
                location,
                _(
                    "pin one of them (`hyoka clauses show {clause}` shows each); a shared library's newer versions "
                    "come with `hyoka libraries review` and `take`",
                    clause=pin.clause,
                ),
            )
        return clause, version


def check_clause_id(text: str) -> Message | None:
    """None if ``text`` is a valid clause id, else a message saying why not."""
    if not CLAUSE_ID.match(text):
        return _(
            "'{text}' is not a clause id: ids are names such as 'gov-cloud/storage' "
            "(lower-case letters, digits and '-', groups separated by '/'), never paths",
            text=text,
        )
    return None


def parse_pin(text: str, location: Location) -> Pin:
    """Parse ``gov-cloud/storage@1``."""
    m = PIN.match(text.strip())
    if not m:
        hint = _("write the clause id and version as 'gov-cloud/storage@1'")
        problem = check_clause_id(text.split("@", 1)[0].strip())
        if problem:
            raise UserError(problem, location, hint)
        raise UserError(_("'{text}' does not name a clause version", text=text), location, hint)
    problem = check_clause_id(m.group("id"))
    if problem:
        raise UserError(problem, location)
    return Pin(m.group("id"), int(m.group("version")))


def load_clause(path: Path, clause_id: str, library: str, diag: Diagnostics, start: int | None = 1) -> Clause | None:
    """Load one clause file; errors go to ``diag``; returns None if unusable.

    Versions are numbered ``start``, ``start + 1`` …; ``start=None`` accepts any first
    number (a later library's file that adds versions to a clause an earlier one defines).
    """
    try:
        data = load_mapping(path, _("a clause definition"))
    except UserError as exc:
        diag.add(exc)
        return None
    f = Fields(data, path, diag, _("clause"), CLAUSE_KEYS)
    declared = f.str("id", required=True)
    if declared and declared != clause_id:
        diag.error(
            _("clause id '{declared}' does not match its file name (expected '{expected}')", declared=declared, expected=clause_id),
            f.loc("id"),
            _("rename the file or set id: {expected}", expected=clause_id),
        )
    kind = f.str("kind", required=True)
    if kind and kind not in CLAUSE_KINDS:
        diag.error(_("kind must be verbatim or adaptable, not '{kind}'", kind=kind), f.loc("kind"))
        kind = "adaptable"
    params: list[Parameter] = []
    pmap = f.map("parameters")
    for name, spec in pmap.items():
        ploc = Location.of(path, pmap.line_of(name), f"parameters.{name}")
        if not is_identifier(str(name)):
            diag.error(_("parameter name '{name}' is not a valid name", name=name), ploc, _("use letters, digits and _"))
            continue
        pf = Fields(spec if spec is not None else YMap(), path, diag, _("parameter '{name}'", name=name), PARAM_KEYS)
        default = pf.data.get("default")
        params.append(Parameter(str(name), pf.str("description"), None if default is None else str(default)))
    versions: list[ClauseVersion] = []
    vlist = f.list("versions")
    if f.ok and not vlist:
        diag.error(
            _("a clause needs at least one version"), f.loc("versions" if f.has("versions") else None), _("add versions:")
        )
    for i, vdata in enumerate(vlist):
        v = _load_version(vdata, path, vlist.line_of(i), diag)
        if v is None:
            continue
        first = start if start is not None else (versions[0].number if versions else v.number)
        expected = first + len(versions)
        if v.number != expected:
            diag.error(
                _("version {number} out of sequence (expected {expected})", number=v.number, expected=expected),
                v.location,
                _("number versions 1, 2, 3 … in order"),
            )
        versions.append(v)
    if not versions:
        return None
    return Clause(
        id=clause_id,
        title=f.str("title", required=True),
        heading=f.str("heading"),
        kind=kind or "adaptable",  # type: ignore[arg-type]
        homes=f.str_list("homes"),
        parameters=tuple(params),
        versions=tuple(versions),
        library=library,
        location=Location.of(path, 1),
    )


def _load_version(data: object, path: Path, line: int, diag: Diagnostics) -> ClauseVersion | None:
    f = Fields(data, path, diag, _("clause version"), VERSION_KEYS)
    if not f.ok:
        return None
    number = f.int("version", required=True)
    loc = Location.of(path, line, f"version {number}" if number else None)
    src = Fields(f.map("source"), path, diag, "source", SOURCE_KEYS)
    if not f.has("source"):
        diag.error(
            _("missing required key '{key}' in {what}", key="source", what=_("clause version")),
            loc,
            _("say who published this wording (issuer, document, edition)"),
        )
    source = Source(src.str("issuer", required=f.has("source")), src.str("document", required=f.has("source")), src.str("edition"), src.str("url"))
    nf = Fields(f.map("notes"), path, diag, "notes", NOTES_KEYS)
    risk = nf.choice("risk_change", RISK_CHANGES)
    notes = Notes(nf.str("reason"), risk, nf.str("risk_situation"), nf.str("countermeasure"))  # type: ignore[arg-type]
    text = f.str("text", required=True)
    if number is None:
        return None
    date = scalar_text(f.data.get("date"))
    if not date:
        diag.error(_("missing required key '{key}' in {what}", key="date", what=_("clause version")), loc, _("add date: YYYY-MM-DD"))
    heading = f.data.get("heading")
    return ClauseVersion(
        number=number,
        date=date,
        source=source,
        text=text,
        notes=notes,
        heading=None if heading is None else str(heading),
        location=loc,
    )


def clause_files(root: Path) -> Iterable[tuple[str, Path]]:
    """(id, path) of every clause file below ``root``, sorted by id."""
    if not root.is_dir():
        return []
    out = []
    for path in root.rglob("*"):
        if path.is_dir() or path.name in (LOCK_NAME, MANIFEST_NAME) or path.name.startswith("."):
            continue
        rel = path.relative_to(root).as_posix()
        if path.suffix not in (".yaml", ".yml"):
            continue
        out.append((rel.rsplit(".", 1)[0], path))
    return sorted(out)


def confined_file(path: Path, root: LibraryRoot, diag: Diagnostics) -> bool:
    """False (and an error) when a clause file of a confined library links outside it."""
    if root.confine is None or confined(path, root.confine):
        return True
    diag.error(
        _("clause file links outside the workspace (to {target})", target=str(path.resolve())),  # the link's target, absolute
        Location.of(path),
        _("copy the clause into the workspace's clauses/ (a link could change published wording unseen)"),
    )
    return False


# --------------------------------------------------------------------------- lock
#
# ``clauses.lock`` is a YAML mapping: ``lock_format: 2`` and one ``id@N: sha256:…`` line per
# published version. A version is published once its line is there. Versions are published
# in order, so the lock of a clause always holds versions 1..M: a missing line for a version
# older than the newest locked one (M) means the line was deleted, and is an error. The hash
# (:func:`version_hash`) covers everything a version renders or promises: its own text,
# notes, heading, date and source, and the clause-level title, heading, kind and parameters
# (names and defaults). Format 1 locks (no ``lock_format``) hashed only the version's own
# fields; they are still verified that way, and `hyoka clauses lock` rewrites them in format 2.

LOCK_FORMAT = 2
LOCK_FORMAT_KEY = "lock_format"


def version_hash(clause: Clause, version: ClauseVersion) -> str:
    """Content hash of everything a published clause version renders (the lock's and snapshots' seal)."""
    payload = {
        "id": clause.id,
        "title": clause.title,
        "kind": clause.kind,
        "heading": clause.heading,
        "parameters": [[p.name, p.default] for p in clause.parameters],
        "version": version.number,
        "date": version.date,
        "source": [version.source.issuer, version.source.document, version.source.edition, version.source.url],
        "version_heading": version.heading,
        "text": version.text,
        "notes": [version.notes.reason, version.notes.risk_change, version.notes.risk_situation, version.notes.countermeasure],
    }
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return "sha256:" + hashlib.sha256(blob).hexdigest()


@dataclass(frozen=True)
class Lock:
    format: int
    entries: dict[str, str]
    lines: dict[str, int]


def read_lock(root: Path) -> dict[str, str]:
    """The ``id@N: hash`` entries of ``root``'s lock (empty when there is none)."""
    return load_lock(root).entries


def load_lock(root: Path) -> Lock:
    path = root / LOCK_NAME
    if not path.exists():
        return Lock(LOCK_FORMAT, {}, {})
    data = load_mapping(path, _("a clause lock file"))
    fmt = data.get(LOCK_FORMAT_KEY, 1)
    if fmt not in (1, LOCK_FORMAT) or isinstance(fmt, bool):
        raise UserError(
            _("unknown lock_format {value}", value=repr(fmt)),
            Location.of(path, data.line_of(LOCK_FORMAT_KEY), LOCK_FORMAT_KEY),
            _("this hyoka reads formats 1 and {format}", format=LOCK_FORMAT),
        )
    entries: dict[str, str] = {}
    lines: dict[str, int] = {}
    for k, v in data.items():
        if k == LOCK_FORMAT_KEY:
            continue
        key = str(k)
        loc = Location.of(path, data.line_of(k), key)
        m = PIN.match(key)
        if not m or not isinstance(v, str) or not re.fullmatch(r"sha256:[0-9a-f]{64}", v):
            raise UserError(
                _("not a lock entry (lines are 'clause-id@N: sha256:…')"),
                loc,
                _("restore {lock} from version control; it is written by `hyoka clauses lock`", lock=LOCK_NAME),
            )
        entries[key] = v
        lines[key] = data.line_of(k)
    return Lock(int(fmt), entries, lines)


def _sealed(lock: Lock, clause: Clause, v: ClauseVersion) -> str:
    return v.content_hash() if lock.format == 1 else version_hash(clause, v)


def verify_lock(root: LibraryRoot, clauses: list[Clause], diag: Diagnostics, present: set[str]) -> None:
    """Compare loaded versions with the lock. ``present``: ids whose files exist (loaded or not)."""
    try:
        lock = load_lock(root.path)
    except UserError as exc:
        diag.add(exc)
        return
    lock_path = root.path / LOCK_NAME
    if lock.entries and lock.format == 1:
        diag.warning(
            _("{lock} is in format 1, which does not seal clause-level headings, kinds and parameter defaults", lock=LOCK_NAME),
            Location.of(lock_path),
            _("run `hyoka clauses lock` to rewrite it in format 2"),
            code="lock-format",
        )
    newest: dict[str, int] = {}
    for key in lock.entries:
        cid, n = key.rsplit("@", 1)
        newest[cid] = max(newest.get(cid, 0), int(n))
    seen = set()
    for clause in clauses:
        for v in clause.versions:
            key = f"{clause.id}@{v.number}"
            seen.add(key)
            recorded = lock.entries.get(key)
            if recorded is None and v.number < newest.get(clause.id, 0):
                diag.error(
                    _(
                        "published clause {clause} has no line in {lock} (version {newest} is locked, "
                        "so every earlier version was published)",
                        clause=key,
                        lock=LOCK_NAME,
                        newest=newest[clause.id],
                    ),
                    v.location,
                    _("restore the deleted lock line from version control; published versions never change"),
                    code="lock",
                )
            elif recorded is None:
                diag.warning(
                    _("clause {clause} is not published yet (not in {lock})", clause=key, lock=LOCK_NAME),
                    v.location,
                    _("run `hyoka clauses lock` once its wording is final"),
                    code="unpublished",
                )
            elif recorded != _sealed(lock, clause, v):
                diag.error(
                    _(
                        "published clause {clause} was changed (its text, notes, heading, kind, parameters or source "
                        "differ from the hash in {lock})",
                        clause=key,
                        lock=LOCK_NAME,
                    ),
                    v.location,
                    _("published versions never change: restore its wording and add a new version instead"),
                    code="lock",
                )
    loaded = {c.id for c in clauses}
    for key in lock.entries:
        cid = key.rsplit("@", 1)[0]
        if cid in present and cid not in loaded:
            continue  # the file is there but did not load: its own error says why
        if key not in seen:
            diag.error(
                _("published clause {clause} was removed", clause=key),
                Location.of(lock_path, lock.lines.get(key)),
                _("published versions are kept forever: restore it (mark it superseded by adding a new version)"),
                code="lock",
            )


def write_lock(root: Path, clauses: Iterable[Clause], workspace: Path | None = None) -> list[str]:
    """Record hashes of versions not yet in the lock; refuse changed ones. Returns added keys.

    A format 1 lock is rewritten in format 2 (each entry verified with the old hash first).
    The lock file is written as a transaction of ``workspace`` (default: the one above ``root``).
    """
    lock = load_lock(root)
    entries: dict[str, str] = {}
    added = []
    for clause in clauses:
        for v in clause.versions:
            key = f"{clause.id}@{v.number}"
            if key in lock.entries:
                if lock.entries[key] != _sealed(lock, clause, v):
                    raise UserError(
                        _("published clause {clause} was changed", clause=key),
                        v.location,
                        _("restore its wording and add a new version instead"),
                    )
            else:
                added.append(key)
            entries[key] = version_hash(clause, v)
    for key, h in lock.entries.items():  # entries of clauses that did not load stay as they were
        if key not in entries:
            if lock.format == 1:
                raise UserError(
                    _("cannot rewrite {lock} in format {format}: clause {clause} did not load", lock=LOCK_NAME, format=LOCK_FORMAT, clause=key),
                    Location.of(root / LOCK_NAME, lock.lines.get(key)),
                    _("fix that clause first"),
                )
            entries[key] = h
    lines = [
        "# Content hashes of published clause versions, written by `hyoka clauses lock`.",
        "# A published version never changes: new wording is a new version.",
        "# Each hash covers the version's text, notes, heading, date and source and the clause's",
        "# title, heading, kind and parameters; versions 1..N of a clause are all listed.",
        f"{LOCK_FORMAT_KEY}: {LOCK_FORMAT}",
    ]
    lines += [f"{k}: {entries[k]}" for k in sorted(entries)]
    with Transaction(workspace or find_workspace_root(root)) as txn:
        txn.write(root / LOCK_NAME, "\n".join(lines) + "\n")
    return added
