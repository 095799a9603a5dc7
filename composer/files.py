"""Files on the ground floor: atomic writes, and where a workspace's root is.

:func:`atomic_write` writes a file so that a reader sees either the old or the whole new
content; :func:`atomic_file` does the same for content written piece by piece (a writer
streaming a large document; :func:`write_text` for text). Several files that must change together go through
:class:`composer.transaction.Transaction`.
:func:`nearest_workspace` finds the directory with ``hyoka.yaml`` at or above a start, for
the loader, the transaction lock and the CLI's choice of language alike.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, BinaryIO

from composer.errors import WriteError

CONFIG_NAME = "hyoka.yaml"


def nearest_workspace(start: Path | None = None) -> Path | None:
    """The nearest directory at or above ``start`` (default: the current one) holding hyoka.yaml."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / CONFIG_NAME).is_file():
            return d
    return None


def new_file_mode() -> int:
    """The permissions a new file gets under the process's umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


class _Output(io.BufferedWriter):
    """The temporary file: an error writing it is a :class:`WriteError` naming the file it becomes.

    Errors of the caller's own (a source that cannot be read, a bug) pass through unchanged.
    """

    def __init__(self, raw: io.FileIO, path: Path) -> None:
        super().__init__(raw)
        self._path = path

    def failed(self, exc: OSError) -> WriteError:
        return WriteError(self._path, exc.strerror or str(exc))

    def write(self, data: Any) -> int:
        try:
            return super().write(data)
        except OSError as exc:
            raise self.failed(exc) from exc

    def flush(self) -> None:
        try:
            super().flush()
        except OSError as exc:
            raise self.failed(exc) from exc

    def seek(self, offset: int, whence: int = 0) -> int:
        try:
            return super().seek(offset, whence)
        except OSError as exc:
            raise self.failed(exc) from exc


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A binary file to write piece by piece that replaces ``path`` whole when the block ends.

    The content goes to a temporary file beside ``path``; when the ``with`` block ends, the
    file is flushed to disk and renamed over ``path`` (readers see either the old or the
    whole new content). If the block raises, the temporary file is removed, ``path`` is left
    as it was, and the exception propagates unchanged. The file keeps its permissions (a new
    file gets the usual ones for the umask). A file that cannot be written raises
    :class:`WriteError` naming it.
    """
    path = Path(path)
    tmp: str | None = None
    try:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            mode = path.stat().st_mode & 0o7777 if path.exists() else new_file_mode()
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            out = _Output(io.FileIO(fd, "wb"), path)
        except OSError as exc:
            raise WriteError(path, exc.strerror or str(exc)) from exc
        try:
            yield out  # type: ignore[misc]
            out.flush()
            try:
                os.fsync(out.fileno())
            except OSError as exc:
                raise out.failed(exc) from exc
        except BaseException:
            with suppress(Exception):  # the error that ended the block is the one to report
                out.close()
            raise
        try:
            out.close()
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        except OSError as exc:
            raise WriteError(path, exc.strerror or str(exc)) from exc
        tmp = None
    finally:
        if tmp is not None:
            with suppress(OSError):
                os.unlink(tmp)


def remove(path: Path | None) -> None:
    """Remove the file at ``path``, if there is one (None: nothing to remove)."""
    if path is None:
        return
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write a file so that readers see either the old or the whole new content (:func:`atomic_file`)."""
    with atomic_file(path) as out:
        out.write(data.encode("utf-8") if isinstance(data, str) else data)


def write_text(path: Path, chunks: Iterable[str]) -> None:
    """Write text given piece by piece (UTF-8), atomically (:func:`atomic_file`): a writer's stream."""
    with atomic_file(path) as out:
        for chunk in chunks:
            out.write(chunk.encode("utf-8"))


__all__ = ["atomic_file", "atomic_write", "nearest_workspace", "new_file_mode", "remove", "write_text"]
