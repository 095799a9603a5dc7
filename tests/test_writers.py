"""The writers are one layer: one neutral document through every writer; what each writer imports."""

from __future__ import annotations

import ast
import csv
import io
import json
from pathlib import Path

import docx
import openpyxl
import pytest

from composer import writers
from composer.errors import UserError
from composer.writers.model import Bullets, Cell, Column, Document, Heading, Paragraph, Row, Run, Sheet, Table

from .conftest import EXAMPLE

PACKAGE = Path(__file__).resolve().parent.parent / "composer"

# A new kind of document: a 引継ぎ memo, which no builder of hyoka makes.
MEMO = Document(
    "引継ぎメモ",
    (
        Heading("引継ぎメモ", 0),
        Paragraph((Run("旧担当の"), Run("削除語", "del"), Run("と"), Run("追加語", "ins"), Run("と"), Run("傍線語", "u")), "normal"),
        Bullets(("第一の項目", "第二の項目")),
        Table(
            (Column("項目", 1), Column("件数", 1), Column("備考", 2)),
            (
                Row((Cell("未処理の照会"), Cell(3), Cell("窓口A | 窓口B\n二行目"))),
                Row((Cell("合計", style="header", shade=True), Cell(3, style="header", shade=True), Cell("", shade=True))),
                Row((Cell("全幅の注記", span=3),), keep=True),
            ),
            sheet=Sheet("メモ", caption="引継ぎメモ", lead=("作成：総務課",), notes=("以上",)),
        ),
    ),
    data={"kind": "memo", "open": 3},
)


def test_a_new_document_goes_through_every_writer(tmp_path: Path) -> None:
    assert set(writers.FORMATS) == {"md", "html", "csv", "json", "docx", "xlsx"}
    md = writers.render(MEMO, "md")
    assert md.startswith("# 引継ぎメモ\n\n旧担当の~~削除語~~と<ins>追加語</ins>と<u>傍線語</u>\n\n- 第一の項目\n- 第二の項目\n\n")
    assert "| 項目 | 件数 | 備考 |\n|---|---|---|\n| 未処理の照会 | 3 | 窓口A ｜ 窓口B<br>二行目 |" in md
    assert "| 全幅の注記 |   |   |" in md

    html = writers.render(MEMO, "html")
    assert html.startswith("<!DOCTYPE html>") and "<title>引継ぎメモ</title>" in html
    assert "<del>削除語</del>" in html and "<ins>追加語</ins>" in html and "<u>傍線語</u>" in html
    assert "<th>件数</th>" in html and "<td>窓口A | 窓口B\n二行目</td>" in html and '<td colspan="3">全幅の注記</td>' in html
    assert "<li>第二の項目</li>" in html and "<script" not in html  # no filters: no script

    text = writers.render(MEMO, "csv")
    assert text.startswith("\ufeff") and "\r\n" in text
    assert list(csv.reader(io.StringIO(text[1:])))[:2] == [["項目", "件数", "備考"], ["未処理の照会", "3", "窓口A | 窓口B\n二行目"]]

    assert json.loads(writers.render(MEMO, "json")) == {"kind": "memo", "open": 3}
    structure = json.loads(writers.render(Document("無題", (Paragraph("本文のみ"),)), "json"))
    assert structure["type"] == "Document" and structure["blocks"][0]["content"] == "本文のみ"

    for fmt in ("md", "html", "csv", "json", "docx", "xlsx"):
        writers.write(MEMO, fmt, tmp_path / f"memo.{fmt}")
    assert (tmp_path / "memo.md").read_text(encoding="utf-8") == md

    d = docx.Document(str(tmp_path / "memo.docx"))
    assert d.core_properties.title == "引継ぎメモ"
    assert d.paragraphs[0].text == "引継ぎメモ" and d.paragraphs[0].style.name == "Title"
    marked = {r.text: (bool(r.font.strike), bool(r.font.underline)) for r in d.paragraphs[1].runs}
    assert marked == {"旧担当の": (False, False), "削除語": (True, False), "と": (False, False), "追加語": (False, True), "傍線語": (False, True)}
    assert [p.text for p in d.paragraphs[2:4]] == ["・第一の項目", "・第二の項目"]
    (table,) = d.tables
    assert table.style.name == "Hyoka Table"
    assert [c.text for c in table.rows[0].cells] == ["項目", "件数", "備考"]
    assert [p.text for p in table.rows[1].cells[2].paragraphs] == ["窓口A | 窓口B", "二行目"]
    assert table.rows[3].cells[0].text == "全幅の注記"

    ws = openpyxl.load_workbook(tmp_path / "memo.xlsx").active
    assert ws.title == "メモ" and ws["A1"].value == "引継ぎメモ" and ws["A2"].value == "作成：総務課"
    assert [c.value for c in ws[3]] == ["項目", "件数", "備考"]
    assert [c.value for c in ws[4]] == ["未処理の照会", 3, "窓口A | 窓口B\n二行目"]  # a number stays a number
    assert ws["A6"].value == "全幅の注記" and "A6:C6" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A8"].value == "以上"
    assert ws.print_title_rows == "$3:$3" and ws.page_setup.orientation == "landscape"


def test_every_sheet_has_the_same_print_setup(tmp_path: Path) -> None:
    from composer.api import write_report
    from composer.documents.report import build_report, fiscal_year

    fy = fiscal_year(2025)
    write_report(build_report(EXAMPLE, fy.start, fy.end), "xlsx", tmp_path / "report.xlsx")
    writers.write(MEMO, "xlsx", tmp_path / "memo.xlsx")
    sheets = [*openpyxl.load_workbook(tmp_path / "report.xlsx").worksheets, openpyxl.load_workbook(tmp_path / "memo.xlsx").active]
    assert len(sheets) == 7
    for ws in sheets:
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows and ws.freeze_panes
        assert ws.oddFooter.center.text == "&P/&N"


def test_text_formats_refuse_a_file_format_and_unknown_formats() -> None:
    with pytest.raises(UserError, match="written to a file"):
        writers.render(MEMO, "docx")
    with pytest.raises(UserError, match="unknown format 'pdf'"):
        writers.write(MEMO, "pdf", Path("x.pdf"))


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


@pytest.mark.parametrize("path", sorted((PACKAGE / "writers").glob("*.py")), ids=lambda p: p.name)
def test_writers_import_nothing_above_them(path: Path) -> None:
    banned = ("composer.documents", "composer.revisions", "composer.load", "composer.lint", "composer.api",
              "composer.batch", "composer.cli", "composer.importing", "composer.compose")
    bad = sorted(m for m in _imports(path) if m.startswith(banned))
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", sorted((PACKAGE / "documents").glob("*.py")), ids=lambda p: p.name)
def test_documents_build_models_and_pick_no_writer(path: Path) -> None:
    bad = sorted(m for m in _imports(path) if m.startswith("composer.writers") and not m.startswith("composer.writers.model"))
    assert not bad, f"{path.name} imports {bad}"


def test_the_report_loads_each_assessment_once(monkeypatch) -> None:
    from composer.documents.report import build_report, fiscal_year
    from composer.load import workspace

    loaded: list[str] = []
    real = workspace.load_assessment

    def counting(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        loaded.append(Path(path).stem)
        return real(path, *args, **kwargs)

    from composer.compose import stream

    monkeypatch.setattr(workspace, "load_assessment", counting)
    monkeypatch.setattr(stream, "load_assessment", counting)  # the report streams its drafts
    fy = fiscal_year(2025)
    report = build_report(EXAMPLE, fy.start, fy.end)
    assert [a.name for a in report.assessments] == ["juki", "juminzei"]
    assert sorted(loaded) == ["juki", "juminzei"]


def test_the_cli_offers_exactly_the_formats_each_document_is_written_in(run) -> None:
    # the CLI spells its --format choices out (its start imports no writer); they must stay the documents' own
    from composer import cli
    from composer.documents import report, shinkyu, tables

    assert cli.DIFF_FORMATS == tables.FORMATS
    assert cli.REPORT_FORMATS == report.FORMATS
    assert set(shinkyu.FORMATS) <= set(cli.DIFF_FORMATS)
    for command, formats in (("diff", tables.FORMATS), ("report", report.FORMATS)):
        shown = run(command, "--help").stdout
        assert "[" + "|".join(formats) + "]" in " ".join(shown.split()), shown
