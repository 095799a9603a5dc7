"""Stage 5c: the change tables as .xlsx — many offices keep the 変更点リスク評価表 in Excel.

One sheet: the title in row 1, the column headers in row 2 (frozen, repeated on every
printed page), one row per change with wrapped, top-aligned text; A4 landscape, fitted
to the page width.
"""

from __future__ import annotations

import io
from pathlib import Path

from .docx_writer import OFFICIAL_TITLE, wareki
from .model import ChangeTable
from .yamlio import atomic_write

#: Set as the font name of every cell. Excel falls back to its default Japanese font
#: (游ゴシック) where Noto is not installed; LibreOffice here has Noto.
FONT_NAME = "Noto Sans CJK JP"

RISK_COLUMNS = (
    ("通番", 6),
    ("評価書の変更箇所", 28),
    ("変更前", 40),
    ("変更後", 40),
    ("変更理由", 32),
    ("リスク変化", 10),
    ("リスク変化の状況", 32),
    ("リスク対策", 32),
)
OFFICIAL_COLUMNS = (
    ("変更日", 14),
    ("項目", 30),
    ("変更前の記載", 40),
    ("変更後の記載", 40),
    ("提出時期", 10),
    ("提出時期に係る説明", 30),
)


def write_change_table_xlsx(table: ChangeTable, path: Path, official: bool = False) -> None:
    """Write the 変更点リスク評価表 (or, ``official``, the (別添3) 変更箇所) as .xlsx, atomically."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    columns = OFFICIAL_COLUMNS if official else RISK_COLUMNS
    wb = Workbook()
    ws = wb.active
    ws.title = "変更箇所" if official else "変更点リスク評価表"

    body_font = Font(name=FONT_NAME, size=9)
    bold_font = Font(name=FONT_NAME, size=9, bold=True)
    title_font = Font(name=FONT_NAME, size=14, bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    fill = PatternFill("solid", fgColor="D9D9D9")

    ws.cell(row=1, column=1, value=OFFICIAL_TITLE if official else table.title).font = title_font
    for col, (name, width) in enumerate(columns, 1):
        cell = ws.cell(row=2, column=col, value=name)
        cell.font, cell.alignment, cell.border, cell.fill = bold_font, wrap, border, fill
        ws.column_dimensions[get_column_letter(col)].width = width

    for r, row in enumerate(table.rows, 3):
        if official:
            values: list[object] = [wareki(row.date or table.date), row.section, row.before, row.after, row.submission, row.submission_note]
        else:
            section = row.section + (" ※" if row.important else "")
            values = [row.no, section, row.before, row.after, row.reason, row.risk_change or "なし", row.risk_situation, row.countermeasure]
        for col, value in enumerate(values, 1):
            if isinstance(value, str):
                value = value.strip("\n")
            cell = ws.cell(row=r, column=col, value=value)
            cell.font, cell.alignment, cell.border = body_font, wrap, border

    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "&P/&N"
    last = get_column_letter(len(columns))
    ws.print_area = f"A1:{last}{max(2, len(table.rows) + 2)}"

    buffer = io.BytesIO()
    wb.save(buffer)
    atomic_write(Path(path), buffer.getvalue())


__all__ = ["FONT_NAME", "write_change_table_xlsx"]
