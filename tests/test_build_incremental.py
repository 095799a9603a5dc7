"""Incremental builds: unchanged documents are decided from their inputs' fingerprints."""

from __future__ import annotations

from pathlib import Path

import pytest

import composer
from composer.api import build_documents
from composer.batch import STAGING_PREFIX

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
    before = {p.name: p.read_bytes() for p in (two / "out").iterdir()}
    write(two / "assessments" / "a.yaml", SIMPLE_ASSESSMENT.replace("豊島区長", "豊島区長 変更"))
    write(two / "assessments" / "c.yaml", "form: 全項目\nitems:\n  X: 1\n")
    with pytest.raises(composer.ErrorList) as exc:
        statuses(two, jobs=jobs)
    assert any("c.yaml" in str(e) for e in exc.value.errors)
    assert {p.name: p.read_bytes() for p in (two / "out").iterdir()} == before  # a.md not replaced, no staging left
    assert not list((two / "out").glob(STAGING_PREFIX + "*"))
