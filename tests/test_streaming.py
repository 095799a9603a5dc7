"""check, lint and outdated go through the assessments one at a time; lint's layers.

A workspace of many documents must not be held in memory at once: these tests count the
composed assessments alive while each pass runs (through its progress callback), so a pass
that collects every document first fails them.
"""

from __future__ import annotations

import ast
import gc
from pathlib import Path

import composer
from composer import api
from composer.compose.stream import compose_each
from composer.errors import Diagnostics
from composer.lint.engine import lint_workspace, run_lint
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
