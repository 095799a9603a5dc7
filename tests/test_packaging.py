"""A non-editable install ships every module, the stock clauses, form schemas, profiles and reference document."""

from __future__ import annotations

import zipfile
from pathlib import Path

from .conftest import ROOT


def _source_files(folder: str, pattern: str = "*") -> set[str]:
    base = ROOT / folder
    return {
        p.relative_to(base).as_posix()
        for p in base.rglob(pattern)
        if p.is_file() and "__pycache__" not in p.parts and not p.name.endswith(".pyc")
    }


def test_wheel_contains_every_module(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {f"composer/{n}" for n in _source_files("composer", "*.py")}
    assert "composer/lint/rules/__init__.py" in modules  # a nested subpackage (a hand-written list once missed one)
    assert modules - names == set()


def test_wheel_contains_stock_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    clauses = {f"composer/stock_clauses/{n}" for n in _source_files("clauses")}
    templates = {f"composer/stock_templates/{n}" for n in _source_files("templates")}
    assert "composer/stock_clauses/clauses.lock" in clauses
    assert "composer/stock_templates/reference.docx" in templates
    assert clauses - names == set()
    assert templates - names == set()
    for path in ("forms/zenkomoku.yaml", "profiles/gov-cloud.yaml", "reference.docx", "preview.html.j2", "lint/terms.yaml"):
        assert f"composer/stock_templates/{path}" in names
    for lang in ("ja", "en"):  # the message catalogs: without them every message falls back to English
        assert f"composer/locale/{lang}/LC_MESSAGES/hyoka.mo" in names
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "hyoka = composer.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()
