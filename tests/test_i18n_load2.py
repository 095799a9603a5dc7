"""``language:`` in hyoka.yaml, and the loaders' messages (workspace, assessment, form) in Japanese."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import composer
from composer.cli import main
from composer.errors import ErrorList, UserError
from composer.load.workspace import config_text

from .conftest import JAPANESE, write


def _check(ws: Path, lang: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HYOKA_LANG", lang)
    return CliRunner().invoke(main, ["-C", str(ws), "check"], catch_exceptions=False)


def _set_language(ws: Path, line: str) -> int:
    """Append ``line`` to hyoka.yaml; returns its line number."""
    config = ws / "hyoka.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text + line + "\n", encoding="utf-8")
    return text.count("\n") + 1


@pytest.mark.parametrize("value", ["ja", "en"])
def test_language_is_on_the_loaded_config(ws: Path, value: str) -> None:
    assert composer.load_workspace(ws).config.language is None
    _set_language(ws, f"language: {value}")
    assert composer.load_workspace(ws).config.language == value


@pytest.mark.parametrize(("line", "shown"), [("language: fr", "'fr'"), ("language: JA", "'JA'"), ("language: ''", "''"),
                                             ("language: [ja]", "a list"), ("language: 1", "the number 1")])
def test_a_wrong_language_is_one_located_error(ws: Path, line: str, shown: str, monkeypatch: pytest.MonkeyPatch) -> None:
    n = _set_language(ws, line)
    with pytest.raises(UserError) as exc:  # one error is raised as itself
        composer.load_workspace(ws)
    err = exc.value
    assert not isinstance(err, ErrorList)
    assert err.location is not None and err.location.line == n and err.location.key == "language"
    r = _check(ws, "en", monkeypatch)
    assert r.exit_code == 1 and "Traceback" not in r.stderr
    assert f"hyoka.yaml:{n}: language: language must be ja or en, not {shown} " \
           "(write language: ja (Japanese) or language: en (English))" in r.stderr
    assert r.stderr.count("error: ") == 1  # one line: no second error about the same key


def test_a_wrong_language_in_japanese(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    n = _set_language(ws, "language: fr")
    r = _check(ws, "ja", monkeypatch)
    assert r.exit_code == 1
    line = next(x for x in r.stderr.splitlines() if f"hyoka.yaml:{n}: language:" in x)
    assert "language に 'fr' は使えません" in line and "language: ja（日本語）" in line


def test_init_writes_a_commented_language_line_that_loads_when_uncommented(ws: Path) -> None:
    text = (ws / "hyoka.yaml").read_text(encoding="utf-8")
    assert "# language: ja " in text and yaml.safe_load(text).get("language") is None
    assert yaml.safe_load(config_text("豊島区"))["municipality"] == "豊島区"
    (ws / "hyoka.yaml").write_text(text.replace("# language: ja ", "language: ja "), encoding="utf-8")
    assert composer.load_workspace(ws).config.language == "ja"


def test_assessment_errors_in_japanese_keep_the_location(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(ws / "assessments" / "a.yaml", """
        form: 全項目
        items:
          IV.9: 文
          II.6.1: 文
          I.1.1:
            - clause: gov-cloud/storage@1
              text: 二つ
        """)
    en, ja = _check(ws, "en", monkeypatch), _check(ws, "ja", monkeypatch)
    assert en.exit_code == ja.exit_code == 1
    assert "assessments/a.yaml:3: IV.9: unknown item key 'IV.9' in form 全項目" in en.stderr
    assert "assessments/a.yaml:3: IV.9: 様式 全項目に 'IV.9' という項目はありません" in ja.stderr
    assert "assessments/a.yaml:4: II.6.1: item 'II.6.1' belongs to a 特定個人情報ファイル" in en.stderr
    assert "assessments/a.yaml:4: II.6.1: 項目 'II.6.1' は特定個人情報ファイルごとの項目です" in ja.stderr
    assert "assessments/a.yaml:6: I.1.1: a block of 'I.1.1' needs exactly one of 'clause:' or 'text:'" in en.stderr
    assert "assessments/a.yaml:6: I.1.1: 'I.1.1' のブロックには 'clause:' と 'text:' のどちらか一方だけを書いてください" in ja.stderr


def test_unknown_form_and_assessment_in_japanese(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(ws / "assessments" / "a.yaml", "form: 全部\n")
    ja = _check(ws, "ja", monkeypatch)
    assert "assessments/a.yaml:1: form: 様式 '全部' はありません" in ja.stderr
    monkeypatch.setenv("HYOKA_LANG", "ja")
    r = CliRunner().invoke(main, ["-C", str(ws), "build", "nothing"], catch_exceptions=False)
    assert r.exit_code == 1 and "'nothing' という評価書はありません" in r.stderr
    assert JAPANESE.search(r.stderr.split("はありません")[1])  # the hint too: ある評価書：a
