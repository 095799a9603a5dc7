"""Clause libraries as sources: the bundled stock library, shared libraries, the workspace's own.

A workspace lists in ``hyoka.yaml`` the libraries it draws on, in order::

    libraries:
      - stock                          # the clauses bundled with hyoka
      - path: ../vendor-texts          # a directory (typically a git checkout)
      - package: acme-gov-cloud        # an installed Python package (entry point group hyoka.libraries)

The workspace's own ``clauses/`` always comes last. Without ``libraries:`` a workspace
uses the stock library (unless ``stock_clauses: false``) and its own clauses, as before.

A shared library is a directory of clause files with its own ``clauses.lock`` and a
manifest ``hyoka-library.yaml`` (name, publisher, version, date). A package declares
one with an entry point ``NAME = module`` in the group ``hyoka.libraries``; the library
is the module's directory (or the path a ``module:function`` returns).

A later library may add newer versions to a clause an earlier one defines; a version
number both define must have the same content (else an error naming both files), and
each library's published versions stay protected by its own lock.

The workspace records which versions of each library it has taken in ``libraries.lock``
(:func:`take`); :func:`review` shows what an update brings since then.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.metadata
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from composer.errors import Diagnostics, Location, UserError
from composer.i18n import Message, _
from composer.load.clauses import (
    MANIFEST_NAME,
    Library,
    LibraryRoot,
    check_clause_id,
    clause_files,
    confined_file,
    load_clause,
    verify_lock,
)
from composer.load.validate import Fields, scalar_text
from composer.load.yamlio import YList, YMap, atomic_write, load_mapping
from composer.model import Clause, ClauseVersion, Parameter

ENTRY_POINT_GROUP = "hyoka.libraries"
TAKEN_NAME = "libraries.lock"
STOCK = "stock"
LOCAL = "local"
RESERVED = (STOCK, LOCAL)
MANIFEST_KEYS = ("name", "publisher", "version", "date", "description")
LIBRARY_NAME = re.compile(r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$")


@dataclass(frozen=True)
class LibrarySpec:
    """One entry of ``libraries:`` in hyoka.yaml."""

    kind: str  # "stock", "path" or "package"
    value: str  # the path as written, or the package's library name
    location: Location


@dataclass(frozen=True)
class LibrarySource:
    """A library a workspace draws on, with its manifest."""

    name: str
    origin: str  # "stock", "directory", "package" or "workspace"
    path: Path
    publisher: str = ""
    version: str = ""
    date: str = ""

    @property
    def shared(self) -> bool:
        return self.origin in ("directory", "package")

    def describe(self) -> str:
        what = f"{self.name} {self.version}".strip()
        by = ", ".join(part for part in (self.publisher, self.date) if part)  # stock has no date
        return f"{what} ({by})" if self.publisher else what


# --------------------------------------------------------------------------- hyoka.yaml


def parse_specs(value: object, config: Path, line: int, diag: Diagnostics) -> tuple[LibrarySpec, ...] | None:
    """The ``libraries:`` list of hyoka.yaml, or None when the key is absent."""
    if value is None:
        return None
    if not isinstance(value, YList):
        diag.error(
            _("libraries must be a list"),
            Location.of(config, line, "libraries"),
            _("write one entry a line: - stock, - path: DIR, - package: NAME"),
        )
        return ()
    out = []
    for i, entry in enumerate(value):
        loc = Location.of(config, value.line_of(i), f"libraries[{i + 1}]")
        if isinstance(entry, YMap):
            keys = [str(k) for k in entry]
            if len(keys) != 1 or keys[0] not in ("path", "package") or not scalar_text(entry.get(keys[0])):
                diag.error(_("a library entry is 'stock', 'path: DIR' or 'package: NAME'"), loc)
                continue
            out.append(LibrarySpec(keys[0], scalar_text(entry.get(keys[0])), loc))
        elif scalar_text(entry) == STOCK:
            out.append(LibrarySpec(STOCK, STOCK, loc))
        else:
            diag.error(
                _("unknown library entry '{entry}'", entry=scalar_text(entry)), loc, _("write - stock, - path: DIR or - package: NAME")
            )
    return tuple(out)


# --------------------------------------------------------------------------- finding libraries


def read_manifest(directory: Path, origin: str, diag: Diagnostics, where: Location) -> LibrarySource | None:
    path = directory / MANIFEST_NAME
    if not directory.is_dir():
        diag.error(
            _("clause library {directory} does not exist (was it moved or removed?)", directory=directory),
            where,
            _("fix the path in hyoka.yaml, check the library out there again, or remove the entry"),
            code="library",
        )
        return None
    if not path.is_file():
        diag.error(
            _("{directory} is not a clause library: it has no {manifest}", directory=directory, manifest=MANIFEST_NAME),
            where,
            _("point at the library's top directory, or add {manifest} (name, publisher, version, date)", manifest=MANIFEST_NAME),
            code="library",
        )
        return None
    try:
        data = load_mapping(path, _("a clause library manifest"))
    except UserError as exc:
        diag.add(exc)
        return None
    f = Fields(data, path, diag, MANIFEST_NAME, MANIFEST_KEYS)
    name = f.str("name", required=True)
    publisher = f.str("publisher", required=True)
    version = scalar_text(data.get("version"))
    date = scalar_text(data.get("date"))
    for key, value in (("version", version), ("date", date)):
        if not value:
            diag.error(
                _("missing required key '{key}' in {what}", key=key, what=MANIFEST_NAME), Location.of(path, 1), _("add {key}:", key=key)
            )
    if name and (not LIBRARY_NAME.match(name) or name in RESERVED):
        diag.error(
            _("'{name}' cannot name a library", name=name), f.loc("name"), _("use lower-case letters, digits and '-' (stock and local are taken)")
        )
        return None
    if not name:
        return None
    return LibrarySource(name, origin, directory.resolve(), publisher, version, date)


def package_directory(name: str, where: Location) -> Path:
    """The directory of the library an installed package declares under ``name``."""
    found = [ep for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
    if not found:
        have = sorted({ep.name for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)})
        raise UserError(
            _("no installed package provides the clause library '{name}' (entry point group {group})", name=name, group=ENTRY_POINT_GROUP),
            where,
            _("pip install the vendor's package, or remove the entry (installed: {names})", names=have)
            if have
            else _("pip install the vendor's package, or remove the entry (installed: none)"),
        )
    ep = found[0]
    try:
        obj: Any = ep.load()
    except Exception as exc:  # the package is broken: say which
        error = f"{type(exc).__name__}: {exc}"
        raise UserError(
            _("cannot load the clause library '{name}' ({entry}): {error}", name=name, entry=ep.value, error=error),
            where,
            _("reinstall the package"),
        ) from None
    if callable(obj):
        obj = obj()
    if isinstance(obj, (str, Path)):
        return Path(obj)
    file = getattr(obj, "__file__", None)
    if file:
        return Path(file).resolve().parent
    raise UserError(
        _("the entry point of clause library '{name}' ({entry}) names no directory", name=name, entry=ep.value),
        where,
        _("point it at the package holding the clause files"),
    )


def find_sources(root: Path, specs: Sequence[LibrarySpec] | None, stock: bool, local: Path, stock_dir: Path,
                 diag: Diagnostics) -> list[LibrarySource]:
    """The libraries a workspace draws on, in order, the workspace's own last."""
    if specs is None:
        specs = (LibrarySpec(STOCK, STOCK, Location.of(root / "hyoka.yaml")),) if stock else ()
    out: list[LibrarySource] = []
    seen: dict[str, Location] = {}
    for spec in specs:
        if spec.kind == STOCK:
            src: LibrarySource | None = LibrarySource(STOCK, STOCK, stock_dir, "hyoka", _hyoka_version(), "")
        elif spec.kind == "path":
            p = Path(spec.value).expanduser()
            src = read_manifest(p if p.is_absolute() else root / p, "directory", diag, spec.location)
        else:
            try:
                d = package_directory(spec.value, spec.location)
            except UserError as exc:
                diag.add(exc)
                continue
            src = read_manifest(d, "package", diag, spec.location)
            if src is not None and src.name != spec.value:
                diag.error(
                    _("package library '{name}' calls itself '{called}' in {manifest}", name=spec.value, called=src.name, manifest=MANIFEST_NAME),
                    spec.location,
                    _("the entry point's name and the manifest's name must be the same"),
                )
                continue
        if src is None:
            continue
        if src.name in seen:
            diag.error(
                _("library '{name}' is listed twice (first at {first})", name=src.name, first=seen[src.name]),
                spec.location,
                _("list each library once"),
            )
            continue
        seen[src.name] = spec.location
        out.append(src)
    out.append(LibrarySource(LOCAL, "workspace", local))
    return out


def _hyoka_version() -> str:
    try:
        return importlib.metadata.version("hyoka")
    except importlib.metadata.PackageNotFoundError:
        return ""


# --------------------------------------------------------------------------- loading and merging


def load_libraries(sources: Sequence[LibrarySource], diag: Diagnostics, confine: Path | None = None) -> Library:
    """Load every library in order; a later one may add versions to an earlier one's clause.

    The workspace's own clause files must lie inside ``confine`` (the workspace), links resolved.
    """
    lib = Library(roots=tuple(LibraryRoot(s.path, s.name, confine=confine if s.origin == "workspace" else None) for s in sources))
    for root in lib.roots:
        loaded: list[Clause] = []
        files = list(clause_files(root.path))
        for clause_id, path in files:
            problem = check_clause_id(clause_id)
            if problem:
                diag.error(problem, Location.of(path), _("rename the file"))
                continue
            if not confined_file(path, root, diag):
                continue
            earlier = lib.clauses.get(clause_id)
            clause = load_clause(path, clause_id, root.name, diag, start=None if earlier else 1)
            if clause is None:
                continue
            clause = replace(clause, versions=tuple(replace(v, library=root.name) for v in clause.versions))
            loaded.append(clause)  # its lock covers the versions as this file states them
            merged = clause if earlier is None else extend(earlier, clause, diag)
            if merged is not None:
                lib.clauses[clause_id] = merged
        verify_lock(root, loaded, diag, {clause_id for clause_id, _ in files})
    return lib


def _file(c: Clause | ClauseVersion) -> Path | str:
    return Path(c.location.file) if c.location and c.location.file else "?"


def extend(earlier: Clause, later: Clause, diag: Diagnostics) -> Clause | None:
    """``earlier`` with the versions ``later`` adds; None (and errors) where the two disagree."""
    where = later.location
    ok = True
    differ: tuple[tuple[str, object, object, Message], ...] = (
        ("kind", earlier.kind, later.kind, _("keep the clause's kind as the earlier library has it")),
        ("heading", earlier.heading, later.heading,
         _("keep the clause's heading as the earlier library has it; give a new version its own heading:")),
    )
    for what, a, b, hint in differ:
        if a != b:
            diag.error(
                _("clause {clause}: {key} '{new}' differs from '{old}' in {file}", clause=later.id, key=what, new=b, old=a, file=_file(earlier)),
                where,
                hint,
                code="library",
            )
            ok = False
    params = {p.name: p for p in later.parameters}
    for p in earlier.parameters:
        q = params.get(p.name)
        if q is None or q.default != p.default:
            diag.error(
                _("clause {clause}: parameter '{name}' must stay as {file} defines it", clause=later.id, name=p.name, file=_file(earlier)),
                where,
                _("a later library may add parameters, not remove or change them"),
                code="library",
            )
            ok = False
    versions = list(earlier.versions)
    for v in later.versions:
        have = earlier.version(v.number)
        if have is not None:
            if have.content_hash() != v.content_hash():  # the lock's hash: what a published version promises
                diag.error(
                    _(
                        "clause {clause}@{number} is defined differently in {file} and {other}",
                        clause=later.id, number=v.number, file=_file(v), other=_file(have),
                    ),
                    v.location,
                    _(
                        "a version both libraries define must be identical: copy it unchanged, or number yours after @{latest}",
                        latest=earlier.latest.number,
                    ),
                    code="library",
                )
                ok = False
            continue
        if v.number != versions[-1].number + 1:
            diag.error(
                _("clause {clause}@{number} does not follow @{previous} ({file})",
                  clause=later.id, number=v.number, previous=versions[-1].number, file=_file(earlier)),
                v.location,
                _("number the new version {number}", number=versions[-1].number + 1),
                code="library",
            )
            ok = False
            continue
        versions.append(v)
    if not ok:
        return None
    extra: list[Parameter] = [p for p in later.parameters if p.name not in {q.name for q in earlier.parameters}]
    homes = tuple(dict.fromkeys((*earlier.homes, *later.homes)))
    return replace(earlier, versions=tuple(versions), parameters=(*earlier.parameters, *extra), homes=homes)


def library_of(clause: Clause | None, number: int) -> str:
    """The library that version ``number`` of ``clause`` comes from ("" if unknown)."""
    v = clause.version(number) if clause else None
    return (v.library or clause.library) if v and clause else ""


# --------------------------------------------------------------------------- taken versions


def taken_path(root: Path) -> Path:
    return root / TAKEN_NAME


def read_taken(root: Path) -> dict[str, dict[str, Any]]:
    """``libraries.lock``: for each library, the manifest version taken and the clause versions."""
    path = taken_path(root)
    if not path.exists():
        return {}
    data = load_mapping(path, _("the workspace's record of taken libraries"))
    out: dict[str, dict[str, Any]] = {}
    for name, entry in data.items():
        if not isinstance(entry, YMap):
            raise UserError(
                _("entry '{name}' must be a mapping", name=name),
                Location.of(path, data.line_of(name), str(name)),
                _("rewrite it with `hyoka libraries take`"),
            )
        out[str(name)] = {
            "version": scalar_text(entry.get("version")),
            "date": scalar_text(entry.get("date")),
            "clauses": [scalar_text(x) for x in entry.get("clauses") or []],
        }
    return out


@dataclass(frozen=True)
class Use:
    assessment: str
    item: str
    version: int
    location: Location | None


@dataclass(frozen=True)
class NewVersion:
    """A clause version a library brings that the workspace has not taken yet."""

    clause: Clause
    version: ClauseVersion
    previous: ClauseVersion | None
    uses: tuple[Use, ...]

    @property
    def key(self) -> str:
        return f"{self.clause.id}@{self.version.number}"

    def wording_diff(self) -> str:
        return phrase_diff(self.previous.text if self.previous else "", self.version.text)


@dataclass(frozen=True)
class LibraryUpdate:
    source: LibrarySource
    taken_version: str  # "" when never taken
    new: tuple[NewVersion, ...]
    withdrawn: tuple[str, ...] = ()  # ``id@N`` taken before that the library no longer has


def _versions_of(library: Library, name: str) -> list[tuple[Clause, ClauseVersion]]:
    return [(c, v) for c in library for v in c.versions if (v.library or c.library) == name]


def review(ws: Any, sources: Sequence[LibrarySource], uses: Iterable[Any], only: str | None = None) -> list[LibraryUpdate]:
    """What each (or the named) library brings since the workspace last took it."""
    taken = read_taken(ws.root)
    by_clause: dict[str, list[Use]] = {}
    for u in uses:
        by_clause.setdefault(u.clause, []).append(Use(u.assessment, u.item, u.version, u.location))
    out = []
    for src in _pick(sources, only, taken):
        had = set(taken.get(src.name, {}).get("clauses", []))
        new = []
        now = _versions_of(ws.library, src.name)
        withdrawn = tuple(sorted(had - {f"{c.id}@{v.number}" for c, v in now}))
        for clause, v in now:
            if f"{clause.id}@{v.number}" in had:
                continue
            new.append(NewVersion(clause, v, clause.version(v.number - 1), tuple(by_clause.get(clause.id, ()))))
        out.append(LibraryUpdate(src, taken.get(src.name, {}).get("version", ""), tuple(new), withdrawn))
    return out


def _pick(sources: Sequence[LibrarySource], only: str | None, taken: dict[str, Any] | None = None) -> list[LibrarySource]:
    """The named library, or (``taken`` given) the shared ones and those taken before, or all."""
    listed = [s for s in sources if s.origin != "workspace"]
    if only is None:
        return listed if taken is None else [s for s in listed if s.shared or s.name in taken]
    chosen = [s for s in listed if s.name == only]
    if not chosen:
        names = [s.name for s in listed]
        raise UserError(
            _("the workspace uses no library '{name}'", name=only), None, _("have: {names}", names=names) if names else _("have: none")
        )
    return chosen


def take(ws: Any, sources: Sequence[LibrarySource], only: str | None = None) -> list[LibrarySource]:
    """Record that the workspace has taken the current version of each (or the named) library."""
    taken = read_taken(ws.root)
    chosen = _pick(sources, only)
    for src in chosen:
        keys = sorted(f"{c.id}@{v.number}" for c, v in _versions_of(ws.library, src.name))
        taken[src.name] = {"version": src.version, "date": src.date, "clauses": keys}
    names = [s.name for s in sources if s.name in taken] + sorted(n for n in taken if n not in {s.name for s in sources})
    lines = [
        "# Which version of each clause library this workspace has taken; written by `hyoka libraries take`.",
        "# `hyoka libraries review` shows what a library brings beyond this.",
    ]
    for name in names:
        e = taken[name]
        lines.append(f"{name}:")
        lines.append(f"  version: {_quote(e['version'])}")
        lines.append(f"  date: {_quote(e['date'])}")
        lines.append("  clauses:" + ("" if e["clauses"] else " []"))
        lines += [f"    - {_quote(k)}" for k in e["clauses"]]
    atomic_write(taken_path(ws.root), "\n".join(lines) + "\n")
    return chosen


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --------------------------------------------------------------------------- phrase diff

# runs of one script: kanji, hiragana, katakana, latin letters, digits (half or full width), spaces;
# every other character (punctuation, ①, brackets) is a phrase of its own
_PHRASE = re.compile(
    r"[\u4e00-\u9fff\u3400-\u4dbf々〆ヵヶ]+|[\u3041-\u309fー]+|[\u30a0-\u30ffｦ-ﾟー]+|[A-Za-zＡ-Ｚａ-ｚ]+"
    r"|[0-9０-９]+|[ \t\u3000]+|\n|."
)


def phrases(text: str) -> list[str]:
    """Cut text into phrases: runs of kanji, kana, latin letters or digits; punctuation alone.

    >>> phrases("第1.0版】（令和４年")
    ['第', '1', '.', '0', '版', '】', '（', '令和', '４', '年']
    """
    return _PHRASE.findall(text)


def phrase_diff(old: str, new: str) -> str:
    """The new text, line by line, with removed phrases as [-…-] and added ones as {+…+}.

    Lines that did not change are left out; a wholly new text is shown as added.
    """
    out: list[str] = []
    a, b = old.rstrip("\n").split("\n") if old else [], new.rstrip("\n").split("\n")
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        before, after = "\n".join(a[i1:i2]), "\n".join(b[j1:j2])
        parts: list[str] = []
        for same, old_part, new_part in _segments(phrases(before), phrases(after)):
            if same:
                parts.append(old_part)
                continue
            if old_part:
                parts.append("[-" + old_part + "-]")
            if new_part:
                parts.append("{+" + new_part + "+}")
        out.append("".join(parts))
    return "\n".join(out)


def _segments(pa: list[str], pb: list[str]) -> list[tuple[bool, str, str]]:
    """(unchanged?, old text, new text) runs; a lone phrase kept between two changes joins them.

    Without that, 「令和４年１０月」→「令和６年４月」 would read 令和{+６年+}４[-年１０-]月.
    """
    segs: list[list] = []  # type: ignore[type-arg]
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, pa, pb, autojunk=False).get_opcodes():
        segs.append([op == "equal", pa[i1:i2], pb[j1:j2]])
    merged: list[list] = []  # type: ignore[type-arg]
    for i, seg in enumerate(segs):
        lone = seg[0] and len(seg[1]) == 1 and seg[1][0] != "\n" and 0 < i < len(segs) - 1
        if lone and not segs[i + 1][0] and merged and not merged[-1][0]:
            merged[-1][1] = merged[-1][1] + seg[1]
            merged[-1][2] = merged[-1][2] + seg[2]
            continue
        if merged and not seg[0] and not merged[-1][0]:
            merged[-1][1] = merged[-1][1] + seg[1]
            merged[-1][2] = merged[-1][2] + seg[2]
            continue
        merged.append([seg[0], list(seg[1]), list(seg[2])])
    return [(same, "".join(a), "".join(b)) for same, a, b in merged]
