"""The redline 評価書 (hyoka build --redline) and the phrase diff behind it."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

import composer
from composer import api
from composer.revisions.snapshot import read_snapshot
from composer.revisions.worddiff import diff_words, new_text, old_text, tokens
from composer.writers.docx import write_assessment

from .conftest import EXAMPLE, SIMPLE_ASSESSMENT, libreoffice_pdf, pdf_text, write

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# --------------------------------------------------------------------------- accept-all / reject-all


def _document(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read("word/document.xml"))


def resolve(path: Path, accept: bool) -> list[str]:
    """The document's paragraphs after accepting (or rejecting) every tracked change; empty ones dropped.

    Inserted text (w:ins) is kept on accept, dropped on reject; deleted text (w:del/w:delText)
    the reverse. A row tracked as inserted (deleted) is dropped on reject (accept). A paragraph
    whose mark is removed joins the next paragraph.
    """
    drop, keep = ("del", "ins") if accept else ("ins", "del")
    root = _document(path)
    paras: list[str] = []
    carry = ""
    for p in root.iter(W + "p"):
        row = next((a for a in p.iterancestors(W + "tr")), None)
        if row is not None:
            trpr = row.find(W + "trPr")
            if trpr is not None and trpr.find(W + drop) is not None:
                continue
        text = []
        for el in p.iter(W + "t", W + "delText"):
            inside = {a.tag for a in el.iterancestors()}
            if W + drop in inside:
                continue
            text.append(el.text or "")
        mark = p.find(f"{W}pPr/{W}rPr/{W}{drop}")
        if mark is not None:
            carry += "".join(text)
            continue
        paras.append(carry + "".join(text))
        carry = ""
        assert keep  # both kinds are handled symmetrically
    return [t for t in paras if t]


def plain_paragraphs(path: Path) -> list[str]:
    root = _document(path)
    assert root.find(f".//{W}ins") is None and root.find(f".//{W}del") is None
    return [t for t in ("".join(el.text or "" for el in p.iter(W + "t")) for p in root.iter(W + "p")) if t]


def check_redline(tmp: Path, root: Path, name: str, snapshot_path: Path | None = None) -> Path:
    """Write the redline and assert accept-all == the draft's document, reject-all == the published one."""
    out = api.redline(root, name, tmp / f"{name}.redline.docx", author="総務課 山田")
    ws = composer.load_workspace(root)
    draft = composer.compose_assessment(ws, name)
    snaps = sorted((root / "snapshots" / name).glob("*.json"))
    published = read_snapshot(snapshot_path or snaps[-1]).composed
    write_assessment(draft, tmp / "draft.docx")
    write_assessment(published, tmp / "published.docx")
    assert resolve(out, accept=True) == plain_paragraphs(tmp / "draft.docx")
    assert resolve(out, accept=False) == plain_paragraphs(tmp / "published.docx")
    return out


# --------------------------------------------------------------------------- the example


@pytest.fixture
def toshima(tmp_path: Path) -> Path:
    root = tmp_path / "toshima"
    shutil.copytree(EXAMPLE, root)
    return root


def test_example_redline_accept_and_reject(toshima: Path, tmp_path: Path) -> None:
    out = check_redline(tmp_path, toshima, "juki")
    root = _document(out)
    ins = root.findall(f".//{W}ins")
    dels = root.findall(f".//{W}del")
    assert ins and dels
    for el in ins + dels:
        assert el.get(W + "author") == "総務課 山田"
        assert el.get(W + "date", "").endswith("Z")
    ids = [el.get(W + "id") for el in ins + dels]
    assert len(ids) == len(set(ids))
    # row 96 of 豊島区's table: only 「用端末」 is inserted
    inserted = ["".join(t.text or "" for t in el.iter(W + "t")) for el in ins]
    assert "用端末" in inserted


def test_unchanged_items_are_plain(toshima: Path, tmp_path: Path) -> None:
    out = api.redline(toshima, "juki", tmp_path / "r.docx")
    ws = composer.load_workspace(toshima)
    draft = composer.compose_assessment(ws, "juki")
    published = read_snapshot(sorted((toshima / "snapshots" / "juki").glob("*.json"))[-1]).composed
    unchanged = {it.text.strip("\n").split("\n")[-1] for it in draft.items if it.blocks and published.item(it.ref) == it}
    changed = {it.text.strip("\n").split("\n")[-1] for it in draft.items if it.blocks and published.item(it.ref) != it}
    unchanged -= changed
    seen = 0
    for row in _document(out).iter(W + "tr"):
        cells = row.findall(f"{W}tc")
        if len(cells) != 2:
            continue
        paras = ["".join(t.text or "" for t in p.iter(W + "t")) for p in cells[1].findall(W + "p")]
        last = [t for t in paras if t][-1:]
        if last and last[0] in unchanged:
            seen += 1
            assert row.find(f".//{W}ins") is None and row.find(f".//{W}del") is None
    assert seen >= 5


def test_author_from_workspace_and_cli(toshima: Path, tmp_path: Path, run) -> None:
    cfg = toshima / "hyoka.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "author: 豊島区 区民部\n", encoding="utf-8")
    res = run("-C", str(toshima), "build", "juki", "--redline", "-o", str(tmp_path / "out"))
    assert res.exit_code == 0, res.output
    out = tmp_path / "out" / "juki.redline.docx"
    authors = {el.get(W + "author") for el in _document(out).iter(W + "ins")}
    assert authors == {"豊島区 区民部"}
    res = run("-C", str(toshima), "build", "juki", "--redline", "--author", "課長", "-o", str(tmp_path / "out"))
    assert res.exit_code == 0
    assert {el.get(W + "author") for el in _document(out).iter(W + "ins")} == {"課長"}


def test_redline_errors_are_one_line(toshima: Path, tmp_path: Path, run) -> None:
    res = run("-C", str(toshima), "build", "juki", "--redline", "--from", "1999-01-01", "-o", str(tmp_path))
    assert res.exit_code != 0 and "Traceback" not in res.output
    assert "1999-01-01" in res.stderr
    res = run("-C", str(toshima), "build", "--redline")
    assert res.exit_code != 0 and "NAME" in res.stderr
    res = run("-C", str(toshima), "build", "juki", "--author", "x")
    assert res.exit_code != 0 and "--redline" in res.stderr


# --------------------------------------------------------------------------- generated edits

EDITED = {
    "insert": ("        - text: |\n            事務室内の施錠可能な書庫に保管する。\n",
               "        - text: |\n            事務室内の施錠可能な書庫に保管する。\n            鍵は課長が管理する。\n"),
    "delete": ("      II.6.1:\n        - clause: gov-cloud/storage@1\n        - text:", "      II.6.1:\n        - text:"),
    "replace": ("事務室内の施錠可能な書庫に保管する。", "執務室内の施錠できる耐火書庫に保管する。"),
    "choice": ("III.7.r1.5: 十分に行っている", "III.7.r1.5: 十分に行っていない"),
}


@pytest.fixture
def simple(ws: Path) -> Path:
    write(ws / "assessments" / "juki.yaml", SIMPLE_ASSESSMENT)
    api.publish(ws, "juki", "2024-04-01")
    return ws


@pytest.mark.parametrize("kind", sorted(EDITED))
def test_generated_edits(simple: Path, tmp_path: Path, kind: str) -> None:
    path = simple / "assessments" / "juki.yaml"
    before, after = EDITED[kind]
    text = path.read_text(encoding="utf-8")
    assert before in text
    path.write_text(text.replace(before, after, 1), encoding="utf-8")
    out = check_redline(tmp_path, simple, "juki")
    assert _document(out).find(f".//{W}ins") is not None or _document(out).find(f".//{W}del") is not None


def test_example_juminzei_accept_and_reject(toshima: Path, tmp_path: Path) -> None:
    out = check_redline(tmp_path, toshima, "juminzei")
    assert _document(out).find(f".//{W}ins") is not None


def test_moved_block(simple: Path, tmp_path: Path) -> None:
    path = simple / "assessments" / "juki.yaml"
    text = path.read_text(encoding="utf-8")
    clause = "        - clause: gov-cloud/storage@1\n"
    local = "        - text: |\n            事務室内の施錠可能な書庫に保管する。\n          heading: ＜豊島区における措置＞\n"
    assert clause + local in text
    path.write_text(text.replace(clause + local, local + clause), encoding="utf-8")
    out = check_redline(tmp_path, simple, "juki")
    assert _document(out).find(f".//{W}ins") is not None and _document(out).find(f".//{W}del") is not None


def test_new_file_section(simple: Path, tmp_path: Path) -> None:
    path = simple / "assessments" / "juki.yaml"
    text = path.read_text(encoding="utf-8")
    extra = (
        "  - id: fuka\n    name: 附票ファイル\n    items:\n      II.6.1:\n        - text: |\n"
        "            附票は鍵付きの書庫に保管する。\n"
    )
    path.write_text(text.replace("items:\n  I.1.1:", extra + "items:\n  I.1.1:"), encoding="utf-8")
    out = check_redline(tmp_path, simple, "juki")
    rows = [tr for tr in _document(out).iter(W + "tr") if tr.find(f"{W}trPr/{W}ins") is not None]
    assert rows  # the new file's section is inserted rows
    assert "附票は鍵付きの書庫に保管する。" in "".join(t.text or "" for tr in rows for t in tr.iter(W + "t"))


def test_removed_file_section(simple: Path, tmp_path: Path) -> None:
    path = simple / "assessments" / "juki.yaml"
    text = path.read_text(encoding="utf-8")
    extra = "  - id: fuka\n    name: 附票ファイル\n    items:\n      II.6.1:\n        - text: |\n            附票は書庫に保管する。\n"
    path.write_text(text.replace("items:\n  I.1.1:", extra + "items:\n  I.1.1:"), encoding="utf-8")
    api.publish(simple, "juki", "2025-04-01")
    path.write_text(text, encoding="utf-8")
    out = check_redline(tmp_path, simple, "juki")
    assert any(tr.find(f"{W}trPr/{W}del") is not None for tr in _document(out).iter(W + "tr"))


def test_from_older_snapshot(simple: Path, tmp_path: Path) -> None:
    path = simple / "assessments" / "juki.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("十分に行っている", "十分に行っていない"), encoding="utf-8")
    api.publish(simple, "juki", "2025-04-01")
    out = api.redline(simple, "juki", tmp_path / "r.docx", from_ref="2024-04-01")
    write_assessment(read_snapshot(simple / "snapshots" / "juki" / "2024-04-01.json").composed, tmp_path / "p.docx")
    assert resolve(out, accept=False) == plain_paragraphs(tmp_path / "p.docx")


@pytest.mark.libreoffice
def test_redline_opens_in_libreoffice(toshima: Path, tmp_path: Path) -> None:
    out = api.redline(toshima, "juki", tmp_path / "juki.redline.docx")
    (pdf,) = libreoffice_pdf([out], tmp_path)
    text = pdf_text(pdf)
    assert "特定個人情報保護評価書" in text
    assert "用端末" in text


# --------------------------------------------------------------------------- the phrase diff


def test_worddiff_marks_phrases_not_characters() -> None:
    segs = diff_words("既存住基システムには", "既存住基システム用端末には")
    assert [(s.kind, s.text) for s in segs] == [("equal", "既存住基システム"), ("insert", "用端末"), ("equal", "には")]
    segs = diff_words("システム共通基盤（団体内統合宛名システム）と連携する", "番号連携サーバー（団体内統合宛名システム）と連携する")
    assert [s.kind for s in segs] == ["delete", "insert", "equal"]
    assert segs[0].text == "システム共通基盤" and segs[1].text == "番号連携サーバー"


def test_worddiff_folds_tiny_islands() -> None:
    segs = diff_words("令和6年4月1日", "令和7年10月1日")
    assert [(s.kind, s.text) for s in segs] == [("equal", "令和"), ("delete", "6年4"), ("insert", "7年10"), ("equal", "月1日")]


def test_tokens_by_script() -> None:
    assert tokens("ガバメントクラウド上のAWSに、2024年。") == ["ガバメントクラウド", "上", "の", "AWS", "に", "、", "2024", "年", "。"]


@pytest.mark.parametrize(
    "old,new",
    [
        ("", "新しい文。"), ("古い文。", ""), ("同じ", "同じ"),
        ("行1\n行2\n", "行1\n行2を変えた\n行3\n"),
        ("abc 東京都 123", "abd 東京府 124 追加"),
    ],
)
def test_worddiff_sides_are_exact(old: str, new: str) -> None:
    segs = diff_words(old, new)
    assert old_text(segs) == old and new_text(segs) == new
    assert all(s.text for s in segs)
