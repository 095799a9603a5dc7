"""hyoka lint: each rule is tested on the 豊島区 table's own wording (the published 評価書 that hyoka was built from)."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest

from composer.lint.engine import rules_table, run_lint
from composer.lint.rules import RULES
from composer.resources import stock_clauses_dir

from .conftest import EXAMPLE, write

FILLER = "豊島区における措置を記載する。"


def assessment(*lines: str, header: str = "") -> str:
    """An assessment whose item I.1.1 holds ``lines`` (the first text line is file line 4)."""
    body = "\n".join(f"    {line}" for line in lines)
    return f"{header}form: 全項目\nitems:\n  I.1.1: |\n{body}\n"


def lint(ws: Path, **kw):  # type: ignore[no-untyped-def]
    return run_lint(ws, **kw).diagnostics.items


def codes(findings) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.code for f in findings]


# --------------------------------------------------------------------------- one test per wording rule

# rule, the 豊島区 table's text (verbatim), what the message quotes, what the hint suggests, severity
SEED_CASES = [
    (
        "bracket-balance",
        "①ガバメントクラウドについては政府情報システムのセキュリティ制度ISMAP）のリストに登録されたクラウドサービスから調達することとしており",
        "制度ISMAP）のリスト",
        "「（」",
        "error",
    ),
    (
        "long-vowel",
        "・滞納整理システムと番号連携サーバ―（団体内統合宛名システム）との間では、直接の連携はおこなわない。",
        "連携サーバ―（団体内",
        "「サーバー」",
        "error",
    ),
    (
        "halfwidth-kana",
        "①中間サーバ･プラットフォームはデータセンターに設置しており、データセンターへの入館及びサーバー室への入室を厳重に管理する。",
        "中間サーバ･プラットフォーム",
        "「・」",
        "warning",
    ),
    (
        "compat-char",
        "・記録項目︓処理日時、職員情報、部署情報、端末情報、処理事由、宛名番号、４情報。",
        "・記録項目︓処理日時",
        "「：」",
        "warning",
    ),
    (
        "term-variant",
        "③クラウド事業者は、ガバメントクラウドに対するセキュリティの脅威に対し、脅威検出やDDos対策を24時間365日講じる。",
        "「DDos」 is a variant of 「DDoS」",
        "「DDoS」",
        "warning",
    ),
    (
        "term-variant",
        "②特定個人情報は、サーバー室に設置された中間サーバのデータベース内に保存され、バックアップもデータベース上に保存される。",
        "「サーバ」 is a variant of 「サーバー」",
        "「サーバー」",
        "warning",
    ),
    (
        "vendor-name",
        "システム共通基盤（富士通）",
        "「（富士通）」",
        "delete 「（富士通）」",
        "warning",
    ),
    (
        "identifier-spacing",
        "・ISO/IEC27017、ISO/IEC27018 の認証を受けていること。",
        "「ISO/IEC27017」",
        "「ISO/IEC 27017」",
        "warning",
    ),
    (
        "identifier-spacing",
        "データの復元がなされないよう、クラウド事業者において、NIST 800-88、ISO/IEC27001等に準拠したプロセスにしたがって確実にデータを消去する。",
        "「NIST 800-88」",
        "「NIST SP 800-88」",
        "warning",
    ),
    ("placeholder", "【要記入：委託先名】に委託する。", "【要記入：委託先名】", "write the wording", "warning"),
]


@pytest.mark.parametrize(("rule", "text", "quoted", "suggested", "severity"), SEED_CASES, ids=[c[0] for c in SEED_CASES])
def test_wording_rule_on_the_seeds_text(ws: Path, rule: str, text: str, quoted: str, suggested: str, severity: str) -> None:
    write(ws / "assessments" / "a.yaml", assessment(FILLER, text))
    found = [f for f in lint(ws) if f.code == rule and quoted in f.message]
    assert found, f"{rule} did not fire on {text}"
    f = found[0]
    assert f.location is not None
    assert f.location.file.endswith("assessments/a.yaml")
    assert (f.location.line, f.location.key) == (5, "I.1.1")
    assert quoted in f.message
    assert f.hint and suggested in f.hint
    assert f.severity == severity
    assert f"[{rule}]" in f.message


def test_half_width_katakana_from_the_issue(ws: Path) -> None:
    write(ws / "assessments" / "a.yaml", assessment("｢ｻｰﾊﾞ｣に保存する。"))
    [f] = [f for f in lint(ws) if f.code == "halfwidth-kana"]
    assert "｢ｻｰﾊﾞ｣" in f.message and f.hint == "write 「「サーバ」」"


# The same sentences as the 豊島区 table corrected: nothing to report.
CLEAN = [
    "①ガバメントクラウドについては政府情報システムのセキュリティ制度（ISMAP）のリストに登録されたクラウドサービスから調達する。",
    "・滞納整理システムと番号連携サーバー（団体内統合宛名システム）との間では、直接の連携はおこなわない。",
    "①中間サーバー・プラットフォームはデータセンターに設置しており、サーバー室への入室を厳重に管理する。",
    "・記録項目：処理日時、職員情報、部署情報、端末情報、処理事由、宛名番号、４情報。",
    "脅威検出やDDoS対策を24時間365日講じる。ASP(「利用基準」に規定する「ASP」をいう。以下同じ。)",
    "・ISO/IEC 27017、ISO/IEC 27018 の認証を受けていること。NIST SP 800-88に準拠する。",
    "１）外部侵入防止",
    "a) 入退室管理",
]


def test_corrected_seed_wording_is_clean(ws: Path) -> None:
    write(ws / "assessments" / "a.yaml", assessment(*CLEAN))
    wording = {r for r, rule in RULES.items() if rule.scope == "text"}
    assert [str(f) for f in lint(ws) if f.code in wording] == []


def test_brackets_mismatched_and_unclosed(ws: Path) -> None:
    write(ws / "assessments" / "a.yaml", assessment("「利用基準）という。", "（令和４年１０月"))
    found = [f for f in lint(ws) if f.code == "bracket-balance"]
    messages = [f.message for f in found]
    assert any("「）」 closes no bracket" in m for m in messages)
    assert any("「「」 is never closed" in m for m in messages)
    assert any("「（」 is never closed" in m and f.location.line == 5 for m, f in zip(messages, found))


# --------------------------------------------------------------------------- glossary and data from hyoka.yaml


def test_glossary_wording_variants(ws: Path) -> None:
    config = ws / "hyoka.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("terms: {}", "terms:\n  中間サーバー: 中間サーバー・プラットフォーム"),
        encoding="utf-8",
    )
    write(
        ws / "assessments" / "a.yaml",
        assessment("中間サーバプラットフォームを活用する。", "中間サーバー・プラットフォームを活用する。"),
    )
    found = [f for f in lint(ws) if f.code == "term-variant"]
    assert len(found) == 1
    assert "「中間サーバプラットフォーム」 is a variant of the glossary's 「中間サーバー・プラットフォーム」" in found[0].message
    assert "{{ term.中間サーバー }}" in (found[0].hint or "")


def test_workspace_terms_and_vendors(ws: Path) -> None:
    config = ws / "hyoka.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "lint:\n  terms: {サーバ: [サーバー]}\n  vendors: [株式会社豊島システム]\n",
        encoding="utf-8",
    )
    write(ws / "assessments" / "a.yaml", assessment("サーバ室のサーバーは株式会社豊島システムが保守する。"))
    found = lint(ws)
    [term] = [f for f in found if f.code == "term-variant"]
    assert "「サーバー」 is a variant of 「サーバ」" in term.message
    assert any(f.code == "vendor-name" and "株式会社豊島システム" in f.message for f in found)


# --------------------------------------------------------------------------- clause and structure rules

LOCAL_CLAUSE = """
id: toshima/backup
title: 豊島区 バックアップ
heading: ＜豊島区における措置＞
kind: adaptable
homes: [II.6.1]
parameters:
  file_name:
    description: 特定個人情報ファイル名
  place:
    description: 保管場所
versions:
  - version: 1
    date: 2024-04-01
    source: {issuer: 豊島区, document: 豊島区 特定個人情報保護評価書}
    text: |
      バックアップは{{ place }}に保管する。
      {{ municipality }}の職員が管理する。
"""


def test_param_undefined_and_unused(ws: Path) -> None:
    write(ws / "clauses" / "toshima" / "backup.yaml", LOCAL_CLAUSE)
    write(ws / "assessments" / "a.yaml", assessment(FILLER))
    found = lint(ws)
    [undefined] = [f for f in found if f.code == "param-undefined"]
    assert undefined.severity == "error"
    assert "{{ municipality }}" in undefined.message and "toshima/backup@1" in undefined.message
    assert undefined.location.file.endswith("clauses/toshima/backup.yaml") and undefined.location.line == 17
    [unused] = [f for f in found if f.code == "param-unused"]
    assert unused.severity == "warning" and "'file_name'" in unused.message and unused.location.line == 7


def test_clause_used_outside_its_homes(ws: Path) -> None:
    write(ws / "assessments" / "a.yaml", "form: 全項目\nitems:\n  IV.3:\n    - clause: gov-cloud/storage@1\n")
    [f] = [f for f in lint(ws) if f.code == "clause-home"]
    assert f.severity == "warning" and f.location.line == 4 and f.location.key == "IV.3"
    assert "gov-cloud/storage@1" in f.message and "II.6.1" in (f.hint or "")


def test_empty_items_one_summary_or_all(ws: Path) -> None:
    write(ws / "assessments" / "a.yaml", "form: 全項目\nitems:\n  I.1.1: 住民基本台帳に関する事務\n  I.1.2: ''\n")
    [summary] = [f for f in lint(ws) if f.code == "empty-item"]
    assert "items are empty: I.1.2, I.1.2.attachment, I.1.3" in summary.message
    each = [f for f in lint(ws, everything=True) if f.code == "empty-item"]
    assert len(each) > 40  # every item of sections Ⅰ, Ⅳ–Ⅵ (no 特定個人情報ファイル: no Ⅱ, Ⅲ)
    [written] = [f for f in each if f.location.key == "I.1.2"]
    assert written.location.line == 4 and "（別添１）" not in written.message
    assert not any(f.location.key == "I.1.1" for f in each)


def test_invalid_choice_is_reported_once(ws: Path, run) -> None:
    write(ws / "assessments" / "a.yaml", "form: 全項目\nitems:\n  I.1.1: 住民基本台帳に関する事務\n  I.6.1: 実施します\n")
    result = run("-C", str(ws), "check", "--format", "json")
    reported = [d for d in json.loads(result.stdout) if "実施します" in d["message"]]
    assert [d["code"] for d in reported] == ["choice"]
    lint_result = run("-C", str(ws), "lint", "--format", "json")
    assert [d["code"] for d in json.loads(lint_result.stdout) if "実施します" in d["message"]] == ["choice"]


def test_placeholders_in_text_and_choices_are_reported_once(ws: Path, run) -> None:
    write(ws / "assessments" / "a.yaml", "form: 全項目\nitems:\n  I.1.1: 【要記入：事務の名称】\n  I.6.1: 【要選択】\n")
    result = run("-C", str(ws), "check", "--format", "json")
    placeholders = [(d["code"], d["line"]) for d in json.loads(result.stdout) if "【要" in d["message"] or d["line"] == 4]
    assert sorted(placeholders) == [("placeholder", 3), ("placeholder", 4)]


def test_stock_verbatim_clause_is_reported_as_the_publishers_wording(ws: Path) -> None:
    write(
        ws / "assessments" / "a.yaml",
        """
        form: 全項目
        files:
          - id: juki
            name: 住民基本台帳ファイル
            items:
              II.6.1:
                - clause: mid-server/storage@1
        """,
    )
    found = [f for f in lint(ws) if f.code == "halfwidth-kana"]
    assert found and all(f.severity == "warning" for f in found)
    f = found[0]
    assert f.location.file.endswith("mid-server/storage.yaml") and f.location.key == "mid-server/storage@1"
    assert "publisher's wording" in f.message and "verbatim" in f.message
    # stock versions nobody pins are not reported (unless --all)
    assert not any(f.location and f.location.key == "mid-server/physical@1" for f in lint(ws))
    assert any(f.location and f.location.key == "mid-server/physical@1" for f in lint(ws, everything=True))


# --------------------------------------------------------------------------- disabling


def test_disable_per_workspace(ws: Path) -> None:
    config = ws / "hyoka.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "lint:\n  disable: [vendor-name, empty-item]\n", encoding="utf-8")
    write(ws / "assessments" / "a.yaml", assessment("システム共通基盤（富士通）", "番号連携サーバ―"))
    assert set(codes(lint(ws))) == {"long-vowel"}


def test_severity_per_workspace(ws: Path, run) -> None:
    config = ws / "hyoka.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "lint:\n  severity: {identifier-spacing: error}\n", encoding="utf-8")
    write(ws / "assessments" / "a.yaml", assessment("JIS Q15001に準拠する。"))
    [f] = [f for f in lint(ws) if f.code == "identifier-spacing"]
    assert f.severity == "error" and f.hint == "write 「JIS Q 15001」"
    assert run("-C", str(ws), "lint").exit_code == 1


def test_unknown_rule_in_settings_is_an_error(ws: Path) -> None:
    config = ws / "hyoka.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "lint:\n  disable: [vendor-names]\n  disabled: []\n", encoding="utf-8")
    write(ws / "assessments" / "a.yaml", assessment(FILLER))
    problems = [f for f in lint(ws) if f.code == "lint-config"]
    assert [p.severity for p in problems] == ["error", "error"]
    assert any("did you mean 'vendor-name'" in (p.hint or "") for p in problems)
    assert any("unknown key 'disabled'" in p.message for p in problems)


def test_disable_inline_on_the_item_and_on_the_block(ws: Path) -> None:
    write(
        ws / "assessments" / "a.yaml",
        """
        form: 全項目
        items:
          I.1.1: |   # hyoka: disable=vendor-name
            システム共通基盤（富士通）
          I.1.2:
            - text: CSサーバー（富士通）   # hyoka: disable=vendor-name,long-vowel
            - text: 番号連携サーバ―
          I.3: 証明書自動交付システム（富士通）
        """,
    )
    found = [f for f in lint(ws) if f.code != "empty-item"]
    assert [(f.code, f.location.line) for f in found] == [("long-vowel", 7), ("vendor-name", 8)]


def test_disable_for_the_whole_file(ws: Path) -> None:
    header = "# 住民基本台帳\n# hyoka: disable=empty-item,vendor-name\n"
    write(ws / "assessments" / "a.yaml", assessment("システム共通基盤（富士通）", header=header))
    assert lint(ws) == []


# --------------------------------------------------------------------------- --fix

FIXABLE = """
# 住民基本台帳（豊島区）
form: 全項目
files:
  - id: juki
    name: 住民基本台帳ファイル
    items:
      II.6.1:
        - clause: mid-server/storage@1      # 中間サーバ･プラットフォーム (publisher's wording)
        - text: |
            ①中間サーバー･プラットフォームはデータセンターに設置しており、
            ・ISO/IEC27017、ISO/IEC27018 の認証を受けていること。
          heading: ＜豊島区における措置＞
items:
  I.1.1: 住民基本台帳に関する事務
  I.4.1: 政府情報システムのセキュリティ制度ISMAP）のリスト
  IV.3:
    - text: |
        ・滞納整理システムと番号連携サーバ―（団体内統合宛名システム）との間では、直接の連携はおこなわない。
        ・記録項目︓処理日時、職員情報
        脅威検出やDDos対策を講じる。｢ｻｰﾊﾞ｣
"""

FIXED_LINES = {
    10: "            ①中間サーバー・プラットフォームはデータセンターに設置しており、",
    11: "            ・ISO/IEC 27017、ISO/IEC 27018 の認証を受けていること。",
    18: "        ・滞納整理システムと番号連携サーバー（団体内統合宛名システム）との間では、直接の連携はおこなわない。",
    19: "        ・記録項目：処理日時、職員情報",
    20: "        脅威検出やDDoS対策を講じる。「サーバー」",
}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_fix_changes_only_the_fixed_characters(ws: Path, run) -> None:
    path = write(ws / "assessments" / "a.yaml", FIXABLE)
    before = path.read_text(encoding="utf-8").splitlines()
    stock = stock_clauses_dir() / "mid-server" / "storage.yaml"
    stock_hash = _sha(stock)

    result = run("-C", str(ws), "lint", "--fix")

    after = path.read_text(encoding="utf-8").splitlines()
    assert len(after) == len(before)
    changed = {n: line for n, (old, line) in enumerate(zip(before, after), 1) if old != line}
    assert changed == FIXED_LINES
    assert _sha(stock) == stock_hash  # the verbatim stock clause is never rewritten
    assert "fixed" in result.stderr and "assessments/a.yaml" in result.stderr
    # re-linted: what remains is what cannot be fixed
    assert result.exit_code == 1
    remaining = {line.split("[")[-1].split("]")[0] for line in result.stderr.splitlines() if "[" in line}
    assert "bracket-balance" in remaining
    assert not remaining & {"long-vowel", "compat-char", "identifier-spacing"}
    assert all("assessments/a.yaml" not in line for line in result.stderr.splitlines() if "[halfwidth-kana]" in line)


def test_fix_is_idempotent_and_leaves_a_clean_file_alone(ws: Path) -> None:
    path = write(ws / "assessments" / "a.yaml", assessment(*CLEAN))
    text = path.read_text(encoding="utf-8")
    result = run_lint(ws, fix=True)
    assert result.fixed == {}
    assert path.read_text(encoding="utf-8") == text


# --------------------------------------------------------------------------- CLI: output and exit codes


def test_json_output_shape(ws: Path, run) -> None:
    write(ws / "assessments" / "a.yaml", assessment(FILLER, "脅威検出やDDos対策を講じる。"))
    result = run("-C", str(ws), "lint", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert isinstance(data, list) and data
    for d in data:
        assert set(d) == {"severity", "code", "file", "line", "key", "message", "hint"}
    [term] = [d for d in data if d["code"] == "term-variant"]
    assert (term["severity"], term["file"], term["line"], term["key"]) == ("warning", "assessments/a.yaml", 5, "I.1.1")


@pytest.mark.parametrize(
    ("text", "status"),
    [
        (FILLER, 0),  # nothing wrong (one empty-item warning)
        ("脅威検出やDDos対策を講じる。", 0),  # warnings only
        ("番号連携サーバ―", 1),  # an error
    ],
)
def test_exit_status(ws: Path, run, text: str, status: int) -> None:
    write(ws / "assessments" / "a.yaml", assessment(text))
    result = run("-C", str(ws), "lint")
    assert result.exit_code == status, result.stderr


def test_check_includes_lint(ws: Path, run) -> None:
    write(ws / "assessments" / "a.yaml", assessment("番号連携サーバ―"))
    result = run("-C", str(ws), "check")
    assert result.exit_code == 1
    assert "[long-vowel]" in result.stderr


@pytest.mark.parametrize("command", ["lint", "check"])
def test_every_conflict_marker_line_is_reported_the_diff3_base_line_too(ws: Path, run, command: str) -> None:
    conflict = ["<<<<<<< local", "①豊島区の記載。", "||||||| base", "①記載例の文言。", "=======", "①新しい版の文言。", ">>>>>>> new"]
    write(ws / "assessments" / "a.yaml", assessment(FILLER, *conflict))
    result = run("-C", str(ws), command)
    assert result.exit_code == 1
    lines = [n for n in range(4, 4 + 1 + len(conflict)) if f"assessments/a.yaml:{n}: unresolved merge conflict marker" in result.stderr]
    assert lines == [5, 7, 9, 11]  # <<<<<<<, |||||||, =======, >>>>>>>


def test_a_base_marker_left_alone_is_refused(ws: Path, run) -> None:
    # the other markers deleted, the base section (and its marker) forgotten: the document would print both
    write(ws / "assessments" / "a.yaml", assessment("①豊島区の記載。", "||||||| base", "①記載例の文言。"))
    result = run("-C", str(ws), "lint")
    assert result.exit_code == 1
    assert "assessments/a.yaml:5: unresolved merge conflict marker" in result.stderr
    # a line that merely begins with pipes is text
    write(ws / "assessments" / "a.yaml", assessment("①豊島区の記載。", "|||||||| 区切り"))
    assert "unresolved merge conflict marker" not in run("-C", str(ws), "lint").stderr


def test_rules_are_listed_and_documented() -> None:
    ids = [r["id"] for r in rules_table()]
    assert len(ids) == len(set(ids))
    docs = (Path(__file__).resolve().parent.parent / "docs" / "lint.md").read_text(encoding="utf-8")
    for rule_id in ids:
        assert f"`{rule_id}`" in docs, rule_id
        assert RULES[rule_id].doc, rule_id


# --------------------------------------------------------------------------- speed


def test_linting_the_example_takes_well_under_a_second() -> None:
    run_lint(EXAMPLE)  # warm caches (imports, form schema)
    start = time.perf_counter()
    run_lint(EXAMPLE)
    assert time.perf_counter() - start < 0.5
