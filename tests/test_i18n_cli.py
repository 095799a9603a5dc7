"""The command line's own messages in Japanese; paths shown by the view that prints them; a closed pipe."""

from __future__ import annotations

import json
import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest

import composer
import composer.errors as errors
from composer import api
from composer.batch import BuildResult
from composer.errors import BuildError, Location, UserError
from composer.i18n import View, _

from .conftest import JAPANESE, ROOT, SIMPLE_ASSESSMENT, write
from .conftest import run_in as _run

BAD_YAML = "form: 全項目\nmeta: [1, 2\n"


def test_errors_keep_no_module_state_for_paths() -> None:
    for name in ("set_display_root", "display_root", "display_path", "default_view", "_display_root"):
        assert not hasattr(errors, name), name
    mutable = [k for k, v in vars(errors).items()
               if not k.startswith("__") and isinstance(v, (Path, list, dict, set)) and k != "Severity"]
    assert mutable == []


def test_two_workspaces_of_a_fleet_show_their_own_paths_in_one_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for root, name in ((a, "one"), (b, "two")):
        composer.init_workspace(root, "豊島区")
        write(root / "assessments" / f"{name}.yaml", BAD_YAML)
    results = api.fleet_outdated([a, b])
    assert results[0].error.startswith("assessments/one.yaml:3:") and results[1].error.startswith("assessments/two.yaml:3:")
    out = _run(["fleet", "outdated", str(a), str(b)], "en", monkeypatch)
    assert out.exit_code == 1
    assert f"{a}: error: assessments/one.yaml:3:" in out.stdout and f"{b}: error: assessments/two.yaml:3:" in out.stdout
    ja = _run(["fleet", "outdated", str(a), str(b)], "ja", monkeypatch)
    assert f"{a}: エラー: assessments/one.yaml:3:" in ja.stdout and f"{b}: エラー: assessments/two.yaml:3:" in ja.stdout
    data = json.loads(_run(["fleet", "outdated", str(a), str(b), "--format", "json"], "ja", monkeypatch).stdout)
    assert [d["error"].split(":")[0] for d in data] == ["assessments/one.yaml", "assessments/two.yaml"]  # English, its own root
    assert "invalid YAML" in data[0]["error"]
    # nothing of the run stays behind: an error on its own shows its path as opened
    loose = UserError(_("cannot write: {reason}", reason="x"), Location.of(a / "assessments" / "one.yaml"))
    assert str(loose).startswith(str(a / "assessments" / "one.yaml"))


def test_a_failed_document_crosses_processes_and_shows_in_the_parents_view(tmp_path: Path) -> None:
    target = tmp_path / "build" / "juki.docx"
    problem = UserError(_("cannot write: {reason}", reason="disk full"), Location.of(target))
    result = pickle.loads(pickle.dumps(BuildResult("juki", target, "failed", (problem, "ValueError: boom"))))
    assert result.error_text(View("en", tmp_path)) == "build/juki.docx: cannot write: disk full\nValueError: boom"
    assert result.error_text(View("ja", tmp_path)).startswith("build/juki.docx: 書き込めません: disk full")
    assert BuildError([result]).shown(View("en", tmp_path)).startswith("build/juki.docx: cannot write: disk full")
    assert BuildResult("juki", target, "failed", "ValueError: boom").error == "ValueError: boom"  # a text, as before
    assert BuildResult("juki", target, "written").error == ""


def test_command_line_refusals_in_japanese_at_the_same_place(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    en = _run(["-C", str(ws), "build"], "en", monkeypatch)
    ja = _run(["-C", str(ws), "build"], "ja", monkeypatch)
    assert en.exit_code == ja.exit_code == 1
    assert "error: assessments: no assessments to build (write one there" in en.stderr
    assert "エラー: assessments: 作成する評価書がありません（" in ja.stderr and "`hyoka new NAME`" in ja.stderr  # the same place
    redline = _run(["-C", str(ws), "build", "--from", "x"], "ja", monkeypatch)
    assert redline.exit_code == 1 and "--from と --author は --redline" in redline.stderr
    usage = _run(["-C", str(ws), "threshold"], "ja", monkeypatch)
    assert usage.exit_code == 2 and "--people" in usage.stderr and JAPANESE.search(usage.stderr)


def test_command_line_reports_in_japanese(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(ws / "assessments" / "juki.yaml", SIMPLE_ASSESSMENT)
    built = _run(["-C", str(ws), "build", "--format", "md"], "ja", monkeypatch)
    assert built.exit_code == 0, built.stderr
    assert f"{ws / 'build' / 'juki.md'}" in built.stdout and JAPANESE.search(built.stdout)
    assert re.search(r"作成 1 件、省略 0 件、失敗 0 件、所要時間 \d+\.\d 秒", built.stderr), built.stderr
    outdated = _run(["-C", str(ws), "outdated"], "ja", monkeypatch)
    assert outdated.exit_code in (0, 2) and ("新しい版がある使用箇所" in outdated.stderr or "すべて最新の版です" in outdated.stderr)
    none = _run(["-C", str(ws), "clauses", "where-used", "gov-cloud/erasure"], "ja", monkeypatch)
    assert none.stdout.startswith("gov-cloud/erasure ") and JAPANESE.search(none.stdout)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["HYOKA_LANG"] = "en"
    return env


def test_a_reader_that_stops_early_ends_the_command_quietly(ws: Path) -> None:
    """``hyoka clauses list | head``: stdout's reader is gone before hyoka writes; no internal error."""
    read, written = os.pipe()
    os.close(read)  # the reader has already stopped
    try:
        proc = subprocess.run([sys.executable, "-m", "composer", "-C", str(ws), "clauses", "list"], stdout=written,
                              stderr=subprocess.PIPE, text=True, env=_env(), cwd=ROOT, timeout=120)
    finally:
        os.close(written)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # neither "internal error: BrokenPipeError" nor Python's "Exception ignored"


def test_a_broken_pipe_that_is_not_stdout_is_an_internal_error(ws: Path, run, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a reader of stdout that has gone ends quietly: a broken pipe elsewhere (a worker's) is reported."""
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise BrokenPipeError("a worker's pipe")

    monkeypatch.setattr(api, "check_stream", broken)
    result = run("-C", str(ws), "check")
    assert result.exit_code == 3 and "internal error: BrokenPipeError" in result.stderr
