"""The proof: hyoka regenerates 豊島区's own change tables from clauses and local text.

``tests/golden/toshima_*.json`` are transcriptions of 豊島区's 変更点リスク評価表 (made from the PDF
text, independently of the example workspace). The example workspace holds the before state as a
published snapshot and the after state as the draft; ``hyoka diff`` must give 豊島区's rows.

Compared as data. Two kinds of difference are normalised, each listed here:
* line breaks: the PDF text wraps every cell at its column width, so the transcription's line breaks
  are a guess; texts are compared with line breaks removed;
* the 評価書の変更箇所 column, which the drafters typed by hand: hyoka derives it from the form schema
  (the 様式's labels), so whitespace, ※ marks and ︓/： are ignored, and 豊島区's own abbreviations and
  slips are mapped to the 様式's wording by SECTION_ALIASES below.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from composer import api

from .conftest import EXAMPLE

GOLDEN = Path(__file__).parent / "golden"

# 豊島区's hand-typed section labels -> the 様式's labels (as in templates/forms/zenkomoku.yaml).
SECTION_ALIASES = {
    "情報提供ネットワークによる情報連携": "情報提供ネットワークシステムによる情報連携",
    "（情報提供ネットワークを通じた入手を除く）。": "（情報提供ネットワークシステムを通じた入手を除く。）",
    "特定個人情報の使用の記録具体的な管理方法": "特定個人情報の使用の記録具体的な方法",
    "紐づけ": "紐付け",
    "リスクに対する措置": "リスクに対する措置の内容",
    "接続に伴うその他リスク": "接続に伴うその他のリスク",
    "リスク４：特定個人情報が漏えい・紛失するリスク": "リスク４：入手の際に特定個人情報が漏えい・紛失するリスク",
    "主な記録項目": "④記録される項目主な記録項目",
    "(別添１)事務内容": "（別添１）事務の内容シート",
    "委託事項１⑦再委託": "委託事項１⑦再委託の有無",
    "手順の内容": "消去手順手順の内容",
}


def flat(text: str | None) -> str:
    return (text or "").replace("\n", "")


def section_key(text: str) -> str:
    s = re.sub(r"\s+", "", text).replace("︓", "：").replace("※", "").replace("7", "７")
    return s


def section_matches(source: str, ours: str) -> bool:
    """Every segment of 豊島区's hand-typed path appears, in order, in hyoka's path."""
    s, o = section_key(source), section_key(ours)
    for alias, proper in SECTION_ALIASES.items():
        if section_key(alias) in s and section_key(proper) not in s:
            s = s.replace(section_key(alias), section_key(proper))
    # 豊島区's 個人住民税 table repeats 「１．特定個人情報ファイル名」 before the file and sometimes drops
    # (or doubles) the file's own number: compare the parts after the file label
    s = re.sub(r"１．特定個人情報ファイル名(（[１２３４]）)?", "", s)
    return s == o or s in o or _ordered_subsequence(s, o)


def _ordered_subsequence(source: str, ours: str) -> bool:
    it = iter(ours)
    return all(ch in it for ch in source)


def section_matches_loosely(source: str, ours: str) -> bool:
    """For the 個人住民税 table, whose path cells the drafters abbreviated unevenly (some drop the
    リスク heading or 「消去手順 手順の内容」, one adds リスク１ before リスク３): same part (Ⅰ–Ⅵ), same
    file, and one of the last segments of hyoka's path named in 豊島区's."""
    s = section_key(source)
    for alias, proper in LOOSE_ALIASES:
        s = re.sub(alias, proper, s)
    ours_segments = [section_key(x) for x in ours.split("\n")]
    same_part = source.strip()[0] == ours[0] or source.strip().startswith("(別添")
    files = [o for o in ours_segments if re.match(r"^（[１-９]）", o)]
    names_a_file = "ファイル名" in s or re.search("（[１-９]）", s) is not None
    same_file = not names_a_file or all(f[3:] in s for f in files)
    return same_part and same_file and any(o in s for o in ours_segments[-3:])


# hand-typed variants in the 個人住民税 table (regular expressions over the whitespace-free path)
LOOSE_ALIASES = [
    (r"^\(別添１\)事務内容$", "（別添１）事務の内容シート"),
    (r"リスクに対する措置$", "リスクに対する措置の内容"),
    (r"接続に伴うその他リスク", "接続に伴うその他のリスク"),
    (r"紐づけ", "紐付け"),
    (r"ファイル名滞納管理ファイル", "ファイル名滞納管理システムファイル"),  # the source table names file (２) both ways
    (r"リスク([1-7])", lambda m: "リスク" + "１２３４５６７"[int(m.group(1)) - 1]),
]


def regenerate(name: str, start: int, same_as: bool) -> list[dict]:
    table, warnings = api.diff(EXAMPLE, name, start=start, same_as=same_as)
    assert [w for w in warnings if w.severity == "error"] == []
    return [r.to_json() for r in table.rows]


def compare(source: dict, ours: dict, numbers: dict[int, int], loose: bool = False) -> list[str]:
    problems = []
    match = section_matches_loosely if loose else section_matches
    if not match(source["section"], ours["section"]):
        problems.append(f"section: {source['section']!r} vs {ours['section']!r}")
    for field in ("before", "after", "risk_situation", "countermeasure"):
        if flat(source[field]) != flat(ours[field]):
            problems.append(f"{field}: {flat(source[field])[:60]!r} vs {flat(ours[field])[:60]!r}")
    expected_reason = re.sub(r"通番(\d+)と同様", lambda m: f"通番{numbers[int(m.group(1))]}と同様", flat(source["reason"]))
    if expected_reason != flat(ours["reason"]):
        problems.append(f"reason: {expected_reason[:60]!r} vs {flat(ours['reason'])[:60]!r}")
    if source["risk_change"] is not None and source["risk_change"] != ours["risk_change"]:
        problems.append(f"risk_change: {source['risk_change']} vs {ours['risk_change']}")
    return problems


def test_juki_change_table_rows_91_to_106() -> None:
    source = json.loads((GOLDEN / "toshima_juki.json").read_text(encoding="utf-8"))
    ours = regenerate("juki", 91, same_as=False)
    assert [r["no"] for r in source] == list(range(91, 107))
    assert [r["no"] for r in ours] == list(range(91, 107))
    # hyoka orders rows by the form; the source table appended its row 106 (the same 別添１ sheet as row 91) last.
    numbers = {91: 91, 106: 92, **{n: n + 1 for n in range(92, 106)}}
    problems = {s["no"]: compare(s, ours[numbers[s["no"]] - 91], numbers) for s in source}
    assert {n: p for n, p in problems.items() if p} == {}


def test_juminzei_change_table_rows() -> None:
    source = json.loads((GOLDEN / "toshima_juminzei.json").read_text(encoding="utf-8"))
    ours = regenerate("juminzei", 4, same_as=True)
    assert len(ours) == len(source) == 21
    # the source table numbers rows with gaps (it omits rows); hyoka numbers them 4…24 in the form's order, where
    # the (別添１) sheet (under Ⅰ１②) comes before Ⅰ５ — 豊島区's rows 4 and 5 swap places.
    order = [5, 4] + [s["no"] for s in source if s["no"] not in (4, 5)]
    numbers = {source_no: 4 + i for i, source_no in enumerate(order)}
    by_no = {s["no"]: s for s in source}
    problems = {n: compare(by_no[n], ours[numbers[n] - 4], numbers, loose=True) for n in order}
    assert {n: p for n, p in problems.items() if p} == {}


@pytest.mark.parametrize("name, rows", [("juki", 16), ("juminzei", 21)])
def test_example_snapshots_are_built_from_the_history_files(tmp_path: Path, name: str, rows: int) -> None:
    """The committed snapshots are what publishing history/<name>.yaml gives: built, not pasted."""
    import shutil

    from composer.revisions.snapshot import find_snapshot, read_snapshot

    ws = tmp_path / "ws"
    shutil.copytree(EXAMPLE, ws, ignore=shutil.ignore_patterns("build", "snapshots"))
    fresh = api.publish(ws, f"history/{name}.yaml", "2024-04-01")
    committed = find_snapshot(EXAMPLE / "snapshots", name, "2024-04-01")
    assert read_snapshot(fresh.path).content_hash == committed.content_hash
    assert len(api.diff(EXAMPLE, name)[0].rows) == rows
