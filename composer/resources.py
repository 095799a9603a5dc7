"""Where the bundled stock clauses and templates live.

In a source checkout they are the top-level ``clauses/`` and ``templates/`` folders; an
installed hyoka ships them inside the package as ``composer/stock_clauses`` and
``composer/stock_templates`` (see ``setup.cfg``).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(installed: str, checkout: str) -> Path:
    inside = _PACKAGE / installed
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / checkout


def stock_clauses_dir() -> Path:
    return _find("stock_clauses", "clauses")


def templates_dir() -> Path:
    return _find("stock_templates", "templates")


def forms_dir() -> Path:
    return templates_dir() / "forms"


def profiles_dir() -> Path:
    return templates_dir() / "profiles"
