"""The JSON writer: a document's machine-readable form (:attr:`Document.data`), else its blocks.

Change tables and the report give their data (rows, numbers) as ``data``; a document
without it is written as its records (each with its ``type``).

The text is written as it is encoded. ``data`` may hold one-shot iterators (generators)
wherever it would hold a list: each is written as an array, read once, as it is reached;
the text is what ``json.dumps`` gives for the same data with the lists materialized
(``indent=2``, ``ensure_ascii=False``, and a final line break).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from composer.files import write_text
from composer.writers.model import Document

_PIECES = 8192  # the encoder's pieces (a few characters each) gathered into one
_NOTHING = object()


class _Array(list):  # type: ignore[type-arg]
    """A one-shot iterator as the encoder sees a list: it reads one item ahead to know if it is empty.

    ``json``'s encoder with an indent (pure Python) asks a list whether it is empty, then
    iterates it once; this list holds nothing itself and hands on the iterator's items.
    """

    def __init__(self, items: Iterable[Any]) -> None:
        super().__init__()
        self._items = iter(items)
        self._first = next(self._items, _NOTHING)

    def __bool__(self) -> bool:
        return self._first is not _NOTHING

    def __iter__(self) -> Iterator[Any]:
        first, self._first = self._first, _NOTHING
        if first is not _NOTHING:
            yield first
            yield from self._items


class _Encoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        return _Array(o) if isinstance(o, Iterator) else super().default(o)


def _plain(value: Any) -> Any:
    """A record as plain data: lists for its sequences, a lazy map for an iterator (blocks or rows as they come)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {"type": type(value).__name__}
        out.update({f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)})
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Iterator):
        return map(_plain, value)
    return value


def encode(data: Any) -> Iterator[str]:
    """``data`` as JSON text in pieces (iterators written as arrays), with the final line break."""
    pieces = _Encoder(ensure_ascii=False, indent=2).iterencode(data)
    while batch := list(islice(pieces, _PIECES)):
        yield "".join(batch)
    yield "\n"


def chunks(doc: Document) -> Iterator[str]:
    return encode(doc.data if doc.data is not None else _plain(doc))


def render(doc: Document) -> str:
    return "".join(chunks(doc))


def write(doc: Document, path: Path) -> None:
    write_text(Path(path), chunks(doc))


__all__ = ["chunks", "encode", "render", "write"]
