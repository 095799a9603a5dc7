"""One error hierarchy for hyoka.

Every error a user can cause is a :class:`UserError`. It carries a :class:`Location`
(file, line, key) and prints as ``assessments/juki.yaml:12: message (hint)``.
The CLI catches :class:`HyokaError` in one place, prints it and exits non-zero;
the library never prints and never exits.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from composer.i18n import Message, View, _

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Location:
    """Where something was written: a file, optionally a line and a key.

    ``file`` is the path as the loader opened it; a :class:`~composer.i18n.View` shows it
    relative to the workspace when the message is printed (:meth:`shown`).
    """

    file: str
    line: int | None = None
    key: str | None = None

    def __str__(self) -> str:  # the path as opened: a View shows it relative to a workspace
        return self.shown(View())

    def shown(self, view: View) -> str:
        text = view.path(self.file) if self.file else ""
        if self.line is not None:
            text += f":{self.line}"
        if self.key:
            text += f": {self.key}"
        return text

    @classmethod
    def of(cls, path: str | Path, line: int | None = None, key: str | None = None) -> Location:
        return cls(str(path), line, key)


class HyokaError(Exception):
    """Base of every error hyoka raises on purpose."""

    exit_code = 1

    def shown(self, view: View) -> str:
        """The error as a user reads it, in the view's language."""
        arg = self.args[0] if self.args else ""
        return view.text(arg) if isinstance(arg, Message) else str(self)


class UserError(HyokaError):
    """A mistake in the user's input: one line naming where, what, and what to do.

    ``message`` and ``hint`` are :class:`~composer.i18n.Message` objects (translated when
    shown) or plain text (the user's own words); :meth:`shown` prints the line in a view's
    language.
    """

    __slots__ = ("message", "location", "hint", "severity", "code")  # 35,000 documents' findings, each small

    def __init__(
        self,
        message: str | Message,
        location: Location | None = None,
        hint: str | Message | None = None,
        severity: Severity = "error",
        code: str = "input",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint
        self.severity = severity
        self.code = code

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # sent between processes (parallel builds) as a UserError that keeps where, what and the hint
        return (UserError, (self.message, self.location, self.hint, self.severity, self.code))

    def __str__(self) -> str:  # English, paths as opened (the CLI shows errors through its view)
        return self.shown(View())

    def shown(self, view: View) -> str:
        """The one line a user reads: ``file:line: key: [warning: ]message (hint)``."""
        prefix = f"{self.location.shown(view)}: " if self.location else ""
        warn = view.text(_("warning: ")) if self.severity == "warning" else ""
        hint = view.text(_(" ({hint})", hint=self.hint)) if self.hint else ""
        return f"{prefix}{warn}{view.text(self.message)}{hint}"

    def to_dict(self, view: View | None = None) -> dict[str, object]:
        """Stable English keys and message; ``localized_*`` in the view's language."""
        view = view or View()
        english = View("en", view.root)
        loc = self.location
        out: dict[str, object] = {
            "severity": self.severity,
            "code": self.code,
            "file": view.path(loc.file) if loc and loc.file else None,
            "line": loc.line if loc else None,
            "key": loc.key if loc else None,
            "message": english.text(self.message),
            "hint": english.text(self.hint) if self.hint is not None else None,
        }
        if view.language != "en":
            out["language"] = view.language
            out["localized_message"] = view.text(self.message)
            out["localized_hint"] = view.text(self.hint) if self.hint is not None else None
        return out


class ErrorList(HyokaError):
    """Several user errors found in one pass (``hyoka check`` reports them all).

    A command that refuses for a long list (publish over 204 open placeholders) gives
    ``more``: where the whole list is shown. The CLI then prints the first few and a count.
    """

    SHOWN = 5
    """How many of a summarised list the CLI prints."""

    def __init__(self, errors: Iterable[UserError], more: Message | None = None) -> None:
        self.errors = list(errors)
        self.more = more
        super().__init__("\n".join(str(e) for e in self.errors))

    def summarised(self) -> bool:
        return self.more is not None and len(self.errors) > self.SHOWN + 1

    def shown(self, view: View) -> str:
        return "\n".join(e.shown(view) for e in self.errors)

    def __iter__(self) -> Iterator[UserError]:
        return iter(self.errors)


class WriteError(UserError):
    """A file could not be written (the previous file, if any, is unchanged)."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(
            _("cannot write: {reason}", reason=reason),
            Location.of(path),
            _("check that the directory exists and is writable; the previous file, if any, is unchanged"),
            code="write",
        )


class FailedDocument(Protocol):
    """A document a build could not write: where it was to go, and why (in a view)."""

    @property
    def path(self) -> Path: ...

    def error_text(self, view: View) -> str: ...


class BuildError(HyokaError):
    """Some documents could not be written (their previous files are unchanged)."""

    def __init__(self, results: Sequence[FailedDocument]) -> None:
        self.results = list(results)
        super().__init__(self.shown(View()))

    def shown(self, view: View) -> str:
        lines = []
        for r in self.results:
            where, error = view.path(r.path), r.error_text(view)
            lines.append(error if error.startswith(where) else where + ": " + view.text(
                _("could not write: {error} (the previous file, if any, is unchanged)", error=error)))
        return "\n".join(lines)


class OutdatedError(HyokaError):
    """Raised by checks that signal 'something is outdated' (exit status 2)."""

    exit_code = 2


def strictly(problems: Iterable[UserError]) -> Iterator[UserError]:
    """The same problems, every warning made an error (``--strict``)."""
    for d in problems:
        yield d if d.severity == "error" else UserError(d.message, d.location, d.hint, "error", d.code)


class Diagnostics:
    """Collects errors and warnings so a whole pass can report everything at once."""

    def __init__(self) -> None:
        self.items: list[UserError] = []

    def add(self, error: UserError) -> None:
        self.items.append(error)

    def error(self, message: str | Message, location: Location | None = None, hint: str | Message | None = None, code: str = "input") -> None:
        self.items.append(UserError(message, location, hint, "error", code))

    def warning(self, message: str | Message, location: Location | None = None, hint: str | Message | None = None, code: str = "input") -> None:
        self.items.append(UserError(message, location, hint, "warning", code))

    def extend(self, errors: Iterable[UserError]) -> None:
        self.items.extend(errors)

    def take(self) -> list[UserError]:
        """What was collected so far, forgotten here (a pass that streams its problems prints them as they come)."""
        items, self.items = self.items, []
        return items

    @property
    def errors(self) -> list[UserError]:
        return [e for e in self.items if e.severity == "error"]

    @property
    def warnings(self) -> list[UserError]:
        return [e for e in self.items if e.severity == "warning"]

    def strict(self) -> Diagnostics:
        """The same findings, every warning made an error (``--strict``)."""
        out = Diagnostics()
        out.extend(strictly(self.items))
        return out

    def raise_if_errors(self) -> None:
        errors = self.errors
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise ErrorList(errors)
