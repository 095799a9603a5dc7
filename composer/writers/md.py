"""The Markdown writer: any :class:`~composer.writers.model.Document`, and the 評価書's preview.

Headings are ``#`` lines (the title ``#``, then one more ``#`` per level), a ``label``
paragraph is bold, bullets are ``-`` lines, tables are pipe tables (``|`` in a cell
becomes ``｜``, a line break ``<br>``, an empty cell a space). Marks: ``~~deleted~~``,
``<ins>inserted</ins>``, ``<u>傍線</u>``, each line of a cell marked alone. A grouped
table (the 新旧対照表) is written group by group: its group row as a ``##`` heading,
then the group's rows as a table of their own (Markdown cannot merge cells).
Blocks are separated by one blank line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from composer.files import atomic_write, write_text
from composer.model import COVER_FIELDS, ComposedAssessment, ComposedItem
from composer.writers.model import Bullets, Cell, Document, Heading, Paragraph, Row, Run, Runs, Table, split_lines

_TAGS = {"del": ("~~", "~~"), "ins": ("<ins>", "</ins>"), "u": ("<u>", "</u>")}
_PARAGRAPH_HEADINGS = {"title": "#", "h1": "##", "h2": "###"}


def md_cell(text: str) -> str:
    return text.replace("|", "｜").replace("\n", "<br>") or " "


def _marked(r: Run) -> str:
    text = r.text.replace("|", "｜")
    if not r.mark or not text.strip():
        return text
    open_, close = _TAGS[r.mark]
    return f"{open_}{text}{close}"


def marked_cell(content: Runs) -> str:
    """Marked runs as a cell: each line's runs marked alone, lines joined by ``<br>``."""
    return "<br>".join("".join(_marked(r) for r in line) for line in split_lines(content)).strip() or " "


def cell_text(cell: Cell) -> str:
    c = cell.content
    if isinstance(c, int):
        return str(c)
    if isinstance(c, str):
        return md_cell(c)
    if c and isinstance(c[0], Paragraph):
        return "<br>".join(_inline(p.content) for p in c).strip() or " "  # type: ignore[union-attr]
    return marked_cell(c)  # type: ignore[arg-type]


def _inline(content: str | Runs) -> str:
    return content if isinstance(content, str) else "".join(_marked(r) for r in content)


def _header_lines(names: list[str]) -> list[str]:
    return ["| " + " | ".join(names) + " |", "|" + "|".join("---" for _ in names) + "|"]


def _row_line(row: Row) -> str:
    values: list[str] = []
    for c in row.cells:
        values.append(cell_text(c))
        values += [" "] * (c.span - 1)
    return "| " + " | ".join(values) + " |"


def _table(t: Table) -> Iterator[tuple[bool, str]]:
    """The table's lines as they come, each with whether it starts a block of its own.

    A grouped table's group row is a ``##`` heading, and each group's rows a table.
    """
    names = [c.name for c in t.columns] if t.header else [" "] * len(t.columns)
    in_table = False
    for row in t.rows:
        if t.grouped and row.group:
            yield True, "## " + "".join(c.text for c in row.cells)
            in_table = False
            continue
        if not in_table:
            first, second = _header_lines(names)
            yield True, first
            yield False, second
            in_table = True
        yield False, _row_line(row)
    if not in_table and not t.grouped:  # a table without rows still has its header
        first, second = _header_lines(names)
        yield True, first
        yield False, second


def _pieces(doc: Document) -> Iterator[tuple[bool, str]]:
    for b in doc.blocks:
        if isinstance(b, Heading):
            yield True, f"{'#' * min(6, b.level + 1)} {b.text}"
        elif isinstance(b, Paragraph):
            text = _inline(b.content)
            if b.style in _PARAGRAPH_HEADINGS:
                text = f"{_PARAGRAPH_HEADINGS[b.style]} {text}"
            elif b.style == "label":
                text = f"**{text}**"
            yield True, text
        elif isinstance(b, Bullets):
            yield True, "\n".join(f"- {item}" for item in b.items)
        elif isinstance(b, Table):
            yield from _table(b)


def chunks(doc: Document) -> Iterator[str]:
    """The document as Markdown, a line at a time: blocks apart by a blank line, as they come."""
    sep = ""
    for new_block, text in _pieces(doc):
        yield (sep if new_block else "\n") + text
        sep = "\n\n"
    yield "\n"


def render(doc: Document) -> str:
    return "".join(chunks(doc))


def write(doc: Document, path: Path) -> None:
    write_text(Path(path), chunks(doc))


# --------------------------------------------------------------------------- the 評価書's preview
#
# The composed 評価書 is its own input here (as for the Word writer): its preview follows
# the 様式's item tree directly.


def cover(c: ComposedAssessment) -> list[tuple[str, str]]:
    return [(label, getattr(c.meta, attr)) for label, attr in COVER_FIELDS]


def choice_text(item: ComposedItem) -> str:
    """「[ 十分である ]」 followed by the ＜選択肢＞ list, as the 様式 shows a choice."""
    value = item.choice or "　　　"
    options = " ".join(f"{i}) {c}" for i, c in enumerate(item.choices, 1))
    return f"[ {value} ]　＜選択肢＞ {options}"


def markdown(c: ComposedAssessment) -> str:
    out = [f"# {c.meta.title or c.name}", "", f"*{c.form_title}*", ""]
    for label, value in cover(c):
        out += [f"**{label}**", "", value.strip() or "（未記入）", ""]
    out += ["## 項目一覧", ""] + [f"- {label}" for label in c.contents] + [""]
    previous_file: str | None = None
    for it in c.items:
        if it.depth == 0 and (it.file is None or it.file != previous_file):
            suffix = ""
            if it.file:
                suffix = " " + next(f.label for f in c.files if f.id == it.file)
            out += [f"## {it.label}{suffix}", ""]
            previous_file = it.file
            continue
        mark = " ※" if it.important and it.type else ""
        level = min(6, 2 + it.depth)
        out += [f"{'#' * level} {it.label}{mark}", ""]
        if it.type == "choice":
            out += [choice_text(it), ""]
        for b in it.blocks:
            if b.heading:
                out += [b.heading, ""]
            out += [line + "  " if line else "" for line in b.body.split("\n")] + [""]
    return "\n".join(out).rstrip() + "\n"


def write_markdown(c: ComposedAssessment, path: Path) -> None:
    atomic_write(path, markdown(c))


__all__ = ["choice_text", "chunks", "cover", "markdown", "md_cell", "render", "write", "write_markdown"]
