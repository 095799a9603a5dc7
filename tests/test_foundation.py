"""The foundation: clause library, form schema, assessment files, composition, check."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import composer
from composer.errors import ErrorList, UserError
from composer.load.clauses import LOCK_NAME
from composer.load.forms import get_form

from .conftest import SIMPLE_ASSESSMENT, write

GOV_STORAGE_START = "①サーバ等はクラウド事業者が保有・管理する環境に設置し"


# --------------------------------------------------------------------------- init, compose, build


def test_init_creates_workspace(tmp_path: Path, run) -> None:
    result = run("init", str(tmp_path / "w"), "--municipality", "豊島区")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "w" / "hyoka.yaml").read_text(encoding="utf-8").count("豊島区") >= 1
    assert (tmp_path / "w" / "assessments").is_dir()
    assert (tmp_path / "w" / "clauses").is_dir()
    again = run("init", str(tmp_path / "w"), "--municipality", "豊島区")
    assert again.exit_code != 0
    assert "already exists" in again.stderr


def test_compose_renders_pins_local_text_and_choices(ws: Path) -> None:
    write(ws / "assessments" / "juki.yaml", SIMPLE_ASSESSMENT)
    c = composer.compose_assessment(composer.load_workspace(ws), "juki")
    storage = c.item("juki:II.6.1")
    assert storage is not None and storage.important
    assert [b.id for b in storage.blocks] == ["gov-cloud/storage", "text-1"]
    gov = storage.blocks[0]
    assert gov.heading == "＜ガバメントクラウドにおける措置＞"
    assert gov.body.startswith(GOV_STORAGE_START)
    assert gov.pin == "gov-cloud/storage@1"
    # notes are templates rendered with the file's name
    assert gov.notes is not None
    assert gov.notes.risk_situation == "現行の住民基本台帳ファイル保存先からリスク対策が追加されるため、セキュリティリスクは低減する。"
    assert storage.blocks[1].heading == "＜豊島区における措置＞"
    assert storage.path == (
        "Ⅱ特定個人情報ファイルの概要",
        "（１）住民基本台帳ファイル",
        "６．特定個人情報の保管・消去",
        "①保管場所",
    )
    physical = c.item("juki:III.7.r1.5")
    assert physical is not None and physical.choice == "十分に行っている"
    assert "十分に行っている" in physical.choices
    audit = c.item("IV.1.2.detail")
    assert audit is not None and audit.blocks[0].heading == "＜中間サーバー・プラットフォームにおける措置＞"
    # the form's order is kept: Ⅰ before Ⅱ before Ⅳ
    refs = [it.ref for it in c.items]
    assert refs.index("I.1.1") < refs.index("juki:II.6.1") < refs.index("IV.1.2.detail")


def test_full_section_path_of_a_risk_item(ws: Path) -> None:
    write(ws / "assessments" / "juki.yaml", SIMPLE_ASSESSMENT)
    c = composer.compose_assessment(composer.load_workspace(ws), "juki")
    item = c.item("juki:III.7.r1.5.detail")
    assert item is not None
    assert " ".join(item.path) == (
        "Ⅲ特定個人情報ファイルの取扱いプロセスにおけるリスク対策 （１）住民基本台帳ファイル ７．特定個人情報の保管・消去 "
        "リスク１：特定個人情報の漏えい・滅失・毀損リスク ⑤物理的対策 具体的な対策の内容"
    )


def test_parameters_flow_from_block_file_assessment_and_workspace(ws: Path) -> None:
    write(ws / "clauses" / "local" / "greeting.yaml", """
        id: local/greeting
        title: 挨拶
        heading: ""
        kind: adaptable
        parameters:
          who: {description: 誰}
          office: {description: 部署, default: 区民課}
          municipality: {description: 団体名}
        versions:
          - version: 1
            date: 2024-01-01
            source: {issuer: 豊島区, document: 内規}
            text: "{{ municipality }}{{ office }}の{{ who }}"
    """)
    write(ws / "assessments" / "a.yaml", """
        form: 全項目
        parameters: {who: 担当者}
        items:
          I.1.1:
            - clause: local/greeting@1
          I.1.2:
            - clause: local/greeting@1
              with: {who: 課長, office: 税務課}
          I.1.2.attachment: "{{ municipality }}／{{ who }}"
    """)
    c = composer.compose_assessment(composer.load_workspace(ws), "a")
    assert c.item("I.1.1").blocks[0].body == "豊島区区民課の担当者"
    assert c.item("I.1.2").blocks[0].body == "豊島区税務課の課長"
    assert c.item("I.1.2.attachment").blocks[0].body == "豊島区／担当者"


def test_glossary_terms_in_local_text(ws: Path) -> None:
    cfg = ws / "hyoka.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("terms: {}", "terms:\n  宛名システム: 番号連携サーバー（団体内統合宛名システム）"), encoding="utf-8")
    write(ws / "assessments" / "a.yaml", """
        form: 全項目
        items:
          I.1.1: "◎接続は、すべて{{ term.宛名システム }}を介して行われる。"
    """)
    c = composer.compose_assessment(composer.load_workspace(ws), "a")
    assert c.item("I.1.1").blocks[0].body == "◎接続は、すべて番号連携サーバー（団体内統合宛名システム）を介して行われる。"


def test_adaptable_clause_local_variant_keeps_its_base(ws: Path) -> None:
    write(ws / "assessments" / "a.yaml", """
        form: 全項目
        files:
          - id: f
            name: 住民基本台帳ファイル
            items:
              III.7.r1.5.detail:
                - clause: gov-cloud/physical@1
                  variant: |
                    ①当区独自の文言。
    """)
    c = composer.compose_assessment(composer.load_workspace(ws), "a")
    block = c.item("f:III.7.r1.5.detail").blocks[0]
    assert block.variant is True
    assert block.body == "①当区独自の文言。"
    assert (block.clause, block.version) == ("gov-cloud/physical", 1)


def test_build_markdown_and_html_preview(ws: Path, run) -> None:
    write(ws / "assessments" / "juki.yaml", SIMPLE_ASSESSMENT)
    for fmt in ("md", "html"):
        result = run("-C", str(ws), "build", "--format", fmt)
        assert result.exit_code == 0, result.output
        text = (ws / "build" / f"juki.{fmt}").read_text(encoding="utf-8")
        assert "＜ガバメントクラウドにおける措置＞" in text
        assert GOV_STORAGE_START in text
        assert "[ 十分に行っている ]" in text
        assert "①保管場所" in text
        assert "（別添３）変更箇所" in text  # the 項目一覧
    html = (ws / "build" / "juki.html").read_text(encoding="utf-8")
    assert "<script" not in html and html.startswith("<!DOCTYPE html>")


def test_html_preview_escapes_markup_in_text(ws: Path, run) -> None:
    write(ws / "assessments" / "a.yaml", """
        form: 全項目
        items:
          I.1.1: "<b>太字</b> & 記号"
    """)
    assert run("-C", str(ws), "build", "--format", "html").exit_code == 0
    html = (ws / "build" / "a.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;太字&lt;/b&gt; &amp; 記号" in html


# --------------------------------------------------------------------------- clauses commands


def test_clauses_list_show_where_used(ws: Path, run) -> None:
    write(ws / "assessments" / "juki.yaml", SIMPLE_ASSESSMENT)
    listed = run("-C", str(ws), "clauses", "list")
    assert listed.exit_code == 0
    assert re.search(r"gov-cloud/storage\s+@1\s+adaptable", listed.output)
    assert re.search(r"law/info-provision\s+@2\s+verbatim", listed.output)
    shown = run("-C", str(ws), "clauses", "show", "law/info-provision")
    assert shown.exit_code == 0
    assert "@1  2015-10-05" in shown.output and "@2  2024-05-27" in shown.output
    assert "別表第二" in shown.output and "主務省令" in shown.output
    assert "変更理由: 番号法など一部改正法の施行により" in shown.output
    used = run("-C", str(ws), "clauses", "where-used", "gov-cloud/storage")
    assert used.exit_code == 0
    assert "juki juki:II.6.1 @1" in used.output
    assert "assessments/juki.yaml:" in used.output
    unknown = run("-C", str(ws), "clauses", "show", "gov-cloud/storag")
    assert unknown.exit_code == 1
    assert "did you mean 'gov-cloud/storage'" in unknown.stderr


def test_where_used_marks_outdated_and_variants(ws: Path) -> None:
    write(ws / "assessments" / "a.yaml", """
        form: 全項目
        items:
          IV.1.2.detail:
            - clause: mid-server/audit@1
          IV.3:
            - clause: gov-cloud/responsibility@1
              variant: 当区の文言
    """)
    w = composer.load_workspace(ws)
    (audit,) = composer.clause_uses(w, "mid-server/audit")
    assert (audit.version, audit.latest, audit.outdated) == (1, 2, True)
    (resp,) = composer.clause_uses(w, "gov-cloud/responsibility")
    assert resp.variant and not resp.outdated


def test_stock_library_is_complete_and_locked() -> None:
    diag = composer.Diagnostics()
    from composer.load.library import STOCK, LibrarySource, load_libraries
    from composer.resources import stock_clauses_dir

    lib = load_libraries([LibrarySource(STOCK, STOCK, stock_clauses_dir())], diag)
    assert diag.items == []  # every stock version is published (locked) and valid
    expected = {
        "gov-cloud/storage", "gov-cloud/physical", "gov-cloud/technical", "gov-cloud/erasure",
        "gov-cloud/audit", "gov-cloud/responsibility", "mid-server/storage", "mid-server/physical",
        "mid-server/technical", "mid-server/audit", "mid-server/other", "law/info-provision",
    }
    assert expected <= set(lib.clauses)
    tech = lib.get("gov-cloud/technical").latest.text
    assert all(mark in tech for mark in "①②③④⑤⑥⑦⑧")
    assert "脅威検出やDDos対策を24時間365日講じる" in tech  # the 記載例's own spelling, kept
    law = lib.get("law/info-provision")
    assert "別表第二" in law.version(1).text and "主務省令" in law.version(2).text
    for c in lib:
        for v in c.versions:
            assert v.source.issuer and v.source.document and v.date


def test_law_citation_versions_render_the_seed_wording(ws: Path) -> None:
    items_v1 = "１、２、３、４、６"
    write(ws / "assessments" / "a.yaml", f"""
        form: 全項目
        items:
          I.6.2:
            - clause: law/info-provision@1
              with:
                info: 住民票関係情報
                provision_items: {items_v1}
                inquiry: |-
                  なし
                  （住民基本台帳に関する事務において情報提供ネットワークシステムによる情報照会は行わない）
    """)
    body = composer.compose_assessment(composer.load_workspace(ws), "a").item("I.6.2").blocks[0].body
    assert body.splitlines()[0] == "・番号法第１９条第８号（特定個人情報の提供の制限）及び別表第二"
    assert "第四欄（特定個人情報）に「住民票関係情報」が含まれる項（１、２、３、４、６の項）" in body
    assert body.endswith("︓なし\n（住民基本台帳に関する事務において情報提供ネットワークシステムによる情報照会は行わない）")


def test_form_schema_labels_and_flags() -> None:
    form, index = get_form("全項目")
    assert [s.label for s in form.sections] == [
        "Ⅰ基本情報", "Ⅱ特定個人情報ファイルの概要", "Ⅲ特定個人情報ファイルの取扱いプロセスにおけるリスク対策",
        "Ⅳその他のリスク対策", "Ⅴ開示請求、問合せ", "Ⅵ評価実施手続",
    ]
    storage = index.resolve("II.6.1")
    assert storage and storage.node.important and storage.node.label == "①保管場所"
    accident = index.resolve("III.7.r1.9")
    assert accident and not accident.node.important
    assert index.resolve("III.7.r1.5").node.choices == ("特に力を入れて行っている", "十分に行っている", "十分に行っていない")
    entrust = index.resolve("II.4.entrust2.7")
    assert entrust and entrust.labels[-2] == "委託事項２"
    assert index.resolve("II.4.entrust2.99") is None


# --------------------------------------------------------------------------- bad input


def _check(run, ws: Path):
    result = run("-C", str(ws), "check")
    assert "Traceback" not in result.output + result.stderr
    return result


BAD_ASSESSMENTS = [
    pytest.param("form: 全項目\nitems:\n  I.1.1: [unclosed\n", "a.yaml:4: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence started at line 3)", id="malformed-yaml"),
    pytest.param(
        "form: 全項目\nitems:\n  IV.3:\n    - clause: gov-cloud/responsibilty@1\n",
        "a.yaml:4: IV.3: unknown clause 'gov-cloud/responsibilty' (did you mean 'gov-cloud/responsibility'?)",
        id="unknown-clause",
    ),
    pytest.param(
        "form: 全項目\nitems:\n  IV.3:\n    - clause: mid-server/other@7\n",
        "a.yaml:4: IV.3: clause mid-server/other has no version 7 (have: 1, 2) (pin one of them"
        " (`hyoka clauses show mid-server/other` shows each); a shared library's newer versions come with"
        " `hyoka libraries review` and `take`)",
        id="unknown-version",
    ),
    pytest.param(
        "form: 全項目\nitems:\n  IV.1.2.detial: x\n",
        "a.yaml:3: IV.1.2.detial: unknown item key 'IV.1.2.detial' in form 全項目 (did you mean 'IV.1.2.detail'?)",
        id="unknown-item-key",
    ),
    pytest.param(
        "form: 全項目\nitems:\n  I.1.1: |\n    {{ jimu_name }}の事務\n",
        "a.yaml:4: I.1.1: undefined name in local text: 'jimu_name' is undefined",
        id="undefined-variable",
    ),
    pytest.param(
        "form: 全項目\nitems:\n  I.1.1: \"{{ ''.__class__.__mro__ }}\"\n",
        "a.yaml:3: I.1.1: unsafe expression in local text",
        id="sandbox-escape",
    ),
    pytest.param(
        "form: 全項目\nitems:\n  IV.3:\n    - clause: mid-server/other@2\n      variant: 当区の文言\n",
        "clause mid-server/other is verbatim: its published wording cannot be edited locally",
        id="verbatim-variant",
    ),
    pytest.param(
        "form: 全項目\nitems:\n  IV.3:\n    - clause: ../etc/passwd@1\n",
        "is not a clause id: ids are names such as 'gov-cloud/storage'",
        id="path-as-clause-id",
    ),
    pytest.param("form: 全項目\nitems:\n  I.1.1: \"a\x07b\"\n", "a.yaml:3: control character U+0007", id="control-char"),
    pytest.param("", "a.yaml: empty file where an assessment was expected", id="empty-file"),
    pytest.param(
        "form: 全項目\nitems:\n  III.7.r1.5.detail: x\n",
        "a.yaml:3: III.7.r1.5.detail: item 'III.7.r1.5.detail' belongs to a 特定個人情報ファイル",
        id="per-file-item-at-top",
    ),
    pytest.param(
        "form: 全項目\nfiles:\n  - id: f\n    name: x\n    items:\n      III.7.r1.5: 十分である\n",
        "a.yaml:6: III.7.r1.5: '十分である' is not a choice of ⑤物理的対策",
        id="bad-choice",
    ),
    pytest.param("form: 全項目\nitmes: {}\n", "a.yaml:2: itmes: unknown key 'itmes' in assessment (did you mean 'items'?)", id="unknown-top-key"),
]


@pytest.mark.parametrize("text, expected", BAD_ASSESSMENTS)
def test_bad_assessment_gives_one_line_error(ws: Path, run, text: str, expected: str) -> None:
    (ws / "assessments" / "a.yaml").write_text(text, encoding="utf-8")
    result = _check(run, ws)
    assert result.exit_code == 1
    assert expected in result.stderr, result.stderr
    # and build refuses too, writing nothing
    built = run("-C", str(ws), "build")
    assert built.exit_code == 1
    assert not (ws / "build" / "a.md").exists()


def test_binary_file_where_yaml_expected(ws: Path, run) -> None:
    (ws / "assessments" / "a.yaml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR")
    result = _check(run, ws)
    assert result.exit_code == 1
    assert "assessments/a.yaml: binary file where an assessment was expected" in result.stderr


def test_check_reports_every_error_not_just_the_first(ws: Path, run) -> None:
    write(ws / "assessments" / "a.yaml", """
        form: 全項目
        items:
          I.1.9: x
          IV.3:
            - clause: nope/nope@1
        changes:
          - item: IV.3
            risk_change: たぶん
    """)
    write(ws / "assessments" / "b.yaml", "form: 全項目\nitems:\n  I.1.1: \"{{ x }}\"\n")
    result = _check(run, ws)
    assert result.exit_code == 1
    err = result.stderr
    assert "a.yaml:3: I.1.9: unknown item key" in err
    assert "a.yaml:5: IV.3: unknown clause 'nope/nope'" in err
    assert "risk_change must be あり or なし" in err
    assert "b.yaml:3: I.1.1: undefined name" in err
    assert re.search(r"^4 errors", err, re.M)


def _local_clause(ws: Path, text: str = "当区の措置を講じる。") -> Path:
    return write(ws / "clauses" / "local" / "measure.yaml", f"""
        id: local/measure
        title: 当区の措置
        heading: ＜豊島区における措置＞
        kind: adaptable
        versions:
          - version: 1
            date: 2024-04-01
            source: {{issuer: 豊島区, document: 内規}}
            text: |
              {text}
    """)


def test_published_clause_edited_is_refused(ws: Path, run) -> None:
    path = _local_clause(ws)
    assert run("-C", str(ws), "clauses", "lock").output.strip() == "published local/measure@1"
    assert (ws / "clauses" / LOCK_NAME).exists()
    assert _check(run, ws).exit_code == 0
    path.write_text(path.read_text(encoding="utf-8").replace("当区の措置を講じる。", "当区の措置を講じない。"), encoding="utf-8")
    result = _check(run, ws)
    assert result.exit_code == 1
    assert "clauses/local/measure.yaml:6: version 1: published clause local/measure@1 was changed" in result.stderr
    assert "add a new version instead" in result.stderr
    relock = run("-C", str(ws), "clauses", "lock")
    assert relock.exit_code == 1 and "was changed" in relock.stderr


def test_unpublished_clause_version_is_a_warning(ws: Path, run) -> None:
    _local_clause(ws)
    result = _check(run, ws)
    assert result.exit_code == 0
    assert "local/measure@1 is not published yet" in result.stderr


def test_redefining_a_stock_version_is_refused(ws: Path, run) -> None:
    """A workspace may add versions to a stock clause, never give one of its versions other wording."""
    write(ws / "clauses" / "gov-cloud" / "storage.yaml", """
        id: gov-cloud/storage
        title: 上書き
        kind: adaptable
        versions:
          - version: 1
            date: 2024-04-01
            source: {issuer: 豊島区, document: 内規}
            text: x
    """)
    result = _check(run, ws)
    assert result.exit_code == 1
    assert "clause gov-cloud/storage@1 is defined differently in clauses/gov-cloud/storage.yaml and " in result.stderr
    assert "gov-cloud/storage.yaml:1: clause gov-cloud/storage: heading '' differs from" in result.stderr


@pytest.mark.parametrize(
    "body, expected",
    [
        ("id: local/x\ntitle: t\nkind: adaptable\nversions: []\n", "a clause needs at least one version"),
        ("id: local/y\ntitle: t\nkind: adaptable\nversions:\n  - version: 1\n    date: 2024-01-01\n    text: x\n", "missing required key 'source'"),
        ("id: local/x\ntitle: t\nkind: fixed\nversions: []\n", "kind must be verbatim or adaptable"),
        ("id: local/x\ntitle: t\nkind: adaptable\nversions:\n  - version: 2\n    date: 2024-01-01\n    source: {issuer: a, document: b}\n    text: x\n", "version 2 out of sequence"),
    ],
)
def test_bad_clause_files(ws: Path, run, body: str, expected: str) -> None:
    (ws / "clauses" / "local").mkdir(parents=True)
    (ws / "clauses" / "local" / "x.yaml").write_text(body, encoding="utf-8")
    result = _check(run, ws)
    assert result.exit_code == 1
    assert "clauses/local/x.yaml" in result.stderr and expected in result.stderr


def test_clause_template_sees_only_declared_parameters(ws: Path, run) -> None:
    _local_clause(ws, "{{ file_name }}を保管する。")
    write(ws / "assessments" / "a.yaml", """
        form: 全項目
        files:
          - id: f
            name: 住民基本台帳ファイル
            items:
              II.6.1:
                - clause: local/measure@1
    """)
    result = _check(run, ws)
    assert result.exit_code == 1
    assert "undefined name in clause local/measure@1: 'file_name' is undefined" in result.stderr


def test_unknown_clause_parameter_in_with(ws: Path, run) -> None:
    write(ws / "assessments" / "a.yaml", """
        form: 全項目
        items:
          IV.3:
            - clause: gov-cloud/responsibility@1
              with: {municipalty: 豊島区}
    """)
    result = _check(run, ws)
    assert result.exit_code == 1
    assert "clause gov-cloud/responsibility has no parameter 'municipalty' (did you mean 'municipality'?)" in result.stderr


def test_library_api_raises_error_list() -> None:
    with pytest.raises(UserError):
        composer.load_workspace(Path("/nonexistent-hyoka-dir"))


def test_library_api_without_cli(ws: Path) -> None:
    write(ws / "assessments" / "juki.yaml", SIMPLE_ASSESSMENT)
    paths = composer.build(ws, ["juki"], ws / "out", "md")
    assert paths == [ws / "out" / "juki.md"]
    write(ws / "assessments" / "bad.yaml", "form: 全項目\nitems:\n  X: 1\n  Y: 2\n")
    with pytest.raises(ErrorList) as exc:
        composer.build(ws, None, ws / "out2", "md")
    assert len(exc.value.errors) == 2
    assert not (ws / "out2").exists()


def test_no_workspace_found(tmp_path: Path, run) -> None:
    result = run("-C", str(tmp_path), "check")
    assert result.exit_code == 1
    assert "no hyoka.yaml here or in any parent directory" in result.stderr


def test_broken_clause_file_is_reported_once(ws: Path, run) -> None:
    _local_clause(ws)
    assert run("-C", str(ws), "clauses", "lock").exit_code == 0
    (ws / "clauses" / "local" / "measure.yaml").write_text("id: local/measure\ntitle: [\n", encoding="utf-8")
    result = _check(run, ws)
    assert result.exit_code == 1
    assert "clauses/local/measure.yaml:3: invalid YAML" in result.stderr
    assert "was removed" not in result.stderr
    (ws / "clauses" / "local" / "measure.yaml").unlink()
    removed = _check(run, ws)
    assert "clauses/clauses.lock:6: published clause local/measure@1 was removed" in removed.stderr


def test_rewritten_files_keep_their_permissions(ws: Path) -> None:
    import os
    import stat

    from composer.load.yamlio import atomic_write

    path = ws / "assessments" / "a.yaml"
    path.write_text("form: 全項目\n", encoding="utf-8")
    os.chmod(path, 0o664)
    atomic_write(path, "form: 全項目\nitems: {}\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o664
    fresh = ws / "new.txt"
    atomic_write(fresh, "x")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask


def test_unwritable_output_is_a_user_error(ws: Path, run) -> None:
    write(ws / "assessments" / "juki.yaml", SIMPLE_ASSESSMENT)
    target = str(ws / "hyoka.yaml" / "sub")  # below a file: cannot be created
    for args in (["build", "--format", "md", "-o", target], ["build", "-o", target]):
        result = run("-C", str(ws), *args)
        assert result.exit_code == 1, args
        assert "cannot write" in result.stderr and "hyoka.yaml/sub" in result.stderr
        assert "internal error" not in result.stderr


def test_lock_refuses_an_invalid_library(ws: Path, run) -> None:
    write(ws / "clauses" / "local" / "x.yaml", """
        id: local/x
        title: 不完全
        kind: adaptable
        versions:
          - version: 1
            text: 日付も出典もない。
    """)
    result = run("-C", str(ws), "clauses", "lock")
    assert result.exit_code == 1
    assert "missing required key 'source'" in result.stderr
    assert not (ws / "clauses" / LOCK_NAME).exists()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("{% for i in range(10**9) %}x{% endfor %}", "a.yaml:3: I.1.1: "),
        ("{{ 'あ' * 10**9 }}", "result too long"),
        ("{{ 2 ** 100000 }}", "exponent too large"),
    ],
)
def test_templates_cannot_build_enormous_values(ws: Path, run, text: str, expected: str) -> None:
    write(ws / "assessments" / "a.yaml", f"form: 全項目\nitems:\n  I.1.1: \"{text}\"\n")
    result = _check(run, ws)
    assert result.exit_code == 1 and expected in result.stderr
    assert "internal error" not in result.stderr


def test_unknown_glossary_term_names_the_term(ws: Path, run) -> None:
    write(ws / "assessments" / "a.yaml", "form: 全項目\nitems:\n  I.1.1: \"{{ term.宛名 }}\"\n")
    result = _check(run, ws)
    assert "a.yaml:3: I.1.1: unknown glossary term '宛名' in local text (define it under terms: in hyoka.yaml (have: none))" in result.stderr


def test_a_block_that_is_not_a_mapping_has_its_line(ws: Path, run) -> None:
    write(ws / "assessments" / "a.yaml", "form: 全項目\nitems:\n  IV.3:\n    - clause: mid-server/other@2\n    - [a, b]\n")
    result = _check(run, ws)
    assert "a.yaml:5: block of 'IV.3' must be a mapping of keys, found a list" in result.stderr


def test_build_with_no_assessments_says_so(ws: Path, run) -> None:
    result = run("-C", str(ws), "build")
    assert result.exit_code == 1
    assert "assessments: no assessments to build" in result.stderr


KISO_FORM = """
form: 基礎項目
title: 基礎項目評価書
contents: [Ⅰ　関連情報, Ⅱ　しきい値判断項目]
choices:
  人数: [1,000人未満, 1,000人以上1万人未満, 1万人以上10万人未満]
sections:
  - key: I
    label: Ⅰ関連情報
    items:
      - {key: "1", label: １．特定個人情報ファイルを取り扱う事務, type: text}
  - key: II
    label: Ⅱしきい値判断項目
    items:
      - {key: "1", label: １．対象人数, type: choice, choices: 人数, important: true}
"""


def test_a_workspace_can_add_its_own_form(ws: Path, run) -> None:
    write(ws / "forms" / "kiso.yaml", KISO_FORM)
    write(ws / "assessments" / "k.yaml", """
        form: 基礎項目
        items:
          I.1: 住民基本台帳に関する事務
          II.1: 1万人以上10万人未満
    """)
    assert _check(run, ws).exit_code == 0
    assert run("-C", str(ws), "build", "--format", "md").exit_code == 0
    text = (ws / "build" / "k.md").read_text(encoding="utf-8")
    assert "*基礎項目評価書*" in text and "[ 1万人以上10万人未満 ]" in text and "- Ⅱ　しきい値判断項目" in text
    assert run("-C", str(ws), "new", "k2", "--form", "基礎項目").exit_code == 0
    assert "II.1: 【要選択】" in (ws / "assessments" / "k2.yaml").read_text(encoding="utf-8")
    write(ws / "assessments" / "bad.yaml", "form: 基礎項\nitems: {}\n")
    bad = _check(run, ws)
    assert "bad.yaml:1: form: unknown form '基礎項' (did you mean '基礎項目'?)" in bad.stderr
