"""Stage 8b: the review page — a change table as one self-contained HTML page.

``hyoka diff NAME --format html`` writes it (through the HTML writer, which keeps every
page self-contained: a reviewer opens it from a mail, offline). It holds:

* the change table, the changed words marked (``del`` in 変更前, ``ins`` in 変更後);
* filters: ※の項目 (重要な変更: the item carries ※), リスク変化あり, 提出時期 (事前 / 事後);
* per changed item, its full text in the new revision beside the old one (from the
  新旧対照表, when given), each table row linking to its item (``#item-N``).
"""

from __future__ import annotations

from typing import Any

from composer.documents import tables
from composer.model import ChangeTable
from composer.writers.model import Cell, Column, Document, Filter, Heading, Paragraph, Row, Run, Table, runs

FILTERS = (
    Filter("important", "※の項目（重要な変更）のみ", value="1"),
    Filter("risk", "リスク変化ありのみ", value="あり"),
    Filter("submission", "提出時期", options=("事前", "事後")),
)
LEGEND = (Run("変更前の"), Run("取消線", "del"), Run("は削除された語句、変更後の"), Run("下線", "ins"), Run("は追加された語句。"))


def _item_ids(table: ChangeTable, entries: Any) -> dict[str, str]:
    refs = [e.item for e in entries] if entries is not None else [r.item for r in table.rows]
    ids: dict[str, str] = {}
    for ref in refs:
        ids.setdefault(ref, f"item-{len(ids) + 1}")
    return ids


def review_document(table: ChangeTable, official: bool = False, entries: Any = None) -> Document:
    """The review page of ``table``; ``entries``: the 新旧対照表's entries (full item texts)."""
    from composer.revisions.worddiff import side

    heading = tables.title(table, official)
    ids = _item_ids(table, entries)
    blocks: list[Any] = [Heading(heading, 0)]
    if table.from_label or table.to_label:
        blocks.append(Paragraph(f"{tables.label(table.from_label) or '―'} → {tables.label(table.to_label) or '―'}", "normal"))
    blocks.append(Paragraph(LEGEND, "normal"))
    rows = []
    for r in table.rows:
        values: list[Cell] = [Cell(c) for c in tables.cells(r, official)]
        before, after = tables.marked(r)
        values[tables.BEFORE] = Cell(runs(before, "del"))
        values[tables.AFTER] = Cell(runs(after, "ins"))
        values[1] = Cell(values[1].text + (" ※" if r.important else ""), link=ids.get(r.item, ""))
        facets = (("item", r.item), ("important", str(int(r.important))), ("risk", r.risk_change or ""), ("submission", r.submission))
        rows.append(Row(tuple(values), anchor=f"row-{r.no}", role="change", facets=facets))
    blocks.append(Table(tuple(Column(n, w) for n, w in tables.column_specs(official)), tuple(rows)))
    if not table.rows:
        blocks.append(Paragraph(tables.NO_CHANGES, "normal"))
    if entries:
        blocks.append(Heading("変更箇所の本文（新旧対照）", 1))
        for e in entries:
            path = " ＞ ".join(e.path) + (" ※" if e.important else "")
            blocks.append(Heading(path, 2, anchor=ids[e.item]))
            new_side = Cell(runs(side(list(e.segments), "new"), "ins"))
            old_side = Cell(runs(side(list(e.segments), "old"), "del"))
            blocks.append(Table((Column("新（変更後）", 1), Column("旧（変更前）", 1)), (Row((new_side, old_side)),)))
    return Document(heading, tuple(blocks), landscape=not official, data=tables.data(table, official), filters=FILTERS)


__all__ = ["review_document"]
