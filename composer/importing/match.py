"""Stage 2 of the import: match a Word 評価書 to its form schema and recognise stock text.

The body read by :mod:`composer.importing.reader` is walked in order. Section headings
and per-file headings （１）… set the place; every table row is ``label cells | value
cell``, its label matched to the form's nodes by normalised label (NFKC, so full- and
half-width digits and spaces match; ※ and white space, line breaks included, are
ignored), searching forward from the last matched node so repeated labels
(リスクへの対策は十分か) land on the right item. A label row without a value cell is
joined with the next when it matches nothing on its own (labels split over rows); a
row with only a value after a label row is that label's value.

A text value is split into blocks at measure headings (a clause's heading, or any line
``＜…における措置＞`` / ``・…における措置``); each block is compared with the clause
versions the workspace knows, rendered with the parameters hyoka can infer
(municipality, file name, workspace parameters):

* equal (line by line, trailing spaces ignored) → a pin at that version;
* similar (:data:`SIMILARITY` or more, difflib ratio of the NFKC texts) → a pin with a
  local variant holding the imported wording exactly (adaptable clauses), or local
  text with a warning (verbatim clauses);
* otherwise local text.

Nothing is dropped: whatever cannot be placed is listed in the report with its table
and row.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from composer.errors import Location, UserError
from composer.i18n import Message, View, _
from composer.importing.reader import Body, Cell, Paragraph, Row, Table
from composer.load.forms import FormIndex, iter_nodes
from composer.model import COVER_FIELDS, Clause, Form, FormNode

#: Minimum similarity (difflib ratio of the NFKC-normalised texts) for a block to count
#: as a reworded stock clause.
SIMILARITY = 0.8
#: Clause bodies shorter than this are not searched for inside a larger block.
MIN_EMBEDDED = 12

_SPACE = re.compile(r"\s+")
_HEADING = re.compile(r"^(?:<[^<>]{1,60}における措置>|・[^、。]{1,40}における措置)$")
_CHOICE = re.compile(r"^\[(.*)\]$")


def norm(text: str) -> str:
    """A label or heading for comparison: NFKC, no ※, no white space."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text).replace("※", ""))


def norm_text(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def english(text: str | Message) -> str:
    """A report's message as the JSON report keeps it: in English."""
    return View("en").text(text)


# --------------------------------------------------------------------------- records


@dataclass
class ImportedBlock:
    kind: str  # clause / text
    text: str = ""  # local text, or the imported wording of a clause block
    heading: str | None = None  # None: the clause's own heading
    clause: str | None = None
    version: int | None = None
    variant: str | None = None
    similarity: float = 1.0
    warning: str | Message = ""
    params: dict[str, str] = field(default_factory=dict)  # parameters inferred from the text

    @property
    def pin(self) -> str | None:
        return f"{self.clause}@{self.version}" if self.clause else None


@dataclass
class ImportedItem:
    key: str
    file: int | None  # index of the file for per-file items
    label: str
    where: str | Message  # "table 3, row 2": where in the document it was read
    choice: str | None = None
    blocks: list[ImportedBlock] = field(default_factory=list)
    lines: tuple[str, ...] = ()  # the value as read (text items)


@dataclass(frozen=True)
class Unplaced:
    text: str
    where: str | Message
    reason: str | Message

    def to_dict(self) -> dict[str, str]:
        return {"text": self.text, "where": english(self.where), "reason": english(self.reason)}


@dataclass(frozen=True)
class UnmatchedLabel:
    label: str
    where: str | Message
    suggestion: str

    def to_dict(self) -> dict[str, str]:
        return {"label": self.label, "where": english(self.where), "did_you_mean": self.suggestion}


@dataclass
class ImportedDocument:
    form: str
    path: str
    meta: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    items: list[ImportedItem] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)
    unmatched: list[UnmatchedLabel] = field(default_factory=list)
    warnings: list[str | Message] = field(default_factory=list)

    def item(self, key: str, file: int | None = None) -> ImportedItem | None:
        for it in self.items:
            if it.key == key and it.file == file:
                return it
        return None


# --------------------------------------------------------------------------- form positions


@dataclass(frozen=True)
class _Slot:
    node: FormNode
    pattern: re.Pattern[str] | None  # repeated group: label with its number captured
    label: str  # normalised label (no number for repeated groups)


def _slots(section: FormNode) -> list[_Slot]:
    out = []
    for n in iter_nodes(section.children):
        if n.repeat:
            head, _sep, tail = norm(n.label).partition("{n}")
            out.append(_Slot(n, re.compile(f"^{re.escape(head)}(\\d+){re.escape(tail)}$"), norm(n.label)))
        else:
            out.append(_Slot(n, None, norm(n.label)))
    return out


def _concrete(key: str, numbers: Mapping[str, int]) -> str:
    for template, n in numbers.items():
        if key.startswith(template):
            key = template.replace("{n}", str(n)) + key[len(template):]
    return key


# --------------------------------------------------------------------------- clause candidates


@dataclass(frozen=True)
class _Candidate:
    clause: Clause
    version: int
    heading: str
    lines: tuple[str, ...]
    key: str  # the comparison form of the body
    pattern: re.Pattern[str] | None = None  # the template with its parameters as groups

    @property
    def norm_heading(self) -> str:
        return norm(self.heading)


class ClauseMatcher:
    """Renders every clause version once per context and finds the one a block is."""

    def __init__(self, clauses: Iterable[Clause], render: Any) -> None:
        self.clauses = list(clauses)
        self.render = render  # (clause, version, context) -> (heading, body) or None
        self._cache: dict[tuple[str, ...], list[_Candidate]] = {}

    def candidates(self, context: Mapping[str, str]) -> list[_Candidate]:
        ck = tuple(sorted((k, str(v)) for k, v in context.items() if isinstance(v, str)))
        got = self._cache.get(ck)
        if got is None:
            got = []
            for c in self.clauses:
                for v in c.versions:
                    pattern = _template_pattern(v.text) if c.parameters else None
                    rendered = self.render(c, v, context)
                    if rendered is None:
                        if pattern is not None:
                            got.append(_Candidate(c, v.number, c.heading_of(v), (), "", pattern))
                        continue
                    heading, body = rendered
                    lines = tuple(line.rstrip() for line in body.split("\n"))
                    got.append(_Candidate(c, v.number, heading, lines, norm_text("\n".join(lines)), pattern))
            self._cache[ck] = got
        return got

    def headings(self, context: Mapping[str, str]) -> set[str]:
        return {c.norm_heading for c in self.candidates(context) if c.heading}


_PARAM = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def _template_pattern(text: str) -> re.Pattern[str] | None:
    """A clause text whose only template parts are ``{{ name }}`` as a regex capturing them."""
    if "{%" in text or "{#" in text or "{{" not in text:
        return None
    out, seen, pos = [], set(), 0
    body = "\n".join(line.rstrip() for line in text.rstrip("\n").split("\n"))
    for m in _PARAM.finditer(body):
        out.append(re.escape(body[pos:m.start()]))
        name = m.group(1)
        out.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
        seen.add(name)
        pos = m.end()
    if "{{" in body[pos:] or "{{" in "".join(out):
        return None
    out.append(re.escape(body[pos:]))
    try:
        return re.compile("".join(out), re.DOTALL)
    except re.error:  # pragma: no cover - names are identifiers
        return None


def _is_heading(line: str, headings: set[str]) -> bool:
    n = norm(line)
    return bool(n) and (n in headings or bool(_HEADING.match(n)))


def split_blocks(lines: list[str], headings: set[str]) -> list[tuple[str | None, list[str]]]:
    """The value's lines as (heading, body lines) segments, split at measure headings."""
    out: list[tuple[str | None, list[str]]] = []
    current: tuple[str | None, list[str]] | None = None
    for line in lines:
        if _is_heading(line, headings):
            current = (line, [])
            out.append(current)
            continue
        if current is None:
            current = (None, [])
            out.append(current)
        current[1].append(line)
    return out


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    while lines and not lines[0].strip():
        lines = lines[1:]
    return lines


def _find(hay: list[str], needle: tuple[str, ...]) -> int:
    k = len(needle)
    for i in range(len(hay) - k + 1):
        if hay[i] == needle[0] and tuple(hay[i:i + k]) == needle:
            return i
    return -1


def recognise(
    lines: list[str], key: str, matcher: ClauseMatcher, context: Mapping[str, str], threshold: float = SIMILARITY
) -> list[ImportedBlock]:
    """The blocks of one text value: pins where stock text is recognised, else local text."""
    cands = matcher.candidates(context)
    homed = [c for c in cands if key in c.clause.homes] or []
    others = [c for c in cands if key not in c.clause.homes]
    blocks: list[ImportedBlock] = []
    for heading, body in split_blocks(lines, matcher.headings(context)):
        body = [line.rstrip() for line in _trim(body)]
        for b in _segment(heading, body, homed, others, threshold):
            blocks.append(_verify_params(b, matcher, context))
    return blocks


def _verify_params(b: ImportedBlock, matcher: ClauseMatcher, context: Mapping[str, str]) -> ImportedBlock:
    """A pin with inferred parameters stands only if it renders to the text read; defaults are dropped."""
    if not b.params:
        return b
    clause = next(c for c in matcher.clauses if c.id == b.clause)
    version = clause.version(b.version or 0)
    rendered = matcher.render(clause, version, {**context, **b.params}) if version else None
    if rendered is None or tuple(x.rstrip() for x in rendered[1].split("\n")) != tuple(b.text.split("\n")):
        return ImportedBlock("text", b.text, b.heading if b.heading else None)
    own = {}
    for p in clause.parameters:
        value = b.params.get(p.name)
        if value is None:
            continue
        implied = context.get(p.name, p.default)
        if value != implied:
            own[p.name] = value
    b.params = own
    return b


def _heading_for(seg_heading: str | None, cand: _Candidate) -> str | None:
    if seg_heading is None:
        return "" if cand.heading else None
    if cand.heading and norm(seg_heading) == cand.norm_heading and seg_heading.strip() == cand.heading:
        return None
    return seg_heading


def _segment(heading: str | None, body: list[str], homed: list[_Candidate], others: list[_Candidate], threshold: float) -> list[ImportedBlock]:
    if not body and heading is None:
        return []
    exact = [c for c in homed + others if c.lines and c.lines == tuple(body)]
    if exact:
        # prefer the version whose heading is the one written, then the latest
        exact.sort(key=lambda c: (heading is not None and c.norm_heading == norm(heading), c.clause.id in {h.clause.id for h in homed}, c.version))
        c = exact[-1]
        return [ImportedBlock("clause", "\n".join(body), _heading_for(heading, c), c.clause.id, c.version)]
    # a clause whose parameters are read from the text
    joined = "\n".join(body)
    for c in homed + others:
        if c.pattern is None:
            continue
        m = c.pattern.fullmatch(joined)
        if m is None:
            continue
        params = {k: v for k, v in m.groupdict().items()}
        return [ImportedBlock("clause", joined, _heading_for(heading, c), c.clause.id, c.version, params=params)]
    # a clause without heading embedded in local text
    for c in homed + others:
        if len(c.key) < MIN_EMBEDDED or len(c.lines) > len(body):
            continue
        at = _find(body, c.lines)
        if at < 0:
            continue
        out: list[ImportedBlock] = []
        before, after = body[:at], body[at + len(c.lines):]
        if before or heading is not None:
            out.append(ImportedBlock("text", "\n".join(before), heading))
            out.append(ImportedBlock("clause", "\n".join(c.lines), "" if c.heading else None, c.clause.id, c.version))
        else:
            out.append(ImportedBlock("clause", "\n".join(c.lines), "" if c.heading else None, c.clause.id, c.version))
        if after:
            out.extend(_segment(None, after, homed, others, threshold))
        return out
    text = "\n".join(body)
    best, score = None, 0.0
    target = norm_text(text)
    for c in homed or others:
        sm = difflib.SequenceMatcher(None, target, c.key, autojunk=False)
        if sm.real_quick_ratio() < threshold or sm.quick_ratio() < threshold:
            continue
        r = sm.ratio()
        if r > score:
            best, score = c, r
    if best is not None and score >= threshold:
        if best.clause.kind == "verbatim":
            return [ImportedBlock(
                "text", text, heading, similarity=score,
                warning=_(
                    "close to verbatim clause {pin} ({similarity}) but not equal: kept as local text",
                    pin=best.clause.id + "@" + str(best.version),
                    similarity=format(score, ".0%"),
                ),
            )]
        return [ImportedBlock("clause", text, _heading_for(heading, best), best.clause.id, best.version, variant=text, similarity=score)]
    return [ImportedBlock("text", text, heading)]


# --------------------------------------------------------------------------- the walk


class _Walker:
    def __init__(self, body: Body, form: Form, index: FormIndex, matcher: ClauseMatcher, context: Mapping[str, str]) -> None:
        self.body = body
        self.form = form
        self.index = index
        self.matcher = matcher
        self.base_context = dict(context)
        self.doc = ImportedDocument(form.name, body.path)
        self.sections = {norm(s.label): s for s in form.sections}
        self.section: FormNode | None = None
        self.slots: list[_Slot] = []
        self.pointer = 0
        self.numbers: dict[str, int] = {}
        self.file: int | None = None
        self.contents = {norm(c) for c in form.table_of_contents}
        self.all_labels = {norm(n.label): n for n in iter_nodes(form.sections)}

    # ---------------------------------------------------------------- paragraphs

    def paragraph(self, p: Paragraph) -> None:
        n = norm(p.text)
        if not n:
            return
        if n in self.sections:
            self.section = self.sections[n]
            self.slots = _slots(self.section)
            self.pointer = 0
            self.numbers = {}
            self.file = None
            return
        if n in self.contents or n == "項目一覧" or (self.form.title and norm(self.form.title) in n and "評価書" in n and self.section is None):
            return
        m = re.match(r"^\((\d+)\)(.+)$", n)
        if m and self.section is not None and self.section.per_file:
            i = int(m.group(1)) - 1
            name = p.text.strip()
            name = re.sub(r"^[（(][0-9０-９]+[）)]\s*", "", name)
            while len(self.doc.files) <= i:
                self.doc.files.append("")
            if not self.doc.files[i]:
                self.doc.files[i] = name
            self.file = i
            self.pointer = 0
            self.numbers = {}
            return
        self.doc.unplaced.append(Unplaced(p.text, _("paragraph {number}", number=p.index + 1), _("not a heading of the form")))

    # ---------------------------------------------------------------- tables

    def table(self, t: Table) -> None:
        if self.section is None:
            self.cover(t)
            return
        pending: list[tuple[str, Row]] = []  # label cells that matched nothing yet
        waiting: tuple[FormNode, str, Message] | None = None  # a content label whose value is in the next row
        held: tuple[Cell, Message] | None = None  # the value beside a label that goes on in the next row
        for row in t.rows:
            where = _row(t, row)
            cells = [c for c in row.cells]
            if all(not c.text.strip() for c in cells):
                continue
            if len(cells) == 1:
                label_cells, value = cells, None
            else:
                label_cells, value = cells[:-1], cells[-1]
            if value is None and waiting is not None and self._match(cells[0].text, peek=True) is None:
                node, key, wh = waiting
                self.value(node, key, cells[0], wh)
                waiting = None
                continue
            matched: tuple[FormNode, str] | None = None
            for c in label_cells:
                if c.continued or not c.text.strip():
                    continue
                text = c.text
                if pending:
                    joined = "".join(p for p, _ in pending) + text
                    got = self._match(joined)
                    if got is not None:
                        pending = []
                        matched = got
                        if held is not None and (value is None or value.continued or not value.text.strip()):
                            value, where = held
                        held = None
                        continue
                got = self._match(text)
                if got is None:
                    pending.append((text, row))
                    continue
                self._flush(pending, held, t)
                pending, held = [], None
                matched = got
            waiting = None
            if matched is None:
                if value is not None and value.text.strip() and pending and held is None and not value.continued:
                    held = (value, where)  # the label may go on in the next row
                    continue
                if value is not None and value.text.strip() and not value.continued:
                    labels = " / ".join(c.text for c in label_cells if c.text.strip())
                    self._flush(pending, held, t)
                    pending, held = [], None
                    self.doc.unplaced.append(Unplaced(value.text, where, _("no item matches the label '{label}'", label=labels)))
                continue
            node, key = matched
            if value is None or value.continued:
                if value is None and node.type is not None:
                    waiting = (node, key, where)
                continue
            self.value(node, key, value, where)
        self._flush(pending, held, t)

    def _flush(self, pending: list[tuple[str, Row]], held: tuple[Cell, Message] | None, t: Table) -> None:
        for ptext, prow in pending:
            self._unmatched(ptext, _row(t, prow))
        if held is not None:
            self.doc.unplaced.append(Unplaced(held[0].text, held[1], _("no item matches its label")))

    def _unmatched(self, label: str, where: Message) -> None:
        from composer.load.validate import suggest

        best = suggest(norm(label), list(self.all_labels))
        hint = self.all_labels[best].label if best else ""
        self.doc.unmatched.append(UnmatchedLabel(label.replace("\n", ""), where, hint))
        self.doc.unplaced.append(Unplaced(label, where, _("label not in the form")))

    def _match(self, label: str, peek: bool = False) -> tuple[FormNode, str] | None:
        n = norm(label)
        if not n:
            return None
        order = list(range(self.pointer, len(self.slots))) + list(range(0, self.pointer))
        for i in order:
            s = self.slots[i]
            if s.pattern is not None:
                m = s.pattern.match(n)
                if not m:
                    continue
                if not peek:
                    self.numbers[s.node.key] = int(m.group(1))
            elif s.label != n:
                continue
            if not peek:
                self.pointer = i + 1
            return s.node, _concrete(s.node.key, self.numbers)
        return None

    def context(self) -> dict[str, str]:
        ctx = dict(self.base_context)
        if self.file is not None and self.file < len(self.doc.files):
            ctx["file_name"] = self.doc.files[self.file]
        return ctx

    def value(self, node: FormNode, key: str, cell: Cell, where: Message) -> None:
        file = self.file if node.per_file else None
        lines = list(cell.lines)
        if node.type is None:
            if cell.text.strip():
                self.doc.unplaced.append(Unplaced(cell.text, where, _("'{item}' is a heading of the form, it takes no value", item=node.label)))
            return
        if self.doc.item(key, file) is not None:
            self.doc.unplaced.append(Unplaced(cell.text, where, _("'{item}' was already filled from an earlier row", item=node.label)))
            return
        item = ImportedItem(key, file, node.label, where)
        if node.type == "choice":
            rest: list[str] = []
            options = False
            for line in lines:
                n = norm_text(line).strip()
                m = _CHOICE.match(n)
                if m and item.choice is None:
                    value = m.group(1).strip()
                    if value:
                        want = norm(value)
                        found = next((c for c in node.choices if norm(c) == want), None)
                        if found is None:
                            rest.append(line)
                            self.doc.warnings.append(
                                _("{where}: '{value}' is not a choice of {item}", where=where, value=value, item=node.label)
                            )
                        else:
                            item.choice = found
                    continue
                if n.startswith("<選択肢>"):
                    options = True
                    continue
                if options and re.fullmatch(r"(\s*\d+\)\s*\S[^\n]*)+", n):
                    continue
                if n.strip():
                    rest.append(line)
            if rest:
                self.doc.unplaced.append(Unplaced("\n".join(rest), where, _("text in the choice cell of '{item}'", item=node.label)))
            if item.choice is not None:
                self.doc.items.append(item)
            return
        lines = _trim([line for line in lines])
        if not lines:
            return
        item.lines = tuple(lines)
        item.blocks = recognise(lines, key, self.matcher, self.context())
        self.doc.items.append(item)

    # ---------------------------------------------------------------- cover

    def cover(self, t: Table) -> None:
        labels = {norm(label): attr for label, attr in COVER_FIELDS}
        waiting: list[str | None] = []
        for row in t.rows:
            where = _row(t, row)
            cells = [c for c in row.cells if not c.continued]
            texts = [norm(c.text) for c in cells]
            if texts and all(x in labels for x in texts if x) and any(texts):
                waiting = [labels.get(x) for x in texts]
                continue
            if len(cells) >= 2 and texts[0] in labels:
                self._meta(labels[texts[0]], "\n".join(c.text for c in cells[1:]), where)
                waiting = []
                continue
            if waiting and len(waiting) == len(cells):
                for attr, c in zip(waiting, cells):
                    if attr:
                        self._meta(attr, c.text, where)
                waiting = []
                continue
            if any(texts):
                self.doc.unplaced.append(Unplaced("\n".join(c.text for c in cells), where, _("not a field of the cover")))

    def _meta(self, attr: str, text: str, where: Message) -> None:
        text = "\n".join(_trim(text.split("\n")))
        if not text:
            return
        if attr == "published":
            self.doc.unplaced.append(Unplaced(text, where, _("公表日: record it with --publish --date")))
            return
        self.doc.meta[attr] = text


def _row(t: Table, row: Row) -> Message:
    return _("table {table}, row {row}", table=t.number, row=row.number)


def match_document(body: Body, form: Form, index: FormIndex, matcher: ClauseMatcher, context: Mapping[str, str]) -> ImportedDocument:
    """Walk ``body`` and place its text on ``form``'s items."""
    w = _Walker(body, form, index, matcher, context)
    for part in body.parts:
        if isinstance(part, Paragraph):
            w.paragraph(part)
        else:
            w.table(part)
    doc = w.doc
    doc.files = [f or f"ファイル{i + 1}" for i, f in enumerate(doc.files)]
    if not doc.items and not doc.meta:
        raise UserError(
            _("not a {form}: no item of the form was found", form=form.title or form.name),
            Location.of(body.path),
            _("import a 評価書 laid out as the 様式 (section headings, label | value tables)"),
        )
    return doc


def form_score(body: Body, form: Form) -> int:
    """How many of the document's labels and headings ``form`` knows (to pick the form)."""
    labels = {norm(n.label) for n in iter_nodes(form.sections)} | {norm(s.label) for s in form.sections}
    score = 0
    title = norm(f"（{form.title}）") if form.title else None
    for part in body.parts:
        if isinstance(part, Paragraph):
            n = norm(part.text)
            if title and n.endswith(title) and "評価書" in n:
                score += 1000
            elif n in labels:
                score += 1
        else:
            for row in part.rows[:400]:
                for c in row.cells[:-1] or row.cells:
                    if norm(c.text) in labels:
                        score += 1
    return score


__all__ = [
    "SIMILARITY",
    "ClauseMatcher",
    "ImportedBlock",
    "ImportedDocument",
    "ImportedItem",
    "UnmatchedLabel",
    "Unplaced",
    "form_score",
    "match_document",
    "norm",
    "recognise",
    "split_blocks",
]
