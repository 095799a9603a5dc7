"""The Excel writer: any :class:`~composer.writers.model.Document` as .xlsx — many offices keep
the 変更点リスク評価表, the 新旧対照表 and the yearly report in Excel.

Each table of the document is one sheet (:class:`~composer.writers.model.Sheet` names it):
its caption in row 1, the lines above the table, the column headers (frozen, repeated on
every printed page), one row per table row with wrapped, top-aligned text, then the
notes. Every sheet has the same print setup (:func:`print_setup`): A4 landscape, fitted
to the page width, centred, 「n/N」 in the footer, the fonts of :func:`cell_styles`.
Numbers stay numbers; marked runs are rich text (``del`` struck through, ``ins`` and
``u`` underlined); a cell spanning columns is merged.
"""

from __future__ import annotations

import io
import math
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from composer.files import atomic_write
from composer.writers.model import Cell, Document, Paragraph, Run, Sheet, Table

#: Set as the font name of every cell. Excel falls back to its default Japanese font
#: (游ゴシック) where Noto is not installed; LibreOffice here has Noto.
FONT_NAME = "Noto Sans CJK JP"

#: Excel column width (characters) per unit of the tables' relative widths.
CHARS_PER_UNIT = 2.2


@dataclass(frozen=True)
class CellStyles:
    """The few cell styles every hyoka workbook uses."""

    body: Any
    bold: Any
    title: Any
    wrap: Any
    border: Any
    fill: Any


def cell_styles() -> CellStyles:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="000000")
    return CellStyles(
        body=Font(name=FONT_NAME, size=9),
        bold=Font(name=FONT_NAME, size=9, bold=True),
        title=Font(name=FONT_NAME, size=14, bold=True),
        wrap=Alignment(wrap_text=True, vertical="top"),
        border=Border(left=thin, right=thin, top=thin, bottom=thin),
        fill=PatternFill("solid", fgColor="D9D9D9"),
    )


LINE_HEIGHT = 12.5  # points per line of 9-point text


def text_units(line: str) -> int:
    """Width of a line in Excel's column units: full-width (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def fit_row_heights(ws: Any, first_row: int) -> None:
    """Set each row's height from its wrapped text: spreadsheet programs do not grow rows for us."""
    from openpyxl.utils import get_column_letter

    widths = {
        col: (ws.column_dimensions[get_column_letter(col)].width or 10) * 0.95 for col in range(1, ws.max_column + 1)
    }
    for row in ws.iter_rows(min_row=first_row):
        lines = 1
        for cell in row:
            value = cell.value if isinstance(cell.value, str) else _rich_str(cell.value)
            if value:
                width = widths.get(cell.column, 10)
                need = sum(max(1, math.ceil(text_units(line) / width)) for line in value.split("\n"))
                lines = max(lines, need)
        ws.row_dimensions[row[0].row].height = min(409, lines * LINE_HEIGHT + 3)


def _rich_str(value: Any) -> str:
    """The text of a rich-text cell value ("" for numbers and empty cells)."""
    from openpyxl.cell.rich_text import CellRichText

    return str(value) if isinstance(value, CellRichText) else ""


def print_setup(ws: Any, header_row: int | None) -> None:
    """A4 landscape, fitted to the width, centred, 「n/N」; the header row frozen and repeated on every page."""
    if header_row:
        ws.freeze_panes = f"A{header_row + 1}"
        ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "&P/&N"


def rich_text(runs: tuple[Run, ...]) -> Any:
    """Runs as an openpyxl rich-text value: ``del`` struck through, ``ins`` and ``u`` underlined."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    size = cell_styles().body.size  # the size of plain cells: a rich-text run does not inherit it
    fonts = {
        "": InlineFont(rFont=FONT_NAME, sz=size),
        "del": InlineFont(rFont=FONT_NAME, sz=size, strike=True),
        "ins": InlineFont(rFont=FONT_NAME, sz=size, u="single"),
        "u": InlineFont(rFont=FONT_NAME, sz=size, u="single"),
    }
    text = "".join(r.text for r in runs)
    lead = len(text) - len(text.lstrip("\n"))
    blocks: list[tuple[str, str]] = []
    for r in runs:  # the cell's text is stripped of leading and trailing line breaks, as plain cells are
        t = r.text
        if lead:
            cut = min(lead, len(t))
            t, lead = t[cut:], lead - cut
        if t:
            blocks.append((t, r.mark))
    while blocks and blocks[-1][0].rstrip("\n") == "":
        blocks.pop()
    if blocks:
        blocks[-1] = (blocks[-1][0].rstrip("\n"), blocks[-1][1])
    if not blocks:
        return ""
    return CellRichText(*[TextBlock(fonts[m], t) for t, m in blocks])


def _value(c: Cell) -> Any:
    content = c.content
    if isinstance(content, int):
        return content
    if isinstance(content, str):
        return content.strip("\n")
    if content and isinstance(content[0], Paragraph):
        return "\n".join(p.text for p in content).strip("\n")  # type: ignore[union-attr]
    return rich_text(content)  # type: ignore[arg-type]


def column_chars(t: Table) -> list[float]:
    """Each column's width in characters: the table's ``chars`` shared out, else 2.2 a unit."""
    total = sum(c.width for c in t.columns) or 1
    return [round(c.width * t.chars / total if t.chars else c.width * CHARS_PER_UNIT, 1) for c in t.columns]


_BAD_SHEET_CHARS = str.maketrans({ch: "＿" for ch in "[]:*?/\\"})


def write_sheet(wb: Any, t: Table, sheet: Sheet) -> None:
    from openpyxl.utils import get_column_letter

    st = cell_styles()
    ws = wb.create_sheet((sheet.name.translate(_BAD_SHEET_CHARS) or "Sheet")[:31])
    r = 0
    if sheet.caption:
        r += 1
        ws.cell(row=r, column=1, value=sheet.caption).font = st.title
    for line in sheet.lead:
        r += 1
        ws.cell(row=r, column=1, value=line).font = st.body
    widths = column_chars(t)
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    header_row = None
    if t.header:
        r += 1
        header_row = r
        for col, c in enumerate(t.columns, 1):
            cell = ws.cell(row=r, column=col, value=c.name)
            cell.font, cell.alignment, cell.border, cell.fill = st.bold, st.wrap, st.border, st.fill
    first = r + 1
    for row in t.rows:
        r += 1
        col = 1
        for c in row.cells:
            cell = ws.cell(row=r, column=col, value=_value(c))
            bold = c.shade or c.style in ("header", "label") or row.group
            cell.font, cell.alignment, cell.border = st.bold if bold else st.body, st.wrap, st.border
            if c.shade:
                cell.fill = st.fill
            if c.span > 1:
                ws.merge_cells(start_row=r, start_column=col, end_row=r, end_column=col + c.span - 1)
            col += c.span
    last = r
    for i, note in enumerate(sheet.notes):
        r = last + 2 + i
        ws.cell(row=r, column=1, value=note).font = st.body
    fit_row_heights(ws, first_row=header_row or first)
    print_setup(ws, header_row)
    ws.print_area = f"A1:{get_column_letter(max(1, len(t.columns)))}{max(1, ws.max_row)}"


def write(doc: Document, path: Path) -> None:
    """Write ``doc`` as .xlsx, one sheet per table, atomically."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    tables = doc.tables()
    for n, t in enumerate(tables, 1):
        write_sheet(wb, t, t.sheet or Sheet(f"{n}", caption=doc.title if n == 1 else ""))
    if not tables:
        wb.create_sheet("1").cell(row=1, column=1, value=doc.title).font = cell_styles().title
    buffer = io.BytesIO()
    wb.save(buffer)
    atomic_write(Path(path), buffer.getvalue())


__all__ = ["FONT_NAME", "CellStyles", "cell_styles", "column_chars", "fit_row_heights", "print_setup", "rich_text", "write"]
