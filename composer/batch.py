"""Stage 6: batch builds — many documents, in parallel, skipping the unchanged ones.

Every output document has a **build key**: a SHA-256 over the composed assessment (its
content only, not where in the YAML it was written), the output format, the writer's
version and, for Word output, the bytes of the reference document. The keys of the
documents written last time are kept in ``.hyoka-build.json`` in the output directory::

    {
      "manifest": 1,
      "documents": {
        "juki.docx": {"assessment": "juki", "format": "docx", "key": "sha256:…"}
      }
    }

A document whose key is unchanged and whose file still exists is skipped (``force``
rebuilds it). With ``jobs_n > 1`` documents are written by a process pool. Every file,
the manifest included, is written atomically; a document that fails keeps its previous
file and its previous manifest entry.

The library never prints: ``progress(done, total, result)`` is called after each
document, and the caller decides whether to show a bar (the CLI does above
:data:`PROGRESS_MIN` documents).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple

from filelock import FileLock, Timeout

from composer.errors import BuildError, Diagnostics, ErrorList, HyokaError, UserError, WriteError
from composer.i18n import Message, View, _
from composer.model import ComposedAssessment
from composer.revisions.snapshot import check_published_clauses

MANIFEST_NAME = ".hyoka-build.json"
MANIFEST_VERSION = 1
PROGRESS_MIN = 4  # show a progress bar above this many documents

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


class _Finish:
    """Records each document's result and reports progress ``(done, total, result)``."""

    def __init__(self, results: dict[str, BuildResult], total: int, progress: Progress | None) -> None:
        self.results, self.total, self.progress, self.done = results, total, progress, 0

    def __call__(self, result: BuildResult) -> None:
        self.done += 1
        self.results[result.name] = result
        if self.progress is not None:
            self.progress(self.done, self.total, result)


# --------------------------------------------------------------------------- build keys

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


def build_key(composed: ComposedAssessment, fmt: str, writer_version: str, reference_digest: str = "") -> str:
    payload = {
        "assessment": _canonical(composed),
        "format": fmt,
        "writer": writer_version,
        "reference": reference_digest,
    }
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return "sha256:" + hashlib.sha256(blob).hexdigest()


def writer_version(fmt: str) -> str:
    from composer import __version__

    if fmt == "docx":
        from composer.writers.docx import WRITER_VERSION

        return f"{__version__}:{WRITER_VERSION}"
    return f"{__version__}:{fmt}"


# --------------------------------------------------------------------------- manifest

def read_manifest(out_dir: Path) -> dict[str, dict[str, str]]:
    """The documents recorded in ``out_dir``'s manifest (empty when missing or unreadable)."""
    try:
        data = json.loads((Path(out_dir) / MANIFEST_NAME).read_text(encoding="utf-8"), object_pairs_hook=_shared())
    except (OSError, ValueError):
        return {}
    docs = data.get("documents") if isinstance(data, dict) and data.get("manifest") == MANIFEST_VERSION else None
    return {k: v for k, v in docs.items() if isinstance(v, dict)} if isinstance(docs, dict) else {}


def _shared() -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    """A JSON object hook that keeps one copy of each repeated text and of each repeated
    mapping: 35,000 entries name the same clause digests, so the manifest stays small in memory."""
    texts: dict[str, str] = {}
    maps: dict[tuple[tuple[str, Any], ...], dict[str, Any]] = {}

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        items = tuple((texts.setdefault(k, k), texts.setdefault(v, v) if isinstance(v, str) else v) for k, v in pairs)
        if all(isinstance(v, str) for _k, v in items):  # a leaf mapping (clause digests): shared when equal
            return maps.setdefault(items, dict(items))
        return dict(items)

    return hook


def _manifest_text(documents: Mapping[str, Mapping[str, Any]]) -> str:
    """The manifest as JSON, one document a line (json's C encoder per entry: an indented dump
    of 35,000 entries would hold several times the file's size in pieces)."""
    out = io.StringIO()
    out.write('{"manifest": ' + str(MANIFEST_VERSION) + ', "documents": {')
    for i, k in enumerate(sorted(documents)):
        out.write(",\n  " if i else "\n  ")
        out.write(json.dumps(k, ensure_ascii=False) + ": " + json.dumps(documents[k], ensure_ascii=False))
    out.write("\n}}\n")
    return out.getvalue()


def write_manifest(out_dir: Path, documents: Mapping[str, Mapping[str, str]], changed: set[str] | None = None) -> None:
    """Record ``documents``; with ``changed``, only those entries over the manifest now on disk.

    The manifest is re-read and written under the workspace lock, so that two builds into one
    directory keep each other's entries.
    """
    from composer.transaction import LockedError, Transaction, find_workspace_root

    out_dir = Path(out_dir)
    try:
        with Transaction(find_workspace_root(out_dir)) as txn:
            merged = dict(documents) if changed is None else {**read_manifest(out_dir), **{k: documents[k] for k in changed}}
            txn.write(out_dir / MANIFEST_NAME, _manifest_text(merged))
    except LockedError as exc:
        raise LockedError(
            _("the documents were written but the build manifest was not updated: {reason}", reason=exc.message),
            exc.location,
            _("the next build rewrites them; nothing else is wrong"),
            code="lock",
        ) from None


# --------------------------------------------------------------------------- building



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


def build_many(
    jobs: Sequence[ComposedAssessment],
    out_dir: Path,
    fmt: str,
    jobs_n: int = 1,
    force: bool = False,
    *,
    reference: Path | None = None,
    progress: Progress | None = None,
) -> list[BuildResult]:
    """Write every composed assessment in ``jobs`` to ``out_dir`` as ``fmt``.

    Unchanged documents are skipped unless ``force``; ``jobs_n > 1`` writes in that many
    processes. Raises :class:`BuildError` (after recording the documents that were
    written) when any document failed.
    """
    table = writers(reference)
    suffix, writer = table[fmt]
    out_dir = Path(out_dir)
    digest = ""
    if fmt == "docx":
        from composer.writers.docx import reference_digest

        digest = reference_digest(reference)
    version = writer_version(fmt)
    manifest = read_manifest(out_dir)
    total = len(jobs)
    results: dict[str, BuildResult] = {}
    todo: list[tuple[ComposedAssessment, Path, str]] = []
    finish = _Finish(results, total, progress)

    for composed in jobs:
        path = out_dir / f"{composed.name}{suffix}"
        key = build_key(composed, fmt, version, digest)
        entry = manifest.get(path.name)
        if not force and entry and entry.get("key") == key and path.is_file():
            finish(BuildResult(composed.name, path, "unchanged"))
        else:
            todo.append((composed, path, key))

    first_exc: BaseException | None = None
    keys = {composed.name: key for composed, _, key in todo}
    changed: set[str] = set()

    def record(composed: ComposedAssessment, path: Path, error: tuple[UserError | str, ...]) -> None:
        if error:
            finish(BuildResult(composed.name, path, "failed", error))
        else:
            manifest[path.name] = {"assessment": composed.name, "format": fmt, "key": keys[composed.name]}
            changed.add(path.name)
            finish(BuildResult(composed.name, path, "written"))

    if todo:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WriteError(out_dir, exc.strerror or str(exc)) from None
    if jobs_n > 1 and len(todo) > 1:
        with ProcessPoolExecutor(max_workers=min(jobs_n, len(todo))) as pool:
            futures = {pool.submit(_write_one, writer, c, p): (c, p) for c, p, _ in todo}
            for future in as_completed(futures):
                c, p = futures[future]
                try:
                    error: tuple[UserError | str, ...] = future.result()
                except Exception as exc:  # a bug in a writer: report it, keep the others
                    first_exc = first_exc or exc
                    error = (f"{type(exc).__name__}: {exc}",)
                record(c, p, error)
    else:
        for c, p, _ in todo:
            try:
                error = _write_one(writer, c, p)
            except Exception as exc:
                first_exc = first_exc or exc
                error = (f"{type(exc).__name__}: {exc}",)
            record(c, p, error)

    ordered = [results[c.name] for c in jobs]
    failed = [r for r in ordered if r.status == "failed"]
    if todo and len(failed) < len(todo):
        write_manifest(out_dir, manifest, changed)
    if failed:
        raise BuildError(failed) from first_exc
    return ordered


# --------------------------------------------------------------------------- workspace builds
#
# ``build_workspace`` is what ``hyoka build`` runs. It decides from fingerprints of the
# inputs, before parsing or composing anything, which documents are unchanged; the others
# go through the whole pipeline (load -> compose -> write) one at a time, in this process
# or in worker processes that receive names, not documents. Nothing holds every document
# at once. New files are written to a staging directory beside the outputs and moved into
# place only when every assessment composed without error, so a build with an error
# writes nothing.

STAGING_PREFIX = ".hyoka-staging-"


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
    name: str
    staged: Path | None  # the written file in the staging directory
    clauses: tuple[tuple[str, str], ...] = ()  # (clause id, digest) the document used
    errors: tuple[UserError, ...] = ()  # composing errors: nothing of this build is written
    write_errors: tuple[UserError | str, ...] = ()  # the writer failed: this document keeps its previous file


class _Staged(NamedTuple):
    """A document written to the staging directory, waiting for the others before it is moved into place."""

    name: str
    path: Path
    source: str  # the assessment file's digest
    clauses: dict[str, str]  # clause id -> digest, shared with the other documents that used the same


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
    """Input fingerprints of one workspace build, each computed once per run."""

    def __init__(self, ws: Any, fmt: str, reference: Path | None) -> None:
        parts = [
            f"manifest={MANIFEST_VERSION}", f"format={fmt}", f"writer={writer_version(fmt)}", f"code={code_digest()}",
            f"config={_file_digest(ws.config_path)}", f"forms={_tree_digest(list(ws.form_dirs), '*.yaml')}",
        ]
        if fmt == "docx":
            from composer.writers.docx import reference_digest

            parts.append(f"reference={reference_digest(reference)}")
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

    def key(self, source: str, clauses: Mapping[str, str]) -> str:
        """The build key of a document: the run's inputs, its assessment file, the clauses it used."""
        used = ",".join(f"{k}={v}" for k, v in sorted(clauses.items()))
        return "sha256:" + _sha(f"{self.run}\n{source}\n{used}".encode())

    def unchanged(self, entry: Mapping[str, Any] | None, source: str) -> bool:
        if not entry or entry.get("source") != source or not isinstance(entry.get("clauses"), dict):
            return False
        clauses = entry["clauses"]
        if any(self.clause(k) != v for k, v in clauses.items()):
            return False
        return entry.get("key") == self.key(source, clauses)


# per process: the workspace a worker builds from (loaded once by the pool's initializer)
_worker: dict[str, Any] = {}


def _worker_init(settings: BuildSettings) -> None:
    _end_with_parent()
    _worker.clear()
    _worker.update(_context(settings))


def _end_with_parent() -> None:
    """End this worker process when its parent ends (killed, or crashed), on every platform."""
    import multiprocessing
    import threading
    from multiprocessing.connection import wait

    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="hyoka-parent-watch", daemon=True).start()


def _context(settings: BuildSettings) -> dict[str, Any]:
    from composer.compose.assemble import Composer
    from composer.load.workspace import load_workspace

    ws = load_workspace(settings.root)
    suffix, writer = writers(settings.reference)[settings.fmt]
    return {"settings": settings, "ws": ws, "composer": Composer.for_workspace(ws), "suffix": suffix, "writer": writer}


def _build_name(name: str, context: Mapping[str, Any] | None = None) -> _Outcome:
    """Load, compose and write one assessment into the staging directory."""
    ctx = context or _worker
    settings: BuildSettings = ctx["settings"]
    diag = Diagnostics()
    try:
        # a published clause that changed since (even with its lock re-sealed) is refused
        check_published_clauses(ctx["ws"].snapshots_dir, Path(name).stem, ctx["ws"].library)
        a = ctx["ws"].load_assessment(name, diag)
        composed = ctx["composer"].compose(a, diag) if a is not None else None
    except UserError as exc:
        diag.add(exc)
        composed = None
    if diag.errors or composed is None:
        return _Outcome(name, None, errors=tuple(diag.errors) or (UserError(_("cannot load assessment '{name}'", name=name)),))
    used = sorted({b.clause for it in composed.items for b in it.blocks if b.clause})
    digests = tuple((cid, clause_digest(ctx["ws"].library.get(cid))) for cid in used)
    staged = settings.staging / f"{composed.name}{ctx['suffix']}"
    try:
        error: tuple[UserError | str, ...] = _write_one(ctx["writer"], composed, staged)
    except Exception as exc:  # a bug in a writer: report it, keep the others
        error = (f"{type(exc).__name__}: {exc}",)
    return _Outcome(name, None if error else staged, digests, write_errors=error)


def _pool(jobs_n: int, settings: BuildSettings) -> ProcessPoolExecutor:
    import multiprocessing

    # spawn everywhere: what Windows does, and no copy of the parent's heap in the workers
    return ProcessPoolExecutor(
        max_workers=jobs_n, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_init, initargs=(settings,)
    )


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
) -> list[BuildResult]:
    """Build the named assessments of ``ws`` into ``out_dir``; see the section comment above.

    Raises :class:`ErrorList` (nothing written) when any assessment has an error, and
    :class:`BuildError` (after moving the documents that were written into place) when a
    writer failed.
    """
    suffix = writers(reference)[fmt][0]
    out_dir = Path(out_dir)
    prints = Fingerprints(ws, fmt, reference)
    manifest = read_manifest(out_dir)
    share = _shared()
    total = len(names)
    results: dict[str, BuildResult] = {}
    todo: list[tuple[str, str]] = []  # (name, source digest)
    finish = _Finish(results, total, progress)

    for name in names:
        source_path = ws.assessment_path(name)
        path = out_dir / f"{Path(name).stem}{suffix}"
        source = _file_digest(source_path)
        if not force and path.is_file() and prints.unchanged(manifest.get(path.name), source):
            finish(BuildResult(Path(name).stem, path, "unchanged"))
        else:
            todo.append((name, source))
    if not todo:
        return [results[Path(n).stem] for n in names]

    created = not out_dir.exists()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        _remove_stale_staging(out_dir)
        staging, owner = _new_staging(out_dir)
    except (OSError, Timeout) as exc:
        raise WriteError(out_dir, getattr(exc, "strerror", None) or str(exc)) from None
    settings = BuildSettings(ws.root, out_dir, staging, fmt, reference)
    errors: list[UserError] = []
    staged: list[_Staged] = []
    changed: set[str] = set()
    try:
        sources = dict(todo)
        if jobs_n > 1 and len(todo) > 1:
            with _pool(min(jobs_n, len(todo)), settings) as pool:
                # small chunks: a worker that ends early takes more, so the last one to finish ends at most
                # a few documents after the others (chunks of len/8N left one worker ~7 % behind)
                chunk = max(1, min(8, len(todo) // (16 * jobs_n)))
                outcomes: Iterable[_Outcome] = pool.map(_build_name, [n for n, _ in todo], chunksize=chunk)
                for outcome in outcomes:
                    _collect(outcome, sources, errors, staged, finish, out_dir, suffix, share)
        else:
            context = {**_context(settings), "ws": ws}
            for name, _ in todo:
                _collect(_build_name(name, context), sources, errors, staged, finish, out_dir, suffix, share)
        if errors:
            raise ErrorList(errors)
        for done in staged:
            target = out_dir / done.path.name
            try:
                os.replace(done.path, target)
            except OSError as exc:
                raise WriteError(target, exc.strerror or str(exc)) from None
            changed.add(target.name)
            manifest[target.name] = {
                "assessment": Path(done.name).stem, "format": fmt, "key": prints.key(done.source, done.clauses),
                "source": done.source, "clauses": done.clauses,  # type: ignore[dict-item]
            }
        if changed:
            write_manifest(out_dir, manifest, changed)
    except BaseException:
        _drop_staging(staging, owner)
        if created and not any(out_dir.iterdir()):
            out_dir.rmdir()  # a build that wrote nothing leaves no empty output directory behind
        raise
    _drop_staging(staging, owner)
    ordered = [results[Path(n).stem] for n in names]
    failed = [r for r in ordered if r.status == "failed"]
    if failed:
        raise BuildError(failed)
    return ordered


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
        if not p.is_dir():
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


def _collect(
    outcome: _Outcome,
    sources: Mapping[str, str],
    errors: list[UserError],
    staged: list[_Staged],
    finish: Callable[[BuildResult], None],
    out_dir: Path,
    suffix: str,
    share: Callable[[list[tuple[str, Any]]], dict[str, Any]],
) -> None:
    stem = Path(outcome.name).stem
    path = out_dir / f"{stem}{suffix}"
    if outcome.errors:
        errors.extend(outcome.errors)
        finish(BuildResult(stem, path, "failed", outcome.errors))
    elif outcome.write_errors:
        finish(BuildResult(stem, path, "failed", outcome.write_errors))
    else:
        assert outcome.staged is not None  # written: the file waits in the staging directory
        # one copy of equal digests across documents, from the start: 35,000 documents wait here
        staged.append(_Staged(outcome.name, outcome.staged, sources[outcome.name], share(list(outcome.clauses))))
        finish(BuildResult(stem, path, "written"))


__all__ = [
    "MANIFEST_NAME",
    "PROGRESS_MIN",
    "BuildError",
    "BuildResult",
    "build_key",
    "build_many",
    "build_workspace",
    "read_manifest",
    "writer_version",
]
