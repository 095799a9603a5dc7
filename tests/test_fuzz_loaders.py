"""Fuzz the loaders: whatever YAML a user writes, loading ends in a result or in located user errors.

Two kinds of input: random edits of valid files (characters a typo or a bad paste brings:
colons, quotes, escapes, anchors, full-width digits, control characters), and random
structures over the known keys, near-misses of them and values of every type.
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import composer
from composer.cli import main
from composer.errors import Diagnostics, HyokaError, UserError
from composer.load.assessment import ASSESSMENT_KEYS, BLOCK_KEYS, CHANGE_KEYS, FILE_KEYS, META_KEYS, load_assessment
from composer.load.clauses import load_clause
from composer.load.workspace import load_config

from .conftest import SIMPLE_ASSESSMENT
from .test_bad_input import LOCAL_CLAUSE

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

CONFIG = """\
municipality: 豊島区
stock_clauses: true
clauses: clauses
parameters: {file_name: 住民基本台帳ファイル}
terms:
  宛名システム:
    wording: 番号連携サーバー
    previous: [システム共通基盤]
    risk_change: なし
lint:
  disable: [vendor-name]
  severity: {term-variant: error}
  terms: {サーバー: [サーバ]}
  vendors: [富士通]
"""

PIECES = [":", ": ", "- ", "\n", "  ", "\t", '"', "'", "\\", "\\x07", "\\0", "\\ud800", "\\uFFFE", "&a ", "*a", "<<: ",
          "[", "]", "{", "}", "#", "|", ">", "!!", "!!binary ", "!!python/object ", "@", "@0", "１", "０１", "01", "2021-02-30",
          "2024-04-01", "~", "null", "true", "1e999", "0x1F", "{{ ", " }}", "{% for x in y %}", "\x07", "\x00", "\u3000", "\ufeff",
          "entrust01.", "II.4.entrust1.1", "clause: ", "text: ", "version: ", "gov-cloud/storage@1"]

VALUES = ['"住民\\x07台帳"', '"\\0"', '"\\e"', "2021-02-30", "2021-13-01", "2024-04-01", "&r [*r]", "010", "12:30", "yes", "~",
          "[a, b]", "{a: 1}", "-1", "1e999", '"{{ x | truncate(-1) }}"', '"{{ 1 / 0 }}"', '"{{ [1] * 99999999 }}"',
          "gov-cloud/storage@０", "II.4.entrust01.1", "!!binary aGVsbG8=", "!!set {a, b}", '"\\uFFFE"', "｛"]


@st.composite
def edited(draw: st.DrawFn, text: str) -> str:
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "dup-line", "value", "value"]))
        if action == "value":  # a new value for one key: what a drafter types after the colon
            lines = text.splitlines(keepends=True)
            keyed = [i for i, line in enumerate(lines) if ": " in line]
            if keyed:
                i = draw(st.sampled_from(keyed))
                head = lines[i].split(": ", 1)[0]
                lines[i] = f"{head}: {draw(st.sampled_from(VALUES))}\n"
                text = "".join(lines)
        elif action == "insert":
            piece = draw(st.sampled_from(PIECES) | st.text(st.characters(blacklist_categories=("Cs",)), max_size=3))
            text = text[:where] + piece + text[where:]
        elif action == "delete":
            text = text[:where] + text[where + draw(st.integers(1, 12)):]
        elif action == "replace":
            text = text[:where] + draw(st.sampled_from(PIECES)) + text[where + 1:]
        else:
            lines = text.splitlines(keepends=True)
            if lines:
                i = draw(st.integers(0, len(lines) - 1))
                lines.insert(i, lines[i])
                text = "".join(lines)
    return text


def _near(keys: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.sampled_from(keys) | st.sampled_from(keys).map(lambda k: k[:-1] or "x") | st.sampled_from(keys).map(str.upper)


scalars = st.none() | st.booleans() | st.integers(-10**30, 10**30) | st.floats(allow_nan=True) | st.text(max_size=20) | st.dates().map(str)


def _tree(keys: tuple[str, ...]) -> st.SearchStrategy[object]:
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_near(keys) | st.text(string.ascii_letters, max_size=6), inner, max_size=5),
        max_leaves=20,
    )


ALL_KEYS = ASSESSMENT_KEYS + META_KEYS + FILE_KEYS + BLOCK_KEYS + CHANGE_KEYS + ("I.1.1", "II.6.1", "III.7.r1.5", "II.4.entrust1.1")

structured = st.fixed_dictionaries(
    {"form": st.sampled_from(["全項目", "全項木", "", 1]) | scalars},
    optional={k: _tree(ALL_KEYS) for k in ASSESSMENT_KEYS if k != "form"},
).map(lambda d: yaml.safe_dump(d, allow_unicode=True))


def _only_user_errors(call) -> None:  # type: ignore[no-untyped-def]
    diag = Diagnostics()
    try:
        call(diag)
    except HyokaError as exc:
        assert isinstance(exc, UserError) or getattr(exc, "errors", None), exc
    for problem in diag.items:
        assert isinstance(problem, UserError)
        assert problem.location is not None, problem
        assert "Traceback" not in str(problem)


@FUZZ
@given(text=edited(SIMPLE_ASSESSMENT.lstrip("\n")) | structured)
def test_fuzz_assessment_loader(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    path = tmp_path_factory.mktemp("a") / "a.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _only_user_errors(lambda diag: load_assessment(path, diag))


@FUZZ
@given(text=edited(LOCAL_CLAUSE) | _tree(("id", "title", "heading", "kind", "homes", "parameters", "versions", "version",
                                             "date", "source", "text", "notes")).map(lambda d: yaml.safe_dump(d, allow_unicode=True)))
def test_fuzz_clause_loader(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    path = tmp_path_factory.mktemp("c") / "measure.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _only_user_errors(lambda diag: load_clause(path, "local/measure", "local", diag))


@FUZZ
@given(text=edited(CONFIG))
def test_fuzz_workspace_config_loader(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    root = tmp_path_factory.mktemp("w")
    (root / "hyoka.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    _only_user_errors(lambda diag: load_config(root, diag))


@pytest.fixture(scope="module")
def fuzz_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzzws")
    composer.init_workspace(root, "豊島区")
    return root


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(assessment=edited(SIMPLE_ASSESSMENT.lstrip("\n")), config=edited(CONFIG) | st.just(CONFIG))
def test_fuzz_check_never_fails_internally(fuzz_ws: Path, assessment: str, config: str) -> None:
    """The whole of ``hyoka check`` (load, compose, lint) on fuzzed files: exit 0/1, never an internal error."""
    (fuzz_ws / "hyoka.yaml").write_text(config, encoding="utf-8", errors="surrogatepass")
    (fuzz_ws / "assessments" / "juki.yaml").write_text(assessment, encoding="utf-8", errors="surrogatepass")
    result = CliRunner().invoke(main, ["-C", str(fuzz_ws), "check"], catch_exceptions=False)
    out = result.stderr + result.stdout
    assert result.exit_code in (0, 1), out
    assert "internal error" not in out and "Traceback" not in out, out
