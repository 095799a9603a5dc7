"""Stage 3: load an assessment file and check it against its form schema.

An assessment names its form, its metadata, its 特定個人情報ファイル, and for each item
of the form a list of blocks (pinned clauses, local text) or a choice value. Every
problem is reported with file and line; unknown item keys get a suggestion.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from pathlib import Path
from typing import Any

from composer.dates import parse_date
from composer.errors import Diagnostics, Location, UserError
from composer.i18n import Message, _
from composer.load.clauses import parse_pin
from composer.load.forms import FormDirs, FormIndex, get_form
from composer.load.validate import Fields, did_you_mean, scalar_text
from composer.load.yamlio import CONFLICT_MARKER_LINE, YList, YMap, parse_yaml, read_text
from composer.model import RISK_CHANGES, SUBMISSIONS, Annotation, Assessment, Block, FileSpec, ItemEntry, Meta

ASSESSMENT_KEYS = ("form", "meta", "parameters", "files", "items", "changes")
META_KEYS = ("number", "title", "jimu", "office", "declaration", "remarks", "published", "reassessed")
FILE_KEYS = ("id", "name", "parameters", "items")
BLOCK_KEYS = ("clause", "text", "with", "heading", "variant", "id")
CHANGE_KEYS = (
    "item", "file", "block", "blocks", "reason", "risk_change", "risk_situation",
    "countermeasure", "before", "after", "submission", "submission_note",
)
FILE_ID = re.compile(r"^[A-Za-z0-9_-]+$")
PLACEHOLDER = re.compile(r"【要(?:記入|選択)[^】]*】")


def check_conflict_markers(text: str, path: Path) -> list[UserError]:
    """Merge conflict markers left by ``hyoka propagate`` block every other command."""
    out = []
    for m in CONFLICT_MARKER_LINE.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        out.append(
            UserError(
                _("unresolved merge conflict marker"),
                Location.of(path, line),
                _("edit the text between the markers to the wording you want and delete the marker lines"),
                code="conflict",
            )
        )
    return out


def load_assessment(path: Path, diag: Diagnostics, form_dirs: FormDirs | None = None, text: str | None = None) -> Assessment | None:
    """Load one assessment (from ``text`` if given); errors go to ``diag``; None when unusable."""
    if text is None:
        try:
            text = read_text(path, _("an assessment"))
        except UserError as exc:
            diag.add(exc)
            return None
    markers = check_conflict_markers(text, path)
    if markers:
        diag.extend(markers)
        return None
    try:
        data = parse_yaml(text, path)
    except UserError as exc:
        diag.add(exc)
        return None
    f = Fields(data, path, diag, _("assessment"), ASSESSMENT_KEYS)
    if not f.ok:
        return None
    form_name = f.str("form", required=True) or "全項目"
    try:
        _form, index = get_form(form_name, f.loc("form"), form_dirs)
    except UserError as exc:
        diag.add(exc)
        return None
    m = Fields(f.map("meta"), path, diag, "meta", META_KEYS)
    meta = Meta(**{k: _meta_text(m, k) for k in META_KEYS})
    if meta.reassessed:
        try:
            parse_date(meta.reassessed, m.loc("reassessed"), "meta.reassessed")
        except UserError as exc:
            diag.add(exc)
    files: list[FileSpec] = []
    items: list[ItemEntry] = []
    flist = f.list("files")
    for i, fdata in enumerate(flist):
        ff = Fields(fdata, path, diag, _("file"), FILE_KEYS)
        if not ff.ok:
            continue
        fid = ff.str("id", required=True)
        if fid and not FILE_ID.match(fid):
            diag.error(_("file id '{id}' may only use letters, digits, '-' and '_'", id=fid), ff.loc("id"))
        if any(x.id == fid for x in files):
            diag.error(_("duplicate file id '{id}'", id=fid), ff.loc("id"))
        spec = FileSpec(fid, ff.str("name", required=True), ff.str_map("parameters"), Location.of(path, flist.line_of(i)))
        files.append(spec)
        items.extend(_load_items(ff.map("items"), path, index, fid, diag))
    items.extend(_load_items(f.map("items"), path, index, None, diag))
    changes = _load_changes(f.list("changes"), path, index, {x.id for x in files}, diag)
    return Assessment(
        name=path.stem,
        path=str(path),
        form=form_name,
        meta=meta,
        parameters=f.str_map("parameters"),
        files=tuple(files),
        items=tuple(items),
        changes=tuple(changes),
        location=Location.of(path, 1),
    )


def _meta_text(m: Fields, key: str) -> str:
    value = m.data.get(key)
    if isinstance(value, (_dt.date, _dt.datetime)):
        return scalar_text(value)
    return m.str(key)


def canonical_key(key: str) -> str:
    """An item key with its numbers as the form writes them: ``entrust01`` / ``entrust１`` -> ``entrust1``."""
    text = unicodedata.normalize("NFKC", key)
    return re.sub(r"\d+", lambda m: str(int(m.group())), text)


def resolve_key(index: FormIndex, key: str, loc: Location, diag: Diagnostics, what: str | Message) -> Any:
    """The form node of an item key written exactly as the form numbers it, or a located did-you-mean error."""
    resolved = index.resolve(key) if _is_canonical(key) else None
    if resolved is not None:
        return resolved
    canonical = canonical_key(key)
    hint: str | Message
    if canonical != key and index.resolve(canonical) is not None:
        hint = _("did you mean '{key}'? (numbers are written in ASCII digits without leading zeros)", key=canonical)
    else:
        hint = index.suggest(key) or _("see the form schema")
    diag.error(_("unknown item key '{key}' in {what}", key=key, what=what), loc, hint)
    return None


# every number ASCII, without a leading zero (so no instance 0 of a repeated group either)
_LEADING_ZERO = re.compile(r"(?<![0-9])0")


def _is_canonical(key: str) -> bool:
    return key.isascii() and not _LEADING_ZERO.search(key)


def _load_items(data: YMap, path: Path, index: FormIndex, file_id: str | None, diag: Diagnostics) -> list[ItemEntry]:
    out = []
    for key, value in data.items():
        key = str(key)
        loc = Location.of(path, data.line_of(key), key)
        resolved = resolve_key(index, key, loc, diag, _("form {form}", form=index.form.name))
        if resolved is None:
            continue
        node = resolved.node
        if node.per_file and file_id is None:
            diag.error(_("item '{key}' belongs to a 特定個人情報ファイル", key=key), loc, _("move it under files: [- id: …, items: …]"))
            continue
        if not node.per_file and file_id is not None:
            diag.error(_("item '{key}' is not per file", key=key), loc, _("move it to the top-level items:"))
            continue
        if node.type is None:
            kids = [c.key for c in node.children[:4]]
            diag.error(_("'{key}' is a heading, not an item", key=key), loc, _("write its items instead ({items})", items=kids))
            continue
        if node.type == "choice":
            if isinstance(value, (YMap, YList)) or value is None:
                diag.error(_("choice item '{key}' takes one of: {choices}", key=key, choices="、".join(node.choices)), loc)
                continue
            choice = str(value)
            if PLACEHOLDER.fullmatch(choice):
                diag.warning(
                    _("{item} is not chosen yet", item=node.label),
                    loc,
                    _("choose one of: {choices}", choices="、".join(node.choices)),
                    code="placeholder",
                )
                out.append(ItemEntry(key, file_id, loc, (), None))
                continue
            if choice not in node.choices:
                diag.error(
                    _("'{choice}' is not a choice of {item}", choice=choice, item=node.label),
                    loc,
                    _("use one of: {choices}", choices="、".join(node.choices)),
                    code="choice",
                )
            out.append(ItemEntry(key, file_id, loc, (), choice))
            continue
        blocks = _load_blocks(value, data, key, path, diag)
        out.append(ItemEntry(key, file_id, loc, tuple(blocks)))
    return out


def _load_blocks(value: Any, parent: YMap, key: str, path: Path, diag: Diagnostics) -> list[Block]:
    if value is None:
        return []
    if isinstance(value, str) or isinstance(value, (int, float)) and not isinstance(value, bool):
        loc = Location.of(path, parent.text_line_of(key), key)
        return [Block("text", "text-1", loc, text=str(value))]
    if not isinstance(value, YList):
        diag.error(_("item '{key}' must be text or a list of blocks", key=key), Location.of(path, parent.line_of(key), key))
        return []
    blocks: list[Block] = []
    texts = 0
    for i, b in enumerate(value):
        bloc = Location.of(path, value.line_of(i), key)
        if isinstance(b, str):
            texts += 1
            blocks.append(Block("text", f"text-{texts}", bloc, text=b))
            continue
        bf = Fields(b, path, diag, _("block of '{key}'", key=key), BLOCK_KEYS, line=value.line_of(i))
        if not bf.ok:
            continue
        has_clause, has_text = bf.has("clause"), bf.has("text")
        if has_clause == has_text:
            diag.error(_("a block of '{key}' needs exactly one of 'clause:' or 'text:'", key=key), bloc)
            continue
        heading = bf.str("heading") if bf.data.get("heading") is not None else None
        block_id = bf.str("id") or None
        if has_clause:
            try:
                pin = parse_pin(bf.str("clause"), Location.of(path, bf.data.line_of("clause"), key))
            except UserError as exc:
                diag.add(exc)
                continue
            variant = bf.str("variant") if bf.data.get("variant") is not None else None
            vloc = Location.of(path, bf.data.text_line_of("variant") if variant is not None else value.line_of(i), key)
            blocks.append(
                Block(
                    "clause",
                    block_id or pin.clause,
                    vloc if variant is not None else bloc,
                    pin=pin,
                    params=bf.str_map("with"),
                    variant=None if variant is None else str(variant),
                    heading=heading,
                )
            )
        else:
            if bf.has("with") or bf.has("variant"):
                diag.error(_("'with:' and 'variant:' belong to clause blocks"), bloc, _("remove them from this text block"))
            texts += 1
            tloc = Location.of(path, bf.data.text_line_of("text"), key)
            blocks.append(Block("text", block_id or f"text-{texts}", tloc, text=bf.str("text"), heading=heading))
    seen: dict[str, Block] = {}
    for blk in blocks:
        if blk.id in seen:
            diag.error(
                _("two blocks of '{key}' have the id '{id}'", key=key, id=blk.id),
                blk.location,
                _("give one of them an 'id:' of its own"),
            )
        seen[blk.id] = blk
    return blocks


def _load_changes(data: YList, path: Path, index: FormIndex, file_ids: set[str], diag: Diagnostics) -> list[Annotation]:
    out = []
    for i, c in enumerate(data):
        cf = Fields(c, path, diag, _("change annotation"), CHANGE_KEYS)
        if not cf.ok:
            continue
        loc = Location.of(path, data.line_of(i))
        item = cf.str("item", required=True)
        file_id = cf.str("file") or None
        if item:
            resolve_key(index, item, cf.loc("item"), diag, _("change annotation"))
        if file_id and file_id not in file_ids:
            diag.error(_("unknown file '{file}' in change annotation", file=file_id), cf.loc("file"), did_you_mean(file_id, file_ids))
        blocks = tuple(cf.str_list("blocks"))
        if cf.has("block"):
            blocks = (cf.str("block"),) + blocks
        risk = cf.choice("risk_change", RISK_CHANGES)
        sub = cf.choice("submission", SUBMISSIONS)

        def opt(key: str, cf: Fields = cf) -> str | None:
            return cf.str(key) if cf.has(key) else None

        out.append(
            Annotation(
                item=item,
                file=file_id,
                blocks=blocks,
                location=loc,
                reason=opt("reason"),
                risk_change=risk,  # type: ignore[arg-type]
                risk_situation=opt("risk_situation"),
                countermeasure=opt("countermeasure"),
                before=opt("before"),
                after=opt("after"),
                submission=sub,  # type: ignore[arg-type]
                submission_note=opt("submission_note"),
            )
        )
    return out
