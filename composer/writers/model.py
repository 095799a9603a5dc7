"""The neutral document model: what every hyoka document is, before any format.

A document builder (``composer.documents.*``) turns its data — a change table, a
新旧対照表, the yearly report — into a :class:`Document`; one writer per format
(``composer.writers.md``, ``html``, ``csv``, ``json``, ``docx``, ``xlsx``) turns any
:class:`Document` into a file. A new kind of document is a new builder; a new format
is a new writer. This module holds only typed records and imports nothing of hyoka's,
so the builders (a layer below the writers' callers) and the writers can both use it.

The records say *what* a part of the document is, never how it looks:

* :class:`Heading` — a heading; ``level`` 0 is the document's title. ``new_page``: the
  heading opens a new part of a printed document.
* :class:`Paragraph` — text or marked :class:`Run` s, with a ``style``: a role among
  :data:`STYLES` (``body`` text, ``small`` notes, a ``label``, …) that each writer maps to
  its own formatting (Word: the reference document's styles).
* :class:`Bullets` — a list of short items.
* :class:`Table` — columns (header text, relative width) and :class:`Row` s of
  :class:`Cell` s. A cell holds plain text (line breaks allowed), an ``int`` (a number:
  spreadsheets keep it as one), marked runs, or paragraphs.
* :class:`Filter` — a control of an interactive page (HTML) that shows only the rows
  whose ``facets`` match; other formats ignore it.

Marks (:data:`Mark`): ``del`` / ``ins`` — text a change removed / added (a change table's
変更前 / 変更後; in a document with :attr:`Document.tracking`, Word tracked changes);
``u`` — 傍線, changed text underlined (the 新旧対照表).

A document is read once. :attr:`Document.blocks` and :attr:`Table.rows` are iterables
that may be one-shot iterators (a generator making the blocks of a large report as they
are asked for): every writer iterates each exactly once, in order, writes each block
(each row) as it comes, and never takes their ``len()``, indexes them or holds them all.
:attr:`Document.data` may likewise hold one-shot iterators wherever it would hold a list
(the JSON writer writes each as an array, as it comes). A builder that has its blocks
at hand passes tuples, which work everywhere; code that reads a document twice (tests)
needs sequences.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

Mark = Literal["", "ins", "del", "u"]
Change = Literal["", "ins", "del"]

#: Paragraph styles (roles) a document may name; the Word writer maps each to a style of
#: the reference document (``composer.writers.docx.STYLES``).
STYLES = ("title", "h1", "h2", "normal", "body", "small", "label", "sublabel", "clause", "header")


@dataclass(frozen=True)
class Run:
    """A piece of text, plain or marked."""

    text: str
    mark: Mark = ""


Runs = tuple[Run, ...]


@dataclass(frozen=True)
class Paragraph:
    """One paragraph: ``content`` is text (one paragraph, no line breaks) or runs.

    ``change``: the paragraph itself was inserted or deleted (tracked in Word).
    ``role``: what the paragraph is, for writers that label it (HTML writes it as the class).
    """

    content: str | Runs = ""
    style: str = "body"
    change: Change = ""
    role: str = ""

    @property
    def text(self) -> str:
        return run_text(self.content)


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 0: the document's title
    new_page: bool = False
    anchor: str = ""  # a target of links (HTML id)


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]
    style: str = "small"


CellContent = str | int | Runs | tuple[Paragraph, ...]


@dataclass(frozen=True)
class Cell:
    """One cell: text (``\\n`` separates lines), a number, marked runs, or paragraphs.

    ``style``: the paragraph style of text and runs; ``shade``: a shaded (heading) cell;
    ``span``: the columns it covers; ``link``: the anchor it links to.
    """

    content: CellContent = ""
    style: str = "body"
    shade: bool = False
    span: int = 1
    link: str = ""

    @property
    def text(self) -> str:
        c = self.content
        if isinstance(c, int):
            return str(c)
        if isinstance(c, str):
            return c
        if c and isinstance(c[0], Paragraph):
            return "\n".join(p.text for p in c)  # type: ignore[union-attr]
        return run_text(c)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Row:
    """A table row. ``group``: a full-width row that heads the rows after it (a group).

    ``keep``: the row is not split across pages; ``change``: the row was inserted or
    deleted (tracked in Word); ``anchor``/``role``/``facets``: the row's id, what it is
    and the values :class:`Filter` s look at (HTML).
    """

    cells: tuple[Cell, ...]
    group: bool = False
    keep: bool = False
    change: Change = ""
    anchor: str = ""
    role: str = ""
    facets: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Column:
    name: str
    width: float  # relative to the other columns


@dataclass(frozen=True)
class Sheet:
    """Where a table goes in a workbook: the sheet's name, its caption, lines above and notes below."""

    name: str
    caption: str = ""
    lead: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """A table; ``header``: the first row names the columns (repeated on every printed page).

    ``rows``: a tuple, or a one-shot iterator read once as the table is written.
    ``grouped``: the rows come in groups, each headed by a :attr:`Row.group` row (a format
    that cannot merge cells writes each group as a heading and a table of its own).
    ``chars``: the table's natural width in characters (spreadsheets; 0: 2.2 per unit of
    the columns' widths). ``sheet``: its place in a workbook.
    """

    columns: tuple[Column, ...]
    rows: Iterable[Row]
    header: bool = True
    grouped: bool = False
    chars: float = 0
    sheet: Sheet | None = None


@dataclass(frozen=True)
class Filter:
    """Show only rows whose facet ``key`` is ``value`` (a check box), or one of ``options`` (a choice)."""

    key: str
    label: str
    value: str = ""
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tracking:
    """Author and date (ISO 8601) of the tracked changes of a document."""

    author: str
    date: str


Block = Heading | Paragraph | Bullets | Table


@dataclass(frozen=True)
class Document:
    """A whole document: its title (metadata), its blocks, and how it is laid out when printed.

    ``blocks``: a tuple, or a one-shot iterator read once as the document is written.
    ``data``: its machine-readable form (the JSON writer writes it; else the blocks), whose
    lists may be one-shot iterators too;
    ``page_count``: printed page numbers read 「n/N」 (else 「n」); ``tracking``: ``ins`` /
    ``del`` marks are tracked changes by this author; ``filters`` and ``count_unit``:
    the controls of an interactive page and the word after its count of shown rows.
    """

    title: str
    blocks: Iterable[Block]
    landscape: bool = False
    page_count: bool = True
    data: Any = None
    tracking: Tracking | None = None
    filters: tuple[Filter, ...] = ()
    count_unit: str = "件"


# --------------------------------------------------------------------------- helpers


def run_text(content: str | Runs) -> str:
    return content if isinstance(content, str) else "".join(r.text for r in content)


def runs(pairs: Any, mark: Mark) -> Runs:
    """``(text, changed)`` pairs as runs, the changed ones marked ``mark``."""
    return tuple(Run(text, mark if changed else "") for text, changed in pairs)


def split_lines(content: Runs) -> list[list[Run]]:
    """Runs cut at line breaks: one list of runs per line (empty pieces dropped)."""
    lines: list[list[Run]] = [[]]
    for r in content:
        pieces = r.text.split("\n")
        for i, piece in enumerate(pieces):
            if i:
                lines.append([])
            if piece:
                lines[-1].append(Run(piece, r.mark))
    return lines


def cell_lines(text: str) -> list[str]:
    """A text cell's lines as printed: leading and trailing line breaks dropped."""
    text = text.strip("\n")
    return text.split("\n") if text else []


__all__ = [
    "STYLES",
    "Block",
    "Bullets",
    "Cell",
    "Column",
    "Document",
    "Filter",
    "Heading",
    "Mark",
    "Paragraph",
    "Row",
    "Run",
    "Runs",
    "Sheet",
    "Table",
    "Tracking",
    "cell_lines",
    "run_text",
    "runs",
    "split_lines",
]
