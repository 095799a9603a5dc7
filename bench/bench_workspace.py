"""Benchmark: the workspace operations on the bundled 豊島区 example.

Times (median of --repeat runs):
  * diff of the published 住民基本台帳 snapshot against the draft (16 rows),
  * diff of a synthetic full assessment — every content item of the 全項目 form filled for
    four files — against a copy with one block changed in every item (target: well under 50 ms),
  * composing 個人住民税 (load + render),
  * linting the whole example, clauses included (target: well under a second),
  * the しきい値判断 check of ``hyoka check`` (loads every assessment once more).

    python bench/bench_workspace.py [--repeat 50]
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from pathlib import Path

from composer import api
from composer.model import ComposedBlock
from composer.revisions.diff import DiffOptions, diff
from composer.revisions.snapshot import find_snapshot

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "toshima"


def timed(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def synthetic(old):  # type: ignore[no-untyped-def]
    """Fill every content item with two blocks; the 'new' side edits one block per item."""
    text = "①サーバ等はクラウド事業者が保有・管理する環境に設置し、設置場所のセキュリティ対策はクラウド事業者が実施する。" * 3
    filled, edited = [], []
    for it in old.items:
        if it.type != "text":
            filled.append(it)
            edited.append(it)
            continue
        blocks = (ComposedBlock("a", "text", "＜豊島区における措置＞", text), ComposedBlock("b", "text", "", text))
        filled.append(replace(it, blocks=blocks))
        edited.append(replace(it, blocks=(blocks[0], replace(blocks[1], body=text + "追記。"))))
    return replace(old, items=tuple(filled)), replace(old, items=tuple(edited))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    ws = api.load_workspace(EXAMPLE)
    draft = api.compose_assessment(ws, "juki")
    snap = find_snapshot(ws.snapshots_dir, "juki", None).composed
    t_example = timed(lambda: diff(snap, draft, draft.changes, DiffOptions(start=91)), args.repeat)
    rows = len(diff(snap, draft, draft.changes, DiffOptions(start=91))[0].rows)
    a, b = synthetic(api.compose_assessment(ws, "juminzei"))
    n_items = sum(1 for it in a.items if it.blocks)
    t_full = timed(lambda: diff(a, b), args.repeat)
    full_rows = len(diff(a, b)[0].rows)
    t_compose = timed(lambda: api.compose_assessment(ws, "juminzei"), max(5, args.repeat // 5))
    print(f"diff 住基 snapshot → draft ({rows} rows):            {t_example:7.2f} ms")
    print(f"diff full assessment ({n_items} filled items, {full_rows} rows): {t_full:7.2f} ms")
    from composer.lint.engine import lint_workspace

    def lint_all() -> None:
        from composer.api import compose_all
        from composer.errors import Diagnostics

        w = api.load_workspace(EXAMPLE)
        lint_workspace(w, compose_all(w, None, Diagnostics()))

    t_lint = timed(lint_all, max(3, args.repeat // 10))
    print(f"compose 個人住民税 (load + render):               {t_compose:7.2f} ms")
    print(f"lint the whole example (load, compose, lint):    {t_lint:7.2f} ms")
    t_threshold = timed(lambda: api.threshold_findings(ws), max(5, args.repeat // 5))
    print(f"しきい値判断 check (every assessment loaded):     {t_threshold:7.2f} ms")
    print("targets: diff well under 50 ms; lint well under 1000 ms")


if __name__ == "__main__":
    main()
