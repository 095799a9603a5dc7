"""Make an N-document workspace from the bundled 豊島区 example (for the scale benchmark).

Each document is one of the example's assessments (住民基本台帳, 個人住民税) with its own
name, 評価書番号, title and file name, so that no two compose to the same text::

    python bench/make_workspace.py DIR N
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from composer.revisions.snapshot import content_hash  # noqa: E402

EXAMPLE = ROOT / "examples" / "toshima"


def make_workspace(target: Path, n: int) -> Path:
    """Copy the example's configuration and clauses to ``target`` and write ``n`` assessments."""
    target = Path(target)
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copy2(EXAMPLE / "hyoka.yaml", target / "hyoka.yaml")
    shutil.copytree(EXAMPLE / "clauses", target / "clauses")
    sources = {p.stem: p.read_text(encoding="utf-8") for p in sorted((EXAMPLE / "assessments").glob("*.yaml"))}
    snapshots = {
        stem: [(p.name, json.loads(p.read_text(encoding="utf-8"))) for p in sorted((EXAMPLE / "snapshots" / stem).glob("*.json"))]
        for stem in sources
    }
    out = target / "assessments"
    out.mkdir()
    stems = list(sources)
    for i in range(n):
        stem = stems[i % len(stems)]
        name = f"{stem}-{i:05d}"
        text = sources[stem]
        text = re.sub(r'(?m)^(  number: )"\d+"', rf'\g<1>"{i + 1}"', text, count=1)
        text = re.sub(r"(?m)^(  title: )(.+)$", rf"\g<1>\g<2>（第{i + 1}号）", text, count=1)
        text = re.sub(r"(?m)^(  file_name: )(.+)$", rf"\g<1>\g<2>{i:05d}", text, count=1)
        (out / f"{name}.yaml").write_text(text, encoding="utf-8")
        for file_name, body in snapshots[stem]:
            # the published state of each copy: the example's snapshot as the copy's (its name, its hash)
            body = {**body, "assessment": name}
            body["content_hash"] = content_hash(body)
            dest = target / "snapshots" / name / file_name
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", type=Path)
    parser.add_argument("n", type=int)
    args = parser.parse_args()
    make_workspace(args.directory, args.n)
    print(f"{args.n} assessments in {args.directory}")


if __name__ == "__main__":
    main()
