"""A spool: records kept in a temporary file instead of memory, read back when needed.

A pass over 35,000 assessments may make more than memory should hold: the yearly
report's change tables and each assessment's numbers, the findings of a ``lint --fix``
pass that is only known to be the last once it ends. The pass appends each record to a
:class:`Spool` and keeps a :class:`Spooled` handle (two integers), or a
:class:`SpooledList` of them (sixteen bytes a record); the records are read back one at a
time, in any order, or replayed in the order they were written.

A record may hold handles of records of the same spool (an assessment's numbers, the
handles of its change tables): they are written as their place in the file and come back
as handles again.

The file is the platform's anonymous temporary file (removed when closed, and by the
system when the process ends, on Windows too). Records are pickled: a spool is read only
by the process that wrote it.
"""

from __future__ import annotations

import io
import pickle
import tempfile
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any, Generic, TypeVar, overload

T = TypeVar("T")


class Spool:
    """Records appended to a temporary file; see the module's docstring."""

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None
        self._end = 0  # where the next record goes
        self._count = 0

    def append(self, record: Any) -> Spooled:
        """Keep ``record`` in the spool; the handle reads it back."""
        buffer = io.BytesIO()
        _Pickler(buffer, self).dump(record)
        data = buffer.getvalue()
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="hyoka-", suffix=".spool")
        self._file.seek(self._end)
        self._file.write(data)
        handle = Spooled(self, self._end, len(data))
        self._end += len(data)
        self._count += 1
        return handle

    def read(self, handle: Spooled) -> Any:
        if handle.spool is not self:
            raise ValueError("the record is not in this spool")
        return self._read(handle.offset, handle.size)

    def _read(self, offset: int, size: int) -> Any:
        if self._file is None:
            raise ValueError("the spool is closed")
        self._file.seek(offset)
        return _Unpickler(io.BytesIO(self._file.read(size)), self).load()

    def __iter__(self) -> Iterator[Any]:
        """Every record, in the order appended (one in memory at a time)."""
        offset = 0
        while offset < self._end:
            assert self._file is not None
            self._file.seek(offset)
            record = _Unpickler(self._file, self).load()
            offset = self._file.tell()
            yield record

    def __len__(self) -> int:
        return self._count

    def close(self) -> None:
        """Remove the file (reading a record afterwards raises)."""
        if self._file is not None:
            self._file.close()
            self._file = None
            self._end = self._count = 0

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True, eq=False)
class Spooled:
    """Where one record lies in its spool."""

    spool: Spool
    offset: int
    size: int

    def load(self) -> Any:
        return self.spool.read(self)


class SpooledList(Sequence[T], Generic[T]):
    """A list whose items wait in a spool: only their places are in memory.

    Reading an item (by index, or in order) loads it; assigning an item writes the new one
    to the spool and forgets the old one's place.
    """

    def __init__(self, spool: Spool) -> None:
        self._spool = spool
        self._offsets = array("q")
        self._sizes = array("q")

    def append(self, item: T) -> None:
        h = self._spool.append(item)
        self._offsets.append(h.offset)
        self._sizes.append(h.size)

    def __setitem__(self, index: int, item: T) -> None:
        h = self._spool.append(item)
        self._offsets[index], self._sizes[index] = h.offset, h.size

    def __len__(self) -> int:
        return len(self._offsets)

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return self._spool._read(self._offsets[index], self._sizes[index])  # type: ignore[no-any-return]

    def __iter__(self) -> Iterator[T]:
        for i in range(len(self)):
            yield self[i]

    def __repr__(self) -> str:
        return f"<SpooledList of {len(self)}>"


class _Pickler(pickle.Pickler):
    """Writes a handle of the same spool as its place in the file."""

    def __init__(self, file: IO[bytes], spool: Spool) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._spool = spool

    def persistent_id(self, obj: Any) -> tuple[int, int] | None:
        if type(obj) is Spooled and obj.spool is self._spool:
            return (obj.offset, obj.size)
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: IO[bytes], spool: Spool) -> None:
        super().__init__(file)
        self._spool = spool

    def persistent_load(self, pid: Any) -> Spooled:
        offset, size = pid
        return Spooled(self._spool, offset, size)


__all__ = ["Spool", "Spooled", "SpooledList"]
