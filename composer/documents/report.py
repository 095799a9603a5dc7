"""Stage 9: the yearly report to the 審議会 — every assessment's state and changes in one document.

Ordinances such as 文京区 第九条2 and 目黒区 第14条 have the 実施機関 report the state of its
personal-information handling to the 審議会 once a year. :func:`build_report` gathers, for
every assessment of the workspace (assessment files, and assessments that only have
snapshots), the numbers that report needs; the writers below print it as Markdown,
HTML, JSON, Word or Excel. Nothing in the report is typed by hand: every number comes
from the published snapshots, the assessment files, the clause library and lint.

* changes in the period: the rows of the diffs between consecutive snapshots whose
  later snapshot is dated within the period (a first publication has no diff);
* 未公表の変更: the rows of the current draft against the last snapshot;
* re-assessment: the last full re-assessment (``meta.reassessed``, else the first
  publication), its 5-year due date (規則第15条) and whether anything was published in
  the year before the period's end;
* stock-clause currency (:func:`composer.api.clause_uses`) and open lint findings.

Every snapshot is read and verified: a tampered snapshot stops the report (a report
must not silently omit a department). An assessment never published is 「未公表」.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any, Literal

from composer.errors import Diagnostics, Location, UserError
from composer.model import ChangeRow, ChangeTable, ComposedAssessment
from composer.revisions.snapshot import DRAFT, Snapshot, list_snapshots, read_snapshot

#: 特定個人情報保護評価に関する規則第15条: a full re-assessment at least every 5 years (effort duty).
REASSESS_YEARS = 5
FLAG_OVERDUE = "期限超過"
FLAG_DUE_SOON = "1年以内に期限"
FLAG_STALE = "1年以上未見直し"
UNPUBLISHED = "未公表"
PENDING = "未公表の変更"
NONE = "―"
TOTAL = "合計"
FORMATS = ("md", "html", "json", "docx", "xlsx")
TEXT_FORMATS = ("md", "html", "json")

ReassessSource = Literal["meta", "first_publication"]


# --------------------------------------------------------------------------- dates and periods


def _add_years(d: _dt.date, years: int) -> _dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _date(text: str, location: Location | None, what: str) -> _dt.date:
    from composer.dates import parse_date

    return parse_date(text, location, what)


def fiscal_year_label(year: int) -> str:
    """``2025`` -> ``令和7年度`` (the fiscal year that starts on 1 April of ``year``)."""
    if year >= 2019:
        n = year - 2018
        return f"令和{'元' if n == 1 else n}年度"
    if year >= 1989:
        n = year - 1988
        return f"平成{'元' if n == 1 else n}年度"
    return f"{year}年度"


@dataclass(frozen=True)
class Period:
    start: _dt.date
    end: _dt.date

    @property
    def fiscal_year(self) -> int | None:
        """The fiscal year when the period is exactly one (4/1–3/31), else None."""
        s, e = self.start, self.end
        if (s.month, s.day) == (4, 1) and (e.year, e.month, e.day) == (s.year + 1, 3, 31):
            return s.year
        return None

    @property
    def label(self) -> str:
        from composer.dates import wareki

        span = f"{wareki(self.start.isoformat())}～{wareki(self.end.isoformat())}"
        fy = self.fiscal_year
        return f"{fiscal_year_label(fy)}（{span}）" if fy is not None else span

    def __contains__(self, d: _dt.date) -> bool:
        return self.start <= d <= self.end


FIRST_YEAR, LAST_YEAR = 2015, 9998  # 特定個人情報保護評価 began in 2014–15


def fiscal_year(year: int) -> Period:
    """The fiscal year ``year``: 1 April ``year`` to 31 March ``year + 1``."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise UserError(f"fiscal year {year} is out of range", None, f"give a year from {FIRST_YEAR} to {LAST_YEAR}, e.g. --year 2025")
    return Period(_dt.date(year, 4, 1), _dt.date(year + 1, 3, 31))


def resolve_period(year: int | None, start: _dt.date | None, end: _dt.date | None, today: _dt.date | None = None) -> Period:
    """The report's period: a fiscal year (default: the current one), either end overridable."""
    fy = fiscal_year(year if year is not None else fiscal_year_of(today or _dt.date.today()))
    return Period(start or fy.start, end or fy.end)


def fiscal_year_of(d: _dt.date) -> int:
    return d.year if d.month >= 4 else d.year - 1


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Counts:
    total: int = 0
    important: int = 0  # 重要な変更: 提出時期 事前
    corrections: int = 0  # 修正: 提出時期 事後
    risk: int = 0  # リスク変化 あり

    @classmethod
    def of(cls, rows: Iterable[ChangeRow]) -> Counts:
        rows = list(rows)
        return cls(
            total=len(rows),
            important=sum(r.submission == "事前" for r in rows),
            corrections=sum(r.submission == "事後" for r in rows),
            risk=sum(r.risk_change == "あり" for r in rows),
        )

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.total + other.total, self.important + other.important,
                      self.corrections + other.corrections, self.risk + other.risk)


@dataclass(frozen=True)
class Publication:
    """One snapshot published within the period, with its change table (None: first publication)."""

    id: str
    date: str
    previous: str | None
    table: ChangeTable | None

    @property
    def rows(self) -> tuple[ChangeRow, ...]:
        return self.table.rows if self.table else ()


@dataclass(frozen=True)
class Reassessment:
    last: _dt.date | None  # the last full re-assessment
    source: ReassessSource | None  # where ``last`` comes from
    due: _dt.date | None  # last + 5 years
    overdue: bool  # due before the period's end
    due_soon: bool  # due within one year after the period's end
    stale: bool  # published, but nothing published in the year before the period's end
    recent: int  # publications in the year before the period's end

    @property
    def flags(self) -> tuple[str, ...]:
        return tuple(f for f, on in ((FLAG_OVERDUE, self.overdue), (FLAG_DUE_SOON, self.due_soon), (FLAG_STALE, self.stale)) if on)


@dataclass(frozen=True)
class OutdatedUse:
    item: str  # item ref, e.g. "juki:II.6.1"
    label: str  # item key
    clause: str
    version: int
    latest: int
    location: str
    library: str = ""  # the clause library of the pinned version
    latest_library: str = ""  # … and of the latest version


@dataclass(frozen=True)
class LintCounts:
    errors: int = 0
    placeholders: int = 0  # open 【要記入…】 placeholders (lint code "placeholder")

    def __add__(self, other: LintCounts) -> LintCounts:
        return LintCounts(self.errors + other.errors, self.placeholders + other.placeholders)


@dataclass(frozen=True)
class AssessmentReport:
    name: str
    title: str
    form: str  # 全項目 / 重点 / 基礎
    has_draft: bool  # an assessment file exists (else only snapshots)
    snapshots: tuple[str, ...]  # ids of the snapshots dated up to the period's end
    last_published: str | None  # date of the last of them
    publications: tuple[Publication, ...]  # published within the period
    pending: ChangeTable | None  # draft vs the last snapshot (None: no draft or never published)
    reassessment: Reassessment
    outdated: tuple[OutdatedUse, ...]
    lint: LintCounts | None  # None when lint is not available or there is no assessment file
    jimu: str = ""  # meta.jimu: assessments with the same 事務名 belong to one 事務

    @property
    def published(self) -> bool:
        return self.last_published is not None

    @property
    def status(self) -> str:
        return "公表済" if self.published else UNPUBLISHED

    @property
    def rows(self) -> tuple[ChangeRow, ...]:
        return tuple(r for p in self.publications for r in p.rows)

    @property
    def counts(self) -> Counts:
        return Counts.of(self.rows)

    @property
    def pending_counts(self) -> Counts:
        return Counts.of(self.pending.rows if self.pending else ())

    @property
    def display_title(self) -> str:
        return self.title or self.name


@dataclass(frozen=True)
class Report:
    municipality: str
    period: Period
    assessments: tuple[AssessmentReport, ...]
    lint_available: bool
    other_lint: LintCounts  # lint findings outside any assessment file (clauses, hyoka.yaml)
    warnings: tuple[UserError, ...] = ()

    @property
    def title(self) -> str:
        return f"{self.municipality} 特定個人情報保護評価の実施状況報告"

    @property
    def counts(self) -> Counts:
        total = Counts()
        for a in self.assessments:
            total = total + a.counts
        return total

    @property
    def pending_counts(self) -> Counts:
        total = Counts()
        for a in self.assessments:
            total = total + a.pending_counts
        return total


# --------------------------------------------------------------------------- building


def _snapshot_only_names(snapshots_dir: Path, known: Iterable[str]) -> list[str]:
    if not snapshots_dir.is_dir():
        return []
    known = set(known)
    return sorted(d.name for d in snapshots_dir.iterdir() if d.is_dir() and d.name not in known and any(d.glob("*.json")))


def _table(old: ComposedAssessment, new: ComposedAssessment, from_label: str, to_label: str, start: int, date: str,
           warnings: list[UserError]) -> ChangeTable:
    from composer.revisions.diff import DiffOptions, between

    table, problems = between(old, new, from_label, to_label, DiffOptions(start=start, date=date))
    warnings.extend(problems)
    return table


def _reassessment(meta_date: str, meta_location: Location | None, snaps: list[Snapshot], period: Period) -> Reassessment:
    end = period.end
    last: _dt.date | None = None
    source: ReassessSource | None = None
    if meta_date:
        d = _date(meta_date, meta_location, "meta.reassessed")
        if d <= end:
            last, source = d, "meta"
    if last is None and snaps:
        first = _dt.date.fromisoformat(snaps[0].date)
        if first <= end:
            last, source = first, "first_publication"
    due = _add_years(last, REASSESS_YEARS) if last else None
    year_ago = _add_years(end, -1)
    recent = sum(year_ago < _dt.date.fromisoformat(s.date) <= end for s in snaps)
    published = any(_dt.date.fromisoformat(s.date) <= end for s in snaps)
    return Reassessment(
        last=last,
        source=source,
        due=due,
        overdue=due is not None and due < end,
        due_soon=due is not None and end <= due <= _add_years(end, 1),
        stale=published and recent == 0,
        recent=recent,
    )


def _lint(ws: Any, pairs: list[Any]) -> tuple[dict[str, LintCounts], LintCounts] | None:
    """Lint counts by assessment name, and those found elsewhere; None if lint is unavailable."""
    try:
        from composer.lint.engine import lint_workspace
    except ImportError:  # pragma: no cover - lint not installed
        return None
    findings = lint_workspace(ws, pairs)
    by_path = {Path(a.path).resolve(): a.name for a, _ in pairs}
    counts: dict[str, LintCounts] = {a.name: LintCounts() for a, _ in pairs}
    other = LintCounts()
    for f in findings:
        c = LintCounts(errors=int(f.severity == "error"), placeholders=int(f.code == "placeholder"))
        if c == LintCounts():
            continue
        name = None
        if f.location is not None:
            p = Path(f.location.file)
            for candidate in (p, ws.root / p) if not p.is_absolute() else (p,):
                name = by_path.get(candidate.resolve())
                if name:
                    break
        if name is None:
            other = other + c
        else:
            counts[name] = counts[name] + c
    return counts, other


def build_report(root: Path | None, start: _dt.date, end: _dt.date) -> Report:
    """The report for the period ``start``..``end`` (inclusive) over every assessment.

    Raises the composition errors of any assessment file (fix them with ``hyoka check``)
    and the error of any snapshot that fails its hash check.
    """
    from composer.api import clause_uses, compose_all
    from composer.load.workspace import load_workspace

    if start > end:
        raise UserError(f"the period starts after it ends ({start} > {end})", None, "swap --from and --to")
    period = Period(start, end)
    ws = load_workspace(root)

    # 1. compose every draft; an error in any stops the report (its numbers would be unknown)
    diag = Diagnostics()
    pairs = compose_all(ws, None, diag)
    diag.raise_if_errors()
    drafts = {a.name: (a, c) for a, c in pairs}

    # 2. every assessment: files first, then those that only have snapshots
    names = [a.name for a, _ in pairs]
    names += _snapshot_only_names(ws.snapshots_dir, names)

    # 3. workspace-wide facts
    uses = clause_uses(ws)
    linted = _lint(ws, pairs)
    warnings: list[UserError] = []

    out = []
    for name in names:
        snaps = [read_snapshot(p, ws.library) for p in list_snapshots(ws.snapshots_dir, name)]  # raises on a tampered one
        until_end = [s for s in snaps if _dt.date.fromisoformat(s.date) <= end]
        draft = drafts.get(name)

        publications = []
        number = 1
        for i, s in enumerate(snaps):
            if _dt.date.fromisoformat(s.date) not in period:
                continue
            if i == 0:
                publications.append(Publication(s.id, s.date, None, None))
                continue
            prev = snaps[i - 1]
            table = _table(prev.composed, s.composed, prev.id, s.id, number, s.date, warnings)
            number += len(table.rows)
            publications.append(Publication(s.id, s.date, prev.id, table))

        pending = None
        if draft is not None and snaps:
            pending = _table(snaps[-1].composed, draft[1], snaps[-1].id, DRAFT, 1, "", warnings)

        current = draft[1] if draft else snaps[-1].composed
        meta_location = Location.of(draft[0].path, key="meta.reassessed") if draft else Location.of(snaps[-1].path)
        reassessment = _reassessment(current.meta.reassessed, meta_location, snaps, period)
        outdated = tuple(
            OutdatedUse(u.item, u.label, u.clause, u.version, u.latest, str(u.location) if u.location else "",
                        u.library, u.latest_library)
            for u in uses if u.assessment == name and u.outdated
        )
        out.append(
            AssessmentReport(
                name=name,
                title=current.meta.title,
                form=current.form,
                has_draft=draft is not None,
                snapshots=tuple(s.id for s in until_end),
                last_published=until_end[-1].date if until_end else None,
                publications=tuple(publications),
                pending=pending,
                reassessment=reassessment,
                outdated=outdated,
                lint=linted[0].get(name, LintCounts()) if linted and draft else None,
                jimu=current.meta.jimu,
            )
        )
    return Report(
        municipality=ws.config.municipality,
        period=period,
        assessments=tuple(out),
        lint_available=linted is not None,
        other_lint=linted[1] if linted else LintCounts(),
        warnings=tuple(warnings),
    )


# --------------------------------------------------------------------------- the report as tables of text
#
# Every output format prints the same tables; they are computed once here.

REASSESS_NOTE = (
    "特定個人情報保護評価に関する規則第15条により、全項目評価の再実施は少なくとも5年ごとに行うよう努める。"
    "再評価の期限は、直近の全項目評価（再評価）の日から5年後とした。"
)
METHOD_NOTES = (
    "この報告の数値は、公表済みの評価書（hyoka publish のスナップショット）と作業領域の評価書ファイルから算出したものであり、手で入力したものはない。",
    "期間中の変更：期間内に公表された評価書ごとに、その直前の公表版との差分（変更点リスク評価表の行）を数えた。初回の公表は変更に数えない。",
    "重要な変更は提出時期が事前の行、修正は事後の行である。",
    f"{PENDING}：現在の評価書ファイル（案）と最後の公表版との差分であり、報告の作成時点のものである。",
)


@dataclass(frozen=True)
class TextTable:
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # relative column widths


def _wareki(d: str | _dt.date | None) -> str:
    from composer.dates import wareki

    if d is None:
        return ""
    return wareki(d.isoformat() if isinstance(d, _dt.date) else d)


def overview_table(report: Report) -> TextTable:
    rows = []
    for a in report.assessments:
        c = a.counts
        pending = str(a.pending_counts.total) if a.pending is not None else NONE
        rows.append((
            a.display_title, a.form, _wareki(a.last_published) if a.published else UNPUBLISHED,
            str(c.total), str(c.important), str(c.corrections), str(c.risk), pending,
        ))
    t = report.counts
    rows.append((TOTAL, "", "", str(t.total), str(t.important), str(t.corrections), str(t.risk), str(report.pending_counts.total)))
    return TextTable(
        "１．評価書の状況と期間中の変更",
        ("評価書", "様式", "最終公表日", "期間中の変更", "うち重要な変更（事前）", "うち修正（事後）", "リスク変化あり", PENDING),
        tuple(rows),
        (24, 7, 12, 9, 15, 11, 10, 12),
    )


def _last_reassessed(r: Reassessment) -> str:
    if r.last is None:
        return "不明"
    return _wareki(r.last) + ("（初回公表日）" if r.source == "first_publication" else "")


def reassessment_table(report: Report) -> TextTable:
    rows = []
    for a in report.assessments:
        r = a.reassessment
        status = "、".join(r.flags) or ("―" if a.published else UNPUBLISHED)
        if not a.published and r.flags:
            status = f"{UNPUBLISHED}、{status}"
        rows.append((a.display_title, _last_reassessed(r), _wareki(r.due) if r.due else "不明", str(r.recent), status))
    return TextTable(
        "２．再評価の時期",
        ("評価書", "直近の全項目評価（再評価）", "再評価の期限（5年）", "直近1年の公表", "状況"),
        tuple(rows),
        (30, 22, 16, 10, 22),
    )


def outdated_table(report: Report) -> TextTable:
    rows = []
    for a in report.assessments:
        if not a.has_draft:
            rows.append((a.display_title, NONE, "評価書ファイルなし（公表版のみ）"))
            continue
        detail = "\n".join(f"{u.item}　{u.clause} 第{u.version}版{_lib(u.library)}（最新 第{u.latest}版{_lib(u.latest_library)}）" for u in a.outdated)
        rows.append((a.display_title, str(len(a.outdated)), detail or "すべて最新版"))
    return TextTable("３．定型条項の更新状況（旧版の条項を使っている箇所）", ("評価書", "旧版の利用", "箇所"), tuple(rows), (30, 10, 60))


def lint_table(report: Report) -> TextTable:
    rows = []
    for a in report.assessments:
        if a.lint is None:  # lint unavailable, or no assessment file to lint
            rows.append((a.display_title, NONE, NONE))
        else:
            rows.append((a.display_title, str(a.lint.errors), str(a.lint.placeholders)))
    if report.lint_available and report.other_lint != LintCounts():
        rows.append(("条項・作業領域の設定", str(report.other_lint.errors), str(report.other_lint.placeholders)))
    return TextTable("４．点検（hyoka lint）で見つかった未解決の問題", ("評価書", "エラー", "未記入の箇所（【要記入】）"), tuple(rows), (50, 25, 25))


FORM_ORDER = {"基礎項目": 0, "重点項目": 1, "全項目": 2}


def by_jimu(report: Report) -> list[tuple[str, list[AssessmentReport]]]:
    """The assessments grouped by 事務 (same ``meta.jimu``, width and blanks ignored), in report order."""
    from composer.threshold import normalize_jimu

    groups: dict[str, tuple[str, list[AssessmentReport]]] = {}
    for a in report.assessments:
        key = normalize_jimu(a.jimu) or f"\0{a.name}"
        groups.setdefault(key, (a.jimu if normalize_jimu(a.jimu) else "", []))[1].append(a)
    return [(label, sorted(members, key=lambda m: FORM_ORDER.get(m.form, 9))) for label, members in groups.values()]


def _redo(a: AssessmentReport) -> str:
    """Whether the 評価 must be redone (and submitted before the change) for a 重要な変更."""
    important = a.pending_counts.important if a.pending is not None else 0
    if important:
        return f"重要な変更 {important}件：変更前に再評価・提出（事前）"
    return "―"


def jimu_table(report: Report) -> TextTable:
    rows = []
    for label, members in by_jimu(report):
        for i, a in enumerate(members):
            r = a.reassessment
            rows.append((
                (label or a.display_title) if i == 0 else "",
                f"{a.form}評価書" if a.form in FORM_ORDER else a.form,
                _wareki(a.last_published) if a.published else UNPUBLISHED,
                (_wareki(r.due) if r.due else "不明") + ("（期限超過）" if r.overdue else ""),
                _redo(a),
            ))
    return TextTable(
        "５．事務ごとの評価書",
        ("事務", "評価書", "最終公表日", "再評価の期限（5年）", "重要な変更による再評価"),
        tuple(rows),
        (26, 16, 14, 18, 26),
    )


def sections(report: Report) -> list[TextTable]:
    return [overview_table(report), reassessment_table(report), outdated_table(report), lint_table(report), jimu_table(report)]


@dataclass(frozen=True)
class AppendixPart:
    caption: str
    table: ChangeTable | None  # None: nothing to tabulate (caption says why)
    pending: bool = False


def appendix(a: AssessmentReport) -> list[AppendixPart]:
    """Captioned change tables of one assessment: each publication in the period, then the draft."""
    parts = []
    for p in a.publications:
        if p.table is None:
            parts.append(AppendixPart(f"{_wareki(p.date)} 公表（初回の公表のため変更点の表はない）", None))
        else:
            parts.append(AppendixPart(f"{_wareki(p.date)} 公表（{p.previous} → {p.id}）　{len(p.rows)}件", p.table))
    if not a.publications:
        parts.append(AppendixPart("期間中の公表はない。", None))
    if a.pending is not None:
        parts.append(AppendixPart(f"【{PENDING}】（{a.pending.from_label} → 現在の案）　{len(a.pending.rows)}件", a.pending, pending=True))
    elif not a.published:
        parts.append(AppendixPart(f"{UNPUBLISHED}のため、変更点の表はない。", None))
    return parts


APPENDIX_TITLE = "付録　変更点リスク評価表"


# --------------------------------------------------------------------------- JSON


def to_dict(report: Report) -> dict[str, Any]:
    def counts(c: Counts) -> dict[str, int]:
        return {"total": c.total, "important": c.important, "corrections": c.corrections, "risk": c.risk}

    def assessment(a: AssessmentReport) -> dict[str, Any]:
        r = a.reassessment
        return {
            "name": a.name,
            "title": a.title,
            "form": a.form,
            "status": a.status,
            "has_draft": a.has_draft,
            "snapshots": list(a.snapshots),
            "last_published": a.last_published,
            "changes": counts(a.counts),
            "pending": counts(a.pending_counts) if a.pending is not None else None,
            "reassessment": {
                "last": r.last.isoformat() if r.last else None,
                "source": r.source,
                "due": r.due.isoformat() if r.due else None,
                "recent_publications": r.recent,
                "flags": list(r.flags),
            },
            "outdated": [{"item": u.item, "clause": u.clause, "version": u.version, "latest": u.latest, "location": u.location,
                          "library": u.library, "latest_library": u.latest_library}
                         for u in a.outdated],
            "lint": {"errors": a.lint.errors, "placeholders": a.lint.placeholders} if a.lint is not None else None,
            "publications": [
                {"id": p.id, "date": p.date, "previous": p.previous, "rows": [row.to_json() for row in p.rows]}
                for p in a.publications
            ],
            "pending_rows": [row.to_json() for row in a.pending.rows] if a.pending is not None else None,
            "jimu": a.jimu,
        }

    return {
        "municipality": report.municipality,
        "period": {"start": report.period.start.isoformat(), "end": report.period.end.isoformat(),
                   "fiscal_year": report.period.fiscal_year},
        "assessments": [assessment(a) for a in report.assessments],
        "totals": {"changes": counts(report.counts), "pending": counts(report.pending_counts)},
        "lint_available": report.lint_available,
        "other_lint": {"errors": report.other_lint.errors, "placeholders": report.other_lint.placeholders},
        "jimu": [
            {"jimu": label, "forms": [
                {"assessment": a.name, "form": a.form, "published": a.last_published,
                 "reassessment_due": a.reassessment.due.isoformat() if a.reassessment.due else None,
                 "important_pending": a.pending_counts.important if a.pending is not None else 0}
                for a in members]}
            for label, members in by_jimu(report)
        ],
    }


def to_json(report: Report) -> str:
    return json.dumps(to_dict(report), ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------- Markdown and HTML


def _md_table(headers: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    from composer.documents.tables import md_cell

    headers = list(headers)
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in rows]
    return out


def to_markdown(report: Report) -> str:
    from composer.documents.tables import cells, columns

    out = [f"# {report.title}", "", f"対象期間：{report.period.label}", ""]
    for t in sections(report):
        out += [f"## {t.caption}", "", *_md_table(t.headers, t.rows), ""]
        if t.caption.startswith("２"):
            out += [REASSESS_NOTE, ""]
    out += ["## 集計の方法", "", *(f"- {n}" for n in METHOD_NOTES), ""]
    out += [f"## {APPENDIX_TITLE}", ""]
    for a in report.assessments:
        out += [f"### {a.display_title}", ""]
        for part in appendix(a):
            out += [f"**{part.caption}**", ""]
            if part.table is not None:
                out += [*_md_table(columns(False), (cells(r, False) for r in part.table.rows)), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _html_table(headers: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "\n".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>"


def to_html(report: Report) -> str:
    from composer.documents.tables import cells, columns

    parts = [f"<h1>{escape(report.title)}</h1>", f"<p>対象期間：{escape(report.period.label)}</p>"]
    for t in sections(report):
        parts += [f"<h2>{escape(t.caption)}</h2>", _html_table(t.headers, t.rows)]
        if t.caption.startswith("２"):
            parts.append(f'<p class="note">{escape(REASSESS_NOTE)}</p>')
    parts += ["<h2>集計の方法</h2>", "<ul>" + "".join(f"<li>{escape(n)}</li>" for n in METHOD_NOTES) + "</ul>"]
    parts.append(f"<h2>{escape(APPENDIX_TITLE)}</h2>")
    for a in report.assessments:
        parts.append(f"<h3>{escape(a.display_title)}</h3>")
        for part in appendix(a):
            cls = ' class="pending"' if part.pending else ""
            parts.append(f"<p{cls}><strong>{escape(part.caption)}</strong></p>")
            if part.table is not None:
                parts.append(_html_table(columns(False), (cells(r, False) for r in part.table.rows)))
    return (
        '<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8">'
        f"<title>{escape(report.title)}</title><style>"
        "body{font-family:'Noto Sans CJK JP',sans-serif}table{border-collapse:collapse;margin-bottom:1em}"
        "th,td{border:1px solid #444;padding:.3em;vertical-align:top;white-space:pre-wrap}th{background:#eee}"
        ".pending{color:#a00}.note{font-size:90%}"
        "</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n"
    )


# --------------------------------------------------------------------------- Word


def report_xml(report: Report, styles: dict[str, str], text_width: int) -> str:
    """The report's body as WordprocessingML (the docx writer's tables and styles)."""
    from composer.documents.tables import RISK_COLUMNS, document_cells
    from composer.writers.docx import Xml, column_widths

    x = Xml(styles)
    out = [x.p("title", report.title), x.p("normal", f"対象期間：{report.period.label}")]

    def table(t: TextTable) -> str:
        widths = column_widths(text_width, zip(t.headers, t.widths))
        head = x.row("".join(x.cell(w, x.p("header", h), shade=True) for w, h in zip(widths, t.headers)), header=True)
        rows = []
        for row in t.rows:
            total = row[0] == TOTAL  # the 合計 row reads like the header
            rows.append(x.row("".join(x.cell(w, x.paras("header" if total else "body", v), shade=total) for w, v in zip(widths, row))))
        return x.table(widths, [head, *rows])

    for t in sections(report):
        out += [x.p("h2", t.caption), table(t)]
        if t.caption.startswith("２"):
            out.append(x.p("small", REASSESS_NOTE))
    out.append(x.p("h2", "集計の方法"))
    out += [x.p("small", f"・{n}") for n in METHOD_NOTES]

    out.append(x.p("h1", APPENDIX_TITLE))
    widths = column_widths(text_width, RISK_COLUMNS)
    head = x.row("".join(x.cell(w, x.p("header", name), shade=True) for w, (name, _) in zip(widths, RISK_COLUMNS)), header=True)
    for a in report.assessments:
        out.append(x.p("h2", a.display_title))
        for part in appendix(a):
            out.append(x.p("label", part.caption))
            if part.table is not None:
                rows = [x.row("".join(x.cell(w, x.paras("body", v)) for w, v in zip(widths, document_cells(r, part.table, False)))) for r in part.table.rows]
                out.append(x.table(widths, [head, *rows]))
    out.append(x.p("normal"))
    return "".join(out)


def write_docx(report: Report, path: Path, reference: Path | None = None) -> None:
    """The report as .docx (A4 landscape: the appendix tables are 8 columns wide), atomically."""
    from composer.writers.docx import write_document

    write_document(path, report.title, lambda styles, width: report_xml(report, styles, width), reference, landscape=True)


# --------------------------------------------------------------------------- Excel


def write_xlsx(report: Report, path: Path) -> None:
    """The report as .xlsx: one sheet per section and one for the appendix, atomically."""
    import io

    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from composer.load.yamlio import atomic_write
    from composer.writers.xlsx import cell_styles, excel_columns, fit_row_heights, print_setup

    st = cell_styles()
    body_font, bold_font, title_font, wrap, border, fill = st.body, st.bold, st.title, st.wrap, st.border, st.fill
    XLSX_RISK_COLUMNS = excel_columns()

    wb = Workbook()
    wb.remove(wb.active)

    def sheet(name: str, caption: str, headers: list[tuple[str, float]], rows: list[list[object]], notes: Iterable[str] = ()) -> None:
        ws = wb.create_sheet(name)
        ws.cell(row=1, column=1, value=caption).font = title_font
        ws.cell(row=2, column=1, value=f"{report.title}　対象期間：{report.period.label}").font = body_font
        for col, (h, width) in enumerate(headers, 1):
            cell = ws.cell(row=3, column=col, value=h)
            cell.font, cell.alignment, cell.border, cell.fill = bold_font, wrap, border, fill
            ws.column_dimensions[get_column_letter(col)].width = width
        r = 3
        for r, row in enumerate(rows, 4):
            for col, value in enumerate(row, 1):
                cell = ws.cell(row=r, column=col, value=value.strip("\n") if isinstance(value, str) else value)
                cell.font, cell.alignment, cell.border = body_font, wrap, border
        for note in notes:
            r += 1
            ws.cell(row=r + 1, column=1, value=note).font = body_font
        fit_row_heights(ws, first_row=3)
        print_setup(ws, header_row=3)

    def number(text: str) -> object:
        return int(text) if text.isdigit() else text

    names = ("概要", "再評価", "定型条項", "点検", "事務")
    for name, t in zip(names, sections(report)):
        scale = 120 / sum(t.widths)
        notes = (REASSESS_NOTE,) if name == "再評価" else METHOD_NOTES if name == "概要" else ()
        sheet(name, t.caption, [(h, w * scale) for h, w in zip(t.headers, t.widths)],
              [[number(c) for c in row] for row in t.rows], notes)

    rows: list[list[object]] = []
    for a in report.assessments:
        for part in appendix(a):
            if part.table is None:
                rows.append([a.display_title, part.caption, *([""] * len(XLSX_RISK_COLUMNS))])
                continue
            for r in part.table.rows:
                section = r.section + (" ※" if r.important else "")
                rows.append([a.display_title, part.caption, r.no, section, r.before, r.after, r.reason,
                             r.risk_change or "なし", r.risk_situation, r.countermeasure])
    sheet("変更点", APPENDIX_TITLE, [("評価書", 20), ("公表", 24), *XLSX_RISK_COLUMNS], rows)

    buffer = io.BytesIO()
    wb.save(buffer)
    atomic_write(Path(path), buffer.getvalue())


# --------------------------------------------------------------------------- entry points


def render_report(report: Report, fmt: str) -> str:
    """The report as text (md, html, json)."""
    writers = {"md": to_markdown, "html": to_html, "json": to_json}
    if fmt not in writers:
        raise UserError(f"format '{fmt}' is written to a file", None, "pass -o FILE")
    return writers[fmt](report)


def write_report(report: Report, fmt: str, path: Path, reference: Path | None = None) -> None:
    """Write the report to ``path`` in ``fmt``, atomically."""
    from composer.load.yamlio import atomic_write

    if fmt == "docx":
        write_docx(report, path, reference)
    elif fmt == "xlsx":
        write_xlsx(report, path)
    elif fmt in TEXT_FORMATS:
        atomic_write(Path(path), render_report(report, fmt))
    else:
        raise UserError(f"unknown format '{fmt}'", None, f"use one of: {', '.join(FORMATS)}")


__all__ = [
    "AssessmentReport",
    "Counts",
    "LintCounts",
    "OutdatedUse",
    "Period",
    "Publication",
    "Reassessment",
    "Report",
    "build_report",
    "fiscal_year",
    "fiscal_year_of",
    "render_report",
    "write_report",
]


def _lib(name: str) -> str:
    """A clause library's name as the report shows it after a version: 「［asp-texts］」."""
    return f"［{name}］" if name else ""
