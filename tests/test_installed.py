"""The installed ``hyoka``: the wheel in a fresh virtual environment, run from outside the source tree.

The rest of the suite imports ``composer`` from the checkout; these tests run what a user runs
after ``pip install .``, so a module or data file missing from the wheel fails here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from .conftest import EXAMPLE, ROOT


def _bin(env_dir: Path, name: str) -> Path:
    scripts = env_dir / ("Scripts" if os.name == "nt" else "bin")
    exe = scripts / (name + (".exe" if os.name == "nt" else ""))
    return exe


@pytest.fixture(scope="session")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of the ``hyoka`` entry point of a fresh virtual environment holding only the wheel and its deps."""
    env_dir = tmp_path_factory.mktemp("venv") / "env"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    python = _bin(env_dir, "python")
    proc = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, f"pip install of the wheel failed:\n{proc.stdout}\n{proc.stderr}"
    hyoka = _bin(env_dir, "hyoka")
    assert hyoka.exists(), "the wheel installs no hyoka entry point"
    return hyoka


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "HYOKA_DEBUG", "PYTHONHOME")}
    env["PYTHONUTF8"] = "1"
    return env


@pytest.fixture
def hyoka(installed: Path, tmp_path: Path):
    """Run the installed hyoka in a copy of examples/toshima outside the source tree."""
    work = tmp_path / "toshima"
    shutil.copytree(EXAMPLE, work, ignore=shutil.ignore_patterns("build"))

    def _run(*args: str, cwd: Path = work) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [str(installed), *args], cwd=cwd, env=_env(), capture_output=True, text=True, encoding="utf-8", timeout=300
        )
        assert "Traceback" not in proc.stderr, proc.stderr
        assert "internal error" not in proc.stderr, proc.stderr
        return proc

    _run.work = work  # type: ignore[attr-defined]
    return _run


def test_installed_package_is_not_the_checkout(installed: Path, tmp_path: Path) -> None:
    python = _bin(installed.parent.parent, "python")
    out = subprocess.run(
        [str(python), "-c", "import composer, composer.lint.rules, composer.resources as r;"
         "print(composer.__file__); print(r.stock_clauses_dir()); print(r.templates_dir())"],
        cwd=tmp_path, env=_env(), capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    for line in out:
        assert not Path(line).resolve().is_relative_to(ROOT), line
    assert out[1].endswith("stock_clauses") and out[2].endswith("stock_templates")


def test_check_and_lint(hyoka) -> None:
    for command in ("check", "lint"):
        proc = hyoka(command)
        # the example's draft keeps one real wording error of 豊島区's table (an unopened 「）」)
        assert proc.returncode == 1, proc.stderr
        assert "assessments/juki.yaml:45: juki:III.7.r1.5.detail:" in proc.stderr + proc.stdout
        assert "[bracket-balance]" in proc.stderr + proc.stdout


def test_check_in_two_processes_says_exactly_what_one_does(hyoka) -> None:
    for i in range(3):  # more assessments than workers, one of them broken
        shutil.copy(hyoka.work / "assessments" / "juminzei.yaml", hyoka.work / "assessments" / f"copy{i}.yaml")
    (hyoka.work / "assessments" / "copy1.yaml").write_text("form: 全項目\nitems:\n  I.1.1: [unclosed\n", encoding="utf-8")
    one, two = hyoka("check"), hyoka("check", "-j", "2")
    assert two.returncode == one.returncode == 1
    assert two.stdout == one.stdout and two.stderr == one.stderr
    assert "assessments/copy1.yaml:4: invalid YAML" in two.stderr and "[bracket-balance]" in two.stderr


def test_check_one_clean_assessment(hyoka) -> None:
    proc = hyoka("check", "juminzei")
    assert proc.returncode in (0, 1)
    assert "ModuleNotFoundError" not in proc.stderr
    assert "juki.yaml" not in proc.stderr + proc.stdout


def test_build_docx(hyoka) -> None:
    proc = hyoka("build", "--format", "docx")
    assert proc.returncode == 0, proc.stderr
    import docx

    for name in ("juki", "juminzei"):
        path = hyoka.work / "build" / f"{name}.docx"
        assert f"{name}.docx" in proc.stdout
        text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
        assert "特定個人情報" in text
    again = hyoka("build", "--format", "docx")
    assert again.returncode == 0 and "wrote" not in again.stdout  # unchanged inputs are skipped


def test_diff(hyoka) -> None:
    proc = hyoka("diff", "juki", "--start", "91")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("# 変更点リスク評価表(住民基本台帳)")
    assert "| 91 |" in proc.stdout and "| 92 |" in proc.stdout
    bad = hyoka("diff", "nosuch")
    assert bad.returncode == 1 and "nosuch" in bad.stderr


def test_outdated(hyoka) -> None:
    proc = hyoka("outdated")
    assert proc.returncode == 2
    assert "juminzei  IV.1.2.detail  mid-server/audit  @1 [stock] -> @2 [stock]" in proc.stdout
    assert "2 outdated uses" in proc.stdout + proc.stderr


def test_report(hyoka) -> None:
    proc = hyoka("report", "--year", "2025")
    assert proc.returncode == 0, proc.stderr
    assert "特定個人情報保護評価の実施状況報告" in proc.stdout
    assert "令和7年度" in proc.stdout


def test_propagate_dry_run_writes_nothing(hyoka) -> None:
    before = (hyoka.work / "assessments" / "juminzei.yaml").read_bytes()
    proc = hyoka("propagate", "mid-server/audit", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert "+    - clause: mid-server/audit@2" in proc.stdout
    assert "would update 1 uses in 1 files (0 conflicts)" in proc.stdout + proc.stderr
    assert (hyoka.work / "assessments" / "juminzei.yaml").read_bytes() == before


def test_new_then_check(hyoka) -> None:
    proc = hyoka("new", "kokuho", "--profile", "gov-cloud", "--file", "kokuho=国民健康保険ファイル")
    assert proc.returncode == 0, proc.stderr
    draft = hyoka.work / "assessments" / "kokuho.yaml"
    assert "国民健康保険ファイル" in draft.read_text(encoding="utf-8")
    again = hyoka("new", "kokuho", "--profile", "gov-cloud")
    assert again.returncode != 0 and "kokuho" in again.stderr
    line = next(n for n, text in enumerate(draft.read_text(encoding="utf-8").splitlines(), 1) if text.strip().startswith("II.2.1:"))
    check = hyoka("check", "kokuho", "--strict")
    assert check.returncode == 1 and f"assessments/kokuho.yaml:{line}: II.2.1: ①ファイルの種類 is not chosen yet" in check.stderr


def test_init_outside_then_build(hyoka, tmp_path: Path) -> None:
    proc = hyoka("init", str(tmp_path / "ws"), "-m", "豊島区", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "ws" / "hyoka.yaml").is_file()
    new = hyoka("-C", str(tmp_path / "ws"), "new", "juki", "--profile", "gov-cloud", "--file", "juki=住民基本台帳ファイル",
                cwd=tmp_path)
    assert new.returncode == 0, new.stderr
    built = hyoka("-C", str(tmp_path / "ws"), "build", "--format", "md", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert "住民基本台帳ファイル" in (tmp_path / "ws" / "build" / "juki.md").read_text(encoding="utf-8")
    again = hyoka("init", str(tmp_path / "ws"), "-m", "豊島区", cwd=tmp_path)
    assert again.returncode != 0


def test_bad_input_is_one_located_line(hyoka) -> None:
    path = hyoka.work / "assessments" / "juki.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("form: 全項目", "form: 全項目\nfrom: x", 1), encoding="utf-8")
    line = path.read_text(encoding="utf-8").splitlines().index("from: x") + 1
    expected = f"assessments/juki.yaml:{line}: from: unknown key 'from' in assessment (did you mean 'form'?)"
    for command in (["check"], ["build"], ["diff", "juki"], ["report", "--year", "2025"], ["outdated"], ["lint"]):
        proc = hyoka(*command)
        assert proc.returncode == 1, (command, proc.stderr)
        assert expected in proc.stderr, (command, proc.stderr)


def test_installed_speaks_japanese(hyoka, installed: Path, tmp_path: Path) -> None:
    """The catalogs ship with the wheel: help and a located error in Japanese, the location unchanged."""
    env = {**_env(), "HYOKA_LANG": "ja"}
    helped = subprocess.run([str(installed), "build", "--help"], cwd=tmp_path, env=env, capture_output=True, text=True, encoding="utf-8")
    assert helped.returncode == 0 and "使い方" in helped.stdout and "書き出します" in helped.stdout, helped.stdout
    path = hyoka.work / "assessments" / "juki.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("form: 全項目", "form: 全項目\nfrom: x", 1), encoding="utf-8")
    line = path.read_text(encoding="utf-8").splitlines().index("from: x") + 1
    proc = subprocess.run([str(installed), "check"], cwd=hyoka.work, env=env, capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    first = proc.stderr.splitlines()[0]
    assert first.startswith(f"エラー: assessments/juki.yaml:{line}: from: "), proc.stderr
    assert re.search(r"[\u3040-\u30ff]", first.split("from: ", 1)[1]) and "'form'" in first, first


def test_version(installed: Path, tmp_path: Path) -> None:
    proc = subprocess.run([str(installed), "--version"], cwd=tmp_path, env=_env(), capture_output=True, text=True)
    assert proc.returncode == 0 and "hyoka" in proc.stdout.lower()
    assert sys.version_info >= (3, 10)


INSTALLED_BAD_INPUTS = [
    # (file, old, new, command, expected located fragment)
    ("assessments/juminzei.yaml", "form: 全項目", "form: 全項目\nmeta2: x", ("check",), "assessments/juminzei.yaml:{line}: meta2: unknown key 'meta2'"),
    ("assessments/juki.yaml", "  I.1.1: 住民基本台帳に関する事務", '  I.1.1: "住民\\x07台帳"', ("build", "--format", "docx"),
     "assessments/juki.yaml:{line}: control character U+0007 cannot be stored in a Word document"),
    ("assessments/juki.yaml", "  I.1.1: 住民基本台帳に関する事務", "  I.1.１: 住民基本台帳に関する事務", ("diff", "juki"),
     "assessments/juki.yaml:{line}: I.1.１: unknown item key 'I.1.１' in form 全項目 (did you mean 'I.1.1'?"),
    ("hyoka.yaml", "municipality: 豊島区", "municipality: 豊島区\nlint: {disable: {a: 1}}", ("lint",),
     "hyoka.yaml:{line}: lint.disable: 'lint.disable' must be a list of rule ids"),
    ("assessments/juki.yaml", "  reassessed: 2021-06-01", "  reassessed: 2021-02-30", ("report", "--year", "2025"),
     "assessments/juki.yaml:{line}: '2021-02-30' is not a date"),
]


@pytest.mark.parametrize("rel, old, new, command, expected", INSTALLED_BAD_INPUTS, ids=[c[3][0] for c in INSTALLED_BAD_INPUTS])
def test_installed_bad_input_is_one_located_line(hyoka, rel: str, old: str, new: str, command: tuple[str, ...], expected: str) -> None:
    path = hyoka.work / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    line = next(i + 1 for i, ln in enumerate(text.splitlines()) if new.splitlines()[-1] in ln)
    proc = hyoka(*command)
    assert proc.returncode == 1, proc.stderr
    assert expected.format(line=line) in proc.stderr, proc.stderr
    assert not (hyoka.work / "build").exists()
