"""Stage 8c: the 新旧対照表 — each changed item's new text beside its old text.

Layout (as Japanese 改正 tables print it): the left column is 新 (変更後), the right
column 旧 (変更前); per changed item a full-width row names the item by its full
section path in the 様式's words (※ on 重要な変更), then one row holds the item's whole
text in each revision. The changed words are underlined on both sides (傍線: on the
新 side what was added, on the 旧 side what was removed), found by the phrase diff of
:mod:`composer.revisions.worddiff`. An item added has an empty 旧 side, one removed an empty 新
side. Formats: Markdown (``<u>…</u>``), HTML (``<u>``), Word (single underline) and
Excel (rich text, single underline).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from composer.documents.tables import label
from composer.model import ComposedAssessment, ComposedItem
from composer.revisions.diff import _align_items, short_jimu
from composer.revisions.worddiff import Segment, diff_words, side
from composer.writers.model import Cell, Column, Document, Heading, Paragraph, Row, Sheet, Table, runs

FORMATS = ("md", "html", "docx", "xlsx")
HEADERS = ("新（変更後）", "旧（変更前）")
NOTE = "（傍線部分は変更部分）"


@dataclass(frozen=True)
class ShinkyuEntry:
    item: str  # item ref, e.g. "juki:II.6.1"
    path: tuple[str, ...]  # the item's full section path
    important: bool
    new: str
    old: str
    segments: tuple[Segment, ...]

    def runs(self, which: str) -> list[tuple[str, bool]]:
        return side(list(self.segments), which)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ShinkyuTable:
    assessment: str
    title: str
    entries: tuple[ShinkyuEntry, ...]
    from_label: str = ""
    to_label: str = ""


def item_text(item: ComposedItem | None) -> str:
    """An item's whole text as the 評価書 prints it (choice line, then each block)."""
    if item is None:
        return ""
    parts = []
    if item.type == "choice" and item.choice:
        parts.append(f"[ {item.choice} ]")
    parts += [b.text.strip("\n") for b in item.blocks]
    return "\n".join(p for p in parts if p)


def shinkyu_table(old: ComposedAssessment, new: ComposedAssessment, from_label: str = "", to_label: str = "") -> ShinkyuTable:
    entries = []
    for o, n in _align_items(old, new):
        before, after = item_text(o), item_text(n)
        if before == after:
            continue
        it = n or o
        assert it is not None
        entries.append(ShinkyuEntry(it.ref, it.path, it.important, after, before, tuple(diff_words(before, after))))
    return ShinkyuTable(new.name, f"新旧対照表({short_jimu(new)})", tuple(entries), from_label, to_label)


def _path(e: ShinkyuEntry, sep: str = " ＞ ") -> str:
    return sep.join(e.path) + (" ※" if e.important else "")


def document(t: ShinkyuTable, fmt: str = "md") -> Document:
    """The 新旧対照表 as a document for ``fmt``: per changed item a full-width row naming it
    (a group), then its text in each revision, the changed words underlined."""
    printed = fmt in ("docx", "xlsx")
    blocks: list[Any] = [Heading(t.title, 0)]
    if t.from_label or t.to_label:
        if printed:
            blocks.append(Paragraph(f"（{label(t.from_label) or '―'} → {label(t.to_label) or '―'}）", "small"))
        else:
            blocks.append(Paragraph(f"{label(t.from_label)} → {label(t.to_label)}", "normal"))
    blocks.append(Paragraph(NOTE, "small"))
    rows = []
    for i, e in enumerate(t.entries, 1):
        rows.append(Row((Cell(_path(e), style="label", span=2),), group=True, keep=True, anchor=f"item-{i}"))
        rows.append(Row((Cell(runs(e.runs("new"), "u")), Cell(runs(e.runs("old"), "u")))))
    sheet = Sheet("新旧対照表", caption=t.title, notes=(NOTE,))
    blocks.append(Table((Column(HEADERS[0], 1), Column(HEADERS[1], 1)), tuple(rows), grouped=True, chars=140, sheet=sheet))
    if not t.entries:
        blocks.append(Paragraph("（変更なし）", "body"))
    return Document(t.title, tuple(blocks), landscape=True)


__all__ = ["FORMATS", "HEADERS", "ShinkyuEntry", "ShinkyuTable", "document", "item_text", "shinkyu_table"]
