"""Stage 9: propagate a new clause version into every assessment that uses it.

Each use of the clause moves to the new version. A use with a local variant is
updated by a three-way merge (base: the pinned version rendered for that assessment,
ours: the local variant, theirs: the new version rendered the same way). Everything is
computed in memory first; files are then edited line by line (comments, key order and
formatting stay as they were) and written all-or-nothing: if any file cannot be
updated, none is changed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from composer.compose.assemble import Composer
from composer.compose.render import render_text
from composer.errors import Diagnostics, ErrorList, Location, UserError
from composer.i18n import _
from composer.load import yamlio
from composer.load.assessment import load_assessment
from composer.load.workspace import Workspace
from composer.load.yamlio import YList, YMap
from composer.model import Assessment, Block, Clause, Pin
from composer.revisions.merge import Conflict, merge3
from composer.transaction import Transaction

Status = Literal["moved", "merged", "conflict"]
TEMPLATE_SYNTAX = re.compile(r"\{\{|\{%")
BLOCK_HEADER = re.compile(r"^(?P<lead>.*?:[ \t]*)(?P<style>[|>])(?P<rest>.*)$", re.S)


@dataclass(frozen=True)
class UseUpdate:
    assessment: str
    item: str
    clause: str
    from_version: int
    to_version: int
    status: Status
    location: Location
    conflicts: tuple[Conflict, ...] = ()


@dataclass(frozen=True)
class FileEdit:
    path: Path
    before: str
    after: str
    root: Path | None = None  # the workspace: the diff names the file relative to it

    @property
    def name(self) -> str:
        """The file as the diff headers name it: relative to the workspace (else as given)."""
        if self.root is not None:
            try:
                return Path(self.path).resolve().relative_to(Path(self.root).resolve()).as_posix()
            except ValueError:
                pass
        return Path(self.path).as_posix()

    def unified_diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True),
                self.after.splitlines(keepends=True),
                fromfile=f"a/{self.name}",
                tofile=f"b/{self.name}",
            )
        )


@dataclass(frozen=True)
class Plan:
    clause: str
    version: int
    updates: tuple[UseUpdate, ...]
    edits: tuple[FileEdit, ...]
    form_dirs: tuple[Path, ...] = ()

    @property
    def conflicts(self) -> tuple[UseUpdate, ...]:
        return tuple(u for u in self.updates if u.status == "conflict")


def parse_target(ws: Workspace, ref: str) -> tuple[Clause, int]:
    """``gov-cloud/storage`` (latest) or ``gov-cloud/storage@2``."""
    clause_id, _sep, version = ref.partition("@")
    if not version:
        clause = ws.library.require(clause_id)
        return clause, clause.latest.number
    if not version.isdigit():
        raise UserError(_("'{ref}' does not name a clause version", ref=ref), None, _("write it as gov-cloud/storage or gov-cloud/storage@2"))
    clause, v = ws.library.resolve(Pin(clause_id, int(version)))
    return clause, v.number


# --------------------------------------------------------------------------- plan


def plan(ws: Workspace, ref: str, names: Iterable[str] | None = None) -> Plan:
    """Compute every update and the new file texts, writing nothing."""
    clause, target = parse_target(ws, ref)
    comp = Composer.for_workspace(ws)
    updates: list[UseUpdate] = []
    edits: list[FileEdit] = []
    errors: list[UserError] = []
    for name in list(names) if names else ws.assessment_names():
        path = ws.assessment_path(name)
        diag = Diagnostics()
        try:
            text = yamlio.read_text(path, _("an assessment"))  # keeps the file's own line ends
        except UserError as exc:
            errors.append(exc)
            continue
        a = load_assessment(path, diag, ws.form_dirs, text=text)
        if a is None or diag.errors:
            errors.extend(diag.errors)
            continue
        lines = text.splitlines(keepends=True)
        tree = yamlio.parse_yaml(text, path)
        uses = [
            (entry, block, node)
            for entry in a.items
            for block, node in zip(entry.blocks, _block_nodes(tree, entry.file, entry.key))
            if isinstance(node, YMap) and block.pin is not None and block.pin.clause == clause.id and block.pin.version < target
        ]
        # edit from the bottom up, so that the line numbers of the uses above stay valid
        done: list[UseUpdate] = []
        for entry, block, node in sorted(uses, key=lambda u: -u[2].line):
            try:
                done.append(_update_use(comp, a, entry.file, entry.ref, block, node, lines, clause, target))
            except UserError as exc:
                errors.append(exc)
        updates.extend(reversed(done))
        if done:
            after = "".join(lines)
            edits.append(FileEdit(path, text, after, ws.root))
    if errors:
        raise ErrorList(errors)
    return Plan(clause.id, target, tuple(updates), tuple(edits), ws.form_dirs)


def _block_nodes(tree: YMap, file_id: str | None, key: str) -> list[YMap | str]:
    if file_id is None:
        items = tree.get("items") or YMap()
    else:
        spec = next(f for f in tree.get("files") or [] if isinstance(f, YMap) and str(f.get("id")) == file_id)
        items = spec.get("items") or YMap()
    value = items.get(key)
    return list(value) if isinstance(value, YList) else []


def _update_use(comp: Composer, a: Assessment, file_id, ref, block: Block, node, lines, clause: Clause, target: int) -> UseUpdate:  # type: ignore[no-untyped-def]
    assert block.pin is not None and isinstance(node, YMap)
    old = clause.version(block.pin.version)
    new = clause.version(target)
    assert old is not None and new is not None
    fspec = a.file(file_id) if file_id else None
    local = comp.local_context(a, fspec)
    ctx = comp.clause_context(clause, block, local)
    status: Status = "moved"
    conflicts: tuple[Conflict, ...] = ()
    if block.variant is not None:
        label = f"new ({clause.id}@{target})"
        if TEMPLATE_SYNTAX.search(block.variant):
            # the variant uses parameters or terms: merge the templates, so that it keeps them
            result = merge3(old.text, block.variant, new.text, ours_label="local", theirs_label=label)
            if result.clean:
                render_text(result.text, {**local, **ctx}, block.location, _("merged local variant"))
        else:
            base = render_text(old.text, ctx, old.location, _("clause {pin}", pin=str(block.pin)))
            theirs = render_text(new.text, ctx, new.location, _("clause {pin}", pin=str(Pin(clause.id, target))))
            ours = render_text(block.variant, {**local, **ctx}, block.location, _("local variant"))
            result = merge3(base, ours, theirs, ours_label="local", theirs_label=label)
        status = "merged" if result.clean else "conflict"
        conflicts = result.conflicts
        _replace_block_scalar(lines, node, "variant", result.text)
    _bump_pin(lines, node, clause.id, block.pin.version, target, a.path)
    line = node.line_of("clause")
    return UseUpdate(a.name, ref, clause.id, block.pin.version, target, status, Location.of(a.path, line, ref), conflicts)


def _bump_pin(lines: list[str], node: YMap, clause_id: str, old: int, new: int, path: str) -> None:
    i = node.value_lines["clause"] - 1
    pattern = re.compile(rf"(clause:\s*[\"']?{re.escape(clause_id)})@{old}(?!\d)")
    replaced, n = pattern.subn(rf"\g<1>@{new}", lines[i], count=1)
    if n != 1:
        raise UserError(
            _("cannot find the pin {pin} on this line", pin=str(Pin(clause_id, old))),
            Location.of(path, i + 1),
            _("write the pin as clause: ID@N on one line"),
        )
    lines[i] = replaced


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _replace_block_scalar(lines: list[str], node: YMap, key: str, text: str) -> None:
    """Replace the value of ``key`` (block or inline scalar) with ``text`` as a literal block."""
    key_line = node.key_lines[key] - 1
    head = lines[key_line]
    key_indent = head.index(f"{key}:") if f"{key}:" in head else _indent(head)
    # the extent of the old value: following lines that are blank or indented deeper than the key
    end = key_line + 1
    content_indent = None
    if key in node.block_values:
        while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > key_indent):
            if lines[end].strip() and content_indent is None:
                content_indent = _indent(lines[end])
            end += 1
        while end > key_line + 1 and not lines[end - 1].strip():
            end -= 1  # keep blank lines that separate this value from the next key
    pad = " " * (content_indent if content_indent is not None else key_indent + 2)
    newline = "\r\n" if head.endswith("\r\n") else "\n"
    prefix = head[:key_indent]
    body = [f"{pad}{ln}{newline}" if ln else newline for ln in text.split("\n")]
    if key in node.block_values:
        # keep the header (chomping, comment) but make it literal: the lines below are written as they are
        m = BLOCK_HEADER.match(head)
        header = f"{m['lead']}|{m['rest']}" if m else head
    else:
        header = f"{prefix}{key}: |{newline}"
    lines[key_line:end] = [header, *body]


# --------------------------------------------------------------------------- apply


def apply(p: Plan, allow_conflicts: bool = False, root: Path | None = None) -> None:
    """Write every edit, or none, as one transaction of the workspace at ``root``.

    A file changed by another program since the plan read it is refused (nothing is written).
    """
    if p.conflicts and not allow_conflicts:
        raise ErrorList(
            UserError(
                _("conflict merging the local variant with {pin} ({count} place(s))", pin=str(Pin(u.clause, u.to_version)), count=len(u.conflicts)),
                u.location,
                _("nothing was written; resolve by hand, or rerun with --allow-conflicts to write conflict markers"),
                code="conflict",
            )
            for u in p.conflicts
        )
    for e in p.edits:  # the new texts must load (conflict markers aside) before anything is written
        if not allow_conflicts or not yamlio.CONFLICT_MARKER.search(e.after):
            diag = Diagnostics()
            load_assessment(e.path, diag, p.form_dirs or None, text=e.after)
            if diag.errors:
                raise ErrorList(diag.errors)
    if not p.edits:
        return
    with Transaction(root or _common_root(p)) as txn:
        for e in p.edits:
            txn.write(e.path, e.after, expect=e.before)


def _common_root(p: Plan) -> Path:
    from composer.transaction import find_workspace_root

    return find_workspace_root(Path(p.edits[0].path).parent)
