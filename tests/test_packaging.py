"""A non-editable install ships the stock clauses, form schemas, profiles and reference document."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from .conftest import ROOT


def test_wheel_contains_stock_data(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("hyoka-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    stock = {p.relative_to(ROOT / "clauses").as_posix() for p in (ROOT / "clauses").rglob("*") if p.is_file()}
    assert {f"composer/stock_clauses/{n}" for n in stock} <= names
    assert "composer/stock_clauses/clauses.lock" in names
    for path in ("forms/zenkomoku.yaml", "profiles/gov-cloud.yaml", "reference.docx", "preview.html.j2", "lint/terms.yaml"):
        assert f"composer/stock_templates/{path}" in names
    assert any(n.endswith("entry_points.txt") for n in names)
