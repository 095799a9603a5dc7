"""The JSON writer: a document's machine-readable form (:attr:`Document.data`), else its blocks.

Change tables and the report give their data (rows, numbers) as ``data``; a document
without it is written as its records (each with its ``type``).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from composer.files import atomic_write
from composer.writers.model import Document


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {"type": type(value).__name__}
        out.update({f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)})
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def render(doc: Document) -> str:
    data = doc.data if doc.data is not None else _plain(doc)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def write(doc: Document, path: Path) -> None:
    atomic_write(Path(path), render(doc))


__all__ = ["render", "write"]
