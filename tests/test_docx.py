"""Word output: the 評価書 and the change tables as .docx, read back (never compared as bytes)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

import composer
from composer.api import build_documents, write_change_table
from composer.batch import MANIFEST_NAME, BuildError, entry_path, read_entry
from composer.errors import UserError
from composer.model import ChangeRow, ChangeTable
from composer.writers import docx as docx_writer

from .conftest import libreoffice_pdf, pdf_fonts, pdf_text, write

GOV_STORAGE_START = "①サーバ等はクラウド事業者が保有・管理する環境に設置し"

ASSESSMENT = """
form: 全項目
meta:
  number: "1"
  title: 住民基本台帳に関する事務 全項目評価書
  office: 豊島区長
  declaration: |
    豊島区は、住民基本台帳に関する事務における特定個人情報ファイルの取扱いにあたり、
    個人のプライバシー等の権利利益の保護に取り組んでいることを宣言する。
  remarks: 特記事項なし
  published: 2025-04-01
files:
  - id: juki
    name: 住民基本台帳ファイル
    items:
      II.6.1:
        - clause: gov-cloud/storage@1
        - text: |
            事務室内の施錠可能な書庫に保管する。
          heading: ＜豊島区における措置＞
      III.7.r1.5: 十分に行っている
  - id: fuzoku
    name: 本人確認情報ファイル
    items:
      II.6.1: 区役所本庁舎内のサーバ室に設置したサーバに保管する。
items:
  I.1.1: 住民基本台帳に関する事務
  IV.1.2.detail:
    - clause: mid-server/audit@2
"""


@pytest.fixture
def workspace(ws: Path) -> Path:
    write(ws / "assessments" / "juki.yaml", ASSESSMENT)
    return ws


@pytest.fixture
def composed(workspace: Path) -> composer.ComposedAssessment:
    return composer.compose_assessment(composer.load_workspace(workspace), "juki")


@pytest.fixture
def juki_docx(composed: composer.ComposedAssessment, tmp_path: Path) -> Path:
    path = tmp_path / "out" / "juki.docx"
    docx_writer.write_assessment(composed, path)
    return path


def blocks(document) -> list[tuple[str, object]]:  # type: ignore[no-untyped-def]
    """The body in order: ("p", (style name, text)) and ("tbl", Table)."""
    out: list[tuple[str, object]] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            p = docx.text.paragraph.Paragraph(child, document._body)
            out.append(("p", (p.style.name, p.text)))
        elif child.tag == qn("w:tbl"):
            out.append(("tbl", docx.table.Table(child, document._body)))
    return out


def cell_paragraphs(cell) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(p.style.name, p.text) for p in cell.paragraphs]


def find_row(document, label: str):  # type: ignore[no-untyped-def]
    for table in document.tables:
        for row in table.rows:
            if row.cells[0].text == label:
                return row
    raise AssertionError(f"no row labelled {label!r}")


CHANGE_ROWS = (
    ChangeRow(
        no=1,
        section="Ⅱ特定個人情報ファイルの概要\n（１）住民基本台帳ファイル\n６．特定個人情報の保管・消去\n①保管場所",
        before="区役所本庁舎内のサーバ室に設置したサーバに保管する。",
        after="＜ガバメントクラウドにおける措置＞\n" + GOV_STORAGE_START + "、…",
        reason="ガバメントクラウドを利用するため、デジタル庁の評価書記載例を転記した。",
        risk_change="あり",
        risk_situation="現行の住民基本台帳ファイル保存先からリスク対策が追加されるため、セキュリティリスクは低減する。",
        countermeasure="ガバメントクラウドでは以下のようなリスク対策をとっている。\n①ISMAPに登録されたクラウド事業者",
        important=True,
        submission="事前",
        item="juki:II.6.1",
        date="2025-04-01",
        submission_note="重要な変更に当たるため事前に提出する。",
    ),
    ChangeRow(
        no=2,
        section="Ⅰ基本情報\n６．情報提供ネットワークシステムによる情報連携\n②法令上の根拠",
        before="・番号法第１９条第８号及び別表第二",
        after="・番号法第１９条第８号に基づく主務省令第２条の表",
        reason="番号法改正により記載を修正した。",
        risk_change="なし",
        risk_situation="記載のみの修正で運用に変更はない。",
        countermeasure="",
        important=False,
        submission="事後",
    ),
)
CHANGES = ChangeTable("juki", "住民基本台帳", "変更点リスク評価表(住民基本台帳)", CHANGE_ROWS, "2024-04-01", "draft", "2025-04-01")


# --------------------------------------------------------------------------- the 評価書


def test_assessment_reads_back_in_the_forms_order(juki_docx: Path) -> None:
    d = docx.Document(str(juki_docx))
    body = blocks(d)
    paragraphs = [value for kind, value in body if kind == "p"]
    assert paragraphs[0] == ("Title", "特定個人情報保護評価書（全項目評価書）")
    headings = [text for style, text in paragraphs if style in ("Heading 1", "Heading 2")]
    assert headings == [
        "項目一覧",
        "Ⅰ基本情報",
        "Ⅱ特定個人情報ファイルの概要",
        "（１）住民基本台帳ファイル",
        "（２）本人確認情報ファイル",
        "Ⅲ特定個人情報ファイルの取扱いプロセスにおけるリスク対策",
        "（１）住民基本台帳ファイル",
        "（２）本人確認情報ファイル",
        "Ⅳその他のリスク対策",
        "Ⅴ開示請求、問合せ",
        "Ⅵ評価実施手続",
    ]
    # 項目一覧 lists the sections and the attachments, as the 様式 does
    listing = paragraphs[paragraphs.index(("Heading 1", "項目一覧")) + 1 :][:9]
    assert [text for _, text in listing] == [
        "Ⅰ　基本情報", "（別添１）事務の内容", "Ⅱ　特定個人情報ファイルの概要", "（別添２）特定個人情報ファイル記録項目",
        "Ⅲ　特定個人情報ファイルの取扱いプロセスにおけるリスク対策", "Ⅳ　その他のリスク対策", "Ⅴ　開示請求、問合せ",
        "Ⅵ　評価実施手続", "（別添３）変更箇所",
    ]
    # one two-column table after the cover per section and file
    tables = [value for kind, value in body if kind == "tbl"]
    assert len(tables) == 1 + 1 + 2 + 2 + 3
    assert all(len(t.columns) == 2 for t in tables)


def test_cover_table(juki_docx: Path) -> None:
    cover = docx.Document(str(juki_docx)).tables[0]
    texts = [[c.text for c in row.cells] for row in cover.rows]
    assert texts[0] == ["評価書番号", "評価書名"]
    assert texts[1] == ["1", "住民基本台帳に関する事務 全項目評価書"]
    assert texts[2][0] == "個人のプライバシー等の権利利益の保護の宣言"
    assert texts[3][0].startswith("豊島区は、住民基本台帳に関する事務")
    assert texts[4][0] == "特記事項" and texts[5][0] == "特記事項なし"
    assert texts[6] == ["評価実施機関名", "豊島区長"]
    assert texts[7] == ["公表日", "令和7年4月1日"]


def test_items_marks_choices_and_clause_headings(juki_docx: Path) -> None:
    d = docx.Document(str(juki_docx))
    storage = find_row(d, "①保管場所 ※")  # ※: 重要な変更の対象
    assert storage.cells[0].paragraphs[0].style.name == "Hyoka Label"
    content = cell_paragraphs(storage.cells[1])
    assert content[0] == ("Hyoka Clause Heading", "＜ガバメントクラウドにおける措置＞")
    assert content[1][0] == "Hyoka Body" and content[1][1].startswith(GOV_STORAGE_START)
    # one paragraph per line of the clause
    assert ("Hyoka Body", "・日本国内でのデータ保管を条件としていること。") in content
    assert content[-2:] == [("Hyoka Clause Heading", "＜豊島区における措置＞"), ("Hyoka Body", "事務室内の施錠可能な書庫に保管する。")]

    physical = find_row(d, "⑤物理的対策 ※")
    assert cell_paragraphs(physical.cells[1]) == [
        ("Hyoka Body", "[ 十分に行っている ]"),
        ("Hyoka Small", "＜選択肢＞　1) 特に力を入れて行っている　2) 十分に行っている　3) 十分に行っていない"),
    ]
    # an item that is not important carries no ※; labels below an item are indented sublabels
    assert find_row(d, "①事務の名称").cells[1].text == "住民基本台帳に関する事務"
    detail = find_row(d, "具体的な内容 ※")
    assert detail.cells[0].paragraphs[0].style.name == "Hyoka Sublabel"
    assert cell_paragraphs(detail.cells[1])[0] == ("Hyoka Clause Heading", "＜中間サーバー・プラットフォームにおける措置＞")
    # headings of the form are merged rows: １．… shaded header rows
    first = d.tables[1].rows[0]
    assert first.cells[0].text == "１．特定個人情報ファイルを取り扱う事務"
    assert first.cells[0].paragraphs[0].style.name == "Hyoka Table Header"
    assert first._tr.tc_lst[0].tcPr.find(qn("w:gridSpan")).get(qn("w:val")) == "2"


def test_per_file_sections_repeat_with_their_own_content(juki_docx: Path) -> None:
    d = docx.Document(str(juki_docx))
    rows = [r for t in d.tables for r in t.rows if r.cells[0].text == "①保管場所 ※"]
    assert len(rows) == 2
    assert rows[1].cells[1].text == "区役所本庁舎内のサーバ室に設置したサーバに保管する。"


def test_every_paragraph_and_table_names_a_style_and_no_word_lists(juki_docx: Path) -> None:
    d = docx.Document(str(juki_docx))
    body = d.element.body
    assert not body.findall(".//" + qn("w:numPr")), "numbering must be literal text, never Word lists"
    for p in body.iter(qn("w:p")):
        ppr = p.find(qn("w:pPr"))
        assert ppr is not None and ppr.find(qn("w:pStyle")) is not None
        for r in p.findall(qn("w:r")):
            assert r.find(qn("w:rPr")) is None, "no hand-formatted runs"
    for tbl in body.iter(qn("w:tbl")):
        assert tbl.find(qn("w:tblPr")).find(qn("w:tblStyle")).get(qn("w:val")) == "HyokaTable"


def test_styles_set_the_east_asian_font(juki_docx: Path) -> None:
    d = docx.Document(str(juki_docx))
    styles = d.styles.element
    default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert default.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "Noto Serif CJK JP"
    assert default.find(qn("w:lang")).get(qn("w:eastAsia")) == "ja-JP"
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:type")) == "numbering":
            continue
        fonts = style.find(qn("w:rPr")).find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")), style.get(qn("w:styleId"))
        assert not any("Theme" in k for k in fonts.attrib), "theme fonts would override w:eastAsia"
    used = {p.style.name for p in d.paragraphs} | {p.style.name for t in d.tables for r in t.rows for c in r.cells for p in c.paragraphs}
    assert used <= {name for name, _ in docx_writer.STYLES.values()}


def test_page_is_a4_portrait_with_page_numbers(juki_docx: Path) -> None:
    d = docx.Document(str(juki_docx))
    section = d.sections[-1]
    assert (section.page_width.twips, section.page_height.twips) == (11906, 16838)
    assert section.orientation == docx.enum.section.WD_ORIENT.PORTRAIT
    instr = " ".join(t.text for t in section.footer._element.iter(qn("w:instrText")))
    assert "PAGE" in instr
    assert d.core_properties.title == "住民基本台帳に関する事務 全項目評価書"


def test_users_reference_document_styles_are_used_and_missing_ones_added(composed, tmp_path: Path) -> None:
    ref = docx.Document()  # python-docx's template: no Hyoka styles, its own Heading 1
    ref.styles["Heading 1"].font.size = docx.shared.Pt(20)
    ref.sections[0].page_width, ref.sections[0].page_height = docx.shared.Mm(182), docx.shared.Mm(257)  # B5
    ref.add_paragraph("sample text of the reference document")
    ref_path = tmp_path / "mine.docx"
    ref.save(str(ref_path))
    out = tmp_path / "juki.docx"
    docx_writer.write_assessment(composed, out, reference=ref_path)
    d = docx.Document(str(out))
    assert d.styles["Heading 1"].font.size == docx.shared.Pt(20)
    assert "Hyoka Clause Heading" in [s.name for s in d.styles]
    assert d.sections[-1].page_width.twips == docx.shared.Mm(182).twips
    assert "sample text of the reference document" not in [p.text for p in d.paragraphs]
    assert find_row(d, "①保管場所 ※").cells[1].paragraphs[0].style.name == "Hyoka Clause Heading"


def test_unreadable_reference_document_is_a_user_error(composed, tmp_path: Path) -> None:
    bad = tmp_path / "bad.docx"
    bad.write_text("not a zip", encoding="utf-8")
    with pytest.raises(UserError) as exc:
        docx_writer.write_assessment(composed, tmp_path / "x.docx", reference=bad)
    assert "bad.docx" in str(exc.value)
    with pytest.raises(UserError, match="not found"):
        docx_writer.write_assessment(composed, tmp_path / "x.docx", reference=tmp_path / "missing.docx")
    assert not (tmp_path / "x.docx").exists()


def test_failed_write_keeps_the_previous_document(composed, juki_docx: Path, monkeypatch) -> None:
    before = juki_docx.read_bytes()

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("composer.files.os.fsync", broken)  # fails halfway through writing the file
    with pytest.raises(UserError, match="juki.docx: cannot write: No space left on device"):
        docx_writer.write_assessment(composed, juki_docx)
    assert juki_docx.read_bytes() == before
    assert [p.name for p in juki_docx.parent.iterdir()] == ["juki.docx"]  # no temp file left


def test_writer_is_linear_text_and_escapes_xml(composed, tmp_path: Path) -> None:
    from dataclasses import replace

    item = composed.item("I.1.1")
    assert item is not None
    tricky = replace(item.blocks[0], body="A & B <C> \u3000全角で始まる行\n\n３行目")
    items = tuple(replace(it, blocks=(tricky,)) if it is item else it for it in composed.items)
    out = tmp_path / "x.docx"
    docx_writer.write_assessment(replace(composed, items=items), out)
    row = find_row(docx.Document(str(out)), "①事務の名称")
    assert [p.text for p in row.cells[1].paragraphs] == ["A & B <C> \u3000全角で始まる行", "", "３行目"]


def test_wareki() -> None:
    assert docx_writer.wareki("2025-04-01") == "令和7年4月1日"
    assert docx_writer.wareki("2019-05-01") == "令和元年5月1日"
    assert docx_writer.wareki("2019-04-30") == "平成31年4月30日"
    assert docx_writer.wareki("未定") == "未定"


# --------------------------------------------------------------------------- change tables


def test_change_table_docx(tmp_path: Path) -> None:
    out = tmp_path / "changes.docx"
    write_change_table(CHANGES, "docx", out)
    d = docx.Document(str(out))
    assert d.paragraphs[0].text == "変更点リスク評価表(住民基本台帳)"
    assert d.paragraphs[0].style.name == "Title"
    (table,) = d.tables
    assert [c.text for c in table.rows[0].cells] == [
        "通番", "評価書の変更箇所", "変更前", "変更後", "変更理由", "リスク変化", "リスク変化の状況", "リスク対策",
    ]
    assert len(table.columns) == 8 and len(table.rows) == 3
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    assert table.rows[1]._tr.trPr is None or table.rows[1]._tr.trPr.find(qn("w:tblHeader")) is None
    first = table.rows[1].cells
    assert first[0].text == "1"
    assert [p.text for p in first[1].paragraphs] == [
        "Ⅱ特定個人情報ファイルの概要", "（１）住民基本台帳ファイル", "６．特定個人情報の保管・消去", "①保管場所 ※",
    ]
    assert first[5].text == "あり" and table.rows[2].cells[5].text == "なし"
    assert all(p.style.name == "Hyoka Body" for p in first[3].paragraphs)
    widths = [int(g.get(qn("w:w"))) for g in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert widths[0] < widths[5] < widths[1] < widths[2]  # 通番 narrowest, 変更前/変更後 widest
    section = d.sections[-1]
    assert section.orientation == docx.enum.section.WD_ORIENT.LANDSCAPE
    assert (section.page_width.twips, section.page_height.twips) == (16838, 11906)
    assert sum(widths) == section.page_width.twips - section.left_margin.twips - section.right_margin.twips
    footer = section.footer._element
    assert [t.text.strip() for t in footer.iter(qn("w:instrText"))] == ["PAGE", "NUMPAGES"]
    assert "/" in "".join(t.text for t in footer.iter(qn("w:t")))


def test_official_change_table_docx(tmp_path: Path) -> None:
    out = tmp_path / "bessou3.docx"
    write_change_table(CHANGES, "docx", out, official=True)
    d = docx.Document(str(out))
    assert d.paragraphs[0].text == "（別添３）変更箇所"
    (table,) = d.tables
    assert [c.text for c in table.rows[0].cells] == ["変更日", "項目", "変更前の記載", "変更後の記載", "提出時期", "提出時期に係る説明"]
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert rows[0][0] == "令和7年4月1日" and rows[0][4] == "事前" and rows[0][5] == "重要な変更に当たるため事前に提出する。"
    assert rows[1][0] == "令和7年4月1日"  # the table's date when the row has none
    assert rows[1][4] == "事後"
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


# --------------------------------------------------------------------------- hyoka build


def test_cli_build_writes_docx_then_skips_unchanged(workspace: Path, run) -> None:
    first = run("-C", str(workspace), "build")
    assert first.exit_code == 0, first.output
    out = workspace / "build" / "juki.docx"
    assert f"wrote {out}" in first.stdout
    assert docx.Document(str(out)).paragraphs[0].text == "特定個人情報保護評価書（全項目評価書）"
    entry = json.loads(entry_path(workspace / "build", "juki.docx").read_text(encoding="utf-8"))
    assert entry["key"].startswith("sha256:") and entry["assessment"] == "juki" and entry["format"] == "docx"
    assert "mid-server/audit" in entry["clauses"]
    second = run("-C", str(workspace), "build", "--format", "docx")
    assert second.exit_code == 0
    assert "unchanged" in second.stdout and "skipped" in second.stdout
    forced = run("-C", str(workspace), "build", "--force")
    assert f"wrote {out}" in forced.stdout
    # a change of the text rebuilds the document
    write(workspace / "assessments" / "juki.yaml", ASSESSMENT.replace("住民基本台帳に関する事務\n", "住民基本台帳事務\n"))
    third = run("-C", str(workspace), "build")
    assert f"wrote {out}" in third.stdout
    # a deleted output is written again
    out.unlink()
    assert "wrote" in run("-C", str(workspace), "build").stdout


def test_cli_failing_writer_keeps_previous_file(workspace: Path, run, monkeypatch) -> None:
    assert run("-C", str(workspace), "build").exit_code == 0
    out = workspace / "build" / "juki.docx"
    good = out.read_bytes()
    write(workspace / "assessments" / "juki.yaml", ASSESSMENT.replace("豊島区長", "豊島区長 高際みゆき"))
    real_xml = docx_writer.assessment_xml

    def half(*args, **kwargs):  # type: ignore[no-untyped-def]
        real_xml(*args, **kwargs)  # the body is built, then the writer dies
        raise RuntimeError("writer crashed halfway")

    monkeypatch.setattr(docx_writer, "assessment_xml", half)
    result = run("-C", str(workspace), "build")
    assert result.exit_code != 0
    assert "writer crashed halfway" in result.stderr
    assert out.read_bytes() == good
    assert sorted(p.name for p in out.parent.iterdir()) == [MANIFEST_NAME, "juki.docx"]
    assert [p.name for p in (out.parent / MANIFEST_NAME).iterdir()] == ["juki.docx.json"]
    # the manifest entry still describes the old file: the next build (writer fixed) rewrites it
    monkeypatch.setattr(docx_writer, "assessment_xml", real_xml)
    assert f"wrote {out}" in run("-C", str(workspace), "build").stdout


def test_cli_reference_doc_and_bad_reference(workspace: Path, run, tmp_path: Path) -> None:
    ref = tmp_path / "ref.docx"
    docx.Document().save(str(ref))
    ok = run("-C", str(workspace), "build", "--reference-doc", str(ref), "-o", str(tmp_path / "o"))
    assert ok.exit_code == 0, ok.stderr
    bad = run("-C", str(workspace), "build", "--reference-doc", str(tmp_path / "nope.docx"))
    assert bad.exit_code == 1 and "reference document not found" in bad.stderr


def test_build_in_processes_with_progress(workspace: Path, tmp_path: Path) -> None:
    for name in ("a", "b", "c", "d", "e"):
        write(workspace / "assessments" / f"{name}.yaml", ASSESSMENT)
    (workspace / "assessments" / "juki.yaml").unlink()
    out = tmp_path / "out"
    seen: list[tuple[int, int, str]] = []
    results = build_documents(workspace, None, out, "docx", jobs=2, progress=lambda d, t, r: seen.append((d, t, r.status)))
    assert [(r.name, r.status) for r in results] == [(n, "written") for n in "abcde"]
    assert sorted(d for d, _, _ in seen) == [1, 2, 3, 4, 5] and {t for _, t, _ in seen} == {5}
    assert all(docx.Document(str(r.path)).tables for r in results)
    assert all(read_entry(out, f"{n}.docx") for n in "abcde")  # written by the workers, moved in by the parent
    again = build_documents(workspace, None, out, "docx", jobs=2)
    assert [r.status for r in again] == ["unchanged"] * 5
    # another reference document changes the key
    ref = tmp_path / "ref.docx"
    docx.Document().save(str(ref))
    assert {r.status for r in build_documents(workspace, ["a"], out, "docx", reference=ref)} == {"written"}
    assert build_documents(workspace, ["a"], out, "docx", reference=ref)[0].status == "unchanged"


def test_build_reports_every_failure(workspace: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(docx_writer, "assessment_xml", lambda *a, **k: (_ for _ in ()).throw(ValueError("boom")))
    with pytest.raises(BuildError) as exc:
        build_documents(workspace, None, tmp_path / "out", "docx")
    assert "juki.docx: could not write: ValueError: boom" in str(exc.value)
    assert [r.name for r in exc.value.results] == ["juki"]
    assert not (tmp_path / "out" / "juki.docx").exists() and not entry_path(tmp_path / "out", "juki.docx").exists()


# --------------------------------------------------------------------------- LibreOffice


@pytest.mark.libreoffice
def test_libreoffice_renders_japanese_with_an_embedded_cjk_font(juki_docx: Path, tmp_path: Path) -> None:
    changes = tmp_path / "out" / "changes.docx"
    write_change_table(CHANGES, "docx", changes)
    pdf_dir = tmp_path / "pdf"
    juki_pdf, changes_pdf = libreoffice_pdf([juki_docx, changes], pdf_dir)

    text = re.sub(r"\s+", "", pdf_text(juki_pdf))  # pdftotext spaces out proportional glyphs
    for expected in ("特定個人情報保護評価書（全項目評価書）", "＜ガバメントクラウドにおける措置＞", "①保管場所※", "令和7年4月1日"):
        assert expected in text
    assert "十分に行っている" in text
    changes_text = re.sub(r"\s+", "", pdf_text(changes_pdf))
    for expected in ("変更点リスク評価表(住民基本台帳)", "リスク変化の状況", "1/1"):
        assert expected in changes_text
    for pdf in (juki_pdf, changes_pdf):
        fonts = pdf_fonts(pdf)
        assert any("CJK" in name and "Noto" in name and embedded for name, embedded in fonts), fonts
