"""The yearly report to the 審議会: every number derived from snapshots and the workspace."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from composer import api, load_workspace
from composer.api import render_report, write_report
from composer.documents.report import (
    FLAG_DUE_SOON,
    FLAG_OVERDUE,
    FLAG_STALE,
    build_report,
    fiscal_year,
)
from composer.errors import UserError
from composer.model import NO_REASON

from .conftest import EXAMPLE, libreoffice_pdf, pdf_fonts, pdf_text, write

FY2024 = fiscal_year(2024)
FY2025 = fiscal_year(2025)

# 住基: first published in FY2024, changed twice (FY2024, FY2025), a draft with pending changes.
JUKI_V1 = """
form: 全項目
meta:
  title: 住民基本台帳に関する事務 全項目評価書
  jimu: 住民基本台帳に関する事務
  reassessed: 2020-06-01
items:
  I.1.1: 住民基本台帳に関する事務
  I.3: 住民基本台帳ファイル
  I.5.basis: 住民基本台帳法
  IV.1.2.detail:
    - clause: mid-server/audit@1
"""
# 2024-10-01: I.1.1 (事後, no reason), I.5.basis (事前, リスク変化 あり)
JUKI_V2 = JUKI_V1.replace("I.1.1: 住民基本台帳に関する事務", "I.1.1: 住民基本台帳に関する事務（改）").replace(
    "I.5.basis: 住民基本台帳法", "I.5.basis: 住民基本台帳法、番号法"
) + """
changes:
  - item: I.5.basis
    reason: 番号法を根拠に加えた。
    risk_change: あり
"""
# 2025-05-01: I.3 (事後, なし), I.4.1 added (事後, あり), I.5.basis again (事前; the old annotation is spent)
JUKI_V3 = JUKI_V2.replace("I.3: 住民基本台帳ファイル", "I.3: 住民基本台帳ファイル（本体）").replace(
    "I.5.basis: 住民基本台帳法、番号法", "I.5.basis: 住民基本台帳法、番号法、規則\n  I.4.1: 住民の利便性の向上"
) + """
  - item: I.3
    reason: ファイル名を改めた。
    risk_change: なし
  - item: I.4.1
    reason: 必要性を追記した。
    risk_change: あり
"""
# draft: I.4.2 added with a placeholder (事後, no reason), I.5.basis again (事前, あり)
JUKI_DRAFT = JUKI_V3.split("changes:")[0].replace(
    "I.5.basis: 住民基本台帳法、番号法、規則", "I.5.basis: 住民基本台帳法、番号法、規則、条例\n  I.4.2: 【要記入：メリット】"
) + """
changes:
  - item: I.5.basis
    reason: 条例を根拠に加えた。
    risk_change: あり
"""

ZEIMU = """
form: 全項目
meta:
  title: 個人住民税に関する事務 全項目評価書
items:
  I.1.1: 個人住民税に関する事務
  IV.1.2.detail:
    - clause: mid-server/audit@2
"""

KOKUHO = """
form: 全項目
meta:
  title: 国民健康保険に関する事務 全項目評価書
items:
  I.1.1: 国民健康保険に関する事務
"""

OLD = """
form: 全項目
meta:
  title: 旧システムに関する事務 全項目評価書
items:
  I.1.1: 旧システムに関する事務
"""


@pytest.fixture
def history(ws: Path) -> Path:
    """Publishes across FY2021, FY2024 and FY2025 with known changes."""
    a = ws / "assessments"
    # old: published once in FY2021, then its assessment file was removed (snapshots only)
    write(a / "old.yaml", OLD)
    api.publish(ws, "old", "2021-05-01")
    (a / "old.yaml").unlink()
    write(a / "juki.yaml", JUKI_V1)
    api.publish(ws, "juki", "2024-06-01")
    write(a / "juki.yaml", JUKI_V2)
    api.publish(ws, "juki", "2024-10-01")
    write(a / "juki.yaml", JUKI_V3)
    api.publish(ws, "juki", "2025-05-01")
    write(a / "juki.yaml", JUKI_DRAFT)
    write(a / "zeimu.yaml", ZEIMU)
    api.publish(ws, "zeimu", "2025-07-01")
    write(a / "kokuho.yaml", KOKUHO)  # never published
    return ws


def by_name(report):  # type: ignore[no-untyped-def]
    return {a.name: a for a in report.assessments}


def counts(c) -> tuple[int, int, int, int]:  # type: ignore[no-untyped-def]
    return (c.total, c.important, c.corrections, c.risk)


# --------------------------------------------------------------------------- counts


def test_fiscal_year_is_april_to_march() -> None:
    assert (FY2025.start, FY2025.end) == (dt.date(2025, 4, 1), dt.date(2026, 3, 31))
    assert FY2025.fiscal_year == 2025 and FY2025.label == "令和7年度（令和7年4月1日～令和8年3月31日）"


def test_every_assessment_appears_files_then_snapshot_only(history: Path) -> None:
    report = build_report(history, FY2025.start, FY2025.end)
    assert [a.name for a in report.assessments] == ["juki", "kokuho", "zeimu", "old"]
    assert report.municipality == "豊島区"
    a = by_name(report)
    assert (a["juki"].title, a["juki"].form) == ("住民基本台帳に関する事務 全項目評価書", "全項目")
    assert not a["old"].has_draft and a["old"].title == "旧システムに関する事務 全項目評価書"


def test_fy2024_counts(history: Path) -> None:
    report = build_report(history, FY2024.start, FY2024.end)
    a = by_name(report)
    juki = a["juki"]
    assert juki.snapshots == ("2024-06-01", "2024-10-01") and juki.last_published == "2024-10-01"
    # 2024-06-01 is the first publication (no diff); 2024-10-01 has two rows
    assert [(p.id, p.previous, len(p.rows)) for p in juki.publications] == [("2024-06-01", None, 0), ("2024-10-01", "2024-06-01", 2)]
    assert counts(juki.counts) == (2, 1, 1, 1)
    assert [(r.no, r.item, r.submission, r.risk_change) for r in juki.rows] == [
        (1, "I.1.1", "事後", None),
        (2, "I.5.basis", "事前", "あり"),
    ]
    # pending is the draft against the last snapshot (2025-05-01), whatever the period
    assert counts(juki.pending_counts) == (2, 1, 1, 1)
    # zeimu is first published after the period: 未公表 at its end
    assert a["zeimu"].status == "未公表" and a["zeimu"].last_published is None and a["zeimu"].publications == ()
    assert a["kokuho"].status == "未公表" and a["kokuho"].pending is None
    assert a["old"].status == "公表済" and a["old"].last_published == "2021-05-01" and a["old"].publications == ()
    assert counts(report.counts) == (2, 1, 1, 1)
    assert counts(report.pending_counts) == (2, 1, 1, 1)  # zeimu's draft equals its snapshot


def test_fy2025_counts(history: Path) -> None:
    report = build_report(history, FY2025.start, FY2025.end)
    a = by_name(report)
    juki = a["juki"]
    assert juki.last_published == "2025-05-01"
    (pub,) = juki.publications
    assert (pub.id, pub.previous, pub.table.from_label, pub.table.to_label) == ("2025-05-01", "2024-10-01", "2024-10-01", "2025-05-01")
    assert counts(juki.counts) == (3, 1, 2, 1)
    rows = {r.item: r for r in juki.rows}
    assert sorted(rows) == ["I.3", "I.4.1", "I.5.basis"]
    assert rows["I.5.basis"].reason == NO_REASON  # the 2024-10-01 annotation was published with that snapshot
    assert (rows["I.3"].reason, rows["I.3"].risk_change) == ("ファイル名を改めた。", "なし")
    assert all(r.date == "2025-05-01" for r in juki.rows)
    pending = juki.pending
    assert (pending.from_label, pending.to_label) == ("2025-05-01", "draft")
    assert [(r.item, r.submission, r.risk_change, r.reason) for r in pending.rows] == [
        ("I.4.2", "事後", None, NO_REASON),
        ("I.5.basis", "事前", "あり", "条例を根拠に加えた。"),
    ]
    # zeimu: first published in the period — listed, no change rows; its draft has no change
    zeimu = a["zeimu"]
    assert zeimu.status == "公表済" and [(p.id, p.previous) for p in zeimu.publications] == [("2025-07-01", None)]
    assert counts(zeimu.counts) == (0, 0, 0, 0) and counts(zeimu.pending_counts) == (0, 0, 0, 0) and zeimu.pending is not None
    assert a["kokuho"].status == "未公表" and counts(a["kokuho"].counts) == (0, 0, 0, 0)
    assert a["old"].pending is None and a["old"].publications == ()
    assert counts(report.counts) == (3, 1, 2, 1)
    assert counts(report.pending_counts) == (2, 1, 1, 1)


def test_custom_period_spanning_both_years_numbers_rows_in_order(history: Path) -> None:
    report = build_report(history, dt.date(2024, 10, 1), dt.date(2025, 5, 1))
    juki = by_name(report)["juki"]
    assert [p.id for p in juki.publications] == ["2024-10-01", "2025-05-01"]
    assert [r.no for r in juki.rows] == [1, 2, 3, 4, 5]
    assert counts(juki.counts) == (5, 2, 3, 2)
    assert report.period.fiscal_year is None


def test_reassessment_flags_fy2024_and_fy2025(history: Path) -> None:
    r24 = {a.name: a.reassessment for a in build_report(history, FY2024.start, FY2024.end).assessments}
    r25 = {a.name: a.reassessment for a in build_report(history, FY2025.start, FY2025.end).assessments}
    # juki: meta.reassessed 2020-06-01 -> due 2025-06-01
    assert (r24["juki"].last, r24["juki"].source, r24["juki"].due) == (dt.date(2020, 6, 1), "meta", dt.date(2025, 6, 1))
    assert r24["juki"].flags == (FLAG_DUE_SOON,) and r24["juki"].recent == 2
    assert r25["juki"].flags == (FLAG_OVERDUE,) and r25["juki"].recent == 1
    # old: no meta.reassessed -> its first publication 2021-05-01, due 2026-05-01; nothing published since
    assert (r25["old"].last, r25["old"].source, r25["old"].due) == (dt.date(2021, 5, 1), "first_publication", dt.date(2026, 5, 1))
    assert r24["old"].flags == (FLAG_STALE,)
    assert r25["old"].flags == (FLAG_DUE_SOON, FLAG_STALE)
    # zeimu: unknown before its first publication, then due 5 years after it
    assert (r24["zeimu"].last, r24["zeimu"].due, r24["zeimu"].flags) == (None, None, ())
    assert (r25["zeimu"].last, r25["zeimu"].due, r25["zeimu"].flags) == (dt.date(2025, 7, 1), dt.date(2030, 7, 1), ())
    assert (r25["kokuho"].last, r25["kokuho"].flags) == (None, ())


@pytest.mark.parametrize(
    "end, flags",
    [
        ("2024-05-31", ()),  # due 2025-06-01 is more than a year away (and juki is not yet published)
        ("2024-06-01", (FLAG_DUE_SOON,)),  # exactly one year before the due date
        ("2025-06-01", (FLAG_DUE_SOON,)),  # due on the last day: not yet overdue
        ("2025-06-02", (FLAG_OVERDUE,)),
        ("2026-04-30", (FLAG_OVERDUE,)),  # last publication 2025-05-01 lies in the year 2025-05-01..2026-04-30
        ("2026-05-01", (FLAG_OVERDUE, FLAG_STALE)),  # the year 2025-05-02..2026-05-01 has no publication
    ],
)
def test_reassessment_due_boundaries(history: Path, end: str, flags: tuple[str, ...]) -> None:
    report = build_report(history, dt.date(2020, 1, 1), dt.date.fromisoformat(end))
    assert by_name(report)["juki"].reassessment.flags == flags


def test_reassessed_date_that_is_not_a_date_names_the_file(history: Path) -> None:
    path = history / "assessments" / "juki.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("reassessed: 2020-06-01", "reassessed: 令和2年"), encoding="utf-8")
    with pytest.raises(UserError) as exc:
        build_report(history, FY2025.start, FY2025.end)
    assert "meta.reassessed '令和2年' is not a date" in str(exc.value) and "juki.yaml" in str(exc.value)


# --------------------------------------------------------------------------- clauses, lint, errors


def test_outdated_clause_uses_by_assessment(history: Path) -> None:
    a = by_name(build_report(history, FY2025.start, FY2025.end))
    (use,) = a["juki"].outdated
    assert (use.item, use.clause, use.version, use.latest) == ("IV.1.2.detail", "mid-server/audit", 1, 2)
    assert "juki.yaml" in use.location
    assert a["zeimu"].outdated == () and a["kokuho"].outdated == () and a["old"].outdated == ()


def test_lint_errors_and_placeholders_by_assessment(history: Path) -> None:
    from composer.lint.engine import lint_workspace

    report = build_report(history, FY2025.start, FY2025.end)
    assert report.lint_available
    a = by_name(report)
    assert a["juki"].lint.placeholders == 1  # 【要記入：メリット】
    assert a["zeimu"].lint.placeholders == 0 and a["kokuho"].lint.placeholders == 0
    assert a["old"].lint is None  # no assessment file to lint
    # errors: whatever lint reports in each assessment's file
    ws = load_workspace(history)
    from composer.errors import Diagnostics

    pairs = api.compose_all(ws, None, Diagnostics())
    findings = lint_workspace(ws, pairs)
    for name in ("juki", "zeimu", "kokuho"):
        expected = sum(f.severity == "error" and f.location is not None and f.location.file.endswith(f"{name}.yaml") for f in findings)
        assert a[name].lint.errors == expected


def test_tampered_snapshot_stops_the_report_naming_the_file(history: Path, run) -> None:
    path = history / "snapshots" / "juki" / "2024-06-01.json"  # outside FY2025, still verified
    path.write_text(path.read_text(encoding="utf-8").replace("住民基本台帳法", "住民基本台帳法（改ざん）"), encoding="utf-8")
    with pytest.raises(UserError) as exc:
        build_report(history, FY2025.start, FY2025.end)
    assert exc.value.code == "tampered"
    assert "snapshots/juki/2024-06-01.json" in str(exc.value)
    result = run("-C", str(history), "report", "--year", "2025")
    assert result.exit_code == 1
    assert "snapshots/juki/2024-06-01.json: snapshot content does not match its hash" in result.stderr
    assert result.stdout == ""


def test_broken_draft_stops_the_report(history: Path) -> None:
    write(history / "assessments" / "kokuho.yaml", KOKUHO.replace("I.1.1:", "I.9.9:"))
    with pytest.raises(Exception) as exc:
        build_report(history, FY2025.start, FY2025.end)
    assert "kokuho.yaml" in str(exc.value)


def test_empty_workspace_and_backwards_period(ws: Path) -> None:
    report = build_report(ws, FY2025.start, FY2025.end)
    assert list(report.assessments) == [] and counts(report.counts) == (0, 0, 0, 0)
    assert "| 合計 |" in render_report(report, "md")
    with pytest.raises(UserError, match="the period starts after it ends"):
        build_report(ws, FY2025.end, FY2025.start)


# --------------------------------------------------------------------------- formats and CLI


def test_json_has_every_count(history: Path, run) -> None:
    result = run("-C", str(history), "report", "--year", "2025", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["period"] == {"start": "2025-04-01", "end": "2026-03-31", "fiscal_year": 2025}
    juki = data["assessments"][0]
    assert juki["name"] == "juki" and juki["status"] == "公表済" and juki["last_published"] == "2025-05-01"
    assert juki["changes"] == {"total": 3, "important": 1, "corrections": 2, "risk": 1}
    assert juki["pending"] == {"total": 2, "important": 1, "corrections": 1, "risk": 1}
    assert juki["reassessment"] == {"last": "2020-06-01", "source": "meta", "due": "2025-06-01", "recent_publications": 1, "flags": ["期限超過"]}
    assert len(juki["publications"][0]["rows"]) == 3 and set(juki["publications"][0]["rows"][0]) == {
        "no", "section", "before", "after", "reason", "risk_change", "risk_situation", "countermeasure", "important", "submission"}
    assert [r["reason"] for r in juki["pending_rows"]] == [NO_REASON, "条例を根拠に加えた。"]
    kokuho = data["assessments"][1]
    assert kokuho["status"] == "未公表" and kokuho["pending"] is None and kokuho["pending_rows"] is None
    assert data["totals"] == {"changes": {"total": 3, "important": 1, "corrections": 2, "risk": 1},
                              "pending": {"total": 2, "important": 1, "corrections": 1, "risk": 1}}


def test_cli_from_to_overrides_the_year(history: Path, run) -> None:
    result = run("-C", str(history), "report", "--year", "2024", "--to", "2024-09-30", "--format", "json")
    data = json.loads(result.stdout)
    assert data["period"] == {"start": "2024-04-01", "end": "2024-09-30", "fiscal_year": None}
    assert data["assessments"][0]["changes"]["total"] == 0  # 2024-10-01 lies after the period
    both = run("-C", str(history), "report", "--from", "2024-04-01", "--to", "2026-03-31", "--format", "json")
    assert json.loads(both.stdout)["totals"]["changes"]["total"] == 5


def test_the_output_files_name_picks_the_format_unless_format_says_otherwise(history: Path, run, tmp_path: Path) -> None:
    import docx
    import openpyxl

    word = tmp_path / "report.docx"
    result = run("-C", str(history), "report", "--year", "2025", "-o", str(word))
    assert result.exit_code == 0, result.stderr
    assert any("実施状況報告" in p.text for p in docx.Document(str(word)).paragraphs)  # Word, not Markdown named .docx
    sheet = tmp_path / "changes.xlsx"
    assert run("-C", str(history), "diff", "juki", "-o", str(sheet)).exit_code == 0
    assert openpyxl.load_workbook(sheet).worksheets[0].max_row > 1
    plain = tmp_path / "report.txt"  # a name that says no format: the default (Markdown)
    assert run("-C", str(history), "report", "--year", "2025", "-o", str(plain)).exit_code == 0
    assert plain.read_text(encoding="utf-8").startswith("# ")
    clash = tmp_path / "clash.docx"
    refused = run("-C", str(history), "report", "--year", "2025", "--format", "md", "-o", str(clash))
    assert refused.exit_code == 1 and not clash.exists()
    (line,) = refused.stderr.strip().splitlines()
    assert "--format md does not write a .docx file" in line and "clash.docx" in line and "--format docx" in line


def test_cli_markdown_and_html(history: Path, run) -> None:
    md = run("-C", str(history), "report", "--year", "2025")
    assert md.exit_code == 0, md.stderr
    out = md.stdout
    assert out.startswith("# 豊島区 特定個人情報保護評価の実施状況報告\n\n対象期間：令和7年度（令和7年4月1日～令和8年3月31日）")
    assert "| 住民基本台帳に関する事務 全項目評価書 | 全項目 | 令和7年5月1日 | 3 | 1 | 2 | 1 | 2 |" in out
    assert "| 国民健康保険に関する事務 全項目評価書 | 全項目 | 未公表 | 0 | 0 | 0 | 0 | ― |" in out
    assert "| 合計 |   |   | 3 | 1 | 2 | 1 | 2 |" in out
    assert "| 旧システムに関する事務 全項目評価書 | 令和3年5月1日（初回公表日） | 令和8年5月1日 | 0 | 1年以内に期限、1年以上未見直し |" in out
    assert "IV.1.2.detail　mid-server/audit 第1版［stock］（最新 第2版［stock］）" in out
    assert "**【未公表の変更】（2025-05-01 → 現在の案）　2件**" in out
    html = run("-C", str(history), "report", "--year", "2025", "--format", "html")
    assert html.stdout.startswith("<!DOCTYPE html>") and "未公表の変更" in html.stdout and "期限超過" in html.stdout


def test_cli_word_and_excel_need_a_file(history: Path, run, tmp_path: Path) -> None:
    result = run("-C", str(history), "report", "--year", "2025", "--format", "docx")
    assert result.exit_code == 1 and "pass -o FILE" in result.stderr
    out = tmp_path / "out" / "report.xlsx"
    result = run("-C", str(history), "report", "--year", "2025", "--format", "xlsx", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert wb.sheetnames == ["概要", "再評価", "定型条項", "点検", "事務", "変更点"]
    overview = wb["概要"]
    assert [c.value for c in overview[4]] == ["住民基本台帳に関する事務 全項目評価書", "全項目", "令和7年5月1日", 3, 1, 2, 1, 2]
    assert overview.print_title_rows == "$3:$3"
    changes = [row for row in wb["変更点"].iter_rows(min_row=4, values_only=True) if row[0] == "住民基本台帳に関する事務 全項目評価書"]
    assert len([r for r in changes if isinstance(r[2], int)]) == 5  # 3 published + 2 pending


def test_docx_text_and_styles(history: Path, tmp_path: Path) -> None:
    import docx

    report = build_report(history, FY2025.start, FY2025.end)
    path = tmp_path / "report.docx"
    write_report(report, "docx", path)
    doc = docx.Document(str(path))
    section = doc.sections[0]
    assert section.page_width > section.page_height  # A4 landscape
    assert round(section.page_width.mm) == 297
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == ["付録　変更点リスク評価表"]  # a new page
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert headings == ["１．評価書の状況と期間中の変更", "２．再評価の時期", "３．定型条項の更新状況（旧版の条項を使っている箇所）",
                        "４．点検（hyoka lint）で見つかった未解決の問題", "５．事務ごとの評価書", "集計の方法", *(a.display_title for a in report.assessments)]
    overview = doc.tables[0]
    assert [c.text for c in overview.rows[1].cells] == ["住民基本台帳に関する事務 全項目評価書", "全項目", "令和7年5月1日", "3", "1", "2", "1", "2"]
    assert all(t.rows[0]._tr.trPr is not None and t.rows[0]._tr.trPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader") is not None for t in doc.tables)
    assert all(t.style.name == "Hyoka Table" for t in doc.tables)


# --------------------------------------------------------------------------- the bundled example


def test_example_shows_both_assessments_and_their_pending_changes() -> None:
    report = build_report(EXAMPLE, FY2025.start, FY2025.end)
    a = by_name(report)
    assert list(a) == ["juki", "juminzei"]
    juki, juminzei = a["juki"], a["juminzei"]
    assert juki.last_published == juminzei.last_published == "2024-04-01"
    assert counts(juki.counts) == counts(juminzei.counts) == (0, 0, 0, 0)  # nothing published in FY2025
    assert counts(juki.pending_counts) == (16, 14, 2, 10)
    assert counts(juminzei.pending_counts) == (21, 20, 1, 12)
    # the example records its last full re-assessments in meta.reassessed
    assert (juki.reassessment.last, juki.reassessment.source, juki.reassessment.due) == (dt.date(2021, 6, 1), "meta", dt.date(2026, 6, 1))
    assert juki.reassessment.flags == (FLAG_DUE_SOON, FLAG_STALE)  # due within a year; drafts not yet published
    assert (juminzei.reassessment.last, juminzei.reassessment.due) == (dt.date(2023, 2, 1), dt.date(2028, 2, 1))
    assert juminzei.reassessment.flags == (FLAG_STALE,)
    fy2024 = by_name(build_report(EXAMPLE, FY2024.start, FY2024.end))
    assert fy2024["juki"].reassessment.flags == () and fy2024["juki"].publications[0].previous is None
    # the pending rows are the diff the drafter sees with `hyoka diff`
    table, _ = api.diff(EXAMPLE, "juki")
    assert [r.to_json() for r in juki.pending.rows] == [r.to_json() for r in table.rows]


# --------------------------------------------------------------------------- LibreOffice


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_libreoffice_renders_the_example_report(tmp_path: Path, fmt: str) -> None:
    report = build_report(EXAMPLE, FY2025.start, FY2025.end)
    path = tmp_path / f"report.{fmt}"
    write_report(report, fmt, path)
    (pdf,) = libreoffice_pdf([path], tmp_path / "pdf")  # fails (never skips) without soffice
    text = "".join(pdf_text(pdf).split())  # pdftotext spaces out digits and wraps cells
    for s in ("特定個人情報保護評価の実施状況報告", "令和7年度", "住民基本台帳に関する事務", "個人住民税に関する事務",
              "未公表の変更", "1年以上未見直し", "令和8年6月1日", "変更点リスク評価表"):
        assert s in text, s
    assert any("CJK" in name and embedded for name, embedded in pdf_fonts(pdf)), pdf_fonts(pdf)


@pytest.mark.parametrize("year", ["0", "99999"])
def test_report_year_out_of_range(tmp_path: Path, year: str) -> None:
    from click.testing import CliRunner

    from composer import init_workspace
    from composer.cli import main

    init_workspace(tmp_path, "豊島区")
    result = CliRunner().invoke(main, ["-C", str(tmp_path), "report", "--year", year])
    assert result.exit_code == 1 and f"fiscal year {year} is out of range" in result.stderr
