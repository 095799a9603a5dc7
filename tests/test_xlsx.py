"""The change tables as .xlsx (openpyxl), read back; and through LibreOffice to PDF."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from composer.api import write_change_table
from composer.writers.xlsx import FONT_NAME

from .conftest import libreoffice_pdf, pdf_fonts, pdf_text
from .test_docx import CHANGES


def test_risk_table_xlsx(tmp_path: Path) -> None:
    out = tmp_path / "changes.xlsx"
    write_change_table(CHANGES, "xlsx", out)
    ws = openpyxl.load_workbook(out).active
    assert ws["A1"].value == "変更点リスク評価表(住民基本台帳)"
    header = [c.value for c in ws[2]]
    assert header == ["通番", "評価書の変更箇所", "変更前", "変更後", "変更理由", "リスク変化", "リスク変化の状況", "リスク対策"]
    assert ws.max_row == 4 and ws.max_column == 8
    row = [c.value for c in ws[3]]
    assert row[0] == 1
    assert row[1].split("\n") == ["Ⅱ特定個人情報ファイルの概要", "（１）住民基本台帳ファイル", "６．特定個人情報の保管・消去", "①保管場所 ※"]
    assert row[5] == "あり" and ws["F4"].value == "なし"
    assert ws.freeze_panes == "A3"  # the header row stays in view
    assert ws.print_title_rows == "$2:$2"  # and is printed on every page
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    for cell in ws[3]:
        assert cell.alignment.wrap_text and cell.alignment.vertical == "top"
        assert cell.font.name == FONT_NAME
    widths = {c: ws.column_dimensions[c].width for c in "ABCDEFGH"}
    assert widths["A"] < widths["F"] < widths["B"] < widths["C"] == widths["D"]


def test_official_table_xlsx(tmp_path: Path) -> None:
    out = tmp_path / "bessou3.xlsx"
    write_change_table(CHANGES, "xlsx", out, official=True)
    ws = openpyxl.load_workbook(out).active
    assert ws["A1"].value == "（別添３）変更箇所"
    assert [c.value for c in ws[2]] == ["変更日", "項目", "変更前の記載", "変更後の記載", "提出時期", "提出時期に係る説明"]
    assert [c.value for c in ws[3]][0] == "令和7年4月1日" and ws["E3"].value == "事前" and ws["E4"].value == "事後"


def test_xlsx_write_is_atomic(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "changes.xlsx"
    write_change_table(CHANGES, "xlsx", out)
    before = out.read_bytes()
    monkeypatch.setattr("composer.files.os.fsync", lambda fd: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    from composer.errors import WriteError

    with pytest.raises(WriteError, match="changes.xlsx: cannot write"):
        write_change_table(CHANGES, "xlsx", out, official=True)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["changes.xlsx"]


@pytest.mark.libreoffice
def test_libreoffice_renders_the_xlsx(tmp_path: Path) -> None:
    out = tmp_path / "changes.xlsx"
    write_change_table(CHANGES, "xlsx", out)
    (pdf,) = libreoffice_pdf([out], tmp_path / "pdf")
    text = pdf_text(pdf)
    for expected in ("変更点リスク評価表(住民基本台帳)", "リスク変化の状況", "ガバメントクラウド"):
        assert expected in text
    assert any("CJK" in name and "Noto" in name and embedded for name, embedded in pdf_fonts(pdf))


def test_rows_are_tall_enough_for_their_wrapped_text(tmp_path: Path) -> None:
    from dataclasses import replace

    from openpyxl import load_workbook

    long = replace(CHANGES.rows[0], no=2, after="①" + "ガバメントクラウド上での業務データの取扱いについては、" * 12)
    table = replace(CHANGES, rows=(CHANGES.rows[0], long))
    out = tmp_path / "changes.xlsx"
    write_change_table(table, "xlsx", out)
    ws = load_workbook(out).active
    short_h, long_h = ws.row_dimensions[3].height, ws.row_dimensions[4].height
    assert short_h is not None and long_h is not None
    assert long_h > 3 * short_h / 2  # many wrapped lines, not one
