"""Limits enforced while working: hostile templates and reference documents are refused
quickly, with bounded memory, and with one located line; good inputs render exactly."""

from __future__ import annotations

import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from composer.compose.render import MAX_DOCUMENT, MAX_RANGE, MAX_SECONDS, MAX_STEPS, MAX_TEXT

from .conftest import ROOT, write

ASSESSMENT = """
form: 全項目
meta:
  number: "1"
  title: 住民基本台帳に関する事務 全項目評価書
  office: 豊島区長
files:
  - id: juki
    name: 住民基本台帳ファイル
    items:
      II.1: 住民基本台帳ファイル
items:
  I.1.1: {text}
"""

# a runaway loop stops at whichever comes first on this machine: the step count or the run time
RUNS = (f"it runs more than {MAX_STEPS:,} loop iterations and calls", f"it runs longer than {MAX_SECONDS:g} s")

BIG = "{% set big = '住' * 199999 %}"
NESTED = "{% set ns = namespace(x=[big]) %}{% for i in range(30) %}{% set ns.x = [ns.x, ns.x] %}{% endfor %}"

# (template, message) — each a text an attacker (or a slip) could write in an assessment
HOSTILE = [
    pytest.param("{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}",
                 RUNS, id="nested-loops-silent"),
    pytest.param("{% for a in range(10000) %}{% for b in range(10000) %}住{% endfor %}{% endfor %}",
                 RUNS, id="nested-loops-output"),
    pytest.param("{% for a in range(1000) %}{{ '住民' * 1000 }}{% endfor %}",
                 f"it renders to more than {MAX_TEXT:,} characters", id="output-per-text"),
    pytest.param("{{ range(20000)|list|length }}", f"range() of more than {MAX_RANGE:,} items", id="range"),
    pytest.param("{{ range(100000000)|list|length }}", f"an argument above {MAX_TEXT:,}", id="range-huge"),
    pytest.param("{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}{% endmacro %}{{ f(60) }}",
                 RUNS, id="exponential-macro"),
    pytest.param("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "it recurses too deeply", id="recursive-macro"),
    pytest.param("{% set ns = namespace(x='住民') %}{% for i in range(64) %}{% set ns.x = ns.x ~ ns.x %}{% endfor %}{{ ns.x }}",
                 f"a value longer than {MAX_TEXT:,} characters", id="doubling-concat"),
    pytest.param("{% set ns = namespace(x='住民') %}{% for i in range(64) %}{% set ns.x = ns.x + ns.x %}{% endfor %}{{ ns.x }}",
                 "result too long", id="doubling-plus"),
    pytest.param("{{ '住'|center(1000000000) }}", "an argument above", id="filter-width"),
    pytest.param("{{ '住'.ljust(1000000000) }}", "an argument above", id="method-width"),
    pytest.param("{{ '{:>1000000000}'.format(1) }}", "format width too large", id="str-format-width"),
    pytest.param("{{ '%1000000000d' % 1 }}", "format width too large", id="percent-width"),
    pytest.param("{{ '%1000000000d'|format(1) }}", "format width too large", id="format-filter-width"),
    pytest.param("{{ ('住' * 100000)|replace('', '民民民') }}", "the replacement is longer than", id="replace-growth"),
    pytest.param("{{ '住' * 10 ** 9 }}", "result too long", id="repeat"),
    pytest.param("{{ 2 ** 100000 }}", "exponent too large", id="power"),
    pytest.param("{{ '住民'|truncate(-1) }}", "cannot render local text: AssertionError", id="truncate-negative"),
    pytest.param("{{ '住民'|wordwrap(1) }}", "No filter named 'wordwrap'", id="wordwrap-removed"),
    pytest.param(BIG + "{{ range(10000)|map('string')|join(big) }}", "the joined text is longer than", id="join-growth"),
    pytest.param(BIG + "{{ big.join(range(10000)|map('string')) }}", "the joined text is longer than", id="str-join-growth"),
    pytest.param(BIG + "{{ ('住\\n' * 90000)|indent(199999) }}", "the indented text is longer than", id="indent-growth"),
    pytest.param(BIG + "{{ ('{0}' * 10000).format(big) }}", "the formatted text could be longer than", id="format-fields"),
    pytest.param(BIG + "{{ ('%s' * 10000) % ((big,) * 10000) }}", "result too long", id="percent-fields"),
    pytest.param(BIG + NESTED + "{{ ns.x }}", "a value that prints longer than", id="nested-list-printed"),
    pytest.param(BIG + NESTED + "{{ ns.x|string }}", "a value longer than", id="nested-list-string"),
    pytest.param(BIG + NESTED + "{{ '' ~ ns.x }}", "a value longer than", id="nested-list-concat"),
    pytest.param("{{ ('\\t' * 1000).expandtabs(100000) }}", "access to attribute 'expandtabs' of 'str' object is unsafe", id="expandtabs"),
    pytest.param("{{ lipsum(100000) }}", "'lipsum' is undefined", id="lipsum-removed"),
    pytest.param("{{ [1, 2]|random }}", "No filter named 'random'", id="random-removed"),
]


def _build(ws: Path, run, text: str):  # type: ignore[no-untyped-def]
    write(ws / "assessments" / "juki.yaml", ASSESSMENT.format(text=_yaml_quote(text)))
    tracemalloc.start()
    start = time.monotonic()
    try:
        result = run("-C", str(ws), "build", "--format", "md")
        elapsed = time.monotonic() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "Traceback" not in result.output + result.stderr and "internal error" not in result.stderr
    return result, elapsed, peak


def _yaml_quote(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


@pytest.mark.parametrize("template, message", HOSTILE)
def test_hostile_template_is_refused_while_rendering(ws: Path, run, template: str, message: str | tuple[str, ...]) -> None:
    result, elapsed, peak = _build(ws, run, template)
    assert result.exit_code == 1
    assert "error: assessments/juki.yaml:12: I.1.1: " in result.stderr
    assert any(m in result.stderr for m in ((message,) if isinstance(message, str) else message)), result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2  # the error and the count
    assert not (ws / "build" / "juki.md").exists()
    assert peak < 200 * 1024 * 1024, f"{peak / 1e6:.0f} MB"
    assert elapsed < 10, f"{elapsed:.1f} s"  # the limit itself is 1 s of run time per text


@pytest.mark.parametrize(
    "template, expected",
    [
        ("{% for f in ['住民基本台帳', '本人確認情報'] %}{{ loop.index }}．{{ f }}ファイル{% if not loop.last %}、{% endif %}{% endfor %}",
         "1．住民基本台帳ファイル、2．本人確認情報ファイル"),
        ("{{ '%03d'|format(7) }}号 {{ '{:>4}'.format('区') }} {{ '住民' ~ '台帳' }} {{ ['a'] + ['b'] }}", "007号    区 住民台帳 ['a', 'b']"),
        ("{{ ('住' * 1000)|length }} {{ range(3)|join('・') }} {{ '住民台帳'|replace('台帳', '票') }}", "1000 0・1・2 住民票"),
    ],
)
def test_good_templates_render_exactly(ws: Path, run, template: str, expected: str) -> None:
    result, _, _ = _build(ws, run, template)
    assert result.exit_code == 0, result.stderr
    lines = [line.rstrip() for line in (ws / "build" / "juki.md").read_text(encoding="utf-8").splitlines()]
    assert expected in lines


def test_a_long_real_text_is_within_the_limits(ws: Path, run) -> None:
    """A text the size of a whole 60-page 評価書 (about 100,000 characters) in one block renders."""
    sentence = "特定個人情報ファイルは、施錠管理された執務室内の専用端末でのみ取り扱う。"
    text = sentence * (100_000 // len(sentence))
    result, _, _ = _build(ws, run, "{{ '" + sentence + "' * " + str(100_000 // len(sentence)) + " }}")
    assert result.exit_code == 0, result.stderr
    assert text in (ws / "build" / "juki.md").read_text(encoding="utf-8")


def test_document_output_limit_is_reported_once(ws: Path, run) -> None:
    per_text = MAX_TEXT - 10
    n = MAX_DOCUMENT // per_text + 1
    keys = ["I.1.1", "I.1.2", "I.3", "I.4.1", "I.4.2", "I.5.basis", "I.6.2", "I.7.1", "I.7.2", "I.8", "IV.3", "V.1.1"][:n]
    assert len(keys) == n
    body = "".join(f"  {k}: \"{{{{ '住' * {per_text} }}}}\"\n" for k in keys)
    write(ws / "assessments" / "juki.yaml", ASSESSMENT.replace("  I.1.1: {text}\n", body))
    result = run("-C", str(ws), "build", "--format", "md")
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    if result.exit_code == 1 and any("unknown item" in e or "not an item" in e for e in errors):
        pytest.fail(f"test keys are not items of the form: {errors}")
    assert result.exit_code == 1
    assert errors == [
        f"error: assessments/juki.yaml:1: assessment 'juki': its texts render to more than {MAX_DOCUMENT:,} characters together "
        "(check the loops and expressions of its texts)"
    ]


# --------------------------------------------------------------------------- reference documents


def _zip_bomb(path: Path, member_mb: int) -> Path:
    src = zipfile.ZipFile(ROOT / "templates" / "reference.docx")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            if info.filename != "word/styles.xml":
                z.writestr(info, src.read(info))
        with z.open("word/styles.xml", "w", force_zip64=True) as f:
            chunk = b" " * (1 << 20)
            for _ in range(member_mb):
                f.write(chunk)
    return path


def test_zip_bomb_reference_document_is_refused_before_decompressing(ws: Path, run, tmp_path: Path) -> None:
    from .conftest import SIMPLE_ASSESSMENT

    write(ws / "assessments" / "juki.yaml", SIMPLE_ASSESSMENT)
    bomb = _zip_bomb(tmp_path / "bomb.docx", 1024)  # 1 MB on disk, 1 GB decompressed
    assert bomb.stat().st_size < 2 * 1024 * 1024
    tracemalloc.start()
    try:
        result = run("-C", str(ws), "build", "--reference-doc", str(bomb), "-o", str(tmp_path / "out"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.exit_code == 1
    assert (
        "bomb.docx: reference document part word/styles.xml decompresses to 1,073,741,824 bytes (at most 16 MB)"
    ) in result.stderr
    assert peak < 50 * 1024 * 1024
    assert not (tmp_path / "out").exists()
    report = run("-C", str(ws), "report", "--year", "2024", "--format", "docx", "-o", str(tmp_path / "r.docx"), "--reference-doc", str(bomb))
    assert report.exit_code == 1 and "decompresses to 1,073,741,824 bytes" in report.stderr
    assert not (tmp_path / "r.docx").exists()


def test_reference_document_that_is_not_a_zip_is_refused(ws: Path, run, tmp_path: Path) -> None:
    from .conftest import SIMPLE_ASSESSMENT

    write(ws / "assessments" / "juki.yaml", SIMPLE_ASSESSMENT)
    fake = tmp_path / "fake.docx"
    fake.write_bytes(b"PK\x03\x04 not really")
    result = run("-C", str(ws), "build", "--reference-doc", str(fake), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "fake.docx: not a Word document (.docx): File is not a zip file" in result.stderr


def test_many_hostile_texts_stop_at_the_document_limit(ws: Path, run) -> None:
    from composer.compose.render import MAX_DOCUMENT_STEPS

    loop = "{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}"
    keys = ["I.1.1", "I.1.2", "I.3", "I.4.1", "I.4.2", "I.5.basis", "I.6.2", "I.7.1", "I.7.2", "I.8", "IV.3", "V.1.1"]
    body = "".join(f"  {k}: {_yaml_quote(loop)}\n" for k in keys)
    write(ws / "assessments" / "juki.yaml", ASSESSMENT.replace("  I.1.1: {text}\n", body))
    start = time.monotonic()
    result = run("-C", str(ws), "build", "--format", "md")
    elapsed = time.monotonic() - start
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"error: assessments/juki.yaml:1: assessment 'juki': its texts run more than {MAX_DOCUMENT_STEPS:,} loop "
        "iterations and calls together (check the loops and expressions of its texts)"
    )
    assert elapsed < 10, f"{elapsed:.1f} s"  # without the document limit: 12 texts at the per-text limit each
