"""Phrase-level diff of Japanese text, for tracked changes and marked change tables.

Text is cut into tokens by script: runs of kanji (with 々 and ヶ), of hiragana, of
katakana (with ー), of latin letters, of digits (ASCII and full-width, each their
own run type), of spaces, and every other character (punctuation, brackets, symbols,
line breaks) on its own. The token sequences are diffed with :mod:`difflib`; then an
unchanged island of at most :data:`ISLAND` characters between two changes is folded
into the change, so a reader sees 「用端末」 inserted, never a confetti of single
characters (「既存住基システム用端末には」 against 「既存住基システムには」 is one
insertion of 「用端末」).

The result is a list of :class:`Segment` (``equal``, ``insert``, ``delete``): the
``equal`` and ``delete`` texts concatenated give the old text, the ``equal`` and
``insert`` texts the new text — always exactly.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

SegmentKind = Literal["equal", "insert", "delete"]

#: Unchanged islands of at most this many characters between two changes are folded in.
ISLAND = 2

_TOKEN = re.compile(
    r"[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff々〆ヶ]+"  # kanji
    r"|[\u3041-\u309f]+"  # hiragana
    r"|[\u30a0-\u30ff\u31f0-\u31ffｦ-ﾟー]+"  # katakana (ー included)
    r"|[A-Za-zＡ-Ｚａ-ｚ]+"  # latin
    r"|[0-9]+|[０-９]+"  # digits
    r"|[ \t\u3000]+"  # spaces
    r"|.|\n",
    re.S,
)


@dataclass(frozen=True)
class Segment:
    kind: SegmentKind
    text: str


def tokens(text: str) -> list[str]:
    """``text`` cut into script runs and single punctuation characters (joined: ``text``)."""
    return _TOKEN.findall(text)


def diff_words(old: str, new: str, island: int = ISLAND) -> list[Segment]:
    """The phrase diff from ``old`` to ``new`` (see the module's description)."""
    if old == new:
        return [Segment("equal", old)] if old else []
    a, b = tokens(old), tokens(new)
    ops = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    # (old text, new text) per opcode; equal ones have both the same
    parts: list[tuple[bool, str, str]] = [(op == "equal", "".join(a[i1:i2]), "".join(b[j1:j2])) for op, i1, i2, j1, j2 in ops]
    merged: list[tuple[bool, str, str]] = []
    for k, (eq, o, n) in enumerate(parts):
        small_island = (
            eq and 0 < k < len(parts) - 1 and len(o) <= island and "\n" not in o
            and not parts[k - 1][0] and not parts[k + 1][0]
        )
        if small_island:
            eq = False
        if merged and not eq and not merged[-1][0]:
            _, po, pn = merged[-1]
            merged[-1] = (False, po + o, pn + n)
        else:
            merged.append((eq, o, n))
    out: list[Segment] = []
    for eq, o, n in merged:
        if eq:
            out.append(Segment("equal", o))
            continue
        if o:
            out.append(Segment("delete", o))
        if n:
            out.append(Segment("insert", n))
    return out


def old_text(segments: list[Segment]) -> str:
    return "".join(s.text for s in segments if s.kind != "insert")


def new_text(segments: list[Segment]) -> str:
    return "".join(s.text for s in segments if s.kind != "delete")


def side(segments: list[Segment], which: Literal["old", "new"]) -> list[tuple[str, bool]]:
    """One side's text as (text, changed) runs: the old side's deletions or the new side's insertions."""
    skip = "insert" if which == "old" else "delete"
    runs: list[tuple[str, bool]] = []
    for s in segments:
        if s.kind == skip:
            continue
        changed = s.kind != "equal"
        if runs and runs[-1][1] == changed:
            runs[-1] = (runs[-1][0] + s.text, changed)
        else:
            runs.append((s.text, changed))
    return runs


def split_lines(runs: list[tuple[str, bool]]) -> list[list[tuple[str, bool]]]:
    """(text, changed) runs cut at line breaks: one list of runs per line."""
    lines: list[list[tuple[str, bool]]] = [[]]
    for text, changed in runs:
        pieces = text.split("\n")
        for i, piece in enumerate(pieces):
            if i:
                lines.append([])
            if piece:
                lines[-1].append((piece, changed))
    return lines


__all__ = ["ISLAND", "Segment", "diff_words", "new_text", "old_text", "side", "split_lines", "tokens"]
