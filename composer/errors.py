"""One error hierarchy for hyoka.

Every error a user can cause is a :class:`UserError`. It carries a :class:`Location`
(file, line, key) and prints as ``assessments/juki.yaml:12: message (hint)``.
The CLI catches :class:`HyokaError` in one place, prints it and exits non-zero;
the library never prints and never exits.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from composer.batch import BuildResult

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Location:
    """Where something was written: a file, optionally a line and a key."""

    file: str
    line: int | None = None
    key: str | None = None

    def __str__(self) -> str:
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
        if self.key:
            text += f": {self.key}"
        return text

    @classmethod
    def of(cls, path: str | Path, line: int | None = None, key: str | None = None) -> Location:
        return cls(display_path(path), line, key)


_display_root: Path | None = None


def set_display_root(root: Path | None) -> None:
    """Paths under ``root`` are shown relative to it in messages."""
    global _display_root
    _display_root = root.resolve() if root is not None else None


def display_root() -> Path | None:
    """The directory messages show paths relative to (see :func:`set_display_root`)."""
    return _display_root


def display_path(path: str | Path) -> str:
    """A path as messages show it: relative to the workspace, or ``hyoka:…`` for bundled files."""
    return _display(str(path), _display_root)


@functools.lru_cache(maxsize=4096)
def _display(path: str, root: Path | None) -> str:
    # cached: a loader makes a Location for every key of a file, and resolving a path asks the disk
    p = Path(path)
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


class HyokaError(Exception):
    """Base of every error hyoka raises on purpose."""

    exit_code = 1


class UserError(HyokaError):
    """A mistake in the user's input: one line naming where, what, and what to do."""

    def __init__(
        self,
        message: str,
        location: Location | None = None,
        hint: str | None = None,
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

    def __str__(self) -> str:
        prefix = f"{self.location}: " if self.location else ""
        warn = "warning: " if self.severity == "warning" else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{prefix}{warn}{self.message}{hint}"

    def to_dict(self) -> dict[str, object]:
        loc = self.location
        return {
            "severity": self.severity,
            "code": self.code,
            "file": loc.file if loc else None,
            "line": loc.line if loc else None,
            "key": loc.key if loc else None,
            "message": self.message,
            "hint": self.hint,
        }


class ErrorList(HyokaError):
    """Several user errors found in one pass (``hyoka check`` reports them all)."""

    def __init__(self, errors: Iterable[UserError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))

    def __iter__(self) -> Iterator[UserError]:
        return iter(self.errors)


class WriteError(UserError):
    """A file could not be written (the previous file, if any, is unchanged)."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(
            f"cannot write: {reason}",
            Location.of(path),
            "check that the directory exists and is writable; the previous file, if any, is unchanged",
            code="write",
        )


class BuildError(HyokaError):
    """Some documents could not be written (their previous files are unchanged)."""

    def __init__(self, results: Sequence[BuildResult]) -> None:
        self.results = list(results)
        lines = [
            r.error if r.error.startswith(display_path(r.path)) else f"{display_path(r.path)}: could not write: {r.error} (the previous file, if any, is unchanged)"
            for r in self.results
        ]
        super().__init__("\n".join(lines))


class OutdatedError(HyokaError):
    """Raised by checks that signal 'something is outdated' (exit status 2)."""

    exit_code = 2


class Diagnostics:
    """Collects errors and warnings so a whole pass can report everything at once."""

    def __init__(self) -> None:
        self.items: list[UserError] = []

    def add(self, error: UserError) -> None:
        self.items.append(error)

    def error(self, message: str, location: Location | None = None, hint: str | None = None, code: str = "input") -> None:
        self.items.append(UserError(message, location, hint, "error", code))

    def warning(self, message: str, location: Location | None = None, hint: str | None = None, code: str = "input") -> None:
        self.items.append(UserError(message, location, hint, "warning", code))

    def extend(self, errors: Iterable[UserError]) -> None:
        self.items.extend(errors)

    @property
    def errors(self) -> list[UserError]:
        return [e for e in self.items if e.severity == "error"]

    @property
    def warnings(self) -> list[UserError]:
        return [e for e in self.items if e.severity == "warning"]

    def strict(self) -> Diagnostics:
        """The same findings, every warning made an error (``--strict``)."""
        out = Diagnostics()
        for d in self.items:
            out.error(d.message, d.location, d.hint, d.code)
        return out

    def raise_if_errors(self) -> None:
        errors = self.errors
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise ErrorList(errors)
