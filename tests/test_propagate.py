"""Propagation, outdated uses, glossary renames and drafting new assessments."""

from __future__ import annotations

import difflib
import json
import shutil
from pathlib import Path

import pytest

from composer import api
from composer.load.clauses import LOCK_NAME

from .conftest import EXAMPLE, ROOT, write

NEW_TECHNICAL_V2 = """\
  - version: 2
    date: 2026-10-01
    source:
      issuer: デジタル庁
      document: 特定個人情報保護評価書（全項目評価書）記載例（ガバメントクラウド）
      edition: 地方公共団体情報システムのガバメントクラウドの利用に関する基準【第2.0版】
    text: |
{text}
    notes:
      reason: 利用基準の改定（第2.0版）に合わせ、デジタル庁の評価書記載例の改定内容を反映した。
      risk_change: なし
      risk_situation: 記載例の文言の整理であり、{{{{ file_name | default("特定個人情報ファイル") }}}}の取扱いに変更はない。
"""


def own_library_workspace(tmp_path: Path) -> Path:
    """A copy of the 豊島区 example whose library (stock + local) lives in the workspace."""
    ws = tmp_path / "toshima"
    shutil.copytree(EXAMPLE, ws, ignore=shutil.ignore_patterns("build"))
    local_lock = (ws / "clauses" / LOCK_NAME).read_text(encoding="utf-8")
    for d in (ROOT / "clauses").iterdir():
        if d.is_dir():
            shutil.copytree(d, ws / "clauses" / d.name)
    stock_lock = (ROOT / "clauses" / LOCK_NAME).read_text(encoding="utf-8")
    (ws / "clauses" / LOCK_NAME).write_text(local_lock + stock_lock.replace("lock_format: 2\n", ""), encoding="utf-8")
    cfg = ws / "hyoka.yaml"
    text = cfg.read_text(encoding="utf-8")
    text = text.replace("stock_clauses: true", "stock_clauses: false") if "stock_clauses:" in text else text + "stock_clauses: false\n"
    cfg.write_text(text, encoding="utf-8")
    return ws


def add_version(ws: Path, clause: str, edit) -> None:  # type: ignore[no-untyped-def]
    path = ws / "clauses" / f"{clause}.yaml"
    from composer.errors import Diagnostics
    from composer.load.clauses import load_clause

    v1 = load_clause(path, clause, "local", Diagnostics()).latest.text
    body = "\n".join("      " + line for line in edit(v1).rstrip("\n").split("\n"))
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + NEW_TECHNICAL_V2.format(text=body), encoding="utf-8")


def test_scenario_new_stock_version_through_outdated_propagate_diff(tmp_path: Path, run) -> None:
    ws = own_library_workspace(tmp_path)
    assert run("-C", str(ws), "build", "--format", "md").exit_code == 0
    # publish both assessments as they stand
    for name in ("juki", "juminzei"):
        assert run("-C", str(ws), "publish", name, "--date", "2026-04-01").exit_code == 0
    # the 利用基準 goes to a new edition: a new version of the technical measures
    add_version(ws, "gov-cloud/technical", lambda t: t.replace("DDos対策", "DDoS対策"))
    assert run("-C", str(ws), "clauses", "lock").exit_code == 0
    out = run("-C", str(ws), "outdated", "--format", "json")
    assert out.exit_code == 2
    uses = [u for u in json.loads(out.output) if u["clause"] == "gov-cloud/technical"]
    assert {(u["assessment"], u["item"]) for u in uses} == {
        ("juki", "juki:III.7.r1.6.detail"),
        ("juminzei", "kojin:III.7.r1.6.detail"),
        ("juminzei", "tainou:III.7.r1.6.detail"),
    }
    assert all(u["version"] == 1 and u["latest"] == 2 for u in uses)
    prop = run("-C", str(ws), "propagate", "gov-cloud/technical")
    assert prop.exit_code == 0, prop.stderr
    assert "updated 3 uses in 2 files (0 conflicts)" in prop.stderr
    table = json.loads(run("-C", str(ws), "diff", "juki", "--format", "json").output)
    (row,) = table
    assert row["reason"] == "利用基準の改定（第2.0版）に合わせ、デジタル庁の評価書記載例の改定内容を反映した。"
    assert row["risk_situation"] == "記載例の文言の整理であり、住民基本台帳ファイルの取扱いに変更はない。"
    assert "DDos対策" in row["before"] and "DDoS対策" in row["after"]
    rows = json.loads(run("-C", str(ws), "diff", "juminzei", "--format", "json").output)
    assert [r["risk_situation"] for r in rows] == [
        "記載例の文言の整理であり、個人住民税ファイルの取扱いに変更はない。",
        "記載例の文言の整理であり、滞納管理システムファイルの取扱いに変更はない。",
    ]
    remaining = json.loads(run("-C", str(ws), "outdated", "--format", "json").output)
    assert not [u for u in remaining if u["clause"] == "gov-cloud/technical"]
    # the mid-server uses of 個人住民税 are the example's own outdated pins; propagate them too
    assert run("-C", str(ws), "propagate", "mid-server/audit").exit_code == 0
    assert run("-C", str(ws), "propagate", "mid-server/other").exit_code == 0
    final = run("-C", str(ws), "outdated")
    assert final.exit_code == 0 and "all clause uses are current" in final.stderr


def test_propagate_edits_only_the_lines_that_carry_the_change(tmp_path: Path, run) -> None:
    ws = own_library_workspace(tmp_path)
    path = ws / "assessments" / "juki.yaml"
    before = path.read_text(encoding="utf-8")
    # a local variant (the 住基 copy of the physical measures) and an upstream edit of another sentence
    add_version(ws, "gov-cloud/physical", lambda t: t.replace("持出できないこととしている。", "持ち出すことができないこととしている。"))
    result = run("-C", str(ws), "propagate", "gov-cloud/physical", "--assessment", "juki")
    assert result.exit_code == 0, result.stderr
    assert "merged" in result.stderr
    after = path.read_text(encoding="utf-8")
    changed = [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "+-"]
    assert changed == [
        "-         - clause: gov-cloud/physical@1",
        "+         - clause: gov-cloud/physical@2",
        "-             ②事前に許可されていない装置等に関しては、外部に持出できないこととしている。",
        "+             ②事前に許可されていない装置等に関しては、外部に持ち出すことができないこととしている。",
    ]
    # the local quirk (ISMAP） without its bracket) is kept; comments and other lines untouched
    assert "セキュリティ制度ISMAP）" in after
    assert run("-C", str(ws), "build", "--format", "md").exit_code == 0


def test_propagate_dry_run_writes_nothing(tmp_path: Path, run) -> None:
    ws = own_library_workspace(tmp_path)
    before = {p: p.read_bytes() for p in (ws / "assessments").glob("*.yaml")}
    result = run("-C", str(ws), "propagate", "mid-server/audit@2", "--dry-run")
    assert result.exit_code == 0
    assert "-    - clause: mid-server/audit@1" in result.output and "+    - clause: mid-server/audit@2" in result.output
    assert "would update 1 uses in 1 files" in result.stderr
    assert {p: p.read_bytes() for p in (ws / "assessments").glob("*.yaml")} == before


CONFLICT_WS = """
form: 全項目
items:
  IV.3:
    - clause: gov-cloud/responsibility@1
      variant: |
        ガバメントクラウド上での業務データの取扱いについては、当区が責任を有する。
"""


def _local_responsibility(ws: Path) -> None:
    shutil.copytree(ROOT / "clauses" / "gov-cloud", ws / "clauses" / "gov-cloud")
    shutil.copy(ROOT / "clauses" / "law" / "info-provision.yaml", ws / "clauses" / "info-provision.yaml") if False else None
    cfg = ws / "hyoka.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("stock_clauses: true", "stock_clauses: false"), encoding="utf-8")


def test_conflict_is_refused_then_written_with_markers_that_block_commands(ws: Path, run) -> None:
    _local_responsibility(ws)
    write(ws / "assessments" / "a.yaml", CONFLICT_WS)
    add_version(ws, "gov-cloud/responsibility", lambda t: t.replace("当該業務データを保有する地方公共団体及び", "当該業務データを保有する地方公共団体並びに"))
    original = (ws / "assessments" / "a.yaml").read_bytes()
    refused = run("-C", str(ws), "propagate", "gov-cloud/responsibility")
    assert refused.exit_code == 1
    assert "assessments/a.yaml:4: IV.3: conflict merging the local variant with gov-cloud/responsibility@2" in refused.stderr
    assert (ws / "assessments" / "a.yaml").read_bytes() == original
    forced = run("-C", str(ws), "propagate", "gov-cloud/responsibility", "--allow-conflicts")
    assert forced.exit_code == 0 and "1 conflicts" in forced.stderr
    text = (ws / "assessments" / "a.yaml").read_text(encoding="utf-8")
    assert "<<<<<<< local" in text and ">>>>>>> new (gov-cloud/responsibility@2)" in text
    marker_line = text.splitlines().index("        <<<<<<< local") + 1
    for command in (["check"], ["build", "--format", "md"], ["publish", "a"]):
        result = run("-C", str(ws), *command)
        assert result.exit_code == 1, command
        assert f"assessments/a.yaml:{marker_line}: unresolved merge conflict marker" in result.stderr


def test_all_or_nothing_when_a_write_fails(ws: Path, run, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("a", "b", "c"):
        write(ws / "assessments" / f"{name}.yaml", "form: 全項目\nitems:\n  IV.1.2.detail:\n    - clause: mid-server/audit@1\n")
    before = {p.name: p.read_bytes() for p in (ws / "assessments").glob("*.yaml")}
    import os

    real = os.replace
    calls = []

    def failing(src, dst):  # type: ignore[no-untyped-def]
        if Path(dst).suffix == ".yaml":
            calls.append(Path(dst).name)
            if len(calls) == 2:  # the second assessment: the first one is already replaced
                raise OSError(28, "No space left on device", str(dst))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    result = run("-C", str(ws), "propagate", "mid-server/audit")
    assert result.exit_code == 1
    assert "cannot write" in result.stderr and "no file was changed" in result.stderr
    assert {p.name: p.read_bytes() for p in (ws / "assessments").glob("*.yaml")} == before
    assert not [p for p in ws.rglob(".*.new")] + [p for p in ws.rglob(".*.old")]


def test_unloadable_assessment_stops_propagation(ws: Path, run) -> None:
    write(ws / "assessments" / "a.yaml", "form: 全項目\nitems:\n  IV.1.2.detail:\n    - clause: mid-server/audit@1\n")
    write(ws / "assessments" / "b.yaml", "form: 全項目\nitems:\n  IV.1.2.detail: [\n")
    before = (ws / "assessments" / "a.yaml").read_bytes()
    result = run("-C", str(ws), "propagate", "mid-server/audit")
    assert result.exit_code == 1 and "b.yaml" in result.stderr and "invalid YAML" in result.stderr
    assert (ws / "assessments" / "a.yaml").read_bytes() == before


def test_verbatim_use_always_moves_cleanly(ws: Path) -> None:
    write(ws / "assessments" / "a.yaml", "form: 全項目\nitems:\n  IV.3:\n    - clause: mid-server/other@1\n")
    plan = api.propagate(ws, "mid-server/other")
    assert [(u.status, u.from_version, u.to_version) for u in plan.updates] == [("moved", 1, 2)]
    assert "mid-server/other@2" in (ws / "assessments" / "a.yaml").read_text(encoding="utf-8")


def test_term_rename_shows_in_every_item_with_its_reason(ws: Path) -> None:
    cfg = ws / "hyoka.yaml"
    base = cfg.read_text(encoding="utf-8")
    cfg.write_text(base.replace("terms: {}", "terms:\n  宛名システム: システム共通基盤（団体内統合宛名システム）"), encoding="utf-8")
    write(ws / "assessments" / "a.yaml", """
        form: 全項目
        files:
          - id: f
            name: 個人住民税ファイル
            items:
              III.2.r4.measure: ④{{ term.宛名システム }}からの入手においては、サーバ間通信に限定されている。
              III.6.other: ◎接続は、すべて{{ term.宛名システム }}を介して行われる。
    """)
    api.publish(ws, "a", "2024-04-01")
    cfg.write_text(base.replace("terms: {}", """terms:
  宛名システム:
    wording: 番号連携サーバー（団体内統合宛名システム）
    reason: 番号連携サーバーの機能のみ残存することから呼称のみを変更するもの
    risk_change: なし
    risk_situation: 現行のシステム同様の連携となるため、リスク変化を伴わない
"""), encoding="utf-8")
    table, warnings = api.diff(ws, "a")
    assert [r.item for r in table.rows] == ["f:III.2.r4.measure", "f:III.6.other"]
    assert all(r.reason == "番号連携サーバーの機能のみ残存することから呼称のみを変更するもの" for r in table.rows)
    assert all(r.risk_change == "なし" for r in table.rows)
    assert table.rows[1].after == "◎接続は、すべて番号連携サーバー（団体内統合宛名システム）を介して行われる。"


def test_new_assessment_from_profile(ws: Path, run) -> None:
    result = run("-C", str(ws), "new", "kokuho", "--profile", "gov-cloud", "--file", "kokuho=国民健康保険ファイル",
                 "--jimu", "国民健康保険に関する事務")
    assert result.exit_code == 0, result.stderr
    text = (ws / "assessments" / "kokuho.yaml").read_text(encoding="utf-8")
    assert "- clause: gov-cloud/storage@1" in text and "- clause: mid-server/storage@1" in text
    assert "- clause: mid-server/audit@2" in text  # the latest version
    c = api.compose_assessment(api.load_workspace(ws), "kokuho")
    storage = c.item("kokuho:II.6.1")
    assert [b.id for b in storage.blocks] == ["gov-cloud/storage", "mid-server/storage", "text-1"]
    assert storage.blocks[2].heading == "＜豊島区における措置＞"
    assert c.item("kokuho:II.1").blocks[0].body == "国民健康保険ファイル"
    # the 様式's items in order
    keys = [it.key for it in c.items if it.type and it.blocks]
    assert keys.index("I.1.1") < keys.index("IV.3")
    check = run("-C", str(ws), "check", "kokuho")
    assert check.exit_code == 0
    assert "kokuho.yaml" in check.stderr and "【要記入" in check.stderr and "not chosen yet" in check.stderr
    strict = run("-C", str(ws), "check", "--strict", "kokuho")
    assert strict.exit_code == 1
    again = run("-C", str(ws), "new", "kokuho")
    assert again.exit_code == 1 and "assessment already exists" in again.stderr
    bad = run("-C", str(ws), "new", "x", "--profile", "gov-clod")
    assert bad.exit_code == 1 and "did you mean 'gov-cloud'" in bad.stderr


def test_workspace_profile_is_data(ws: Path, run) -> None:
    write(ws / "profiles" / "audit-only.yaml", """
        profile: audit-only
        form: 全項目
        description: 監査だけ
        items:
          IV.1.2.detail: [gov-cloud/audit]
    """)
    assert run("-C", str(ws), "new", "a", "--profile", "audit-only").exit_code == 0
    text = (ws / "assessments" / "a.yaml").read_text(encoding="utf-8")
    assert "- clause: gov-cloud/audit@1" in text and "mid-server" not in text


def test_vendor_names_removed_by_policy_as_a_glossary_entry(ws: Path) -> None:
    """A term with an empty wording and its former wording explains every removal of 「（富士通）」."""
    write(ws / "assessments" / "a.yaml", """
        form: 全項目
        items:
          I.1.2.attachment:
            - text: 証明書自動交付システム（富士通）
              id: jidou
            - text: CSサーバ（富士通）
              id: cs
    """)
    api.publish(ws, "a", "2024-04-01")
    write(ws / "assessments" / "a.yaml", """
        form: 全項目
        items:
          I.1.2.attachment:
            - text: 証明書自動交付システム
              id: jidou
            - text: CSサーバ
              id: cs
    """)
    cfg = ws / "hyoka.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("terms: {}", """terms:
  事業者名:
    wording: ""
    previous: [（富士通）]
    reason: 評価書から事業者名を削除する方針へ変更となった。
    risk_change: なし
"""), encoding="utf-8")
    rows = api.diff(ws, "a")[0].rows
    assert [(r.blocks, r.reason, r.risk_change) for r in rows] == [
        (("jidou",), "評価書から事業者名を削除する方針へ変更となった。", "なし"),
        (("cs",), "評価書から事業者名を削除する方針へ変更となった。", "なし"),
    ]


def test_variant_with_template_expressions_keeps_them(ws: Path) -> None:
    _local_responsibility(ws)
    write(ws / "assessments" / "a.yaml", """
        form: 全項目
        items:
          IV.3:
            - clause: gov-cloud/responsibility@1
              variant: |
                ガバメントクラウド上での業務データの取扱いについては、{{ municipality }}が責任を有する。
                具体的な取り扱いについて、疑義が生じる場合は、地方公共団体とデジタル庁及び関係者で協議を行う。
    """)
    add_version(ws, "gov-cloud/responsibility", lambda t: t.replace("関係者で協議を行う。", "関係者で協議を行うものとする。"))
    plan = api.propagate(ws, "gov-cloud/responsibility")
    assert [u.status for u in plan.updates] == ["merged"]
    text = (ws / "assessments" / "a.yaml").read_text(encoding="utf-8")
    assert "{{ municipality }}が責任を有する。" in text
    assert "関係者で協議を行うものとする。" in text
    body = api.compose_assessment(api.load_workspace(ws), "a").item("IV.3").blocks[0].body
    assert body.startswith("ガバメントクラウド上での業務データの取扱いについては、豊島区が責任を有する。")


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("style", ["|", "|-", ">"])
def test_propagate_keeps_line_ends_and_writes_a_literal_block(ws: Path, newline: str, style: str) -> None:
    _local_responsibility(ws)
    text = (
        "# 当区の評価書\n"
        "form: 全項目\n"
        "items:\n"
        "  IV.3:\n"
        "    - clause: gov-cloud/responsibility@1   # 責任分界\n"
        f"      variant: {style}\n"
        "        当区の文言。\n"
        "\n"
        "        具体的な取り扱いについて、疑義が生じる場合は、地方公共団体とデジタル庁及び関係者で協議を行う。\n"
    ).replace("\n", newline)
    path = ws / "assessments" / "a.yaml"
    path.write_bytes(text.encode("utf-8"))
    add_version(ws, "gov-cloud/responsibility", lambda t: t.replace("関係者で協議を行う。", "関係者で協議を行うものとする。"))
    api.propagate(ws, "gov-cloud/responsibility")
    after = path.read_bytes().decode("utf-8")
    lines = after.split(newline)
    assert all("\n" not in line for line in lines)  # every line still ends the file's own way
    assert lines[4] == "    - clause: gov-cloud/responsibility@2   # 責任分界"
    assert lines[5] == f"      variant: {'|-' if style == '|-' else '|'}"
    body = api.compose_assessment(api.load_workspace(ws), "a").item("IV.3").blocks[0].body
    gap = "\n" if style == ">" else "\n\n"  # in a folded block the blank line is one line break
    assert body == f"当区の文言。{gap}具体的な取り扱いについて、疑義が生じる場合は、地方公共団体とデジタル庁及び関係者で協議を行うものとする。"
