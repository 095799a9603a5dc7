"""Stage 6: publish — freeze a composed assessment into an immutable snapshot.

A snapshot (``snapshots/<assessment>/<date>.json``) holds the rendered text of every
item, the clause pins and notes as rendered then, the metadata, and the change
annotations of that publication, sealed with a content hash. History therefore stays
exactly as published even when clauses or the assessment file change later; a
snapshot whose content no longer matches its hash is refused.

A snapshot proves what it is: its ``assessment`` must be the directory it lies in and its
``date`` the date of its file name (``YYYY-MM-DD[.N].json``, ASCII digits, a real date),
and every value must have the type ``hyoka publish`` writes. Format 2 also records the
hash (:func:`composer.load.clauses.version_hash`) of every clause version the assessment used
(``clauses``): reading it with the library (``diff``, ``build``, ``report``) refuses a
published clause whose content has changed since, even when ``clauses.lock`` was
re-sealed too. Format 1 snapshots (no ``clauses``) are still read.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson

from composer.errors import Location, UserError
from composer.i18n import Message, _
from composer.load.clauses import Library, version_hash
from composer.load.validate import confined, did_you_mean
from composer.model import (
    Annotation,
    ComposedAssessment,
    ComposedBlock,
    ComposedFile,
    ComposedItem,
    Meta,
    RenderedNotes,
    Term,
)

FORMAT = 2
FORMATS = (1, 2)
MAX_DEPTH = 12  # a snapshot is at most 6 levels deep; anything deeper is not one
DRAFT = "draft"


@dataclass(frozen=True)
class Snapshot:
    id: str  # file stem, e.g. "2024-04-01"
    date: str
    path: Path
    composed: ComposedAssessment
    content_hash: str
    clauses: dict[str, str] = field(default_factory=dict)  # id@N -> version_hash when published


# --------------------------------------------------------------------------- encode / decode


def _block_to_json(b: ComposedBlock) -> dict[str, Any]:
    d: dict[str, Any] = {"id": b.id, "kind": b.kind, "heading": b.heading, "body": b.body}
    if b.clause:
        d.update(clause=b.clause, version=b.version, variant=b.variant)
    if b.notes is not None:
        d["notes"] = asdict(b.notes)
    return d


def _item_to_json(it: ComposedItem) -> dict[str, Any]:
    d: dict[str, Any] = {
        "key": it.key, "file": it.file, "label": it.label, "path": list(it.path), "depth": it.depth,
        "type": it.type, "important": it.important,
    }
    if it.choices:
        d["choices"] = list(it.choices)
    if it.choice is not None:
        d["choice"] = it.choice
    if it.blocks:
        d["blocks"] = [_block_to_json(b) for b in it.blocks]
    return d


def _annotation_to_json(a: Annotation) -> dict[str, Any]:
    d = asdict(a)
    d.pop("location", None)
    d["blocks"] = list(a.blocks)
    return {k: v for k, v in d.items() if v not in (None, [], ())}


def clause_seals(c: ComposedAssessment, library: Library) -> dict[str, str]:
    """``id@N`` → :func:`version_hash` of every clause version ``c`` uses."""
    out: dict[str, str] = {}
    for it in c.items:
        for b in it.blocks:
            if b.clause and b.version is not None:
                clause = library.get(b.clause)
                version = clause.version(b.version) if clause else None
                if clause is not None and version is not None:
                    out[f"{b.clause}@{b.version}"] = version_hash(clause, version)
    return dict(sorted(out.items()))


def encode(c: ComposedAssessment, date: str, clauses: dict[str, str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "hyoka_snapshot": FORMAT,
        "assessment": c.name,
        "date": date,
        "form": c.form,
        "form_title": c.form_title,
        "municipality": c.municipality,
        "meta": asdict(c.meta),
        "files": [asdict(f) for f in c.files],
        "items": [_item_to_json(it) for it in c.items],
        "changes": [_annotation_to_json(a) for a in c.changes],
        "terms": [asdict(t) for t in c.terms],
        "contents": list(c.contents),
        "clauses": dict(clauses or {}),
    }
    body["content_hash"] = content_hash(body)
    return body


def content_hash(body: dict[str, Any]) -> str:
    """The seal of a snapshot's ``body``: SHA-256 of its canonical JSON (sorted keys, no spaces, UTF-8)."""
    payload = {k: v for k, v in body.items() if k != "content_hash"}
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return "sha256:" + hashlib.sha256(blob).hexdigest()


def _matches_seal(body: dict[str, Any]) -> bool:
    """Whether ``body`` matches its ``content_hash``: :func:`content_hash`, first tried with orjson.

    orjson writes the same canonical text for what a snapshot holds, several times faster. What
    it writes parses back to the value written, so when its text hashes to the seal, it is the
    text sealed at publication and ``body`` is the sealed body. When it does not (a float it
    spells otherwise, a value it cannot write), :func:`content_hash` decides. (Files are read
    with the standard library: orjson's reader crashes on some hostile nesting.)
    """
    payload = {k: v for k, v in body.items() if k != "content_hash"}
    try:
        blob = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):  # nested past its limit, or not JSON's types
        pass
    else:
        if body.get("content_hash") == "sha256:" + hashlib.sha256(blob).hexdigest():
            return True
    return body.get("content_hash") == content_hash(body)


def decode(body: dict[str, Any], path: Path) -> ComposedAssessment:
    loc = Location.of(path)

    def block(d: dict[str, Any]) -> ComposedBlock:
        notes = d.get("notes")
        return ComposedBlock(
            id=d["id"], kind=d["kind"], heading=d.get("heading", ""), body=d.get("body", ""),
            clause=d.get("clause"), version=d.get("version"), variant=d.get("variant", False),
            notes=RenderedNotes(**notes) if notes else None, location=loc,
        )

    items = tuple(
        ComposedItem(
            key=d["key"], file=d.get("file"), label=d["label"], path=tuple(d["path"]), depth=d.get("depth", 0),
            type=d.get("type"), important=d.get("important", False), choices=tuple(d.get("choices", ())),
            choice=d.get("choice"), blocks=tuple(block(b) for b in d.get("blocks", ())),
        )
        for d in body["items"]
    )
    changes = tuple(
        Annotation(**{"file": None, **{k: v for k, v in a.items() if k != "blocks"}, "blocks": tuple(a.get("blocks", ())), "location": loc})
        for a in body.get("changes", ())
    )
    return ComposedAssessment(
        name=body["assessment"], form=body["form"], form_title=body.get("form_title", ""), meta=Meta(**body["meta"]),
        municipality=body.get("municipality", ""), files=tuple(ComposedFile(**f) for f in body["files"]),
        items=items, changes=changes, terms=tuple(Term(**{**t, "previous": tuple(t.get("previous", ()))}) for t in body.get("terms", ())),
        contents=tuple(body.get("contents", ())),
    )


# --------------------------------------------------------------------------- store


def snapshot_dir(snapshots_root: Path, name: str) -> Path:
    return snapshots_root / name


SNAPSHOT_NAME = re.compile(r"^(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})(\.(?P<seq>[1-9][0-9]*))?\.json$", re.ASCII)


def list_snapshots(snapshots_root: Path, name: str) -> list[Path]:
    """Snapshot files of an assessment, oldest first (by date, then publication order).

    A file there that is not named like a snapshot is refused: history must not be guessed.
    """
    d = snapshot_dir(snapshots_root, name)
    if not d.is_dir():
        return []
    paths = sorted(d.glob("*.json"))
    for p in paths:
        if not confined(p, d):
            raise UserError(
                _("snapshot file links outside the snapshots directory (to {target})", target=str(p.resolve())),
                Location.of(p),
                _("snapshots are files written by `hyoka publish`; copy the file in instead of linking it"),
            )
        m = SNAPSHOT_NAME.match(p.name)
        if not m or not p.is_file() or not _real_date(m.group("date")):
            raise UserError(
                _(
                    "not a snapshot (snapshots are files named YYYY-MM-DD.json with a real date in ASCII digits, "
                    "written by `hyoka publish`)"
                ),
                Location.of(p),
                _("move it out of the snapshots directory"),
            )
    return sorted(paths, key=lambda p: (p.stem.split(".")[0], _seq(p.stem)))


def _real_date(text: str) -> bool:
    try:
        _dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _seq(stem: str) -> int:
    parts = stem.split(".")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 1


def _sealed(path: Path, deep: bool) -> dict[str, Any]:
    """A snapshot file's body, once it is a hyoka snapshot whose content matches its hash.

    ``deep``: also refuse nesting deeper than :data:`MAX_DEPTH` (before hashing it).
    """
    loc = Location.of(path)
    restore = _("restore it from version control")
    try:
        body = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise UserError(_("snapshot not found"), loc) from None
    except OSError as exc:
        raise UserError(_("cannot read snapshot: {reason}", reason=exc.strerror or exc), loc) from None
    except RecursionError:
        raise UserError(_("not a hyoka snapshot: nested too deeply"), loc, restore) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(_("snapshot is not valid JSON: {error}", error=str(exc)), loc, restore) from None
    if not isinstance(body, dict) or body.get("hyoka_snapshot") not in FORMATS or isinstance(body.get("hyoka_snapshot"), bool):
        raise UserError(_("not a hyoka snapshot"), loc, _("snapshots are written by `hyoka publish`"))
    if deep and _depth(body) > MAX_DEPTH:
        raise UserError(_("not a hyoka snapshot: nested more than {depth} levels deep", depth=MAX_DEPTH), loc, restore)
    try:
        matches = _matches_seal(body)
    except RecursionError:
        raise UserError(_("not a hyoka snapshot: nested too deeply"), loc, restore) from None
    if not matches:
        raise UserError(
            _("snapshot content does not match its hash: it was changed after publication"),
            loc,
            _("published snapshots are immutable; restore the file from version control"),
            code="tampered",
        )
    return body  # type: ignore[no-any-return]


def read_snapshot(path: Path, library: Library | None = None) -> Snapshot:
    """Read and verify a snapshot file (and, given the ``library``, the clause versions it used)."""
    loc = Location.of(path)
    restore = _("restore it from version control")
    body = _sealed(path, deep=True)
    recorded = body["content_hash"]
    problem = _check_shape(body)
    if problem:
        raise UserError(_("snapshot is malformed: {problem}", problem=problem), loc, restore)
    m = SNAPSHOT_NAME.match(path.name)
    name = path.parent.name
    if body["assessment"] != name:
        raise UserError(
            _("snapshot of assessment '{assessment}' in the history of '{name}'", assessment=body["assessment"], name=name),
            Location.of(path, None, "assessment"),
            _(
                "a snapshot belongs in snapshots/{assessment}/; move it there or out of snapshots/{name}/",
                assessment=body["assessment"],
                name=name,
            ),
            code="tampered",
        )
    if m is None or body["date"] != m.group("date"):
        raise UserError(
            _("snapshot dated {date} is named {file}", date=body["date"], file=path.name),
            Location.of(path, None, "date"),
            _("a snapshot's file name is its publication date ({date}.json); {restore}", date=body["date"], restore=restore),
            code="tampered",
        )
    try:
        composed = decode(body, path)
        date = str(body["date"])
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise UserError(_("snapshot is incomplete ({error})", error=str(exc)), loc, restore) from None
    snap = Snapshot(id=path.stem, date=date, path=path, composed=composed, content_hash=recorded, clauses=dict(body.get("clauses", {})))
    if library is not None:
        verify_clauses(snap.clauses, path, snap.composed.name, library)
    return snap


def verify_clauses(clauses: dict[str, str], path: Path, assessment: str, library: Library) -> None:
    """Refuse when a clause version the snapshot at ``path`` used no longer has the content it had then."""
    for key, sealed in clauses.items():
        cid, _sep, number = key.rpartition("@")
        clause = library.get(cid)
        version = clause.version(int(number)) if clause is not None and number.isdigit() else None
        if clause is None or version is None:
            continue  # a removed published version is the lock's error
        if version_hash(clause, version) != sealed:
            raise UserError(
                _(
                    "published clause {clause} is not what snapshot {snapshot} of '{assessment}' published "
                    "({file} records another content hash)",
                    clause=key,
                    snapshot=Path(path).stem,
                    assessment=assessment,
                    file=Path(path),
                ),
                version.location,
                _("published versions never change: restore its wording from version control and add a new version instead"),
                code="lock",
            )


def check_published_clauses(snapshots_root: Path, name: str, library: Library) -> None:
    """Verify the clause versions the latest snapshot of ``name`` (if any) used against ``library``.

    What a build checks before writing ``name``: that the snapshot is sealed (its content
    matches its hash) and that no clause version it published has changed since. The rest of
    the snapshot (its shape, its items) is read by what uses it (diff, report, check).
    """
    paths = list_snapshots(snapshots_root, name)
    if not paths:
        return
    body = _sealed(paths[-1], deep=False)
    clauses = body.get("clauses", {})
    if not isinstance(clauses, dict) or not all(isinstance(v, str) for v in clauses.values()):
        read_snapshot(paths[-1], library)  # malformed: the whole reading names what is wrong
        return
    verify_clauses(clauses, paths[-1], str(body.get("assessment", name)), library)


def _depth(value: object) -> int:
    """Nesting depth of a JSON value, without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict):
            deepest = max(deepest, d)
            stack.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            deepest = max(deepest, d)
            stack.extend((x, d + 1) for x in v)
        if deepest > MAX_DEPTH:
            return deepest
    return deepest


_S, _N, _I, _B = "str", "str|null", "int|null", "bool"
_META = {k: _S for k in ("number", "title", "jimu", "office", "declaration", "remarks", "published", "reassessed")}
_NOTES = {"reason": _S, "risk_change": _N, "risk_situation": _S, "countermeasure": _S}
_BLOCK = {"id": _S, "kind": _S, "heading": _S, "body": _S, "clause": _N, "version": _I, "variant": _B, "notes": _NOTES}
_ITEM = {
    "key": _S, "file": _N, "label": _S, "path": [_S], "depth": "int", "type": _N, "important": _B,
    "choices": [_S], "choice": _N, "blocks": [_BLOCK],
}
_ANNOTATION = {
    "item": _S, "file": _N, "blocks": [_S], "reason": _N, "risk_change": _N, "risk_situation": _N,
    "countermeasure": _N, "before": _N, "after": _N, "submission": _N, "submission_note": _N,
}
_TERM = {"key": _S, "wording": _S, "reason": _S, "risk_change": _N, "risk_situation": _S, "countermeasure": _S, "previous": [_S]}
_BODY = {
    "hyoka_snapshot": "int", "assessment": _S, "date": _S, "form": _S, "form_title": _S, "municipality": _S,
    "meta": _META, "files": [{"id": _S, "name": _S, "label": _S}], "items": [_ITEM], "changes": [_ANNOTATION],
    "terms": [_TERM], "contents": [_S], "clauses": {"*": _S}, "content_hash": _S,
}
_REQUIRED = ("assessment", "date", "form", "meta", "files", "items")
_SCALARS = {
    _S: lambda v: isinstance(v, str),
    _N: lambda v: v is None or isinstance(v, str),
    _I: lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool)),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    _B: lambda v: isinstance(v, bool),
}


def _check_shape(body: dict[str, Any]) -> Message | None:
    """None when ``body`` has the shape ``encode`` writes, else where it does not."""
    for key in _REQUIRED:
        if key not in body:
            return _("missing '{key}'", key=key)
    return _shape(body, _BODY, "")


def _shape(value: object, spec: object, where: str) -> Message | None:
    kind = type(value).__name__
    if isinstance(spec, str):
        if _SCALARS[spec](value):
            return None
        if not where:
            return _("value must be {type}, not {kind}", type=spec, kind=kind)
        return _("{where} must be {type}, not {kind}", where=where, type=spec, kind=kind)
    if isinstance(spec, list):
        if not isinstance(value, list):
            return _("{where} must be a list, not {kind}", where=where, kind=kind)
        for i, v in enumerate(value):
            problem = _shape(v, spec[0], f"{where}[{i}]")
            if problem:
                return problem
        return None
    assert isinstance(spec, dict)
    if not isinstance(value, dict):
        return _("{where} must be a mapping, not {kind}", where=where, kind=kind)
    for k, v in value.items():
        sub = spec.get("*", spec.get(k))
        if sub is None:
            return _("unknown key '{key}' in {where}", key=k, where=where) if where else _("unknown key '{key}'", key=k)
        problem = _shape(v, sub, f"{where}.{k}" if where else k)
        if problem:
            return problem
    return None


def find_snapshot(snapshots_root: Path, name: str, ref: str | None, library: Library | None = None) -> Snapshot:
    """A snapshot by id (``2024-04-01``), by date, or the latest when ``ref`` is None."""
    paths = list_snapshots(snapshots_root, name)
    if not paths:
        raise UserError(
            _("assessment '{name}' has never been published", name=name),
            Location.of(snapshot_dir(snapshots_root, name)),
            _("run `hyoka publish {name}` first", name=name),
            code="unpublished",
        )
    if ref is None:
        return read_snapshot(paths[-1], library)
    matches = [p for p in paths if p.stem == ref] or [p for p in paths if p.stem.split(".")[0] == ref]
    if not matches:
        have = _("have: {snapshots}", snapshots=[p.stem for p in paths])
        hint = did_you_mean(ref, [p.stem for p in paths])
        raise UserError(
            _("assessment '{name}' has no snapshot '{ref}'", name=name, ref=ref),
            Location.of(snapshot_dir(snapshots_root, name)),
            _("{suggestion} {have}", suggestion=hint, have=have) if hint else have,
        )
    return read_snapshot(matches[-1], library)


def publication(
    composed: ComposedAssessment, snapshots_root: Path, date: str | None = None, library: Library | None = None
) -> tuple[Snapshot, str]:
    """The new snapshot of ``composed`` and the text of its file, to be written where it says.

    Refused when nothing changed since the last snapshot, or when that one is dated later.
    Given the ``library``, the snapshot records the hash of every clause version it uses.
    """
    from composer.dates import parse_date

    date = parse_date(date, None, "--date").isoformat() if date else _dt.date.today().isoformat()
    existing = list_snapshots(snapshots_root, composed.name)
    seals = clause_seals(composed, library) if library is not None else {}
    body = encode(composed, date, seals)
    if existing:
        last = read_snapshot(existing[-1], library)
        if last.date > date:
            raise UserError(
                _("the last publication of '{name}' is dated {last}, after {date}", name=composed.name, last=last.date, date=date),
                Location.of(last.path),
                _("publish with a later --date"),
            )
        if _same_content(last.composed, composed):
            raise UserError(
                _("nothing changed in '{name}' since its publication of {last}", name=composed.name, last=last.date),
                Location.of(last.path),
                _("edit the assessment before publishing again"),
            )
    stem = date
    n = 1
    target = snapshot_dir(snapshots_root, composed.name) / f"{stem}.json"
    while target.exists():
        n += 1
        target = target.with_name(f"{date}.{n}.json")
    snap = Snapshot(id=target.stem, date=date, path=target, composed=composed, content_hash=body["content_hash"], clauses=seals)
    return snap, json.dumps(body, ensure_ascii=False, indent=1) + "\n"


def _same_content(a: ComposedAssessment, b: ComposedAssessment) -> bool:
    strip = lambda c: [_item_to_json(it) for it in c.items] + [asdict(c.meta)]  # noqa: E731
    return strip(a) == strip(b)
