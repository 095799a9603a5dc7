"""Stage 8: write change tables — Markdown, JSON, CSV, HTML (Word and Excel via their writers)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

from composer.errors import UserError
from composer.model import ChangeRow, ChangeTable

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


def to_json(table: ChangeTable, official: bool = False) -> str:
    data: list[dict[str, object]]
    if official:
        data = [
            {"date": r.date, "section": r.section, "before": r.before, "after": r.after,
             "submission": r.submission, "submission_note": r.submission_note}
            for r in table.rows
        ]
    else:
        data = [r.to_json() for r in table.rows]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def to_csv(table: ChangeTable, official: bool = False) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns(official))
    for r in table.rows:
        w.writerow(cells(r, official))
    return "\ufeff" + buf.getvalue()  # BOM: Excel opens UTF-8 CSV correctly


def md_cell(text: str) -> str:
    return text.replace("|", "｜").replace("\n", "<br>") or " "


def to_markdown(table: ChangeTable, official: bool = False, marks: bool = False) -> str:
    cols = columns(official)
    out = [f"# {title(table, official)}", ""]
    if table.from_label or table.to_label:
        out += [f"{table.from_label} → {table.to_label}", ""]
    out.append("| " + " | ".join(cols) + " |")
    out.append("|" + "|".join("---" for _ in cols) + "|")
    for r in table.rows:
        values = [md_cell(c) for c in cells(r, official)]
        if marks:
            before, after = marked(r)
            values[BEFORE], values[AFTER] = md_marked(before, "del"), md_marked(after, "ins")
        out.append("| " + " | ".join(values) + " |")
    if not table.rows:
        out += ["", "（変更なし）"]
    return "\n".join(out) + "\n"


def to_html(table: ChangeTable, official: bool = False, marks: bool = False) -> str:
    from html import escape

    if marks:
        from composer.documents.review import review_page

        return review_page(table, official)

    cols = columns(official)
    heading = title(table, official)
    head = "".join(f"<th>{escape(c)}</th>" for c in cols)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells(r, official)) + "</tr>" for r in table.rows
    )
    return (
        '<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8">'
        f"<title>{escape(heading)}</title><style>"
        "body{font-family:'Noto Sans CJK JP',sans-serif}table{border-collapse:collapse}"
        "th,td{border:1px solid #444;padding:.3em;vertical-align:top;white-space:pre-wrap}th{background:#eee}"
        f"</style></head><body><h1>{escape(heading)}</h1>\n<table><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table></body></html>\n"
    )


# --------------------------------------------------------------------------- changed words marked
#
# Convention (every format): in 変更前 the words the change removes are struck through
# (Markdown ~~…~~, HTML <del>, Word and Excel strikethrough); in 変更後 the words it
# adds are underlined (Markdown and HTML <ins>, Word and Excel single underline).
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


def md_marked(runs: Runs, tag: str) -> str:
    """Marked runs as a Markdown cell: ``~~deleted~~`` or ``<ins>inserted</ins>``, each line marked alone."""
    from composer.revisions.worddiff import split_lines

    def one(text: str, changed: bool) -> str:
        text = text.replace("|", "｜")
        if not changed or not text.strip():
            return text
        return f"~~{text}~~" if tag == "del" else f"<ins>{text}</ins>"

    lines = split_lines(runs)
    return "<br>".join("".join(one(t, c) for t, c in line) for line in lines).strip() or " "


def html_marked(runs: Runs, tag: str) -> str:
    from html import escape

    return "".join(f"<{tag}>{escape(t)}</{tag}>" if c else escape(t) for t, c in runs)


TEXT_WRITERS: dict[str, Callable[[ChangeTable, bool], str]] = {
    "md": to_markdown,
    "json": to_json,
    "csv": to_csv,
    "html": to_html,
}


def render(table: ChangeTable, fmt: str, official: bool = False, marks: bool = False) -> str:
    """The table as text; ``marks``: the changed words of 変更前 / 変更後 marked (md, html)."""
    if fmt not in TEXT_WRITERS:
        raise UserError(f"format '{fmt}' is written to a file", None, "pass -o FILE")
    if marks and fmt in ("md", "html"):
        return (to_markdown if fmt == "md" else to_html)(table, official, marks=True)
    return TEXT_WRITERS[fmt](table, official)


def write(table: ChangeTable, fmt: str, path: Path, official: bool = False, reference: Path | None = None,
          marks: bool = False) -> None:
    """Write the table to ``path`` atomically in ``fmt`` (``marks``: changed words marked)."""
    from composer.load.yamlio import atomic_write

    if fmt == "docx":
        from composer.writers.docx import write_change_table

        write_change_table(table, path, reference=reference, official=official, marks=marks)
    elif fmt == "xlsx":
        from composer.writers.xlsx import write_change_table_xlsx

        write_change_table_xlsx(table, path, official=official, marks=marks)
    elif fmt in TEXT_WRITERS:
        atomic_write(path, render(table, fmt, official, marks))
    else:
        raise UserError(f"unknown format '{fmt}'", None, f"use one of: {', '.join(FORMATS)}")
