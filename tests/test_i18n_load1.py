"""The loaders' messages in Japanese: the same locations as in English, the user's own words kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from composer.cli import main
from composer.errors import Diagnostics
from composer.i18n import View, _
from composer.load.validate import Fields
from composer.load.yamlio import parse_yaml

from .conftest import JAPANESE, write

CLAUSE = """
id: local/measure
title: 独自の措置
kind: verbatm
colour: red
versions:
  - version: 1
    date: 2024-04-01
    source: {issuer: 豊島区, document: 要領}
    text: |
      施錠できる書庫に保管する。
    notes: {risk_change: たぶん}
"""


def _check(ws: Path, lang: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("HYOKA_LANG", lang)
    result = CliRunner().invoke(main, ["-C", str(ws), "check"], catch_exceptions=False)
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    # each error line, from its location on (the "error:" before it is in the run's language too)
    return [m.group() for m in _LOCATED.finditer(result.stderr)]


_LOCATED = re.compile(r"(?:clauses/|hyoka\.yaml|assessments/)[^\n]*")


def _where(line: str) -> str:
    """``file:line`` of a message line."""
    file, lineno, _rest = line.split(":", 2)
    return f"{file}:{lineno}"


def test_a_bad_clause_file_in_japanese_names_the_same_places(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(ws / "clauses" / "local" / "measure.yaml", CLAUSE)
    en = _check(ws, "en", monkeypatch)
    ja = _check(ws, "ja", monkeypatch)
    assert "clauses/local/measure.yaml:4: colour: unknown key 'colour' in clause" in "\n".join(en)
    assert "clauses/local/measure.yaml:3: kind: kind must be verbatim or adaptable, not 'verbatm'" in en
    assert "risk_change must be あり or なし, not 'たぶん'" in "\n".join(en)
    assert len(en) == len(ja) >= 3
    assert [_where(line) for line in ja] == [_where(line) for line in en]
    text = "\n".join(ja)
    assert "clauses/local/measure.yaml:4: colour: 'colour' は定型文で使えないキーです" in text
    assert "clauses/local/measure.yaml:3: kind: kind に" in text
    assert "kind に 'verbatm' は書けません。verbatim か adaptable にしてください" in text
    assert "risk_change に 'たぶん' は書けません。あり または なしのどれかにしてください" in text
    assert "unknown key" not in text and "must be" not in text


def test_a_bad_library_entry_in_japanese(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = ws / "hyoka.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "libraries:\n  - stock\n  - vendor\n", encoding="utf-8")
    en = _check(ws, "en", monkeypatch)
    ja = _check(ws, "ja", monkeypatch)
    assert any("libraries[2]: unknown library entry 'vendor'" in line for line in en)
    [line] = [line for line in ja if "libraries[2]" in line]
    assert line.startswith(next(e for e in en if "libraries[2]" in e).split(" unknown")[0])
    assert "'vendor' は定型文ライブラリの指定として使えません" in line
    assert "- stock、- path: DIR、- package: NAME のいずれかを書いてください" in line


def test_a_yaml_syntax_error_in_japanese_keeps_its_line(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(ws / "assessments" / "a.yaml", "form: 全項目\nmeta:\n  title: 住民\n  title: 台帳\n")
    en = _check(ws, "en", monkeypatch)
    ja = _check(ws, "ja", monkeypatch)
    assert en == ["assessments/a.yaml:4: invalid YAML: duplicate key 'title' (first at line 3) (fix the syntax at that line)"]
    assert len(ja) == 1 and ja[0].startswith("assessments/a.yaml:4: ")
    assert "キー 'title' が重複しています（最初は 3 行目）" in ja[0] and "その行の書き方を直してください" in ja[0]


def test_the_parsers_own_words_are_translated_and_unchanged_in_english() -> None:
    with pytest.raises(Exception) as caught:
        parse_yaml("meta: [1, 2\n", Path("a.yaml"))
    err = caught.value
    assert str(err) == (
        "a.yaml:2: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence started at line 1) "
        "(fix the syntax at that line)"
    )
    ja = err.shown(View("ja"))  # type: ignore[attr-defined]
    assert ja.startswith("a.yaml:2: ") and "',' か ']' があるはずの所にありません" in ja and "1 行目から始まる" in ja
    assert "did not find" not in ja


def test_fields_messages_in_both_languages() -> None:
    diag = Diagnostics()
    data = parse_yaml("name: [a]\ncount: x\nflag: 3\nkind: c\n", Path("f.yaml"))
    f = Fields(data, Path("f.yaml"), diag, _("clause"), ("name", "count", "flag", "kind", "title"))
    f.str("name")
    f.int("count")
    f.bool("flag")
    f.choice("kind", ("a", "b", "d"))
    f.str("title", required=True)
    en = [e.shown(View("en")) for e in diag.items]
    ja = [e.shown(View("ja")) for e in diag.items]
    assert en == [
        "f.yaml:1: name: 'name' must be text, found a list",
        "f.yaml:2: count: 'count' must be a whole number, found 'x'",
        "f.yaml:3: flag: 'flag' must be true or false, found 3",
        "f.yaml:4: kind: kind must be a or b or d, not 'c'",
        "f.yaml:1: missing required key 'title' in clause (add 'title:')",
    ]
    assert [j.split(": ")[0] for j in ja] == [e.split(": ")[0] for e in en]
    assert "'name' が文字列ではなく、一覧になっています" in ja[0]
    assert "'count' が整数ではなく、'x'になっています" in ja[1]
    assert "a または b または d のどれかにしてください" in ja[3]
    assert "定型文に必須のキー 'title' がありません" in ja[4] and "'title:' を書き加えてください" in ja[4]
    assert all(JAPANESE.search(j) for j in ja)
