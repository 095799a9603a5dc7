"""Messages of the documents and writers in Japanese: the same location and values as in English."""

from __future__ import annotations

from pathlib import Path

import pytest

from composer import writers
from composer.errors import UserError
from composer.i18n import View
from composer.writers.model import Document, Heading

from .conftest import JAPANESE, write
from .conftest import run_in as _run

PIN = "form: 全項目\nitems:\n  IV.1.2.detail:\n    - clause: mid-server/audit@1\n"


def test_missing_reference_document_in_japanese(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(ws / "assessments" / "a.yaml", PIN)
    args = ["-C", str(ws), "build", "a", "--reference-doc", str(ws / "styles" / "nope.docx")]
    en, ja = _run(args, "en", monkeypatch), _run(args, "ja", monkeypatch)
    assert en.exit_code == ja.exit_code == 1
    assert "styles/nope.docx: reference document not found (pass an existing .docx to --reference-doc)" in en.stderr
    assert "styles/nope.docx: 参照文書がありません（--reference-doc には存在する .docx ファイルを指定してください）" in ja.stderr
    assert "Traceback" not in ja.stderr and not (ws / "build").exists()


def test_reference_document_not_a_docx_in_japanese(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(ws / "assessments" / "a.yaml", PIN)
    (ws / "ref.docx").write_text("not a zip", encoding="utf-8")
    args = ["-C", str(ws), "build", "a", "--reference-doc", str(ws / "ref.docx")]
    en, ja = _run(args, "en", monkeypatch), _run(args, "ja", monkeypatch)
    assert en.exit_code == ja.exit_code == 1
    assert "ref.docx: not a Word document (.docx): File is not a zip file" in en.stderr
    assert "ref.docx: Word 文書（.docx）ではありません: File is not a zip file（参照文書を .docx 形式で保存してください）" in ja.stderr


def test_report_period_errors_in_japanese(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    year = _run(["-C", str(ws), "report", "--year", "0"], "ja", monkeypatch)
    assert year.exit_code == 1
    assert "0年度は範囲外です（--year 2025 のように、2015年から9998年までの年度を指定してください）" in year.stderr
    args = ["-C", str(ws), "report", "--from", "2026-05-01", "--to", "2026-04-01"]
    en, ja = _run(args, "en", monkeypatch), _run(args, "ja", monkeypatch)
    assert en.exit_code == ja.exit_code == 1
    assert "the period starts after it ends (2026-05-01 > 2026-04-01) (swap --from and --to)" in en.stderr
    assert "期間の開始日が終了日より後になっています（2026-05-01 > 2026-04-01）（--from と --to を入れ替えてください）" in ja.stderr


def test_writer_format_errors_in_both_languages() -> None:
    ja, en = View("ja"), View("en")
    titled = Document("変更点リスク評価表", (Heading("変更点リスク評価表", 0),))
    with pytest.raises(UserError) as csv_error:
        writers.render(titled, "csv")
    assert en.text(csv_error.value.message) == "変更点リスク評価表 has no table to write as CSV"
    assert ja.text(csv_error.value.message) == "変更点リスク評価表には CSV に書き出せる表がありません"
    with pytest.raises(UserError) as untitled:
        writers.render(Document("", ()), "csv")
    assert en.text(untitled.value.message) == "the document has no table to write as CSV"
    with pytest.raises(UserError) as unknown:
        writers.render(titled, "pdf")
    assert en.text(unknown.value.hint) == "use one of: md, html, json, csv, docx, xlsx"
    assert ja.text(unknown.value.message) == "'pdf' は使えない形式です"
    assert "md、html、json、csv、docx、xlsx" in ja.text(unknown.value.hint)
    with pytest.raises(UserError) as binary:
        writers.render(titled, "docx")
    assert en.text(binary.value.message) == "format 'docx' is written to a file"
    assert JAPANESE.search(ja.text(binary.value.hint)) and "-o FILE" in ja.text(binary.value.hint)
