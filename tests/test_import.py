"""Import of Word 評価書 (hyoka import) and the Word round trip (hyoka import --update)."""

from __future__ import annotations

import difflib
import json
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

import composer
from composer import api
from composer.errors import UserError
from composer.model import COVER_FIELDS, ComposedAssessment, ComposedItem

from .conftest import EXAMPLE, libreoffice_pdf, pdf_text


@pytest.fixture
def example(tmp_path: Path) -> Path:
    root = tmp_path / "toshima"
    shutil.copytree(EXAMPLE, root)
    return root


def built(root: Path, name: str) -> Path:
    api.build(root, [name], root / "build", "docx")
    return root / "build" / f"{name}.docx"


def doc_lines(it: ComposedItem) -> list[str]:
    """An item as the 評価書 prints it: the choice, then heading and body lines of each block."""
    out = [it.choice] if it.choice else []
    for b in it.blocks:
        if b.heading:
            out.append(b.heading)
        body = b.body.strip("\n")
        out += body.split("\n") if body else []
    return out


def by_place(c: ComposedAssessment) -> dict[tuple[int | None, str], ComposedItem]:
    files = {f.id: i for i, f in enumerate(c.files)}
    return {(files[it.file] if it.file else None, it.key): it for it in c.items}


def same_document(a: ComposedAssessment, b: ComposedAssessment) -> list[str]:
    """Differences item by item (text as printed, pins with versions)."""
    pa, pb = by_place(a), by_place(b)
    out = [f"missing {k}" for k in pa if k not in pb] + [f"extra {k}" for k in pb if k not in pa]
    for k, it in pa.items():
        other = pb.get(k)
        if other is None:
            continue
        if doc_lines(it) != doc_lines(other):
            out.append(f"text {k}: {doc_lines(it)[:2]} != {doc_lines(other)[:2]}")
        if [x.pin for x in it.blocks if x.pin] != [x.pin for x in other.blocks if x.pin]:
            out.append(f"pins {k}: {[x.pin for x in it.blocks if x.pin]} != {[x.pin for x in other.blocks if x.pin]}")
    return out


# --------------------------------------------------------------------------- import(build(x))


@pytest.mark.parametrize("name", ["juki", "juminzei"])
def test_import_of_a_built_document_composes_to_the_same_text_and_pins(example: Path, name: str) -> None:
    source = built(example, name)
    report = api.import_docx(example, source, "imported")
    ws = composer.load_workspace(example)
    original = composer.compose_assessment(ws, name)
    imported = composer.compose_assessment(ws, "imported")
    assert same_document(original, imported) == []
    assert [f.name for f in imported.files] == [f.name for f in original.files]
    assert imported.meta.title == original.meta.title
    assert imported.meta.declaration.strip() == original.meta.declaration.strip()
    pins = {(p["item"], p["clause"], p["version"]) for p in report.to_dict()["pins"]}
    assert len(pins) == len(original.pins)
    assert report.document.unmatched == []


def test_import_infers_clause_parameters_from_the_text(example: Path) -> None:
    report = api.import_docx(example, built(example, "juki"), "imported")
    text = (example / "assessments" / "imported.yaml").read_text(encoding="utf-8")
    assert "law/info-provision@2" in text and "info: 住民票関係情報" in text
    assert any(p["clause"] == "law/info-provision" for p in report.to_dict()["pins"])


def test_close_adaptable_clause_becomes_a_variant_holding_the_imported_wording(example: Path) -> None:
    report = api.import_docx(example, built(example, "juki"), "imported")
    variants = report.to_dict()["variants"]
    erasure = [v for v in variants if v["clause"] == "gov-cloud/erasure"]
    assert erasure and 0.8 <= erasure[0]["similarity"] < 1
    text = (example / "assessments" / "imported.yaml").read_text(encoding="utf-8")
    assert "NIST 800-88、ISO/IEC27001等に準拠したプロセスにしたがって確実にデータを消去する。" in text


def test_import_cli_json_report_and_existing_name_refused(example: Path, run) -> None:
    source = built(example, "juki")
    r = run("-C", str(example), "import", str(source), "--name", "imported", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert set(data) >= {"items_filled", "pins", "variants", "local_texts", "unplaced", "unmatched_labels"}
    assert "file1:II.6.1" in data["items_filled"] and data["similarity_threshold"] == 0.8
    again = run("-C", str(example), "import", str(source), "--name", "imported")
    assert again.exit_code != 0 and "exists" in again.stderr and len(again.stderr.strip().splitlines()) == 1


def test_publish_records_the_imported_state_as_baseline(example: Path, run) -> None:
    source = built(example, "juki")
    r = run("-C", str(example), "import", str(source), "--name", "imported", "--publish", "--date", "2024-04-01")
    assert r.exit_code == 0, r.output
    assert (example / "snapshots" / "imported").is_dir()
    diff = run("-C", str(example), "diff", "imported", "--format", "json")
    assert diff.exit_code == 0, diff.output
    assert json.loads(diff.stdout)["rows"] == [] if diff.stdout.strip().startswith("{") else "rows" not in diff.stdout


def test_publish_refused_after_import_writes_neither_the_assessment_nor_a_snapshot(example: Path, run) -> None:
    path = example / "assessments" / "juki.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  I.1.1: 住民基本台帳に関する事務", "  I.1.1: 【要記入：事務の名称】", 1), encoding="utf-8")
    source = built(example, "juki")
    r = run("-C", str(example), "import", str(source), "--name", "imported", "--publish", "--date", "2024-04-01")
    assert r.exit_code == 1 and "Traceback" not in r.stderr
    assert "assessments/imported.yaml:" in r.stderr and "【要記入：事務の名称】" in r.stderr and "fill it in before publishing" in r.stderr
    assert not (example / "assessments" / "imported.yaml").exists()
    assert not (example / "snapshots" / "imported").exists()
    plain = run("-C", str(example), "import", str(source), "--name", "imported")  # without --publish it imports
    assert plain.exit_code == 0, plain.stderr
    assert "【要記入：事務の名称】" in (example / "assessments" / "imported.yaml").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- a document made without hyoka


def _merge_h(row, a: int, b: int):  # type: ignore[no-untyped-def]
    return row.cells[a].merge(row.cells[b])


def _set_text(cell, text: str, breaks: bool = True) -> None:  # type: ignore[no-untyped-def]
    """Write ``text`` into ``cell`` with line breaks (not paragraphs) between lines."""
    p = cell.paragraphs[0]
    lines = text.split("\n")
    run = p.add_run(lines[0])
    for line in lines[1:]:
        run.add_break()
        run = p.add_run(line)
    del breaks


def _halfwidth(label: str) -> str:
    return label.translate(str.maketrans("０１２３４５６７８９（）", "0123456789()"))


def foreign_document(c: ComposedAssessment, path: Path) -> None:
    """The 評価書 ``c`` laid out differently: 3 columns, merged group cells, half-width numbering, breaks, blank rows."""
    d = docx.Document()
    style = d.styles["Normal"]
    style.font.name = "MS Mincho"
    style.font.size = Pt(9)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), "ＭＳ 明朝")
    d.add_paragraph(f"特定個人情報保護評価書（{c.form_title}）")
    cover = d.add_table(rows=0, cols=2)
    for label, value in (("評価書番号", c.meta.number), ("評価書名", c.meta.title),
                         ("個人のプライバシー等の権利利益の保護の宣言", c.meta.declaration), ("評価実施機関名", c.meta.office)):
        row = cover.add_row()
        _set_text(row.cells[0], label)
        _set_text(row.cells[1], value.strip("\n"))
    files = {f.id: f for f in c.files}
    table = None
    group_start = None
    section = None
    current_file = None

    def close_group() -> None:
        nonlocal group_start
        if group_start is not None and table is not None and len(table.rows) - 1 > group_start[0]:
            top = table.rows[group_start[0]].cells[0]
            top.merge(table.rows[len(table.rows) - 1].cells[0])
        group_start = None

    for it in c.items:
        if it.depth == 0:
            close_group()
            if it.label != section:
                section = it.label
                d.add_paragraph(it.label[0] + "　" + it.label[1:])  # Ⅰ　基本情報
                current_file = None
            if it.file and it.file != current_file:
                current_file = it.file
                label = files[it.file].label
                d.add_paragraph(_halfwidth(label[:3]) + " " + label[3:])
            table = d.add_table(rows=0, cols=3)
            table.style = d.styles["Table Grid"]
            table.add_row()  # an extra blank row
            continue
        assert table is not None
        label = _halfwidth(it.label)
        if it.important:
            label += "　※"
        if len(label) > 14 and it.type:
            label = label[:10] + "\n" + label[10:]  # a line break inside the label
        if it.type is None and it.depth == 1:
            close_group()
            row = table.add_row()
            cell = row.cells[0].merge(row.cells[2])
            _set_text(cell, label)
            continue
        if it.type is None:
            close_group()
            row = table.add_row()
            _set_text(row.cells[0], label)
            group_start = (len(table.rows) - 1,)
            first = True
            # the group's label sits in column 0 beside its items (merged down when closed)
            table._pending_first = first  # type: ignore[attr-defined]
            continue
        if group_start is not None and it.depth <= 2:
            close_group()  # an item beside the group, not in it
        if group_start is not None and getattr(table, "_pending_first", False):
            row = table.rows[group_start[0]]
            table._pending_first = False  # type: ignore[attr-defined]
        else:
            row = table.add_row()
        if group_start is not None:
            _set_text(row.cells[1], label)
            value_cell = row.cells[2]
        else:
            _set_text(_merge_h(row, 0, 1), label)
            value_cell = row.cells[2]
        if it.type == "choice":
            _set_text(value_cell, f"［ {it.choice or ''} ］\n＜選択肢＞ " + " ".join(f"{i}) {x}" for i, x in enumerate(it.choices, 1)))
        elif it.blocks:
            _set_text(value_cell, "\n".join(doc_lines(it)))
        if it.depth == 1:
            table.add_row()  # blank rows between the headings' items
    close_group()
    d.save(str(path))


def test_a_word_file_made_without_hyoka_imports_every_item_and_clause(example: Path, tmp_path: Path) -> None:
    ws = composer.load_workspace(example)
    original = composer.compose_assessment(ws, "juki")
    path = tmp_path / "filed.docx"
    foreign_document(original, path)
    report = api.import_docx(example, path, "filed")
    imported = composer.compose_assessment(composer.load_workspace(example), "filed")
    assert same_document(original, imported) == []
    assert report.document.unmatched == []
    assert {(p["item"], p["clause"]) for p in report.to_dict()["pins"]} == {
        (f"file{[f.id for f in original.files].index(it.file) + 1}:{it.key}" if it.file else it.key, b.clause)
        for it, b in original.pins
    }


def test_labels_split_over_rows_and_merged_values(example: Path, tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("特定個人情報保護評価書（全項目評価書）")
    d.add_paragraph("Ⅰ 基本情報")
    t = d.add_table(rows=4, cols=2)
    t.rows[0].cells[0].merge(t.rows[0].cells[1]).text = "1.特定個人情報ファイルを取り扱う事務"
    t.rows[1].cells[0].text = "①事務の"
    t.rows[2].cells[0].text = "名称"
    t.rows[1].cells[1].merge(t.rows[2].cells[1]).text = "住民基本台帳に関する事務"
    t.rows[3].cells[0].text = "⑨存在しない項目"
    t.rows[3].cells[1].text = "どこにも入らない文"
    path = tmp_path / "split.docx"
    d.save(str(path))
    report = api.import_docx(example, path, "split")
    data = report.to_dict()
    assert data["items_filled"] == ["I.1.1"]
    assert any(u["text"] == "どこにも入らない文" and u["where"] == "table 1, row 4" for u in data["unplaced"])
    assert data["unmatched_labels"][0]["label"] == "⑨存在しない項目"


def test_nothing_is_lost(example: Path) -> None:
    """Every character of the document's text is in the YAML or listed as not placed."""
    from composer.importing.reader import Paragraph, read_docx

    source = built(example, "juki")
    report = api.import_docx(example, source, "imported")
    text = (example / "assessments" / "imported.yaml").read_text(encoding="utf-8")
    composed = composer.compose_assessment(composer.load_workspace(example), "imported")
    placed = "\n".join(line for it in composed.items for line in doc_lines(it)) + text
    unplaced = "\n".join(u.text for u in report.document.unplaced)
    form_labels = {it.label for it in composed.items} | {label for label, _ in COVER_FIELDS}
    for part in read_docx(source).parts:
        cells = [part.text] if isinstance(part, Paragraph) else [c.text for r in part.rows for c in r.cells]
        for cell in cells:
            for line in cell.split("\n"):
                line = line.strip()
                if not line or line == "項目一覧" or line.replace(" ※", "") in form_labels or line.startswith(("[", "＜選択肢＞", "（")):
                    continue
                assert line in placed or line in unplaced or line in composed.contents or "評価書" in line, line


@pytest.mark.parametrize(
    "content, message",
    [
        (b"not a zip file at all", "not a Word document"),
        (None, "no word/document.xml"),
        ("plain", "not a 評価書"),
    ],
)
def test_damaged_or_foreign_docx_gets_one_clear_line(example: Path, tmp_path: Path, run, content, message: str) -> None:
    path = tmp_path / "bad.docx"
    if content is None:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("hello.txt", "x")
    elif content == "plain":
        d = docx.Document()
        d.add_paragraph("議事録")
        t = d.add_table(rows=1, cols=2)
        t.rows[0].cells[0].text = "日時"
        d.save(str(path))
    else:
        path.write_bytes(content)
    r = run("-C", str(example), "import", str(path), "--name", "bad")
    assert r.exit_code != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "bad.docx" in lines[0]
    assert not (example / "assessments" / "bad.yaml").exists()


def test_truncated_docx_is_refused(example: Path, tmp_path: Path) -> None:
    data = built(example, "juki").read_bytes()
    path = tmp_path / "cut.docx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(UserError, match="not a Word document"):
        api.import_docx(example, path, "cut")


# --------------------------------------------------------------------------- round trip


def _edit_cell(path: Path, find: str, replace: str) -> None:
    """Edit the document as Word would: change the text of the paragraph containing ``find``."""
    d = docx.Document(str(path))
    for t in d.tables:
        for row in t.rows:
            for cell in row.cells:
                for p in cell.paragraphs:
                    if find in p.text:
                        new = p.text.replace(find, replace)
                        for r in p.runs[1:]:
                            r._r.getparent().remove(r._r)
                        p.runs[0].text = new
                        d.save(str(path))
                        return
    raise AssertionError(f"{find!r} not in the document")


def test_round_trip_local_text_edit_changes_only_that_item(example: Path, run) -> None:
    path = built(example, "juki")
    yaml_path = example / "assessments" / "juki.yaml"
    before = yaml_path.read_text(encoding="utf-8").splitlines()
    _edit_cell(path, "住民基本台帳の作成、記載、消除及び修正", "住民基本台帳の作成、記載、消除、修正")
    r = run("-C", str(example), "import", "--update", "juki", str(path))
    assert r.exit_code == 0, r.output
    after = yaml_path.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(before) == len(after) and len(changed) == 1
    assert "消除、修正" in changed[0][1]
    item = composer.compose_assessment(composer.load_workspace(example), "juki").item("I.1.2")
    assert "消除、修正" in item.text


def test_round_trip_edit_in_adaptable_clause_becomes_a_variant(example: Path) -> None:
    path = built(example, "juki")
    ws = composer.load_workspace(example)
    item = composer.compose_assessment(ws, "juki").item("juki:III.7.r1.6.detail")
    line = item.blocks[0].body.split("\n")[1]
    _edit_cell(path, line, line + "（令和7年度改定）")
    yaml_path = example / "assessments" / "juki.yaml"
    before = yaml_path.read_text(encoding="utf-8").splitlines()
    report = api.update_from_docx(example, "juki", path)
    assert report.changed == ["juki:III.7.r1.6.detail"]
    diff = [d for d in difflib.ndiff(before, yaml_path.read_text(encoding="utf-8").splitlines()) if d[:1] in "+-"]
    assert all(d.startswith("+ ") for d in diff)  # only the variant is added; every other line as it was
    assert diff[0][2:].strip() == "variant: |" and len(diff) == 1 + len(item.blocks[0].body.split("\n"))
    again = composer.compose_assessment(composer.load_workspace(example), "juki").item("juki:III.7.r1.6.detail")
    assert again.blocks[0].pin == "gov-cloud/technical@1" and again.blocks[0].variant
    assert line + "（令和7年度改定）" in again.blocks[0].body


def test_round_trip_choice_change(example: Path) -> None:
    path = built(example, "juki")
    _edit_cell(path, "[ 十分に行っている ]", "[ 特に力を入れて行っている ]")
    report = api.update_from_docx(example, "juki", path)
    assert len(report.changed) == 1
    composed = composer.compose_assessment(composer.load_workspace(example), "juki")
    assert composed.item(report.changed[0]).choice == "特に力を入れて行っている"


def test_round_trip_edit_inside_verbatim_clause_is_refused(example: Path, run) -> None:
    path = built(example, "juki")
    yaml_path = example / "assessments" / "juki.yaml"
    before = yaml_path.read_bytes()
    _edit_cell(path, "番号法第１９条第８号（特定個人情報の提供の制限）", "番号法第１９条第９号（特定個人情報の提供の制限）")
    r = run("-C", str(example), "import", "--update", "juki", str(path))
    assert r.exit_code != 0
    assert "verbatim clause law/info-provision@2" in r.stderr and "②法令上の根拠" in r.stderr
    assert yaml_path.read_bytes() == before


def test_round_trip_without_edits_writes_nothing(example: Path) -> None:
    path = built(example, "juki")
    yaml_path = example / "assessments" / "juki.yaml"
    before = yaml_path.read_bytes()
    report = api.update_from_docx(example, "juki", path)
    assert report.changed == []
    assert yaml_path.read_bytes() == before


@pytest.mark.libreoffice
def test_foreign_document_opens_in_libreoffice(example: Path, tmp_path: Path) -> None:
    ws = composer.load_workspace(example)
    path = tmp_path / "filed.docx"
    foreign_document(composer.compose_assessment(ws, "juki"), path)
    pdf = libreoffice_pdf([path], tmp_path)[0]
    assert "住民基本台帳に関する事務" in pdf_text(pdf)


def test_close_verbatim_clause_is_kept_as_local_text_with_a_warning(example: Path) -> None:
    path = built(example, "juki")
    ws = composer.load_workspace(example)
    item = composer.compose_assessment(ws, "juki").item("IV.1.2.detail")
    block = next(b for b in item.blocks if b.clause == "mid-server/audit")
    line = block.body.split("\n")[0]
    _edit_cell(path, line, line[:-1] + "（毎年度）。")
    report = api.import_docx(example, path, "imported")
    data = report.to_dict()
    assert not any(p["clause"] == "mid-server/audit" for p in data["pins"])
    assert any("verbatim clause mid-server/audit@2" in w for w in data["warnings"])
    imported = composer.compose_assessment(composer.load_workspace(example), "imported").item("IV.1.2.detail")
    assert line[:-1] + "（毎年度）。" in imported.text


def test_report_text_lists_pins_and_unplaced(example: Path, run, tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("特定個人情報保護評価書（全項目評価書）")
    d.add_paragraph("Ⅰ基本情報")
    d.add_paragraph("前書きの段落")
    t = d.add_table(rows=1, cols=2)
    t.rows[0].cells[0].text = "①事務の名称"
    t.rows[0].cells[1].text = "住民基本台帳に関する事務"
    path = tmp_path / "small.docx"
    d.save(str(path))
    r = run("-C", str(example), "import", str(path), "--name", "small")
    assert r.exit_code == 0, r.output
    assert "items filled: 1" in r.stdout and "not placed: paragraph 3" in r.stdout and "前書きの段落" in r.stdout


@pytest.mark.parametrize("form", ["基礎項目", "重点項目"])
def test_the_same_importer_reads_the_other_forms(example: Path, form: str) -> None:
    api.new_assessment(example, "other", form=form, files=["juki=住民基本台帳ファイル"])
    report = api.import_docx(example, built(example, "other"), "imported")
    assert report.form == form
    ws = composer.load_workspace(example)
    assert same_document(composer.compose_assessment(ws, "other"), composer.compose_assessment(ws, "imported")) == []
    assert report.document.items and report.document.unmatched == []


def test_round_trip_item_filled_in_word_is_added(example: Path) -> None:
    path = built(example, "juki")
    d = docx.Document(str(path))
    row = next(r for t in d.tables for r in t.rows if r.cells[0].text == "①システムの名称")
    row.cells[1].paragraphs[0].add_run("住民記録システム")
    d.save(str(path))
    report = api.update_from_docx(example, "juki", path)
    assert report.changed == ["I.2.system1.1"]
    composed = composer.compose_assessment(composer.load_workspace(example), "juki")
    assert composed.item("I.2.system1.1").text == "住民記録システム"


@pytest.mark.parametrize(
    "args, message",
    [
        (["import", "x.docx"], "--name"),
        (["import", "--update", "juki"], "NAME FILE.docx"),
        (["import", "x.docx", "--name", "a", "--date", "2024-04-01"], "--publish"),
        (["import", "missing.docx", "--name", "a"], "file not found"),
    ],
)
def test_import_usage_errors_are_one_line(example: Path, run, args: list[str], message: str) -> None:
    r = run("-C", str(example), *args)
    assert r.exit_code != 0
    assert len(r.stderr.strip().splitlines()) == 1 and message in r.stderr


def test_imported_text_that_looks_like_a_template_is_kept_literally(example: Path, tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("特定個人情報保護評価書（全項目評価書）")
    d.add_paragraph("Ⅰ基本情報")
    t = d.add_table(rows=1, cols=2)
    t.rows[0].cells[0].text = "①事務の名称"
    t.rows[0].cells[1].text = "記号 {{ x }} と {% y %} を含む名称"
    path = tmp_path / "braces.docx"
    d.save(str(path))
    api.import_docx(example, path, "braces")
    item = composer.compose_assessment(composer.load_workspace(example), "braces").item("I.1.1")
    assert item.text == "記号 {{ x }} と {% y %} を含む名称"
