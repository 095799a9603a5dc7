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
import json
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .errors import BuildError, HyokaError, WriteError
from .model import ComposedAssessment

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
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status != "failed"


Progress = Callable[[int, int, BuildResult], None]


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
    from . import __version__

    if fmt == "docx":
        from .docx_writer import WRITER_VERSION

        return f"{__version__}:{WRITER_VERSION}"
    return f"{__version__}:{fmt}"


# --------------------------------------------------------------------------- manifest

def read_manifest(out_dir: Path) -> dict[str, dict[str, str]]:
    """The documents recorded in ``out_dir``'s manifest (empty when missing or unreadable)."""
    try:
        data = json.loads((Path(out_dir) / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    docs = data.get("documents") if isinstance(data, dict) and data.get("manifest") == MANIFEST_VERSION else None
    return {k: v for k, v in docs.items() if isinstance(v, dict)} if isinstance(docs, dict) else {}


def write_manifest(out_dir: Path, documents: Mapping[str, Mapping[str, str]], changed: set[str] | None = None) -> None:
    """Record ``documents``; with ``changed``, only those entries over the manifest now on disk.

    The manifest is re-read and written under the workspace lock, so that two builds into one
    directory keep each other's entries.
    """
    from .transaction import LockedError, Transaction, find_workspace_root

    out_dir = Path(out_dir)
    try:
        with Transaction(find_workspace_root(out_dir)) as txn:
            merged = dict(documents) if changed is None else {**read_manifest(out_dir), **{k: documents[k] for k in changed}}
            data = {"manifest": MANIFEST_VERSION, "documents": {k: dict(merged[k]) for k in sorted(merged)}}
            txn.write(out_dir / MANIFEST_NAME, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    except LockedError as exc:
        raise LockedError(
            f"the documents were written but the build manifest was not updated: {exc.message}",
            exc.location,
            "the next build rewrites them; nothing else is wrong",
            code="lock",
        ) from None


# --------------------------------------------------------------------------- building



def writers(reference: Path | None = None) -> dict[str, tuple[str, Writer]]:
    """Output formats of ``hyoka build``: name -> (file suffix, writer).

    ``reference`` is the Word reference document (styles, page setup) of the docx writer.
    """
    from . import preview

    table: dict[str, tuple[str, Writer]] = {
        "md": (".md", preview.write_markdown),
        "html": (".html", preview.write_html),
    }
    try:
        from . import docx_writer
    except ImportError:  # pragma: no cover - python-docx missing
        return table
    if reference is None:
        table["docx"] = (".docx", docx_writer.write_assessment)
    else:
        table["docx"] = (".docx", functools.partial(docx_writer.write_assessment, reference=Path(reference)))
    return table


def _write_one(writer: Writer, composed: ComposedAssessment, path: Path) -> str:
    """Run one writer; returns "" or the user-facing message of a hyoka error (picklable)."""
    try:
        writer(composed, path)
    except HyokaError as exc:
        return str(exc)
    return ""


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
        from .docx_writer import reference_digest

        digest = reference_digest(reference)
    version = writer_version(fmt)
    manifest = read_manifest(out_dir)
    total = len(jobs)
    results: dict[str, BuildResult] = {}
    todo: list[tuple[ComposedAssessment, Path, str]] = []
    done = 0

    def finish(result: BuildResult) -> None:
        nonlocal done
        done += 1
        results[result.name] = result
        if progress is not None:
            progress(done, total, result)

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

    def record(composed: ComposedAssessment, path: Path, error: str) -> None:
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
                    error = future.result()
                except Exception as exc:  # a bug in a writer: report it, keep the others
                    first_exc = first_exc or exc
                    error = f"{type(exc).__name__}: {exc}"
                record(c, p, error)
    else:
        for c, p, _ in todo:
            try:
                error = _write_one(writer, c, p)
            except Exception as exc:
                first_exc = first_exc or exc
                error = f"{type(exc).__name__}: {exc}"
            record(c, p, error)

    ordered = [results[c.name] for c in jobs]
    failed = [r for r in ordered if r.status == "failed"]
    if todo and len(failed) < len(todo):
        write_manifest(out_dir, manifest, changed)
    if failed:
        raise BuildError(failed) from first_exc
    return ordered


__all__ = [
    "MANIFEST_NAME",
    "PROGRESS_MIN",
    "BuildError",
    "BuildResult",
    "build_key",
    "build_many",
    "read_manifest",
    "writer_version",
]
