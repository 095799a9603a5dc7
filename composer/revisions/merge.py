"""Three-way merge of Japanese prose, used when a new clause version is propagated.

When an assessment's block carries a local variant of a clause version and the clause
moves to a new version, the block's new text is ``merge3(base, ours, theirs)``:

* ``base``   — the pinned version's text, rendered for that assessment;
* ``ours``   — the local variant;
* ``theirs`` — the new version's text, rendered the same way.

Japanese prose is merged by *unit* — a sentence, a list item, a heading or a line —
never by character: one line of an assessment often holds a whole paragraph, and a local
edit to one sentence must not collide with an upstream edit to the next, but two edits
to the same sentence must never be spliced into a sentence that neither side wrote
(local 【第1.1版】 and upstream 【第2.0版】 must not give 【第2.1版】).
:func:`split_units` defines the unit.

Each side's unit sequence is aligned with the base's (an edited unit is paired with the
base unit it most resembles). Then, position by position — each base unit and each gap
between base units — a position changed on one side takes that side, changed
identically on both takes the change once, and changed differently on both (edited on
one side and edited or deleted on the other, or different units inserted at the same
place) is a conflict; a conflict takes in the insertions beside it and the whole of a
side's rewrite it touches (base units replaced by unlike units). Whatever the merge
keeps is whole units of one side; a final check re-cuts the merged text and turns into
a conflict any stretch whose units are not all units of base, local or new (units of
different sides can run together when joined).

A conflict is widened to whole lines on all three sides (so that every marker sits on
its own line, and keeping one side and deleting the markers gives well-formed text) and
written as lines ``<<<<<<< local``, the local text, ``||||||| base``, the base text,
``=======``, the new text and ``>>>>>>> new (gov-cloud/storage@2)`` (the labels are the
caller's).

The marker lines match :data:`composer.load.yamlio.CONFLICT_MARKER`, so a file holding an
unresolved conflict is refused by the loader, and they are plain text lines, valid
inside a YAML literal block scalar. Marker lines end in ``\\n`` whatever the text's
line breaks (YAML normalises them anyway).

Everything here is pure: strings in, records out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

__all__ = ["Conflict", "MergeResult", "merge3", "split_units"]

# ①–⑳, ⓪, ⓫–⓿ (negative and double circled), ㉑–㉟, ㊱–㊿, ❶–❿, ➀–➉, ➊–➓
_CIRCLED = re.compile("[\u2460-\u2473\u24ea-\u24ff\u3251-\u325f\u32b1-\u32bf\u2776-\u2793]")
_OPENERS = "「『（(【〔［[｛{〈《"
_CLOSERS = "」』）)】〕］]｝}〉》"
_LINE_END = re.compile(r"(?<=\n)")

MARKER_OURS = "<<<<<<<"
MARKER_BASE = "|||||||"
MARKER_SEP = "======="
MARKER_THEIRS = ">>>>>>>"


@dataclass(frozen=True)
class Conflict:
    """One region edited differently on both sides, widened to whole lines."""

    base: str
    ours: str
    theirs: str


@dataclass(frozen=True)
class MergeResult:
    """The merged text; with conflicts, it holds one labelled marker block per conflict."""

    text: str
    conflicts: tuple[Conflict, ...]

    @property
    def clean(self) -> bool:
        return not self.conflicts


# --------------------------------------------------------------------------- units


def split_units(text: str) -> list[str]:
    """Cut Japanese prose into merge units (sentences, list items, headings, lines).

    A unit ends

    * after every line break (``\\r\\n``, ``\\n`` or ``\\r``);
    * after a 「。」 outside brackets, together with the closing brackets and the one
      line break that follow it (「。」 inside 「」（）【】… ends no sentence: a quoted
      or bracketed sentence belongs to the sentence around it);
    * before a circled-number list marker (①…⑳ and the other circled numbers) outside
      brackets; a run such as ⑥⑦ is one marker;
    * after the 「＞」 closing a heading 「＜…＞」 that starts a unit.

    Brackets are counted per line; an unclosed bracket makes the rest of its line one
    unit (coarser units only make more conflicts, never new text).
    ``"".join(split_units(text)) == text`` always holds; no unit is empty.

    >>> split_units("①契約とする。監視する。\\n②閉域で構成する。")
    ['①契約とする。', '監視する。\\n', '②閉域で構成する。']
    """
    units: list[str] = []
    start = depth = i = 0
    n = len(text)

    def cut(at: int) -> None:
        nonlocal start, depth
        if at > start:
            units.append(text[start:at])
        start, depth = at, 0

    while i < n:
        ch = text[i]
        if ch in "\r\n":
            i += 2 if text.startswith("\r\n", i) else 1
            cut(i)
            continue
        if ch == "＜" and i == start:
            close = text.find("＞", i + 1)
            line_end = min((x for x in (text.find("\n", i), text.find("\r", i)) if x >= 0), default=n)
            if 0 <= close < line_end:
                i = close + 1
                if i < n and text[i] in "\r\n":
                    i += 2 if text.startswith("\r\n", i) else 1
                cut(i)
                continue
        if depth == 0 and _CIRCLED.match(ch) and i > start and not _CIRCLED.match(text[i - 1]):
            cut(i)
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth = max(depth - 1, 0)
        elif ch == "。" and depth == 0:
            i += 1
            while i < n and text[i] in _CLOSERS:
                i += 1
            if i < n and text[i] in "\r\n":
                i += 2 if text.startswith("\r\n", i) else 1
            cut(i)
            continue
        i += 1
    cut(n)
    return units


# --------------------------------------------------------------------------- diff3


@dataclass(frozen=True)
class _Region:
    """A stretch of the merge: its text on each side and the merged text (None: conflict)."""

    base: str
    ours: str
    theirs: str
    merged: str | None

    @property
    def sides(self) -> tuple[str, str, str]:
        return (self.base, self.ours, self.theirs)

    @property
    def stable(self) -> bool:
        return self.base == self.ours == self.theirs


# How alike a base unit and a side unit must be for the side's unit to count as that
# unit edited (rather than the base unit deleted and a new unit inserted).
_PAIR_RATIO = 0.5
# Above this many unit pairs in one replaced stretch, units are not paired: every
# unit of the stretch counts as deleted and the side's units as inserted (which can
# only make more conflicts, never new text).
_PAIR_LIMIT = 10_000


@dataclass(frozen=True)
class _Side:
    """One side's edit of the base units, position by position.

    ``units[i]`` is what became of base unit ``i``: ``(unit,)`` when kept or edited
    (``_KEPT`` when unchanged), ``()`` when deleted. ``gaps[g]`` are the units
    inserted before base unit ``g`` (``g == len(base)``: at the end).
    """

    units: tuple[tuple[str, ...] | None, ...]
    gaps: tuple[tuple[str, ...], ...]
    # rewrites: base units deleted and new units inserted in their place, unpaired, as
    # (first, last) merge positions (see _unit_regions); one conflict in it takes it all
    rewrites: tuple[tuple[int, int], ...] = ()


_KEPT = None


def _pairs(base: Sequence[str], side: Sequence[str]) -> list[tuple[int, int]]:
    """The monotone pairing of alike units with the greatest total likeness (DP)."""
    p, q = len(base), len(side)
    if p == q and all(_alike(b, x) for b, x in zip(base, side)):
        return [(i, i) for i in range(p)]  # the common case: every unit edited in place
    if p * q > _PAIR_LIMIT:
        return []
    score = [[0.0] * (q + 1) for _ in range(p + 1)]
    for i in range(p - 1, -1, -1):
        for j in range(q - 1, -1, -1):
            best = max(score[i + 1][j], score[i][j + 1])
            m = SequenceMatcher(None, base[i], side[j], autojunk=False)
            if m.real_quick_ratio() >= _PAIR_RATIO and m.quick_ratio() >= _PAIR_RATIO:
                r = m.ratio()
                if r >= _PAIR_RATIO:
                    best = max(best, score[i + 1][j + 1] + r)
            score[i][j] = best
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < p and j < q:
        if score[i][j] == score[i + 1][j]:
            i += 1
        elif score[i][j] == score[i][j + 1]:
            j += 1
        else:
            out.append((i, j))
            i, j = i + 1, j + 1
    return out


def _alike(a: str, b: str) -> bool:
    m = SequenceMatcher(None, a, b, autojunk=False)
    return m.real_quick_ratio() >= _PAIR_RATIO and m.quick_ratio() >= _PAIR_RATIO and m.ratio() >= _PAIR_RATIO


def _align(base: Sequence[str], side: Sequence[str]) -> _Side:
    units: list[tuple[str, ...] | None] = [_KEPT] * len(base)
    gaps: list[list[str]] = [[] for _ in range(len(base) + 1)]
    rewrites: list[tuple[int, int]] = []
    matcher = SequenceMatcher(None, base, side, autojunk=False)
    for op, b1, b2, s1, s2 in matcher.get_opcodes():
        if op == "equal":
            continue
        for b in range(b1, b2):
            units[b] = ()
        if op == "insert":
            gaps[b1].extend(side[s1:s2])
            continue
        s, after = s1, b1  # side and base position after the last pair
        for b, j in [*((b1 + pb, s1 + pj) for pb, pj in _pairs(base[b1:b2], side[s1:s2])), (b2, s2)]:
            gaps[b].extend(side[s:j])  # unpaired units before the pair: inserted before it
            if j > s and b > after:
                rewrites.append((2 * after + 1, 2 * b))  # units after..b-1 and gaps up to b
            if b < b2:
                units[b] = (side[j],)
            s, after = j + 1, b + 1
    return _Side(tuple(units), tuple(tuple(g) for g in gaps), tuple(rewrites))


def _unit_regions(base: Sequence[str], ours: Sequence[str], theirs: Sequence[str]) -> list[_Region]:
    """Merge the unit sequences position by position: gap, unit, gap, unit, …, gap.

    A position changed on one side takes that side, changed identically on both takes
    the change once; changed differently on both it is a conflict, and a conflicting
    unit takes in the insertions right before and after it (one side's rewrite may
    have been seen as a deletion and an insertion).
    """
    o, t = _align(base, ours), _align(base, theirs)
    regions: list[_Region] = []
    for pos in range(2 * len(base) + 1):
        g, at_gap = divmod(pos, 2)[0], pos % 2 == 0
        if at_gap:
            b, ours_text, theirs_text = "", "".join(o.gaps[g]), "".join(t.gaps[g])
        else:
            b = base[g]
            ou, tu = o.units[g], t.units[g]
            ours_text = b if ou is _KEPT else "".join(ou)
            theirs_text = b if tu is _KEPT else "".join(tu)
        if not (b or ours_text or theirs_text):
            regions.append(_Region("", "", "", ""))  # keeps positions aligned; dropped below
        elif ours_text == theirs_text or ours_text == b:
            regions.append(_Region(b, ours_text, theirs_text, theirs_text))
        elif theirs_text == b:
            regions.append(_Region(b, ours_text, theirs_text, ours_text))
        else:
            regions.append(_Region(b, ours_text, theirs_text, None))
    def conflict(pos: int) -> None:
        r = regions[pos]
        regions[pos] = _Region(r.base, r.ours, r.theirs, None)

    for pos in range(1, len(regions), 2):  # a conflicting unit takes in the insertions beside it
        if regions[pos].merged is None:
            for near in (pos - 1, pos + 1):
                if regions[near].ours or regions[near].theirs:
                    conflict(near)
    grown = True
    while grown:  # a conflict in a side's rewrite takes in the whole rewrite
        grown = False
        for lo, hi in (*o.rewrites, *t.rewrites):
            span = range(lo, hi + 1)
            if any(regions[p].merged is None for p in span) and any(regions[p].merged is not None for p in span):
                for p in span:
                    conflict(p)
                grown = True
    return _coalesce([r for r in regions if r.base or r.ours or r.theirs])


def _coalesce(regions: Sequence[_Region]) -> list[_Region]:
    """Join neighbouring conflicts into one."""
    out: list[_Region] = []
    for r in regions:
        if r.merged is None and out and out[-1].merged is None:
            out[-1] = _join(out[-1], r)
        else:
            out.append(r)
    return out


def _guard(regions: list[_Region], allowed: set[str]) -> list[_Region]:
    """Turn into a conflict every merged stretch whose units are not all some side's units.

    Units taken from different sides can run together when joined (a unit one side left
    without its 「。」 followed by a unit the other side inserted): the joined text would
    be a sentence nobody wrote, so the regions it spans become a conflict.
    """
    while True:
        bad: set[int] = set()
        run: list[int] = []
        for k in [*range(len(regions)), None]:
            if k is not None and regions[k].merged is not None:
                run.append(k)
                continue
            offset, spans = 0, []
            for r in run:
                text = regions[r].merged or ""
                spans.append((offset, offset + len(text), r))
                offset += len(text)
            at = 0
            for unit in split_units("".join(regions[r].merged or "" for r in run)):
                if unit not in allowed:  # the regions it spans, and those between them that add nothing (a deletion)
                    hit = [r for s, e, r in spans if s < at + len(unit) and e > at and e > s]
                    bad.update(range(min(hit), max(hit) + 1))
                at += len(unit)
            run = []
        if not bad:
            return regions
        regions = _coalesce([_Region(r.base, r.ours, r.theirs, None) if k in bad else r for k, r in enumerate(regions)])


# --------------------------------------------------------------------------- conflicts


def _ends_line(text: str) -> bool:
    # Only \n: a character-level region may end between the \r and \n of a CRLF.
    return text.endswith("\n")


def _join(first: _Region, second: _Region) -> _Region:
    return _Region(first.base + second.base, first.ours + second.ours, first.theirs + second.theirs, None)


def _lines(text: str) -> list[str]:
    """``text`` cut after each \\n, keeping it."""
    return [line for line in _LINE_END.split(text) if line]


def _stable(text: str) -> _Region:
    return _Region(text, text, text, text)


def _widen_conflicts(regions: Sequence[_Region]) -> list[_Region]:
    """Grow every conflict to whole lines on all three sides, absorbing its neighbours.

    Then keeping one side of a conflict and deleting the markers gives well-formed lines,
    and every marker lands on a line of its own. One pass: ``done`` holds the regions
    placed so far with, per side, whether their text ends at a line start (``at_bol``);
    ``todo`` is a stack of the regions still to place with, per side, how many of them
    have text (``rest``).
    """
    done: list[_Region] = []
    at_bol: list[tuple[bool, ...]] = [(True, True, True)]
    todo = list(reversed(regions))
    rest = [sum(bool(r.sides[k]) for r in regions) for k in range(3)]

    def place(r: _Region) -> None:
        done.append(r)
        at_bol.append(tuple(bol if not text else _ends_line(text) for bol, text in zip(at_bol[-1], r.sides)))

    def unplace() -> _Region:
        at_bol.pop()
        return done.pop()

    def take() -> _Region:
        r = todo.pop()
        for k, text in enumerate(r.sides):
            rest[k] -= bool(text)
        return r

    def put_back(r: _Region) -> None:
        todo.append(r)
        for k, text in enumerate(r.sides):
            rest[k] += bool(text)

    while todo:
        region = take()
        if region.merged is not None:
            place(region)
            continue
        while not all(at_bol[-1]):  # start mid-line: take in the start of the line
            prev = unplace()
            lines = _lines(prev.base) if prev.stable else []
            if len(lines) > 1:
                place(_stable("".join(lines[:-1])))
                region = _join(_stable(lines[-1]), region)
            else:
                region = _join(prev, region)
        while todo and not all(  # end mid-line: take in the rest of the line
            (_ends_line(text) if text else bol) or not more for text, bol, more in zip(region.sides, at_bol[-1], rest)
        ):
            nxt = take()
            lines = _lines(nxt.base) if nxt.stable else []
            if len(lines) > 1:
                put_back(_stable("".join(lines[1:])))
                region = _join(region, _stable(lines[0]))
            else:
                region = _join(region, nxt)
        place(region)
    return done


def _marker_line(marker: str, label: str) -> str:
    return f"{marker} {label}\n" if label else f"{marker}\n"


def _section(text: str) -> str:
    return text if not text or _ends_line(text) else text + "\n"


def _render_conflict(c: Conflict, ours_label: str, theirs_label: str) -> str:
    return (
        _marker_line(MARKER_OURS, ours_label)
        + _section(c.ours)
        + _marker_line(MARKER_BASE, "base")
        + _section(c.base)
        + f"{MARKER_SEP}\n"
        + _section(c.theirs)
        + _marker_line(MARKER_THEIRS, theirs_label)
    )


# --------------------------------------------------------------------------- public


def merge3(base: str, ours: str, theirs: str, *, ours_label: str = "local", theirs_label: str = "new") -> MergeResult:
    """Three-way merge of ``ours`` (local variant) and ``theirs`` (new version) from ``base``.

    Returns the merged text and the conflicts. A clean merge's text is ready to write; a
    conflicted merge's text holds a labelled marker block (see the module docstring) in
    place of each conflicting region, each marker on its own line.
    """
    for label in (ours_label, theirs_label):
        if "\n" in label or "\r" in label:
            raise ValueError(f"conflict label must be one line: {label!r}")
    if ours == theirs or theirs == base:
        return MergeResult(ours, ())
    if ours == base:
        return MergeResult(theirs, ())
    units = split_units(base), split_units(ours), split_units(theirs)
    regions = _guard(_unit_regions(*units), {u for side in units for u in side})
    if any(r.merged is None for r in regions):
        regions = _widen_conflicts(regions)
    parts: list[str] = []
    conflicts: list[Conflict] = []
    for r in regions:
        if r.merged is not None:
            if r.merged:
                parts.append(r.merged)
            continue
        if r.ours == r.theirs:  # both sides wrote the same lines: nothing to choose between
            parts.append(r.ours)
            continue
        conflict = Conflict(base=r.base, ours=r.ours, theirs=r.theirs)
        conflicts.append(conflict)
        if parts and not _ends_line(parts[-1]):  # only when a merged side ends without a line break
            parts.append("\n")
        parts.append(_render_conflict(conflict, ours_label, theirs_label))
    return MergeResult("".join(parts), tuple(conflicts))
