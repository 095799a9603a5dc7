"""Stage 9: the yearly report to the 審議会 — every assessment's state and changes in one document.

Ordinances such as 文京区 第九条2 and 目黒区 第14条 have the 実施機関 report the state of its
personal-information handling to the 審議会 once a year. :func:`build_report` gathers, for
every assessment of the workspace (assessment files, and assessments that only have
snapshots), the numbers that report needs; :func:`report_document` lays it out as a
neutral document, which :mod:`composer.writers` print as Markdown, HTML, JSON, Word or
Excel. Nothing in the report is typed by hand: every number comes from the published
snapshots, the assessment files, the clause library and lint.

Each assessment file is loaded, composed and linted once, and let go as soon as its own
numbers are taken; its snapshots are read then. What the report keeps of an assessment is
its numbers: its change tables (the appendix, most of the report's text) wait in a
temporary file, the report's :class:`~composer.spool.Spool`, and come back one assessment
at a time while the document is written. So the report's memory does not grow with what
it prints.

* changes in the period: the rows of the diffs between consecutive snapshots whose
  later snapshot is dated within the period (a first publication has no diff);
* 未公表の変更: the rows of the current draft against the last snapshot;
* re-assessment: the last full re-assessment (``meta.reassessed``, else the first
  publication), its 5-year due date (規則第15条) and whether anything was published in
  the year before the period's end;
* stock-clause currency (:mod:`composer.revisions.uses`) and open lint findings.

Every snapshot is read and verified: a tampered snapshot stops the report (a report
must not silently omit a department). An assessment never published is 「未公表」.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from composer.errors import HyokaError, Location, UserError
from composer.i18n import View, _
from composer.model import ChangeRow, ChangeTable, ComposedAssessment
from composer.revisions.snapshot import DRAFT, Snapshot, list_snapshots, read_snapshot
from composer.spool import Spool, Spooled, SpooledList
from composer.writers.model import Block, Bullets, Cell, Column, Document, Heading, Paragraph, Row, Sheet, Table

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
        raise UserError(_("fiscal year {year} is out of range", year=year), None,
                        _("give a year from {first} to {last}, e.g. --year 2025", first=FIRST_YEAR, last=LAST_YEAR))
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
    """One snapshot published within the period, with its change table (None: first publication).

    The table waits in the report's spool (:attr:`stored`); :attr:`table` reads it back.
    """

    id: str
    date: str
    previous: str | None
    stored: Spooled | None
    counts: Counts = Counts()

    @property
    def table(self) -> ChangeTable | None:
        return self.stored.load() if self.stored is not None else None

    @property
    def rows(self) -> tuple[ChangeRow, ...]:
        table = self.table
        return table.rows if table else ()


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
    pending_stored: Spooled | None  # draft vs the last snapshot (None: no draft or never published)
    pending_from: str  # the snapshot the draft is compared with ("" without a pending table)
    pending_counts: Counts
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
        return sum((p.counts for p in self.publications), Counts())

    @property
    def has_pending(self) -> bool:
        return self.pending_stored is not None

    @property
    def pending(self) -> ChangeTable | None:
        """The draft's changes since the last publication (read back from the report's spool)."""
        return self.pending_stored.load() if self.pending_stored is not None else None

    @property
    def display_title(self) -> str:
        return self.title or self.name


@dataclass(frozen=True)
class Report:
    municipality: str
    period: Period
    assessments: Sequence[AssessmentReport]  # in the report's spool (read back one at a time)
    lint_available: bool
    other_lint: LintCounts  # lint findings outside any assessment file (clauses, hyoka.yaml)
    warnings: tuple[UserError, ...] = ()
    counts: Counts = Counts()  # the changes in the period, over every assessment
    pending_counts: Counts = Counts()  # the drafts' changes since their last publication, over every assessment
    spool: Spool | None = field(default=None, compare=False, repr=False)  # where the change tables wait

    def close(self) -> None:
        """Remove the report's temporary file: its assessments and change tables cannot be read afterwards."""
        if self.spool is not None:
            self.spool.close()

    def __enter__(self) -> Report:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def title(self) -> str:
        return f"{self.municipality} 特定個人情報保護評価の実施状況報告"


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


class _LintCounter:
    """Lint counts: each assessment's own as it is linted, and the others where they belong (none kept)."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.other = LintCounts()  # found outside any assessment file (clauses, hyoka.yaml)
        self.late: dict[str, LintCounts] = {}  # found in an assessment file after it was counted
        self._of_file: dict[str, str | None] = {}  # a location's file, as written -> its assessment's name

    def own(self, a: Any, findings: Iterable[UserError]) -> LintCounts:
        """The counts of the findings in ``a``'s own file; the others are counted where they belong."""
        own, path = LintCounts(), str(a.path)
        for f, c in _counted(findings):
            if f.location is not None and f.location.file == path:
                own = own + c
            else:
                self._elsewhere(f, c)
        return own

    def add(self, findings: Iterable[UserError]) -> None:
        """Count findings made outside any one assessment's lint (settings, clauses, workspace rules)."""
        for f, c in _counted(findings):
            self._elsewhere(f, c)

    def _elsewhere(self, f: UserError, c: LintCounts) -> None:
        name = self._name_of(f.location.file) if f.location is not None else None
        if name is None:
            self.other = self.other + c
        else:
            self.late[name] = self.late.get(name, LintCounts()) + c

    def _name_of(self, file: str) -> str | None:
        """The assessment whose file ``file`` is (None: not an assessment file)."""
        if file not in self._of_file:
            p = Path(file)
            resolved = {c.resolve() for c in ((p,) if p.is_absolute() else (p, self.ws.root / p))}
            try:
                name = p.stem if self.ws.assessment_path(p.stem) in resolved else None
            except UserError:
                name = None
            self._of_file[file] = name
        return self._of_file[file]


def _counted(findings: Iterable[UserError]) -> Iterator[tuple[UserError, LintCounts]]:
    """The findings that count (errors, open placeholders), each with its count."""
    for f in findings:
        c = LintCounts(errors=int(f.severity == "error"), placeholders=int(f.code == "placeholder"))
        if c != LintCounts():
            yield f, c


def build_report(root: Path | None, start: _dt.date, end: _dt.date) -> Report:
    """The report for the period ``start``..``end`` (inclusive) over every assessment.

    Raises the composition errors of any assessment file (fix them with ``hyoka check``)
    and the error of any snapshot that fails its hash check.

    The assessments stream: each draft is loaded and composed once, its numbers are taken
    (and its snapshots read) while lint looks at it, and then only the numbers are kept;
    its change tables wait in a temporary file (the report's spool) until the report is
    written. Close the report (or use it as a context manager) to remove that file sooner
    than the end of the process.
    """
    from composer.compose.stream import ErrorsOnly, compose_each
    from composer.lint.engine import Linter
    from composer.load.workspace import load_workspace
    from composer.revisions.uses import uses_of

    if start > end:
        raise UserError(_("the period starts after it ends ({start} > {end})", start=start, end=end), None, _("swap --from and --to"))
    period = Period(start, end)
    ws = load_workspace(root)
    diag = ErrorsOnly()  # the drafts' errors stop the report; their warnings are check's to print
    warnings: list[UserError] = []
    spool = Spool()
    out: SpooledList[AssessmentReport] = SpooledList(spool)
    counts = pending = Counts()  # the period's changes and the pending ones, summed as the assessments are kept

    def keep(r: AssessmentReport) -> None:
        nonlocal counts, pending
        out.append(r)
        counts, pending = counts + r.counts, pending + r.pending_counts

    deferred: list[HyokaError] = []  # a tampered snapshot: raised after the drafts' own errors
    linter = Linter(ws, fixes=False)
    lint = _LintCounter(ws)
    try:
        lint.add(linter.start())
        for a, composed in compose_each(ws, None, diag):
            own = lint.own(a, linter.add(a, composed))
            if not deferred:
                try:
                    outdated = [u for u in uses_of(ws, a) if u.outdated]
                    keep(replace(_assessment_report(ws, a.name, (a, composed), outdated, period, warnings, spool), lint=own))
                except HyokaError as exc:
                    deferred.append(exc)
        lint.add(linter.finish()[0])
        diag.raise_if_errors()  # an error in any draft stops the report (its numbers would be unknown)
        if deferred:
            raise deferred[0]
        if lint.late:  # findings of the workspace rules in assessment files counted already
            for i, r in enumerate(out):
                if r.name in lint.late:
                    out[i] = replace(r, lint=(r.lint or LintCounts()) + lint.late[r.name])
        for name in _snapshot_only_names(ws.snapshots_dir, ws.assessment_names()):
            keep(_assessment_report(ws, name, None, [], period, warnings, spool))
    except BaseException:
        spool.close()
        raise
    return Report(
        municipality=ws.config.municipality,
        period=period,
        assessments=out,
        lint_available=True,
        other_lint=lint.other,
        warnings=tuple(warnings),
        counts=counts,
        pending_counts=pending,
        spool=spool,
    )


def _assessment_report(ws: Any, name: str, draft: tuple[Any, ComposedAssessment] | None, outdated_uses: list[Any],
                       period: Period, warnings: list[UserError], spool: Spool) -> AssessmentReport:
    """One assessment's numbers: its publications in the period, the pending changes, 再評価, outdated pins."""
    end = period.end
    snaps = [read_snapshot(p, ws.library) for p in list_snapshots(ws.snapshots_dir, name)]  # raises on a tampered one
    until_end = [s for s in snaps if _dt.date.fromisoformat(s.date) <= end]
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
        publications.append(Publication(s.id, s.date, prev.id, spool.append(table), Counts.of(table.rows)))

    pending, pending_counts = None, Counts()
    if draft is not None and snaps:
        table = _table(snaps[-1].composed, draft[1], snaps[-1].id, DRAFT, 1, "", warnings)
        pending, pending_counts = spool.append(table), Counts.of(table.rows)

    current = draft[1] if draft else snaps[-1].composed
    meta_location = Location.of(draft[0].path, key="meta.reassessed") if draft else Location.of(snaps[-1].path)
    reassessment = _reassessment(current.meta.reassessed, meta_location, snaps, period)
    outdated = tuple(
        OutdatedUse(u.item, u.label, u.clause, u.version, u.latest, u.location.shown(View(root=ws.root)) if u.location else "",
                    u.library, u.latest_library)
        for u in outdated_uses
    )
    return AssessmentReport(
        name=name,
        title=current.meta.title,
        form=current.form,
        has_draft=draft is not None,
        snapshots=tuple(s.id for s in until_end),
        last_published=until_end[-1].date if until_end else None,
        publications=tuple(publications),
        pending_stored=pending,
        pending_from=snaps[-1].id if pending is not None else "",
        pending_counts=pending_counts,
        reassessment=reassessment,
        outdated=outdated,
        lint=None,
        jimu=current.meta.jimu,
    )


# --------------------------------------------------------------------------- the report as tables of text
#
# Every output format prints the same tables; they are computed once here.

REASSESS_NOTE = (
    "特定個人情報保護評価に関する規則第15条により、全項目評価の再実施は少なくとも5年ごとに行うよう努める。"
    "再評価の期限は、直近の全項目評価（再評価）の日から5年後とした。"
)
METHOD_NOTES = (
    "この報告の数値は、公表版（hyoka publish で記録した評価書）と作業フォルダの評価書ファイルから算出したものであり、手で入力したものはない。",
    "期間中の変更：期間内に公表された評価書ごとに、その直前の公表版との差分（変更点リスク評価表の行）を数えた。初回の公表は変更に数えない。",
    "重要な変更は提出時期が事前の行、修正は事後の行である。",
    f"{PENDING}：現在の評価書ファイル（案）と最後の公表版との差分であり、報告の作成時点のものである。",
)


@dataclass(frozen=True)
class TextTable:
    """One of the report's tables as text; its rows are made as they are read (a row per assessment)."""

    caption: str
    headers: tuple[str, ...]
    rows: Iterable[tuple[str, ...]]
    widths: tuple[float, ...]  # relative column widths


def _wareki(d: str | _dt.date | None) -> str:
    from composer.dates import wareki

    if d is None:
        return ""
    return wareki(d.isoformat() if isinstance(d, _dt.date) else d)


def overview_table(report: Report) -> TextTable:
    def rows() -> Iterator[tuple[str, ...]]:
        for a in report.assessments:
            c = a.counts
            pending = str(a.pending_counts.total) if a.has_pending else NONE
            yield (
                a.display_title, a.form, _wareki(a.last_published) if a.published else UNPUBLISHED,
                str(c.total), str(c.important), str(c.corrections), str(c.risk), pending,
            )
        t = report.counts
        yield (TOTAL, "", "", str(t.total), str(t.important), str(t.corrections), str(t.risk), str(report.pending_counts.total))

    return TextTable(
        "１．評価書の状況と期間中の変更",
        ("評価書", "様式", "最終公表日", "期間中の変更", "うち重要な変更（事前）", "うち修正（事後）", "リスク変化あり", PENDING),
        rows(),
        (24, 7, 12, 9, 15, 11, 10, 12),
    )


def _last_reassessed(r: Reassessment) -> str:
    if r.last is None:
        return "不明"
    return _wareki(r.last) + ("（初回公表日）" if r.source == "first_publication" else "")


def reassessment_table(report: Report) -> TextTable:
    def rows() -> Iterator[tuple[str, ...]]:
        for a in report.assessments:
            r = a.reassessment
            status = "、".join(r.flags) or ("―" if a.published else UNPUBLISHED)
            if not a.published and r.flags:
                status = f"{UNPUBLISHED}、{status}"
            yield (a.display_title, _last_reassessed(r), _wareki(r.due) if r.due else "不明", str(r.recent), status)

    return TextTable(
        "２．再評価の時期",
        ("評価書", "直近の全項目評価（再評価）", "再評価の期限（5年）", "直近1年の公表", "状況"),
        rows(),
        (30, 22, 16, 10, 22),
    )


def outdated_table(report: Report) -> TextTable:
    def rows() -> Iterator[tuple[str, ...]]:
        for a in report.assessments:
            if not a.has_draft:
                yield (a.display_title, NONE, "評価書ファイルなし（公表版のみ）")
                continue
            detail = "\n".join(f"{u.item}　{u.clause} 第{u.version}版{_lib(u.library)}（最新 第{u.latest}版{_lib(u.latest_library)}）" for u in a.outdated)
            yield (a.display_title, str(len(a.outdated)), detail or "すべて最新版")

    return TextTable("３．定型条項の更新状況（旧版の条項を使っている箇所）", ("評価書", "旧版の利用", "箇所"), rows(), (30, 10, 60))


def lint_table(report: Report) -> TextTable:
    def rows() -> Iterator[tuple[str, ...]]:
        for a in report.assessments:
            if a.lint is None:  # lint unavailable, or no assessment file to lint
                yield (a.display_title, NONE, NONE)
            else:
                yield (a.display_title, str(a.lint.errors), str(a.lint.placeholders))
        if report.lint_available and report.other_lint != LintCounts():
            yield ("定型文・作業フォルダの設定", str(report.other_lint.errors), str(report.other_lint.placeholders))

    return TextTable("４．点検（hyoka lint）で見つかった未解決の問題", ("評価書", "エラー", "未記入の箇所（【要記入】）"), rows(), (50, 25, 25))


FORM_ORDER = {"基礎項目": 0, "重点項目": 1, "全項目": 2}


def by_jimu(report: Report) -> Iterator[tuple[str, Iterator[AssessmentReport]]]:
    """The assessments grouped by 事務 (same ``meta.jimu``, width and blanks ignored), in report order;
    within a 事務, by form (基礎項目, 重点項目, 全項目).

    Each assessment is read back when its turn comes: the grouping keeps its form's place and
    its own (a 事務 of many assessments is never held whole).
    """
    for label, members in _jimu_groups(report).values():
        yield label, (report.assessments[i] for _, i in sorted(members))


def _jimu_groups(report: Report) -> dict[str, tuple[str, list[tuple[int, int]]]]:
    """事務 key -> (its label, the (form's place, assessment's place) of each of its assessments)."""
    from composer.threshold import normalize_jimu

    groups: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    for i, a in enumerate(report.assessments):
        key = normalize_jimu(a.jimu) or f"\0{a.name}"
        groups.setdefault(key, (a.jimu if normalize_jimu(a.jimu) else "", []))[1].append((FORM_ORDER.get(a.form, 9), i))
    return groups


def _redo(a: AssessmentReport) -> str:
    """Whether the 評価 must be redone (and submitted before the change) for a 重要な変更."""
    important = a.pending_counts.important if a.has_pending else 0
    if important:
        return f"重要な変更 {important}件：変更前に再評価・提出（事前）"
    return "―"


def jimu_table(report: Report) -> TextTable:
    def rows() -> Iterator[tuple[str, ...]]:
        for label, members in by_jimu(report):
            for i, a in enumerate(members):
                r = a.reassessment
                yield (
                    (label or a.display_title) if i == 0 else "",
                    f"{a.form}評価書" if a.form in FORM_ORDER else a.form,
                    _wareki(a.last_published) if a.published else UNPUBLISHED,
                    (_wareki(r.due) if r.due else "不明") + ("（期限超過）" if r.overdue else ""),
                    _redo(a),
                )

    return TextTable(
        "５．事務ごとの評価書",
        ("事務", "評価書", "最終公表日", "再評価の期限（5年）", "重要な変更による再評価"),
        rows(),
        (26, 16, 14, 18, 26),
    )


SECTIONS = (overview_table, reassessment_table, outdated_table, lint_table, jimu_table)


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
            parts.append(AppendixPart(f"{_wareki(p.date)} 公表（{p.previous} → {p.id}）　{p.counts.total}件", p.table))
    if not a.publications:
        parts.append(AppendixPart("期間中の公表はない。", None))
    if a.has_pending:
        parts.append(AppendixPart(f"【{PENDING}】（{a.pending_from} → 現在の案）　{a.pending_counts.total}件", a.pending, pending=True))
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
        pending = a.pending
        return {
            "name": a.name,
            "title": a.title,
            "form": a.form,
            "status": a.status,
            "has_draft": a.has_draft,
            "snapshots": list(a.snapshots),
            "last_published": a.last_published,
            "changes": counts(a.counts),
            "pending": counts(a.pending_counts) if a.has_pending else None,
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
            "pending_rows": [row.to_json() for row in pending.rows] if pending is not None else None,
            "jimu": a.jimu,
        }

    return {
        "municipality": report.municipality,
        "period": {"start": report.period.start.isoformat(), "end": report.period.end.isoformat(),
                   "fiscal_year": report.period.fiscal_year},
        "assessments": (assessment(a) for a in report.assessments),  # one at a time: each reads its tables back
        "totals": {"changes": counts(report.counts), "pending": counts(report.pending_counts)},
        "lint_available": report.lint_available,
        "other_lint": {"errors": report.other_lint.errors, "placeholders": report.other_lint.placeholders},
        "jimu": (  # a 事務 at a time
            {"jimu": label, "forms": [
                {"assessment": a.name, "form": a.form, "published": a.last_published,
                 "reassessment_due": a.reassessment.due.isoformat() if a.reassessment.due else None,
                 "important_pending": a.pending_counts.important if a.has_pending else 0}
                for a in members]}
            for label, members in by_jimu(report)
        ),
    }


# --------------------------------------------------------------------------- the report as a document


def _cell(text: str, total: bool = False) -> Cell:
    value: str | int = int(text) if text.isascii() and text.isdigit() else text  # a count stays a number (Excel)
    return Cell(value, style="header", shade=True) if total else Cell(value)


def _section_table(report: Report, t: TextTable, sheet: str) -> Table:
    rows = (Row(tuple(_cell(v, row[0] == TOTAL) for v in row)) for row in t.rows)  # the 合計 row reads like the header
    notes = (REASSESS_NOTE,) if sheet == "再評価" else METHOD_NOTES if sheet == "概要" else ()
    lead = (f"{report.title}　対象期間：{report.period.label}",)
    return Table(tuple(Column(h, w) for h, w in zip(t.headers, t.widths)), rows, chars=120,
                 sheet=Sheet(sheet, caption=t.caption, lead=lead, notes=notes))


def _change_rows(table: ChangeTable, printed: bool) -> list[list[object]]:
    from composer.documents.tables import cells, document_cells

    out: list[list[object]] = []
    for r in table.rows:
        values: list[object] = list(document_cells(r, table, False) if printed else cells(r, False))
        if printed:
            values[0] = r.no
        out.append(values)
    return out


SHEETS = ("概要", "再評価", "定型条項", "点検", "事務")


def report_document(report: Report, fmt: str = "md") -> Document:
    """The report as a document for ``fmt``: the five tables, how they were counted, then per
    assessment its change tables. Word and Excel print the rows as the 様式 does; a workbook
    has one sheet per table and the change tables on one sheet, one line per change.

    The document is read once, as it is written: its change tables come back from the
    report's spool one assessment at a time (the writers hold one block, or one row, at once).
    """
    from composer.documents.tables import RISK_COLUMNS

    printed = fmt in ("docx", "xlsx")
    risk_columns = tuple(Column(n, w) for n, w in RISK_COLUMNS)
    period = f"対象期間：{report.period.label}"
    if fmt == "xlsx":
        def changes() -> Iterator[Row]:
            for a in report.assessments:
                for part in appendix(a):
                    if part.table is None:
                        yield Row(tuple(Cell(v) for v in (a.display_title, part.caption, *([""] * len(RISK_COLUMNS)))))
                        continue
                    for values in _change_rows(part.table, printed):
                        yield Row(tuple(Cell(v) for v in (a.display_title, part.caption, *values)))  # type: ignore[arg-type]

        columns = (Column("評価書", 20 / 2.2), Column("公表", 24 / 2.2), *risk_columns)  # 2.2 characters a unit
        tables = (*(_section_table(report, make(report), name) for name, make in zip(SHEETS, SECTIONS)),
                  Table(columns, changes(), sheet=Sheet("変更点", caption=APPENDIX_TITLE, lead=(f"{report.title}　{period}",))))
        return Document(report.title, tables, landscape=True, data=to_dict(report))

    def blocks() -> Iterator[Block]:
        yield Heading(report.title, 0)
        yield Paragraph(period, "normal")
        for name, make in zip(SHEETS, SECTIONS):
            t = make(report)
            yield Heading(t.caption, 1)
            yield _section_table(report, t, name)
            if t.caption.startswith("２"):
                yield Paragraph(REASSESS_NOTE, "small", role="note")
        yield Heading("集計の方法", 1)
        yield Bullets(METHOD_NOTES)
        yield Heading(APPENDIX_TITLE, 1, new_page=True)
        for a in report.assessments:
            yield Heading(a.display_title, 2)
            for part in appendix(a):
                yield Paragraph(part.caption, "label", role="pending" if part.pending else "")
                if part.table is not None:
                    yield Table(risk_columns, tuple(Row(tuple(Cell(v) for v in values)) for values in _change_rows(part.table, printed)))  # type: ignore[arg-type]

    return Document(report.title, blocks(), landscape=True, data=to_dict(report))


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
    "report_document",
    "resolve_period",
]


def _lib(name: str) -> str:
    """A clause library's name as the report shows it after a version: 「［asp-texts］」."""
    return f"［{name}］" if name else ""
