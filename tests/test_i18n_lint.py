"""hyoka lint in Japanese: findings, summaries, stock wording and lint: settings, at the same locations as in English."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from composer.cli import main
from composer.i18n import View
from composer.lint.engine import rules_table

from .conftest import JAPANESE, write


def _lint(ws: Path, lang: str, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.setenv("HYOKA_LANG", lang)
    return CliRunner().invoke(main, ["-C", str(ws), "lint", *args], catch_exceptions=False)


def _line(stderr: str, needle: str) -> str:
    [line] = [line for line in stderr.splitlines() if needle in line]
    return line


def _assessment(ws: Path, *lines: str) -> None:
    body = "\n".join(f"    {line}" for line in lines)
    write(ws / "assessments" / "a.yaml", f"form: 全項目\nitems:\n  I.1.1: |\n{body}\n")


def test_a_wording_finding_in_japanese_keeps_its_location_and_rule(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _assessment(ws, "豊島区における措置を記載する。", "番号連携サーバ―（団体内統合宛名システム）")
    en = _line(_lint(ws, "en", monkeypatch).stderr, "[long-vowel]")
    ja = _line(_lint(ws, "ja", monkeypatch).stderr, "[long-vowel]")
    where = "assessments/a.yaml:5: I.1.1: "
    assert en.startswith("error: " + where) and ja.startswith("エラー: " + where)
    assert "where the long-vowel mark ー belongs [long-vowel] (write 「サーバー」)" in en
    assert "長音記号「ー」の位置に ― （U+2015）があります [long-vowel]" not in ja  # the codepoint sits in full-width brackets
    assert "長音記号「ー」の位置に ―（U+2015）があります [long-vowel]" in ja
    assert ja.endswith("（「サーバー」と書いてください）")


def test_the_empty_items_summary_in_japanese(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _assessment(ws, "住民基本台帳に関する事務")
    en = _line(_lint(ws, "en", monkeypatch).stderr, "[empty-item]")
    ja = _line(_lint(ws, "ja", monkeypatch).stderr, "[empty-item]")
    m = re.search(r"(\d+) of (\d+) items are empty: (\S+), ", en)
    assert m and en.startswith("assessments/a.yaml: ")
    empty, total, first = m.groups()
    assert ja.startswith("assessments/a.yaml: ")
    assert f"{total} 項目のうち {empty} 項目が未記入です: {first}、" in ja and "、…" in ja
    assert "`hyoka lint --all` で一つずつ一覧にできます" in ja


def test_the_publishers_wording_in_japanese(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
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
    en = _line(_lint(ws, "en", monkeypatch).stderr, "[halfwidth-kana] —")
    ja = _line(_lint(ws, "ja", monkeypatch).stderr, "[halfwidth-kana] —")
    assert en.split(" warning: ")[0] == ja.split(" 警告: ")[0].split(" warning: ")[0]
    assert "the publisher's wording (verbatim clause mid-server/storage@1), reported only" in en
    assert "hyoka never rewrites published wording)" in en
    assert "発行元の文言のため報告のみ（原文どおりに使う定型文 mid-server/storage@1）" in ja
    assert "後の版で「・」と書いてください。hyoka は発行元の文言を書き換えません" in ja


def test_lint_settings_errors_in_japanese(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = ws / "hyoka.yaml"
    text = config.read_text(encoding="utf-8")
    n = text.count("\n") + 1
    config.write_text(text + "lint:\n  disable: [vendor-names]\n  severity: {long-vowel: fatal}\n  vendor: []\n", encoding="utf-8")
    _assessment(ws, "豊島区における措置を記載する。")
    en = _lint(ws, "en", monkeypatch)
    ja = _lint(ws, "ja", monkeypatch)
    assert en.exit_code == ja.exit_code == 1 and "Traceback" not in ja.output
    assert f"error: hyoka.yaml:{n + 1}: lint.disable: unknown lint rule 'vendor-names' (did you mean 'vendor-name'?)" in en.stderr
    assert _line(ja.stderr, "'vendor-names'").startswith(f"エラー: hyoka.yaml:{n + 1}: lint.disable: ")
    assert "'vendor-names' という点検の規則はありません（'vendor-name' の誤りではありませんか）" in ja.stderr
    assert "'long-vowel' の severity に 'fatal' は書けません。error か warning にしてください" in ja.stderr
    unknown = _line(ja.stderr, "'vendor' は")
    assert unknown.startswith(f"エラー: hyoka.yaml:{n + 3}: lint.vendor: ") and "lint の設定に使えないキーです" in unknown
    assert unknown.endswith("（'vendors' の誤りではありませんか）")


def test_lint_settings_of_the_wrong_type_in_japanese(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = ws / "hyoka.yaml"
    text = config.read_text(encoding="utf-8")
    n = text.count("\n") + 1
    config.write_text(text + "lint:\n  vendors: {富士通: 1}\n", encoding="utf-8")
    _assessment(ws, "豊島区における措置を記載する。")
    assert f"error: hyoka.yaml:{n + 1}: lint.vendors: 'lint.vendors' must be a list of vendor names, found a mapping" in (
        _lint(ws, "en", monkeypatch).stderr
    )
    line = _line(_lint(ws, "ja", monkeypatch).stderr, "'lint.vendors'")
    assert line.startswith(f"エラー: hyoka.yaml:{n + 1}: lint.vendors: ") and "'lint.vendors' が事業者名の一覧ではなく" in line


def test_json_keeps_english_and_adds_the_japanese(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _assessment(ws, "豊島区における措置を記載する。", "脅威検出やDDos対策を講じる。")
    rows = json.loads(_lint(ws, "ja", monkeypatch, "--format", "json").stdout)
    [row] = [r for r in rows if r["code"] == "term-variant"]
    assert row["message"].endswith("「DDos」 is a variant of 「DDoS」 [term-variant]") and row["hint"] == "write 「DDoS」"
    assert row["localized_message"].endswith("「DDos」は「DDoS」の異表記です [term-variant]")
    assert row["localized_hint"] == "「DDoS」と書いてください"


def test_every_rule_summary_has_a_japanese_translation() -> None:
    ja = View("ja")
    for row in rules_table():
        summary = str(row["summary"])
        assert ja.translate(summary) != summary and JAPANESE.search(ja.translate(summary)), row["id"]
