"""Benchmark: how fast and how lean hostile inputs are refused (target: each within 2 s and 200 MB).

    python3 bench/bench_limits.py

Runs every hostile template of tests/test_limits.py, and a zip-bomb reference document, through
``hyoka build`` in a fresh process each (so that the peak memory is the process's own), and prints
the wall time, the peak resident memory where the platform reports it, and the first line of the
error. This is a benchmark, not a test: numbers depend on the machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_limits import ASSESSMENT, HOSTILE, _zip_bomb  # noqa: E402

PROBE = """
import resource, runpy, sys
sys.argv = ["hyoka"] + sys.argv[1:]
try:
    runpy.run_module("composer", run_name="__main__")
finally:
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"PEAK_KB {usage // 1024 if sys.platform == 'darwin' else usage}", file=sys.stderr)
"""


def run(ws: Path, *args: str) -> tuple[float, str, str]:
    probe = PROBE if sys.platform != "win32" else PROBE.replace("import resource, ", "import ").split("finally:")[0] + "finally:\n    pass\n"
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", probe, "-C", str(ws), *args], capture_output=True, text=True, cwd=ROOT, encoding="utf-8")
    elapsed = time.perf_counter() - t0
    lines = proc.stderr.splitlines()
    peak = next((line.split()[1] for line in lines if line.startswith("PEAK_KB")), "?")
    first = next((line for line in lines if not line.startswith("PEAK_KB")), "")
    return elapsed, peak, first


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        subprocess.run([sys.executable, "-m", "composer", "init", str(ws), "-m", "豊島区"], check=True, capture_output=True, cwd=ROOT)
        print(f"{'case':28} {'time':>7} {'peak MB':>8}  error")
        for p in HOSTILE:
            template, _ = p.values
            (ws / "assessments" / "juki.yaml").write_text(ASSESSMENT.format(text=json.dumps(template, ensure_ascii=False)).lstrip(), encoding="utf-8")
            elapsed, peak, first = run(ws, "build", "--format", "md", "--force")
            mb = f"{int(peak) / 1024:.0f}" if peak.isdigit() else peak
            flag = "" if elapsed < 2 and (not peak.isdigit() or int(peak) < 200 * 1024) else "  <-- over target"
            print(f"{p.id:28} {elapsed:6.2f}s {mb:>8}  {first[:90]}{flag}")
        bomb = _zip_bomb(Path(tmp) / "bomb.docx", 1024)
        elapsed, peak, first = run(ws, "build", "--reference-doc", str(bomb), "-o", str(Path(tmp) / "out"))
        mb = f"{int(peak) / 1024:.0f}" if peak.isdigit() else peak
        print(f"{'zip-bomb-reference':28} {elapsed:6.2f}s {mb:>8}  {first[:90]}")


if __name__ == "__main__":
    main()
