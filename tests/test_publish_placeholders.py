"""Publish refuses while a placeholder (【要記入…】) or an unchosen choice (【要選択】) remains anywhere.

Each test opens one place in a copy of the 豊島区 example and checks, through the CLI, that
``hyoka publish`` exits 1, names the file, line and key, and writes no snapshot.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from .conftest import EXAMPLE

DECLARATION = "【要記入：個人のプライバシー等の権利利益の保護の宣言】"
TODO = "【要記入：豊島区における措置】"


@pytest.fixture
def toshima(tmp_path: Path) -> Path:
    ws = tmp_path / "toshima"
    shutil.copytree(EXAMPLE, ws, ignore=shutil.ignore_patterns("build"))
    return ws


def edit(ws: Path, old: str, new: str) -> int:
    """Replace ``old`` (once) in juki.yaml; returns the line where ``new`` starts its placeholder."""
    path = ws / "assessments" / "juki.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    at = text.index(new) + next(i for i, ch in enumerate(new) if ch == "【")
    return text.count("\n", 0, at) + 1


def snapshots(ws: Path) -> dict[str, bytes]:
    return {str(p.relative_to(ws)): p.read_bytes() for p in (ws / "snapshots").rglob("*") if p.is_file()}


def refused(ws: Path, run) -> str:  # type: ignore[no-untyped-def]
    before = snapshots(ws)
    result = run("-C", str(ws), "publish", "juki", "--date", "2026-04-01")
    assert result.exit_code == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert snapshots(ws) == before  # nothing sealed
    return result.stderr


def test_the_example_publishes(toshima: Path, run) -> None:  # type: ignore[no-untyped-def]
    result = run("-C", str(toshima), "publish", "juki", "--date", "2026-04-01")
    assert result.exit_code == 0, result.stderr
    assert (toshima / "snapshots" / "juki" / "2026-04-01.json").is_file()


def test_meta_declaration(toshima: Path, run) -> None:  # type: ignore[no-untyped-def]
    """The issue's case: everything filled in except the declaration."""
    old = "  declaration: |\n    豊島区は、"
    line = edit(toshima, old, f"  declaration: |\n    {DECLARATION}\n    豊島区は、")
    err = refused(toshima, run)
    assert f"assessments/juki.yaml:{line}: meta.declaration: placeholder {DECLARATION} is still there" in err


def test_meta_plain_value(toshima: Path, run) -> None:  # type: ignore[no-untyped-def]
    line = edit(toshima, "  title: 住民基本台帳に関する事務 全項目評価書\n", '  title: "【要記入：評価書名】"\n')
    assert f"assessments/juki.yaml:{line}: meta.title: placeholder 【要記入：評価書名】 is still there" in refused(toshima, run)


def test_file_name(toshima: Path, run) -> None:  # type: ignore[no-untyped-def]
    line = edit(toshima, "    name: 住民基本台帳ファイル\n", "    name: 【要記入：特定個人情報ファイル名】\n")
    assert f"assessments/juki.yaml:{line}: files[juki].name: placeholder 【要記入：特定個人情報ファイル名】" in refused(toshima, run)


def test_item_text(toshima: Path, run) -> None:  # type: ignore[no-untyped-def]
    line = edit(toshima, "  I.1.1: 住民基本台帳に関する事務\n", f"  I.1.1: {TODO}\n")
    assert f"assessments/juki.yaml:{line}: " in refused(toshima, run)
    assert TODO in refused(toshima, run)


def test_item_block_in_the_middle_of_a_list(toshima: Path, run) -> None:  # type: ignore[no-untyped-def]
    line = edit(toshima, "    - text: オブジェクトストレージ\n", f"    - text: オブジェクトストレージ（{TODO}）\n")
    err = refused(toshima, run)
    assert f"assessments/juki.yaml:{line}:" in err and TODO in err


def test_per_file_item(toshima: Path, run) -> None:  # type: ignore[no-untyped-def]
    old = "        - text: 行政機関・独立行政法人等（地方公共団体情報システム機構）\n"
    line = edit(toshima, old, f"        - text: 行政機関・独立行政法人等（{TODO}）\n")
    err = refused(toshima, run)
    assert f"assessments/juki.yaml:{line}:" in err and TODO in err


def test_block_heading(toshima: Path, run) -> None:  # type: ignore[no-untyped-def]
    old = "      heading: ＜中間サーバー･プラットフォームにおける措置＞\n"
    line = edit(toshima, old, "      heading: ＜【要記入：措置の主体】における措置＞\n")
    err = refused(toshima, run)
    assert f"assessments/juki.yaml:{line}:" in err and "【要記入：措置の主体】" in err


def test_unchosen_choice(toshima: Path, run) -> None:  # type: ignore[no-untyped-def]
    line = edit(toshima, "  I.6.1: 実施する\n", "  I.6.1: 【要選択】\n")
    err = refused(toshima, run)
    assert f"assessments/juki.yaml:{line}: I.6.1:" in err and "is not chosen yet" in err


def test_unchosen_per_file_choice(toshima: Path, run) -> None:  # type: ignore[no-untyped-def]
    old = "      III.1: 本人確認情報ファイル\n      III.7.r1.6: 十分に行っている\n"
    line = edit(toshima, old, "      III.1: 本人確認情報ファイル\n      III.7.r1.6: 【要選択】\n")
    err = refused(toshima, run)
    assert f"assessments/juki.yaml:{line}:" in err and "is not chosen yet" in err


def test_annotation(toshima: Path, run) -> None:  # type: ignore[no-untyped-def]
    old = "    countermeasure: |\n      オブジェクトストレージはガバメントクラウド上に構築する。"
    placeholder = "【要記入：リスク対策】"
    line = edit(toshima, old, f"    countermeasure: |\n      {placeholder}\n      オブジェクトストレージはガバメントクラウド上に構築する。")
    err = refused(toshima, run)
    assert f"assessments/juki.yaml:{line}: changes[0].countermeasure: placeholder {placeholder} is still there" in err


def test_parameter_rendered_into_a_clause(toshima: Path, run) -> None:  # type: ignore[no-untyped-def]
    line = edit(toshima, "parameters:\n  file_name: 住民基本台帳ファイル\n", "parameters:\n  file_name: 【要記入：ファイル名】\n")
    err = refused(toshima, run)
    assert f"assessments/juki.yaml:{line}: parameters.file_name: placeholder 【要記入：ファイル名】" in err


def test_every_open_point_is_named_at_once(toshima: Path, run) -> None:  # type: ignore[no-untyped-def]
    edit(toshima, "  declaration: |\n    豊島区は、", f"  declaration: |\n    {DECLARATION}\n    豊島区は、")
    edit(toshima, "  I.6.1: 実施する\n", "  I.6.1: 【要選択】\n")
    edit(toshima, "    countermeasure: |\n      オブジェクト", "    countermeasure: |\n      【要記入：リスク対策】オブジェクト")
    err = refused(toshima, run)
    assert "meta.declaration" in err and "I.6.1" in err and "changes[0].countermeasure" in err


def test_a_comment_is_not_a_placeholder(toshima: Path, run) -> None:  # type: ignore[no-untyped-def]
    edit(toshima, "form: 全項目\n", "# 【要記入…】 and 【要選択】 mark what is still open\nform: 全項目\n")
    assert run("-C", str(toshima), "publish", "juki", "--date", "2026-04-01").exit_code == 0


def test_glossary_term(toshima: Path, run) -> None:  # type: ignore[no-untyped-def]
    """A term the snapshot holds is named in hyoka.yaml, where it is written."""
    cfg = toshima / "hyoka.yaml"
    text = cfg.read_text(encoding="utf-8")
    old = "  中間サーバー: 中間サーバー・プラットフォーム\n"
    assert text.count(old) == 1
    cfg.write_text(text.replace(old, "  中間サーバー: 【要記入：中間サーバーの名称】\n"), encoding="utf-8")
    err = refused(toshima, run)
    assert "hyoka.yaml: terms.中間サーバー.wording: placeholder 【要記入：中間サーバーの名称】 is still there" in err



def test_a_long_refusal_is_summarised_and_check_lists_everything(ws: Path, run) -> None:  # type: ignore[no-untyped-def]
    """publish prints the first few open points and a count; check prints every one of them."""
    assert run("-C", str(ws), "new", "kokuho", "--profile", "gov-cloud").exit_code == 0
    refused = run("-C", str(ws), "publish", "kokuho")
    assert refused.exit_code == 1
    lines = refused.stderr.splitlines()
    total = int(re.fullmatch(r"(\d+) errors", lines[-1]).group(1))
    assert total > 20
    assert len([ln for ln in lines if ln.startswith("error: assessments/kokuho.yaml:")]) == 5
    assert f"… and {total - 5} more (`hyoka check kokuho` lists them all)" in lines[-2]
    checked = run("-C", str(ws), "check", "kokuho").stderr
    listed = [ln for ln in checked.splitlines() if "[placeholder]" in ln or "is not chosen yet" in ln]
    assert len(listed) > total - 5  # the whole list, not a summary
    for shown in (ln for ln in lines if ln.startswith("error: assessments/kokuho.yaml:")):
        assert shown.removeprefix("error: ").split(" (")[0].split(": ")[0] in checked
