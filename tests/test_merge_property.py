"""Property tests of the three-way merge: it never writes a sentence that no side wrote.

Base texts are generated from Japanese sentences, list items (①②…, ・), headings ＜…＞
and bare lines; local and upstream are derived from the base by random unit-level edits
(replace, delete, insert, split, join) and character-level edits (anywhere, including
「。」, line breaks, brackets and list markers).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from composer.load.yamlio import CONFLICT_MARKER
from composer.revisions.merge import MergeResult, merge3, split_units

# HYOKA_MERGE_EXAMPLES raises the number of generated cases (e.g. for a nightly run).
SETTINGS = settings(
    max_examples=int(os.environ.get("HYOKA_MERGE_EXAMPLES", "200")), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

WORD = st.sampled_from(["豊島区", "特定個人情報", "ガバメントクラウド", "は", "を", "に", "、", "管理する", "措置", "第1.0版", "ASP", "１年間"])
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
NOISE = st.sampled_from(["。", "\n", "\r\n", "、", "①", "⑦", "・", "「", "」", "（", "）", "＜", "＞", "{{ municipality }}", "版", "2", "1"])


@st.composite
def phrase(draw: st.DrawFn) -> str:
    return "".join(draw(st.lists(WORD, min_size=1, max_size=5)))


@st.composite
def unit(draw: st.DrawFn) -> str:
    body = draw(phrase())
    kind = draw(st.sampled_from(["sentence", "sentence-nl", "item", "bullet", "heading", "line", "quoted"]))
    if kind == "sentence":
        return body + "。"
    if kind == "sentence-nl":
        return body + "。\n"
    if kind == "item":
        return draw(st.sampled_from(CIRCLED)) + body + "。\n"
    if kind == "bullet":
        return "・" + body + "\n"
    if kind == "heading":
        return "＜" + body + "＞\n"
    if kind == "quoted":
        return body + "（" + draw(phrase()) + "。以下「" + draw(phrase()) + "」という。）" + draw(phrase()) + "。"
    return body + "\n"


BASE = st.lists(unit(), max_size=8).map("".join)


@st.composite
def edited(draw: st.DrawFn, base: str) -> str:
    """``base`` after a few random unit-level and character-level edits."""
    units = split_units(base)
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["replace", "delete", "insert", "retouch"]))
        at = draw(st.integers(0, len(units)))
        if op == "insert" or not units:
            units.insert(at, draw(unit()))
        elif op == "delete":
            del units[min(at, len(units) - 1)]
        elif op == "replace":
            units[min(at, len(units) - 1)] = draw(unit())
        else:  # a small wording change inside one unit, keeping its end
            k = min(at, len(units) - 1)
            u = units[k]
            cut = draw(st.integers(0, max(len(u) - 1, 0)))
            units[k] = u[:cut] + draw(WORD) + u[cut:]
    chars = list("".join(units))
    for _ in range(draw(st.integers(0, 3))):  # character-level edits anywhere
        at = draw(st.integers(0, len(chars)))
        span = draw(st.integers(0, 3))
        chars[at : at + span] = list(draw(st.one_of(NOISE, WORD, st.just(""))))
    return "".join(chars)


@st.composite
def triples(draw: st.DrawFn) -> tuple[str, str, str]:
    base = draw(BASE)
    return base, draw(edited(base)), draw(edited(base))


def _outside_conflicts(text: str) -> str:
    """The merged text with every conflict block (markers and sides) removed."""
    out, inside = [], False
    for line in text.splitlines(keepends=True):
        if line.startswith("<<<<<<<"):
            inside = True
        elif line.startswith(">>>>>>>"):
            inside = False
        elif not inside:
            out.append(line)
    return "".join(out)


@SETTINGS
@given(triples())
def test_every_merged_sentence_was_written_by_a_side(t: tuple[str, str, str]) -> None:
    base, ours, theirs = t
    result = merge3(base, ours, theirs)
    written = set(split_units(base)) | set(split_units(ours)) | set(split_units(theirs))
    if result.clean:
        assert not CONFLICT_MARKER.search(result.text) or any(CONFLICT_MARKER.search(s) for s in t)
        for sentence in split_units(result.text):
            assert sentence in written, sentence
    else:
        # outside the conflict blocks, too, every sentence is one a side wrote (up to the
        # line break put before a marker line so that the marker starts a line)
        bare = {w.rstrip("\r\n") for w in written}
        for sentence in split_units(_outside_conflicts(result.text)):
            assert sentence in written or sentence.rstrip("\r\n") in bare, sentence


# a unit one side inserted without its 「。」 runs into the line after the other side's deletion:
# the conflict takes in the deletion and that line (it once left the line as a conflict of its own,
# the same text on every side)
RUN_ON = (
    "豊島区豊島区豊島区豊島区ガバメントクラウド。豊島区。豊島区管理する。①豊島区。\n豊島区豊島区。",
    "豊島区。豊島区豊島区豊島区豊島区ガバメントクラウド。豊島区。豊島区管理する。豊島区①豊島区。\n豊島区豊島区。",
    "豊島区特定個人情報。豊島区豊島区豊島区豊島区ガバメントクラウド。特定個人情報。豊島区管理す豊島区。\n豊島区豊島区。",
)


@SETTINGS
@given(triples())
@example(RUN_ON)
def test_conflicts_keep_both_sides_visibly(t: tuple[str, str, str]) -> None:
    base, ours, theirs = t
    result = merge3(base, ours, theirs, ours_label="local", theirs_label="new (x@2)")
    assert result.text.count("<<<<<<< local\n") == len(result.conflicts)
    assert result.text.count(">>>>>>> new (x@2)\n") == len(result.conflicts)
    for c in result.conflicts:
        assert c.ours != c.theirs
        assert c.ours in ours and c.theirs in theirs and c.base in base
        block = "<<<<<<< local\n" + _section(c.ours) + "||||||| base\n" + _section(c.base) + "=======\n" + _section(c.theirs)
        assert block + ">>>>>>> new (x@2)\n" in result.text


def _section(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


@SETTINGS
@given(triples())
def test_identical_edits_merge_cleanly(t: tuple[str, str, str]) -> None:
    base, ours, _ = t
    assert merge3(base, ours, ours) == MergeResult(ours, ())


@SETTINGS
@given(triples())
def test_one_side_unchanged_gives_the_other_side(t: tuple[str, str, str]) -> None:
    base, ours, theirs = t
    assert merge3(base, base, theirs) == MergeResult(theirs, ())
    assert merge3(base, ours, base) == MergeResult(ours, ())


@st.composite
def disjoint_edits(draw: st.DrawFn) -> tuple[list[str], dict[int, str], dict[int, str]]:
    """Distinct whole-line units and edits of two disjoint sets of them."""
    n = draw(st.integers(2, 8))
    units = [f"{CIRCLED[i]}{draw(phrase())}を行う。\n" for i in range(n)]
    mine = draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=n - 1))
    upstream = draw(st.sets(st.integers(0, n - 1).filter(lambda i: i not in mine), min_size=1, max_size=n - len(mine)))
    ours = {i: units[i].replace("を行う。", draw(st.sampled_from(["を速やかに行う。", "を行い、記録する。", ""])) or "", 1) for i in mine}
    theirs = {i: units[i].replace("を行う", "を講じる", 1) for i in upstream}
    return units, ours, theirs


@SETTINGS
@given(disjoint_edits())
def test_edits_to_different_units_merge(case: tuple[list[str], dict[int, str], dict[int, str]]) -> None:
    units, ours_edits, theirs_edits = case

    def apply(edits: dict[int, str]) -> str:
        return "".join(edits.get(i, u) for i, u in enumerate(units))

    result = merge3("".join(units), apply(ours_edits), apply(theirs_edits))
    assert result.clean
    assert result.text == apply({**ours_edits, **theirs_edits})
