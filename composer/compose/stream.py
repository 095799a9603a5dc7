"""Load and compose assessments one at a time (what check, lint and outdated stream through).

Nothing here holds more than one assessment: a caller that needs something of every
assessment keeps its own small summary of each (findings, pinned versions, しきい値 answers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from composer.compose.assemble import Composer
from composer.errors import Diagnostics, UserError
from composer.i18n import Message
from composer.load.assessment import load_assessment
from composer.model import Assessment, ComposedAssessment

# ``progress(done, total)``: called after each assessment (loaded or not); the library never prints
Progress = Callable[[int, int], None]


class ErrorsOnly(Diagnostics):
    """Diagnostics that keep the errors only (for a pass that reports no loader warnings)."""

    def add(self, error: UserError) -> None:
        if error.severity == "error":
            self.items.append(error)

    def error(self, message: str | Message, location: Any = None, hint: str | Message | None = None, code: str = "input") -> None:
        self.add(UserError(message, location, hint, "error", code))

    def warning(self, message: str | Message, location: Any = None, hint: str | Message | None = None, code: str = "input") -> None:
        pass

    def extend(self, errors: Iterable[UserError]) -> None:
        for e in errors:
            self.add(e)


def load_each(ws: Any, names: Iterable[str] | None, diag: Diagnostics, progress: Progress | None = None) -> Iterator[Assessment]:
    """Every (or each named) assessment of ``ws`` that loads, one at a time; problems go to ``diag``.

    ``progress(done, total)`` is called once the caller is done with each one (and for each
    that does not load).
    """
    todo = list(names) if names else ws.assessment_names()
    total = len(todo)
    for done, name in enumerate(todo, 1):
        a = load_one(ws, name, diag)
        if a is not None:
            yield a
        if progress is not None:
            progress(done, total)


def load_one(ws: Any, name: str, diag: Diagnostics) -> Assessment | None:
    """The assessment ``name`` of ``ws``, or None when it does not load; its problems go to ``diag``."""
    try:
        path = ws.assessment_path(name)
    except UserError as exc:
        diag.add(exc)
        return None
    return load_assessment(path, diag, ws.form_dirs)


def compose_one(comp: Composer, a: Assessment, diag: Diagnostics) -> ComposedAssessment | None:
    """``a`` composed, or None when composing found an error; every problem goes to ``diag``.

    An assessment whose loading had errors is still composed, as far as it goes.
    """
    own = Diagnostics()
    composed = comp.compose(a, own)
    diag.extend(own.items)
    return None if own.errors else composed


def compose_each(
    ws: Any,
    names: Iterable[str] | None,
    diag: Diagnostics,
    compose_diag: Diagnostics | None = None,
    progress: Progress | None = None,
) -> Iterator[tuple[Assessment, ComposedAssessment]]:
    """Every (or each named) assessment that loads and composes without error, one at a time.

    Loading problems go to ``diag``, composing problems to ``compose_diag`` (default: ``diag``);
    an assessment with an error is not yielded. ``progress`` as for :func:`load_each`.
    """
    comp = Composer.for_workspace(ws)
    later = diag if compose_diag is None else compose_diag
    for a in load_each(ws, names, diag, progress):
        composed = compose_one(comp, a, later)
        if composed is not None:
            yield a, composed
