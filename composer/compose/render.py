"""Rendering texts: Jinja2 in a sandbox, strict about undefined names.

Every clause text, change note and local text is a template. Templates come only
from strings in clause and assessment files (and, for documents, from the bundled
``templates/`` folder); none can reach Python internals, and an undefined name is an
error that names the file and line where the text was written.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import Environment, StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError, nodes
from jinja2.exceptions import SecurityError
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from composer.errors import ErrorList, Location, UserError
from composer.i18n import Message, _

_UNKNOWN_TERM = re.compile(r"^'dict object' has no attribute '(.+)'$")

# Limits, enforced while a template runs (docs/formats.md, "Limits"). A 全項目評価書 of
# about 60 pages holds some 100,000 characters in all; its longest text a few thousand.
MAX_TEXT = 200_000  # characters one text (block, heading, note) may render to, or any value it builds
MAX_DOCUMENT = 2_000_000  # characters all texts of one assessment may render to together
MAX_RANGE = 10_000  # items range() may produce
MAX_STEPS = 100_000  # loop iterations plus calls one text may run
MAX_DOCUMENT_STEPS = 300_000  # loop iterations plus calls of all texts of one assessment
MAX_SECONDS = 1.0  # run time of one text
_BIG_WIDTH = re.compile(r"[0-9]{6,}")  # a format width of 100,000 or more
# filters whose run time cannot be bounded (wordwrap, urlize), that are not reproducible
# (random) or that print Python internals (pprint, xmlattr): no text of a 評価書 needs them
REMOVED_FILTERS = frozenset(["wordwrap", "urlize", "random", "pprint", "xmlattr"])
# str methods whose result can grow by a product of their input and argument
UNSAFE_STR_METHODS = frozenset(["expandtabs", "translate", "maketrans"])
# filters that pass items on without printing them (others check what they are given first)
STRUCTURAL_FILTERS = frozenset([
    "length", "count", "first", "last", "list", "batch", "slice", "sort", "unique", "reverse", "map", "select",
    "reject", "selectattr", "rejectattr", "groupby", "min", "max", "sum", "items", "dictsort", "default", "d",
    "attr", "join", "abs", "int", "float", "round", "wordcount",
])


class LimitExceeded(ErrorList):
    """An assessment as a whole exceeds a document limit: reported once, composing stops."""


@dataclass
class _Budget:
    steps: int
    chars: int
    deadline: float
    what: str | Message = "text"
    location: Location | None = None


_TEXT: ContextVar[_Budget | None] = ContextVar("hyoka_text_budget", default=None)
_DOCUMENT: ContextVar[_Budget | None] = ContextVar("hyoka_document_budget", default=None)


@contextmanager
def document_limits(what: str | Message, location: Location | None = None) -> Iterator[None]:
    """Count every text rendered inside against the per-document limits."""
    token = _DOCUMENT.set(_Budget(MAX_DOCUMENT_STEPS, MAX_DOCUMENT, float("inf"), what, location))
    try:
        yield
    finally:
        _DOCUMENT.reset(token)


def _step(n: int = 1) -> None:
    budget = _TEXT.get()
    if budget is None:
        return
    budget.steps -= n
    if budget.steps < 0:
        raise SecurityError(_("it runs more than {limit} loop iterations and calls", limit=format(MAX_STEPS, ",")))
    if budget.steps % 1024 == 0 and time.monotonic() > budget.deadline:
        raise SecurityError(_("it runs longer than {seconds} s", seconds=format(MAX_SECONDS, "g")))
    doc = _DOCUMENT.get()
    if doc is not None:
        doc.steps -= n
        if doc.steps < 0:
            _document_exceeded(
                doc, _("its texts run more than {limit} loop iterations and calls together", limit=format(MAX_DOCUMENT_STEPS, ","))
            )


def _document_exceeded(doc: _Budget, why: Message) -> None:
    raise LimitExceeded(
        [UserError(_("{what}: {why}", what=doc.what, why=why), doc.location, _("check the loops and expressions of its texts"))]
    )


def _weight(value: Any, limit: int = MAX_TEXT) -> int:
    """Characters ``value`` prints as (an upper bound, shared parts counted each time); stops past ``limit``."""
    total = 0
    stack = [value]
    while stack and total <= limit:
        v = stack.pop()
        if isinstance(v, str):
            total += len(v)
        elif isinstance(v, (list, tuple)):
            total += 2 + 2 * len(v)
            stack.extend(v)
        elif isinstance(v, dict):
            total += 2 + 4 * len(v)
            stack.extend(v.keys())
            stack.extend(v.values())
        else:
            total += 24
    return total


def _check_format(fmt: str, values: Any) -> None:
    """Refuse a format whose result could exceed the limit (each field at most the longest value)."""
    if _BIG_WIDTH.search(fmt):
        raise SecurityError(_("format width too large"))
    items = list(values.values()) if isinstance(values, dict) else list(values) if isinstance(values, (list, tuple)) else [values]
    fields = fmt.count("{") + fmt.count("%")
    longest = max((_weight(v) for v in items), default=0)
    if len(fmt) + fields * longest > MAX_TEXT:
        raise SecurityError(_("the formatted text could be longer than {limit} characters", limit=format(MAX_TEXT, ",")))


def _check_join(sep: Any, items: list[Any]) -> None:
    if len(str(sep)) * max(len(items) - 1, 0) + sum(_weight(x) for x in items) > MAX_TEXT:
        raise SecurityError(_("the joined text is longer than {limit} characters", limit=format(MAX_TEXT, ",")))


def _check_size(value: Any) -> Any:
    if isinstance(value, (str, list, tuple)) and len(value) > MAX_TEXT:
        raise SecurityError(_("a value longer than {limit} characters or items", limit=format(MAX_TEXT, ",")))
    return value


def _check_args(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    for a in (*args, *kwargs.values()):
        if isinstance(a, int) and not isinstance(a, bool) and abs(a) > MAX_TEXT:
            raise SecurityError(_("an argument above {limit}", limit=format(MAX_TEXT, ",")))


def _check_replace(obj: Any, args: tuple[Any, ...]) -> None:
    if isinstance(obj, str) and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        count = obj.count(args[0]) if args[0] else len(obj) + 1
        if len(obj) + count * (len(args[1]) - len(args[0])) > MAX_TEXT:
            raise SecurityError(_("the replacement is longer than {limit} characters", limit=format(MAX_TEXT, ",")))


def _guard_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _step()
        _check_args(args, kwargs)
        values = [a for a in args if not isinstance(a, (Context, Environment, EvalContext))]
        if name == "replace" and values:
            _check_replace(values[0], tuple(values[1:]))
        if values and name not in STRUCTURAL_FILTERS and _weight(values[0]) > MAX_TEXT:
            raise SecurityError(_("a value longer than {limit} characters", limit=format(MAX_TEXT, ",")))
        if name == "format" and values and isinstance(values[0], str):
            _check_format(values[0], [*values[1:], *kwargs.values()])
        if name == "indent" and values and isinstance(values[0], str):
            width = values[1] if len(values) > 1 else kwargs.get("width", 4)
            width = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
            if len(values[0]) + (values[0].count("\n") + 1) * width > MAX_TEXT:
                raise SecurityError(_("the indented text is longer than {limit} characters", limit=format(MAX_TEXT, ",")))
        if name == "join" and values:
            items = list(values[0])
            _check_join(values[1] if len(values) > 1 else kwargs.get("d", ""), items)
            args = tuple(items if a is values[0] else a for a in args)
        return _check_size(func(*args, **kwargs))

    return guarded


def _finalize(value: Any) -> Any:
    """Every ``{{ }}`` value, before it is printed: refuse one that would print too long."""
    if not isinstance(value, str) and _weight(value) > MAX_TEXT:
        raise SecurityError(_("a value that prints longer than {limit} characters", limit=format(MAX_TEXT, ",")))
    return value


def _bounded_range(*args: int) -> range:
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise SecurityError(_("range() of more than {limit} items", limit=format(MAX_RANGE, ",")))
    return r


def _guard_iter(iterable: Any) -> Iterator[Any]:
    for item in iterable:
        _step()
        yield item


def _guard_concat(parts: list[Any]) -> str:
    total = 0
    out = []
    for p in parts:
        if _weight(p, MAX_TEXT - total) > MAX_TEXT - total:
            raise SecurityError(_("a value longer than {limit} characters", limit=format(MAX_TEXT, ",")))
        text = str(p)
        total += len(text)
        if total > MAX_TEXT:
            raise SecurityError(_("a value longer than {limit} characters", limit=format(MAX_TEXT, ",")))
        out.append(text)
    return "".join(out)


class _Environment(SandboxedEnvironment):
    """The sandbox, also bounding what a template may build and how long it may run.

    Loops and ``~`` are rewritten at parse time to go through guards; calls, filters and
    the arithmetic operators that can build large values check their arguments first.
    """

    intercepted_binops = frozenset(["*", "**", "+", "%"])

    def __init__(self, **options: Any) -> None:
        options.setdefault("finalize", _finalize)
        super().__init__(**options)
        self.filters = {name: _guard_filter(name, f) for name, f in self.filters.items() if name not in REMOVED_FILTERS}
        self.globals["range"] = _bounded_range
        self.globals.pop("lipsum", None)  # random text: never in a 評価書
        self.guard_iter = _guard_iter
        self.guard_concat = _guard_concat

    def _parse(self, source, name, filename):  # type: ignore[no-untyped-def]
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.EnvironmentAttribute("guard_iter"), [loop.iter], [], None, None, lineno=loop.lineno)
        for concat in list(tree.find_all(nodes.Concat)):
            call = nodes.Call(nodes.EnvironmentAttribute("guard_concat"), [nodes.List(concat.nodes)], [], None, None, lineno=concat.lineno)
            _replace_node(tree, concat, call)
        return tree

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        fmt = value.__self__

        def bounded(*args: Any, **kwargs: Any) -> str:
            _check_format(fmt, [*args, *kwargs.values()] if value.__name__ == "format" else (args[0] if args else {}))
            return wrapped(*args, **kwargs)

        return bounded

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, str) and attr in UNSAFE_STR_METHODS:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def call_binop(self, context, operator, left, right):  # type: ignore[no-untyped-def]
        _step()
        if operator == "**" and isinstance(right, int) and abs(right) > 64:
            raise SecurityError(_("exponent too large"))
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and _weight(seq) * n > MAX_TEXT:
                    raise SecurityError(_("result too long"))
        if operator == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
            if _weight(left) + _weight(right) > MAX_TEXT:
                raise SecurityError(_("result too long"))
        if operator == "%" and isinstance(left, str):
            _check_format(left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context, __obj, *args, **kwargs):  # type: ignore[no-untyped-def]  # noqa: N805
        _step()
        _check_args(args, kwargs)
        if getattr(__obj, "__name__", "") == "replace":
            _check_replace(getattr(__obj, "__self__", None), args)
        if getattr(__obj, "__name__", "") == "join" and isinstance(getattr(__obj, "__self__", None), str) and args:
            items = list(args[0])
            _check_join(__obj.__self__, items)
            args = (items, *args[1:])
        return _check_size(SandboxedEnvironment.call(__self, __context, __obj, *args, **kwargs))


def _replace_node(tree: nodes.Node, old: nodes.Node, new: nodes.Node) -> None:
    for parent in tree.find_all(nodes.Node):
        for field_name, value in parent.iter_fields():
            if value is old:
                setattr(parent, field_name, new)
                return
            if isinstance(value, list):
                for i, v in enumerate(value):
                    if v is old:
                        value[i] = new
                        return
    if tree is old:  # pragma: no cover - a template is never a bare Concat
        raise AssertionError


_ENV = _Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)


@lru_cache(maxsize=4096)
def _compile(source: str):  # type: ignore[no-untyped-def]
    return _ENV.from_string(source)


def _at(location: Location | None, lineno: int | None) -> Location | None:
    if location is None or location.line is None or not lineno:
        return location
    return Location(location.file, location.line + lineno - 1, location.key)


def _run(template: Any, context: Mapping[str, Any], what: str | Message) -> str:
    """Render, counting output as it is produced: a text stops at its limit, not after."""
    budget = _Budget(MAX_STEPS, MAX_TEXT, time.monotonic() + MAX_SECONDS)
    token = _TEXT.set(budget)
    try:
        out: list[str] = []
        size = 0
        for chunk in template.generate(context):
            size += len(chunk)
            _charge_document(len(chunk))
            if size > MAX_TEXT:
                raise SecurityError(_("it renders to more than {limit} characters", limit=format(MAX_TEXT, ",")))
            if time.monotonic() > budget.deadline:
                raise SecurityError(_("it runs longer than {seconds} s", seconds=format(MAX_SECONDS, "g")))
            out.append(chunk)
        return "".join(out)
    finally:
        _TEXT.reset(token)


def _charge_document(n: int) -> None:
    doc = _DOCUMENT.get()
    if doc is None:
        return
    doc.chars -= n
    if doc.chars < 0:
        _document_exceeded(doc, _("its texts render to more than {limit} characters together", limit=format(MAX_DOCUMENT, ",")))


def render_text(source: str, context: Mapping[str, Any], location: Location | None, what: str | Message | None = None) -> str:
    """Render one template; normalise line ends and trailing newlines.

    ``what`` names the text in messages ("local text", "clause X@N"; default "text").
    """
    if what is None:
        what = _("text")
    if "{" not in source:  # fast path: plain text needs no template engine
        _charge_document(len(source))
        return _normalise(source)
    try:
        out = _run(_compile(source), context, what)  # charges the document budget as it goes
    except SecurityError as exc:
        reason = exc.message if isinstance(exc.message, Message) else str(exc)  # jinja's own words stay as they are
        raise UserError(
            _("unsafe expression in {what}: {reason}", what=what, reason=reason),
            location,
            _("templates may only use parameters and terms; check its loops and expressions"),
        ) from None
    except UndefinedError as exc:
        term = _UNKNOWN_TERM.match(exc.message or "")
        terms = context.get("term")
        if term and isinstance(terms, dict) and term.group(1) not in terms:
            have = sorted(terms) or _("none")
            raise UserError(
                _("unknown glossary term '{term}' in {what}", term=term.group(1), what=what),
                location,
                _("define it under terms: in hyoka.yaml (have: {have})", have=have),
            ) from None
        names = sorted(k for k in context if not k.startswith("_")) or _("none")
        raise UserError(
            _("undefined name in {what}: {error}", what=what, error=exc.message),
            location,
            _("declare it as a parameter or give a value (available: {names})", names=names),
        ) from None
    except TemplateSyntaxError as exc:
        raise UserError(
            _("template syntax error in {what}: {error}", what=what, error=exc.message),
            _at(location, exc.lineno),
            _("fix the {{ }} expression"),
        ) from None
    except TemplateError as exc:
        raise UserError(_("cannot render {what}: {error}", what=what, error=str(exc)), location) from None
    except RecursionError:
        raise UserError(_("cannot render {what}: it recurses too deeply", what=what), location, _("check its macros")) from None
    except (TypeError, ValueError, AttributeError, ArithmeticError, LookupError, AssertionError, MemoryError) as exc:
        raise UserError(
            _("cannot render {what}: {kind}: {error}", what=what, kind=type(exc).__name__, error=str(exc)),
            location,
            _("check the arguments of its filters and expressions"),
        ) from None
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
