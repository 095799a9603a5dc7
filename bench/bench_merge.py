"""Benchmark: the three-way merge on long texts.

Times (median of --repeat runs):
  * a 100-sentence text with every sentence edited locally and every other one upstream
    (one replaced stretch of 100 units on each side; 50 conflicts),
  * 20 copies of the 技術的対策 and 保管場所 texts (~19,000 characters) with 50 random
    character edits on each side.

    python bench/bench_merge.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from composer.revisions.merge import merge3

TEXT = (
    "①国及びクラウド事業者は利用者のデータにアクセスしない契約等となっている。\n"
    "②クラウド事業者は、ガバメントクラウドに対するセキュリティの脅威に対し、脅威検出やDDos対策を24時間365日講じる。\n"
    "③サーバ等はクラウド事業者が保有・管理する環境に設置する。なお、次を満たすものとする。\n"
    "・日本国内でのデータ保管を条件としていること。\n"
)


def timed(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    units = [f"{i}番目の措置として、クラウド事業者はセキュリティ対策を講じ、記録を保存する。\n" for i in range(100)]
    base = "".join(units)
    ours = "".join(u.replace("講じ", "必ず講じ") for u in units)
    theirs = "".join(u.replace("保存", "一年間保存") if i % 2 else u for i, u in enumerate(units))
    print(f"100 sentences, all edited on both sides: {timed(lambda: merge3(base, ours, theirs), args.repeat) * 1000:.1f} ms")

    rng = random.Random(1)
    long = TEXT * 80

    def mutate(text: str) -> str:
        chars = list(text)
        for _ in range(50):
            at = rng.randrange(len(chars))
            chars[at : at + 3] = list(rng.choice(["豊島区", "。", "\n", ""]))
        return "".join(chars)

    o, t = mutate(long), mutate(long)
    print(f"{len(long)} characters, 50 edits per side: {timed(lambda: merge3(long, o, t), args.repeat) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
