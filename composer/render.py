"""Rendering texts: Jinja2 in a sandbox, strict about undefined names.

Every clause text, change note and local text is a template. Templates come only
from strings in clause and assessment files (and, for documents, from the bundled
``templates/`` folder); none can reach Python internals, and an undefined name is an
error that names the file and line where the text was written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from .errors import Location, UserError

_UNKNOWN_TERM = re.compile(r"^'dict object' has no attribute '(.+)'$")

MAX_TEXT = 1_000_000  # characters: no 評価書 text is longer


class _Environment(SandboxedEnvironment):
    """The sandbox, also refusing expressions that would build enormous values."""

    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context, operator, left, right):  # type: ignore[no-untyped-def]
        if operator == "**" and isinstance(right, int) and abs(right) > 64:
            raise SecurityError("exponent too large")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_TEXT:
                    raise SecurityError("result too long")
        return super().call_binop(context, operator, left, right)


_ENV = _Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)


@lru_cache(maxsize=4096)
def _compile(source: str):  # type: ignore[no-untyped-def]
    return _ENV.from_string(source)


def _at(location: Location | None, lineno: int | None) -> Location | None:
    if location is None or location.line is None or not lineno:
        return location
    return Location(location.file, location.line + lineno - 1, location.key)


def render_text(source: str, context: Mapping[str, Any], location: Location | None, what: str = "text") -> str:
    """Render one template; normalise line ends and trailing newlines."""
    if "{" not in source:  # fast path: plain text needs no template engine
        return _normalise(source)
    try:
        out = _compile(source).render(context)
    except SecurityError as exc:
        raise UserError(
            f"unsafe expression in {what}: {exc}", location, "templates may only use parameters and terms"
        ) from None
    except UndefinedError as exc:
        term = _UNKNOWN_TERM.match(exc.message or "")
        terms = context.get("term")
        if term and isinstance(terms, dict) and term.group(1) not in terms:
            have = ", ".join(sorted(terms)) or "none"
            raise UserError(f"unknown glossary term '{term.group(1)}' in {what}", location, f"define it under terms: in hyoka.yaml (have: {have})") from None
        names = ", ".join(sorted(k for k in context if not k.startswith("_"))) or "none"
        raise UserError(
            f"undefined name in {what}: {exc.message}", location, f"declare it as a parameter or give a value (available: {names})"
        ) from None
    except TemplateSyntaxError as exc:
        raise UserError(f"template syntax error in {what}: {exc.message}", _at(location, exc.lineno), "fix the {{ }} expression") from None
    except TemplateError as exc:
        raise UserError(f"cannot render {what}: {exc}", location) from None
    except (TypeError, ValueError, AttributeError, LookupError, AssertionError, ArithmeticError, RecursionError, MemoryError) as exc:
        raise UserError(f"cannot render {what}: {exc}", location) from None
    if len(out) > MAX_TEXT:
        raise UserError(f"{what} renders to more than {MAX_TEXT:,} characters", location, "check its loops and expressions")
    return _normalise(out)


def undeclared_names(source: str) -> set[str]:
    """Names a template reads (for lint: undefined / unused parameters)."""
    if "{" not in source:
        return set()
    from jinja2 import meta

    try:
        return set(meta.find_undeclared_variables(_ENV.parse(source)))
    except TemplateSyntaxError:
        return set()


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")
