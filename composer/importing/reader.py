"""Stage 1 of the import: read a Word document's body as paragraphs and tables of cells.

The document part is parsed once with lxml (no python-docx proxies, linear in size).
A paragraph is one line; a line break (``w:br``) inside a paragraph also ends a line,
so a cell written with paragraphs and one written with line breaks read the same.
Merged cells are resolved: a horizontally merged cell (``w:gridSpan``) is one cell
with its span; a vertically merged continuation cell (``w:vMerge`` without
``restart``) repeats the text of the cell above and is marked ``continued``.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from composer.errors import Location, UserError
from composer.i18n import _

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W_NS}}}"


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str  # style name (lower case), "" when none
    index: int  # position among the body's paragraphs and tables


@dataclass(frozen=True)
class Cell:
    lines: tuple[str, ...]
    span: int = 1
    continued: bool = False  # the lower part of a vertically merged cell

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    number: int  # 1-based within its table


@dataclass(frozen=True)
class Table:
    rows: tuple[Row, ...]
    number: int  # 1-based among the document's tables
    index: int


@dataclass
class Body:
    path: str
    parts: list[Paragraph | Table] = field(default_factory=list)


def _paragraph_lines(p: object) -> list[str]:
    lines = [""]
    for el in p.iter(_W + "t", _W + "br", _W + "cr", _W + "tab", _W + "noBreakHyphen"):  # type: ignore[attr-defined]
        tag = el.tag
        if tag == _W + "t":
            lines[-1] += el.text or ""
        elif tag == _W + "tab":
            lines[-1] += "\t"
        elif tag == _W + "noBreakHyphen":
            lines[-1] += "-"
        elif el.get(_W + "type") in (None, "textWrapping"):
            lines.append("")
    return lines


def _cell_lines(tc: object) -> list[str]:
    lines: list[str] = []
    for child in tc:  # type: ignore[attr-defined]
        if child.tag == _W + "p":
            lines.extend(_paragraph_lines(child))
        elif child.tag == _W + "tbl":  # a nested table: its cells' lines, row by row
            for tr in child.iter(_W + "tr"):
                for inner in tr.findall(_W + "tc"):
                    lines.extend(_cell_lines(inner))
        elif child.tag == _W + "sdt":
            for p in child.iter(_W + "p"):
                lines.extend(_paragraph_lines(p))
    return lines


def _style_names(z: zipfile.ZipFile) -> dict[str, str]:
    from lxml import etree

    try:
        data = z.read("word/styles.xml")
    except KeyError:
        return {}
    root = etree.fromstring(data)
    out = {}
    for s in root.findall(_W + "style"):
        name = s.find(_W + "name")
        out[s.get(_W + "styleId", "")] = (name.get(_W + "val") if name is not None else s.get(_W + "styleId", "")).lower()
    return out


def read_docx(path: Path) -> Body:
    """The body of the .docx at ``path``; a file that is not a Word document is refused in one line."""
    from lxml import etree

    loc = Location.of(path)
    hint = _("open it in Word and save it as a Word document (.docx)")
    try:
        with zipfile.ZipFile(path) as z:
            try:
                data = z.read("word/document.xml")
            except KeyError:
                raise UserError(_("not a Word document (.docx): it has no word/document.xml"), loc, hint) from None
            styles = _style_names(z)
    except FileNotFoundError:
        raise UserError(_("file not found"), loc, _("give the path of the .docx to import")) from None
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise UserError(_("not a Word document (.docx): {error}", error=str(exc)), loc, hint) from None
    except zipfile.LargeZipFile as exc:  # pragma: no cover
        raise UserError(_("cannot read the document: {error}", error=str(exc)), loc, hint) from None
    try:
        root = etree.fromstring(data, etree.XMLParser(huge_tree=True, resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        raise UserError(_("the document part is damaged: {error}", error=str(exc)), loc, hint) from None
    body_el = root.find(_W + "body")
    if body_el is None:
        raise UserError(_("not a Word document (.docx): the document has no body"), loc, hint)
    body = Body(str(path))
    tables = 0
    for i, el in enumerate(body_el):
        if el.tag == _W + "p":
            ps = el.find(f"{_W}pPr/{_W}pStyle")
            style = styles.get(ps.get(_W + "val", ""), "") if ps is not None else ""
            for line in _paragraph_lines(el):
                body.parts.append(Paragraph(line, style, i))
        elif el.tag == _W + "tbl":
            tables += 1
            body.parts.append(_table(el, tables, i))
    return body


def _table(tbl: object, number: int, index: int) -> Table:
    rows: list[Row] = []
    above: dict[int, Cell] = {}  # grid column -> the cell there in the previous row
    for n, tr in enumerate(tbl.findall(_W + "tr"), 1):  # type: ignore[attr-defined]
        cells: list[Cell] = []
        col = 0
        current: dict[int, Cell] = {}
        for tc in tr.findall(_W + "tc"):
            props = tc.find(_W + "tcPr")
            span = 1
            vmerge = None
            if props is not None:
                gs = props.find(_W + "gridSpan")
                if gs is not None:
                    try:
                        span = max(1, int(gs.get(_W + "val", "1")))
                    except ValueError:
                        span = 1
                vm = props.find(_W + "vMerge")
                if vm is not None:
                    vmerge = vm.get(_W + "val", "continue")
            if vmerge == "continue" and col in above:
                cell = Cell(above[col].lines, span, continued=True)
            else:
                cell = Cell(tuple(_cell_lines(tc)), span)
            cells.append(cell)
            current[col] = cell
            col += span
        above = current
        rows.append(Row(tuple(cells), n))
    return Table(tuple(rows), number, index)


__all__ = ["Body", "Cell", "Paragraph", "Row", "Table", "read_docx"]
