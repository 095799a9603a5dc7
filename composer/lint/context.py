"""What the lint rules read: the files read for lint and the :class:`LintContext`.

The rules (:mod:`composer.lint.rules`) and the runner (:mod:`composer.lint.engine`) both
import this module; the rules never import the runner.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from composer.errors import UserError
from composer.lint.registry import Passage
from composer.load.forms import get_form
from composer.load.yamlio import YList, YMap, parse_yaml, read_text
from composer.model import Assessment, Clause, ClauseVersion, ComposedAssessment, item_ref

MARKER = re.compile(r"#\s*hyoka:\s*disable(?:\s*=\s*([A-Za-z0-9_,\- ]+))?")
_BLOCK_ITEM = re.compile(r"^\s*-\s*[|>]")
# keys whose values are names, pins, dates or fixed vocabulary, not wording
_NOT_TEXT = frozenset(
    {
        "form",
        "clause",
        "id",
        "item",
        "file",
        "block",
        "blocks",
        "risk_change",
        "submission",
        "published",
        "reassessed",
        "number",
        "version",
        "date",
        "source",
        "kind",
        "homes",
    }
)
# (a change's `before:` is the wording as it was published: history, not linted)
_CHANGE_TEXT = ("reason", "risk_situation", "countermeasure", "after", "submission_note")

# --------------------------------------------------------------------------- files


@dataclass
class ParsedFile:
    """A YAML file read for lint: its lines, its data, and its ``# hyoka: disable`` comments."""

    path: str
    text: str
    data: Any
    markers: dict[int, frozenset[str]]
    header: frozenset[str]  # disables that cover the whole file
    anchors: dict[int, frozenset[int]] = field(default_factory=dict)  # node line -> its own and its ancestors' lines

    def __post_init__(self) -> None:
        self.lines = self.text.splitlines()

    def line(self, n: int) -> str:
        return self.lines[n - 1] if 0 < n <= len(self.lines) else ""

    def disabled(self, rule_id: str, anchors: Iterable[int]) -> bool:
        ids = set(self.header)
        for line in anchors:
            ids |= self.markers.get(line, frozenset())
        return rule_id in ids or "all" in ids


def parse_file(path: str | Path) -> ParsedFile | None:
    try:
        text = read_text(Path(path))
        data = parse_yaml(text, Path(path))
    except UserError:
        return None  # the loader has reported it
    markers: dict[int, frozenset[str]] = {}
    header: set[str] = set()
    in_header = True
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if in_header and stripped and not stripped.startswith("#"):
            in_header = False
        m = MARKER.search(line)
        if not m:
            continue
        ids = frozenset(x.strip() for x in (m.group(1) or "all").split(",") if x.strip())
        markers[n] = ids
        if in_header:
            header |= ids
    return ParsedFile(str(path), text, data, markers, frozenset(header))


# --------------------------------------------------------------------------- context


class LintContext:
    """What the rules read: the workspace, its library, the clauses in scope, the files read.

    Assessments come one at a time (:meth:`note` records the clause versions each pins, all
    that is kept of it); :attr:`clauses_in_scope` is known once every assessment has been
    seen (:meth:`close`). A file read for lint is kept until :meth:`forget` drops it: the
    engine drops each assessment's file once it is linted, so memory does not grow with the
    number of assessments.
    """

    def __init__(self, ws: Any, names: list[str] | None = None, everything: bool = False) -> None:
        self.ws = ws
        self.library = ws.library
        self.names = names
        self.everything = everything
        self.pinned: set[tuple[str | None, int | None]] = set()  # (clause id, version) of every pin seen
        self.clauses_in_scope: list[tuple[Clause, tuple[ClauseVersion, ...]]] = []
        self._files: dict[str, ParsedFile | None] = {}

    def note(self, composed: ComposedAssessment) -> None:
        """Record the clause versions ``composed`` pins (what the clause scope is made from)."""
        self.pinned.update((b.clause, b.version) for _, b in composed.pins)

    def close(self) -> None:
        """Every assessment has been noted: fix the clauses in scope."""
        self.clauses_in_scope = self._scope(self.names)

    def _scope(self, names: list[str] | None) -> list[tuple[Clause, tuple[ClauseVersion, ...]]]:
        """Local clauses (all, or those the named assessments pin) and the stock versions in use."""
        pinned = self.pinned
        out = []
        for clause in self.library:
            if self.everything or (clause.library == "local" and not names):
                versions = clause.versions
            else:  # the versions in use, and (without names) those the workspace itself adds to a library's clause
                versions = tuple(
                    v for v in clause.versions
                    if (clause.id, v.number) in pinned or (not names and v.library == "local")
                )
            if versions:
                out.append((clause, versions))
        return out

    def forget(self, path: str | Path) -> None:
        """Drop a file read for lint (its findings are made)."""
        self._files.pop(str(path), None)

    def file(self, path: str | Path) -> ParsedFile | None:
        key = str(path)
        if key not in self._files:
            self._files[key] = parse_file(path)
        return self._files[key]

    def clause_path(self, clause: Clause, number: int | None = None) -> str:
        """The file that defines ``clause`` (or its version ``number``: a later library may add versions)."""
        v = clause.version(number) if number is not None else None
        library = (v.library if v is not None else "") or clause.library
        for root in self.library.roots:
            if root.name == library:
                for suffix in (".yaml", ".yml"):
                    p = root.path / f"{clause.id}{suffix}"
                    if p.exists():
                        return str(p)
        return clause.location.file if clause.location else clause.id

    def version_node(self, clause: Clause, number: int) -> tuple[YMap | None, int | None]:
        f = self.file(self.clause_path(clause, number))
        if f is None or not isinstance(f.data, YMap) or not isinstance(f.data.get("versions"), YList):
            return None, None
        vlist = f.data["versions"]
        for i, node in enumerate(vlist):
            if isinstance(node, YMap) and node.get("version") == number:
                return node, vlist.line_of(i)
        return None, None

    def field_line(self, clause: Clause, number: int, field_name: str, source: str, name: str) -> tuple[str, int | None]:
        """File and line where ``{{ name }}`` is written in a version's field."""
        path = self.clause_path(clause, number)
        node, vline = self.version_node(clause, number)
        if node is None:
            return path, vline
        keys = field_name.split(".")
        for k in keys[:-1]:
            child = node.get(k)
            if not isinstance(child, YMap):
                return path, vline
            node = child
        if keys[-1] not in node:
            return path, vline
        line = node.text_line_of(keys[-1])
        m = re.search(r"[{][{%][^}]*\b" + re.escape(name) + r"\b", source)
        if m and keys[-1] in node.block_values:
            line += source.count("\n", 0, m.start())
        return path, line

    def parameter_line(self, clause: Clause, name: str) -> tuple[str, int | None]:
        path = self.clause_path(clause)
        f = self.file(path)
        if f is not None and isinstance(f.data, YMap) and isinstance(f.data.get("parameters"), YMap):
            return path, f.data["parameters"].line_of(name)
        return path, clause.location.line if clause.location else None

    # ------------------------------------------------------------------ passages

    def passages(self, a: Assessment) -> Iterator[Passage]:
        """The texts of one assessment file."""
        yield from self._assessment_passages(a)

    def clause_passages(self) -> Iterator[Passage]:
        """The texts of the clauses in scope (after :meth:`close`)."""
        for clause, versions in self.clauses_in_scope:
            yield from self._clause_passages(clause, versions)

    def _assessment_passages(self, a: Assessment) -> Iterator[Passage]:
        f = self.file(a.path)
        if f is None or not isinstance(f.data, YMap):
            return
        top = f.data
        choices = self._choice_items(a)
        for section in ("meta", "parameters"):
            node = top.get(section)
            if isinstance(node, YMap):
                for k in node:
                    if k not in _NOT_TEXT:
                        yield from self._walk(f, node, k, f"{section}.{k}", frozenset({top.line_of(section)}), "assessment")
        files = top.get("files")
        if isinstance(files, YList):
            for i, fnode in enumerate(files):
                if not isinstance(fnode, YMap):
                    continue
                fid = str(fnode.get("id", ""))
                anchors = frozenset({top.line_of("files"), files.line_of(i)})
                for k in ("name", "parameters"):
                    if k in fnode:
                        yield from self._walk(f, fnode, k, f"files.{fid}.{k}", anchors, "assessment")
                if isinstance(fnode.get("items"), YMap):
                    yield from self._items(f, fnode["items"], fid, anchors | {fnode.line_of("items")}, choices)
        if isinstance(top.get("items"), YMap):
            yield from self._items(f, top["items"], None, frozenset({top.line_of("items")}), choices)
        changes = top.get("changes")
        if isinstance(changes, YList):
            for i, cnode in enumerate(changes):
                if not isinstance(cnode, YMap):
                    continue
                key = "change of " + item_ref(str(cnode.get("item", "?")), cnode.get("file") and str(cnode.get("file")))  # untranslated: a location key, the same in every language
                anchors = frozenset({top.line_of("changes"), changes.line_of(i)})
                for k in _CHANGE_TEXT:
                    if k in cnode:
                        yield from self._walk(f, cnode, k, key, anchors, "assessment")

    def _choice_items(self, a: Assessment) -> set[tuple[str | None, str]]:
        """Items whose value is a ＜選択肢＞ (or its 【要選択】 placeholder): the loader checks those."""
        try:
            _, index = get_form(a.form, a.location, self.ws.form_dirs)
        except UserError:
            return set()
        out = set()
        for e in a.items:
            resolved = index.resolve(e.key)
            if resolved is not None and resolved.node.type == "choice":
                out.add((e.file, e.key))
        return out

    def _items(
        self, f: ParsedFile, items: YMap, fid: str | None, anchors: frozenset[int], choices: set[Any]
    ) -> Iterator[Passage]:
        for k in items:
            if (fid, str(k)) in choices:
                continue  # ＜選択肢＞ values are checked by the loader
            yield from self._walk(f, items, k, item_ref(str(k), fid), anchors, "assessment")

    def _clause_passages(self, clause: Clause, versions: tuple[ClauseVersion, ...]) -> Iterator[Passage]:
        # versions may come from several libraries' files: each file is read for its own versions;
        # wording from any library but the workspace's own is the publisher's (reported only)
        for library in dict.fromkeys(v.library or clause.library for v in versions):
            mine = tuple(v for v in versions if (v.library or clause.library) == library)
            yield from self._clause_file_passages(clause, mine, library, first=library == clause.library)

    def _clause_file_passages(self, clause: Clause, versions: tuple[ClauseVersion, ...], library: str, first: bool) -> Iterator[Passage]:
        f = self.file(self.clause_path(clause, versions[0].number))
        if f is None or not isinstance(f.data, YMap):
            return
        top = f.data
        kw = {"stock": library != "local", "verbatim": clause.kind == "verbatim"}
        if "heading" in top and first:
            yield from self._walk(f, top, "heading", clause.id, frozenset(), "clause", **kw)
        vlist = top.get("versions")
        if not isinstance(vlist, YList):
            return
        numbers = {v.number for v in versions}
        for i, node in enumerate(vlist):
            if not isinstance(node, YMap) or node.get("version") not in numbers:
                continue
            anchors = frozenset({top.line_of("versions"), vlist.line_of(i)})
            for k in ("heading", "text", "notes"):
                if k in node:
                    yield from self._walk(f, node, k, f"{clause.id}@{node['version']}", anchors, "clause", **kw)

    def _walk(
        self, f: ParsedFile, parent: Any, k: Any, key: str, anchors: frozenset[int], origin: Any, **kw: Any
    ) -> Iterator[Passage]:
        """Every string below ``parent[k]``, with the line its text starts on."""
        value = parent[k]
        line = parent.line_of(k)
        if isinstance(parent, YMap):
            block = k in parent.block_values
            text_line = parent.text_line_of(k)
        else:
            block = bool(_BLOCK_ITEM.match(f.line(line)))
            text_line = line + 1 if block else line
        anchors = anchors | {line}
        f.anchors.setdefault(line, anchors)
        if isinstance(value, str):
            f.anchors.setdefault(text_line, anchors)
            if value.strip():
                exact = block or "\n" not in value
                yield Passage(value, f.path, text_line, key, origin, exact, anchors, **kw)
        elif isinstance(value, YMap):
            for sub in value:
                if sub not in _NOT_TEXT:
                    yield from self._walk(f, value, sub, key, anchors, origin, **kw)
        elif isinstance(value, YList):
            for i in range(len(value)):
                yield from self._walk(f, value, i, key, anchors, origin, **kw)
