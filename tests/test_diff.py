"""Revisions and change tables: publish, diff, annotations, formats, bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from composer import api
from composer.model import NO_REASON

from .conftest import write

BEFORE = """
form: 全項目
meta: {title: 住民基本台帳に関する事務 全項目評価書, jimu: 住民基本台帳に関する事務}
files:
  - id: juki
    name: 住民基本台帳ファイル
    items:
      III.3.r2.auth: 行っている
      III.3.r2.auth.detail: ・端末ごとにIDカードとパスワードによる認証を行っている。
      III.7.r1.5.detail:
        - text: |
            ・外部侵入防止 外周赤外線センサー監視
          heading: ＜データセンター＞
          id: datacenter
items:
  I.1.1: 住民基本台帳に関する事務
  IV.1.2.detail:
    - clause: mid-server/audit@1
"""

AFTER = """
form: 全項目
meta: {title: 住民基本台帳に関する事務 全項目評価書, jimu: 住民基本台帳に関する事務}
files:
  - id: juki
    name: 住民基本台帳ファイル
    items:
      II.6.1:
        - clause: gov-cloud/storage@1
      III.3.r2.auth: 行っている
      III.3.r2.auth.detail: ・端末ごとに二要素認証を行っている。
      III.7.r1.5.detail:
        - clause: gov-cloud/physical@1
items:
  I.1.1: 住民基本台帳に関する事務
  IV.1.2.detail:
    - clause: mid-server/audit@2
    - clause: gov-cloud/audit@1
changes:
  - item: III.3.r2.auth.detail
    file: juki
    reason: 端末の認証方式に一部変更が入ったため修正した。
    risk_change: あり
    risk_situation: 生体情報は紛失・盗難が困難である。
  - item: III.7.r1.5.detail
    file: juki
    block: datacenter
    reason: 設置場所をデータセンターからガバメントクラウドへ変更することになった。
    risk_change: あり
"""


@pytest.fixture
def published(ws: Path) -> Path:
    write(ws / "assessments" / "juki.yaml", BEFORE)
    api.publish(ws, "juki", "2024-04-01")
    write(ws / "assessments" / "juki.yaml", AFTER)
    return ws


def rows_of(ws: Path, **kw):  # type: ignore[no-untyped-def]
    table, warnings = api.diff(ws, "juki", **kw)
    return table.rows, warnings


def test_publish_writes_sealed_snapshot(ws: Path, run) -> None:
    write(ws / "assessments" / "juki.yaml", BEFORE)
    result = run("-C", str(ws), "publish", "juki", "--date", "2024-04-01")
    assert result.exit_code == 0, result.stderr
    path = ws / "snapshots" / "juki" / "2024-04-01.json"
    body = json.loads(path.read_text(encoding="utf-8"))
    assert body["content_hash"].startswith("sha256:")
    audit = next(it for it in body["items"] if it["key"] == "IV.1.2.detail")
    assert audit["blocks"][0]["clause"] == "mid-server/audit" and audit["blocks"][0]["version"] == 1
    assert "中間サーバ・プラットフォームについて、定期的に監査" in audit["blocks"][0]["body"]
    again = run("-C", str(ws), "publish", "juki", "--date", "2024-05-01")
    assert again.exit_code == 1 and "nothing changed in 'juki' since its publication of 2024-04-01" in again.stderr
    listed = run("-C", str(ws), "history", "juki")
    assert "2024-04-01" in listed.output


def test_history_stays_as_published_when_inputs_change(published: Path) -> None:
    from composer.revisions.snapshot import find_snapshot

    before = find_snapshot(published / "snapshots", "juki", None).composed
    # the assessment file changed (AFTER), and a local clause would not matter either:
    item = before.item("juki:III.3.r2.auth.detail")
    assert item.blocks[0].body == "・端末ごとにIDカードとパスワードによる認証を行っている。"
    assert before.item("juki:II.6.1").blocks == ()


def test_rows_one_per_changed_block_with_reasons(published: Path) -> None:
    rows, warnings = rows_of(published, start=91)
    assert warnings == []
    summary = [(r.no, r.item, r.blocks, r.kind) for r in rows]
    assert summary == [
        (91, "juki:II.6.1", ("gov-cloud/storage",), "added"),
        (92, "juki:III.3.r2.auth.detail", ("text-1",), "edited"),
        (93, "juki:III.7.r1.5.detail", ("datacenter",), "removed"),
        (94, "juki:III.7.r1.5.detail", ("gov-cloud/physical",), "added"),
        (95, "IV.1.2.detail", ("mid-server/audit",), "version"),
        (96, "IV.1.2.detail", ("gov-cloud/audit",), "added"),
    ]
    storage, auth, removed, physical, mid, audit = rows
    # clause notes rendered with the file's name
    assert storage.reason == "ガバメントクラウドを利用するため、デジタル庁の評価書記載例を転記した。"
    assert storage.risk_change == "あり"
    assert storage.risk_situation == "現行の住民基本台帳ファイル保存先からリスク対策が追加されるため、セキュリティリスクは低減する。"
    assert storage.before == "" and storage.after.startswith("＜ガバメントクラウドにおける措置＞\n①サーバ等は")
    assert storage.section == "Ⅱ特定個人情報ファイルの概要\n（１）住民基本台帳ファイル\n６．特定個人情報の保管・消去\n①保管場所"
    assert storage.important and storage.submission == "事前"
    # local edit: reason from the drafter's annotation
    assert (auth.before, auth.after) == ("・端末ごとにIDカードとパスワードによる認証を行っている。", "・端末ごとに二要素認証を行っている。")
    assert auth.reason == "端末の認証方式に一部変更が入ったため修正した。" and auth.risk_change == "あり"
    # removal: after reads 削除, reason from the block-level annotation
    assert removed.after == "削除" and removed.before.startswith("＜データセンター＞\n")
    assert removed.reason.startswith("設置場所をデータセンターから")
    # a version move takes the new version's notes
    assert mid.before.startswith("＜中間サーバ・プラットフォームにおける措置＞")
    assert mid.after.startswith("＜中間サーバー・プラットフォームにおける措置＞")
    assert mid.reason.startswith("記載漏れがあったため追記した。") and mid.risk_change == "なし"


def test_annotation_merges_blocks_into_one_row(published: Path) -> None:
    path = published / "assessments" / "juki.yaml"
    path.write_text(path.read_text(encoding="utf-8") + """\
  - item: IV.1.2.detail
    blocks: [mid-server/audit, gov-cloud/audit]
    reason: 二つの措置をまとめて記載した。
    countermeasure: まとめた対策
""", encoding="utf-8")
    rows, _ = rows_of(published)
    merged = rows[-1]
    assert merged.blocks == ("mid-server/audit", "gov-cloud/audit")
    assert merged.kind == "merged"
    assert merged.reason == "二つの措置をまとめて記載した。" and merged.countermeasure == "まとめた対策"
    assert merged.after.split("\n\n")[0].startswith("＜中間サーバー・プラットフォームにおける措置＞")
    assert merged.after.split("\n\n")[1].startswith("＜ガバメントクラウドにおける措置＞")
    assert merged.risk_change == "なし"  # first block's notes fill what the annotation leaves out
    assert len(rows) == 5


def test_row_without_reason_is_marked_and_strict_fails(ws: Path, run) -> None:
    write(ws / "assessments" / "a.yaml", "form: 全項目\nitems:\n  I.1.1: 旧\n")
    api.publish(ws, "a", "2024-04-01")
    write(ws / "assessments" / "a.yaml", "form: 全項目\nitems:\n  I.1.1: 新\n")
    table, _ = api.diff(ws, "a")
    assert table.rows[0].reason == NO_REASON == "（変更理由未記入）"
    result = run("-C", str(ws), "diff", "a", "--strict")
    assert result.exit_code == 1
    assert "no reason for the change of I.1.1 (text-1)" in result.stderr


def test_choice_change_is_a_row(ws: Path) -> None:
    base = "form: 全項目\nfiles:\n  - id: f\n    name: x\n    items:\n      III.7.r1.5: {}\n"
    write(ws / "assessments" / "a.yaml", base.format("十分に行っている"))
    api.publish(ws, "a", "2024-04-01")
    write(ws / "assessments" / "a.yaml", base.format("特に力を入れて行っている") + "changes:\n  - {item: III.7.r1.5, file: f, block: choice, reason: 強化した。}\n")
    (row,) = api.diff(ws, "a")[0].rows
    assert (row.before, row.after, row.kind, row.reason) == ("十分に行っている", "特に力を入れて行っている", "choice", "強化した。")


def test_same_as_refers_to_the_first_identical_row(ws: Path) -> None:
    base = """
form: 全項目
files:
  - id: a
    name: 個人住民税ファイル
    items: {}
  - id: b
    name: 個人住民税ファイル
    items: {}
"""
    write(ws / "assessments" / "t.yaml", base)
    api.publish(ws, "t", "2024-04-01")
    write(ws / "assessments" / "t.yaml", base.replace("items: {}", "items: {II.6.1: [{clause: gov-cloud/storage@1}]}"))
    table, _ = api.diff(ws, "t", start=14, same_as=True)
    first, second = table.rows
    assert first.reason.startswith("ガバメントクラウドを利用するため")
    assert second.reason == "通番14と同様" and second.risk_situation == "" and second.risk_change == "あり"


def test_formats_json_csv_md_html_and_official(published: Path, run) -> None:
    out = run("-C", str(published), "diff", "juki", "--start", "91", "--format", "json")
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.output)
    assert len(data) == 6
    assert all(list(r) == ["no", "section", "before", "after", "reason", "risk_change", "risk_situation", "countermeasure", "important", "submission"] for r in data)
    assert data[0]["no"] == 91 and data[0]["important"] is True and data[0]["submission"] == "事前"
    assert {r["risk_change"] for r in data} <= {"あり", "なし"}
    text = run("-C", str(published), "diff", "juki", "--format", "csv").output
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert table[0] == ["通番", "評価書の変更箇所", "変更前", "変更後", "変更理由", "リスク変化", "リスク変化の状況", "リスク対策"]
    assert len(table) == 7
    md = run("-C", str(published), "diff", "juki", "--format", "md").output
    assert md.startswith("# 変更点リスク評価表(住民基本台帳)")
    html = run("-C", str(published), "diff", "juki", "--format", "html").output
    assert "<th>リスク対策</th>" in html
    official = json.loads(run("-C", str(published), "diff", "juki", "--table", "official", "--format", "json").output)
    assert list(official[0]) == ["date", "section", "before", "after", "submission", "submission_note"]
    assert official[0]["submission"] == "事前" and "重要な変更" in official[0]["submission_note"]
    csv_off = run("-C", str(published), "diff", "juki", "--table", "official", "--format", "csv").output
    assert csv_off.lstrip("\ufeff").startswith("変更日,項目,変更前の記載,変更後の記載,提出時期,提出時期に係る説明")


def test_diff_between_two_snapshots_uses_the_later_annotations(published: Path) -> None:
    api.publish(published, "juki", "2025-04-01")
    table, warnings = api.diff(published, "juki", from_ref="2024-04-01", to_ref="2025-04-01")
    assert len(table.rows) == 6 and warnings == []
    assert all(r.date == "2025-04-01" for r in table.rows)
    # default --from for a snapshot is the one before it
    assert api.diff(published, "juki", to_ref="2025-04-01")[0].rows == table.rows
    # after publishing, the draft equals the snapshot: no rows, and the old annotations are not stale
    table, warnings = api.diff(published, "juki")
    assert table.rows == () and warnings == []


def test_diff_bad_input(ws: Path, published: Path, run) -> None:
    write(ws / "assessments" / "other.yaml", "form: 全項目\nitems:\n  I.1.1: x\n")
    never = run("-C", str(ws), "diff", "other")
    assert never.exit_code == 1
    assert "snapshots/other: assessment 'other' has never been published (run `hyoka publish other` first)" in never.stderr
    unknown = run("-C", str(ws), "diff", "juki", "--from", "2024-04-02")
    assert unknown.exit_code == 1
    assert "has no snapshot '2024-04-02'" in unknown.stderr and "have: 2024-04-01" in unknown.stderr
    snap = ws / "snapshots" / "juki" / "2024-04-01.json"
    snap.write_text(snap.read_text(encoding="utf-8").replace("IDカード", "ICカード"), encoding="utf-8")
    tampered = run("-C", str(ws), "diff", "juki")
    assert tampered.exit_code == 1
    assert "snapshots/juki/2024-04-01.json: snapshot content does not match its hash" in tampered.stderr


def test_annotation_on_unchanged_item_warns(published: Path, run) -> None:
    path = published / "assessments" / "juki.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  - item: I.1.1\n    reason: 変えていない\n", encoding="utf-8")
    result = run("-C", str(published), "diff", "juki", "--format", "json")
    assert result.exit_code == 0
    assert "assessments/juki.yaml:29: warning: change annotation for I.1.1 matches no change" in result.stderr


def test_publish_refuses_invalid_draft(ws: Path, run) -> None:
    write(ws / "assessments" / "a.yaml", "form: 全項目\nitems:\n  I.1.1: \"{{ nope }}\"\n")
    result = run("-C", str(ws), "publish", "a")
    assert result.exit_code == 1 and "undefined name" in result.stderr
    assert not (ws / "snapshots" / "a").exists()


@pytest.mark.parametrize("date", ["20300101", "2030-W01-2", "2030-1-1", "令和7年4月1日"])
def test_publish_date_must_be_iso(ws: Path, run, date: str) -> None:
    write(ws / "assessments" / "a.yaml", "form: 全項目\nitems:\n  I.1.1: x\n")
    result = run("-C", str(ws), "publish", "a", "--date", date)
    assert result.exit_code == 1 and f"--date '{date}' is not a date (write it as YYYY-MM-DD)" in result.stderr
    assert not (ws / "snapshots" / "a").exists()


def test_publish_refuses_open_placeholders(ws: Path, run) -> None:
    assert run("-C", str(ws), "new", "kokuho", "--profile", "gov-cloud").exit_code == 0
    result = run("-C", str(ws), "publish", "kokuho")
    assert result.exit_code == 1
    assert "assessments/kokuho.yaml:" in result.stderr and "fill it in before publishing" in result.stderr
    assert not (ws / "snapshots" / "kokuho").exists()


def test_snapshot_directory_holds_only_snapshots(published: Path, run) -> None:
    stray = published / "snapshots" / "juki" / "notes.json"
    stray.write_text("{}", encoding="utf-8")
    result = run("-C", str(published), "diff", "juki")
    assert result.exit_code == 1
    assert "snapshots/juki/notes.json: not a snapshot" in result.stderr


def test_diff_from_draft_is_refused(published: Path, run) -> None:
    result = run("-C", str(published), "diff", "juki", "--from", "draft")
    assert result.exit_code == 1 and "the draft is the newest revision" in result.stderr


def test_snapshots_of_one_day_are_ordered_by_publication(ws: Path) -> None:
    for n in range(1, 12):
        write(ws / "assessments" / "a.yaml", f"form: 全項目\nitems:\n  I.1.1: 版{n}\n")
        api.publish(ws, "a", "2025-04-01")
    table, _ = api.diff(ws, "a", to_ref="2025-04-01.11")
    assert [(r.before, r.after) for r in table.rows] == [("版10", "版11")]
    assert table.from_label == "2025-04-01.10"


def test_official_table_date_of_a_draft(published: Path, run) -> None:
    out = run("-C", str(published), "diff", "juki", "--table", "official", "--format", "json", "--date", "2026-04-01")
    assert out.exit_code == 0, out.stderr
    assert {r["date"] for r in json.loads(out.output)} == {"2026-04-01"}
    undated = json.loads(run("-C", str(published), "diff", "juki", "--table", "official", "--format", "json").output)
    assert {r["date"] for r in undated} == {""}
    bad = run("-C", str(published), "diff", "juki", "--date", "4/1")
    assert bad.exit_code == 1 and "--date '4/1' is not a date" in bad.stderr
