"""Stage 5c: the change tables as .xlsx — many offices keep the 変更点リスク評価表 in Excel.

One sheet: the title in row 1, the column headers in row 2 (frozen, repeated on every
printed page), one row per change with wrapped, top-aligned text; A4 landscape, fitted
to the page width.
"""

from __future__ import annotations

import io
import math
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from composer.documents import tables
from composer.load.yamlio import atomic_write
from composer.model import ChangeTable

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


def print_setup(ws: Any, header_row: int) -> None:
    """Freeze the header row and repeat it on every printed page; A4 landscape, fitted to the width, 「n/N」."""
    ws.freeze_panes = f"A{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.center.text = "&P/&N"


def excel_columns(official: bool = False) -> list[tuple[str, float]]:
    return [(name, round(share * CHARS_PER_UNIT, 1)) for name, share in tables.column_specs(official)]


def rich_text(runs: list[tuple[str, bool]], mark: str) -> Any:
    """(text, changed) runs as an openpyxl rich-text value, changed runs ``strike`` or ``underline``."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    size = cell_styles().body.size  # the size of plain cells: a rich-text run does not inherit it
    plain = InlineFont(rFont=FONT_NAME, sz=size)
    changed = InlineFont(rFont=FONT_NAME, sz=size, **({"strike": True} if mark == "strike" else {"u": "single"}))
    text = "".join(t for t, _ in runs)
    lead = len(text) - len(text.lstrip("\n"))
    blocks: list[tuple[str, bool]] = []
    for t, c in runs:  # the cell's text is stripped of leading and trailing line breaks, as plain cells are
        if lead:
            cut = min(lead, len(t))
            t, lead = t[cut:], lead - cut
        if t:
            blocks.append((t, c))
    while blocks and blocks[-1][0].rstrip("\n") == "":
        blocks.pop()
    if blocks:
        blocks[-1] = (blocks[-1][0].rstrip("\n"), blocks[-1][1])
    if not blocks:
        return ""
    return CellRichText(*[TextBlock(changed if c else plain, t) for t, c in blocks])


def write_change_table_xlsx(table: ChangeTable, path: Path, official: bool = False, marks: bool = False) -> None:
    """Write the 変更点リスク評価表 (or, ``official``, the (別添3) 変更箇所) as .xlsx, atomically.

    ``marks``: 変更前 / 変更後 as rich text, deleted words struck through, inserted words underlined.
    """
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    columns = excel_columns(official)
    wb = Workbook()
    ws = wb.active
    ws.title = "変更箇所" if official else "変更点リスク評価表"

    st = cell_styles()
    ws.cell(row=1, column=1, value=tables.title(table, official)).font = st.title
    for col, (name, width) in enumerate(columns, 1):
        cell = ws.cell(row=2, column=col, value=name)
        cell.font, cell.alignment, cell.border, cell.fill = st.bold, st.wrap, st.border, st.fill
        ws.column_dimensions[get_column_letter(col)].width = width

    for r, row in enumerate(table.rows, 3):
        values: list[object] = list(tables.document_cells(row, table, official))
        if not official:
            values[0] = row.no  # a number, so Excel sorts and filters it as one
        for col, value in enumerate(values, 1):
            if isinstance(value, str):
                value = value.strip("\n")
            cell = ws.cell(row=r, column=col, value=value)
            cell.font, cell.alignment, cell.border = st.body, st.wrap, st.border
        if marks:
            before, after = tables.marked(row)
            ws.cell(row=r, column=tables.BEFORE + 1).value = rich_text(before, "strike")
            ws.cell(row=r, column=tables.AFTER + 1).value = rich_text(after, "underline")

    fit_row_heights(ws, first_row=2)
    print_setup(ws, header_row=2)
    ws.print_options.horizontalCentered = True
    last = get_column_letter(len(columns))
    ws.print_area = f"A1:{last}{max(2, len(table.rows) + 2)}"

    buffer = io.BytesIO()
    wb.save(buffer)
    atomic_write(Path(path), buffer.getvalue())


__all__ = ["FONT_NAME", "CellStyles", "cell_styles", "excel_columns", "fit_row_heights", "print_setup", "rich_text", "write_change_table_xlsx"]
