"""Concurrent hyoka runs on one workspace: real processes, one writer at a time, no lost update."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import composer
from composer import api
from composer.batch import read_manifest
from composer.transaction import LockedError, workspace_lock

ROOT = Path(__file__).resolve().parent.parent
TRIALS = 20
TWO_PINS = "form: 全項目\nitems:\n  IV.1.2.detail:\n    - clause: mid-server/audit@1\n  IV.3:\n    - clause: mid-server/other@1\n"
ONE_PIN = "form: 全項目\nitems:\n  IV.1.2.detail:\n    - clause: mid-server/audit@1\n"


def env(**extra: str) -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    e.setdefault("HYOKA_LOCK_TIMEOUT", "20")  # the machine may be busy: a waiting run must get its turn
    e.update(extra)
    return e


def hyoka(ws: Path, *args: str, **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "composer", "-C", str(ws), *args],
        cwd=ROOT, env=env(**extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def finish(*procs: subprocess.Popen[str]) -> list[tuple[int, str]]:
    out = []
    for p in procs:
        _, err = p.communicate(timeout=120)
        out.append((p.returncode, err))
    return out


def new_workspace(path: Path, assessments: dict[str, str]) -> Path:
    composer.init_workspace(path, "豊島区")
    for name, text in assessments.items():
        (path / "assessments" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return path


def no_litter(ws: Path) -> list[Path]:
    return [p for p in ws.rglob("*") if p.name.endswith((".new", ".old", ".tmp"))]


def test_propagate_two_clauses_of_one_file_at_once_keeps_both_updates(tmp_path: Path) -> None:
    for trial in range(TRIALS):
        ws = new_workspace(tmp_path / f"t{trial}", {"a": TWO_PINS})
        results = finish(hyoka(ws, "propagate", "mid-server/audit"), hyoka(ws, "propagate", "mid-server/other"))
        assert [rc for rc, _ in results] == [0, 0], results
        text = (ws / "assessments" / "a.yaml").read_text(encoding="utf-8")
        assert "mid-server/audit@2" in text and "mid-server/other@2" in text, (trial, text)
        assert no_litter(ws) == []


def test_propagate_two_assessments_at_once_keeps_both_updates(tmp_path: Path) -> None:
    for trial in range(TRIALS):
        ws = new_workspace(tmp_path / f"t{trial}", {"a": ONE_PIN, "b": ONE_PIN})
        results = finish(hyoka(ws, "propagate", "mid-server/audit", "-a", "a"), hyoka(ws, "propagate", "mid-server/audit", "-a", "b"))
        assert [rc for rc, _ in results] == [0, 0], results
        for name in ("a", "b"):
            assert "mid-server/audit@2" in (ws / "assessments" / f"{name}.yaml").read_text(encoding="utf-8"), (trial, name)


def test_publish_twice_on_one_date_at_once_one_wins_the_other_says_why(tmp_path: Path) -> None:
    for trial in range(TRIALS):
        ws = new_workspace(tmp_path / f"t{trial}", {"a": ONE_PIN})
        results = finish(*(hyoka(ws, "publish", "a", "--date", "2026-04-01", HYOKA_LOCK_TIMEOUT=str(t)) for t in (20, 20 if trial % 2 else 0)))
        codes = sorted(rc for rc, _ in results)
        assert codes == [0, 1], results
        (_, loser), = [r for r in results if r[0] == 1]
        assert "another hyoka is writing this workspace (pid " in loser or "nothing changed in 'a' since its publication of 2026-04-01" in loser, loser
        assert len(loser.strip().splitlines()) == 1, loser
        snaps = sorted(p.name for p in (ws / "snapshots" / "a").iterdir())
        assert snaps == ["2026-04-01.json"], snaps
        json.loads((ws / "snapshots" / "a" / "2026-04-01.json").read_text(encoding="utf-8"))


def test_two_builds_at_once_keep_every_manifest_entry(tmp_path: Path) -> None:
    for trial in range(10):
        ws = new_workspace(tmp_path / f"t{trial}", {"a": ONE_PIN, "b": ONE_PIN})
        results = finish(hyoka(ws, "build", "a", "--format", "md"), hyoka(ws, "build", "b", "--format", "md"))
        assert [rc for rc, _ in results] == [0, 0], results
        assert set(read_manifest(ws / "build")) == {"a.md", "b.md"}, sorted(p.name for p in (ws / "build").rglob("*"))


def test_a_second_writer_waits_then_fails_with_the_holder(tmp_path: Path) -> None:
    ws = new_workspace(tmp_path / "ws", {"a": ONE_PIN})
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys,time; from composer.transaction import workspace_lock\n"
         "with workspace_lock(sys.argv[1]):\n print('held', flush=True); time.sleep(30)", str(ws)],
        cwd=ROOT, env=env(), stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        before = (ws / "assessments" / "a.yaml").read_bytes()
        start = time.monotonic()
        ((rc, err),) = finish(hyoka(ws, "propagate", "mid-server/audit", HYOKA_LOCK_TIMEOUT="0.5"))
        assert 0.4 < time.monotonic() - start < 15
        assert rc == 1
        assert f"another hyoka is writing this workspace (pid {holder.pid}, since " in err, err
        assert len(err.strip().splitlines()) == 1
        assert (ws / "assessments" / "a.yaml").read_bytes() == before
        with pytest.raises(LockedError, match=f"pid {holder.pid}"):
            with workspace_lock(ws, timeout=0.1):
                pass
    finally:
        holder.kill()
        holder.wait()
    # the holder died with the lock held: the lock is free again at once
    start = time.monotonic()
    plan = api.propagate(ws, "mid-server/audit")
    assert time.monotonic() - start < 5 and len(plan.edits) == 1
    assert "mid-server/audit@2" in (ws / "assessments" / "a.yaml").read_text(encoding="utf-8")


def test_the_lock_is_reentrant_within_a_process(tmp_path: Path) -> None:
    ws = new_workspace(tmp_path / "ws", {"a": ONE_PIN})
    with workspace_lock(ws, timeout=0):
        plan = api.propagate(ws, "mid-server/audit")  # takes the lock again: must not wait on itself
    assert len(plan.edits) == 1


def test_a_file_changed_behind_the_plan_is_refused(tmp_path: Path) -> None:
    from composer.errors import UserError
    from composer.load.workspace import load_workspace
    from composer.revisions import propagate as prop

    ws = new_workspace(tmp_path / "ws", {"a": ONE_PIN, "b": ONE_PIN})
    plan = prop.plan(load_workspace(ws), "mid-server/audit", None)
    edited = ONE_PIN + "# edited by hand meanwhile\n"
    (ws / "assessments" / "b.yaml").write_text(edited, encoding="utf-8")
    with pytest.raises(UserError, match="changed by another program since hyoka read it"):
        prop.apply(plan, root=ws)
    assert (ws / "assessments" / "a.yaml").read_text(encoding="utf-8") == ONE_PIN
    assert (ws / "assessments" / "b.yaml").read_text(encoding="utf-8") == edited


def test_every_writing_command_takes_the_lock(tmp_path: Path, run, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = new_workspace(tmp_path / "ws", {"a": ONE_PIN, "b": "form: 全項目\nitems:\n  I.1.1: |\n    脅威検出やDDos対策を講じる。\n"})
    (ws / "clauses" / "local").mkdir()
    (ws / "clauses" / "local" / "x.yaml").write_text(
        "id: local/x\ntitle: x\nkind: adaptable\nhomes: [IV.1.2.detail]\nversions:\n  - version: 1\n    date: 2026-04-01\n"
        "    source: {issuer: 豊島区, document: 豊島区 特定個人情報保護評価書}\n    text: |\n      施錠する。\n",
        encoding="utf-8",
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys,time; from composer.transaction import workspace_lock\n"
         "with workspace_lock(sys.argv[1]):\n print('held', flush=True); time.sleep(60)", str(ws)],
        cwd=ROOT, env=env(), stdout=subprocess.PIPE, text=True,
    )
    monkeypatch.setenv("HYOKA_LOCK_TIMEOUT", "0.2")
    before = {p: p.read_bytes() for p in ws.rglob("*") if p.is_file() and ".hyoka" not in p.parts}
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        for args in (
            ["propagate", "mid-server/audit"],
            ["publish", "a", "--date", "2026-04-01"],
            ["lint", "--fix", "b"],
            ["new", "c"],
            ["clauses", "lock"],
            ["build", "a", "--format", "md"],
        ):
            result = run("-C", str(ws), *args)
            assert result.exit_code == 1, args
            assert f"another hyoka is writing this workspace (pid {holder.pid}, since " in result.stderr, (args, result.stderr)
    finally:
        holder.kill()
        holder.wait()
    after = {p: p.read_bytes() for p in ws.rglob("*") if p.is_file() and ".hyoka" not in p.parts}
    assert after == before
    assert not (ws / "build").exists()  # the build composed and wrote a.md aside, then moved nothing into place
    assert run("-C", str(ws), "build", "a", "--format", "md").exit_code == 0
    assert set(read_manifest(ws / "build")) == {"a.md"}
