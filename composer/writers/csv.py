"""The CSV writer: a document's (first) table — the header row, then one line per row.

UTF-8 with a byte order mark (Excel opens it as UTF-8), CRLF line ends; cells as plain
text (marks dropped). The blocks are read up to the first table, whose rows are written as
they come; the blocks after it are not read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from composer.errors import UserError
from composer.files import write_text
from composer.i18n import _
from composer.writers.model import Document, Table


def chunks(doc: Document) -> Iterator[str]:
    """The first table as CSV, a line at a time."""
    t = next((b for b in doc.blocks if isinstance(b, Table)), None)
    if t is None:
        problem = _("{title} has no table to write as CSV", title=doc.title) if doc.title else _("the document has no table to write as CSV")
        raise UserError(problem, None, _("choose another --format"))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")

    def line(values: list[str]) -> str:
        buf.seek(0)
        buf.truncate()
        w.writerow(values)
        return buf.getvalue()

    yield "\ufeff"
    if t.header:
        yield line([c.name for c in t.columns])
    for row in t.rows:
        yield line([c.text for c in row.cells])


def render(doc: Document) -> str:
    return "".join(chunks(doc))


def write(doc: Document, path: Path) -> None:
    write_text(Path(path), chunks(doc))


__all__ = ["chunks", "render", "write"]
