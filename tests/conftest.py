"""Shared fixtures: small workspaces written inline, and the CLI runner."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import composer
from composer.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "toshima"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """An empty workspace of 豊島区."""
    composer.init_workspace(tmp_path, "豊島区")
    return tmp_path


@pytest.fixture
def run():
    """Run the hyoka CLI; returns the click Result (stdout and stderr kept apart)."""
    runner = CliRunner()

    def _run(*args: str, input: str | None = None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return _run


SIMPLE_ASSESSMENT = """
form: 全項目
meta:
  number: "1"
  title: 住民基本台帳に関する事務 全項目評価書
  office: 豊島区長
files:
  - id: juki
    name: 住民基本台帳ファイル
    items:
      II.6.1:
        - clause: gov-cloud/storage@1
        - text: |
            事務室内の施錠可能な書庫に保管する。
          heading: ＜豊島区における措置＞
      III.7.r1.5: 十分に行っている
items:
  I.1.1: 住民基本台帳に関する事務
  IV.1.2.detail:
    - clause: mid-server/audit@2
"""
