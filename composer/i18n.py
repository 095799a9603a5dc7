"""Messages in the user's language: one gettext catalog per language, chosen when shown.

The library never decides the language. Where it reports something it builds a
:class:`Message` — the English text, which is the catalog's msgid, and its named
parameters — with :func:`_` (or :func:`_n` for a count)::

    raise UserError(_("{key} is not chosen yet"), loc, _("choose one before publishing"))

The message is translated only when it is shown, by a :class:`View`: the language and the
directory paths are shown relative to. The CLI makes one view per run (``language:`` in
hyoka.yaml, ``HYOKA_LANG``, ``--language`` or the locale, see :func:`choose_language`),
so scripts, the JSON output and the process pool all carry the same untranslated
messages, and two workspaces (a fleet) show their paths each from its own root.

Catalogs are ``composer/locale/<lang>/LC_MESSAGES/hyoka.po`` compiled to ``.mo``
(``python tools/i18n.py`` extracts, updates and compiles them with Babel); the stdlib
:mod:`gettext` reads them at run time.

Parameters: a :class:`~pathlib.Path` is shown as :meth:`View.path` shows it (relative to
the workspace, ``hyoka:clauses/…`` for the bundled library); a nested :class:`Message` is
translated with the same view; a list or tuple is joined with the language's separator
(``、`` or ``, ``); anything else is ``str()``-ed.
"""

from __future__ import annotations

import functools
import gettext
import locale
import os
import sys
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from string import Formatter

LANGUAGES = ("ja", "en")
"""The languages hyoka speaks; the first is the catalog staff read, the second the fallback."""

DOMAIN = "hyoka"
LOCALE_DIR = Path(__file__).parent / "locale"


@dataclass(frozen=True, slots=True)
class Message:
    """A message not yet translated: the English msgid and its named parameters."""

    msgid: str
    params: tuple[tuple[str, object], ...] = ()
    plural: str | None = None
    count: int | None = None

    def __str__(self) -> str:
        return View().text(self)

    def __eq__(self, other: object) -> bool:  # a message equals its English text
        if isinstance(other, str):
            return str(self) == other
        if isinstance(other, Message):
            return (self.msgid, self.params, self.plural, self.count) == (other.msgid, other.params, other.plural, other.count)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))

    def startswith(self, prefix: str) -> bool:  # what callers of recover() ask of the notice it returns
        return str(self).startswith(prefix)

    def __contains__(self, text: str) -> bool:
        return text in str(self)


def _(msgid: str, **params: object) -> Message:
    """A message to translate when shown; ``{name}`` placeholders are filled from ``params``."""
    return Message(msgid, tuple(params.items()))


def _n(singular: str, plural: str, count: int, **params: object) -> Message:
    """A message with a count: ``{count}`` is filled in; English picks singular or plural."""
    return Message(singular, tuple(params.items()) + (("count", count),), plural, count)


def N_(msgid: str) -> str:
    """Marks a literal for the catalog without translating it (help texts; translated when shown)."""
    return msgid


@functools.cache
def catalog(language: str) -> gettext.NullTranslations:
    """The compiled catalog of ``language`` (``en`` or ``ja``)."""
    try:
        return gettext.translation(DOMAIN, str(LOCALE_DIR), languages=[language])
    except OSError:
        return gettext.NullTranslations()


_FORMATTER = Formatter()


def fields(text: str) -> set[str]:
    """The placeholder names of a message (``{file}`` → ``file``)."""
    return {name.split(".")[0].split("[")[0] for _lit, name, _spec, _conv in _FORMATTER.parse(text) if name}


@dataclass(frozen=True)
class View:
    """How messages are shown: in which language, and paths relative to which directory."""

    language: str = "en"
    root: Path | None = field(default=None)

    def __post_init__(self) -> None:
        if self.root is not None:  # resolved once, not for every path shown
            object.__setattr__(self, "root", self.root.resolve())

    def translate(self, msgid: str, plural: str | None = None, count: int | None = None) -> str:
        cat = catalog(self.language)
        if plural is not None:
            return cat.ngettext(msgid, plural, count if count is not None else 1)
        return cat.gettext(msgid)

    def text(self, message: str | Message | None) -> str:
        """A message in this view's language; a plain string is shown as it is."""
        if message is None:
            return ""
        if not isinstance(message, Message):
            return str(message)
        template = self.translate(message.msgid, message.plural, message.count)
        if not message.params:
            return template
        values = _Missing({k: self.value(v) for k, v in message.params})
        words = {k for k, v in message.params if isinstance(v, Message)}
        try:
            return self._fill(template, values, words)
        except (ValueError, IndexError, KeyError, AttributeError):  # a broken catalog entry: keep the English
            return message.msgid.format_map(values)

    def _fill(self, template: str, values: Mapping[str, object], words: Iterable[str] = ()) -> str:
        """``template.format_map(values)``; in Japanese, a space the template puts between a
        placeholder and a Japanese word is dropped when the value is a translated word (one of
        ``words``: 「'{key}' は {what} で」 with 評価書 reads 「は評価書で」). A value the user
        wrote (a form's name, a choice) keeps its spaces, so it stands apart."""
        words = set(words)
        parts: list[tuple[str, str]] = []  # (text, "literal" | "word" | "value")
        for literal, name, spec, conversion in _FORMATTER.parse(template):
            if literal:
                parts.append((literal, "literal"))
            if name is not None:
                if name == "":
                    raise ValueError("positional placeholder")
                obj, _key = _FORMATTER.get_field(name, (), values)
                if conversion:
                    obj = _FORMATTER.convert_field(obj, conversion)
                kind = "word" if name.split(".")[0].split("[")[0] in words else "value"
                parts.append((_FORMATTER.format_field(obj, spec or ""), kind))
        if self.language != "ja":
            return "".join(text for text, _kind in parts)
        out = []
        for i, (text, kind) in enumerate(parts):
            if kind == "literal":
                before = parts[i - 1] if i > 0 else ("", "")
                after = parts[i + 1] if i + 1 < len(parts) else ("", "")
                if text.startswith(" ") and before[1] == "word" and _wide(before[0][-1:]) and _wide(text[1:2]):
                    text = text[1:]
                if text.endswith(" ") and after[1] == "word" and _wide(after[0][:1]) and _wide(text[-2:-1]):
                    text = text[:-1]
            out.append(text)
        return "".join(out)

    def value(self, v: object) -> object:
        """A parameter as the message shows it; other values stay as they are (``{n!r}``, ``{x:>3}`` apply)."""
        if isinstance(v, Message):
            return self.text(v)
        if isinstance(v, Path):
            return self.path(v)
        if isinstance(v, (list, tuple)):
            return self.join(str(self.value(x)) for x in v)
        shown = getattr(v, "shown", None)  # a Location: relative to this view's root
        if callable(shown):
            return shown(self)
        return v

    def join(self, items: Iterable[str]) -> str:
        return ("、" if self.language == "ja" else ", ").join(items)

    def path(self, path: str | Path) -> str:
        """A path as messages show it: relative to the root, or ``hyoka:…`` for bundled files."""
        return shown_path(str(path), self.root)


def _wide(ch: str) -> bool:
    return bool(ch) and unicodedata.east_asian_width(ch) in "WF"


class _Missing(dict):  # type: ignore[type-arg]
    """Formatting never fails on a placeholder a translation adds: it shows as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@functools.lru_cache(maxsize=8192)
def shown_path(path: str, root: Path | None) -> str:
    # cached: showing a path asks the disk (resolve)
    p = Path(path)
    if path.startswith("hyoka:") or not path:
        return path
    resolved = p.resolve()
    if root is not None:
        try:
            return resolved.relative_to(root).as_posix()
        except ValueError:
            pass
    for bundled, name in _bundled():
        try:
            return f"hyoka:{name}/{resolved.relative_to(bundled).as_posix()}"
        except ValueError:
            continue
    return str(p)


@functools.lru_cache(maxsize=1)
def _bundled() -> tuple[tuple[Path, str], ...]:
    from composer.resources import stock_clauses_dir, templates_dir

    return ((stock_clauses_dir().resolve(), "clauses"), (templates_dir().resolve(), "templates"))


def language_of_locale(name: str | None) -> str | None:
    """``ja`` or ``en`` for a locale name (``ja_JP.UTF-8``, ``Japanese_Japan.932``, ``en_US``), None if neutral."""
    if not name:
        return None
    head = name.split(".")[0].split("@")[0].strip().lower()
    if head in ("", "c", "posix"):
        return None
    if head.startswith(("ja", "japanese")):
        return "ja"
    return "en"


def system_language(environ: Mapping[str, str] | None = None) -> str | None:
    """The language the environment asks for, or None for a neutral locale (C, POSIX, C.UTF-8, unset).

    ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` and ``LANGUAGE`` are read in gettext's order; on
    Windows, where they are usually unset, the user's locale as Windows reports it.
    """
    env = os.environ if environ is None else environ
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            lang = language_of_locale(value.split(":")[0])
            if lang or var != "LANGUAGE":
                return lang
    if sys.platform == "win32" and environ is None:  # pragma: no cover - Windows only
        try:
            return language_of_locale(locale.getlocale()[0] or locale.getdefaultlocale()[0])  # type: ignore[attr-defined]
        except (ValueError, AttributeError):
            return None
    return None


DEFAULT_LANGUAGE = "en"
"""For a neutral locale (C, POSIX, C.UTF-8): see docs/language.md for why."""


def choose_language(
    option: str | None = None, setting: str | None = None, environ: Mapping[str, str] | None = None
) -> str:
    """The language of a run: ``--language``, then ``HYOKA_LANG``, then ``language:`` in
    hyoka.yaml, then the locale; English for a neutral locale."""
    env = os.environ if environ is None else environ
    for value in (option, env.get("HYOKA_LANG"), setting):
        if value:
            lang = language_of_locale(value)
            if lang:
                return lang
    return system_language(environ) or DEFAULT_LANGUAGE
