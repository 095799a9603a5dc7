"""The CSV writer: a document's (first) table — the header row, then one line per row.

UTF-8 with a byte order mark (Excel opens it as UTF-8), CRLF line ends; cells as plain
text (marks dropped).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from composer.errors import UserError
from composer.files import atomic_write
from composer.i18n import _
from composer.writers.model import Document


def render(doc: Document) -> str:
    tables = doc.tables()
    if not tables:
        problem = _("{title} has no table to write as CSV", title=doc.title) if doc.title else _("the document has no table to write as CSV")
        raise UserError(problem, None, _("choose another --format"))
    t = tables[0]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    if t.header:
        w.writerow([c.name for c in t.columns])
    for row in t.rows:
        w.writerow([c.text for c in row.cells])
    return "\ufeff" + buf.getvalue()


def write(doc: Document, path: Path) -> None:
    atomic_write(Path(path), render(doc))


__all__ = ["render", "write"]
