"""The writers: one per format, each turning any neutral document into a file.

:mod:`composer.writers.model` holds the records (headings, paragraphs of marked runs,
tables); ``md``, ``html``, ``csv``, ``json``, ``docx`` and ``xlsx`` each write any
:class:`~composer.writers.model.Document`. The document builders
(:mod:`composer.documents`) make the documents; the caller (the library API, the CLI)
picks the writer with :func:`render`, :func:`stream` or :func:`write`. The writers import
nothing above the ground floor (no documents, revisions, loading or lint).

Every writer reads a document in one pass (:class:`~composer.writers.model.Document`):
it writes each block as it comes and holds no more than the block it is writing, so
:func:`stream` and :func:`write` take documents of any size in flat memory. :func:`write`
is atomic: the file appears whole or not at all; an error midway (raised by the document's
blocks themselves, or a full disk) leaves the previous file as it was and propagates.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

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


class TextOut(Protocol):
    """Where :func:`stream` writes: anything with a text ``write`` (a text file, standard output)."""

    def write(self, text: str, /) -> object: ...


def _text_writer(fmt: str):  # type: ignore[no-untyped-def]
    if fmt in FORMATS and fmt not in TEXT_FORMATS:
        raise UserError(_("format '{fmt}' is written to a file", fmt=fmt), None, _("pass -o FILE"))
    return _writer(fmt)


def render(doc: Document, fmt: str) -> str:
    """The document as text in ``fmt`` (md, html, json, csv): for small documents."""
    return _text_writer(fmt).render(doc)  # type: ignore[no-any-return]


def stream(doc: Document, fmt: str, out: TextOut) -> None:
    """Write the document as text in ``fmt`` (md, html, json, csv) to ``out`` (standard output), piece by piece."""
    for chunk in _text_writer(fmt).chunks(doc):
        out.write(chunk)


def write(doc: Document, fmt: str, path: Path, reference: Path | None = None) -> None:
    """Write the document to ``path`` in ``fmt`` as it is read, atomically; ``reference``: the Word reference document."""
    writer = _writer(fmt)
    if fmt == "docx":
        writer.write(doc, Path(path), reference)
    else:
        writer.write(doc, Path(path))


__all__ = ["FORMATS", "TEXT_FORMATS", "TextOut", "render", "stream", "write"]
