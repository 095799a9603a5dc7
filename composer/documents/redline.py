"""Stage 5c: the redline 評価書 — the draft as Word, its changes since a publication tracked.

:func:`redline_document` builds it as a neutral document with :attr:`Document.tracking`
(author, date): ``ins`` / ``del`` runs, paragraphs and rows are tracked changes, which the
Word writer writes as such. The document has the layout of
:func:`composer.writers.docx.assessment_xml`; where the
draft differs from the published revision the difference is a real tracked change
(``w:ins`` / ``w:del`` with author and date), so Word's 「すべての変更を反映」 gives the
draft's text and 「すべての変更を元に戻す」 the published text:

* an item present in both revisions is a plain row; inside its content cell the
  paragraphs are aligned, and a changed paragraph carries phrase-level insertions and
  deletions (:mod:`composer.revisions.worddiff`);
* a paragraph, block or clause added or removed is a whole inserted or deleted
  paragraph (its paragraph mark tracked too);
* an item (a new 特定個人情報ファイル's section, say) present in one revision only is a
  whole inserted or deleted table row, headings included.
"""

from __future__ import annotations

import datetime as _dt
import difflib
from dataclasses import dataclass

from composer.dates import wareki
from composer.model import COVER_FIELDS, ComposedAssessment, ComposedItem
from composer.revisions.diff import _align_items
from composer.revisions.worddiff import Segment, diff_words
from composer.writers.model import Cell, Column, Document, Paragraph, Row, Run, Table, Tracking

Para = tuple[str, str]  # (style role, text of one paragraph)

#: Paired paragraphs less alike than this are tracked as one deleted and one inserted paragraph.
PAIR_RATIO = 0.4


@dataclass(frozen=True)
class RedlineOptions:
    author: str = "hyoka"
    date: str = ""  # ISO 8601 date-time of the changes (default: now, UTC)


def revision_date(date: str = "") -> str:
    if date:
        return date if "T" in date else f"{date}T00:00:00Z"
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _lines(role: str, text: str) -> list[Para]:
    text = text.strip("\n")
    return [(role, line) for line in text.split("\n")] if text else []


def item_paras(item: ComposedItem | None) -> list[Para]:
    """The content cell of an item as paragraphs (as :func:`composer.writers.docx._content` writes it)."""
    if item is None:
        return []
    out: list[Para] = []
    if item.type == "choice":
        value, options = item.choice_lines()
        out += [("body", value), ("small", options)]
    for block in item.blocks:
        if block.heading:
            out.append(("clause", block.heading))
        out += _lines("body", block.body) or [("body", "")]
    return out


_RUN_MARK = {"equal": "", "insert": "ins", "delete": "del"}
_CHANGE = {None: "", "insert": "ins", "delete": "del"}


def _para(role: str, segments: list[Segment], mark: str | None = None) -> Paragraph:
    if mark is None and all(s.kind == "equal" for s in segments):
        return Paragraph("".join(s.text for s in segments), role)
    return Paragraph(tuple(Run(s.text, _RUN_MARK[s.kind]) for s in segments if s.text), role, _CHANGE[mark])  # type: ignore[arg-type]


class _Tracker:
    def paras(self, old: list[Para], new: list[Para], in_cell: bool = True) -> tuple[Paragraph, ...]:
        """Old paragraphs turned into new ones, the differences tracked."""
        out: list[tuple[str, list[Segment], str | None]] = []  # (role, segments, paragraph mark tracked)

        def whole(p: Para, kind: str) -> None:
            out.append((p[0], [Segment(kind, p[1])] if p[1] else [], kind))  # type: ignore[arg-type]

        ops = difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes()
        for op, i1, i2, j1, j2 in ops:
            if op == "equal":
                out += [(role, [Segment("equal", text)] if text else [], None) for role, text in new[j1:j2]]
                continue
            olds, news = old[i1:i2], new[j1:j2]
            pending_del: list[Para] = []
            pending_ins: list[Para] = []
            for k in range(max(len(olds), len(news))):
                o = olds[k] if k < len(olds) else None
                n = news[k] if k < len(news) else None
                if o and n and o[0] == n[0] and difflib.SequenceMatcher(a=o[1], b=n[1], autojunk=False).ratio() >= PAIR_RATIO:
                    for p in pending_del:
                        whole(p, "delete")
                    for p in pending_ins:
                        whole(p, "insert")
                    pending_del, pending_ins = [], []
                    out.append((n[0], diff_words(o[1], n[1]), None))
                    continue
                if o:
                    pending_del.append(o)
                if n:
                    pending_ins.append(n)
            for p in pending_del:
                whole(p, "delete")
            for p in pending_ins:
                whole(p, "insert")
        if in_cell and out and out[-1][2]:
            # A cell's last paragraph mark cannot be removed: as Word does, the mark of the
            # paragraph before the trailing added (removed) ones is tracked instead.
            kind = out[-1][2]
            k = len(out)
            while k and out[k - 1][2] == kind:
                k -= 1
            if k and out[k - 1][2] is None:
                role, segs, _ = out[k - 1]
                out[k - 1] = (role, segs, kind)
                role, segs, _ = out[-1]
                out[-1] = (role, segs, None)
        if in_cell and (not out or out[-1][2]):
            out.append(("body", [], None))  # a cell ends with an untracked paragraph mark
        return tuple(_para(role, segs, mark) for role, segs, mark in out)


def redline_document(old: ComposedAssessment, new: ComposedAssessment, options: RedlineOptions = RedlineOptions()) -> Document:
    """The redline 評価書 (old → new) as a document whose changes are tracked."""
    t = _Tracker()
    out: list[object] = []
    columns = (Column("", 0.3), Column("", 0.7))

    def table(rows: list[Row]) -> Table:
        return Table(columns, tuple(rows), header=False)

    def header(text: str, span: int = 1) -> Cell:
        return Cell(text, style="header", shade=True, span=span)

    def paras(cell_paras: tuple[Paragraph, ...], span: int = 1, shade: bool = False) -> Cell:
        return Cell(cell_paras, span=span, shade=shade)

    # cover
    out += t.paras([("title", f"特定個人情報保護評価書（{old.form_title}）")], [("title", f"特定個人情報保護評価書（{new.form_title}）")], False)

    def meta_paras(c: ComposedAssessment, attr: str) -> list[Para]:
        value = getattr(c.meta, attr)
        return _lines("body", wareki(value) if attr == "published" else value)

    cover_rows = [
        Row((header("評価書番号"), header("評価書名")), keep=True),
        Row((paras(t.paras(meta_paras(old, "number"), meta_paras(new, "number"))),
             paras(t.paras(meta_paras(old, "title"), meta_paras(new, "title"))))),
    ]
    for label, attr in COVER_FIELDS[2:4]:
        cover_rows.append(Row((header(label, span=2),), keep=True))
        cover_rows.append(Row((paras(t.paras(meta_paras(old, attr), meta_paras(new, attr)), span=2),)))
    for label, attr in COVER_FIELDS[4:]:
        cover_rows.append(Row((header(label), paras(t.paras(meta_paras(old, attr), meta_paras(new, attr))))))
    out.append(table(cover_rows))

    # 項目一覧
    out.append(Paragraph("項目一覧", "h1"))

    def contents(c: ComposedAssessment) -> list[Para]:
        labels = c.contents or tuple(dict.fromkeys(it.label for it in c.items if it.depth == 0))
        return [("normal", label) for label in labels]

    out += t.paras(contents(old), contents(new), False)

    # the sections
    old_files = {f.id: f.label for f in old.files}
    new_files = {f.id: f.label for f in new.files}
    rows: list[Row] = []
    sections: dict[str, str | None] = {"old": None, "new": None}

    def flush() -> None:
        if rows:
            out.append(table(list(rows)))
            rows.clear()

    def heading(role: str, old_text: str | None, new_text: str | None) -> None:
        out.extend(t.paras([(role, old_text)] if old_text is not None else [], [(role, new_text)] if new_text is not None else [], False))

    for o, n in _align_items(old, new):
        it = n or o
        assert it is not None
        kind = "" if o and n else ("ins" if n else "del")
        if it.depth == 0:
            flush()
            h1 = {}
            for side, item in (("old", o), ("new", n)):
                if item is not None and item.label != sections[side]:
                    h1[side] = item.label
                    sections[side] = item.label
            if h1:
                heading("h1", h1.get("old"), h1.get("new"))
            if it.file:
                heading("h2", old_files.get(it.file, it.file) if o else None, new_files.get(it.file, it.file) if n else None)
        if it.depth <= 1:
            label_role = "header"
        else:
            label_role = "label" if it.type is None or it.depth <= 2 else "sublabel"
        if it.depth == 0 and not it.type:
            continue
        label = t.paras([(label_role, o.printed_label)] if o else [], [(label_role, n.printed_label)] if n else [])
        if it.type is None:
            rows.append(Row((paras(label, span=2, shade=it.depth == 1),), keep=True, change=kind))  # type: ignore[arg-type]
            continue
        content = t.paras(item_paras(o), item_paras(n))
        rows.append(Row((paras(label, shade=it.depth <= 1), paras(content)), keep=not it.blocks, change=kind))  # type: ignore[arg-type]
    flush()
    tracking = Tracking(options.author, revision_date(options.date))
    return Document(new.meta.title or new.name, tuple(out), page_count=False, tracking=tracking)  # type: ignore[arg-type]


__all__ = ["RedlineOptions", "item_paras", "redline_document", "revision_date"]
