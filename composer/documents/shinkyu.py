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

import io
from dataclasses import dataclass
from pathlib import Path

from composer.errors import UserError
from composer.model import ComposedAssessment, ComposedItem
from composer.revisions.diff import _align_items, short_jimu
from composer.revisions.worddiff import Segment, diff_words, side, split_lines

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


# --------------------------------------------------------------------------- text formats


def to_markdown(t: ShinkyuTable) -> str:
    def cell(runs: list[tuple[str, bool]]) -> str:
        lines = split_lines(runs)
        out = "<br>".join(
            "".join((f"<u>{x}</u>" if c and x.strip() else x).replace("|", "｜") for x, c in line) for line in lines
        )
        return out.strip() or " "

    out = [f"# {t.title}", ""]
    if t.from_label or t.to_label:
        out += [f"{t.from_label} → {t.to_label}", ""]
    out += [NOTE, ""]
    for e in t.entries:
        out += [f"## {_path(e)}", "", f"| {HEADERS[0]} | {HEADERS[1]} |", "|---|---|",
                f"| {cell(e.runs('new'))} | {cell(e.runs('old'))} |", ""]
    if not t.entries:
        out.append("（変更なし）")
    return "\n".join(out).rstrip("\n") + "\n"


def to_html(t: ShinkyuTable) -> str:
    from html import escape

    def cell(runs: list[tuple[str, bool]]) -> str:
        return "".join(f"<u>{escape(x)}</u>" if c else escape(x) for x, c in runs)

    rows = "\n".join(
        f'<tr><th colspan="2" class="path" id="item-{i}">{escape(_path(e))}</th></tr>'
        f"<tr><td>{cell(e.runs('new'))}</td><td>{cell(e.runs('old'))}</td></tr>"
        for i, e in enumerate(t.entries, 1)
    )
    labels = f"<p>{escape(t.from_label)} → {escape(t.to_label)}</p>" if t.from_label or t.to_label else ""
    return (
        '<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8">'
        f"<title>{escape(t.title)}</title><style>"
        "body{font-family:'Noto Sans CJK JP',sans-serif}table{border-collapse:collapse;width:100%;table-layout:fixed}"
        "th,td{border:1px solid #444;padding:.3em;vertical-align:top;white-space:pre-wrap}th{background:#eee}"
        "th.path{text-align:left;background:#f6f6f6;font-weight:normal}"
        f"</style></head><body><h1>{escape(t.title)}</h1>{labels}<p>{NOTE}</p>\n"
        f"<table><thead><tr><th>{HEADERS[0]}</th><th>{HEADERS[1]}</th></tr></thead><tbody>\n{rows}\n</tbody></table>"
        + ("<p>（変更なし）</p>" if not t.entries else "")
        + "</body></html>\n"
    )


# --------------------------------------------------------------------------- Word, Excel


def _docx_body(t: ShinkyuTable, styles: dict[str, str], width: int) -> str:
    from composer.writers.docx import Xml, marked_paras

    x = Xml(styles)
    half = width // 2
    out = [x.p("title", t.title)]
    if t.from_label or t.to_label:
        out.append(x.p("small", f"（{t.from_label or '―'} → {t.to_label or '―'}）"))
    out.append(x.p("small", NOTE))
    rows = [x.row(x.cell(half, x.p("header", HEADERS[0]), shade=True) + x.cell(width - half, x.p("header", HEADERS[1]), shade=True),
                  header=True)]
    for e in t.entries:
        rows.append(x.row(x.cell(width, x.p("label", _path(e)), span=2), cant_split=True))
        rows.append(x.row(x.cell(half, marked_paras(x, "body", e.runs("new"), "underline"))
                          + x.cell(width - half, marked_paras(x, "body", e.runs("old"), "underline"))))
    out.append(x.table((half, width - half), rows))
    if not t.entries:
        out.append(x.p("body", "（変更なし）"))
    out.append(x.p("normal"))
    return "".join(out)


def write_docx(t: ShinkyuTable, path: Path, reference: Path | None = None) -> None:
    from composer.writers.docx import write_document

    write_document(path, t.title, lambda styles, width: _docx_body(t, styles, width), reference, landscape=True)


def write_xlsx(t: ShinkyuTable, path: Path) -> None:
    from openpyxl import Workbook

    from composer.load.yamlio import atomic_write
    from composer.writers.xlsx import cell_styles, fit_row_heights, print_setup, rich_text

    wb = Workbook()
    ws = wb.active
    ws.title = "新旧対照表"
    st = cell_styles()
    ws.cell(row=1, column=1, value=t.title).font = st.title
    ws.cell(row=1, column=2, value=NOTE).font = st.body
    for col, name in enumerate(HEADERS, 1):
        c = ws.cell(row=2, column=col, value=name)
        c.font, c.alignment, c.border, c.fill = st.bold, st.wrap, st.border, st.fill
        ws.column_dimensions["AB"[col - 1]].width = 70
    r = 3
    for e in t.entries:
        c = ws.cell(row=r, column=1, value=_path(e))
        c.font, c.alignment, c.border = st.bold, st.wrap, st.border
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
        r += 1
        for col, which in ((1, "new"), (2, "old")):
            c = ws.cell(row=r, column=col, value=rich_text(e.runs(which), "underline"))
            c.font, c.alignment, c.border = st.body, st.wrap, st.border
        r += 1
    fit_row_heights(ws, first_row=2)
    print_setup(ws, header_row=2)
    buffer = io.BytesIO()
    wb.save(buffer)
    atomic_write(Path(path), buffer.getvalue())


def render(t: ShinkyuTable, fmt: str) -> str:
    if fmt == "md":
        return to_markdown(t)
    if fmt == "html":
        return to_html(t)
    if fmt in ("docx", "xlsx"):
        raise UserError(f"format '{fmt}' is written to a file", None, "pass -o FILE")
    raise UserError(f"the 新旧対照表 is written as {', '.join(FORMATS)} (not '{fmt}')", None, "use --format md, html, docx or xlsx")


def write(t: ShinkyuTable, fmt: str, path: Path, reference: Path | None = None) -> None:
    from composer.load.yamlio import atomic_write

    if fmt == "docx":
        write_docx(t, path, reference)
    elif fmt == "xlsx":
        write_xlsx(t, path)
    else:
        atomic_write(Path(path), render(t, fmt))


__all__ = ["FORMATS", "HEADERS", "ShinkyuEntry", "ShinkyuTable", "item_text", "render", "shinkyu_table", "write"]
