"""Shared fixtures: small workspaces written inline, and the CLI runner."""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import composer
from composer.cli import main

# The suite asserts English messages unless a test asks for Japanese (HYOKA_LANG=ja): a developer's
# Japanese locale must not change what the tests read.
os.environ["HYOKA_LANG"] = "en"

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "toshima"


JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
"""Kana or kanji: a line a Japanese user reads."""


def run_in(args: list[str], lang: str | None, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run the CLI with ``HYOKA_LANG=lang`` (None: unset, so the locale or hyoka.yaml decides)."""
    if lang is None:
        monkeypatch.delenv("HYOKA_LANG", raising=False)
    else:
        monkeypatch.setenv("HYOKA_LANG", lang)
    return CliRunner().invoke(main, args, catch_exceptions=False)


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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "libreoffice: converts documents with LibreOffice headless (soffice); fails when soffice is missing"
    )


def libreoffice_pdf(files: list[Path], outdir: Path, timeout: float = 120) -> list[Path]:
    """Convert documents to PDF with LibreOffice headless (own profile: no lock clashes).

    Fails (never skips) when soffice is missing: tests/run.sh installs LibreOffice (CI runs it).
    """
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail("soffice (LibreOffice) is not installed; install libreoffice-writer-nogui (bash tests/run.sh does)")
    profile = outdir / "lo-profile"
    cmd = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf", "--outdir", str(outdir)]
    proc = subprocess.run(cmd + [str(f) for f in files], capture_output=True, text=True, timeout=timeout)
    pdfs = [outdir / (f.stem + ".pdf") for f in files]
    missing = [p for p in pdfs if not p.exists()]
    hint = " (.xlsx needs LibreOffice Calc: libreoffice-calc-nogui)" if any(f.suffix == ".xlsx" for f in files) else ""
    assert not missing, f"LibreOffice did not convert {missing}{hint}: {proc.stdout} {proc.stderr}"
    return pdfs


def pdf_text(pdf: Path) -> str:
    import subprocess

    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def pdf_fonts(pdf: Path) -> list[tuple[str, bool]]:
    """(font name, embedded) for every font of the PDF, from pdffonts."""
    import subprocess

    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    fonts = []
    for line in out.splitlines()[2:]:
        cols = line.split()
        # name type... encoding emb sub uni object ID: "emb" is the 4th column from the right + 1
        if len(cols) >= 7:
            fonts.append((cols[0], cols[-5] == "yes"))
    return fonts


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hyoka wheel, built once per session from a clean copy of the source tree."""
    import shutil
    import subprocess
    import sys

    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".venv"),
    )
    out = base / "dist"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q", "-w", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, f"building the wheel failed:\n{proc.stdout}\n{proc.stderr}"
    (whl,) = out.glob("hyoka-*.whl")
    return whl
