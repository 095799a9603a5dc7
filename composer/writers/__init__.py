"""The writers: one per format, each turning any neutral document into a file.

:mod:`composer.writers.model` holds the records (headings, paragraphs of marked runs,
tables); ``md``, ``html``, ``csv``, ``json``, ``docx`` and ``xlsx`` each write any
:class:`~composer.writers.model.Document`. The document builders
(:mod:`composer.documents`) make the documents; the caller (the library API, the CLI)
picks the writer with :func:`render` or :func:`write`. The writers import nothing above
the ground floor (no documents, revisions, loading or lint).
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from composer.errors import UserError
from composer.i18n import _

if TYPE_CHECKING:
    from composer.writers.model import Document

FORMATS = ("md", "html", "json", "csv", "docx", "xlsx")
TEXT_FORMATS = ("md", "html", "json", "csv")  # the others are written to a file only


def _writer(fmt: str, formats: tuple[str, ...] = FORMATS):  # type: ignore[no-untyped-def]
    if fmt not in formats:
        raise UserError(_("unknown format '{fmt}'", fmt=fmt), None, _("use one of: {choices}", choices=formats))
    return import_module(f"composer.writers.{fmt}")


def render(doc: Document, fmt: str) -> str:
    """The document as text in ``fmt`` (md, html, json, csv)."""
    if fmt in FORMATS and fmt not in TEXT_FORMATS:
        raise UserError(_("format '{fmt}' is written to a file", fmt=fmt), None, _("pass -o FILE"))
    return _writer(fmt).render(doc)  # type: ignore[no-any-return]


def write(doc: Document, fmt: str, path: Path, reference: Path | None = None) -> None:
    """Write the document to ``path`` in ``fmt``, atomically; ``reference``: the Word reference document."""
    writer = _writer(fmt)
    if fmt == "docx":
        writer.write(doc, Path(path), reference)
    else:
        writer.write(doc, Path(path))


__all__ = ["FORMATS", "TEXT_FORMATS", "render", "write"]
