"""Check over many assessments: each loaded, composed, summarized and linted on its own,
in this process or, with ``jobs`` > 1, in worker processes that receive names (:mod:`composer.workers`).

What comes back of an assessment is an :class:`Assessed`: its problems in report order and
the little the workspace-wide steps need of it (its しきい値 summary, the clause versions it
pins). The results come in the order of the names whatever the number of workers, so a check
prints the same with -j 1 and -j N; the workspace-wide steps (the しきい値 of each 事務, the
clauses in scope, the workspace lint rules) run in the parent once every assessment is seen.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from composer import workers
from composer.compose.stream import Progress
from composer.errors import Diagnostics, UserError
from composer.threshold import Member


@dataclass(frozen=True)
class CheckSettings:
    """What a worker needs to check assessments of one workspace (picklable)."""

    root: Path
    names: tuple[str, ...] | None  # the names asked for (lint's clause scope), None for all
    lint: bool
    members: bool  # keep each assessment's しきい値 summary (a check of the whole workspace)


@dataclass(frozen=True)
class Assessed:
    """One assessment checked: its problems (loading and composing, then lint's), and what the workspace steps need."""

    problems: tuple[UserError, ...]
    member: Member | None = None  # its しきい値 summary, when asked for and it composed
    pinned: frozenset[tuple[str | None, int | None]] = frozenset()  # the clause versions it pins (lint)


class _Checker:
    """Checks one assessment at a time; a process's own (the workspace loaded once)."""

    def __init__(self, settings: CheckSettings, ws: Any = None) -> None:
        from composer.compose.assemble import Composer
        from composer.load.workspace import load_workspace

        self.settings = settings
        self.ws = ws if ws is not None else load_workspace(settings.root, Diagnostics())  # its problems are the parent's to say
        self.composer = Composer.for_workspace(self.ws)
        self.linter = None
        if settings.lint:
            from composer.lint.engine import Linter

            self.linter = Linter(self.ws, list(settings.names) if settings.names else None, fixes=False)

    def __call__(self, name: str) -> Assessed:
        from composer.compose.stream import compose_one, load_one
        from composer.threshold import member_of

        ws, diag = self.ws, Diagnostics()
        a = load_one(ws, name, diag)
        composed = compose_one(self.composer, a, diag) if a is not None else None
        if a is None or composed is None:
            return Assessed(tuple(diag.items))
        member = member_of(a, ws.form_dirs) if self.settings.members else None
        if self.linter is None:
            return Assessed(tuple(diag.items), member)
        findings = self.linter.add(a, composed)
        return Assessed((*diag.items, *findings), member, self.linter.kept())


# per worker process: its checker (made once by the pool's initializer)
_worker: list[_Checker] = []


def _worker_init(settings: CheckSettings) -> None:
    workers.end_with_parent()
    _worker[:] = [_Checker(settings)]


def _check_chunk(names: list[str]) -> list[Assessed]:
    return [_worker[0](name) for name in names]


def check_each(ws: Any, names: Sequence[str], settings: CheckSettings, jobs: int = 1,
               progress: Progress | None = None) -> Iterator[Assessed]:
    """Each of ``names`` checked, in their order; ``progress(done, total)`` once the caller is done with each."""
    total = len(names)
    if jobs > 1 and total > 1:
        n = min(jobs, total)
        with workers.pool(n, _worker_init, (settings,)) as pool:
            yield from _counted(workers.in_order(pool, _check_chunk, names, n, workers.chunk_size(total, n)), total, progress)
    else:
        check = _Checker(settings, ws)
        yield from _counted((check(name) for name in names), total, progress)


def _counted(results: Iterator[Assessed], total: int, progress: Progress | None) -> Iterator[Assessed]:
    for done, result in enumerate(results, 1):
        yield result
        if progress is not None:
            progress(done, total)


__all__ = ["Assessed", "CheckSettings", "check_each"]
