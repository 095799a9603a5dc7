"""Stage 6: batch builds — many documents, in parallel, skipping the unchanged ones.

``build_workspace`` is what ``hyoka build`` runs. It decides from fingerprints of the inputs,
before parsing or composing anything, which documents are unchanged; the others go through
the whole pipeline (load -> compose -> write) one at a time, in this process or in worker
processes that receive names, not documents. Nothing holds every document, or anything of
every document, at once: a run keeps one byte of status a document.

**The build manifest** is a directory ``.hyoka-build/`` in the output directory with one
small entry a document, named for it (``juki.docx.json``)::

    {"manifest": 2, "assessment": "juki", "format": "docx", "key": "sha256:…",
     "source": "…", "clauses": ["gov-cloud/technical", "mid-server/audit"]}

``key`` is a SHA-256 over the run's inputs (format, writer version, hyoka's code, the
configuration, the forms, the Word reference document), the assessment file's digest
(``source``) and the digest of every clause the document used. A document whose entry's key
is what the inputs give now, and whose file still exists, is skipped (``force`` rebuilds it).

New files are written to a staging directory beside the outputs, each document's entry
beside it, and moved into place only when every assessment composed without error: a build
with an error writes nothing. The move holds the workspace's write lock, and for each
document it (1) removes the old entry, (2) moves the document into place, (3) moves its new
entry into place. A run killed between two steps leaves a document without an entry, which
the next build rebuilds: an entry never describes a file other than the one beside it. A
document whose assessment file changed while it was built gets no entry at all.

The library never prints: ``progress(done, total, result)`` is called after each document,
and the caller decides whether to show a bar (the CLI does above :data:`PROGRESS_MIN`
documents). The results come back as a :class:`BuildResults` sequence made on demand.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, overload

from filelock import FileLock, Timeout

from composer import workers
from composer.errors import BuildError, Diagnostics, ErrorList, HyokaError, UserError, WriteError
from composer.files import remove
from composer.i18n import Message, View, _
from composer.model import ComposedAssessment
from composer.revisions.snapshot import check_published_clauses

MANIFEST_NAME = ".hyoka-build"  # a directory: one entry a document
MANIFEST_VERSION = 2
OLD_MANIFEST = ".hyoka-build.json"  # version 1 (one file for every document): removed by the next build
PROGRESS_MIN = 4  # show a progress bar above this many documents
STAGING_PREFIX = ".hyoka-staging-"
_PAUSE_ENV = "HYOKA_BUILD_PAUSE"  # seconds to sleep before each step of moving a document into place (crash tests widen the window)

Status = Literal["written", "unchanged", "failed"]
Writer = Callable[[ComposedAssessment, Path], None]


@dataclass(frozen=True)
class BuildResult:
    name: str  # assessment name
    path: Path
    status: Status
    problems: tuple[UserError | str, ...] = ()  # why it failed: errors keep their paths as opened

    def __post_init__(self) -> None:
        if isinstance(self.problems, (str, UserError)):  # one problem given on its own (as ``error`` text was)
            object.__setattr__(self, "problems", (self.problems,) if self.problems else ())

    @property
    def ok(self) -> bool:
        return self.status != "failed"

    def error_text(self, view: View | None = None) -> str:
        """Why the document failed, one line per problem, in ``view`` (paths relative to its root)."""
        view = view or View()
        return "\n".join(p.shown(view) if isinstance(p, UserError) else str(p) for p in self.problems)

    @property
    def error(self) -> str:
        """:meth:`error_text` in English, paths as opened ("" when the document did not fail)."""
        return self.error_text()


Progress = Callable[[int, int, BuildResult], None]

_TODO, _UNCHANGED, _WRITTEN, _FAILED = 0, 1, 2, 3
_STATUS: dict[int, Status] = {_UNCHANGED: "unchanged", _WRITTEN: "written", _FAILED: "failed"}


class BuildResults(Sequence[BuildResult]):
    """The result of every document of a build, in the order of the names, each made when asked for.

    A build of 35,000 documents keeps its names (the caller's list), one status byte a
    document and the problems of the documents that failed.
    """

    def __init__(self, names: Sequence[str], out_dir: Path, suffix: str) -> None:
        self._names, self._out_dir, self._suffix = names, out_dir, suffix
        self._status = bytearray(len(names))
        self._problems: dict[int, tuple[UserError | str, ...]] = {}

    def _set(self, i: int, status: int, problems: tuple[UserError | str, ...] = ()) -> BuildResult:
        self._status[i] = status
        if problems:
            self._problems[i] = problems
        return self[i]

    def path(self, i: int) -> Path:
        return self._out_dir / f"{Path(self._names[i]).stem}{self._suffix}"

    def counted(self, status: Status) -> int:
        """How many documents have ``status``."""
        return sum(1 for s in self._status if _STATUS.get(s) == status)

    def failed(self) -> list[BuildResult]:
        return [self[i] for i in sorted(self._problems) if self._status[i] == _FAILED]

    def __len__(self) -> int:
        return len(self._names)

    @overload
    def __getitem__(self, i: int) -> BuildResult: ...
    @overload
    def __getitem__(self, i: slice) -> list[BuildResult]: ...

    def __getitem__(self, i: int | slice) -> BuildResult | list[BuildResult]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = range(len(self))[i]
        status = _STATUS.get(self._status[i])
        if status is None:
            raise LookupError(f"document {i} is not built yet")  # untranslated: a programming error, not a user's
        return BuildResult(Path(self._names[i]).stem, self.path(i), status, self._problems.get(i, ()))

    def __iter__(self) -> Iterator[BuildResult]:
        return (self[i] for i in range(len(self)))

    def __repr__(self) -> str:
        counts = ", ".join(f"{s} {self.counted(s)}" for s in ("written", "unchanged", "failed"))
        return f"<BuildResults of {len(self)} documents: {counts}>"


# --------------------------------------------------------------------------- fingerprints

def _canonical(obj: Any) -> Any:
    """A JSON-able form of a record tree; fields excluded from comparison (locations) are left out."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _canonical(getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.compare}
    if isinstance(obj, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(obj.items(), key=lambda kv: str(kv[0]))}
    if isinstance(obj, (list, tuple)):
        return [_canonical(v) for v in obj]
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    return str(obj)


def writer_version(fmt: str) -> str:
    from composer import __version__

    if fmt == "docx":
        from composer.writers.docx import WRITER_VERSION

        return f"{__version__}:{WRITER_VERSION}"
    return f"{__version__}:{fmt}"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_digest(path: Path) -> str:
    try:
        return _sha(path.read_bytes())
    except OSError:
        return "missing"


def _tree_digest(directories: Sequence[Path], pattern: str) -> str:
    h = hashlib.sha256()
    for d in directories:
        if not d.is_dir():
            continue
        for p in sorted(d.rglob(pattern)):
            if p.is_file() and "__pycache__" not in p.parts:
                h.update(p.relative_to(d).as_posix().encode("utf-8") + b"\0")
                h.update(p.read_bytes() + b"\0")
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """A hash of hyoka's own code and bundled templates: any change of them rebuilds every document."""
    from composer.resources import templates_dir

    return _tree_digest([Path(__file__).resolve().parent], "*.py") + _tree_digest([templates_dir()], "*")


def clause_digest(clause: Any) -> str:
    """A hash of everything a clause record holds (text, headings, parameters, notes, kind …).

    Where it was written (locations, shown relative to the workspace) is left out, so the
    digest is the same in every process whatever directory messages are shown from.
    """
    blob = json.dumps(_canonical(clause), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return _sha(blob.encode("utf-8"))


class Fingerprints:
    """Input fingerprints of one workspace build, each computed once per run (and per worker)."""

    def __init__(self, ws: Any, fmt: str, reference: Path | None) -> None:
        parts = [
            f"manifest={MANIFEST_VERSION}", f"format={fmt}", f"writer={writer_version(fmt)}", f"code={code_digest()}",
            f"config={_file_digest(ws.config_path)}", f"forms={_tree_digest(list(ws.form_dirs), '*.yaml')}",
        ]
        if fmt == "docx":
            from composer.writers.docx import reference_digest

            parts.append(f"reference={reference_digest(reference)}")
        self.fmt = fmt
        self.run = _sha("\n".join(parts).encode("utf-8"))
        self.library = ws.library
        self._clauses: dict[str, str] = {}

    def clause(self, clause_id: str) -> str:
        digest = self._clauses.get(clause_id)
        if digest is None:
            clause = self.library.get(clause_id)
            digest = clause_digest(clause) if clause is not None else "missing"
            self._clauses[clause_id] = digest
        return digest

    def key(self, source: str, clauses: Iterable[str]) -> str:
        """The build key of a document: the run's inputs, its assessment file, the clauses it used."""
        used = ",".join(f"{c}={self.clause(c)}" for c in sorted(clauses))
        return "sha256:" + _sha(f"{self.run}\n{source}\n{used}".encode())

    def entry(self, name: str, source: str, clauses: Sequence[str]) -> dict[str, Any]:
        """The manifest entry of a document built now from these inputs."""
        return {"manifest": MANIFEST_VERSION, "assessment": Path(name).stem, "format": self.fmt,
                "key": self.key(source, clauses), "source": source, "clauses": sorted(clauses)}

    def unchanged(self, entry: Mapping[str, Any] | None, source: str) -> bool:
        if not entry or entry.get("source") != source:
            return False
        clauses = entry.get("clauses")
        if not isinstance(clauses, list) or not all(isinstance(c, str) for c in clauses):
            return False
        return entry.get("key") == self.key(source, clauses)


# --------------------------------------------------------------------------- manifest

def entry_path(out_dir: Path, document: str) -> Path:
    """Where the manifest entry of ``document`` (a file name in ``out_dir``) is kept."""
    return Path(out_dir) / MANIFEST_NAME / f"{document}.json"


def read_entry(out_dir: Path, document: str) -> dict[str, Any] | None:
    """The manifest entry of ``document`` (``None`` when missing, unreadable or of another version)."""
    try:
        data = json.loads(entry_path(out_dir, document).read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("manifest") == MANIFEST_VERSION else None


def read_manifest(out_dir: Path) -> dict[str, dict[str, Any]]:
    """Every entry of ``out_dir``'s manifest, by document file name (to look at; a build reads one at a time)."""
    entries: dict[str, dict[str, Any]] = {}
    try:
        files = sorted(os.scandir(Path(out_dir) / MANIFEST_NAME), key=lambda e: e.name)
    except OSError:
        return entries
    for f in files:
        if f.name.endswith(".json") and not f.name.startswith("."):
            entry = read_entry(out_dir, f.name[: -len(".json")])
            if entry is not None:
                entries[f.name[: -len(".json")]] = entry
    return entries


# --------------------------------------------------------------------------- writers

def writers(reference: Path | None = None) -> dict[str, tuple[str, Writer]]:
    """Output formats of ``hyoka build``: name -> (file suffix, writer).

    ``reference`` is the Word reference document (styles, page setup) of the docx writer.
    """
    from composer.writers import html as preview

    table: dict[str, tuple[str, Writer]] = {
        "md": (".md", preview.write_markdown),
        "html": (".html", preview.write_html),
    }
    try:
        from composer.writers import docx as docx_writer
    except ImportError:  # pragma: no cover - python-docx missing
        return table
    if reference is None:
        table["docx"] = (".docx", docx_writer.write_assessment)
    else:
        table["docx"] = (".docx", functools.partial(docx_writer.write_assessment, reference=Path(reference)))
    return table


def _write_one(writer: Writer, composed: ComposedAssessment, path: Path) -> tuple[UserError, ...]:
    """Run one writer; returns () or the errors it raised (picklable: shown by the parent's view)."""
    try:
        writer(composed, path)
    except HyokaError as exc:
        return _user_errors(exc)
    return ()


def _user_errors(exc: HyokaError) -> tuple[UserError, ...]:
    """A hyoka error as user errors, which cross process boundaries with their messages and locations."""
    if isinstance(exc, UserError):
        return (exc,)
    if isinstance(exc, ErrorList):
        return tuple(exc.errors)
    arg = exc.args[0] if exc.args else ""
    return (UserError(arg if isinstance(arg, Message) else str(exc)),)


# --------------------------------------------------------------------------- one document (in a worker)

@dataclass(frozen=True)
class BuildSettings:
    """Everything a worker needs to build documents of one workspace (picklable)."""

    root: Path
    out_dir: Path
    staging: Path
    fmt: str
    reference: Path | None


@dataclass(frozen=True)
class _Outcome:
    index: int  # of the name in the build's list
    errors: tuple[UserError, ...] = ()  # composing errors: nothing of this build is written
    write_errors: tuple[UserError | str, ...] = ()  # the writer failed: this document keeps its previous file


# per process: the workspace a worker builds from (loaded once by the pool's initializer)
_worker: dict[str, Any] = {}


def _worker_init(settings: BuildSettings) -> None:
    workers.end_with_parent()
    _worker.clear()
    _worker.update(_context(settings))


def _context(settings: BuildSettings, ws: Any = None, prints: Fingerprints | None = None) -> dict[str, Any]:
    from composer.compose.assemble import Composer
    from composer.load.workspace import load_workspace

    ws = ws if ws is not None else load_workspace(settings.root)
    suffix, writer = writers(settings.reference)[settings.fmt]
    return {
        "settings": settings, "ws": ws, "composer": Composer.for_workspace(ws), "suffix": suffix, "writer": writer,
        # the fingerprints of what this process loaded: an entry describes the inputs its document was made of
        "prints": prints or Fingerprints(ws, settings.fmt, settings.reference),
    }


def _build_name(index: int, name: str, context: Mapping[str, Any] | None = None) -> _Outcome:
    """Load, compose and write one assessment, and its manifest entry, into the staging directory."""
    ctx = context or _worker
    settings: BuildSettings = ctx["settings"]
    ws = ctx["ws"]
    diag = Diagnostics()
    try:
        source_path = ws.assessment_path(name)
        source = _file_digest(source_path)
        # a published clause that changed since (even with its lock re-sealed) is refused
        check_published_clauses(ws.snapshots_dir, Path(name).stem, ws.library)
        a = ws.load_assessment(name, diag)
        composed = ctx["composer"].compose(a, diag) if a is not None else None
    except UserError as exc:
        diag.add(exc)
        composed = None
    if diag.errors or composed is None:
        return _Outcome(index, errors=tuple(diag.errors) or (UserError(_("cannot load assessment '{name}'", name=name)),))
    document = f"{composed.name}{ctx['suffix']}"
    try:
        error: tuple[UserError | str, ...] = _write_one(ctx["writer"], composed, settings.staging / document)
    except Exception as exc:  # a bug in a writer: report it, keep the others
        error = (f"{type(exc).__name__}: {exc}",)
    if not error and _file_digest(source_path) == source:  # else it changed meanwhile: no entry, rebuilt next time
        used = {b.clause for it in composed.items for b in it.blocks if b.clause}
        entry = ctx["prints"].entry(name, source, sorted(used))
        entry_path(settings.staging, document).write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
    return _Outcome(index, write_errors=error)


def _build_chunk(chunk: Sequence[tuple[int, str]]) -> list[_Outcome]:
    return [_build_name(i, name) for i, name in chunk]


# --------------------------------------------------------------------------- workspace builds

def build_workspace(
    ws: Any,
    names: Sequence[str],
    out_dir: Path,
    fmt: str,
    jobs_n: int = 1,
    force: bool = False,
    *,
    reference: Path | None = None,
    progress: Progress | None = None,
) -> BuildResults:
    """Build the named assessments of ``ws`` into ``out_dir``; see the module's docstring.

    Raises :class:`ErrorList` (nothing written) when any assessment has an error,
    :class:`~composer.transaction.LockedError` (nothing written) when another hyoka holds the
    workspace's write lock past its timeout, and :class:`BuildError` (after moving the
    documents that were written into place) when a writer failed.
    """
    suffix = writers(reference)[fmt][0]
    out_dir = Path(out_dir)
    prints = Fingerprints(ws, fmt, reference)
    results = BuildResults(names, out_dir, suffix)
    total, done = len(names), 0

    def finish(i: int, status: int, problems: tuple[UserError | str, ...] = ()) -> None:
        nonlocal done
        done += 1
        result = results._set(i, status, problems)
        if progress is not None:
            progress(done, total, result)

    for i, name in enumerate(names):
        path = results.path(i)
        if not force and path.is_file() and prints.unchanged(read_entry(out_dir, path.name), _file_digest(ws.assessment_path(name))):
            finish(i, _UNCHANGED)
    if done == total:
        if out_dir.is_dir():
            _remove_stale_staging(out_dir)  # a killed build's, even when nothing is to be built now
        return results

    created = not out_dir.exists()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        _remove_stale_staging(out_dir)
        staging, owner = _new_staging(out_dir)
        (staging / MANIFEST_NAME).mkdir()
    except (OSError, Timeout) as exc:
        raise WriteError(out_dir, getattr(exc, "strerror", None) or str(exc)) from None
    settings = BuildSettings(ws.root, out_dir, staging, fmt, reference)
    errors: dict[int, tuple[UserError, ...]] = {}  # by the name's place: reported in the order of the names
    try:
        work = ((i, n) for i, n in enumerate(names) if results._status[i] == _TODO)
        todo = total - done
        if jobs_n > 1 and todo > 1:
            n = min(jobs_n, todo)
            with workers.pool(n, _worker_init, (settings,)) as pool:
                for outcome in workers.as_done(pool, _build_chunk, work, n, workers.chunk_size(todo, n)):
                    _collect(outcome, errors, finish)
        else:
            context = _context(settings, ws, prints)
            for i, name in work:
                _collect(_build_name(i, name, context), errors, finish)
        if errors:
            raise ErrorList([e for i in sorted(errors) for e in errors[i]])
        _move_into_place(ws.root, results, staging, out_dir)
    except BaseException:
        _drop_staging(staging, owner)
        if created and not any(out_dir.iterdir()):
            out_dir.rmdir()  # a build that wrote nothing leaves no empty output directory behind
        raise
    _drop_staging(staging, owner)
    failed = results.failed()
    if failed:
        raise BuildError(failed)
    return results


def _collect(outcome: _Outcome, errors: dict[int, tuple[UserError, ...]], finish: Callable[..., None]) -> None:
    if outcome.errors:
        errors[outcome.index] = outcome.errors
        finish(outcome.index, _FAILED, outcome.errors)
    elif outcome.write_errors:
        finish(outcome.index, _FAILED, outcome.write_errors)
    else:  # written: the file (and its entry) wait in the staging directory
        finish(outcome.index, _WRITTEN)


def _move_into_place(root: Path, results: BuildResults, staging: Path, out_dir: Path) -> None:
    """Move every written document and its entry from ``staging`` into ``out_dir``, under the workspace lock."""
    import time

    from composer.transaction import workspace_lock

    try:
        pause = float(os.environ.get(_PAUSE_ENV) or 0)
    except ValueError:
        pause = 0.0

    def step() -> None:
        if pause:
            time.sleep(pause)

    with workspace_lock(root):
        try:
            (out_dir / MANIFEST_NAME).mkdir(exist_ok=True)
        except OSError as exc:
            raise WriteError(out_dir / MANIFEST_NAME, exc.strerror or str(exc)) from None
        for i, status in enumerate(results._status):
            if status != _WRITTEN:
                continue
            target = results.path(i)
            entry, staged = entry_path(out_dir, target.name), entry_path(staging, target.name)
            try:
                step()
                remove(entry)  # first: a run killed from here on leaves the document without an entry (rebuilt)
                step()
                os.replace(staging / target.name, target)
                step()
                if staged.exists():  # none when the assessment file changed while it was built
                    os.replace(staged, entry)
            except OSError as exc:
                raise WriteError(target, exc.strerror or str(exc)) from None
        remove(out_dir / OLD_MANIFEST)


def _new_staging(out_dir: Path) -> tuple[Path, FileLock]:
    """A new staging directory and its owner lock, held while this build runs (it tells a live one).

    The lock is taken before the directory exists: another build cleaning up stale staging
    directories never sees this one without its lock held.
    """
    import secrets

    while True:
        staging = out_dir / f"{STAGING_PREFIX}{secrets.token_hex(6)}"
        owner = FileLock(str(staging) + ".lock")
        owner.acquire(timeout=0)
        try:
            staging.mkdir()
        except FileExistsError:
            _release(owner)
            continue
        except BaseException:
            _release(owner)
            raise
        return staging, owner


def _remove_stale_staging(out_dir: Path) -> None:
    """Remove the staging directories of builds that were killed (their owner lock is free)."""
    import shutil

    for p in out_dir.glob(STAGING_PREFIX + "*"):
        if p.suffix == ".lock":
            if not p.with_suffix("").exists():  # killed between taking its lock and making its directory
                _remove_stale_lock(p)
            continue
        owner = FileLock(str(p) + ".lock")
        try:
            owner.acquire(timeout=0)
        except Timeout:
            continue  # a build running now
        try:
            shutil.rmtree(p, ignore_errors=True)
        finally:
            _release(owner)


def _remove_stale_lock(path: Path) -> None:
    owner = FileLock(str(path))
    try:
        owner.acquire(timeout=0)
    except Timeout:
        return  # a build that is about to make its directory
    _release(owner)


def _release(owner: FileLock) -> None:
    owner.release()
    try:
        os.unlink(owner.lock_file)
    except OSError:
        pass  # Windows: still open elsewhere; the next build removes it


def _drop_staging(staging: Path, owner: FileLock) -> None:
    import shutil

    shutil.rmtree(staging, ignore_errors=True)
    _release(owner)


__all__ = [
    "MANIFEST_NAME",
    "PROGRESS_MIN",
    "BuildError",
    "BuildResult",
    "BuildResults",
    "build_workspace",
    "read_entry",
    "read_manifest",
    "writer_version",
]
