"""Stage 8: write change tables — Markdown, JSON, CSV, HTML (Word and Excel via their writers)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

from .errors import UserError
from .model import ChangeRow, ChangeTable

RISK_COLUMNS = ("通番", "評価書の変更箇所", "変更前", "変更後", "変更理由", "リスク変化", "リスク変化の状況", "リスク対策")
OFFICIAL_COLUMNS = ("変更日", "項目", "変更前の記載", "変更後の記載", "提出時期", "提出時期に係る説明")
FORMATS = ("md", "json", "csv", "html", "docx", "xlsx")


def columns(official: bool) -> tuple[str, ...]:
    return OFFICIAL_COLUMNS if official else RISK_COLUMNS


def cells(row: ChangeRow, official: bool) -> list[str]:
    if official:
        return [row.date, row.section, row.before, row.after, row.submission, row.submission_note]
    return [str(row.no), row.section, row.before, row.after, row.reason, row.risk_change or "", row.risk_situation, row.countermeasure]


def to_json(table: ChangeTable, official: bool = False) -> str:
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


def _md_cell(text: str) -> str:
    return text.replace("|", "｜").replace("\n", "<br>") or " "


def to_markdown(table: ChangeTable, official: bool = False) -> str:
    cols = columns(official)
    title = "（別添３）変更箇所" if official else table.title
    out = [f"# {title}", ""]
    if table.from_label or table.to_label:
        out += [f"{table.from_label} → {table.to_label}", ""]
    out.append("| " + " | ".join(cols) + " |")
    out.append("|" + "|".join("---" for _ in cols) + "|")
    for r in table.rows:
        out.append("| " + " | ".join(_md_cell(c) for c in cells(r, official)) + " |")
    if not table.rows:
        out += ["", "（変更なし）"]
    return "\n".join(out) + "\n"


def to_html(table: ChangeTable, official: bool = False) -> str:
    from html import escape

    cols = columns(official)
    title = "（別添３）変更箇所" if official else table.title
    head = "".join(f"<th>{escape(c)}</th>" for c in cols)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells(r, official)) + "</tr>" for r in table.rows
    )
    return (
        '<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>"
        "body{font-family:'Noto Sans CJK JP',sans-serif}table{border-collapse:collapse}"
        "th,td{border:1px solid #444;padding:.3em;vertical-align:top;white-space:pre-wrap}th{background:#eee}"
        f"</style></head><body><h1>{escape(title)}</h1>\n<table><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table></body></html>\n"
    )


TEXT_WRITERS: dict[str, Callable[[ChangeTable, bool], str]] = {
    "md": to_markdown,
    "json": to_json,
    "csv": to_csv,
    "html": to_html,
}


def render(table: ChangeTable, fmt: str, official: bool = False) -> str:
    if fmt not in TEXT_WRITERS:
        raise UserError(f"format '{fmt}' is written to a file", None, "pass -o FILE")
    return TEXT_WRITERS[fmt](table, official)


def write(table: ChangeTable, fmt: str, path: Path, official: bool = False, reference: Path | None = None) -> None:
    """Write the table to ``path`` atomically in ``fmt``."""
    from .yamlio import atomic_write

    if fmt == "docx":
        from .docx_writer import write_change_table

        write_change_table(table, path, reference=reference, official=official)
    elif fmt == "xlsx":
        from .xlsx_writer import write_change_table_xlsx

        write_change_table_xlsx(table, path, official=official)
    elif fmt in TEXT_WRITERS:
        atomic_write(path, render(table, fmt, official))
    else:
        raise UserError(f"unknown format '{fmt}'", None, f"use one of: {', '.join(FORMATS)}")
