"""Clause libraries as sources: a vendor's library (a directory or an installed package)
brings the 第2.0版 of gov-cloud/technical to several workspaces."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from composer.errors import Diagnostics
from composer.load.clauses import load_clause

from .conftest import EXAMPLE, ROOT, write

OLD_NAME = "地方公共団体情報システムのガバメントクラウドの利用に関する基準【第1.0版】」（令和４年１０月"
NEW_NAME = "地方公共団体情報システムのガバメントクラウドの利用について【第2.0版】」（令和６年４月"
REASON = "デジタル庁の「地方公共団体情報システムのガバメントクラウドの利用について【第2.0版】」への改定に合わせ、記載を改めた。"

MANIFEST = """\
name: {name}
publisher: 株式会社エーエスピー
version: "2024.04"
date: 2024-04-24
"""

HEAD = """\
id: gov-cloud/technical
title: ガバメントクラウド 技術的対策
heading: ＜ガバメントクラウドにおける措置＞
kind: adaptable
homes: [III.7.r1.6.detail]
parameters:
  file_name:
    description: 特定個人情報ファイル名
    default: 特定個人情報ファイル
versions:
"""

V2 = """\
  - version: 2
    date: 2024-04-24
    source:
      issuer: デジタル庁
      document: 特定個人情報保護評価書（全項目評価書）記載例（ガバメントクラウド）
      edition: 地方公共団体情報システムのガバメントクラウドの利用について【第2.0版】（令和６年４月）
    text: |
{text}
    notes:
      reason: {reason}
      risk_change: なし
      risk_situation: 参照する基準の名称の変更であり、{{{{ file_name }}}}の取扱いに変更はない。
"""


def v1_text() -> str:
    stock = ROOT / "clauses" / "gov-cloud" / "technical.yaml"
    clause = load_clause(stock, "gov-cloud/technical", "stock", Diagnostics())
    assert clause is not None
    return clause.version(1).text  # type: ignore[union-attr]


def v2_text() -> str:
    text = v1_text()
    assert OLD_NAME in text
    return text.replace(OLD_NAME, NEW_NAME)


def clause_file(reason: str = REASON, text: str | None = None) -> str:
    body = "\n".join("      " + line for line in (text or v2_text()).rstrip("\n").split("\n"))
    return HEAD + V2.format(text=body, reason=reason)


def make_library(directory: Path, name: str, run, reason: str = REASON) -> Path:  # type: ignore[no-untyped-def]
    write(directory / "hyoka-library.yaml", MANIFEST.format(name=name))
    (directory / "gov-cloud").mkdir(parents=True, exist_ok=True)
    (directory / "gov-cloud" / "technical.yaml").write_text(clause_file(reason), encoding="utf-8")
    result = run("libraries", "lock", str(directory))
    assert result.exit_code == 0, result.stderr
    assert "published gov-cloud/technical@2" in result.output
    return directory


def make_workspace(tmp_path: Path, name: str, libraries: str, run, publish: bool = True) -> Path:  # type: ignore[no-untyped-def]
    ws = tmp_path / name
    shutil.copytree(EXAMPLE, ws, ignore=shutil.ignore_patterns("build"))
    cfg = ws / "hyoka.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "libraries:\n" + textwrap.indent(libraries, "  "), encoding="utf-8")
    for a in ("juki", "juminzei") if publish else ():
        assert run("-C", str(ws), "publish", a, "--date", "2026-04-01").exit_code == 0
    return ws


@pytest.fixture
def vendor(tmp_path: Path, run) -> Path:  # type: ignore[no-untyped-def]
    return make_library(tmp_path / "shared" / "asp-texts", "asp-texts", run)


def test_directory_library_from_review_to_build_in_two_workspaces(tmp_path: Path, vendor: Path, run) -> None:
    spec = "- stock\n- path: ../shared/asp-texts\n"
    a = make_workspace(tmp_path, "toshima", spec, run)
    b = make_workspace(tmp_path, "nerima", spec, run)

    shown = run("-C", str(a), "clauses", "show", "gov-cloud/technical")
    assert "@1  2022-10-01  [stock]" in shown.output and "@2  2024-04-24  [asp-texts]" in shown.output

    out = run("-C", str(a), "outdated")
    assert out.exit_code == 2
    assert "juki  juki:III.7.r1.6.detail  gov-cloud/technical  @1 [stock] -> @2 [asp-texts]" in out.output
    assert "library asp-texts brings 1 version(s) not yet taken" in out.stderr

    # see before you take: the wording as a phrase diff, source, notes and uses
    review = run("-C", str(a), "libraries", "review")
    assert review.exit_code == 0, review.stderr
    text = review.output
    assert "== asp-texts 2024.04 (株式会社エーエスピー, 2024-04-24) (never taken): 1 new version(s)" in text
    assert "gov-cloud/technical@2  2024-04-24  [asp-texts] (after @1 [stock])" in text
    assert "の利用[-に関する基準-]{+について+}【第[-1-]{+2+}.0版】」（令和[-４年１０-]{+６年４+}月" in text
    assert "出典: デジタル庁 特定個人情報保護評価書（全項目評価書）記載例（ガバメントクラウド） 地方公共団体情報システムのガバメントクラウドの利用について【第2.0版】" in text
    assert f"変更理由: {REASON}" in text
    for use in ("juki juki:III.7.r1.6.detail @1", "juminzei kojin:III.7.r1.6.detail @1", "juminzei tainou:III.7.r1.6.detail @1"):
        assert use in text
    # unchanged lines are not shown
    assert "③クラウド事業者" not in text

    (update,) = json.loads(run("-C", str(a), "libraries", "review", "--format", "json").stdout)
    (new,) = update["new"]
    assert (update["library"], update["taken_version"], new["clause"], new["version"], new["previous_library"]) == (
        "asp-texts", "", "gov-cloud/technical", 2, "stock")
    assert new["notes"]["reason"] == REASON and new["diff"].count("\n") == 0
    assert sorted(u["item"] for u in new["uses"]) == ["juki:III.7.r1.6.detail", "kojin:III.7.r1.6.detail", "tainou:III.7.r1.6.detail"]
    assert run("-C", str(a), "libraries", "take").exit_code == 0
    lock = (a / "libraries.lock").read_text(encoding="utf-8")
    assert 'version: "2024.04"' in lock and '"gov-cloud/technical@2"' in lock
    again = run("-C", str(a), "libraries", "review", "asp-texts")
    assert "nothing new since it was taken" in again.output
    taken = (a / "libraries.lock").read_text(encoding="utf-8")
    (a / "libraries.lock").write_text(taken.replace('"gov-cloud/technical@2"', '"gov-cloud/technical@3"'), encoding="utf-8")
    withdrawn = run("-C", str(a), "libraries", "review", "asp-texts")
    assert "warning: library asp-texts no longer has gov-cloud/technical@3, which this workspace took" in withdrawn.stderr
    assert "gov-cloud/technical@2  2024-04-24" in withdrawn.output
    (a / "libraries.lock").write_text(taken, encoding="utf-8")
    listing = run("-C", str(a), "libraries")
    assert "asp-texts" in listing.output and "taken: 2024.04" in listing.output
    assert "not yet taken" not in run("-C", str(a), "outdated").stderr

    # the vendor runs both workspaces at once
    fo = run("fleet", "outdated", str(a), str(b))
    assert fo.exit_code == 2
    assert f"{a}: 5 outdated uses" in fo.output and f"{b}: 5 outdated uses" in fo.output  # 3 technical, 2 mid-server
    assert fo.output.count("gov-cloud/technical  @1 [stock] -> @2 [asp-texts]") == 6
    missing = run("fleet", "outdated", str(a), str(a / "assessments"))
    assert missing.exit_code == 1
    assert f"{a / 'assessments'}: error: {a / 'assessments'} is not a workspace (no hyoka.yaml)" in missing.output
    fp = run("fleet", "propagate", "--clause", "gov-cloud/technical", str(a), str(b))
    assert fp.exit_code == 0, fp.output + fp.stderr
    assert f"{a}: 3 uses moved" in fp.output and f"{b}: 3 uses moved" in fp.output
    assert "2 workspaces: 6 uses moved, 0 left unchanged" in fp.stderr

    for ws in (a, b):
        md = run("-C", str(ws), "diff", "juki", "-o", str(ws / "table.md"))
        assert "juki:III.7.r1.6.detail: gov-cloud/technical @1 [stock] -> @2 [asp-texts]" in md.stderr
        assert REASON in (ws / "table.md").read_text(encoding="utf-8")
        (row,) = json.loads(run("-C", str(ws), "diff", "juki", "--format", "json").stdout)
        assert row["reason"] == REASON
        assert row["risk_situation"] == "参照する基準の名称の変更であり、住民基本台帳ファイルの取扱いに変更はない。"
        assert OLD_NAME in row["before"] and NEW_NAME in row["after"]
        built = run("-C", str(ws), "build", "--format", "md", "juki")
        assert built.exit_code == 0, built.stderr
        md = (ws / "build" / "juki.md").read_text(encoding="utf-8")
        assert NEW_NAME in md and OLD_NAME not in md
        used = run("-C", str(ws), "clauses", "where-used", "gov-cloud/technical")
        assert "juki juki:III.7.r1.6.detail @2 [asp-texts]" in used.output
        assert "gov-cloud/technical" not in run("-C", str(ws), "outdated").output
        # the vendor's wording is linted in the vendor's file, as the publisher's wording: reported, never an error
        lint = [line for line in run("-C", str(ws), "lint").stderr.split("\n") if str(vendor) in line]
        assert lint and all("gov-cloud/technical@2: warning:" in line and "reported only" in line for line in lint)


def test_fleet_propagate_writes_nothing_in_a_workspace_with_a_conflict(tmp_path: Path, vendor: Path, run) -> None:
    spec = "- stock\n- path: ../shared/asp-texts\n"
    clean = make_workspace(tmp_path, "toshima", spec, run)
    stuck = make_workspace(tmp_path, "nerima", spec, run)
    juki = stuck / "assessments" / "juki.yaml"
    own = v1_text().replace(OLD_NAME, "練馬区ガバメントクラウド利用要綱」（令和５年")
    variant = "\n".join("            " + line for line in own.rstrip("\n").split("\n"))
    text = juki.read_text(encoding="utf-8")
    pin = "        - clause: gov-cloud/technical@1\n"
    assert text.count(pin) == 1
    juki.write_text(text.replace(pin, pin + "          variant: |\n" + variant + "\n"), encoding="utf-8")
    before = {p.name: p.read_text(encoding="utf-8") for p in (stuck / "assessments").iterdir()}

    fp = run("fleet", "propagate", str(clean), str(stuck))
    assert fp.exit_code == 1
    assert f"{stuck}: 5 uses to move, 1 conflicts: nothing written" in fp.output
    assert "  conflict: assessments/juki.yaml:49: juki:III.7.r1.6.detail: gov-cloud/technical @1 -> @2" in fp.output
    assert f"{clean}: " in fp.output and "uses moved" in fp.output.split(f"{clean}: ")[1].split("\n")[0]
    assert {p.name: p.read_text(encoding="utf-8") for p in (stuck / "assessments").iterdir()} == before
    assert "gov-cloud/technical@1" not in (clean / "assessments" / "juki.yaml").read_text(encoding="utf-8")


def test_conflicting_definitions_across_libraries_are_refused(tmp_path: Path, vendor: Path, run) -> None:
    other = make_library(tmp_path / "shared" / "pref-texts", "pref-texts", run, reason="県の標準文言に合わせた。")
    ws = make_workspace(tmp_path, "toshima", "- stock\n- path: ../shared/asp-texts\n- path: ../shared/pref-texts\n", run, False)
    result = run("-C", str(ws), "check")
    assert result.exit_code == 1
    assert (
        f"clause gov-cloud/technical@2 is defined differently in {other / 'gov-cloud' / 'technical.yaml'} "
        f"and {vendor / 'gov-cloud' / 'technical.yaml'}"
    ) in result.stderr
    # the same version, identical in both, is fine
    shutil.copy(vendor / "gov-cloud" / "technical.yaml", other / "gov-cloud" / "technical.yaml")
    shutil.copy(vendor / "clauses.lock", other / "clauses.lock")
    assert "defined differently" not in run("-C", str(ws), "check").stderr


def test_a_library_may_not_change_a_published_version(tmp_path: Path, vendor: Path, run) -> None:
    ws = make_workspace(tmp_path, "toshima", "- stock\n- path: ../shared/asp-texts\n", run, False)
    path = vendor / "gov-cloud" / "technical.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("なし\n", "あり\n"), encoding="utf-8")
    result = run("-C", str(ws), "check")
    assert result.exit_code == 1
    assert "published clause gov-cloud/technical@2 was changed" in result.stderr


def test_a_library_removed_or_moved_is_a_clear_error(tmp_path: Path, vendor: Path, run) -> None:
    ws = make_workspace(tmp_path, "toshima", "- stock\n- path: ../shared/asp-texts\n", run)
    vendor.rename(tmp_path / "shared" / "moved")
    result = run("-C", str(ws), "outdated")
    assert result.exit_code == 1
    assert "hyoka.yaml:" in result.stderr and "libraries[2]" in result.stderr
    assert "clause library " in result.stderr and "does not exist (was it moved or removed?)" in result.stderr
    assert "Traceback" not in result.stderr
    (tmp_path / "shared" / "moved" / "hyoka-library.yaml").unlink()
    cfg = ws / "hyoka.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("../shared/asp-texts", "../shared/moved"), encoding="utf-8")
    result = run("-C", str(ws), "check")
    assert result.exit_code == 1 and "is not a clause library: it has no hyoka-library.yaml" in result.stderr


def test_a_workspace_extends_a_stock_clause_itself(tmp_path: Path, run) -> None:
    """The municipality records the new edition in its own clauses/, without any shared library."""
    ws = tmp_path / "toshima"
    shutil.copytree(EXAMPLE, ws, ignore=shutil.ignore_patterns("build"))
    body = "\n".join("      " + line for line in v2_text().rstrip("\n").split("\n"))
    write(ws / "clauses" / "gov-cloud" / "technical.yaml", HEAD + V2.format(text=body, reason=REASON))
    assert run("-C", str(ws), "clauses", "lock").exit_code == 0
    assert "gov-cloud/technical@2" in (ws / "clauses" / "clauses.lock").read_text(encoding="utf-8")
    out = json.loads(run("-C", str(ws), "outdated", "--format", "json").output)
    tech = [u for u in out if u["clause"] == "gov-cloud/technical"]
    assert len(tech) == 3 and all(u["latest_library"] == "local" and u["library"] == "stock" for u in tech)
    assert run("-C", str(ws), "propagate", "gov-cloud/technical").exit_code == 0
    assert run("-C", str(ws), "build", "--format", "md", "juki").exit_code == 0
    assert NEW_NAME in (ws / "build" / "juki.md").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- a library shipped with pip

SETUP_CFG = """\
[metadata]
name = asp-hyoka-texts
version = 2024.4

[options]
packages = asp_hyoka_texts
include_package_data = true

[options.package_data]
asp_hyoka_texts = *.yaml, *.lock, */*.yaml

[options.entry_points]
hyoka.libraries =
    asp-pkg = asp_hyoka_texts
"""


PYPROJECT = """\
[build-system]
requires = ["setuptools>=64", "wheel"]
build-backend = "setuptools.build_meta"
"""


def test_installed_package_library(tmp_path: Path, run) -> None:
    pkg = tmp_path / "pkg"
    lib = make_library(pkg / "asp_hyoka_texts", "asp-pkg", run)
    (lib / "__init__.py").write_text('"""Clause texts of the ASP."""\n', encoding="utf-8")
    (pkg / "setup.cfg").write_text(SETUP_CFG, encoding="utf-8")
    (pkg / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    # a virtual environment that sees this machine's packages (click, jinja2 …) and gets the vendor's with pip
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(venv)], check=True)
    python = venv / ("Scripts" if os.name == "nt" else "bin") / ("python.exe" if os.name == "nt" else "python")
    pip = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", str(pkg)],
                         capture_output=True, text=True)
    assert pip.returncode == 0, pip.stderr
    shutil.rmtree(pkg)  # from now on the library is where pip installed it
    a = make_workspace(tmp_path, "toshima", "- stock\n- package: asp-pkg\n", run, False)
    b = make_workspace(tmp_path, "nerima", "- stock\n- package: asp-pkg\n", run, False)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}

    def hyoka(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(python), "-m", "composer", *args], capture_output=True, text=True, env=env, cwd=tmp_path,
                              encoding="utf-8")

    for ws in (a, b):
        for name in ("juki", "juminzei"):
            published = hyoka("-C", str(ws), "publish", name, "--date", "2026-04-01")
            assert published.returncode == 0, published.stderr
    out = hyoka("fleet", "outdated", str(a), str(b))
    assert out.returncode == 2, out.stderr
    assert out.stdout.count("gov-cloud/technical  @1 [stock] -> @2 [asp-pkg]") == 6
    listing = hyoka("-C", str(a), "libraries")
    assert "asp-pkg" in listing.stdout and "package" in listing.stdout and str(venv) in listing.stdout
    review = hyoka("-C", str(a), "libraries", "review", "asp-pkg")
    assert "[-に関する基準-]{+について+}" in review.stdout
    prop = hyoka("fleet", "propagate", "--clause", "gov-cloud/technical", str(a), str(b))
    assert prop.returncode == 0, prop.stdout + prop.stderr
    (row,) = json.loads(hyoka("-C", str(a), "diff", "juki", "--format", "json").stdout)
    assert row["reason"] == REASON
    assert hyoka("-C", str(b), "build", "--format", "md").returncode == 0
    # without the package (this interpreter has no venv): one clear line
    gone = subprocess.run([sys.executable, "-m", "composer", "-C", str(a), "check"], capture_output=True, text=True,
                          env=env, encoding="utf-8")
    assert gone.returncode == 1
    assert "no installed package provides the clause library 'asp-pkg'" in gone.stderr
    assert "Traceback" not in gone.stderr


@pytest.mark.parametrize(
    "entries, expected",
    [
        ("- stock\n- vendor\n", "hyoka.yaml:21: libraries[2]: unknown library entry 'vendor' (write - stock, - path: DIR or - package: NAME)"),
        ("- stock\n- url: https://example.org\n", "libraries[2]: a library entry is 'stock', 'path: DIR' or 'package: NAME'"),
        ("- stock\n- package: no-such-texts\n",
         "libraries[2]: no installed package provides the clause library 'no-such-texts' (entry point group hyoka.libraries)"),
        ("- stock\n- path: ../shared/asp-texts\n- path: ../shared/asp-texts/\n", "libraries[3]: library 'asp-texts' is listed twice"),
    ],
)
def test_bad_library_entries_name_the_line(tmp_path: Path, vendor: Path, run, entries: str, expected: str) -> None:
    ws = make_workspace(tmp_path, "toshima", entries, run, False)
    result = run("-C", str(ws), "check")
    assert result.exit_code == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_a_new_version_must_follow_the_earlier_ones(tmp_path: Path, vendor: Path, run) -> None:
    path = vendor / "gov-cloud" / "technical.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  - version: 2\n", "  - version: 3\n"), encoding="utf-8")
    ws = make_workspace(tmp_path, "toshima", "- stock\n- path: ../shared/asp-texts\n", run, False)
    result = run("-C", str(ws), "check")
    assert result.exit_code == 1
    assert "clause gov-cloud/technical@3 does not follow @1 (hyoka:clauses/gov-cloud/technical.yaml)" in result.stderr
    assert "(number the new version 2)" in result.stderr


def test_a_library_without_stock_cannot_extend_a_stock_clause(tmp_path: Path, vendor: Path, run) -> None:
    """Without the stock library first, the vendor's file starts at version 2: refused, not taken as version 1."""
    ws = make_workspace(tmp_path, "toshima", "- path: ../shared/asp-texts\n", run, False)
    result = run("-C", str(ws), "check")
    assert result.exit_code == 1
    assert "version 2 out of sequence (expected 1)" in result.stderr


def test_a_library_builds_on_another(tmp_path: Path, vendor: Path, run) -> None:
    """A prefecture's library adds version 3 to the clause the vendor's library took to version 2."""
    pref = tmp_path / "shared" / "pref-texts"
    write(pref / "hyoka-library.yaml", MANIFEST.format(name="pref-texts"))
    v3 = V2.replace("version: 2", "version: 3").replace("date: 2024-04-24", "date: 2024-10-01")
    body = "\n".join("      " + line for line in v2_text().replace("①", "１）", 1).rstrip("\n").split("\n"))
    write(pref / "gov-cloud" / "technical.yaml", HEAD + v3.format(text=body, reason="県の標準文言に合わせた。"))
    alone = run("libraries", "lock", str(pref))
    assert alone.exit_code == 1 and "clause gov-cloud/technical@3 does not follow @1 (hyoka:clauses/gov-cloud/technical.yaml)" in alone.stderr
    locked = run("libraries", "lock", str(pref), "--after", str(vendor))
    assert locked.exit_code == 0, locked.stderr
    assert locked.output == "published gov-cloud/technical@3\n"
    ws = make_workspace(tmp_path, "toshima", "- stock\n- path: ../shared/asp-texts\n- path: ../shared/pref-texts\n", run, False)
    out = json.loads(run("-C", str(ws), "outdated", "--format", "json").stdout)
    assert {(u["latest"], u["latest_library"]) for u in out if u["clause"] == "gov-cloud/technical"} == {(3, "pref-texts")}


def test_an_entry_point_may_name_a_function_that_returns_the_directory(tmp_path: Path, vendor: Path, run, monkeypatch) -> None:
    import importlib.metadata

    write(tmp_path / "mods" / "asp_where.py", f"def library():\n    return {str(vendor)!r}\n")
    monkeypatch.syspath_prepend(str(tmp_path / "mods"))
    point = importlib.metadata.EntryPoint("asp-texts", "asp_where:library", "hyoka.libraries")
    real = importlib.metadata.entry_points
    monkeypatch.setattr(importlib.metadata, "entry_points",
                        lambda **kw: [point] if kw.get("group") == "hyoka.libraries" else real(**kw))
    ws = make_workspace(tmp_path, "toshima", "- stock\n- package: asp-texts\n", run, False)
    out = json.loads(run("-C", str(ws), "outdated", "--format", "json").stdout)
    assert {u["latest_library"] for u in out if u["clause"] == "gov-cloud/technical"} == {"asp-texts"}


def test_nothing_new_gives_no_advice_and_take_names_no_empty_date(ws: Path, run) -> None:  # type: ignore[no-untyped-def]
    assert run("-C", str(ws), "libraries", "take").exit_code == 0
    review = run("-C", str(ws), "libraries", "review")
    assert review.exit_code == 0
    assert "hyoka libraries take" not in review.stderr  # nothing to take
    took = run("-C", str(ws), "libraries", "take")
    assert took.exit_code == 0 and ", )" not in took.output


def test_take_names_each_library_without_an_empty_date(tmp_path: Path, vendor: Path, run) -> None:
    """The stock clauses have a publisher but no date: 「took stock 0.1.0 (hyoka)」, not 「(hyoka, )」."""
    ws = make_workspace(tmp_path, "toshima", "- stock\n- path: ../shared/asp-texts\n", run, False)
    took = run("-C", str(ws), "libraries", "take")
    assert took.exit_code == 0, took.stderr
    lines = took.output.splitlines()
    assert any(re.fullmatch(r"took stock \S+ \(hyoka\)", line) for line in lines), lines
    assert "took asp-texts 2024.04 (株式会社エーエスピー, 2024-04-24)" in lines
