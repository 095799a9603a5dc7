"""Small helpers shared by the loaders: typed field access with located errors."""

from __future__ import annotations

import datetime as _dt
import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from composer.errors import Diagnostics, Location
from composer.i18n import Message, _
from composer.load.yamlio import YList, YMap


def suggest(word: str, candidates: Iterable[str]) -> str | None:
    """A 'did you mean' suggestion, or None."""
    pool = list(candidates)
    found = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(word: str, candidates: Iterable[str]) -> Message | None:
    best = suggest(word, candidates)
    return _("did you mean '{best}'?", best=best) if best else None


def one_of(choices: Iterable[str]) -> Message | str:
    """``a``, ``a or b``, ``a or b or c`` … in the language shown (the choices as written)."""
    items = [str(c) for c in choices]
    if not items:
        return ""
    out: Message | str = items[0]
    for item in items[1:]:
        out = _("{first} or {second}", first=out, second=item)
    return out


_str = str
_list = list


class Fields:
    """Read fields of one YAML mapping, recording located errors in ``diag``.

    Unknown keys are reported with a suggestion; wrong types name the key and line.
    """

    def __init__(
        self, data: Any, path: Path, diag: Diagnostics, what: str | Message, allowed: Iterable[str], line: int | None = None
    ) -> None:
        self.path = path
        self.diag = diag
        self.what = what
        self.ok = isinstance(data, YMap)
        self.data: YMap = data if isinstance(data, YMap) else YMap()
        if not self.ok:
            diag.error(
                _("{what} must be a mapping of keys, found {found}", what=what, found=type_name(data)),
                Location.of(path, getattr(data, "line", line)),
            )
            return
        allowed = list(allowed)
        for key in self.data:
            if key not in allowed:
                diag.error(
                    _("unknown key '{key}' in {what}", key=key, what=what),
                    Location.of(path, self.data.line_of(key), str(key)),
                    did_you_mean(str(key), allowed) or _("allowed keys: {keys}", keys=allowed),
                )

    def loc(self, key: str | None = None) -> Location:
        line = self.data.line_of(key) if key is not None else self.data.line
        return Location.of(self.path, line, key)

    def missing(self, key: str) -> None:
        """Report that a required ``key`` is not there."""
        self.diag.error(_("missing required key '{key}' in {what}", key=key, what=self.what), self.loc(), _("add '{key}:'", key=key))

    def has(self, key: str) -> bool:
        return key in self.data

    def str(self, key: str, required: bool = False, default: str = "") -> str:
        if key not in self.data or self.data[key] is None:
            if required and self.ok:
                self.missing(key)
            return default
        value = self.data[key]
        if isinstance(value, bool) or isinstance(value, (YMap, YList)):
            self.diag.error(_("'{key}' must be text, found {found}", key=key, found=type_name(value)), self.loc(key))
            return default
        return str(value)

    def int(self, key: _str, required: bool = False) -> int | None:
        value = self.data.get(key)
        if value is None:
            if required and self.ok:
                self.missing(key)
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.diag.error(_("'{key}' must be a whole number, found {value}", key=key, value=repr(value)), self.loc(key))
            return None
        return value

    def bool(self, key: _str, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.diag.error(_("'{key}' must be true or false, found {value}", key=key, value=repr(value)), self.loc(key))
            return default
        return value

    def choice(self, key: _str, allowed: tuple[_str, ...]) -> _str | None:
        """A value that must be one of ``allowed`` (None when absent or wrong)."""
        value = self.str(key) or None
        if value is not None and value not in allowed:
            self.diag.error(_("{key} must be {choices}, not '{value}'", key=key, choices=one_of(allowed), value=value), self.loc(key))
            return None
        return value

    def map(self, key: _str) -> YMap:
        value = self.data.get(key)
        if value is None:
            return YMap()
        if not isinstance(value, YMap):
            self.diag.error(_("'{key}' must be a mapping, found {found}", key=key, found=type_name(value)), self.loc(key))
            return YMap()
        return value

    def list(self, key: _str) -> YList:
        value = self.data.get(key)
        if value is None:
            return YList()
        if not isinstance(value, YList):
            self.diag.error(_("'{key}' must be a list, found {found}", key=key, found=type_name(value)), self.loc(key))
            return YList()
        return value

    def str_list(self, key: _str) -> tuple[_str, ...]:
        out = []
        for i, v in enumerate(self.list(key)):
            if isinstance(v, (YMap, YList)) or v is None:
                self.diag.error(_("'{key}' entries must be text", key=key), Location.of(self.path, self.list(key).line_of(i), key))
                continue
            out.append(str(v))
        return tuple(out)

    def str_map(self, key: _str) -> dict[_str, _str]:
        m = self.map(key)
        out: dict[_str, _str] = {}
        for k, v in m.items():
            if isinstance(v, (YMap, YList)):
                name = f"{key}.{k}"
                self.diag.error(_("'{key}' must be text", key=name), Location.of(self.path, m.line_of(k), name))
                continue
            out[str(k)] = "" if v is None else str(v)
        return out


def scalar_text(value: Any) -> str:
    """A scalar as text: dates as YYYY-MM-DD (YAML reads them as dates), None as ""."""
    if value is None:
        return ""
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()[:10]
    return str(value)


def type_name(value: Any) -> Message:
    """What a value is, for 'found …' in a message."""
    if isinstance(value, YMap) or isinstance(value, dict):
        return _("a mapping")
    if isinstance(value, YList) or isinstance(value, list):
        return _("a list")
    if value is None:
        return _("nothing")
    if isinstance(value, bool):
        return _("true/false")
    if isinstance(value, (int, float)):
        return _("the number {value}", value=value)
    return _("'{value}'", value=value)


IDENT = re.compile(r"^[^\W\d]\w*$")


def is_identifier(name: str) -> bool:
    return bool(IDENT.match(name))


def confined(path: Path, root: Path) -> bool:
    """True when ``path``, with every link resolved, lies inside ``root``."""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True
