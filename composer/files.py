"""Files on the ground floor: atomic writes, and where a workspace's root is.

:func:`atomic_write` writes a file so that a reader sees either the old or the whole new
content; several files that must change together go through :class:`composer.transaction.Transaction`.
:func:`nearest_workspace` finds the directory with ``hyoka.yaml`` at or above a start, for
the loader, the transaction lock and the CLI's choice of language alike.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from composer.errors import WriteError

CONFIG_NAME = "hyoka.yaml"


def nearest_workspace(start: Path | None = None) -> Path | None:
    """The nearest directory at or above ``start`` (default: the current one) holding hyoka.yaml."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / CONFIG_NAME).is_file():
            return d
    return None


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write a file so that readers see either the old or the whole new content.

    The file keeps its permissions (a new file gets the usual ones for the umask). A file
    that cannot be written raises :class:`WriteError` naming it; nothing is left behind.
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = path.stat().st_mode & 0o7777 if path.exists() else _new_file_mode()
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise WriteError(path, exc.strerror or str(exc)) from exc
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


__all__ = ["atomic_write"]
