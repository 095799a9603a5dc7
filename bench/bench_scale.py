"""Benchmark: a vendor's workspace of N documents (build, no-change build, -j 2, check, lint, outdated, report).

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


# exit statuses that are the command's normal answer on the example (check and lint: its kept
# mistakes; outdated: its older pins); anything else stops the benchmark
ANSWERS = {"check": (0, 1), "lint": (0, 1), "outdated": (0, 2)}


LAST_MAX_CPU = [0.0]  # CPU s of the busiest single process of the last run (a -j N build's critical path)


def run(args: list[str]) -> tuple[float, float, float]:
    """(wall s, CPU s of the tree, peak MiB of the tree) of one hyoka command."""
    env = installed_env()
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
    command = args[2] if args[:1] == ["-C"] else args[0]
    if proc.returncode not in ANSWERS.get(command, (0,)):
        raise SystemExit(f"hyoka {' '.join(args)} failed ({proc.returncode}): {err[-500:]}")
    LAST_MAX_CPU[0] = max(cpu.values(), default=0.0)
    return wall, sum(cpu.values()), peak / 2**20


def installed_env() -> dict[str, str]:
    """The environment of an installed hyoka: bytecode cached (as pip compiles it), this checkout first."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    return env


def compile_once() -> None:
    """Compile hyoka's modules to bytecode once, as installing it does (runs start from .pyc, not source)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "composer")], env=installed_env(), check=True)


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
    parser.add_argument("--steps", nargs="+", help="run only these steps (names as printed, e.g. check lint outdated)")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="hyoka-scale-"))
    compile_once()
    steps = {
        "build -j 1, first": lambda ws: ["-C", str(ws), "build", "--force", "-o", str(ws / "out1")],
        "build -j 1, nothing changed": lambda ws: ["-C", str(ws), "build", "-o", str(ws / "out1")],
        "build -j 2, first": lambda ws: ["-C", str(ws), "build", "--force", "-j", "2", "-o", str(ws / "out2")],
        "check": lambda ws: ["-C", str(ws), "check"],
        "check -j 2": lambda ws: ["-C", str(ws), "check", "-j", "2"],
        "lint": lambda ws: ["-C", str(ws), "lint"],
        "outdated": lambda ws: ["-C", str(ws), "outdated"],
        "report --year 2025": lambda ws: ["-C", str(ws), "report", "--year", "2025", "-o", str(ws / "report.md")],
    }
    if args.steps:
        unknown = set(args.steps) - set(steps)
        if unknown:
            parser.error(f"unknown steps {sorted(unknown)}; the steps are: {', '.join(steps)}")
        steps = {k: v for k, v in steps.items() if k in args.steps}
    results: dict[tuple[str, int], tuple[float, float, float]] = {}
    busiest: dict[int, float] = {}
    floors: dict[int, float] = {}
    for n in args.sizes:
        ws = make_workspace(base / f"ws{n}", n)
        floors[n] = floor_fingerprint(ws)
        for name, argv in steps.items():
            results[(name, n)] = run(argv(ws))
            if name == "build -j 2, first":
                busiest[n] = LAST_MAX_CPU[0]
            wall, cpu, mem = results[(name, n)]
            print(f"  N={n:>5} {name:<28} {wall:7.2f} s wall {cpu:7.2f} s CPU {mem:7.0f} MiB", file=sys.stderr)
    sizes = args.sizes
    head = f"{'step':<28}" + "".join(f" | N={n}: ms/doc wall, CPU; peak MiB" for n in sizes) + f" | {TARGET:,}: wall, MiB (extrapolated)"
    print(head)
    print("-" * len(head))
    big = sizes[-1]
    for name in steps:
        cells = []
        for n in sizes:
            wall, cpu, mem = results[(name, n)]
            cells.append(f" | {wall / n * 1000:7.2f} {cpu / n * 1000:7.2f} ms {mem:6.0f} MiB")
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
        if ("build -j 1, nothing changed", n) in results:
            nc = results[("build -j 1, nothing changed", n)][0]
            print(f"N={n}: no-change build {nc / n * 1000:.2f} ms/doc vs floor (stat+hash) {floors[n] / n * 1000:.3f} ms/doc")
        if ("build -j 1, first", n) in results and ("build -j 2, first", n) in results:
            j1, j1_cpu = results[("build -j 1, first", n)][:2]
            j2, j2_cpu = results[("build -j 2, first", n)][:2]
            # on a busy machine wall time tells little: the CPU of -j 1 over that of -j 2's busiest
            # process is the speed-up two idle cores give (the critical path of the -j 2 run)
            print(
                f"N={n}: -j 2 speed-up over -j 1: {j1 / j2:.2f}x wall; CPU -j 1 {j1_cpu:.1f} s, -j 2 {j2_cpu:.1f} s in all,"
                f" busiest process {busiest[n]:.1f} s: {j1_cpu / max(busiest[n], 1e-9):.2f}x on two idle cores"
            )


if __name__ == "__main__":
    main()
