"""A spool: records kept in a temporary file instead of memory, read back when needed.

A pass over 35,000 assessments may make more than memory should hold: the yearly
report's change tables, the findings of a ``lint --fix`` pass that is only known to be
the last once it ends. The pass appends each record to a :class:`Spool` and keeps a
:class:`Spooled` handle (two integers); the records are read back one at a time, in any
order, or replayed in the order they were written.

The file is the platform's anonymous temporary file (removed when closed, and by the
system when the process ends, on Windows too). Records are pickled: a spool is read only
by the process that wrote it.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any


class Spool:
    """Records appended to a temporary file; see the module's docstring."""

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None
        self._end = 0  # where the next record goes
        self._count = 0

    def append(self, record: Any) -> Spooled:
        """Keep ``record`` in the spool; the handle reads it back."""
        data = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="hyoka-", suffix=".spool")
        self._file.seek(self._end)
        self._file.write(data)
        handle = Spooled(self, self._end, len(data))
        self._end += len(data)
        self._count += 1
        return handle

    def read(self, handle: Spooled) -> Any:
        if self._file is None or handle.spool is not self:
            raise ValueError("the record is not in this spool")
        self._file.seek(handle.offset)
        return pickle.loads(self._file.read(handle.size))

    def __iter__(self) -> Iterator[Any]:
        """Every record, in the order appended (one in memory at a time)."""
        offset = 0
        while offset < self._end:
            assert self._file is not None
            self._file.seek(offset)
            record = pickle.load(self._file)
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


__all__ = ["Spool", "Spooled"]
