"""Stage 8: the change tables (変更点リスク評価表, (別添3) 変更箇所) as neutral documents.

:func:`document` builds the table as a :class:`~composer.writers.model.Document` for one
format; the caller hands it to that format's writer (:mod:`composer.writers`). The
printed forms (Word, Excel) show a row as the 様式 prints it (:func:`document_cells`: ※ on
重要な変更, dates in 和暦, an unknown risk change marked); the data forms (Markdown, HTML,
CSV) as data (:func:`cells`); JSON is the rows' data. ``marks``: the changed words of
変更前 / 変更後 marked (md, html — then the review page of :mod:`composer.documents.review` —,
docx, xlsx)."""

from __future__ import annotations

from composer.model import ChangeRow, ChangeTable
from composer.writers.model import Cell, Column, Document, Heading, Paragraph, Row, Sheet, Table, runs

# (header, relative width): every writer (Markdown … Word, Excel) takes its columns from here
RISK_COLUMNS: tuple[tuple[str, float], ...] = (
    ("通番", 4.0),
    ("評価書の変更箇所", 14.5),
    ("変更前", 15.5),
    ("変更後", 15.5),
    ("変更理由", 14.0),
    ("リスク変化", 7.5),
    ("リスク変化の状況", 14.5),
    ("リスク対策", 14.5),
)
OFFICIAL_COLUMNS: tuple[tuple[str, float], ...] = (
    ("変更日", 10.0),
    ("項目", 20.0),
    ("変更前の記載", 23.0),
    ("変更後の記載", 23.0),
    ("提出時期", 11.0),
    ("提出時期に係る説明", 13.0),
)
OFFICIAL_TITLE = "（別添３）変更箇所"
UNKNOWN_RISK = "（未記入）"
FORMATS = ("md", "json", "csv", "html", "docx", "xlsx")


def column_specs(official: bool) -> tuple[tuple[str, float], ...]:
    return OFFICIAL_COLUMNS if official else RISK_COLUMNS


def columns(official: bool) -> tuple[str, ...]:
    return tuple(name for name, _ in column_specs(official))


def title(table: ChangeTable, official: bool) -> str:
    return OFFICIAL_TITLE if official else table.title


def cells(row: ChangeRow, official: bool) -> list[str]:
    """A row as data (CSV, Markdown, HTML): dates in ISO form, no marks added."""
    if official:
        return [row.date, row.section, row.before, row.after, row.submission, row.submission_note]
    return [str(row.no), row.section, row.before, row.after, row.reason, row.risk_change or "", row.risk_situation, row.countermeasure]


def document_cells(row: ChangeRow, table: ChangeTable, official: bool) -> list[str]:
    """A row as printed (Word, Excel): ※ on 重要な変更, dates in 和暦, an unknown risk change marked."""
    from composer.dates import wareki

    if official:
        return [wareki(row.date or table.date), row.section, row.before, row.after, row.submission, row.submission_note]
    section = row.section + (" ※" if row.important else "")
    return [str(row.no), section, row.before, row.after, row.reason, row.risk_change or UNKNOWN_RISK, row.risk_situation, row.countermeasure]


def data(table: ChangeTable, official: bool = False) -> list[dict[str, object]]:
    """The rows as data (the JSON form)."""
    if official:
        return [
            {"date": r.date, "section": r.section, "before": r.before, "after": r.after,
             "submission": r.submission, "submission_note": r.submission_note}
            for r in table.rows
        ]
    return [r.to_json() for r in table.rows]


NO_CHANGES = "（変更なし）"
DRAFT_LABEL = "現在の案"  # how documents name the revision ``draft`` (the assessment file as it is now)


def label(revision: str) -> str:
    """A revision as a document names it: a snapshot by its id, the draft as 現在の案."""
    return DRAFT_LABEL if revision == "draft" else revision

PRINTED = ("docx", "xlsx")
MARKED = ("md", "html", "docx", "xlsx")


def document(table: ChangeTable, fmt: str = "md", official: bool = False, marks: bool = False) -> Document:
    """The change table as a document for ``fmt``; ``marks``: the changed words of 変更前 / 変更後 marked.

    The marked HTML page is the review page (:func:`composer.documents.review.review_document`).
    """
    marks = marks and fmt in MARKED
    printed = fmt in PRINTED
    heading = title(table, official)
    blocks: list[object] = [Heading(heading, 0)]
    if printed:
        if not official and (table.from_label or table.to_label):
            blocks.append(Paragraph(f"（{label(table.from_label) or '―'} → {label(table.to_label) or '―'}）", "small"))
    elif table.from_label or table.to_label:
        blocks.append(Paragraph(f"{label(table.from_label)} → {label(table.to_label)}", "normal"))
    rows = []
    for r in table.rows:
        values: list[object] = list(document_cells(r, table, official) if printed else cells(r, official))
        if printed and not official:
            values[0] = r.no  # a number, so Excel sorts and filters it as one
        if marks:
            before, after = marked(r)
            values[BEFORE], values[AFTER] = runs(before, "del"), runs(after, "ins")
        rows.append(Row(tuple(Cell(v) for v in values)))  # type: ignore[arg-type]
    sheet = Sheet("変更箇所" if official else "変更点リスク評価表", caption=heading)
    blocks.append(Table(tuple(Column(n, w) for n, w in column_specs(official)), tuple(rows), sheet=sheet))
    if not table.rows and not printed:
        blocks.append(Paragraph(NO_CHANGES, "normal"))
    return Document(heading, tuple(blocks), landscape=not official, data=data(table, official))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- changed words marked
#
# Convention (every format): in 変更前 the words the change removes are marked ``del``
# (Markdown ~~…~~, HTML <del>, Word and Excel strikethrough); in 変更後 the words it
# adds are marked ``ins`` (Markdown and HTML <ins>, Word and Excel single underline).
# The words are found by the phrase diff of composer.revisions.worddiff. ``--plain`` leaves
# the cells unmarked.

BEFORE, AFTER = 2, 3  # columns of 変更前 / 変更後 in cells() and document_cells(), both tables
Runs = list[tuple[str, bool]]


def marked(row: ChangeRow) -> tuple[Runs, Runs]:
    """(変更前, 変更後) of a row as (text, changed) runs."""
    from composer.revisions.diff import REMOVED_TEXT
    from composer.revisions.worddiff import diff_words, side

    if row.kind == "removed" and row.after == REMOVED_TEXT:
        return [(row.before, True)] if row.before else [], [(row.after, False)]
    if not row.before:
        return [], [(row.after, True)] if row.after else []
    segments = diff_words(row.before, row.after)
    return side(segments, "old"), side(segments, "new")


__all__ = ["BEFORE", "AFTER", "FORMATS", "NO_CHANGES", "cells", "column_specs", "columns", "data", "document", "document_cells",
           "marked", "title"]
