"""Integrity: the lock seals everything a published clause version renders, and a snapshot
proves which assessment, date and clause versions it is."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from composer.load.clauses import LOCK_NAME
from composer.model import ClauseVersion
from composer.revisions.snapshot import content_hash

from .conftest import EXAMPLE, write

CLAUSE = """
id: local/measure
title: 当区の措置
heading: ＜豊島区における措置＞
kind: adaptable
parameters:
  who: {default: 区長}
versions:
  - version: 1
    date: 2024-04-01
    source: {issuer: 豊島区, document: 内規}
    text: |
      {{ who }}が措置を講じる。
  - version: 2
    date: 2024-05-01
    source: {issuer: 豊島区, document: 内規}
    text: |
      {{ who }}が措置を必ず講じる。
"""


def _check(run, ws: Path):
    result = run("-C", str(ws), "check")
    assert "Traceback" not in result.output + result.stderr
    return result


@pytest.fixture
def locked(ws: Path, run) -> Path:
    path = write(ws / "clauses" / "local" / "measure.yaml", CLAUSE)
    result = run("-C", str(ws), "clauses", "lock")
    assert result.output.splitlines() == ["published local/measure@1", "published local/measure@2"]
    assert _check(run, ws).exit_code == 0
    return path


@pytest.mark.parametrize(
    "old, new, line",
    [
        pytest.param("heading: ＜豊島区における措置＞", "heading: ＜当区の措置＞", 8, id="clause-heading"),
        pytest.param("who: {default: 区長}", "who: {default: 副区長}", 8, id="parameter-default"),
        pytest.param("who: {default: 区長}", "who: {}", 8, id="parameter-default-removed"),
        pytest.param("kind: adaptable", "kind: verbatim", 8, id="kind"),
        pytest.param("title: 当区の措置", "title: 区の措置", 8, id="title"),
        pytest.param("date: 2024-04-01", "date: 2024-04-02", 8, id="date"),
        pytest.param("が措置を講じる。", "が措置を講じない。", 8, id="text"),
    ],
)
def test_lock_seals_everything_a_version_renders(locked: Path, run, old: str, new: str, line: int) -> None:
    text = locked.read_text(encoding="utf-8")
    assert old in text
    locked.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = _check(run, locked.parents[2])
    assert result.exit_code == 1
    assert f"clauses/local/measure.yaml:{line}: version 1: published clause local/measure@1 was changed" in result.stderr
    relock = run("-C", str(locked.parents[2]), "clauses", "lock")
    assert relock.exit_code == 1 and "published clause local/measure@1 was changed" in relock.stderr


def test_version_heading_is_sealed(locked: Path, run) -> None:
    text = locked.read_text(encoding="utf-8")
    locked.write_text(text.replace("    date: 2024-05-01\n", "    date: 2024-05-01\n    heading: ＜新＞\n"), encoding="utf-8")
    result = _check(run, locked.parents[2])
    assert result.exit_code == 1
    assert "clauses/local/measure.yaml:13: version 2: published clause local/measure@2 was changed" in result.stderr


def test_deleted_lock_line_of_an_older_version_is_an_error(locked: Path, run) -> None:
    ws = locked.parents[2]
    lock = ws / "clauses" / LOCK_NAME
    lock.write_text("".join(x for x in lock.read_text(encoding="utf-8").splitlines(True) if "measure@1" not in x), encoding="utf-8")
    locked.write_text(locked.read_text(encoding="utf-8").replace("が措置を講じる。", "が措置を講じない。"), encoding="utf-8")
    result = _check(run, ws)
    assert result.exit_code == 1
    assert (
        "clauses/local/measure.yaml:8: version 1: published clause local/measure@1 has no line in clauses.lock "
        "(version 2 is locked, so every earlier version was published)"
    ) in result.stderr


def test_malformed_lock_entry_is_located(locked: Path, run) -> None:
    ws = locked.parents[2]
    lock = ws / "clauses" / LOCK_NAME
    lock.write_text(lock.read_text(encoding="utf-8").replace("local/measure@2: sha256:", "local/measure@2: md5:"), encoding="utf-8")
    result = _check(run, ws)
    assert result.exit_code == 1
    assert "clauses/clauses.lock:7: local/measure@2: not a lock entry" in result.stderr


def test_format_1_lock_is_verified_then_rewritten(ws: Path, run) -> None:
    path = write(ws / "clauses" / "local" / "measure.yaml", CLAUSE)
    from composer import load_workspace
    from composer.errors import Diagnostics

    lib = load_workspace(ws, Diagnostics()).library
    versions: list[ClauseVersion] = list(lib.require("local/measure").versions)
    lock = ws / "clauses" / LOCK_NAME
    lock.write_text("".join(f"local/measure@{v.number}: {v.content_hash()}\n" for v in versions), encoding="utf-8")
    result = _check(run, ws)
    assert result.exit_code == 0
    assert "clauses/clauses.lock: warning: clauses.lock is in format 1" in result.stderr
    assert run("-C", str(ws), "clauses", "lock").output == "nothing new to publish\n"
    assert "lock_format: 2\n" in lock.read_text(encoding="utf-8")
    assert "format 1" not in _check(run, ws).stderr
    path.write_text(path.read_text(encoding="utf-8").replace("default: 区長", "default: 副区長"), encoding="utf-8")
    assert "published clause local/measure@1 was changed" in _check(run, ws).stderr


# --------------------------------------------------------------------------- snapshots


@pytest.fixture
def example(tmp_path: Path) -> Path:
    ws = tmp_path / "toshima"
    shutil.copytree(EXAMPLE, ws, ignore=shutil.ignore_patterns("build"))
    return ws


def _diff(run, ws: Path, *args: str):
    result = run("-C", str(ws), "diff", "juki", *args)
    assert "Traceback" not in result.output + result.stderr and "internal error" not in result.stderr
    return result


def test_example_snapshot_records_its_clause_versions(example: Path, run) -> None:
    body = json.loads((example / "snapshots" / "juki" / "2024-04-01.json").read_text(encoding="utf-8"))
    assert body["hyoka_snapshot"] == 2
    assert sorted(body["clauses"]) == ["law/info-provision@1", "toshima/datacenter@1"]
    assert _diff(run, example).exit_code == 0


def test_snapshot_of_another_assessment_is_refused(example: Path, run) -> None:
    shutil.copy(example / "snapshots" / "juminzei" / "2024-04-01.json", example / "snapshots" / "juki" / "2024-04-01.2.json")
    result = _diff(run, example)
    assert result.exit_code == 1
    assert (
        "snapshots/juki/2024-04-01.2.json: assessment: snapshot of assessment 'juminzei' in the history of 'juki'"
    ) in result.stderr


def test_snapshot_whose_name_is_not_its_date_is_refused(example: Path, run) -> None:
    shutil.copy(example / "snapshots" / "juki" / "2024-04-01.json", example / "snapshots" / "juki" / "2025-04-01.json")
    result = _diff(run, example)
    assert result.exit_code == 1
    assert "snapshots/juki/2025-04-01.json: date: snapshot dated 2024-04-01 is named 2025-04-01.json" in result.stderr


@pytest.mark.parametrize("name", ["２０２５-04-01.json", "2025-02-30.json", "2025-04-01.0.json"])
def test_snapshot_file_names_are_ascii_real_dates(example: Path, run, name: str) -> None:
    shutil.copy(example / "snapshots" / "juki" / "2024-04-01.json", example / "snapshots" / "juki" / name)
    result = _diff(run, example)
    assert result.exit_code == 1
    assert f"snapshots/juki/{name}: not a snapshot" in result.stderr


def _reseal(path: Path, edit) -> None:  # type: ignore[no-untyped-def]
    body = json.loads(path.read_text(encoding="utf-8"))
    edit(body)
    body["content_hash"] = content_hash(body)
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda b: b["items"][0].__setitem__("label", 5), "snapshot is malformed: items[0].label must be str, not int"),
        (lambda b: b.__setitem__("items", {"a": 1}), "snapshot is malformed: items must be a list, not dict"),
        (lambda b: b["meta"].__setitem__("title", None), "snapshot is malformed: meta.title must be str, not NoneType"),
        (lambda b: b["files"][0].__setitem__("color", "red"), "snapshot is malformed: unknown key 'color' in files[0]"),
        (lambda b: b.__setitem__("clauses", {"x@1": 3}), "snapshot is malformed: clauses.x@1 must be str, not int"),
        (lambda b: b.pop("items"), "snapshot is malformed: missing 'items'"),
        (lambda b: b["meta"].__setitem__("remarks", [[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]), "not a hyoka snapshot: nested more than 12 levels deep"),
    ],
)
def test_resealed_snapshot_with_wrong_types_is_refused(example: Path, run, edit, message: str) -> None:
    _reseal(example / "snapshots" / "juki" / "2024-04-01.json", edit)
    result = _diff(run, example)
    assert result.exit_code == 1
    assert f"snapshots/juki/2024-04-01.json: {message}" in result.stderr


def test_snapshot_nested_beyond_the_parser_is_refused(example: Path, run) -> None:
    path = example / "snapshots" / "juki" / "2024-04-01.json"
    path.write_text('{"hyoka_snapshot": 2, "meta": ' + "[" * 200_000 + "]" * 200_000 + "}", encoding="utf-8")
    result = _diff(run, example)
    assert result.exit_code == 1
    assert "snapshots/juki/2024-04-01.json: not a hyoka snapshot: nested too deeply" in result.stderr


@pytest.mark.parametrize("command", [("diff", "juki"), ("build", "juki", "--format", "md"), ("report", "--year", "2024")])
def test_clause_changed_and_relocked_after_publication_is_detected(example: Path, run, command: tuple[str, ...]) -> None:
    clause = example / "clauses" / "toshima" / "datacenter.yaml"
    clause.write_text(clause.read_text(encoding="utf-8").replace("24時間有人監視", "平日有人監視"), encoding="utf-8")
    lock = example / "clauses" / LOCK_NAME
    lock.write_text("".join(x for x in lock.read_text(encoding="utf-8").splitlines(True) if "datacenter@1" not in x), encoding="utf-8")
    relock = run("-C", str(example), "clauses", "lock")
    assert relock.output == "published toshima/datacenter@1\n"
    result = run("-C", str(example), *command)
    assert "Traceback" not in result.output + result.stderr
    assert result.exit_code == 1
    assert (
        "clauses/toshima/datacenter.yaml:8: version 1: published clause toshima/datacenter@1 is not what snapshot "
        "2024-04-01 of 'juki' published (snapshots/juki/2024-04-01.json records another content hash)"
    ) in result.stderr
    assert not (example / "build" / "juki.md").exists()


# --------------------------------------------------------------------------- paths stay in the workspace


@pytest.mark.parametrize(
    "setting, message",
    [
        ("output: ../..", "hyoka.yaml:7: output: '../..' leads outside the workspace"),
        ("output: build/../../x", "hyoka.yaml:7: output: 'build/../../x' leads outside the workspace"),
        ("clauses: /", "hyoka.yaml:4: clauses: '/' is an absolute path"),
        ("snapshots: ''", "hyoka.yaml:6: snapshots: snapshots is empty"),
    ],
)
def test_workspace_directories_stay_inside(ws: Path, run, setting: str, message: str) -> None:
    import re

    key = setting.split(":")[0]
    cfg = ws / "hyoka.yaml"
    cfg.write_text(re.sub(rf"^{key}:.*$", setting, cfg.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8")
    result = _check(run, ws)
    assert result.exit_code == 1
    assert message in result.stderr
    build = run("-C", str(ws), "build", "--format", "md")
    assert build.exit_code == 1 and message in build.stderr


def test_output_outside_named_on_the_command_line_is_allowed(ws: Path, run, tmp_path_factory) -> None:
    from .conftest import SIMPLE_ASSESSMENT

    write(ws / "assessments" / "juki.yaml", SIMPLE_ASSESSMENT)
    out = tmp_path_factory.mktemp("elsewhere")
    result = run("-C", str(ws), "build", "--format", "md", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert (out / "juki.md").read_text(encoding="utf-8").startswith("#")


def _symlink(link: Path, target: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    try:
        link.symlink_to(target)
    except OSError:  # pragma: no cover - Windows without the symlink privilege
        pytest.fail("this test needs symbolic links (enable developer mode on Windows)")


def test_clause_file_linked_from_outside_is_refused(ws: Path, run, tmp_path_factory) -> None:
    outside = write(tmp_path_factory.mktemp("outside") / "measure.yaml", CLAUSE)
    _symlink(ws / "clauses" / "local" / "measure.yaml", outside)
    result = _check(run, ws)
    assert result.exit_code == 1
    assert f"measure.yaml: clause file links outside the workspace (to {outside.resolve()})" in result.stderr


def test_assessment_file_linked_from_outside_is_refused(ws: Path, run, tmp_path_factory) -> None:
    from .conftest import SIMPLE_ASSESSMENT

    outside = write(tmp_path_factory.mktemp("outside") / "juki.yaml", SIMPLE_ASSESSMENT)
    _symlink(ws / "assessments" / "juki.yaml", outside)
    result = run("-C", str(ws), "build", "juki", "--format", "md")
    assert result.exit_code == 1
    assert "juki.yaml: assessment file links outside the workspace" in result.stderr
    named = run("-C", str(ws), "build", str(outside), "--format", "md")  # named on the command line: allowed
    assert named.exit_code == 0, named.stderr


# --------------------------------------------------------------------------- init and new


@pytest.mark.parametrize("name", ["豊島区 #東京都", "豊島区: 東京", "'豊島区'", "- 豊島区", "{{ 区 }}", "yes", "123"])
def test_init_keeps_the_whole_municipality_name(tmp_path: Path, run, name: str) -> None:
    import composer

    result = run("init", str(tmp_path / "w"), "-m", name)
    assert result.exit_code == 0, result.stderr
    assert composer.load_workspace(tmp_path / "w").config.municipality == name


@pytest.mark.parametrize("name", ["豊島区\n東京都", "豊島\x07区", "  "])
def test_init_refuses_an_unusable_name(tmp_path: Path, run, name: str) -> None:
    result = run("init", str(tmp_path / "w"), "-m", name)
    assert result.exit_code == 1
    assert "municipality name" in result.stderr
    assert not (tmp_path / "w" / "hyoka.yaml").exists()


def _audit_note(ws: Path, name: str) -> str:
    import composer

    c = composer.compose_assessment(composer.load_workspace(ws), name)
    item = c.item("IV.1.2.detail")
    assert item is not None
    gov = [b for b in item.blocks if b.clause == "gov-cloud/audit"]
    assert gov and gov[0].notes is not None
    return gov[0].notes.risk_situation


def test_new_with_one_file_names_it_outside_the_per_file_sections(ws: Path, run) -> None:
    result = run("-C", str(ws), "new", "kokuho", "--profile", "gov-cloud", "--file", "kokuho=国民健康保険ファイル")
    assert result.exit_code == 0, result.stderr
    assert _audit_note(ws, "kokuho") == "現行の国民健康保険ファイル保存先からリスク対策が追加されるため、セキュリティリスクは低減する。"


def test_new_with_several_files_names_them_all(ws: Path, run) -> None:
    result = run("-C", str(ws), "new", "juki", "--profile", "gov-cloud", "--file", "juki=住民基本台帳ファイル",
                 "--file", "honnin=本人確認情報ファイル", "--file", "fuzoku=附票ファイル")
    assert result.exit_code == 0, result.stderr
    assert _audit_note(ws, "juki") == (
        "現行の住民基本台帳ファイル、本人確認情報ファイル及び附票ファイル保存先からリスク対策が追加されるため、セキュリティリスクは低減する。"
    )
    import composer

    c = composer.compose_assessment(composer.load_workspace(ws), "juki")
    assert c.item("honnin:II.1").blocks[0].body == "本人確認情報ファイル"  # per-file items keep their own file's name


def test_snapshot_linked_from_outside_is_refused(example: Path, run, tmp_path_factory) -> None:
    outside = tmp_path_factory.mktemp("outside") / "2025-04-01.json"
    shutil.copy(example / "snapshots" / "juki" / "2024-04-01.json", outside)
    _symlink(example / "snapshots" / "juki" / "2025-04-01.json", outside)
    result = _diff(run, example)
    assert result.exit_code == 1
    assert "snapshots/juki/2025-04-01.json: snapshot file links outside the snapshots directory" in result.stderr


def test_profile_linked_from_outside_is_refused(ws: Path, run, tmp_path_factory) -> None:
    outside = write(tmp_path_factory.mktemp("outside") / "mine.yaml", "profile: mine\nform: 全項目\nitems: {}\n")
    _symlink(ws / "profiles" / "mine.yaml", outside)
    result = run("-C", str(ws), "new", "kokuho", "--profile", "mine")
    assert result.exit_code == 1
    assert "profiles/mine.yaml: profile file links outside the workspace" in result.stderr
    assert not (ws / "assessments" / "kokuho.yaml").exists()


def test_a_sealed_snapshot_is_read_as_sealed_whatever_numbers_it_holds(example: Path, run) -> None:
    # numbers a fast JSON reader spells or reads otherwise (an integer past 64 bits becomes a float
    # there, 1e16 is written 1e+16 here): the seal is still the one publication made, not "tampered"
    path = example / "snapshots" / "juki" / "2024-04-01.json"
    _reseal(path, lambda b: b.__setitem__("numbers", [10**30, 1e16, 0.1, -0.0, 2**63]))
    built = run("-C", str(example), "build", "juki", "--format", "md")
    assert built.exit_code == 0, built.stderr
    assert (example / "build" / "juki.md").is_file()
    _reseal(path, lambda b: b.__setitem__("numbers", [10**30 + 1]))
    body = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**body, "numbers": [10**30]}, ensure_ascii=False), encoding="utf-8")  # changed, hash kept
    tampered = run("-C", str(example), "build", "juki", "--format", "md", "--force")
    assert tampered.exit_code == 1
    assert "snapshots/juki/2024-04-01.json: snapshot content does not match its hash" in tampered.stderr


def test_build_refuses_a_last_snapshot_that_is_not_sealed_or_not_well_formed(example: Path, run) -> None:
    path = example / "snapshots" / "juki" / "2024-04-01.json"
    body = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**body, "municipality": "練馬区"}, ensure_ascii=False), encoding="utf-8")  # changed, hash kept
    tampered = run("-C", str(example), "build", "juki", "--format", "md")
    assert tampered.exit_code == 1 and not (example / "build" / "juki.md").exists()
    assert "snapshots/juki/2024-04-01.json: snapshot content does not match its hash" in tampered.stderr
    resealed = {**body, "clauses": {"toshima/datacenter@1": 7}}  # a malformed clause map under a matching hash
    resealed["content_hash"] = content_hash(resealed)
    path.write_text(json.dumps(resealed, ensure_ascii=False), encoding="utf-8")
    malformed = run("-C", str(example), "build", "juki", "--format", "md")
    assert malformed.exit_code == 1 and "Traceback" not in malformed.stderr
    assert "snapshots/juki/2024-04-01.json: snapshot is malformed" in malformed.stderr
