"""The 新旧対照表, the changed words marked in the change tables, and the review page."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from composer import api

from .conftest import EXAMPLE, libreoffice_pdf, pdf_text

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture
def toshima(tmp_path: Path) -> Path:
    root = tmp_path / "toshima"
    shutil.copytree(EXAMPLE, root)
    return root


def _runs(path: Path) -> list[tuple[str, str]]:
    """(text, mark) of every run of document.xml: mark is 'strike', 'underline' or ''."""
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    out = []
    for r in root.iter(W + "r"):
        text = "".join(t.text or "" for t in r.iter(W + "t"))
        mark = "strike" if r.find(f"{W}rPr/{W}strike") is not None else "underline" if r.find(f"{W}rPr/{W}u") is not None else ""
        out.append((text, mark))
    return out


# --------------------------------------------------------------------------- the 新旧対照表


def test_shinkyu_entries_pair_new_left_old_right(toshima: Path) -> None:
    table = api.shinkyu(toshima, "juki")
    assert table.entries
    by_text = {e.item: e for e in table.entries}
    e = next(e for e in by_text.values() if "用端末" in e.new)
    assert "用端末" not in e.old
    assert ("用端末", True) in e.runs("new")
    assert "".join(t for t, _ in e.runs("new")) == e.new
    assert "".join(t for t, _ in e.runs("old")) == e.old
    assert e.path[0].startswith("Ⅲ")


def test_shinkyu_formats(toshima: Path, tmp_path: Path, run) -> None:
    md = run("-C", str(toshima), "diff", "juki", "--table", "shinkyu").output
    assert md.startswith("# 新旧対照表(住民基本台帳)")
    assert "| 新（変更後） | 旧（変更前） |" in md
    assert "既存住基システム<u>用端末</u>には" in md
    html = run("-C", str(toshima), "diff", "juki", "--table", "shinkyu", "--format", "html").output
    assert "既存住基システム<u>用端末</u>には" in html
    assert html.index("新（変更後）") < html.index("旧（変更前）")
    for fmt in ("docx", "xlsx"):
        res = run("-C", str(toshima), "diff", "juki", "--table", "shinkyu", "--format", fmt, "-o", str(tmp_path / f"s.{fmt}"))
        assert res.exit_code == 0, res.stderr
    assert ("用端末", "underline") in _runs(tmp_path / "s.docx")
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "s.xlsx", rich_text=True)
    ws = wb.active
    assert ws.cell(row=2, column=1).value == "新（変更後）" and ws.cell(row=2, column=2).value == "旧（変更前）"
    underlined = [str(b.text) for row in ws.iter_rows(min_row=3) for c in row if not isinstance(c.value, str) and c.value
                  for b in c.value if not isinstance(b, str) and b.font.u == "single"]
    assert "用端末" in underlined
    res = run("-C", str(toshima), "diff", "juki", "--table", "shinkyu", "--format", "csv")
    assert res.exit_code != 0 and "新旧対照表" in res.stderr and "Traceback" not in res.output


# --------------------------------------------------------------------------- marks in the change tables


def test_marks_in_markdown_and_plain(toshima: Path, run) -> None:
    md = run("-C", str(toshima), "diff", "juki").output
    assert "・既存住基システム<ins>用端末</ins>には" in md
    assert "~~" in md
    plain = run("-C", str(toshima), "diff", "juki", "--plain").output
    assert "<ins>" not in plain and "~~" not in plain
    assert "・既存住基システム用端末には" in plain
    official = run("-C", str(toshima), "diff", "juki", "--table", "official").output
    assert "・既存住基システム<ins>用端末</ins>には" in official


@pytest.mark.parametrize("kind", ["risk", "official"])
def test_marks_in_docx_and_xlsx(toshima: Path, tmp_path: Path, run, kind: str) -> None:
    for fmt in ("docx", "xlsx"):
        assert run("-C", str(toshima), "diff", "juki", "--table", kind, "--format", fmt, "-o", str(tmp_path / f"t.{fmt}")).exit_code == 0
        assert run("-C", str(toshima), "diff", "juki", "--table", kind, "--format", fmt, "--plain", "-o", str(tmp_path / f"p.{fmt}")).exit_code == 0
    runs = _runs(tmp_path / "t.docx")
    assert ("用端末", "underline") in runs
    assert any(m == "strike" for _, m in runs)
    assert all(m == "" for _, m in _runs(tmp_path / "p.docx"))
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "t.xlsx", rich_text=True).active
    rich = [c.value for row in ws.iter_rows(min_row=3) for c in row if c.value is not None and not isinstance(c.value, (str, int))]
    assert rich
    marked = {(str(b.text), "strike" if b.font.strike else "u" if b.font.u else "") for v in rich for b in v if not isinstance(b, str)}
    assert ("用端末", "u") in marked
    assert any(m == "strike" for _, m in marked)
    # the marked cell's text is exactly the plain cell's text
    plain_ws = load_workbook(tmp_path / "p.xlsx").active
    col = 4
    for r in range(3, ws.max_row + 1):
        assert str(ws.cell(row=r, column=col).value or "") == str(plain_ws.cell(row=r, column=col).value or "")


@pytest.mark.libreoffice
def test_new_outputs_open_in_libreoffice(toshima: Path, tmp_path: Path, run) -> None:
    files = []
    for kind in ("risk", "official", "shinkyu"):
        for fmt in ("docx", "xlsx"):
            out = tmp_path / f"{kind}-{fmt}.{fmt}"
            assert run("-C", str(toshima), "diff", "juki", "--table", kind, "--format", fmt, "-o", str(out)).exit_code == 0
            files.append(out)
    pdfs = libreoffice_pdf(files, tmp_path)
    titles = {"risk": "変更点リスク評価表", "official": "変更箇所", "shinkyu": "新旧対照表"}
    for pdf in pdfs:
        text = pdf_text(pdf).replace(" ", "")
        assert titles[pdf.stem.split("-")[0]] in text
        assert "既存住基" in text


# --------------------------------------------------------------------------- the review page


def test_review_page_is_self_contained(toshima: Path, run) -> None:
    page = run("-C", str(toshima), "diff", "juki", "--format", "html").output
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "http://" not in page and "https://" not in page
    assert "<link" not in page and "@import" not in page and "url(" not in page
    rows = re.findall(r'<tr class="change" id="row-(\d+)"', page)
    assert len(rows) == 16
    targets = re.findall(r'<a href="#(item-\d+)">', page)
    assert targets and all(f'id="{t}"' in page for t in targets)
    assert "<ins>用端末</ins>" in page
    plain = run("-C", str(toshima), "diff", "juki", "--format", "html", "--plain").output
    assert "<ins>" not in plain and "<th>リスク対策</th>" in plain


def _chromium(args: list[str], tmp: Path, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.fail("chromium is not installed")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
             "--no-first-run", f"--user-data-dir={tmp / 'chrome-profile'}"]
    return subprocess.run([chromium, *flags, *args], capture_output=True, text=True, timeout=timeout)


def test_review_page_renders_in_chromium(toshima: Path, tmp_path: Path, run) -> None:
    page = tmp_path / "review.html"
    assert run("-C", str(toshima), "diff", "juki", "--format", "html", "-o", str(page)).exit_code == 0
    proc = _chromium(["--virtual-time-budget=2000", "--dump-dom", page.as_uri()], tmp_path)
    dom = proc.stdout
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(re.findall(r'<tr class="change', dom)) == 16
    # the script ran: it wrote the count of shown rows
    assert "16 / 16 件" in dom
    assert "用端末" in dom
    shot = tmp_path / "review.png"
    proc = _chromium([f"--screenshot={shot}", "--window-size=1200,900", page.as_uri()], tmp_path)
    assert shot.exists() and shot.stat().st_size > 10_000, proc.stderr[-2000:]


def test_review_page_filters_in_chromium(toshima: Path, tmp_path: Path, run) -> None:
    page = tmp_path / "review.html"
    assert run("-C", str(toshima), "diff", "juki", "--format", "html", "-o", str(page)).exit_code == 0
    html = page.read_text(encoding="utf-8")
    important = len(re.findall(r'data-important="1"', html))
    assert 0 < important < 16
    # check the ※ box before the page loads its script: the filter leaves only the ※ rows
    checked = html.replace('id="f-important">', 'id="f-important" checked>')
    page.write_text(checked, encoding="utf-8")
    dom = _chromium(["--virtual-time-budget=2000", "--dump-dom", page.as_uri()], tmp_path).stdout
    hidden = re.findall(r'<tr class="change hidden"', dom)
    assert len(hidden) == 16 - important
    assert f"{important} / 16 件" in dom
