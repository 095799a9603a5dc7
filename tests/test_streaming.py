"""check, lint and outdated go through the assessments one at a time; lint's layers.

A workspace of many documents must not be held in memory at once: these tests count the
composed assessments alive while each pass runs (through its progress callback), so a pass
that collects every document first fails them.
"""

from __future__ import annotations

import ast
import gc
import json
from pathlib import Path

import pytest

import composer
from composer import api
from composer.compose.stream import compose_each
from composer.errors import Diagnostics
from composer.i18n import View
from composer.lint.engine import lint_stream, lint_workspace, run_lint
from composer.load.workspace import load_workspace
from composer.model import ComposedAssessment

from .conftest import SIMPLE_ASSESSMENT, write

N = 8
# a lint finding in every document (サーバ: term-variant)
# and an outdated pin (mid-server/audit has a version 2)
DOC = SIMPLE_ASSESSMENT.replace("事務室内の施錠可能な書庫に保管する。", "事務室内の施錠可能な書庫に保管する。サーバは庁舎内に置く。").replace(
    "mid-server/audit@2", "mid-server/audit@1"
)
LINT_DIR = Path(composer.__file__).resolve().parent / "lint"


def many(ws: Path, n: int = N) -> Path:
    for i in range(n):
        write(ws / "assessments" / f"doc{i:02d}.yaml", DOC.replace('number: "1"', f'number: "{i + 1}"'))
    return ws


def alive() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, ComposedAssessment))


class Watch:
    """A progress callback that records the calls and the composed assessments alive at each."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []
        self.most = 0

    def __call__(self, done: int, total: int, *_: object) -> None:
        self.calls.append((done, total))
        self.most = max(self.most, alive())


def test_check_holds_one_composed_assessment_at_a_time(ws: Path) -> None:
    many(ws)
    watch = Watch()
    diag = api.check(ws, progress=watch)
    assert watch.calls == [(i, N) for i in range(1, N + 1)]
    assert watch.most <= 1, f"{watch.most} composed assessments held at once"
    # every document was looked at: its lint finding is there
    files = {d.location.file for d in diag.items if d.code == "term-variant" and d.location and "assessments" in d.location.file}
    assert len(files) == N


def test_check_in_workers_gives_the_same_problems_in_the_same_order(ws: Path, run) -> None:
    view = View("en", ws)
    many(ws)
    write(ws / "assessments" / "doc03.yaml", "form: 全項目\nitems:\n  I.1.1: [unclosed\n")  # does not load
    write(ws / "assessments" / "doc05.yaml", DOC.replace("form: 全項目", "form: 全項目\ncolour: red"))  # loads with an error
    # two assessments of one 事務 that answer 対象人数 differently: a finding across the workspace
    for name, band in (("doc06", "1,000人以上1万人未満"), ("doc07", "10万人以上30万人未満")):
        write(ws / "assessments" / f"{name}.yaml", DOC.replace("\nitems:\n", f"\nitems:\n  I.1.3: {band}\n")
              .replace("  office: 豊島区長\n", "  office: 豊島区長\n  jimu: 住民基本台帳に関する事務\n"))
    one = [d.shown(view) for d in api.check_stream(ws)]
    watch = Watch()
    two = [d.shown(view) for d in api.check_stream(ws, progress=watch, jobs=2)]
    assert two == one
    assert watch.calls == [(i, N) for i in range(1, N + 1)]
    assert any("doc03.yaml:4: invalid YAML" in line for line in two)
    assert any("doc07.yaml" in line and "differs from another assessment" in line for line in two)
    assert any("doc05.yaml" in line and "colour" in line for line in two)
    assert sum("term-variant" in line for line in two) >= N - 1  # every document that composed was linted
    named = [d.shown(view) for d in api.check_stream(ws, ["doc01", "doc02"], jobs=2)]
    assert named == [d.shown(view) for d in api.check_stream(ws, ["doc01", "doc02"])]
    cli_one, cli_two = run("-C", str(ws), "check"), run("-C", str(ws), "check", "-j", "2")
    assert (cli_two.exit_code, cli_two.stdout, cli_two.stderr) == (cli_one.exit_code, cli_one.stdout, cli_one.stderr)
    bad = run("-C", str(ws), "check", "-j", "0")
    assert bad.exit_code == 2 and "-j" in bad.stderr and "Traceback" not in bad.stderr


def test_lint_holds_one_composed_assessment_at_a_time(ws: Path) -> None:
    many(ws)
    watch = Watch()
    result = run_lint(ws, progress=watch)
    assert len(watch.calls) == N and watch.most <= 1
    mine = [d for d in result.diagnostics.items if d.location and "assessments" in d.location.file]
    assert sum(d.code == "term-variant" for d in mine) == N
    assert sum(d.code == "empty-item" for d in result.diagnostics.items) == N  # a document rule, once per document


def test_lint_of_a_stream_equals_lint_of_a_list(ws: Path) -> None:
    many(ws, 4)
    w = load_workspace(ws)
    listed = lint_workspace(w, api.compose_all(w, None, Diagnostics()))
    streamed = lint_workspace(w, compose_each(w, None, Diagnostics()))
    assert [str(e) for e in streamed] == [str(e) for e in listed]
    assert any(e.code == "term-variant" for e in listed)


def _arrivals(problems, watch: Watch) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    """For each document, how many assessments were done when each of its term-variant findings came."""
    out: dict[str, list[int]] = {}
    for e in problems:
        if e.code == "term-variant" and e.location and "assessments" in e.location.file:
            out.setdefault(Path(e.location.file).stem, []).append(len(watch.calls))
    return out


def test_check_gives_each_assessments_problems_before_reading_the_next(ws: Path) -> None:
    many(ws)
    watch = Watch()
    arrivals = _arrivals(api.check_stream(ws, progress=watch), watch)
    # doc k's finding comes while doc k is the one being looked at: k assessments done before it
    assert arrivals == {f"doc{k:02d}": [k] for k in range(N)}


def test_lint_gives_each_assessments_findings_before_reading_the_next(ws: Path) -> None:
    many(ws)
    watch = Watch()
    fixed, problems = lint_stream(ws, progress=watch)
    assert fixed == {} and watch.calls == []  # nothing runs before the findings are read
    assert _arrivals(problems, watch) == {f"doc{k:02d}": [k] for k in range(N)}


def test_lint_fix_replays_the_last_pass_from_its_spool(ws: Path) -> None:
    many(ws, 3)  # サーバ (term-variant) is a safe fix in each
    fixed, problems = lint_stream(ws, fix=True)
    assert sorted(Path(f).name for f in fixed) == ["doc00.yaml", "doc01.yaml", "doc02.yaml"]
    listed = list(problems)
    assert [str(e) for e in listed] == [str(e) for e in run_lint(ws).diagnostics.items]  # what a plain lint finds now
    mine = [e.code for e in listed if e.location and "assessments" in e.location.file]
    assert "term-variant" not in mine and mine.count("empty-item") == 3


def test_the_report_keeps_its_change_tables_in_its_spool(ws: Path) -> None:
    from composer.documents.report import AssessmentReport, build_report, fiscal_year
    from composer.model import ChangeRow

    many(ws, 4)
    for i in range(4):
        api.publish(ws, f"doc{i:02d}", "2025-05-01")
        path = ws / "assessments" / f"doc{i:02d}.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("書庫に保管する。", "書庫に施錠して保管する。"), encoding="utf-8")
    fy = fiscal_year(2025)
    with build_report(ws, fy.start, fy.end) as report:
        gc.collect()
        assert not [o for o in gc.get_objects() if isinstance(o, ChangeRow) and "施錠して" in o.after]  # only the numbers are in memory
        assert [a.pending_counts.total for a in report.assessments] == [1, 1, 1, 1]
        rows = report.assessments[2].pending.rows  # read back from the spool
        assert len(rows) == 1 and "施錠して" in rows[0].after
        gc.collect()
        assert not [o for o in gc.get_objects() if isinstance(o, AssessmentReport)]  # the numbers wait there too
    with pytest.raises(ValueError):
        report.assessments[0]  # closed: the temporary file is gone


def test_a_jimu_of_many_assessments_is_read_back_one_assessment_at_a_time(ws: Path) -> None:
    from composer.documents.report import AssessmentReport, build_report, by_jimu, fiscal_year
    from composer.threshold import Member, workspace_findings

    for i in range(N):  # one 事務, N assessments of it, each answering 対象人数 its own way
        band = ("1,000人以上1万人未満", "10万人以上30万人未満")[i % 2]
        write(ws / "assessments" / f"doc{i:02d}.yaml", DOC.replace("\nitems:\n", f"\nitems:\n  I.1.3: {band}\n")
              .replace("  office: 豊島区長\n", "  office: 豊島区長\n  jimu: 住民基本台帳に関する事務\n"))

    def held(kind: type) -> int:
        gc.collect()
        return sum(1 for o in gc.get_objects() if isinstance(o, kind))

    fy = fiscal_year(2025)
    with build_report(ws, fy.start, fy.end) as report:
        seen = []
        for _label, members in by_jimu(report):
            for a in members:
                seen.append((a.name, held(AssessmentReport)))
        assert [name for name, _ in seen] == [f"doc{i:02d}" for i in range(N)]
        assert max(n for _, n in seen) <= 1, seen
    from composer.spool import Spool, SpooledList
    from composer.threshold import member_of

    with Spool() as spool:
        ws_ = load_workspace(ws)
        members: SpooledList[Member] = SpooledList(spool)
        for a in ws_.load_assessments(None, Diagnostics()):
            members.append(member_of(a, ws_.form_dirs))
        del a
        most = 0
        found = []
        for finding in workspace_findings(members, None, ws_.form_dirs):
            most = max(most, held(Member))
            found.append(finding)
        assert sum("differs from another assessment" in f.shown(View("en", ws)) for f in found) == N // 2
        assert most <= 1


def test_a_spool_gives_back_what_was_put_in() -> None:
    import pickle

    import pytest

    from composer.spool import Spool

    with Spool() as spool:
        handles = [spool.append({"n": i, "text": "変更点" * i}) for i in range(50)]
        assert len(spool) == 50
        assert handles[7].load() == {"n": 7, "text": "変更点" * 7}
        assert [r["n"] for r in spool] == list(range(50))
        assert handles[49].load()["n"] == 49 and handles[0].load()["n"] == 0  # in any order, again
        with pytest.raises(TypeError):
            pickle.dumps(spool)  # a spool stays in the process that wrote it
    with pytest.raises(ValueError):
        handles[0].load()  # closed: the file is gone


def test_outdated_reads_one_assessment_at_a_time_and_reports_progress(ws: Path) -> None:
    many(ws)
    watch = Watch()
    uses = api.outdated(ws, progress=watch)
    assert watch.calls == [(i, N) for i in range(1, N + 1)]
    assert watch.most == 0  # outdated does not compose at all
    assert len(uses) == N and {u.clause for u in uses} == {"mid-server/audit"}
    assert uses == [u for u in api.clause_uses(load_workspace(ws)) if u.outdated]


def test_fleet_reports_progress_per_workspace(tmp_path: Path) -> None:
    roots = []
    for name in ("a", "b"):
        composer.init_workspace(tmp_path / name, "豊島区")
        roots.append(many(tmp_path / name, 2))
    seen: list[tuple[int, int]] = []
    results = api.fleet_outdated(roots, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)] and [r.root for r in results] == roots
    seen.clear()
    api.fleet_propagate(roots, dry_run=True, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)]


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_lint_imports_only_lower_layers() -> None:
    files = sorted(LINT_DIR.rglob("*.py"))
    assert len(files) >= 6
    for f in files:
        upper = {m for m in _imports(f) if m.split(".")[:2] in (["composer", "api"], ["composer", "batch"], ["composer", "cli"])}
        assert not upper, f"{f.name} imports {upper}"
        assert "composer.api" not in _imports(f) and not any(m.startswith("composer.documents") for m in _imports(f)), f.name


def test_lint_rules_do_not_import_the_engine() -> None:
    for f in sorted((LINT_DIR / "rules").rglob("*.py")):
        assert not any(m.startswith("composer.lint.engine") for m in _imports(f)), f.name


def test_check_and_lint_print_their_problems_as_one_json_array(ws: Path, run) -> None:  # type: ignore[no-untyped-def]
    many(ws, 3)
    for command in ("check", "lint"):
        result = run("-C", str(ws), command, "--format", "json")
        rows = json.loads(result.stdout)
        assert sum(r["code"] == "term-variant" and "doc01" in (r["file"] or "") for r in rows) == 1
        assert result.stdout == json.dumps(rows, ensure_ascii=False, indent=2) + "\n"  # element by element, the same text
    clean = run("-C", str(ws), "check", "--format", "json", "doc00", "--strict")
    assert clean.exit_code == 1 and all(r["severity"] == "error" for r in json.loads(clean.stdout))


def test_the_report_is_written_one_assessments_tables_at_a_time(ws: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from composer.documents.report import build_report, fiscal_year
    from composer.model import ChangeRow
    from composer.spool import Spooled

    n = 6
    many(ws, n)
    for i in range(n):
        api.publish(ws, f"doc{i:02d}", "2025-05-01")
        path = ws / "assessments" / f"doc{i:02d}.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("書庫に保管する。", f"書庫に施錠して保管する（{i}）。"), encoding="utf-8")
    alive_at_load: list[int] = []
    load = Spooled.load

    def watched(self):  # type: ignore[no-untyped-def]
        gc.collect()
        alive_at_load.append(sum(1 for o in gc.get_objects() if isinstance(o, ChangeRow) and "施錠して" in o.after))
        return load(self)

    monkeypatch.setattr(Spooled, "load", watched)
    fy = fiscal_year(2025)
    for fmt in ("md", "html", "json", "docx", "xlsx"):
        alive_at_load.clear()
        with build_report(ws, fy.start, fy.end) as report:
            api.write_report(report, fmt, tmp_path / f"report.{fmt}")
        assert len(alive_at_load) == n, fmt  # each assessment's pending table read back once
        assert max(alive_at_load) <= 1, (fmt, alive_at_load)  # the tables read before are gone
        assert (tmp_path / f"report.{fmt}").stat().st_size > 0
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert all(f"施錠して保管する（{i}）" in text for i in range(n))
