"""Make an N-document workspace from the bundled 豊島区 example (for the scale benchmark).

Each document is one of the example's assessments (住民基本台帳, 個人住民税) with its own
name, 評価書番号, title and file name, so that no two compose to the same text::

    python bench/make_workspace.py DIR N
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
    snapshots = {stem: sorted((EXAMPLE / "snapshots" / stem).glob("*.json")) for stem in sources}
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
        for snap in snapshots[stem]:
            # the published state of each copy: the example's snapshot under the copy's name
            dest = target / "snapshots" / name / snap.name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(snap, dest)
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
