"""Messages, help and JSON in Japanese and English: catalogs complete, placeholders agree, no stray literals."""

from __future__ import annotations

import ast
import gettext
import importlib.util
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from composer.cli import main
from composer.i18n import LOCALE_DIR, View, _, _n, choose_language, fields, language_of_locale, system_language

from .conftest import JAPANESE, ROOT, write
from .conftest import run_in as _run


def _tool():
    spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "tools" / "i18n.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def test_every_message_is_translated_in_both_catalogs_with_the_same_placeholders() -> None:
    tool = _tool()
    expected = tool.expected_msgids()
    assert len(expected) > 100  # messages, help texts
    problems = [p for lang in ("ja", "en") for p in tool.problems(lang, expected)]
    assert problems == [], "\n".join(problems[:40]) + f"\n({len(problems)} problems; run python tools/i18n.py update and translate)"


def test_compiled_catalogs_match_their_sources() -> None:
    tool = _tool()
    for lang in ("ja", "en"):
        po = tool.load(lang)
        with (LOCALE_DIR / lang / "LC_MESSAGES" / "hyoka.mo").open("rb") as f:
            mo = gettext.GNUTranslations(f)
        for m in po:
            if not m.id:
                continue
            if isinstance(m.id, tuple):
                assert mo.ngettext(m.id[0], m.id[1], 1) == m.string[0], m.id
            else:
                assert mo.gettext(m.id) == m.string, f"{lang}: {m.id!r}: compile with python tools/i18n.py update"


# calls whose text argument a user reads: (callable name, positions of text arguments, keyword names)
_MESSAGE_CALLS = {"error": (0, 2), "warning": (0, 2), "echo": (0,), "secho": (0,), "notice": (0,), "UsageError": (0,),
                  "BadParameter": (0,), "ClickException": (0,), "Abort": (0,)}
_WORDS = re.compile(r"[A-Za-z]{3,}")


def _literal_words(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    if isinstance(node, ast.BinOp):
        return _literal_words(node.left) + _literal_words(node.right)
    if isinstance(node, ast.IfExp):
        return _literal_words(node.body) + _literal_words(node.orelse)
    return ""


def _untranslated() -> list[str]:
    found = []
    for path in sorted((ROOT / "composer").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            positions: tuple[int, ...] = ()
            if name.endswith("Error") and name != "ValueError":
                positions = (0, 2)
            elif name in _MESSAGE_CALLS:
                positions = _MESSAGE_CALLS[name]
            args = [node.args[i] for i in positions if i < len(node.args)]
            args += [k.value for k in node.keywords if k.arg in ("message", "hint", "reason")]
            for a in args:
                words = _literal_words(a)
                if _WORDS.search(words) and "untranslated:" not in lines[node.lineno - 1]:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {words[:60]!r}")
    return found


def test_no_message_is_a_bare_literal() -> None:
    """Every text a user reads goes through the catalog (_() / _n()); a line may say why not with '# untranslated:'."""
    found = _untranslated()
    assert found == [], f"{len(found)} messages are literals, not _(...):\n" + "\n".join(found[:60])


def test_view_translates_and_fills_placeholders(tmp_path: Path) -> None:
    ja, en = View("ja", tmp_path), View("en", tmp_path)
    msg = _("cannot write: {reason}", reason="disk full")
    assert en.text(msg) == "cannot write: disk full"
    assert JAPANESE.search(ja.text(msg)) and "disk full" in ja.text(msg)
    n = _n("{count} error", "{count} errors", 3)
    assert en.text(n) == "3 errors" and en.text(_n("{count} error", "{count} errors", 1)) == "1 error"
    assert "3" in ja.text(n) and JAPANESE.search(ja.text(n))
    inner = tmp_path / "assessments" / "juki.yaml"
    assert en.text(_("cannot write: {reason}", reason=inner)) == "cannot write: assessments/juki.yaml"
    assert fields("{file}:{line} {count!r}") == {"file", "line", "count"}


@pytest.mark.parametrize(("name", "lang"), [("ja_JP.UTF-8", "ja"), ("Japanese_Japan.932", "ja"), ("ja", "ja"),
                                            ("en_US.UTF-8", "en"), ("fr_FR", "en"), ("C.UTF-8", None), ("POSIX", None), ("", None)])
def test_locale_names(name: str, lang: str | None) -> None:
    assert language_of_locale(name) == lang


def test_language_precedence() -> None:
    env = {"LANG": "ja_JP.UTF-8"}
    assert choose_language(None, None, env) == "ja"
    assert choose_language(None, "en", env) == "en"  # hyoka.yaml over the locale
    assert choose_language(None, "en", {**env, "HYOKA_LANG": "ja"}) == "ja"  # HYOKA_LANG over hyoka.yaml
    assert choose_language("en", "ja", {**env, "HYOKA_LANG": "ja"}) == "en"  # --language over all
    assert choose_language(None, None, {"LANG": "C.UTF-8"}) == "en"  # neutral: English (docs/language.md)
    assert choose_language(None, None, {}) == "en"
    assert system_language({"LC_ALL": "ja_JP.UTF-8", "LANG": "en_US.UTF-8"}) == "ja"


def test_help_is_japanese_for_every_command(monkeypatch: pytest.MonkeyPatch) -> None:
    import click

    def walk(cmd: click.Command, path: list[str]):
        yield path
        if isinstance(cmd, click.Group):
            for name, sub in cmd.commands.items():
                yield from walk(sub, [*path, name])

    for path in walk(main, []):
        out = _run([*path, "--help"], "ja", monkeypatch).output
        assert "使い方" in out, (path, out)
        description = out.split("\n\n")[1] if "\n\n" in out else out
        assert JAPANESE.search(description), (path, description)
        english = _run([*path, "--help"], "en", monkeypatch).output
        assert english.startswith("Usage:"), path


def test_bad_input_in_both_languages(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(ws / "assessments" / "a.yaml", "form: 全項目\nmeta: [1, 2\n")
    en = _run(["-C", str(ws), "check"], "en", monkeypatch)
    ja = _run(["-C", str(ws), "check"], "ja", monkeypatch)
    assert en.exit_code == ja.exit_code == 1
    assert "assessments/a.yaml:" in en.stderr and "assessments/a.yaml:" in ja.stderr  # the same location in both
    assert "invalid YAML" in en.stderr
    assert JAPANESE.search(ja.stderr.split("assessments/a.yaml:")[1]) and "エラー" in ja.stderr
    assert "Traceback" not in ja.stderr


def test_language_setting_in_the_workspace(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = ws / "hyoka.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "language: ja\n", encoding="utf-8")
    write(ws / "assessments" / "a.yaml", "form: 全項目\nmeta: [1, 2\n")
    monkeypatch.delenv("HYOKA_LANG", raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LANGUAGE", raising=False)
    r = CliRunner().invoke(main, ["-C", str(ws), "check"], catch_exceptions=False)
    assert "エラー" in r.stderr
    config.write_text(config.read_text(encoding="utf-8").replace("language: ja", "language: fr"), encoding="utf-8")
    r = CliRunner().invoke(main, ["-C", str(ws), "check"], catch_exceptions=False)
    assert r.exit_code == 1 and "hyoka.yaml:" in r.stderr and "language" in r.stderr


def test_json_keeps_english_keys_and_adds_the_chosen_language(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(ws / "assessments" / "a.yaml", "form: 全項目\nmeta: [1, 2\n")
    en = json.loads(_run(["-C", str(ws), "check", "--format", "json"], "en", monkeypatch).stdout)
    ja = json.loads(_run(["-C", str(ws), "check", "--format", "json"], "ja", monkeypatch).stdout)
    assert [set(d) - {"language", "localized_message", "localized_hint"} for d in ja] == [set(d) for d in en]
    assert [(d["file"], d["line"], d["code"], d["message"]) for d in ja] == [(d["file"], d["line"], d["code"], d["message"]) for d in en]
    assert all(d["language"] == "ja" and JAPANESE.search(d["localized_message"]) for d in ja)
