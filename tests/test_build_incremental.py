"""Incremental builds: unchanged documents are decided from their inputs' fingerprints."""

from __future__ import annotations

import gc
import hashlib
import os
import tracemalloc
from pathlib import Path

import pytest

import composer
from composer.api import build_documents
from composer.batch import STAGING_PREFIX, BuildResults, entry_path, read_entry, read_manifest

from .conftest import SIMPLE_ASSESSMENT, write

LOCAL_CLAUSE = """\
id: local/measure
title: 当区の措置
heading: ＜豊島区における措置＞
kind: adaptable
versions:
  - version: 1
    date: 2024-04-01
    source: {issuer: 豊島区, document: 内規}
    text: |
      書庫に保管する。
    notes:
      reason: 当区の措置を追加した。
      risk_change: なし
"""

WITH_LOCAL = SIMPLE_ASSESSMENT.replace(
    "  IV.1.2.detail:\n    - clause: mid-server/audit@2\n",
    "  IV.1.2.detail:\n    - clause: mid-server/audit@2\n    - clause: local/measure@1\n",
)


@pytest.fixture
def two(ws: Path) -> Path:
    write(ws / "clauses" / "local" / "measure.yaml", LOCAL_CLAUSE)
    write(ws / "assessments" / "a.yaml", SIMPLE_ASSESSMENT)
    write(ws / "assessments" / "b.yaml", WITH_LOCAL)
    return ws


def files(d: Path) -> dict[str, bytes]:
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in d.rglob("*") if p.is_file()}


def statuses(ws: Path, **kw) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {r.name: r.status for r in build_documents(ws, None, ws / "out", "md", **kw)}


@pytest.mark.parametrize("jobs", [1, 2])
def test_second_build_skips_every_document(two: Path, jobs: int) -> None:
    assert statuses(two, jobs=jobs) == {"a": "written", "b": "written"}
    assert statuses(two, jobs=jobs) == {"a": "unchanged", "b": "unchanged"}
    assert "書庫に保管する。" in (two / "out" / "b.md").read_text(encoding="utf-8")


def test_a_changed_clause_rebuilds_only_the_documents_that_use_it(two: Path) -> None:
    statuses(two)
    clause = two / "clauses" / "local" / "measure.yaml"
    clause.write_text(clause.read_text(encoding="utf-8").replace("書庫に保管する。", "施錠できる書庫に保管する。"), encoding="utf-8")
    assert statuses(two) == {"a": "unchanged", "b": "written"}
    assert "施錠できる書庫に保管する。" in (two / "out" / "b.md").read_text(encoding="utf-8")


def test_the_configuration_and_the_assessment_file_are_inputs(two: Path) -> None:
    statuses(two)
    config = two / "hyoka.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("terms: {}", "terms: {x: y}"), encoding="utf-8")
    assert statuses(two) == {"a": "written", "b": "written"}
    write(two / "assessments" / "a.yaml", SIMPLE_ASSESSMENT.replace("豊島区長", "豊島区長 高際みゆき"))
    assert statuses(two) == {"a": "written", "b": "unchanged"}
    assert "高際みゆき" in (two / "out" / "a.md").read_text(encoding="utf-8")
    (two / "out" / "b.md").unlink()
    assert statuses(two) == {"a": "unchanged", "b": "written"}


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_error_in_one_assessment_writes_nothing(two: Path, jobs: int) -> None:
    statuses(two)
    before = files(two / "out")
    assert set(before) == {"a.md", "b.md", ".hyoka-build/a.md.json", ".hyoka-build/b.md.json"}
    write(two / "assessments" / "a.yaml", SIMPLE_ASSESSMENT.replace("豊島区長", "豊島区長 変更"))
    write(two / "assessments" / "c.yaml", "form: 全項目\nitems:\n  X: 1\n")
    with pytest.raises(composer.ErrorList) as exc:
        statuses(two, jobs=jobs)
    assert any("c.yaml" in str(e) for e in exc.value.errors)
    assert files(two / "out") == before  # a.md and its manifest entry not replaced, no staging left
    assert not list((two / "out").glob(STAGING_PREFIX + "*"))


# --------------------------------------------------------------------------- the manifest: one entry a document


def test_each_document_has_its_own_entry_naming_what_it_was_built_from(two: Path) -> None:
    statuses(two)
    assert sorted(read_manifest(two / "out")) == ["a.md", "b.md"]
    b = read_entry(two / "out", "b.md")
    assert b is not None and b["assessment"] == "b" and b["format"] == "md"
    assert b["clauses"] == ["gov-cloud/storage", "local/measure", "mid-server/audit"]  # every clause it used, sorted
    assert "local/measure" not in read_entry(two / "out", "a.md")["clauses"]  # type: ignore[index]
    assert b["source"] == hashlib.sha256((two / "assessments" / "b.yaml").read_bytes()).hexdigest()


@pytest.mark.parametrize("cut", ["before-the-document", "before-its-entry"])
def test_a_build_cut_short_while_moving_into_place_never_skips_a_stale_document(
    two: Path, cut: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    statuses(two)
    first = (two / "out" / "a.md").read_text(encoding="utf-8")
    write(two / "assessments" / "a.yaml", SIMPLE_ASSESSMENT.replace("豊島区長", "豊島区長 高際みゆき"))
    real = os.replace
    stop = two / "out" / ("a.md" if cut == "before-the-document" else ".hyoka-build/a.md.json")

    def replace(src, dst):  # type: ignore[no-untyped-def]
        if Path(dst) == stop:
            raise KeyboardInterrupt  # stands for a kill: nothing after this point runs
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        statuses(two)
    monkeypatch.undo()
    assert read_entry(two / "out", "a.md") is None  # removed before the document was touched
    # the assessment goes back to what the old entry described: the document is rebuilt, not skipped
    write(two / "assessments" / "a.yaml", SIMPLE_ASSESSMENT)
    assert statuses(two) == {"a": "written", "b": "unchanged"}
    assert (two / "out" / "a.md").read_text(encoding="utf-8") == first
    assert not list((two / "out").glob(STAGING_PREFIX + "*"))


def test_an_assessment_changed_while_it_was_built_gets_no_entry(two: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from composer.writers import html as preview

    real = preview.write_markdown
    source = two / "assessments" / "a.yaml"

    def write_then_edit(composed, path):  # type: ignore[no-untyped-def]
        real(composed, path)
        if composed.name == "a":  # someone saves the file while hyoka writes its document
            write(source, SIMPLE_ASSESSMENT.replace("豊島区長", "豊島区長 高際みゆき"))

    monkeypatch.setattr(preview, "write_markdown", write_then_edit)
    assert statuses(two) == {"a": "written", "b": "written"}
    monkeypatch.undo()
    assert read_entry(two / "out", "a.md") is None and read_entry(two / "out", "b.md") is not None
    assert statuses(two) == {"a": "written", "b": "unchanged"}  # built again from the file as saved
    assert "高際みゆき" in (two / "out" / "a.md").read_text(encoding="utf-8")


def test_an_unreadable_entry_rebuilds_and_the_old_manifest_goes(two: Path) -> None:
    statuses(two)
    entry_path(two / "out", "b.md").write_text("{not json", encoding="utf-8")
    entry_path(two / "out", "a.md").write_text('{"manifest": 1, "key": "x"}', encoding="utf-8")  # another version
    (two / "out" / ".hyoka-build.json").write_text('{"manifest": 1, "documents": {}}', encoding="utf-8")
    assert statuses(two) == {"a": "written", "b": "written"}
    assert not (two / "out" / ".hyoka-build.json").exists()
    assert statuses(two) == {"a": "unchanged", "b": "unchanged"}


def test_the_results_are_made_on_demand_in_the_order_of_the_names(two: Path) -> None:
    results = build_documents(two, ["b", "a"], two / "out", "md")
    assert isinstance(results, BuildResults) and len(results) == 2
    assert [r.name for r in results] == ["b", "a"] and results[-1].path == two / "out" / "a.md"
    assert [r.name for r in results[::-1]] == ["a", "b"]
    assert results.counted("written") == 2 and results.counted("unchanged") == 0


def test_a_build_keeps_nothing_per_document(ws: Path) -> None:
    """What a build holds between two documents does not grow with the number of documents."""
    n = 48
    for i in range(n):
        write(ws / "assessments" / f"doc{i:02d}.yaml", SIMPLE_ASSESSMENT.replace('number: "1"', f'number: "{i + 1}"'))
    held: dict[int, int] = {}

    def watch(done: int, total: int, result: object) -> None:
        if done in (8, n):
            gc.collect()
            held[done] = tracemalloc.get_traced_memory()[0]

    for label in ("first", "nothing changed"):
        tracemalloc.start()
        try:
            build_documents(ws, None, ws / "out", "md", progress=watch)
        finally:
            tracemalloc.stop()
        per_document = (held[n] - held[8]) / (n - 8)
        assert per_document < 200, f"{label}: {per_document:.0f} bytes kept a document"
