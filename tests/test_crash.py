"""Writes survive kill -9 and persistent write faults; untouched bytes stay as they were.

A killed run leaves every file wholly old or wholly new; the next run that opens the
workspace completes or rolls back the interrupted write and says so; no staged file is
left behind; an update is never lost (running the command again finishes it).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import composer
from composer import api
from composer.revisions.snapshot import read_snapshot
from composer.transaction import JOURNAL_NAME, STATE_DIR, Transaction, recover

ROOT = Path(__file__).resolve().parent.parent
ONE_PIN = "# 住基（豊島区）\nform: 全項目\nitems:\n  IV.1.2.detail:\n    - clause: mid-server/audit@1   # 監査\n"
NEW_PIN = ONE_PIN.replace("audit@1", "audit@2")
FILES = ("a", "b", "c")
PAUSE = "0.03"  # seconds before staging and before renaming each file: widens the window the kills aim at


def env(**extra: str) -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    e.update(extra)
    return e


def new_workspace(path: Path) -> Path:
    composer.init_workspace(path, "豊島区")
    for name in FILES:
        (path / "assessments" / f"{name}.yaml").write_text(ONE_PIN, encoding="utf-8")
    return path


def litter(ws: Path) -> list[Path]:
    return [p for p in ws.rglob("*") if p.name.endswith((".new", ".old", ".tmp")) or p.name == JOURNAL_NAME]


def contents(ws: Path) -> list[str]:
    return [(ws / "assessments" / f"{n}.yaml").read_text(encoding="utf-8") for n in FILES]


def kill_during(ws: Path, args: list[str], rng: random.Random) -> str:
    """Start ``hyoka args``; kill it at a random point (mostly while it writes). Returns where."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "composer", "-C", str(ws), *args],
        cwd=ROOT, env=env(HYOKA_TXN_PAUSE=PAUSE), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    journal = ws / STATE_DIR / JOURNAL_NAME
    try:
        if rng.random() < 0.2:
            time.sleep(rng.uniform(0.0, 1.0))  # anywhere, the start included
            where = "anywhere"
        else:
            deadline = time.monotonic() + 30
            while not journal.exists() and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.002)
            time.sleep(rng.uniform(0.0, 0.2))  # during staging, renames or clean-up
            where = "writing"
        proc.kill()  # SIGKILL on POSIX, TerminateProcess on Windows
    finally:
        proc.wait(timeout=30)
    return where


def propagate_trial(tmp: Path, seed: int) -> tuple[str, str | None]:
    rng = random.Random(seed)
    ws = new_workspace(tmp / f"p{seed}")
    where = kill_during(ws, ["propagate", "mid-server/audit"], rng)
    for text in contents(ws):  # before any recovery: each file is wholly old or wholly new
        assert text in (ONE_PIN, NEW_PIN), (seed, where, text)
    said = recover(ws)
    state = contents(ws)
    assert state in ([ONE_PIN] * 3, [NEW_PIN] * 3), (seed, where, said, state)
    assert litter(ws) == [], (seed, where, said)
    if (ws / STATE_DIR / JOURNAL_NAME).exists():
        pytest.fail("journal left behind")
    api.propagate(ws, "mid-server/audit")  # the update is not lost: running it again finishes it
    assert contents(ws) == [NEW_PIN] * 3
    return where, said


def publish_trial(tmp: Path, seed: int) -> tuple[str, str | None]:
    rng = random.Random(seed)
    ws = new_workspace(tmp / f"s{seed}")
    where = kill_during(ws, ["publish", "a", "--date", "2026-04-01"], rng)
    said = recover(ws)
    snaps = list((ws / "snapshots").rglob("*.json"))
    assert len(snaps) <= 1, snaps
    for s in snaps:
        assert read_snapshot(s).date == "2026-04-01"  # complete: parses and its hash verifies
    assert litter(ws) == [], (seed, where, said)
    if snaps:
        with pytest.raises(composer.UserError, match="nothing changed"):
            api.publish(ws, "a", "2026-04-01")
    else:
        api.publish(ws, "a", "2026-04-01")
    assert len(list((ws / "snapshots").rglob("*.json"))) == 1
    return where, said


def import_trial(tmp: Path, seed: int, source: Path) -> tuple[str, str | None]:
    """``import --publish`` killed: the assessment and its baseline snapshot are there together or not at all."""
    rng = random.Random(seed)
    ws = new_workspace(tmp / f"i{seed}")
    where = kill_during(ws, ["import", str(source), "--name", "imp", "--publish", "--date", "2026-04-01"], rng)
    said = recover(ws)
    imported = (ws / "assessments" / "imp.yaml").exists()
    snaps = list((ws / "snapshots").rglob("*.json"))
    assert imported == (len(snaps) == 1), (seed, where, said, imported, snaps)
    assert litter(ws) == [], (seed, where, said)
    if not imported:  # rolled back (or never begun): importing again does it all
        api.import_docx(ws, source, "imp", publish_date="2026-04-01", publish=True)
    assert read_snapshot(ws / "snapshots" / "imp" / "2026-04-01.json").composed.name == "imp"
    assert (ws / "assessments" / "imp.yaml").read_text(encoding="utf-8").startswith("# imported from a.docx")
    return where, said


def test_kill_9_during_propagate_publish_and_import_then_recover(tmp_path: Path) -> None:
    source = api.build(new_workspace(tmp_path / "source"), ["a"], tmp_path / "built", "docx")[0]
    start = time.monotonic()
    with ThreadPoolExecutor(2) as pool:
        prop = list(pool.map(lambda s: propagate_trial(tmp_path, s), range(34)))
        pub = list(pool.map(lambda s: publish_trial(tmp_path, s), range(100, 116)))
        imp = list(pool.map(lambda s: import_trial(tmp_path, s, source), range(200, 216)))
    assert any(said for _, said in imp), imp  # some kills interrupted the import's write
    outcomes = [said for _, said in prop + pub + imp]
    # the kills landed in every phase: some writes were completed, some rolled back
    assert any(s and s.startswith("completed an interrupted write") for s in outcomes), outcomes
    assert any(s and s.startswith("rolled back an interrupted write") for s in outcomes), outcomes
    assert time.monotonic() - start < 150


def test_the_next_command_says_what_it_recovered(tmp_path: Path) -> None:
    ws = new_workspace(tmp_path / "ws")
    # a write interrupted between its renames: a and b new, c old, journal in state commit
    with pytest.MonkeyPatch.context() as mp:
        real = os.replace
        done = []

        def crash_after_two(src, dst):  # type: ignore[no-untyped-def]
            if Path(dst).suffix == ".yaml":
                if len(done) == 2:
                    raise KeyboardInterrupt  # stands for the kill: nothing after this point runs
                done.append(dst)
            return real(src, dst)

        mp.setattr(os, "replace", crash_after_two)
        with pytest.raises(KeyboardInterrupt):
            api.propagate(ws, "mid-server/audit")
    assert contents(ws) == [NEW_PIN, NEW_PIN, ONE_PIN]
    result = subprocess.run(
        [sys.executable, "-m", "composer", "-C", str(ws), "outdated"], cwd=ROOT, env=env(), capture_output=True, text=True
    )
    assert "completed an interrupted write: assessments/a.yaml, assessments/b.yaml, assessments/c.yaml (all new)" in result.stderr
    assert result.returncode == 0 and "all clause uses are current" in result.stderr
    assert contents(ws) == [NEW_PIN] * 3 and litter(ws) == []


# --------------------------------------------------------------------------- persistent write faults


def fail_replace(mp: pytest.MonkeyPatch, when) -> None:  # type: ignore[no-untyped-def]
    real = os.replace
    state = {"replaced": []}

    def replace(src, dst):  # type: ignore[no-untyped-def]
        if when(Path(dst), state["replaced"]):
            raise OSError(30, "Read-only file system", str(dst))
        real(src, dst)
        if Path(dst).suffix == ".yaml":
            state["replaced"].append(Path(dst).name)

    mp.setattr(os, "replace", replace)


@pytest.mark.parametrize(
    "when",
    [
        pytest.param(lambda dst, done: True, id="every-rename"),
        pytest.param(lambda dst, done: dst.name == "c.yaml", id="the-last-file"),
        pytest.param(lambda dst, done: dst.name == JOURNAL_NAME and not done, id="the-journal"),
    ],
)
def test_a_write_fault_changes_nothing_and_says_so(tmp_path: Path, run, monkeypatch: pytest.MonkeyPatch, when) -> None:  # type: ignore[no-untyped-def]
    ws = new_workspace(tmp_path / "ws")
    fail_replace(monkeypatch, when)
    result = run("-C", str(ws), "propagate", "mid-server/audit")
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert "cannot write: Read-only file system" in line and "no file was changed" in line, line
    monkeypatch.undo()
    assert contents(ws) == [ONE_PIN] * 3
    assert litter(ws) == []


def test_a_fault_that_also_stops_the_rollback_is_reported_as_it_is(tmp_path: Path, run, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = new_workspace(tmp_path / "ws")
    # the disk turns read-only once the first assessment is replaced: neither the rest nor a rollback can be written
    fail_replace(monkeypatch, lambda dst, done: bool(done))
    result = run("-C", str(ws), "propagate", "mid-server/audit")
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert "assessments/b.yaml: cannot write: Read-only file system" in line
    assert "assessments/a.yaml already replaced, the other files not yet; the next hyoka run completes the write" in line
    assert "unchanged" not in line and "no file was changed" not in line
    assert contents(ws) == [NEW_PIN, ONE_PIN, ONE_PIN]  # what the message says
    monkeypatch.undo()
    check = run("-C", str(ws), "outdated")
    assert "completed an interrupted write" in check.stderr
    assert contents(ws) == [NEW_PIN] * 3 and litter(ws) == []


def test_a_fault_while_staging_changes_nothing(tmp_path: Path, run, monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    ws = new_workspace(tmp_path / "ws")
    real_open = builtins.open

    def failing_open(file, mode="r", *a, **kw):  # type: ignore[no-untyped-def]
        if "w" in mode and str(file).endswith(".new") and "b.yaml" in str(file):
            raise OSError(28, "No space left on device", str(file))
        return real_open(file, mode, *a, **kw)

    monkeypatch.setattr(builtins, "open", failing_open)
    result = run("-C", str(ws), "propagate", "mid-server/audit")
    monkeypatch.undo()
    assert result.exit_code == 1
    assert "cannot write: No space left on device" in result.stderr and "no file was changed" in result.stderr
    assert contents(ws) == [ONE_PIN] * 3 and litter(ws) == []


def test_publish_under_a_write_fault_leaves_no_snapshot(tmp_path: Path, run, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = new_workspace(tmp_path / "ws")
    fail_replace(monkeypatch, lambda dst, done: dst.suffix == ".json" and dst.parent.name == "a")
    result = run("-C", str(ws), "publish", "a", "--date", "2026-04-01")
    monkeypatch.undo()
    assert result.exit_code == 1 and "no file was changed" in result.stderr
    assert list((ws / "snapshots").rglob("*.json")) == [] and litter(ws) == []
    assert run("-C", str(ws), "publish", "a", "--date", "2026-04-01").exit_code == 0


def test_transaction_api_writes_all_or_nothing(tmp_path: Path) -> None:
    ws = new_workspace(tmp_path / "ws")
    a, b = ws / "assessments" / "a.yaml", ws / "notes" / "new.txt"
    with pytest.raises(RuntimeError):
        with Transaction(ws) as txn:
            txn.write(a, "changed\n")
            raise RuntimeError("the caller failed before the end of the block")
    assert a.read_text(encoding="utf-8") == ONE_PIN and litter(ws) == []
    with Transaction(ws) as txn:
        txn.write(a, "changed\n")
        txn.write(b, b"bytes\n")
    assert txn.written == [a, b]
    assert (a.read_text(encoding="utf-8"), b.read_bytes()) == ("changed\n", b"bytes\n")
    with pytest.raises(composer.UserError, match="already exists"):
        with Transaction(ws) as txn:
            txn.write(a, "again\n")
            txn.write(b, "x", create=True)
    assert a.read_text(encoding="utf-8") == "changed\n"


def test_an_unreadable_journal_stops_with_one_line(tmp_path: Path, run) -> None:
    ws = new_workspace(tmp_path / "ws")
    (ws / STATE_DIR / JOURNAL_NAME).write_text("{not json", encoding="utf-8")
    result = run("-C", str(ws), "outdated")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: {STATE_DIR}/{JOURNAL_NAME}: the journal of an interrupted write is unreadable "
        "(check the files it names by hand, then delete it)"
    )


# --------------------------------------------------------------------------- byte-exact preservation

BOM = b"\xef\xbb\xbf"


def test_propagate_keeps_bom_crlf_comments_and_order(tmp_path: Path, run) -> None:
    ws = new_workspace(tmp_path / "ws")
    path = ws / "assessments" / "a.yaml"
    raw = BOM + ONE_PIN.replace("\n", "\r\n").encode("utf-8")
    path.write_bytes(raw)
    result = run("-C", str(ws), "propagate", "mid-server/audit", "-a", "a")
    assert result.exit_code == 0, result.stderr
    assert path.read_bytes() == raw.replace(b"audit@1", b"audit@2")


def test_lint_fix_keeps_bom_crlf_and_comments(tmp_path: Path, run) -> None:
    ws = new_workspace(tmp_path / "ws")
    path = ws / "assessments" / "a.yaml"
    text = "# 住基\r\nform: 全項目   # 様式\r\nitems:\r\n  I.1.1: |\r\n    脅威検出やDDos対策を講じる。\r\n"
    path.write_bytes(BOM + text.encode("utf-8"))
    result = run("-C", str(ws), "lint", "--fix", "a")
    assert "fixed 1 in assessments/a.yaml" in result.stderr, result.stderr
    assert path.read_bytes() == BOM + text.replace("DDos", "DDoS").encode("utf-8")


def test_a_new_file_gets_no_bom(tmp_path: Path) -> None:
    ws = new_workspace(tmp_path / "ws")
    with Transaction(ws) as txn:
        txn.write(ws / "x.txt", "本文\n")
    assert (ws / "x.txt").read_bytes() == "本文\n".encode()
    assert json.loads((ws / STATE_DIR / "writer.json").read_text(encoding="utf-8"))["pid"] == os.getpid()


# --------------------------------------------------------------------------- build: documents and their manifest entries


def build_trial(tmp: Path, seed: int, fresh: dict[str, str]) -> int:
    """Kill a build while it moves new documents into place; go back to the old inputs; build again.

    The build after the kill must give exactly the old documents: an entry left describing the
    old inputs beside a new document would make it skip one. Returns how many new documents the
    kill left in place.
    """
    rng = random.Random(seed)
    ws = new_workspace(tmp / f"b{seed}")
    api.build_documents(ws, None, None, "md")
    for name in FILES:
        (ws / "assessments" / f"{name}.yaml").write_text(NEW_PIN, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "composer", "-C", str(ws), "build", "--format", "md"],
        cwd=ROOT, env=env(HYOKA_BUILD_PAUSE="0.05"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not list((ws / "build").glob(".hyoka-staging-*/")) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(rng.uniform(0.0, 0.8))
        proc.kill()
    finally:
        proc.wait(timeout=30)
    moved = sum((ws / "build" / f"{n}.md").read_text(encoding="utf-8") != fresh[n] for n in FILES)
    for name in FILES:
        (ws / "assessments" / f"{name}.yaml").write_text(ONE_PIN, encoding="utf-8")
    api.build_documents(ws, None, None, "md")
    for name in FILES:
        assert (ws / "build" / f"{name}.md").read_text(encoding="utf-8") == fresh[name], (seed, name, moved)
    assert not list((ws / "build").glob(".hyoka-staging-*")), seed
    return moved


def test_kill_9_while_a_build_moves_documents_never_leaves_a_stale_skip(tmp_path: Path) -> None:
    ws = new_workspace(tmp_path / "fresh")
    api.build_documents(ws, None, None, "md")
    fresh = {n: (ws / "build" / f"{n}.md").read_text(encoding="utf-8") for n in FILES}
    with ThreadPoolExecutor(2) as pool:
        moved = list(pool.map(lambda s: build_trial(tmp_path, s, fresh), range(16)))
    assert any(0 < m < len(FILES) for m in moved), moved  # some kills landed between two documents' moves
