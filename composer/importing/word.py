"""Stage 3 of the import: write what was read as an assessment, and the Word round trip.

:func:`import_document` reads a 評価書 (.docx), matches it to its form
(:mod:`composer.importing.match`) and returns the assessment YAML and an
:class:`ImportReport`. :func:`update_document` takes a document hyoka built and
staff edited in Word and writes back only the items that changed, with ruamel.yaml
so the rest of the assessment file stays as it was.
"""

from __future__ import annotations

import difflib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from composer.compose.render import render_text
from composer.errors import Location, UserError
from composer.i18n import Message, View, _
from composer.importing.match import (
    SIMILARITY,
    ClauseMatcher,
    ImportedBlock,
    ImportedDocument,
    ImportedItem,
    english,
    form_score,
    match_document,
)
from composer.importing.reader import read_docx
from composer.load.forms import available_forms, get_form
from composer.model import Block, ComposedAssessment, ComposedItem


@dataclass
class ImportReport:
    name: str
    source: str
    form: str
    document: ImportedDocument
    path: str = ""  # the assessment written
    changed: list[str] = field(default_factory=list)  # --update: item refs written back
    snapshot: str = ""  # --publish: the baseline snapshot written

    def to_dict(self) -> dict[str, Any]:
        d = self.document
        pins, variants, texts = [], [], []
        for it in d.items:
            for b in it.blocks:
                entry = {"item": _ref(it), "where": english(it.where)}
                if b.clause:
                    pins.append({**entry, "clause": b.clause, "version": b.version, "similarity": round(b.similarity, 3)})
                    if b.variant is not None:
                        variants.append({**entry, "clause": b.clause, "version": b.version, "similarity": round(b.similarity, 3)})
                else:
                    texts.append({**entry, "chars": len(b.text), **({"warning": english(b.warning)} if b.warning else {})})
        return {
            "assessment": self.name,
            "source": self.source,
            "form": self.form,
            "written": self.path,
            "files": d.files,
            "items_filled": [_ref(it) for it in d.items],
            "choices": [{"item": _ref(it), "choice": it.choice} for it in d.items if it.choice is not None],
            "pins": pins,
            "variants": variants,
            "local_texts": texts,
            "unplaced": [u.to_dict() for u in d.unplaced],
            "unmatched_labels": [u.to_dict() for u in d.unmatched],
            "warnings": [english(w) for w in self.warnings()],
            "updated": self.changed,
            "snapshot": self.snapshot,
            "similarity_threshold": SIMILARITY,
        }

    def warnings(self) -> list[str | Message]:
        d = self.document
        return d.warnings + [b.warning for it in d.items for b in it.blocks if b.warning]

    def text(self, view: View | None = None) -> str:
        """The report as a user reads it, in the view's language (English by default)."""
        view = view or View()
        d = self.to_dict()
        lines: list[str | Message] = [f"{self.source} → {self.path or self.name} ({self.form})"]
        if self.snapshot:
            lines.append(_("published the imported state as {snapshot}", snapshot=self.snapshot))
        if self.changed:
            lines.append(_("updated {count} items: {items}", count=len(self.changed), items=list(self.changed)))
        lines.append(_("items filled: {count} (choices {choices})", count=len(d["items_filled"]), choices=len(d["choices"])))
        lines.append(_("clause pins: {count}", count=len(d["pins"])))
        for p in d["pins"]:
            pin = f"{p['clause']}@{p['version']}"
            if p in d["variants"] or p["similarity"] < 1:
                similarity = format(p["similarity"], ".0%")
                lines.append(_("  {item}: {pin} variant, similarity {similarity}", item=p["item"], pin=pin, similarity=similarity))
            else:
                lines.append(f"  {p['item']}: {pin}")
        lines.append(_("local texts: {count}", count=len(d["local_texts"])))
        for w in self.warnings():
            lines.append(_("warning: {warning}", warning=w))
        for u in self.document.unmatched:
            if u.suggestion:
                lines.append(_("unmatched label: {where}: {label} (did you mean '{suggestion}'?)", where=u.where, label=u.label,
                               suggestion=u.suggestion))
            else:
                lines.append(_("unmatched label: {where}: {label}", where=u.where, label=u.label))
        for n in self.document.unplaced:
            lines.append(_("not placed: {where}: {reason}: {text}", where=n.where, reason=n.reason, text=repr(n.text[:60])))
        return "\n".join(view.text(line) for line in lines)


def _ref(it: ImportedItem) -> str:
    return f"file{it.file + 1}:{it.key}" if it.file is not None else it.key


# --------------------------------------------------------------------------- reading


def _matcher(ws: Any) -> ClauseMatcher:
    comp_params = dict(ws.config.parameters)

    def render(clause: Any, version: Any, context: dict[str, str]) -> tuple[str, str] | None:
        ctx: dict[str, Any] = {}
        for p in clause.parameters:
            if p.name in context:
                ctx[p.name] = context[p.name]
            elif p.default is not None:
                ctx[p.name] = p.default
            else:
                return None
        try:
            body = render_text(version.text, ctx, None)
            heading = render_text(clause.heading_of(version), {**context, **ctx}, None)
        except UserError:
            return None
        return heading, body

    del comp_params
    return ClauseMatcher(list(ws.library), render)


def read_document(ws: Any, source: Path, form_name: str | None = None, parameters: dict[str, str] | None = None) -> ImportedDocument:
    """Read ``source`` and place it on its form (the one named, else the best-matching)."""
    body = read_docx(Path(source))
    if form_name:
        form, index = get_form(form_name, None, ws.form_dirs)
    else:
        forms = {f.name: (f, i) for f, i in available_forms(ws.form_dirs).values()}
        if not forms:  # pragma: no cover - hyoka bundles its forms
            raise UserError(_("no form schema available"))
        scored = sorted(forms.values(), key=lambda fi: form_score(body, fi[0]), reverse=True)
        form, index = scored[0]
        if form_score(body, form) == 0:
            raise UserError(
                _("not a 評価書: no heading or label of any form was found"),
                Location.of(source),
                _("import a 評価書 laid out as the 様式 (section headings, label | value tables)"),
            )
    context = {"municipality": ws.config.municipality, **{k: str(v) for k, v in ws.config.parameters.items()}, **(parameters or {})}
    return match_document(body, form, index, _matcher(ws), context)


# --------------------------------------------------------------------------- YAML


def _needs_raw(text: str) -> bool:
    return "{{" in text or "{%" in text or "{#" in text


def _text_value(text: str) -> Any:
    from ruamel.yaml.scalarstring import LiteralScalarString

    if _needs_raw(text):
        text = "{% raw %}" + text + "{% endraw %}"
    if "\n" in text or text != text.strip() or not text:
        return LiteralScalarString(text + "\n") if text and text == text.strip("\n") and "\n" in text else text
    return text


def _block_yaml(b: ImportedBlock) -> dict[str, Any]:
    if b.clause:
        out: dict[str, Any] = {"clause": f"{b.clause}@{b.version}"}
        if b.params:
            out["with"] = {k: _text_value(v) for k, v in b.params.items()}
        if b.heading is not None:
            out["heading"] = _heading_value(b.heading)
        if b.variant is not None:
            out["variant"] = _text_value(b.variant)
        return out
    out = {"text": _text_value(b.text)}
    if b.heading is not None:
        out["heading"] = _heading_value(b.heading)
    return out


def _heading_value(heading: str) -> str:
    return "{% raw %}" + heading + "{% endraw %}" if _needs_raw(heading) else heading


def item_yaml(it: ImportedItem) -> Any:
    if it.choice is not None:
        return it.choice
    if len(it.blocks) == 1 and it.blocks[0].kind == "text" and it.blocks[0].heading is None:
        return _text_value(it.blocks[0].text)
    return [_block_yaml(b) for b in it.blocks]


def assessment_yaml(doc: ImportedDocument, source: str) -> str:
    from ruamel.yaml import YAML

    data: dict[str, Any] = {"form": doc.form}
    if doc.meta:
        data["meta"] = {k: _text_value(v) for k, v in doc.meta.items()}
    files = []
    for i, name in enumerate(doc.files):
        items = {it.key: item_yaml(it) for it in doc.items if it.file == i}
        files.append({"id": f"file{i + 1}", "name": name, "items": items})
    if files:
        data["files"] = files
    data["items"] = {it.key: item_yaml(it) for it in doc.items if it.file is None}
    y = YAML()
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    y.allow_unicode = True
    buf = io.StringIO()
    y.dump(data, buf)
    return f"# imported from {source} by hyoka import\n" + buf.getvalue()


# --------------------------------------------------------------------------- import


def import_document(ws: Any, source: Path, name: str, form_name: str | None = None, force: bool = False) -> tuple[ImportReport, str, Path]:
    """Read ``source`` as the assessment ``name``: (report, YAML text, target path). Writes nothing."""
    from composer.errors import Diagnostics
    from composer.load.assessment import load_assessment

    target = ws.new_assessment_path(name, "--name")
    if target.exists() and not force:
        raise UserError(
            _("assessment '{name}' exists", name=name),
            Location.of(target),
            _("import under another --name, or update it with: hyoka import --update {name} FILE.docx", name=name),
        )
    doc = read_document(ws, source, form_name)
    text = assessment_yaml(doc, Path(source).name)
    diag = Diagnostics()
    loaded = load_assessment(target, diag, ws.form_dirs, text=text)
    if loaded is None or diag.errors:  # the importer wrote something the loader refuses: a bug, never written
        first = diag.errors[0] if diag.errors else None
        raise UserError(
            _("the imported assessment does not load: {error}", error=first.message if first else _("unknown error")), Location.of(source)
        )
    return ImportReport(name, str(source), doc.form, doc, str(target)), text, target


# --------------------------------------------------------------------------- round trip


def _doc_lines(b: Any) -> list[str]:
    lines = [b.heading] if b.heading else []
    body = b.body.strip("\n")
    return lines + (body.split("\n") if body else [])


@dataclass
class _Edit:
    file: int | None
    key: str
    value: Any  # None: remove the item


def plan_update(ws: Any, assessment: Any, composed: ComposedAssessment, doc: ImportedDocument) -> list[_Edit]:
    """What changed between the composed assessment and the edited document, item by item."""
    if len(doc.files) != len(composed.files):
        raise UserError(
            _("the document has {count} 特定個人情報ファイル, the assessment {have}", count=len(doc.files), have=len(composed.files)),
            Location.of(doc.path),
            _("add or remove files in the YAML, then build and edit again"),
        )
    file_index = {f.id: i for i, f in enumerate(composed.files)}
    kinds = {c.id: c.kind for c in ws.library}
    entries = {(e.file, e.key): e for e in assessment.items}
    edits: list[_Edit] = []
    seen: set[tuple[int | None, str]] = set()
    for item in composed.items:
        if item.type is None:
            continue
        fi = file_index[item.file] if item.file else None
        new = doc.item(item.key, fi)
        seen.add((fi, item.key))
        if item.type == "choice":
            choice = new.choice if new else None
            if choice != item.choice:
                edits.append(_Edit(fi, item.key, choice))
            continue
        old_lines = [line for b in item.blocks for line in _doc_lines(b)]
        new_lines = list(new.lines) if new else []
        if [x.rstrip() for x in old_lines] == [x.rstrip() for x in new_lines]:
            continue
        entry = entries.get((item.file, item.key))
        edits.append(_Edit(fi, item.key, _updated_value(item, entry, new, new_lines, doc, kinds)))
    for it in doc.items:
        if (it.file, it.key) not in seen:
            edits.append(_Edit(it.file, it.key, item_yaml(it)))
    return edits


def _updated_value(
    item: ComposedItem, entry: Any, new: ImportedItem | None, new_lines: list[str], doc: ImportedDocument, kinds: dict[str, str]
) -> Any:
    where = Location.of(doc.path, None, " > ".join(item.path) + (f" ({english(new.where)})" if new else ""))
    if not new_lines:
        for b in item.blocks:
            _refuse_verbatim(b, kinds, where)
        return None
    if entry is None or not item.blocks:
        return item_yaml(new) if new else None
    # locate each old block's lines in the new lines
    old: list[str] = []
    owner: list[int] = []
    for i, b in enumerate(item.blocks):
        lines = _doc_lines(b)
        old += lines
        owner += [i] * len(lines)
    new_blocks: list[list[str]] = [[] for _ in item.blocks]
    touched: set[int] = set()
    sm = difflib.SequenceMatcher(None, [x.rstrip() for x in old], [x.rstrip() for x in new_lines], autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            for k in range(i2 - i1):
                new_blocks[owner[i1 + k]].append(new_lines[j1 + k])
            continue
        if i2 > i1:
            targets = sorted(set(owner[i1:i2]))
        else:  # an insertion between blocks: the block before it (or the first)
            targets = [owner[i1 - 1] if i1 > 0 else 0]
        touched.update(targets)
        new_blocks[targets[0]].extend(new_lines[j1:j2])
    out: list[dict[str, Any]] = []
    for i, (b, blk) in enumerate(zip(item.blocks, entry.blocks)):
        lines = new_blocks[i]
        if i not in touched:
            out.append(_block_as_is(blk))
            continue
        if b.kind == "clause":
            _refuse_verbatim(b, kinds, where)
        if b.heading and lines and lines[0].rstrip() == b.heading.rstrip():
            lines = lines[1:]
            heading = blk.heading
        else:
            heading = "" if b.heading else blk.heading
        body = "\n".join(lines).strip("\n")
        d = _block_as_is(blk)
        if not body and not heading:
            continue  # the block was deleted
        if b.kind == "clause":
            d["variant"] = _text_value(body)
            if heading is not None:
                d["heading"] = heading
            elif "heading" in d:
                del d["heading"]
        else:
            d["text"] = _text_value(body)
            if heading:
                d["heading"] = heading
            elif "heading" in d and not heading:
                del d["heading"]
        out.append(d)
    if not out:
        return None
    if len(out) == 1 and set(out[0]) == {"text"}:
        return out[0]["text"]
    return out


def _refuse_verbatim(b: Any, kinds: dict[str, str], where: Location) -> None:
    if b.kind == "clause" and kinds.get(b.clause or "") == "verbatim":
        raise UserError(
            _("edit inside verbatim clause {pin} refused", pin=b.clause + "@" + str(b.version)),
            where,
            _("a verbatim clause's wording cannot be changed locally; undo the edit in Word (or replace the clause in the YAML)"),
        )


def _block_as_is(blk: Block) -> dict[str, Any]:
    d: dict[str, Any] = {}
    if blk.kind == "clause" and blk.pin is not None:
        d["clause"] = f"{blk.pin.clause}@{blk.pin.version}"
        if blk.params:
            d["with"] = dict(blk.params)
        if blk.heading is not None:
            d["heading"] = blk.heading
        if blk.variant is not None:
            d["variant"] = _text_value(blk.variant)
    else:
        d["text"] = _text_value(blk.text or "")
        if blk.heading is not None:
            d["heading"] = blk.heading
    if not blk.id.startswith("text-") and not (blk.pin and blk.id == blk.pin.clause):
        d["id"] = blk.id
    return d


def apply_update(path: Path, text: str, edits: list[_Edit], file_ids: list[str]) -> str:
    """The assessment file with ``edits`` applied (ruamel.yaml round trip: the rest kept as written)."""
    from ruamel.yaml import YAML

    y = YAML()
    y.width = 4096
    y.preserve_quotes = True
    y.indent(mapping=2, sequence=4, offset=2)
    data = y.load(text)
    for e in edits:
        if e.file is None:
            if "items" not in data or data["items"] is None:
                data["items"] = {}
            items = data["items"]
        else:
            fid = file_ids[e.file]
            fnode = next(f for f in data["files"] if str(f.get("id")) == fid)
            if "items" not in fnode or fnode["items"] is None:
                fnode["items"] = {}
            items = fnode["items"]
        if e.value is None:
            if e.key in items:
                del items[e.key]
        else:
            _assign(items, e.key, e.value)
    buf = io.StringIO()
    y.dump(data, buf)
    return buf.getvalue()


def _assign(container: Any, key: Any, new: Any) -> None:
    """Set ``container[key]`` to ``new``, keeping what did not change (and its comments and style) as written."""
    from ruamel.yaml.scalarstring import LiteralScalarString

    old = container[key] if (isinstance(container, list) and key < len(container)) or (not isinstance(container, list) and key in container) else None
    if isinstance(old, dict) and isinstance(new, dict):
        for k in [k for k in old if k not in new]:
            del old[k]
        for k, v in new.items():
            _assign(old, k, v)
        return
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, v in enumerate(new):
            _assign(old, i, v)
        return
    if isinstance(old, str) and isinstance(new, str):
        if old.rstrip("\n") == new.rstrip("\n"):
            return
        if isinstance(old, LiteralScalarString):
            new = LiteralScalarString(new.rstrip("\n") + ("\n" if old.endswith("\n") else ""))
    container[key] = new


def update_document(ws: Any, name: str, source: Path) -> tuple[ImportReport, str, Path]:
    """The assessment ``name`` with the edits made in Word to ``source``: (report, new YAML text, path)."""
    from composer.compose.assemble import Composer
    from composer.errors import Diagnostics
    from composer.load.yamlio import read_text

    diag = Diagnostics()
    assessment = ws.load_assessment(name, diag)
    diag.raise_if_errors()
    if assessment is None:
        raise UserError(_("cannot load assessment '{name}'", name=name))
    composed = Composer.for_workspace(ws).compose(assessment)
    doc = read_document(ws, source, assessment.form)
    edits = plan_update(ws, assessment, composed, doc)
    path = Path(assessment.path)
    text = read_text(path, _("an assessment"))
    file_ids = [f.id for f in assessment.files]
    new_text = apply_update(path, text, edits, file_ids) if edits else text
    report = ImportReport(name, str(source), doc.form, doc, str(path))
    report.changed = [f"{file_ids[e.file]}:{e.key}" if e.file is not None else e.key for e in edits]
    check = Diagnostics()
    from composer.load.assessment import load_assessment

    if load_assessment(path, check, ws.form_dirs, text=new_text) is None or check.errors:
        first = check.errors[0] if check.errors else None
        raise UserError(
            _("the updated assessment does not load: {error}", error=first.message if first else _("unknown error")), Location.of(source)
        )
    return report, new_text, path


__all__ = ["ImportReport", "apply_update", "assessment_yaml", "import_document", "plan_update", "read_document", "update_document"]
