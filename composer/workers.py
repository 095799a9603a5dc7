"""Worker processes for work done name by name: ``build -j N`` and ``check -j N``.

The workers are spawned (what Windows does, and no copy of the parent's heap), each loads
what it needs once (the pool's initializer) and ends when its parent ends. They receive
names in small chunks, and at most a few chunks a worker wait to be done, so what is held
does not grow with the number of names: the results come back either as the workers finish
them (:func:`as_done`) or in the order of the work (:func:`in_order`).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from itertools import islice
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

AHEAD = 4  # chunks a worker may have waiting


def pool(jobs: int, initializer: Callable[..., None], initargs: tuple[Any, ...]) -> ProcessPoolExecutor:
    """``jobs`` spawned workers, each set up by ``initializer(*initargs)`` (which should call :func:`end_with_parent`)."""
    import multiprocessing

    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"), initializer=initializer,
                               initargs=initargs)


def end_with_parent() -> None:
    """End this worker process when its parent ends (killed, or crashed), on every platform."""
    import multiprocessing
    import threading
    from multiprocessing.connection import wait as wait_for

    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait_for([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="hyoka-parent-watch", daemon=True).start()


def chunk_size(todo: int, jobs: int) -> int:
    """Small chunks: a worker that ends early takes more, so the workers finish within a few names of each other
    (chunks of a 16th of a worker's share, at most 8 names; larger ones left one worker about 7 % behind)."""
    return max(1, min(8, todo // (16 * jobs)))


def _chunks(work: Iterable[T], size: int) -> Iterator[list[T]]:
    items = iter(work)
    while part := list(islice(items, size)):
        yield part


def as_done(executor: ProcessPoolExecutor, fn: Callable[[list[T]], list[R]], work: Iterable[T], jobs: int,
            chunk: int) -> Iterator[R]:
    """``fn`` of each chunk of ``work``, its results as the workers finish them."""
    parts = _chunks(work, chunk)
    pending: set[Future[list[R]]] = {executor.submit(fn, part) for part in islice(parts, AHEAD * jobs)}
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        pending |= {executor.submit(fn, part) for part in islice(parts, len(done))}  # as many as were done
        for future in done:
            yield from future.result()


def in_order(executor: ProcessPoolExecutor, fn: Callable[[list[T]], Sequence[R]], work: Iterable[T], jobs: int,
             chunk: int) -> Iterator[R]:
    """``fn`` of each chunk of ``work``, its results in the order of ``work`` (the same output with any ``jobs``)."""
    parts = _chunks(work, chunk)
    pending: deque[Future[Sequence[R]]] = deque(executor.submit(fn, part) for part in islice(parts, AHEAD * jobs))
    try:
        while pending:
            future = pending.popleft()
            pending.extend(executor.submit(fn, part) for part in islice(parts, 1))  # one in for the one out
            yield from future.result()
    finally:  # a reader that stops early (an error, a closed pipe) waits for no chunk it will not read
        for future in pending:
            future.cancel()


__all__ = ["AHEAD", "as_done", "chunk_size", "end_with_parent", "in_order", "pool"]
