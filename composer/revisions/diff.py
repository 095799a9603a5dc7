"""Stage 7: diff two revisions of an assessment into change-table rows.

One row per changed block within an item: a clause added, removed or moved to a new
version, local text added, edited or removed, a choice changed. Reasons and risk
notes come from the clause version's notes (rendered with the assessment's
parameters) or from the drafter's annotations, which can also merge blocks into one
row. A row without a reason is never blank: it reads 「（変更理由未記入）」.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from composer.errors import Location, UserError
from composer.i18n import _
from composer.model import (
    NO_REASON,
    Annotation,
    ChangeRow,
    ChangeTable,
    ComposedAssessment,
    ComposedBlock,
    ComposedItem,
    RenderedNotes,
)

REMOVED_TEXT = "削除"
SUBMISSION_NOTES = {
    "事前": "重要な変更（※の項目の変更）に当たるため、変更前に提出する。",
    "事後": "重要な変更に当たらないため、変更後速やかに提出する。",
}


@dataclass(frozen=True)
class DiffOptions:
    start: int = 1
    same_as: bool = False
    strict: bool = False
    date: str = ""


@dataclass(frozen=True)
class _Raw:
    """A row before numbering: which item, which blocks, texts and notes."""

    item: ComposedItem
    blocks: tuple[str, ...]
    kind: str
    before: str
    after: str
    notes: RenderedNotes | None
    location: Location | None = None  # where the newer text was written


def short_jimu(c: ComposedAssessment) -> str:
    """「住民基本台帳」 from 「住民基本台帳に関する事務」, for table titles."""
    name = c.meta.jimu or c.meta.title or c.name
    return re.sub(r"(に関する事務|の事務|事務)$", "", name) or name


def table_title(c: ComposedAssessment, official: bool = False) -> str:
    return "（別添３）変更箇所" if official else f"変更点リスク評価表({short_jimu(c)})"


# --------------------------------------------------------------------------- alignment


def _align_items(old: ComposedAssessment, new: ComposedAssessment) -> list[tuple[ComposedItem | None, ComposedItem | None]]:
    old_by = {it.ref: it for it in old.items}
    new_by = {it.ref: it for it in new.items}
    order = [it.ref for it in new.items]
    placed = set(order)
    previous: str | None = None
    for it in old.items:
        if it.ref not in placed:
            pos = order.index(previous) + 1 if previous in placed else 0
            order.insert(pos, it.ref)
            placed.add(it.ref)
        previous = it.ref
    return [(old_by.get(r), new_by.get(r)) for r in order]


def _block_events(old: tuple[ComposedBlock, ...], new: tuple[ComposedBlock, ...]):  # type: ignore[no-untyped-def]
    """(old_block | None, new_block | None) in document order; removals before additions."""
    old_ids = [b.id for b in old]
    new_ids = [b.id for b in new]
    old_by = {b.id: b for b in old}
    new_by = {b.id: b for b in new}
    events: list[tuple[ComposedBlock | None, ComposedBlock | None]] = []
    matcher = difflib.SequenceMatcher(a=old_ids, b=new_ids, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            events += [(old_by[i], new_by[i]) for i in old_ids[i1:i2]]
            continue
        events += [(old_by[i], None) for i in old_ids[i1:i2] if i not in new_by]
        events += [(old_by.get(i), new_by[i]) for i in new_ids[j1:j2]]
    return events


def renamed_terms(old: ComposedAssessment, new: ComposedAssessment) -> list[tuple[str, str, RenderedNotes]]:
    """Glossary terms whose wording changed: (old wording, new wording, the change's notes)."""
    before = {t.key: t.wording for t in old.terms}
    out = []
    for t in new.terms:
        notes = RenderedNotes(t.reason, t.risk_change, t.risk_situation, t.countermeasure)
        olds = [before[t.key]] if t.key in before and before[t.key] != t.wording else []
        olds += [p for p in t.previous if p not in olds and p != t.wording]
        out += [(o, t.wording, notes) for o in olds]
    return out


def _explained_by_terms(before: str, after: str, renames: list[tuple[str, str, RenderedNotes]]) -> RenderedNotes | None:
    """The notes of the term renames that turn ``before`` into ``after``, if they do."""
    used = []
    text = before
    for old, new, notes in renames:
        if old and old in text and old not in new:
            text = text.replace(old, new)
            used.append(notes)
    return used[0] if used and text == after else None


def _raw_rows(o: ComposedItem | None, n: ComposedItem | None, renames: list[tuple[str, str, RenderedNotes]] = []) -> list[_Raw]:  # noqa: B006
    item = n or o
    assert item is not None
    rows: list[_Raw] = []
    old_choice = o.choice if o else None
    new_choice = n.choice if n else None
    if old_choice != new_choice:
        rows.append(_Raw(item, ("choice",), "choice", old_choice or "", new_choice or REMOVED_TEXT, None))
    for ob, nb in _block_events(o.blocks if o else (), n.blocks if n else ()):
        if ob is None:
            rows.append(_Raw(item, (nb.id,), "added", "", nb.text, nb.notes, nb.location))
        elif nb is None:
            rows.append(_Raw(item, (ob.id,), "removed", ob.text, REMOVED_TEXT, None, ob.location))
        elif nb.clause and (ob.clause, ob.version) != (nb.clause, nb.version):
            rows.append(_Raw(item, (nb.id,), "version", ob.text, nb.text, nb.notes, nb.location))
        elif ob.text != nb.text:
            notes = _explained_by_terms(ob.text, nb.text, renames) if renames else None
            rows.append(_Raw(item, (nb.id,), "edited", ob.text, nb.text, notes, nb.location))
    return rows


# --------------------------------------------------------------------------- annotations


def _annotation_key(a: Annotation) -> str:
    return repr(replace(a, location=Location("")))


def _apply(
    raws: list[_Raw],
    annotations: Iterable[Annotation],
    pairs: dict[str, tuple[ComposedItem | None, ComposedItem | None]],
    warnings: list[UserError],
) -> list[tuple[_Raw, Annotation | None]]:
    """Attach annotations to rows; an annotation naming several blocks makes one row of them."""
    out: list[tuple[_Raw, Annotation | None]] = [(r, None) for r in raws]
    for ann in annotations:
        idx = [i for i, (r, _) in enumerate(out) if r.item.ref == ann.ref and (not ann.blocks or set(r.blocks) <= set(ann.blocks))]
        if not idx:
            warnings.append(
                UserError(
                    _("change annotation for {item} (block {blocks}) matches no change", item=ann.ref, blocks=list(ann.blocks))
                    if ann.blocks
                    else _("change annotation for {item} matches no change", item=ann.ref),
                    ann.location,
                    _("the item did not change between these revisions: remove the annotation or check its item/block"),
                    severity="warning",
                    code="annotation",
                )
            )
            continue
        if len(ann.blocks) >= 2:
            parts = [out[i][0] for i in idx]
            o, n = pairs[ann.ref]
            merged = _Raw(
                item=parts[0].item,
                blocks=tuple(b for p in parts for b in p.blocks),
                kind="merged",
                before=_join(b.text for b in (o.blocks if o else ()) if b.id in ann.blocks),
                after=_join(b.text for b in (n.blocks if n else ()) if b.id in ann.blocks) or REMOVED_TEXT,
                notes=next((p.notes for p in parts if p.notes), None),
            )
            out[idx[0]] = (merged, ann)
            for i in reversed(idx[1:]):
                del out[i]
        else:
            for i in idx:
                out[i] = (out[i][0], ann)
    return out


def _join(texts: Iterable[str]) -> str:
    return "\n\n".join(t for t in texts if t)


# --------------------------------------------------------------------------- rows


def diff(
    old: ComposedAssessment,
    new: ComposedAssessment,
    annotations: Iterable[Annotation] = (),
    options: DiffOptions = DiffOptions(),
) -> tuple[ChangeTable, list[UserError]]:
    """The change table from ``old`` to ``new`` and warnings (or strict errors)."""
    warnings: list[UserError] = []
    aligned = _align_items(old, new)
    pairs = {(n or o).ref: (o, n) for o, n in aligned}  # type: ignore[union-attr]
    renames = renamed_terms(old, new)
    raws = [r for o, n in aligned for r in _raw_rows(o, n, renames)]
    annotated = _apply(raws, annotations, pairs, warnings)
    rows: list[ChangeRow] = []
    for i, (r, ann) in enumerate(annotated):
        notes = r.notes or RenderedNotes()

        def pick(field: str, default: str = "", ann: Annotation | None = ann, notes: RenderedNotes = notes) -> str:
            value = getattr(ann, field) if ann is not None else None
            return value if value is not None else (getattr(notes, field, "") or default)

        important = r.item.important
        submission = (ann.submission if ann and ann.submission else None) or ("事前" if important else "事後")
        reason = pick("reason")
        if not reason.strip():
            reason = NO_REASON
            if options.strict:
                warnings.append(
                    UserError(
                        _("no reason for the change of {item} ({blocks})", item=r.item.ref, blocks=list(r.blocks)),
                        ann.location if ann else r.location,
                        _("add a change annotation with reason: to the assessment (changes:)"),
                        code="no-reason",
                    )
                )
        rows.append(
            ChangeRow(
                no=options.start + i,
                section="\n".join(r.item.path),
                before=ann.before if ann and ann.before is not None else r.before,
                after=ann.after if ann and ann.after is not None else r.after,
                reason=reason,
                risk_change=(ann.risk_change if ann and ann.risk_change else None) or notes.risk_change,
                risk_situation=pick("risk_situation"),
                countermeasure=pick("countermeasure"),
                important=important,
                submission=submission,  # type: ignore[arg-type]
                item=r.item.ref,
                blocks=r.blocks,
                kind=r.kind,  # type: ignore[arg-type]
                date=options.date,
                submission_note=pick("submission_note", SUBMISSION_NOTES[submission]),
            )
        )
    if options.same_as:
        rows = same_as(rows)
    table = ChangeTable(
        assessment=new.name,
        jimu=short_jimu(new),
        title=table_title(new),
        rows=tuple(rows),
        date=options.date,
    )
    return table, warnings


def same_as(rows: list[ChangeRow]) -> list[ChangeRow]:
    """Write 「通番Nと同様」 where a row's reason and risk notes repeat an earlier row's."""
    first: dict[tuple[str, str | None, str, str], int] = {}
    out = []
    for row in rows:
        key = (row.reason, row.risk_change, row.risk_situation, row.countermeasure)
        if row.reason != NO_REASON and key in first:
            row = replace(row, reason=f"通番{first[key]}と同様", risk_situation="", countermeasure="")
        else:
            first.setdefault(key, row.no)
        out.append(row)
    return out


def consumed(annotations: Iterable[Annotation], published: Iterable[Annotation]) -> list[Annotation]:
    """Annotations not already recorded with the previous publication."""
    done = {_annotation_key(a) for a in published}
    return [a for a in annotations if _annotation_key(a) not in done]


def between(
    old: ComposedAssessment, new: ComposedAssessment, from_label: str, to_label: str, options: DiffOptions = DiffOptions()
) -> tuple[ChangeTable, list[UserError]]:
    """The change table from one revision to the next, labelled.

    ``new``'s annotations describe the changes since the previous publication: those already
    recorded with ``old`` belong to an earlier change table and are left out.
    """
    table, problems = diff(old, new, consumed(new.changes, old.changes), options)
    return replace(table, from_label=from_label, to_label=to_label), problems
