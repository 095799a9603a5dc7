"""The Excel writer: any :class:`~composer.writers.model.Document` as .xlsx — many offices keep
the 変更点リスク評価表, the 新旧対照表 and the yearly report in Excel.

Each table of the document is one sheet (:class:`~composer.writers.model.Sheet` names it):
its caption in row 1, the lines above the table, the column headers (frozen, repeated on
every printed page), one row per table row with wrapped, top-aligned text, then the
notes. Every sheet has the same print setup (:func:`print_setup`): A4 landscape, fitted
to the page width, centred, 「n/N」 in the footer, the fonts of :func:`cell_styles`.
Numbers stay numbers; marked runs are rich text (``del`` struck through, ``ins`` and
``u`` underlined); a cell spanning columns is merged.

The workbook is write-only (openpyxl's streaming mode): each row is written when it comes,
its height computed from its text first (:func:`row_height`), so a sheet of any length is
written in flat memory (openpyxl spools each sheet's XML to a temporary file until the
workbook is saved).
"""

from __future__ import annotations

import math
import os
import unicodedata
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from composer.files import atomic_file
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


def _column_widths(chars: list[float]) -> dict[int, float]:
    """The columns' widths as :func:`row_height` reads them (a little under the set width: the cell's margins)."""
    return {col: (width or 10) * 0.95 for col, width in enumerate(chars, 1)}


def row_height(values: Any, widths: dict[int, float]) -> float:
    """A row's height in points from its wrapped text: spreadsheet programs do not grow rows for us.

    ``values``: ``(column, value)`` pairs; ``widths``: the columns' widths in characters.
    """
    lines = 1
    for col, value in values:
        text = value if isinstance(value, str) else _rich_str(value)
        if text:
            width = widths.get(col, 10)
            need = sum(max(1, math.ceil(text_units(line) / width)) for line in text.split("\n"))
            lines = max(lines, need)
    return min(409, lines * LINE_HEIGHT + 3)


def _rich_str(value: Any) -> str:
    """The text of a rich-text cell value ("" for numbers and empty cells)."""
    from openpyxl.cell.rich_text import CellRichText

    return str(value) if isinstance(value, CellRichText) else ""


def print_setup(ws: Any, header_row: int | None) -> None:
    """A4 landscape, fitted to the width, centred, 「n/N」; the header row frozen and repeated on every page.

    Nothing here depends on the rows: a write-only sheet takes it before its first row
    (the frozen panes are written with the sheet's top).
    """
    from openpyxl.worksheet.worksheet import Worksheet

    if header_row:
        ws.freeze_panes = f"A{header_row + 1}"
        ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
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


class _SheetWriter:
    """Appends the rows of one write-only sheet as they come, each as tall as its text."""

    def __init__(self, ws: Any, widths: dict[int, float]) -> None:
        self.ws = ws
        self.widths = widths
        self.st = cell_styles()
        self.row = 0  # the last row written

    def cell(self, value: Any, font: Any, framed: bool = False, fill: Any = None) -> Any:
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.ws, value)
        cell.font = font
        if framed:
            cell.alignment, cell.border = self.st.wrap, self.st.border
        if fill is not None:
            cell.fill = fill
        return cell

    def covered(self, last: bool) -> Any:
        """A cell a merged cell covers: only its part of the frame (as openpyxl gives it)."""
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Border

        side = self.st.border.top
        cell = WriteOnlyCell(self.ws, None)
        cell.border = Border(top=side, bottom=side, right=side) if last else Border(top=side, bottom=side)
        return cell

    def append(self, cells: list[Any], values: list[tuple[int, Any]] | None = None) -> None:
        """Write a row; with ``values`` (``(column, value)`` pairs), its height fitted to their text."""
        self.row += 1
        if values is None:
            self.ws.append(cells)
            return
        dims = self.ws.row_dimensions
        dims[self.row].height = row_height(values, self.widths)
        self.ws.append(cells)  # written now, its height with it: the sheet need not keep it
        del dims[self.row]


def write_sheet(wb: Any, t: Table, sheet: Sheet) -> None:
    """One table as a sheet of a write-only workbook, its rows written as they come.

    The caption, the lead lines, the header row (frozen, repeated on every page), the rows,
    a blank row and the notes; from the header on, each row is as tall as its wrapped text.
    """
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.cell_range import CellRange

    ws = wb.create_sheet((sheet.name.translate(_BAD_SHEET_CHARS) or "Sheet")[:31])
    chars = column_chars(t)
    for col, width in enumerate(chars, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    out = _SheetWriter(ws, _column_widths(chars))
    st = out.st
    header_row = (1 if sheet.caption else 0) + len(sheet.lead) + 1 if t.header else None
    print_setup(ws, header_row)
    if sheet.caption:
        out.append([out.cell(sheet.caption, st.title)])
    for line in sheet.lead:
        out.append([out.cell(line, st.body)])
    if t.header:
        names = [c.name for c in t.columns]
        out.append([out.cell(name, st.bold, framed=True, fill=st.fill) for name in names], list(enumerate(names, 1)))
    for row in t.rows:
        cells: list[Any] = []
        values: list[tuple[int, Any]] = []
        col = 1
        for c in row.cells:
            value = _value(c)
            bold = c.shade or c.style in ("header", "label") or row.group
            cells.append(out.cell(value, st.bold if bold else st.body, framed=True, fill=st.fill if c.shade else None))
            values.append((col, value))
            if c.span > 1:
                cells += [out.covered(i == c.span - 1) for i in range(1, c.span)]
                r = out.row + 1
                ws.merged_cells.ranges.add(CellRange(min_col=col, min_row=r, max_col=col + c.span - 1, max_row=r))
            col += c.span
        out.append(cells, values)
    if sheet.notes:
        out.append([], [])  # the blank row before the notes
        for note in sheet.notes:
            out.append([out.cell(note, st.body)], [(1, note)])
    ws.print_area = f"A1:{get_column_letter(max(1, len(t.columns)))}{max(1, out.row)}"
    ws.close()  # the sheet's end is written now and its spool closed (a workbook of many sheets keeps no file open each)


def _discard(wb: Any) -> None:
    """Close the sheets of a workbook that will not be saved, and remove their temporary files."""
    for ws in wb.worksheets:
        writer = getattr(ws, "_writer", None)  # openpyxl's spool of the sheet (none before its first row)
        if writer is None:
            continue
        if not ws.closed:
            with suppress(Exception):
                ws.close()
        if os.path.exists(writer.out):
            with suppress(Exception):
                writer.cleanup()


def write(doc: Document, path: Path) -> None:
    """Write ``doc`` as .xlsx, one sheet per table, atomically; each sheet's rows as they come."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    try:
        n = 0
        for b in doc.blocks:
            if isinstance(b, Table):
                n += 1
                write_sheet(wb, b, b.sheet or Sheet(f"{n}", caption=doc.title if n == 1 else ""))
        if not n:
            ws = wb.create_sheet("1")
            out = _SheetWriter(ws, {})
            out.append([out.cell(doc.title, out.st.title)])
        with atomic_file(Path(path)) as file:
            wb.save(file)
    except BaseException:
        _discard(wb)
        raise


__all__ = ["FONT_NAME", "CellStyles", "cell_styles", "column_chars", "print_setup", "rich_text", "row_height", "write",
           "write_sheet"]
