"""Workspace writes: one writer at a time, several files all-or-nothing, even under kill -9.

Every command that changes a workspace holds its **lock** (``.hyoka/write.lock``, an
operating-system lock through ``filelock``: the system releases it when the holding
process dies, so a crashed run never leaves a stale lock). The holder's pid, start time
and command are kept beside it (``.hyoka/writer.json``) for the message a second writer
gets after waiting :data:`DEFAULT_TIMEOUT` seconds (``HYOKA_LOCK_TIMEOUT`` changes it)::

    another hyoka is writing this workspace (pid 4242, since 2026-12-01 10:00:00, hyoka propagate …)

A :class:`Transaction` writes several files as one::

    with Transaction(ws.root) as txn:
        txn.write(path_a, text_a)
        txn.write(path_b, text_b)
    # both files are new, or (on an error) both are as they were

On commit, (1) a journal ``.hyoka/journal.json`` naming every target is recorded in state
``prepare``; (2) each new content is written and fsynced beside its target
(``.NAME.ID.new``), with a copy of the current file (``.NAME.ID.old``); (3) the journal
moves to ``commit``; (4) the new files are renamed over their targets, in order; (5) the
copies and the journal are removed. A run killed at any point leaves a journal; the next
hyoka run that opens the workspace (:func:`recover`) rolls a ``prepare`` journal back (no
target was touched) and a ``commit`` journal forward (every new file is complete), removes
the staged files and says so in one line. A rename that fails in-process is rolled back at
once from the copies; if even that fails, the error says which files are new and which old.

Text written over an existing file keeps that file's UTF-8 byte order mark.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import secrets
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from composer.errors import Location, UserError
from composer.files import nearest_workspace, new_file_mode, remove
from composer.i18n import Message, _

STATE_DIR = ".hyoka"
LOCK_NAME = "write.lock"
WRITER_NAME = "writer.json"
JOURNAL_NAME = "journal.json"
JOURNAL_VERSION = 1
DEFAULT_TIMEOUT = 5.0
BOM = b"\xef\xbb\xbf"
_PAUSE_ENV = "HYOKA_TXN_PAUSE"  # seconds to sleep before staging and renaming each file (crash tests widen the window)

_locks: dict[str, FileLock] = {}
NOTICES = logging.getLogger("hyoka.notices")
"""Where one-line notices go (a recovered interrupted write), as :class:`~composer.i18n.Message`
records: the library never prints; the CLI attaches a handler that shows them in its language."""


NOTICES.addHandler(logging.NullHandler())  # a library prints nothing unless its caller asks


def _say(message: Message) -> None:
    NOTICES.warning(message)


class LockedError(UserError):
    """Another process holds the workspace's write lock."""


class TransactionError(UserError):
    """A transaction could not be written; the message says what is on disk."""


def state_dir(root: Path) -> Path:
    return Path(root) / STATE_DIR


def lock_timeout() -> float:
    raw = os.environ.get("HYOKA_LOCK_TIMEOUT", "")
    try:
        return max(0.0, float(raw)) if raw.strip() else DEFAULT_TIMEOUT
    except ValueError:
        return DEFAULT_TIMEOUT


def _ensure_state_dir(root: Path) -> Path:
    d = state_dir(root)
    if not d.is_dir():
        try:
            d.mkdir(parents=True, exist_ok=True)
            ignore = d / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# hyoka's lock and journal: not part of the workspace's content\n*\n", encoding="utf-8")
        except OSError as exc:
            raise TransactionError(
                _("cannot create {dir}/ for the workspace lock: {reason}", dir=STATE_DIR, reason=exc.strerror or exc),
                Location.of(d),
                _("check that the workspace directory is writable; nothing was changed"),
                code="write",
            ) from None
    return d


def _command_line() -> str:
    args = [Path(sys.argv[0]).name if sys.argv else "hyoka", *sys.argv[1:]]
    if args[0] in ("__main__.py", "-m", "-c"):
        args[0] = "hyoka"
    return " ".join(args)[:200]


def _holder(d: Path) -> Message:
    try:
        info = json.loads((d / WRITER_NAME).read_text(encoding="utf-8"))
        return _("pid {pid}, since {since}, {command}", pid=info["pid"], since=info["since"], command=info["command"])
    except (OSError, ValueError, KeyError, TypeError):
        return _("pid unknown")


@contextmanager
def workspace_lock(root: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the workspace's write lock (re-entrant within a process); wait at most ``timeout`` s."""
    d = _ensure_state_dir(Path(root))
    key = str(d.resolve())
    lock = _locks.get(key)
    if lock is None:
        lock = _locks[key] = FileLock(str(d / LOCK_NAME))
    first = not lock.is_locked
    try:
        lock.acquire(timeout=lock_timeout() if timeout is None else timeout, poll_interval=0.05)
    except Timeout:
        raise LockedError(
            _("another hyoka is writing this workspace ({holder})", holder=_holder(d)),
            Location.of(d / LOCK_NAME),
            _("wait for it to finish and run again (HYOKA_LOCK_TIMEOUT sets how many seconds to wait)"),
            code="lock",
        ) from None
    try:
        if first:
            info = {"pid": os.getpid(), "since": _dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S"), "command": _command_line()}
            try:
                (d / WRITER_NAME).write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
            except OSError:
                pass  # only the message of a waiting writer needs it
        yield
    finally:
        lock.release()


# --------------------------------------------------------------------------- journal


@dataclass
class _Entry:
    target: Path
    new: Path
    old: Path | None  # copy of the previous content; None when the target did not exist


def _fsync_dir(d: Path) -> None:
    if os.name == "nt":  # directories cannot be opened on Windows; NTFS journals the rename
        return
    try:
        fd = os.open(d, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_synced(path: Path, payload: bytes, mode: int | None = None) -> None:
    with open(path, "wb") as fh:
        fh.write(payload)
        fh.flush()
        os.fsync(fh.fileno())
    if mode is not None:
        os.chmod(path, mode)


def _rel(root: Path, p: Path) -> str:
    try:
        return p.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(p.resolve())


def _abs(root: Path, s: str) -> Path:
    p = Path(s)
    return p if p.is_absolute() else root / p


def _journal_path(root: Path) -> Path:
    return state_dir(root) / JOURNAL_NAME


def _record(root: Path, txid: str, state: str, entries: list[_Entry]) -> None:
    """Write the journal atomically (a temporary file renamed over it), fsynced."""
    body = {
        "journal": JOURNAL_VERSION,
        "id": txid,
        "state": state,
        "pid": os.getpid(),
        "files": [
            {"target": _rel(root, e.target), "new": _rel(root, e.new), "old": _rel(root, e.old) if e.old else None} for e in entries
        ],
    }
    path = _journal_path(root)
    tmp = path.with_name(JOURNAL_NAME + ".tmp")
    _write_synced(tmp, json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8"))
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def recover(root: Path, timeout: float | None = None) -> Message | None:
    """Finish or undo a write that was interrupted; returns (and announces) what was done.

    Cheap when there is nothing to do (two ``stat`` calls). When another process holds the
    lock and does not release it within ``timeout``, it is left to finish its own write.
    """
    root = Path(root)
    journal = _journal_path(root)
    tmp = journal.with_name(JOURNAL_NAME + ".tmp")
    if not journal.exists() and not tmp.exists():
        return None
    try:
        with workspace_lock(root, timeout):
            return _recover_locked(root)
    except LockedError:
        return None  # a live writer: its journal is its own


def _recover_locked(root: Path) -> Message | None:
    journal = _journal_path(root)
    tmp = journal.with_name(JOURNAL_NAME + ".tmp")
    try:
        remove(tmp)
        if not journal.exists():
            return None
        try:
            data = json.loads(journal.read_text(encoding="utf-8"))
            state = data["state"]
            entries = [
                _Entry(_abs(root, f["target"]), _abs(root, f["new"]), _abs(root, f["old"]) if f["old"] else None) for f in data["files"]
            ]
        except (ValueError, KeyError, TypeError):
            raise TransactionError(
                _("the journal of an interrupted write is unreadable"),
                Location.of(journal),
                _("check the files it names by hand, then delete it"),
                code="journal",
            ) from None
        if state == "commit":
            for e in entries:
                if e.new.exists():
                    os.replace(e.new, e.target)
            for e in entries:
                remove(e.old)
            message = _("completed an interrupted write: {files} (all new)", files=[e.target for e in entries])
        else:  # "prepare": no target was touched; "rollback": restore those already replaced
            for e in entries:
                if state == "rollback" and not e.new.exists():
                    if e.old is not None and e.old.exists():
                        os.replace(e.old, e.target)
                    elif e.old is None:
                        remove(e.target)
                remove(e.new)
                remove(e.old)
            message = _("rolled back an interrupted write: {files} (all as before)", files=[e.target for e in entries])
        for d in {e.target.parent for e in entries}:
            _fsync_dir(d)
        os.unlink(journal)
        _fsync_dir(journal.parent)
    except OSError as exc:
        raise TransactionError(
            _("cannot finish the interrupted write recorded here: {reason}", reason=exc.strerror or exc),
            Location.of(journal),
            _("make the files it names writable and run hyoka again"),
            code="journal",
        ) from None
    _say(message)
    return message


# --------------------------------------------------------------------------- transaction


class Transaction:
    """Write several workspace files all-or-nothing (see the module docstring).

    ``write`` only stages; the files are written when the ``with`` block ends without an
    exception (or on :meth:`commit`). The workspace lock is held from ``__enter__`` on.
    """

    def __init__(self, root: Path, timeout: float | None = None) -> None:
        self.root = Path(root)
        self.timeout = timeout
        self._staged: dict[Path, tuple[bytes | str, str | None, bool]] = {}
        self._lock: Any = None
        self._txid = ""
        self.written: list[Path] = []

    def __enter__(self) -> Transaction:
        self._lock = workspace_lock(self.root, self.timeout)
        self._lock.__enter__()
        try:
            recover(self.root)
        except BaseException:
            self._release(None, None, None)
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:  # type: ignore[no-untyped-def]
        try:
            if exc_type is None:
                self.commit()
        finally:
            self._release(exc_type, exc, tb)

    def _release(self, exc_type, exc, tb) -> None:  # type: ignore[no-untyped-def]
        if self._lock is not None:
            lock, self._lock = self._lock, None
            lock.__exit__(exc_type, exc, tb)

    def write(self, path: Path, data: bytes | str, *, expect: str | None = None, create: bool = False) -> None:
        """Stage ``data`` for ``path``.

        ``expect``: the text the file held when it was read; the commit refuses (writes
        nothing) when it has changed since. ``create``: the file must not exist yet.
        """
        self._staged[Path(path)] = (data, expect, create)

    def __len__(self) -> int:
        return len(self._staged)

    def commit(self) -> list[Path]:
        """Write every staged file, or none; returns the paths written."""
        if not self._staged:
            return []
        with workspace_lock(self.root, self.timeout):
            recover(self.root)
            return self._commit()

    def _payloads(self) -> list[tuple[Path, bytes, bytes | None]]:
        out = []
        for path, (data, expect, create) in self._staged.items():
            try:
                current: bytes | None = path.read_bytes()
            except FileNotFoundError:
                current = None
            except OSError as exc:
                raise TransactionError(
                    _("cannot read: {reason}", reason=exc.strerror or exc), Location.of(path), _("nothing was written"), code="write"
                ) from None
            if create and current is not None:
                raise TransactionError(
                    _("already exists"), Location.of(path), _("nothing was written; another run may have written it"), code="exists"
                )
            if expect is not None:
                now = None if current is None else current.decode("utf-8-sig", errors="replace")
                if now != expect:
                    raise TransactionError(
                        _("changed by another program since hyoka read it"),
                        Location.of(path),
                        _("nothing was written; run the command again"),
                        code="changed",
                    )
            if isinstance(data, str):
                payload = data.encode("utf-8")
                if current is not None and current.startswith(BOM) and not payload.startswith(BOM):
                    payload = BOM + payload
            else:
                payload = data
            out.append((path, payload, current))
        return out

    def _commit(self) -> list[Path]:
        root = self.root
        txid = self._txid = f"{os.getpid()}-{secrets.token_hex(3)}"
        payloads = self._payloads()
        entries = [
            _Entry(p, p.with_name(f".{p.name}.{txid}.new"), p.with_name(f".{p.name}.{txid}.old") if cur is not None else None)
            for p, _, cur in payloads
        ]
        try:
            _record(root, txid, "prepare", entries)
        except OSError as exc:
            _remove_quietly(_journal_path(root).with_name(JOURNAL_NAME + ".tmp"))
            raise self._error(_journal_path(root), exc, _("no file was changed")) from None
        staged_at = None
        pause = float(os.environ.get(_PAUSE_ENV) or 0)
        try:
            for e, (p, payload, current) in zip(entries, payloads):
                staged_at = p
                if pause:
                    time.sleep(pause)
                p.parent.mkdir(parents=True, exist_ok=True)
                mode = p.stat().st_mode & 0o7777 if current is not None else new_file_mode()
                _write_synced(e.new, payload, mode)
                if e.old is not None and current is not None:
                    _write_synced(e.old, current, mode)
            for d in {e.target.parent for e in entries}:
                _fsync_dir(d)
            staged_at = _journal_path(root)
            _record(root, txid, "commit", entries)
        except OSError as exc:
            if self._discard(entries):
                raise self._error(staged_at or root, exc, _("no file was changed")) from None
            raise self._error(staged_at or root, exc, _("no file was changed; the next hyoka run removes the partial files")) from None
        done: list[_Entry] = []
        for e in entries:
            try:
                if pause:
                    time.sleep(pause)
                os.replace(e.new, e.target)
            except OSError as exc:
                raise self._undo(entries, done, e, exc) from None
            done.append(e)
        for d in {e.target.parent for e in entries}:
            _fsync_dir(d)
        try:
            for e in entries:
                remove(e.old)
            os.unlink(_journal_path(root))
        except OSError:
            pass  # every file is new; the next run removes what is left of the journal
        self.written = [e.target for e in entries]
        self._staged.clear()
        return self.written

    def _discard(self, entries: list[_Entry]) -> bool:
        """Remove the staged files and the journal of a transaction that replaced nothing."""
        try:
            for e in entries:
                remove(e.new)
                remove(e.old)
            os.unlink(_journal_path(self.root))
            return True
        except OSError:
            return False

    def _undo(self, entries: list[_Entry], done: list[_Entry], failed: _Entry, exc: OSError) -> TransactionError:
        """A rename failed: restore the targets already replaced; report what is on disk."""
        if not done:
            if self._discard(entries):
                return self._error(failed.target, exc, _("no file was changed"))
            return self._error(failed.target, exc, _("no file was changed; the next hyoka run removes the partial files"))
        try:
            _record(self.root, self._txid, "rollback", entries)
        except OSError:
            return self._error(
                failed.target,
                exc,
                _(
                    "{files} already replaced, the other files not yet; the next hyoka run completes the write",
                    files=[e.target for e in done],
                ),
            )
        restored: list[_Entry] = []
        try:
            for e in reversed(done):
                if e.old is not None:
                    os.replace(e.old, e.target)
                else:
                    os.unlink(e.target)
                restored.append(e)
        except OSError:
            return self._error(
                failed.target,
                exc,
                _(
                    "{files} already replaced and not yet restored; the next hyoka run restores the previous files",
                    files=[e.target for e in done if e not in restored],
                ),
            )
        if self._discard(entries):
            return self._error(failed.target, exc, _("no file was changed (the files already replaced were restored)"))
        return self._error(failed.target, exc, _("no file was changed; the next hyoka run removes the partial files"))

    @staticmethod
    def _error(path: Path, exc: OSError, state: Message) -> TransactionError:
        return TransactionError(_("cannot write: {reason}", reason=exc.strerror or exc), Location.of(path), state, code="write")


def _remove_quietly(p: Path) -> None:
    try:
        remove(p)
    except OSError:
        pass


def find_workspace_root(start: Path) -> Path:
    """The workspace (directory with ``hyoka.yaml``) at or above ``start``; else ``start``."""
    return nearest_workspace(Path(start)) or Path(start).resolve()


def write_files(root: Path, files: dict[Path, bytes | str]) -> list[Path]:
    """Write ``files`` as one transaction under the workspace lock."""
    with Transaction(root) as txn:
        for path, data in files.items():
            txn.write(path, data)
    return txn.written
