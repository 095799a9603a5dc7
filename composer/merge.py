"""Three-way merge of Japanese prose, used when a new clause version is propagated.

When an assessment's block carries a local variant of a clause version and the clause
moves to a new version, the block's new text is ``merge3(base, ours, theirs)``:

* ``base``   — the pinned version's text, rendered for that assessment;
* ``ours``   — the local variant;
* ``theirs`` — the new version's text, rendered the same way.

Japanese prose is merged by *unit* — a sentence or a list item — not by line: one line
of an assessment often holds a whole paragraph, and a local edit to one sentence must
not collide with an upstream edit to the next. :func:`split_units` cuts the text after
「。」, before circled-number list markers (①…⑳ and the other circled numbers) and after
every line break; a 「・」 item at line start therefore starts its own unit too.

The algorithm is diff3 over the unit sequences. Hunks changed on one side take that
side, hunks changed identically on both sides take the change once. A hunk changed
differently on both sides is retried as a character-level diff3; only where the edits
overlap there too is there a conflict. A conflict is widened to whole lines on all three
sides (so that every marker sits on its own line, and keeping one side and deleting the
markers gives well-formed text) and written as lines ``<<<<<<< local``, the local
text, ``||||||| base``, the base text, ``=======``, the new text and
``>>>>>>> new (gov-cloud/storage@2)`` (the labels are the caller's).

The marker lines match :data:`composer.yamlio.CONFLICT_MARKER`, so a file holding an
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
from typing import TypeVar

__all__ = ["Conflict", "MergeResult", "merge3", "split_units"]

T = TypeVar("T")

# ①–⑳, ⓪, ⓫–⓿ (negative and double circled), ㉑–㉟, ㊱–㊿, ❶–❿, ➀–➉, ➊–➓
_CIRCLED = "\u2460-\u2473\u24ea-\u24ff\u3251-\u325f\u32b1-\u32bf\u2776-\u2793"
_CLOSERS = re.escape("」』）)】〕］]｝}〉》")
_LINE_BREAK = r"\r\n|\n|\r"

# A unit ends after 。 (with the closing brackets and the line break that follow it) or
# after a line break; a unit starts at a circled number (a run such as ⑥⑦ is one marker).
_UNIT_END = re.compile(rf"。[{_CLOSERS}]*(?:{_LINE_BREAK})?|{_LINE_BREAK}")
_UNIT_START = re.compile(rf"(?<![{_CIRCLED}])[{_CIRCLED}]")
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
    """Cut Japanese prose into sentences and list items, keeping every character.

    ``"".join(split_units(text)) == text`` always holds; no unit is empty.

    >>> split_units("①契約とする。監視する。\\n②閉域で構成する。")
    ['①契約とする。', '監視する。\\n', '②閉域で構成する。']
    """
    found = {m.end() for m in _UNIT_END.finditer(text)} | {m.start() for m in _UNIT_START.finditer(text)}
    cuts = sorted(found - {0, len(text)})
    starts = [0, *cuts]
    ends = [*cuts, len(text)]
    return [text[s:e] for s, e in zip(starts, ends) if s < e]


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


def _sync_regions(base: Sequence[T], ours: Sequence[T], theirs: Sequence[T]) -> list[tuple[int, int, int, int, int, int]]:
    """Stretches of ``base`` matched unchanged in both ``ours`` and ``theirs``.

    Each is ``(base_start, base_end, ours_start, ours_end, theirs_start, theirs_end)``; the
    last is the empty sentinel at the end of all three sequences.
    """
    ours_blocks = SequenceMatcher(None, base, ours, autojunk=False).get_matching_blocks()
    theirs_blocks = SequenceMatcher(None, base, theirs, autojunk=False).get_matching_blocks()
    regions: list[tuple[int, int, int, int, int, int]] = []
    io = it = 0
    while io < len(ours_blocks) and it < len(theirs_blocks):
        o_base, o_at, o_len = ours_blocks[io]
        t_base, t_at, t_len = theirs_blocks[it]
        start, end = max(o_base, t_base), min(o_base + o_len, t_base + t_len)
        if start < end:
            o_start, t_start = o_at + start - o_base, t_at + start - t_base
            regions.append((start, end, o_start, o_start + end - start, t_start, t_start + end - start))
        if o_base + o_len < t_base + t_len:
            io += 1
        else:
            it += 1
    regions.append((len(base), len(base), len(ours), len(ours), len(theirs), len(theirs)))
    return regions


def _diff3(base: Sequence[str], ours: Sequence[str], theirs: Sequence[str], *, by_char: bool) -> list[_Region]:
    """diff3 over sequences of strings (units, or characters when ``by_char``)."""
    regions: list[_Region] = []
    b = o = t = 0
    for b_start, b_end, o_start, o_end, t_start, t_end in _sync_regions(base, ours, theirs):
        b_seg, o_seg, t_seg = ("".join(base[b:b_start]), "".join(ours[o:o_start]), "".join(theirs[t:t_start]))
        if b_seg or o_seg or t_seg:
            regions.extend(_resolve(b_seg, o_seg, t_seg, try_chars=not by_char))
        if b_end > b_start:
            text = "".join(base[b_start:b_end])
            regions.append(_Region(text, text, text, text))
        b, o, t = b_end, o_end, t_end
    return regions


def _resolve(base: str, ours: str, theirs: str, *, try_chars: bool) -> list[_Region]:
    """Merge one hunk that is not stable on both sides.

    A hunk changed differently on both sides is merged again by character. If that is
    clean, the hunk is resolved; otherwise its character regions are returned, so that
    the conflicts, once widened to whole lines, cover only the lines whose edits overlap.
    """
    if ours == base or ours == theirs:
        return [_Region(base, ours, theirs, theirs)]
    if theirs == base:
        return [_Region(base, ours, theirs, ours)]
    if try_chars:
        fine = _diff3(base, ours, theirs, by_char=True)
        if all(r.merged is not None for r in fine):
            return [_Region(base, ours, theirs, "".join(r.merged or "" for r in fine))]
        return fine
    return [_Region(base, ours, theirs, None)]


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
    regions = _diff3(split_units(base), split_units(ours), split_units(theirs), by_char=False)
    if any(r.merged is None for r in regions):
        regions = _widen_conflicts(regions)
    parts: list[str] = []
    conflicts: list[Conflict] = []
    for r in regions:
        if r.merged is not None:
            parts.append(r.merged)
            continue
        conflict = Conflict(base=r.base, ours=r.ours, theirs=r.theirs)
        conflicts.append(conflict)
        if parts and not _ends_line(parts[-1]):  # only when a merged side ends without a line break
            parts.append("\n")
        parts.append(_render_conflict(conflict, ours_label, theirs_label))
    return MergeResult("".join(parts), tuple(conflicts))
