"""Where each clause version is used: the pins of assessments, and which of them are outdated.

A :class:`ClauseUse` is one pin (``clause: ID@N``) in one item of one assessment, beside the
latest version its clause library offers. ``hyoka clauses where-used``, ``hyoka outdated``,
propagate and the yearly report read them; :func:`uses_of` looks at one loaded assessment,
so a caller can stream assessments and keep only the uses.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from composer.errors import Location
from composer.i18n import View
from composer.model import Assessment


@dataclass(frozen=True)
class ClauseUse:
    assessment: str
    item: str  # item ref, e.g. "juki:II.6.1"
    label: str
    clause: str
    version: int
    latest: int
    variant: bool
    location: Location | None
    library: str = ""  # the library the pinned version comes from
    latest_library: str = ""  # the library the latest version comes from

    @property
    def outdated(self) -> bool:
        return self.version < self.latest

    def to_dict(self, view: View | None = None) -> dict[str, object]:
        """As JSON: ``file`` relative to the view's root (the workspace, when the CLI asks)."""
        loc = self.location
        return {
            "assessment": self.assessment, "item": self.item, "clause": self.clause, "version": self.version,
            "latest": self.latest, "variant": self.variant,
            "file": (view or View()).path(loc.file) if loc else None, "line": loc.line if loc else None,
            "library": self.library, "latest_library": self.latest_library,
        }


def uses_of(ws: Any, a: Assessment, clause_id: str | None = None, only_outdated: bool = False) -> Iterator[ClauseUse]:
    """The pins of one assessment (of ``clause_id`` only, if given; ``only_outdated``: behind the latest)."""
    from composer.load.library import library_of

    for entry in a.items:
        for b in entry.blocks:
            if b.pin is None or (clause_id and b.pin.clause != clause_id):
                continue
            clause = ws.library.get(b.pin.clause)
            latest = clause.latest.number if clause else b.pin.version
            if only_outdated and not b.pin.version < latest:
                continue
            yield ClauseUse(a.name, entry.ref, entry.key, b.pin.clause, b.pin.version, latest, b.variant is not None,
                            b.location, library_of(clause, b.pin.version), library_of(clause, latest))
