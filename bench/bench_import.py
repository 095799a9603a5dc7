"""Benchmark: how fast ``hyoka import`` reads a 60-page 全項目評価書 from Word.

    python3 bench/bench_import.py [--lines 8] [--repeat 5]

Copies the example workspace, fills every text item of its juki assessment with local
text (``--lines`` lines of realistic Japanese each) after the stock clauses pinned
there, builds the .docx with hyoka (about 60 pages with the defaults) and times
:func:`composer.importing.word.read_document` plus writing the YAML (the whole import
but the file write), best of ``--repeat``. Target: under 1 s. This is a benchmark, not
a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import composer  # noqa: E402
from composer import api  # noqa: E402
from composer.importing.word import assessment_yaml, read_document  # noqa: E402
from composer.load.forms import get_form, iter_nodes  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LINE = "・特定個人情報を取り扱う端末は、生体認証及びパスワードによる二要素認証を行い、操作ログを記録し定期的に確認する。"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "toshima"
        shutil.copytree(ROOT / "examples" / "toshima", root)
        path = root / "assessments" / "juki.yaml"
        from ruamel.yaml import YAML
        from ruamel.yaml.scalarstring import LiteralScalarString

        y = YAML()
        data = y.load(path.read_text(encoding="utf-8"))
        form, _ = get_form("全項目")
        value = LiteralScalarString("\n".join(f"{LINE}{i}" for i in range(args.lines)) + "\n")
        for n in iter_nodes(form.sections):
            if n.type != "text" or "{n}" in n.key:
                continue
            targets = [f["items"] for f in data["files"]] if n.per_file else [data["items"]]
            for items in targets:
                items.setdefault(n.key, value)
        with path.open("w", encoding="utf-8") as fh:
            y.dump(data, fh)
        docx = root / "build" / "juki.docx"
        api.build(root, ["juki"], root / "build", "docx", force=True)
        ws = composer.load_workspace(root)
        size = docx.stat().st_size
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            doc = read_document(ws, docx)
            assessment_yaml(doc, docx.name)
            best = min(best, time.perf_counter() - t0)
        chars = sum(len(line) for it in doc.items for line in it.lines)
        pages = chars / 1200  # about 1,200 characters on an A4 page of the two-column table
        pins = sum(1 for it in doc.items for b in it.blocks if b.clause)
        print(f"document: {size / 1024:.0f} KiB, {len(doc.items)} items, {pins} pins, {chars:,} characters (~{pages:.0f} pages)")
        print(f"import: {best * 1000:.0f} ms (best of {args.repeat}); target < 1000 ms: {'ok' if best < 1 else 'SLOW'}")


if __name__ == "__main__":
    main()
