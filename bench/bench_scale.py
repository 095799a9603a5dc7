"""Benchmark: a vendor's workspace of N documents (build, no-change build, -j 2, check, lint, report).

For each N (default 100, 1000, 5000) it makes a workspace with ``make_workspace.py`` and runs
each step as the installed user would (``python -m composer …`` in a subprocess), measuring
the wall time, the CPU time of the whole process tree and its peak memory (the sum of the
resident sets of hyoka and its workers, sampled every 20 ms). It prints the figures side
by side, then extrapolates them to 35,000 documents (1,741 municipalities × about 20 事務).

The floor for the no-change build is a plain ``stat`` + hash of every assessment file
(what any fingerprinting must at least do); the peer for -j 2 is -j 1 (the speed-up).

    python bench/bench_scale.py [--sizes 100 1000 5000] [--keep DIR]

Needs psutil (``pip install psutil``).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_workspace import make_workspace  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TARGET = 35_000


def run(args: list[str]) -> tuple[float, float, float]:
    """(wall s, CPU s of the tree, peak MiB of the tree) of one hyoka command."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    err_file = tempfile.TemporaryFile()
    proc = psutil.Popen([sys.executable, "-m", "composer", *args], stdout=subprocess.DEVNULL, stderr=err_file, env=env)
    peak = 0
    cpu: dict[int, float] = {}
    while proc.poll() is None:
        try:
            procs = [proc, *proc.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        rss = 0
        for p in procs:
            try:
                rss += p.memory_info().rss
                t = p.cpu_times()
                cpu[p.pid] = t.user + t.system
            except psutil.NoSuchProcess:
                pass
        peak = max(peak, rss)
        time.sleep(0.02)
    wall = time.perf_counter() - t0
    err_file.seek(0)
    err = err_file.read().decode("utf-8", "replace")
    if proc.returncode not in (0, 1):  # check exits 1 on the example's kept mistakes
        raise SystemExit(f"hyoka {' '.join(args)} failed ({proc.returncode}): {err[-500:]}")
    return wall, sum(cpu.values()), peak / 2**20


def floor_fingerprint(ws: Path) -> float:
    t0 = time.perf_counter()
    for p in sorted((ws / "assessments").glob("*.yaml")):
        p.stat()
        hashlib.sha256(p.read_bytes()).hexdigest()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--keep", type=Path, help="make the workspaces here (default: a temporary directory)")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="hyoka-scale-"))
    steps = {
        "build -j 1, first": lambda ws: ["-C", str(ws), "build", "--force", "-o", str(ws / "out1")],
        "build -j 1, nothing changed": lambda ws: ["-C", str(ws), "build", "-o", str(ws / "out1")],
        "build -j 2, first": lambda ws: ["-C", str(ws), "build", "--force", "-j", "2", "-o", str(ws / "out2")],
        "check": lambda ws: ["-C", str(ws), "check"],
        "outdated": lambda ws: ["-C", str(ws), "outdated"],
        "report --year 2025": lambda ws: ["-C", str(ws), "report", "--year", "2025", "-o", str(ws / "report.md")],
    }
    results: dict[tuple[str, int], tuple[float, float, float]] = {}
    floors: dict[int, float] = {}
    for n in args.sizes:
        ws = make_workspace(base / f"ws{n}", n)
        floors[n] = floor_fingerprint(ws)
        for name, argv in steps.items():
            results[(name, n)] = run(argv(ws))
            wall, cpu, mem = results[(name, n)]
            print(f"  N={n:>5} {name:<28} {wall:7.2f} s wall {cpu:7.2f} s CPU {mem:7.0f} MiB", file=sys.stderr)
    sizes = args.sizes
    head = f"{'step':<28}" + "".join(f" | N={n}: ms/doc (wall), peak MiB" for n in sizes) + f" | {TARGET:,}: wall, MiB (extrapolated)"
    print(head)
    print("-" * len(head))
    big = sizes[-1]
    for name in steps:
        cells = []
        for n in sizes:
            wall, _cpu, mem = results[(name, n)]
            cells.append(f" | {wall / n * 1000:8.2f} ms {mem:8.0f} MiB          ")
        wall, _cpu, mem = results[(name, big)]
        if len(sizes) > 1:
            small = sizes[-2]
            slope = (results[(name, big)][2] - results[(name, small)][2]) / (big - small)
        else:
            slope = 0.0
        est_wall = wall / big * TARGET
        est_mem = mem + slope * (TARGET - big)
        print(f"{name:<28}" + "".join(cells) + f" | {est_wall / 60:6.1f} min {est_mem:8.0f} MiB")
    print()
    for n in sizes:
        nc = results[("build -j 1, nothing changed", n)][0]
        j1 = results[("build -j 1, first", n)][0]
        j2 = results[("build -j 2, first", n)][0]
        print(
            f"N={n}: no-change build {nc / n * 1000:.2f} ms/doc vs floor (stat+hash) {floors[n] / n * 1000:.3f} ms/doc;"
            f" -j 2 speed-up over -j 1: {j1 / j2:.2f}x"
        )


if __name__ == "__main__":
    main()
