"""Messages of composing, publishing, propagating, importing and writing in Japanese: same location as in English."""

from __future__ import annotations

import json
import os
from pathlib import Path

import docx
import pytest
from filelock import FileLock

import composer
from composer import api
from composer.transaction import JOURNAL_NAME, LOCK_NAME, STATE_DIR

from .conftest import run_in as _run
from .conftest import write

PIN = "form: 全項目\nitems:\n  IV.1.2.detail:\n    - clause: mid-server/audit@1\n"


def test_template_error_in_japanese_at_the_same_place(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(ws / "assessments" / "a.yaml", 'form: 全項目\nitems:\n  I.1.1: "{{ nope }}"\n')
    en = _run(["-C", str(ws), "check"], "en", monkeypatch)
    ja = _run(["-C", str(ws), "check"], "ja", monkeypatch)
    assert en.exit_code == ja.exit_code == 1
    where = "assessments/a.yaml:3: I.1.1: "
    assert f"{where}undefined name in local text: 'nope' is undefined" in en.stderr
    assert f"{where}独自の記載に定義されていない名前があります: 'nope' is undefined" in ja.stderr
    assert "差し込み項目として宣言するか、値を与えてください（使えるもの: municipality、term）" in ja.stderr


def test_tampered_snapshot_in_japanese(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(ws / "assessments" / "a.yaml", PIN)
    api.publish(ws, "a", "2026-04-01")
    snap = ws / "snapshots" / "a" / "2026-04-01.json"
    body = json.loads(snap.read_text(encoding="utf-8"))
    body["municipality"] = "練馬区"
    snap.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    en = _run(["-C", str(ws), "diff", "a"], "en", monkeypatch)
    ja = _run(["-C", str(ws), "diff", "a"], "ja", monkeypatch)
    assert en.exit_code == ja.exit_code == 1
    assert "snapshots/a/2026-04-01.json: snapshot content does not match its hash" in en.stderr
    assert "snapshots/a/2026-04-01.json: 公表版の内容がハッシュと一致しません: 公表後に変更されています" in ja.stderr
    assert "バージョン管理からファイルを元に戻してください" in ja.stderr and "Traceback" not in ja.stderr


def test_unpublished_and_unknown_snapshot_in_japanese(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(ws / "assessments" / "a.yaml", PIN)
    never = _run(["-C", str(ws), "diff", "a"], "ja", monkeypatch)
    assert never.exit_code == 1
    assert "snapshots/a: 評価書 'a' はまだ公表されていません" in never.stderr and "`hyoka publish a`" in never.stderr
    api.publish(ws, "a", "2026-04-01")
    unknown = _run(["-C", str(ws), "diff", "a", "--from", "2026-04-02"], "ja", monkeypatch)
    assert unknown.exit_code == 1
    assert "評価書 'a' に公表版 '2026-04-02' はありません" in unknown.stderr and "あるもの: 2026-04-01" in unknown.stderr


def test_recovered_write_is_announced_in_japanese_with_workspace_paths(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a write killed after its journal reached "commit": the next command finishes it and says so
    for name in ("a", "b"):
        write(ws / "assessments" / f"{name}.yaml", PIN)
        (ws / "assessments" / f".{name}.yaml.1-x.new").write_text(PIN.replace("@1", "@2"), encoding="utf-8")
    files = [{"target": f"assessments/{n}.yaml", "new": f"assessments/.{n}.yaml.1-x.new", "old": None} for n in ("a", "b")]
    journal = {"journal": 1, "id": "1-x", "state": "commit", "pid": 1, "files": files}
    (ws / STATE_DIR).mkdir(exist_ok=True)
    (ws / STATE_DIR / JOURNAL_NAME).write_text(json.dumps(journal), encoding="utf-8")
    r = _run(["-C", str(ws), "outdated"], "ja", monkeypatch)
    assert "中断した書き込みを完了しました: assessments/a.yaml、assessments/b.yaml（すべて新しい内容）" in r.stderr, r.stderr
    assert (ws / "assessments" / "a.yaml").read_text(encoding="utf-8") == PIN.replace("@1", "@2")
    assert not (ws / STATE_DIR / JOURNAL_NAME).exists()


def test_waiting_for_the_lock_in_japanese(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(ws / "assessments" / "a.yaml", PIN)
    (ws / STATE_DIR).mkdir(exist_ok=True)
    monkeypatch.setenv("HYOKA_LOCK_TIMEOUT", "0")
    holder = FileLock(str(ws / STATE_DIR / LOCK_NAME), thread_local=False)
    with holder:
        ja = _run(["-C", str(ws), "propagate", "mid-server/audit"], "ja", monkeypatch)
        en = _run(["-C", str(ws), "propagate", "mid-server/audit"], "en", monkeypatch)
    assert ja.exit_code == en.exit_code == 1
    # the last writer recorded (creating the workspace): this process
    assert f"{STATE_DIR}/{LOCK_NAME}: another hyoka is writing this workspace (pid {os.getpid()}, since " in en.stderr
    assert f"{STATE_DIR}/{LOCK_NAME}: 別の hyoka がこの作業フォルダに書き込み中です（pid {os.getpid()}、" in ja.stderr
    assert " から、" in ja.stderr
    assert "HYOKA_LOCK_TIMEOUT" in ja.stderr
    assert PIN == (ws / "assessments" / "a.yaml").read_text(encoding="utf-8")


def test_propagate_diff_names_files_relative_to_the_workspace(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(ws / "assessments" / "a.yaml", PIN)
    monkeypatch.chdir(tmp_path.parent)  # not the workspace: the headers still start at its root
    plan = api.propagate(ws, "mid-server/audit", dry_run=True)
    diff = plan.edits[0].unified_diff()
    assert diff.startswith("--- a/assessments/a.yaml\n+++ b/assessments/a.yaml\n"), diff
    r = _run(["-C", str(ws), "propagate", "mid-server/audit", "--dry-run"], "ja", monkeypatch)
    assert "--- a/assessments/a.yaml" in r.stdout  # the diff itself is output, the same in every language


def test_propagate_bad_ref_in_japanese(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = _run(["-C", str(ws), "propagate", "mid-server/audit@x"], "ja", monkeypatch)
    assert r.exit_code == 1
    assert "'mid-server/audit@x' は定型文の版を指していません" in r.stderr and "gov-cloud/storage@2" in r.stderr


def test_import_report_in_japanese_and_json_in_english(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = docx.Document()
    d.add_paragraph("特定個人情報保護評価書（全項目評価書）")
    d.add_paragraph("Ⅰ基本情報")
    d.add_paragraph("前書きの段落")
    t = d.add_table(rows=1, cols=2)
    t.rows[0].cells[0].text = "①事務の名称"
    t.rows[0].cells[1].text = "住民基本台帳に関する事務"
    path = tmp_path / "small.docx"
    d.save(str(path))
    ja = _run(["-C", str(ws), "import", str(path), "--name", "small"], "ja", monkeypatch)
    assert ja.exit_code == 0, ja.output
    assert "記入した項目: 1（うち選択 0）" in ja.stdout
    assert "取り込めなかった箇所: 3 段落目: 様式の見出しではありません: '前書きの段落'" in ja.stdout
    as_json = _run(["-C", str(ws), "import", str(path), "--name", "again", "--format", "json"], "ja", monkeypatch)
    data = json.loads(as_json.stdout)
    assert {"text": "前書きの段落", "where": "paragraph 3", "reason": "not a heading of the form"} in data["unplaced"]


def test_not_a_word_document_in_japanese(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = write(ws / "inbox" / "note.docx", "plain text, not a zip\n")
    en = _run(["-C", str(ws), "import", str(bad), "--name", "x"], "en", monkeypatch)
    ja = _run(["-C", str(ws), "import", str(bad), "--name", "x"], "ja", monkeypatch)
    assert en.exit_code == ja.exit_code == 1
    assert "inbox/note.docx: not a Word document (.docx)" in en.stderr
    assert "inbox/note.docx: Word 文書（.docx）ではありません" in ja.stderr
    assert "Word で開き、Word 文書（.docx）として保存してください" in ja.stderr


def test_draft_refusals_in_japanese(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(ws / "assessments" / "a.yaml", PIN)
    exists = _run(["-C", str(ws), "new", "a"], "ja", monkeypatch)
    assert exists.exit_code == 1 and "assessments/a.yaml: 評価書がすでにあります" in exists.stderr
    profile = _run(["-C", str(ws), "new", "b", "--profile", "nope"], "ja", monkeypatch)
    assert profile.exit_code == 1 and "'nope' というプロファイルはありません" in profile.stderr


def test_messages_carry_paths_not_text(ws: Path) -> None:
    """A message keeps the Path: each view shows it from its own root (a fleet of workspaces)."""
    write(ws / "assessments" / "a.yaml", PIN)
    api.publish(ws, "a", "2026-04-01")
    from composer.i18n import View

    with pytest.raises(composer.UserError) as exc:
        api.publish(ws, "a", "2026-04-01")
    message = exc.value.message
    assert View("en", ws).text(message) == "nothing changed in 'a' since its publication of 2026-04-01"
    assert View("ja", ws).text(message) == "'a' は 2026-04-01 の公表から何も変わっていません"
    assert exc.value.shown(View("ja", ws)).startswith("snapshots/a/2026-04-01.json: ")
