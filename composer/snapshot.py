"""Stage 6: publish — freeze a composed assessment into an immutable snapshot.

A snapshot (``snapshots/<assessment>/<date>.json``) holds the rendered text of every
item, the clause pins and notes as rendered then, the metadata, and the change
annotations of that publication, sealed with a content hash. History therefore stays
exactly as published even when clauses or the assessment file change later; a
snapshot whose content no longer matches its hash is refused.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .errors import Location, UserError
from .model import (
    Annotation,
    ComposedAssessment,
    ComposedBlock,
    ComposedFile,
    ComposedItem,
    Meta,
    RenderedNotes,
    Term,
)
from .transaction import Transaction, find_workspace_root
from .validate import did_you_mean

FORMAT = 1
DRAFT = "draft"


@dataclass(frozen=True)
class Snapshot:
    id: str  # file stem, e.g. "2024-04-01"
    date: str
    path: Path
    composed: ComposedAssessment
    content_hash: str


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


def encode(c: ComposedAssessment, date: str) -> dict[str, Any]:
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
    }
    body["content_hash"] = content_hash(body)
    return body


def content_hash(body: dict[str, Any]) -> str:
    payload = {k: v for k, v in body.items() if k != "content_hash"}
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return "sha256:" + hashlib.sha256(blob).hexdigest()


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


SNAPSHOT_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}(\.\d+)?\.json$")


def list_snapshots(snapshots_root: Path, name: str) -> list[Path]:
    """Snapshot files of an assessment, oldest first (by date, then publication order).

    A file there that is not named like a snapshot is refused: history must not be guessed.
    """
    d = snapshot_dir(snapshots_root, name)
    if not d.is_dir():
        return []
    paths = sorted(d.glob("*.json"))
    for p in paths:
        if not SNAPSHOT_NAME.match(p.name) or not p.is_file():
            raise UserError(
                "not a snapshot (snapshots are files named YYYY-MM-DD.json, written by `hyoka publish`)",
                Location.of(p),
                "move it out of the snapshots directory",
            )
    return sorted(paths, key=lambda p: (p.stem.split(".")[0], _seq(p.stem)))


def _seq(stem: str) -> int:
    parts = stem.split(".")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 1


def read_snapshot(path: Path) -> Snapshot:
    """Read and verify a snapshot file."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError("snapshot not found", Location.of(path)) from None
    except OSError as exc:
        raise UserError(f"cannot read snapshot: {exc.strerror or exc}", Location.of(path)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"snapshot is not valid JSON: {exc}", Location.of(path), "restore it from version control") from None
    if not isinstance(body, dict) or body.get("hyoka_snapshot") != FORMAT:
        raise UserError("not a hyoka snapshot", Location.of(path), "snapshots are written by `hyoka publish`")
    recorded = body.get("content_hash")
    if recorded != content_hash(body):
        raise UserError(
            "snapshot content does not match its hash: it was changed after publication",
            Location.of(path),
            "published snapshots are immutable; restore the file from version control",
            code="tampered",
        )
    try:
        composed = decode(body, path)
        date = str(body["date"])
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise UserError(f"snapshot is incomplete ({exc})", Location.of(path), "restore it from version control") from None
    return Snapshot(id=path.stem, date=date, path=path, composed=composed, content_hash=recorded)


def find_snapshot(snapshots_root: Path, name: str, ref: str | None) -> Snapshot:
    """A snapshot by id (``2024-04-01``), by date, or the latest when ``ref`` is None."""
    paths = list_snapshots(snapshots_root, name)
    if not paths:
        raise UserError(
            f"assessment '{name}' has never been published",
            Location.of(snapshot_dir(snapshots_root, name)),
            f"run `hyoka publish {name}` first",
            code="unpublished",
        )
    if ref is None:
        return read_snapshot(paths[-1])
    matches = [p for p in paths if p.stem == ref] or [p for p in paths if p.stem.split(".")[0] == ref]
    if not matches:
        have = "have: " + ", ".join(p.stem for p in paths)
        hint = did_you_mean(ref, [p.stem for p in paths])
        raise UserError(
            f"assessment '{name}' has no snapshot '{ref}'",
            Location.of(snapshot_dir(snapshots_root, name)),
            f"{hint} {have}" if hint else have,
        )
    return read_snapshot(matches[-1])


def publish(composed: ComposedAssessment, snapshots_root: Path, date: str | None = None, root: Path | None = None) -> Snapshot:
    """Write a new snapshot of ``composed``; refuse when nothing changed since the last one.

    The snapshot is written as a transaction of the workspace at ``root`` (default: the one
    above ``snapshots_root``) and never over an existing file.
    """
    from .dates import parse_date

    date = parse_date(date, None, "--date").isoformat() if date else _dt.date.today().isoformat()
    existing = list_snapshots(snapshots_root, composed.name)
    body = encode(composed, date)
    if existing:
        last = read_snapshot(existing[-1])
        if last.date > date:
            raise UserError(
                f"the last publication of '{composed.name}' is dated {last.date}, after {date}",
                Location.of(last.path),
                "publish with a later --date",
            )
        if _same_content(last.composed, composed):
            raise UserError(
                f"nothing changed in '{composed.name}' since its publication of {last.date}",
                Location.of(last.path),
                "edit the assessment before publishing again",
            )
    stem = date
    n = 1
    target = snapshot_dir(snapshots_root, composed.name) / f"{stem}.json"
    while target.exists():
        n += 1
        target = target.with_name(f"{date}.{n}.json")
    with Transaction(root or find_workspace_root(snapshots_root)) as txn:
        txn.write(target, json.dumps(body, ensure_ascii=False, indent=1) + "\n", create=True)
    return Snapshot(id=target.stem, date=date, path=target, composed=composed, content_hash=body["content_hash"])


def _same_content(a: ComposedAssessment, b: ComposedAssessment) -> bool:
    strip = lambda c: [_item_to_json(it) for it in c.items] + [asdict(c.meta)]  # noqa: E731
    return strip(a) == strip(b)
