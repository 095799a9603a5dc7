"""Benchmark: how long the ``hyoka`` command takes to start, against the floor of ``python -c pass``.

Each command runs ``--repeat`` times in a fresh interpreter (as a user's shell runs it); the
median wall time is reported, with what it adds over the floor. The target is 0.3 s for
``hyoka --help`` and ``hyoka --version``.

    python bench/bench_start.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.3

COMMANDS = {
    "python -c pass (floor)": [sys.executable, "-c", "pass"],
    "import composer": [sys.executable, "-c", "import composer"],
    "import composer.cli": [sys.executable, "-c", "import composer.cli"],
    "hyoka --help": [sys.executable, "-m", "composer", "--help"],
    "hyoka --version": [sys.executable, "-m", "composer", "--version"],
    "hyoka build --help": [sys.executable, "-m", "composer", "build", "--help"],
}


def median_wall(argv: list[str], repeat: int) -> float:
    # as installed: bytecode cached (pip compiles it), this checkout first on the path
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "composer")], env=env, check=True)
    floor = None
    print(f"{'command':<26} {'median s':>9} {'over floor s':>13}")
    for name, argv in COMMANDS.items():
        t = median_wall(argv, args.repeat)
        floor = t if floor is None else floor
        mark = "" if not name.startswith("hyoka") else ("  ok" if t < TARGET else f"  over {TARGET} s")
        print(f"{name:<26} {t:9.3f} {t - floor:13.3f}{mark}")


if __name__ == "__main__":
    main()
