"""The lint rule registry: what a rule is (text or document or workspace scope), what it
reports (:class:`Hit`, :class:`Finding`), and :func:`rule`, which records it in :data:`RULES`.

The rule modules (:mod:`composer.lint.rules`) import this; nothing here imports them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from composer.errors import Location, Severity
from composer.i18n import Message

Scope = Literal["text", "document", "workspace"]
Origin = Literal["assessment", "clause"]


@dataclass(frozen=True)
class Passage:
    """One string the user (or a publisher) wrote, with where it starts."""

    text: str
    path: str  # file the text was read from
    line: int | None  # line of the text's first character
    key: str | None  # item ref (``juki:II.6.1``), ``meta.title`` … or clause id (``gov-cloud/storage@1``)
    origin: Origin
    exact_lines: bool = True  # every "\n" in text is a line break in the file (block scalars, one-line scalars)
    anchors: frozenset[int] = frozenset()  # lines whose ``# hyoka: disable=`` comment covers this passage
    stock: bool = False  # a clause of the bundled library: the publisher's wording, reported only
    verbatim: bool = False  # a verbatim clause: never edited locally

    def line_at(self, offset: int) -> int | None:
        if self.line is None:
            return None
        if not self.exact_lines:
            return self.line
        return self.line + self.text.count("\n", 0, offset)


@dataclass(frozen=True)
class Hit:
    """A problem found by a text rule at ``text[start:end]``."""

    start: int
    end: int
    message: str | Message
    hint: str | Message | None = None
    replacement: str | None = None  # safe fix for text[start:end], or None


@dataclass(frozen=True)
class Finding:
    """A problem found by a document or workspace rule."""

    message: str | Message
    location: Location | None
    hint: str | Message | None = None
    severity: Severity | None = None  # None: the rule's default
    path: str | None = None  # file whose inline disables apply (defaults to location.file)
    stock: bool = False


@dataclass(frozen=True)
class Rule:
    id: str
    summary: str  # a msgid (marked with N_ where the rule is defined): the view translates it
    severity: Severity
    scope: Scope
    check: Callable[..., Iterable[Hit] | Iterable[Finding]]
    fixable: bool = False
    origins: tuple[Origin, ...] = ("assessment", "clause")
    doc: str = field(default="", compare=False)


RULES: dict[str, Rule] = {}


def rule(
    id: str,
    summary: str,
    *,
    severity: Severity = "warning",
    scope: Scope = "text",
    fixable: bool = False,
    origins: tuple[Origin, ...] = ("assessment", "clause"),
) -> Callable[[Callable[..., Iterable[Hit] | Iterable[Finding]]], Callable[..., Iterable[Hit] | Iterable[Finding]]]:
    """Register a rule under ``id``; the function's docstring is its documentation.

    ``summary`` is what ``hyoka lint --rules`` shows: write it as ``N_("…")`` so that it is in
    the catalog (it is translated when shown).
    """

    def register(fn: Callable[..., Iterable[Hit] | Iterable[Finding]]) -> Callable[..., Iterable[Hit] | Iterable[Finding]]:
        if id in RULES:
            raise ValueError(f"lint rule '{id}' registered twice")  # untranslated: a programming error
        RULES[id] = Rule(id, summary, severity, scope, fn, fixable, origins, (fn.__doc__ or "").strip())
        return fn

    return register


def excerpt(text: str, start: int, end: int, width: int = 8) -> str:
    """``「…前後の文脈…」`` around ``text[start:end]``, within its line."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    if line_end < 0:
        line_end = len(text)
    a = max(line_start, start - width)
    b = min(line_end, end + width)
    body = text[a:b]
    return "「" + ("…" if a > line_start else "") + body + ("…" if b < line_end else "") + "」"


def codepoint(ch: str) -> str:
    return f"U+{ord(ch):04X}"
