"""The lint rules: small named units, registered in one place.

A rule is a function decorated with :func:`rule`. Two shapes exist:

* a **text rule** (``scope="text"``) reads one passage of text — a local text block, a
  variant, a heading, a clause version's text or notes — and yields :class:`Hit` s
  (character offsets into the passage, a message, a hint and, when the fix is safe, the
  replacement text);
* a **document rule** (``scope="document"``) reads one composed assessment at a time
  (``check(ctx, assessment, composed)``) and yields :class:`Finding` s with their own
  locations (clause homes, empty items);
* a **workspace rule** (``scope="workspace"``) reads the workspace and the clauses in scope
  (:class:`composer.lint.context.LintContext`), once every assessment has been seen, and
  yields :class:`Finding` s (clause parameters). It sees no composed assessment: what it
  needs of them is a small summary the context keeps (the clause versions pinned).

Assessments are linted one at a time and not kept, so memory does not grow with their
number. The runner in :mod:`composer.lint.engine` turns hits and findings into located
:class:`~composer.errors.UserError` s, applies the workspace's and the inline disables,
and applies fixes. Adding a rule means adding one decorated function to one of the
modules imported at the bottom of this file (and, if it needs data, a list in
``templates/lint/``).
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


# Rule modules register themselves on import; keep this list in the order rules are documented.
from composer.lint.rules import structure as _structure  # noqa: E402,F401
from composer.lint.rules import text as _text  # noqa: E402,F401

__all__ = ["RULES", "Finding", "Hit", "Passage", "Rule", "codepoint", "excerpt", "rule"]
