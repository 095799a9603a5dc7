"""Every writer reads a document once: its blocks and rows may be generators.

A document whose blocks (and whose tables' rows) come from generators writes what the
same document of tuples writes; a writer holds one block at a time and its memory does
not grow with the document; a generator that fails midway leaves no file behind.
"""

from __future__ import annotations

import io
import json
import tracemalloc
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from lxml import etree

from composer import writers
from composer.errors import UserError, WriteError
from composer.files import atomic_file
from composer.writers.model import (
    Block,
    Bullets,
    Cell,
    Column,
    Document,
    Filter,
    Heading,
    Paragraph,
    Row,
    Run,
    Sheet,
    Table,
    Tracking,
)

TEXT = "特定個人情報ファイルの取扱いに関する記載。" * 5
COLUMNS = (Column("番号", 1), Column("記載", 3), Column("変更", 1))


def _row(j: int) -> Row:
    return Row((Cell(j), Cell(f"{j}: {TEXT}"), Cell((Run("前", "del"), Run("後", "ins")))))


def _blocks() -> tuple[Block, ...]:
    many = tuple(
        Row(
            (
                Cell(j),
                Cell(f"{j}行目\n二行目 | 区切り"),
                Cell((Paragraph("段落の一", "body"), Paragraph((Run("削除", "del"), Run("追加", "ins")), "small", change="ins"))),
            ),
            keep=j % 7 == 0,
            change="del" if j % 11 == 0 else "",
            anchor=f"r{j}",
            role="pending" if j % 3 == 0 else "",
            facets=(("important", "1" if j % 2 else ""), ("submission", "事前" if j % 5 else "事後")),
        )
        for j in range(60)
    )
    grouped = (
        Row((Cell("第一の群", span=3, shade=True),), group=True, anchor="g1"),
        Row((Cell("a"), Cell((Run("傍線", "u"), Run("なし"))), Cell(""))),
        Row((Cell("b"), Cell("c"), Cell(2))),
        Row((Cell("第二の群", span=3),), group=True),
        Row((Cell("全幅", span=2, link="g1"), Cell(3))),
    )
    return (
        Heading("大きな文書", 0),
        Paragraph((Run("旧担当の"), Run("削除語", "del"), Run("と"), Run("追加語", "ins")), "normal"),
        Heading("一つめ", 1, new_page=True, anchor="one"),
        Table(COLUMNS, many, sheet=Sheet("明細", caption="明細の表", lead=("作成：総務課",), notes=("以上", "注記"))),
        Paragraph("ラベル", "label", role="note"),
        Bullets(("第一の項目", "第二の項目")),
        Heading("二つめ", 2),
        Table(COLUMNS, grouped, grouped=True),
        Table(COLUMNS, (), header=False),
        Table(COLUMNS, (_row(1),), chars=80),
        Paragraph("終わり", "small", change="del"),
    )


SAMPLE = Document("大きな文書", _blocks(), tracking=Tracking("総務課", "2025-04-01T00:00:00Z"))
FILTERED = Document("絞り込み", _blocks(), filters=(Filter("important", "重要のみ", value="1"),
                                                   Filter("submission", "提出時期", options=("事前", "事後"))))


def generated(doc: Document) -> Document:
    """The same document with its blocks and every table's rows as one-shot generators."""

    def rows(t: Table) -> Iterator[Row]:
        yield from t.rows

    def blocks() -> Iterator[Block]:
        for b in doc.blocks:
            yield replace(b, rows=rows(b)) if isinstance(b, Table) else b

    return replace(doc, blocks=blocks())


# --------------------------------------------------------------------------- the same output


@pytest.mark.parametrize("doc", [SAMPLE, FILTERED], ids=["sample", "filters"])
@pytest.mark.parametrize("fmt", writers.TEXT_FORMATS)
def test_generated_blocks_and_rows_write_the_same_text(fmt: str, doc: Document, tmp_path: Path) -> None:
    expected = writers.render(doc, fmt)
    assert writers.render(generated(doc), fmt) == expected
    out = io.StringIO()
    writers.stream(generated(doc), fmt, out)
    assert out.getvalue() == expected
    writers.write(generated(doc), fmt, tmp_path / f"doc.{fmt}")
    assert (tmp_path / f"doc.{fmt}").read_bytes() == expected.encode("utf-8")


def test_the_text_formats_refuse_a_stream_of_a_file_format() -> None:
    with pytest.raises(UserError, match="written to a file"):
        writers.stream(SAMPLE, "xlsx", io.StringIO())


def _docx_state(path: Path) -> Any:
    d = docx.Document(str(path))
    with zipfile.ZipFile(path) as z:
        body = etree.tostring(etree.fromstring(z.read("word/document.xml")), method="c14n")
        names = [m.filename for m in z.infolist()]
    return (
        d.core_properties.title,
        [(p.style.name, p.text) for p in d.paragraphs],
        [[[c.text for c in r.cells] for r in t.rows] for t in d.tables],
        body,
        names,
    )


def test_docx_of_generated_blocks_reads_back_the_same(tmp_path: Path) -> None:
    writers.write(SAMPLE, "docx", tmp_path / "tuples.docx")
    writers.write(generated(SAMPLE), "docx", tmp_path / "generated.docx")
    state = _docx_state(tmp_path / "tuples.docx")
    assert _docx_state(tmp_path / "generated.docx") == state
    assert len(state[2]) == 4 and len(state[2][0]) == 61  # the header and every row
    assert b"w:ins " in state[3] and b"w:del " in state[3]  # tracked changes


def _xlsx_state(path: Path) -> Any:
    wb = openpyxl.load_workbook(path, rich_text=True)
    sheets = []
    for ws in wb.worksheets:
        cells = [
            (c.coordinate, type(c).__name__, repr(c.value), repr(c.font), repr(c.border), repr(c.fill), repr(c.alignment))
            for row in ws.iter_rows() for c in row
        ]
        sheets.append((
            ws.title, cells, sorted(str(r) for r in ws.merged_cells.ranges),
            {k: d.height for k, d in ws.row_dimensions.items() if d.height}, {k: d.width for k, d in ws.column_dimensions.items()},
            ws.freeze_panes, ws.print_title_rows, ws.print_area, repr(ws.page_setup), ws.oddFooter.center.text,
        ))
    return sheets


def test_xlsx_of_generated_blocks_reads_back_the_same(tmp_path: Path) -> None:
    writers.write(SAMPLE, "xlsx", tmp_path / "tuples.xlsx")
    writers.write(generated(SAMPLE), "xlsx", tmp_path / "generated.xlsx")
    state = _xlsx_state(tmp_path / "tuples.xlsx")
    assert _xlsx_state(tmp_path / "generated.xlsx") == state
    assert [s[0] for s in state] == ["明細", "2", "3", "4"]
    title, cells, merged, heights, _, freeze, titles, area, _, footer = state[0]
    assert freeze == "A4" and titles == "$3:$3" and area == "'明細'!$A$1:$C$66" and footer == "&P/&N"
    assert set(heights) == set(range(3, 67))  # from the header on, each row as tall as its text (the blank row too)
    assert state[1][2] == ["A2:C2", "A5:C5", "A6:B6"]  # the grouped table's spans are merged


def test_json_of_generated_blocks_is_the_same() -> None:
    structure = json.loads(writers.render(generated(SAMPLE), "json"))
    assert structure == json.loads(writers.render(SAMPLE, "json"))
    assert structure["blocks"][3]["rows"][1]["cells"][0]["content"] == 1


def _nested() -> tuple[Any, Any]:
    """Data with generators in it, and the same data with lists."""

    def gen(n: int) -> Iterator[Any]:
        for i in range(n):
            yield {"i": i, "items": (x for x in range(i)), "empty": iter(()), "nested": [iter([i, [iter(())]])]}

    lazy = {"rows": gen(3), "none": iter([]), "list": [], "dict": {}, "text": "日本</script>", "n": 1.5, "ok": True, "null": None}
    eager = {"rows": [{"i": i, "items": list(range(i)), "empty": [], "nested": [[i, [[]]]]} for i in range(3)],
             "none": [], "list": [], "dict": {}, "text": "日本</script>", "n": 1.5, "ok": True, "null": None}
    return lazy, eager


@pytest.mark.parametrize("case", ["nested", "top", "empty"])
def test_json_writes_generators_in_data_as_json_dumps_writes_lists(case: str, tmp_path: Path) -> None:
    lazy, eager = _nested()
    if case == "top":
        lazy, eager = (x for x in (lazy, 1, "a")), [eager, 1, "a"]
    elif case == "empty":
        lazy, eager = iter(()), []
    expected = json.dumps(eager, ensure_ascii=False, indent=2) + "\n"
    writers.write(Document("データ", (), data=lazy), "json", tmp_path / "data.json")
    assert (tmp_path / "data.json").read_text(encoding="utf-8") == expected


# --------------------------------------------------------------------------- one block at a time


class Source:
    """Generates a document of many tables and counts the tables made but not yet read to their end."""

    def __init__(self, tables: int, rows: int = 20) -> None:
        self.tables, self.rows = tables, rows
        self.made = self.done = self.most = 0

    def _rows(self) -> Iterator[Row]:
        try:
            for j in range(self.rows):
                yield _row(j)
        finally:
            self.done += 1

    def blocks(self) -> Iterator[Block]:
        yield Heading("多くの表", 0)
        for i in range(self.tables):
            yield Heading(f"表{i}", 2)
            self.made += 1
            self.most = max(self.most, self.made - self.done)
            yield Table(COLUMNS, self._rows(), sheet=Sheet(f"表{i}"))

    def document(self) -> Document:
        return Document("多くの表", self.blocks())


@pytest.mark.parametrize("fmt,tables", [("md", 2000), ("html", 2000), ("json", 300), ("csv", 2000), ("docx", 2000), ("xlsx", 60)])
def test_a_writer_reads_one_table_at_a_time(fmt: str, tables: int, tmp_path: Path) -> None:
    source = Source(tables)
    writers.write(source.document(), fmt, tmp_path / f"many.{fmt}")
    assert source.most == 1  # each table read to its end before the next is made
    assert source.made == (1 if fmt == "csv" else tables)  # CSV writes the first table and reads no further


def _peak(write: Any) -> int:
    tracemalloc.start()
    try:
        write()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _report_like(tables: int) -> Iterator[Block]:
    yield Heading("報告", 0)
    for i in range(tables):
        yield Heading(f"評価書{i}", 2)
        yield Table(COLUMNS, (_row(j) for j in range(20)))


def _one_sheet(tables: int) -> Iterator[Block]:  # the report's workbook: every change on one sheet
    yield Table(COLUMNS, (_row(j) for j in range(20 * tables)), sheet=Sheet("変更点"))


@pytest.mark.parametrize("fmt,n", [("md", 100), ("html", 100), ("json", 50), ("csv", 100), ("docx", 100), ("xlsx", 15)])
def test_memory_does_not_grow_with_the_document(fmt: str, n: int, tmp_path: Path) -> None:
    blocks = _one_sheet if fmt in ("csv", "xlsx") else _report_like
    path = tmp_path / f"big.{fmt}"
    writers.write(Document("報告", blocks(2)), fmt, path)  # imports and caches first
    small = _peak(lambda: writers.write(Document("報告", blocks(n)), fmt, path))
    large = _peak(lambda: writers.write(Document("報告", blocks(4 * n)), fmt, path))
    bound = 1.5 * small + 256 * 1024
    assert large < bound, f"{fmt}: {large:,} bytes at 4× the size, {small:,} at 1×"
    held = _peak(lambda: tuple(replace(b, rows=tuple(b.rows)) if isinstance(b, Table) else b for b in blocks(4 * n)))
    assert held > bound  # the document held whole would not fit the bound


# --------------------------------------------------------------------------- atomic writes


class Broken(UserError):
    pass


def _failing(after_tables: int, after_rows: int) -> Document:
    """A document whose generator fails in the rows of a table (as a spool that cannot be read)."""

    def rows() -> Iterator[Row]:
        for j in range(after_rows):
            yield _row(j)
        raise Broken("the spool cannot be read")

    def blocks() -> Iterator[Block]:
        yield Heading("壊れた文書", 0)
        for _ in range(after_tables):
            yield Table(COLUMNS, tuple(_row(j) for j in range(5)))
        yield Table(COLUMNS, rows())

    return Document("壊れた文書", blocks())


@pytest.mark.parametrize("fmt", writers.FORMATS)
def test_a_failing_generator_leaves_the_old_file_and_nothing_else(fmt: str, tmp_path: Path) -> None:
    from openpyxl.worksheet._writer import ALL_TEMP_FILES

    path = tmp_path / f"out.{fmt}"
    writers.write(SAMPLE, fmt, path)
    before = path.read_bytes()
    spooled = list(ALL_TEMP_FILES)
    doc = _failing(0 if fmt == "csv" else 2, 7)
    with pytest.raises(Broken, match="the spool cannot be read") as caught:
        writers.write(doc, fmt, path)
    assert type(caught.value) is Broken  # the generator's own error, unchanged
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file beside it
    assert ALL_TEMP_FILES == spooled  # nor one of openpyxl's (a write-only sheet's spool)
    new = tmp_path / f"new.{fmt}"
    with pytest.raises(Broken):
        writers.write(_failing(0 if fmt == "csv" else 1, 0), fmt, new)
    assert not new.exists() and [p.name for p in tmp_path.iterdir()] == [path.name]


@pytest.mark.parametrize("fmt", writers.FORMATS)
def test_a_full_disk_is_a_write_error_naming_the_file(fmt: str, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / f"out.{fmt}"
    writers.write(SAMPLE, fmt, path)
    before = path.read_bytes()

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("composer.files.os.fsync", full)
    with pytest.raises(WriteError, match=f"out.{fmt}: cannot write: No space left on device"):
        writers.write(generated(SAMPLE), fmt, path)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == [path.name]


def test_atomic_file_passes_the_callers_errors_through(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"old")
    path.chmod(0o640)
    with pytest.raises(OSError) as caught, atomic_file(path) as out:
        out.write(b"new, in part")
        raise FileNotFoundError(2, "No such file or directory", "spool.bin")  # reading a source, not writing the file
    assert not isinstance(caught.value, WriteError) and caught.value.filename == "spool.bin"
    assert path.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["a.bin"]
    with atomic_file(path) as out:
        for piece in (b"new ", b"content"):
            out.write(piece)
    assert path.read_bytes() == b"new content" and path.stat().st_mode & 0o777 == 0o640


def test_a_word_document_too_large_for_a_zip_member_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("composer.writers.docx._ZIP_LIMIT", 200_000)
    path = tmp_path / "big.docx"
    with pytest.raises(UserError, match="too large for Word") as caught:
        writers.write(Document("報告", _report_like(100)), "docx", path)
    assert caught.value.location is not None and "big.docx" in str(caught.value.location.file)
    assert list(tmp_path.iterdir()) == []
