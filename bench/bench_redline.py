"""Benchmark: a redline 評価書 (tracked changes) against a plain build of the same document.

    python3 bench/bench_redline.py [--batch 20] [--items 150] [--keep DIR]

Takes the synthetic 全項目評価書 of bench_docx.py (about 60 pages) as the published
revision, edits a copy (a phrase replaced in every fifth item, a sentence added to every
seventh, a block removed from every eleventh, one new item) as the draft, and writes

(a) the plain draft with ``composer.writers.docx.write_assessment`` (the floor), and
(b) the redline: ``composer.documents.redline.redline_document`` written by ``composer.writers.docx.write``,

printing the time per document side by side; then the same end to end (workspace loaded,
draft composed, snapshot read) on examples/toshima's juki. Target: the redline under 200 ms. This
is a benchmark, not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_docx import synthetic  # noqa: E402

from composer.documents.redline import RedlineOptions, redline_document  # noqa: E402
from composer.model import ComposedAssessment, ComposedBlock  # noqa: E402
from composer.writers import docx as docx_writer  # noqa: E402

TARGET_MS = 200.0


def edited(c: ComposedAssessment) -> ComposedAssessment:
    items = []
    for i, it in enumerate(c.items):
        blocks = list(it.blocks)
        if blocks and i % 5 == 0:
            b = blocks[0]
            blocks[0] = replace(b, body=b.body.replace("クラウド事業者", "クラウドサービス事業者", 1).replace("。", "等。", 1))
        if blocks and i % 7 == 0:
            b = blocks[-1]
            blocks[-1] = replace(b, body=b.body.rstrip("\n") + "\n・定期的に点検し、その結果を記録する。\n")
        if len(blocks) > 1 and i % 11 == 0:
            blocks.pop()
        items.append(replace(it, blocks=tuple(blocks)))
    last = items[-1]
    items.append(replace(last, key=last.key + ".new", label="⑳追加された項目",
                         blocks=(ComposedBlock("new", "text", "", "新たに追加した記載。\n"),)))
    return replace(c, items=tuple(items))


def per_doc_ms(fn, batch: int) -> float:  # type: ignore[no-untyped-def]
    fn()  # warm up: reference document, styles
    t0 = time.perf_counter()
    for _ in range(batch):
        fn()
    return (time.perf_counter() - t0) * 1000 / batch


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=20)
    ap.add_argument("--items", type=int, default=150)
    ap.add_argument("--keep", type=Path, help="Keep the documents in this directory.")
    args = ap.parse_args(argv)
    old = synthetic(args.items)
    new = edited(old)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        plain = per_doc_ms(lambda: docx_writer.write_assessment(new, out / "plain.docx"), args.batch)
        red = per_doc_ms(lambda: docx_writer.write(redline_document(old, new, RedlineOptions("bench", "2026-04-01")), out / "redline.docx"), args.batch)
        size = (out / "redline.docx").stat().st_size
        # end to end on the example: load the workspace, compose the draft, read the snapshot, write
        import shutil

        from composer import api

        example = Path(tmp) / "toshima"
        shutil.copytree(Path(__file__).resolve().parent.parent / "examples" / "toshima", example)
        e2e = per_doc_ms(lambda: api.redline(example, "juki", out / "juki.redline.docx"), max(1, args.batch // 4))
        e2e_plain = per_doc_ms(lambda: api.build(example, ["juki"], out / "plain", "docx", force=True), max(1, args.batch // 4))
    print(f"{'document':<28}{'ms/doc':>10}")
    print(f"{'plain build (floor)':<28}{plain:>10.1f}")
    print(f"{'redline (tracked changes)':<28}{red:>10.1f}   {red / plain:.2f}x the floor, {size // 1024} KiB")
    print(f"{'example juki, plain build':<28}{e2e_plain:>10.1f}   (hyoka build juki, end to end)")
    print(f"{'example juki, redline':<28}{e2e:>10.1f}   (hyoka build juki --redline, end to end)")
    ok = red < TARGET_MS and e2e < TARGET_MS
    print(f"target: redline < {TARGET_MS:.0f} ms: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
