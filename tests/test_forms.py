"""The three forms (基礎項目, 重点項目, 全項目) end to end, the しきい値判断, and the form schemas' basis marks."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from composer import api
from composer.load.clauses import LOCK_NAME
from composer.load.forms import available_forms, get_form, iter_nodes, unverified
from composer.threshold import BANDS, RESULT_LABELS, RULES, ThresholdInputs, band_of, from_options, judge

from .conftest import ROOT, libreoffice_pdf, pdf_text, write

JIMU = "住民基本台帳に関する事務"

CONTACT = """\
id: toshima/contact
title: 豊島区 問合せ先
kind: adaptable
homes: [V.2.1, I.8.contact]
parameters: {}
versions:
  - version: 1
    date: 2025-04-01
    source:
      issuer: 豊島区
      document: 豊島区 特定個人情報保護評価書
      edition: 初版
    text: |
      豊島区区民部総合窓口課（電話 03-3981-1111）
"""

CONTACT_V2 = """\
  - version: 2
    date: 2026-06-01
    source:
      issuer: 豊島区
      document: 豊島区 特定個人情報保護評価書
      edition: 第2版
    text: |
      豊島区区民部総合窓口課（電話 03-3981-1111、内線 2000）
    notes:
      reason: 問合せ先に内線番号を加えた。
      risk_change: なし
      risk_situation: 問合せ先の表記の追加であり、取扱いに変更はない。
"""

# form -> (the 問合せ 連絡先 item, an item with ※ (None: the form has none), an item without ※)
CASES = {
    "基礎項目": ("I.8.contact", None, "I.1.2"),
    "重点項目": ("V.2.1", "I.1.2", "II.6.3"),
    "全項目": ("V.2.1", "I.1.2", "I.7.1"),
}

# answers that make the しきい値判断 consistent for a lone 基礎項目評価書 (1,000人以上1万人未満 → 基礎)
ANSWERS = {
    "II.1.1": "1,000人以上1万人未満",
    "I.1.3": "1,000人以上1万人未満",
    "II.2.1": "500人未満",
    "II.3.1": "発生なし",
    "III.1": RESULT_LABELS["基礎項目"],
    "VI.1.2": RESULT_LABELS["基礎項目"],
}


def own_library(ws: Path) -> None:
    """Make the workspace hold the stock clauses itself (so a test can add versions)."""
    for d in (ROOT / "clauses").iterdir():
        if d.is_dir():
            shutil.copytree(d, ws / "clauses" / d.name)
    shutil.copy(ROOT / "clauses" / LOCK_NAME, ws / "clauses" / LOCK_NAME)
    cfg = ws / "hyoka.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("stock_clauses: true", "stock_clauses: false"), encoding="utf-8")
    write(ws / "clauses" / "toshima" / "contact.yaml", CONTACT)


def fill(path: Path, contact_key: str) -> None:
    """Answer every placeholder of a drafted assessment as a department would."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^(\s*)([\w.]+): 【要選択】\s+#.*＜選択肢＞ (.+)$", line)
        if m:
            indent, key, options = m.groups()
            opts = options.split("／")
            choice = ANSWERS[key] if ANSWERS.get(key) in opts else opts[0]  # keys differ between forms
            line = f"{indent}{key}: {json.dumps(choice, ensure_ascii=False)}"
        elif re.match(rf"^\s*{re.escape(contact_key)}: ", line):
            indent = line[: len(line) - len(line.lstrip())]
            line = f"{indent}{contact_key}:\n{indent}  - clause: toshima/contact@1"
        line = re.sub(r"【要記入：([^】]*)】", lambda m: f"{m.group(1)}の内容", line)
        out.append(line)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def set_item(path: Path, key: str, value: str) -> None:
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(rf"^(\s*){re.escape(key)}: .*$", lambda m: f"{m.group(1)}{key}: {json.dumps(value, ensure_ascii=False)}", text,
                     count=1, flags=re.M)
    assert n == 1, key
    path.write_text(new, encoding="utf-8")


@pytest.mark.parametrize("form", list(CASES))
def test_each_form_new_fill_check_publish_change_diff_propagate_report(ws: Path, run, form: str) -> None:
    contact, important, ordinary = CASES[form]
    own_library(ws)
    assert run("-C", str(ws), "clauses", "lock").exit_code == 0
    files = ("--file", "juki=住民基本台帳ファイル")
    new = run("-C", str(ws), "new", "juki", "--form", form, "--profile", "gov-cloud", "--jimu", JIMU, *files)
    assert new.exit_code == 0, new.stderr
    path = ws / "assessments" / "juki.yaml"
    drafted = path.read_text(encoding="utf-8")
    assert f"form: {form}\n" in drafted
    if form == "基礎項目":
        assert "clause:" not in drafted  # the 基礎項目評価書 has no home for measures
        assert 'I.2: "住民基本台帳ファイル"' in drafted  # its one list of the files
    else:  # the profile's homes in this form
        assert re.search(r"III\.7\.r1\.6\.detail:.*\n\s+- clause: gov-cloud/technical@\d", drafted)
        assert re.search(r"II\.6\.1:.*\n\s+- clause: gov-cloud/storage@\d", drafted)

    # drafted: every placeholder open, and publish refuses
    opened = json.loads(run("-C", str(ws), "check", "juki", "--format", "json").output)
    assert sum(d["code"] == "placeholder" for d in opened) > 10
    assert run("-C", str(ws), "publish", "juki", "--date", "2026-04-01").exit_code == 1

    fill(path, contact)
    checked = run("-C", str(ws), "check", "juki", "--format", "json")
    findings = json.loads(checked.output)
    assert checked.exit_code == 0, [d for d in findings if d["severity"] == "error"]
    assert not [d for d in findings if d["code"] == "placeholder"]
    # the 対象人数 (1,000人以上1万人未満) requires a 基礎項目評価書 of the 事務: only a lone 重点/全項目 lacks one
    threshold = [d["message"] for d in findings if d["code"] == "threshold"]
    assert threshold == ([] if form == "基礎項目" else [
        f"the しきい値判断 requires a 基礎項目評価書 for 事務 '{JIMU}' (対象人数 1,000人以上1万人未満 → 基礎項目評価), "
        "and no assessment of that 事務 is one"])
    assert run("-C", str(ws), "publish", "juki", "--date", "2026-04-01").exit_code == 0

    # a change to an item with ※ (重要な変更, 事前) and to one without (修正, 事後)
    if important:
        set_item(path, important, "住民票の写しの交付に加え、コンビニ交付を行う。")
    set_item(path, ordinary, "変更後の記載")
    rows = json.loads(run("-C", str(ws), "diff", "juki", "--format", "json").output)
    (plain,) = [r for r in rows if r["after"] == "変更後の記載"]
    assert plain["submission"] == "事後" and not plain["important"]
    assert len(rows) == (2 if important else 1)
    if important:
        (serious,) = [r for r in rows if "コンビニ交付" in r["after"]]
        assert serious["submission"] == "事前" and serious["important"]

    official = run("-C", str(ws), "diff", "juki", "--table", "official", "--format", "csv", "--date", "2026-05-01").output
    assert "変更後の記載" in official and ("事前" in official) == bool(important) and "事後" in official

    # a new version of a local clause used in the form: outdated, propagate, its reason in the diff
    clause_file = ws / "clauses" / "toshima" / "contact.yaml"
    clause_file.write_text(clause_file.read_text(encoding="utf-8") + CONTACT_V2, encoding="utf-8")
    assert run("-C", str(ws), "clauses", "lock").exit_code == 0
    assert run("-C", str(ws), "outdated").exit_code == 2
    prop = run("-C", str(ws), "propagate", "toshima/contact")
    assert prop.exit_code == 0 and "updated 1 use" in prop.stderr, prop.stderr
    rows = json.loads(run("-C", str(ws), "diff", "juki", "--format", "json").output)
    (moved,) = [r for r in rows if "内線 2000" in r["after"]]
    assert moved["reason"] == "問合せ先に内線番号を加えた。" and moved["before"].strip() == "豊島区区民部総合窓口課（電話 03-3981-1111）"
    assert run("-C", str(ws), "lint", "juki").exit_code == 0

    # the yearly report: the 事務, its form, 公表日, 再評価 due in 5 years, and the 重要な変更 pending
    report = json.loads(run("-C", str(ws), "report", "--year", "2026", "--format", "json").output)
    (jimu,) = report["jimu"]
    assert jimu["jimu"] == JIMU
    (entry,) = jimu["forms"]
    assert entry == {"assessment": "juki", "form": form, "published": "2026-04-01", "reassessment_due": "2031-04-01",
                     "important_pending": 1 if important else 0}
    md = run("-C", str(ws), "report", "--year", "2026").output
    assert "５．事務ごとの評価書" in md
    assert ("重要な変更 1件：変更前に再評価・提出（事前）" in md) == bool(important)


# --------------------------------------------------------------------------- しきい値判断


@pytest.mark.parametrize(
    ("people", "staff", "incident", "required", "basis"),
    [
        (0, None, None, (), "verified"),
        (999, None, None, (), "verified"),
        (1_000, None, None, ("基礎項目",), "recalled"),
        (9_999, 10_000, True, ("基礎項目",), "recalled"),
        (10_000, 499, False, ("基礎項目",), "recalled"),
        (10_000, 500, False, ("基礎項目", "重点項目"), "recalled"),
        (10_000, 0, True, ("基礎項目", "重点項目"), "recalled"),
        (99_999, 499, False, ("基礎項目",), "recalled"),
        (99_999, 500, False, ("基礎項目", "重点項目"), "recalled"),
        (100_000, 499, False, ("基礎項目", "重点項目"), "recalled"),
        (100_000, 500, False, ("基礎項目", "全項目"), "verified"),
        (100_000, 10, True, ("基礎項目", "全項目"), "verified"),
        (299_999, 499, False, ("基礎項目", "重点項目"), "recalled"),
        (299_999, 500, False, ("基礎項目", "全項目"), "verified"),
        (300_000, None, None, ("基礎項目", "全項目"), "verified"),
        (300_000, 0, False, ("基礎項目", "全項目"), "verified"),
        (5_000_000, None, None, ("基礎項目", "全項目"), "verified"),
    ],
)
def test_threshold_at_every_boundary(people: int, staff: int | None, incident: bool | None,
                                     required: tuple[str, ...], basis: str) -> None:
    result = judge(from_options(people, staff, incident))
    assert result.complete
    assert result.required == required
    assert result.rule is not None and result.rule.basis == basis
    assert (result.rule.source != "") == (basis == "verified")


@pytest.mark.parametrize(("people", "known"), [(10_000, ("基礎項目",)), (100_000, ("基礎項目", "重点項目"))])
def test_threshold_undetermined_says_what_is_missing_and_the_minimum(people: int, known: tuple[str, ...]) -> None:
    result = judge(from_options(people, None, False))
    assert not result.complete and result.missing == ("取扱者数",) and result.required == known
    assert result.result_label is None
    assert judge(from_options(people, 499, None)).missing == ("重大事故",)
    # either aggravating fact alone decides
    assert judge(from_options(people, None, True)).complete
    assert judge(from_options(people, 500, None)).complete


def test_threshold_rule_table_covers_every_band_once_per_condition() -> None:
    for band in range(len(BANDS)):
        conds = [r.aggravated for r in RULES if r.band == band]
        assert conds in ([None], [True, False])
    assert [band_of(n) for n in (0, 999, 1000, 9999, 10_000, 99_999, 100_000, 299_999, 300_000)] == [0, 0, 1, 1, 2, 2, 3, 3, 4]
    assert judge(ThresholdInputs()).missing == ("対象人数",)


def test_threshold_cli_from_options_and_errors(ws: Path, run) -> None:
    out = run("-C", str(ws), "threshold", "--people", "150000", "--staff", "600", "--incident", "no")
    assert out.exit_code == 0
    assert "required: 基礎項目評価＋全項目評価" in out.output
    assert "しきい値判断結果: 基礎項目評価及び全項目評価の実施が義務付けられる" in out.output
    assert "rule: 対象人数 10万人以上30万人未満、取扱者数500人以上または重大事故あり" in out.output and "[verified:" in out.output
    data = json.loads(run("-C", str(ws), "threshold", "--people", "150000", "--staff", "10", "--incident", "no", "--format", "json").output)
    assert data["required"] == ["基礎項目", "重点項目"] and data["rule"]["basis"] == "recalled"
    bad = run("-C", str(ws), "threshold", "--people", "150000", "--incident", "maybe")
    assert bad.exit_code == 1 and "--incident takes yes or no" in bad.stderr and "Traceback" not in bad.output
    assert run("-C", str(ws), "threshold").exit_code == 2


KISO = """
form: 基礎項目
meta:
  title: 住民基本台帳に関する事務 基礎項目評価書
  jimu: {jimu}
items:
  I.1.1: 住民基本台帳に関する事務
  II.1.1: {people}
  II.2.1: 500人未満
  II.3.1: 発生なし
  III.1: {result}
"""

ZEN = """
form: 全項目
meta:
  title: 住民基本台帳に関する事務 全項目評価書
  jimu: {jimu}
items:
  I.1.1: 住民基本台帳に関する事務
"""


def _threshold_warnings(ws: Path, run, *names: str) -> list[dict]:
    out = json.loads(run("-C", str(ws), "check", *names, "--format", "json").output)
    return [d for d in out if d["code"] == "threshold"]


def test_check_warns_when_the_answers_require_a_form_the_jimu_lacks(ws: Path, run) -> None:
    write(ws / "assessments" / "kiso.yaml", KISO.format(jimu=JIMU, people="30万人以上", result=RESULT_LABELS["全項目"]))
    (w,) = _threshold_warnings(ws, run)
    assert w["severity"] == "warning" and w["file"].endswith("kiso.yaml") and w["line"] == 7
    assert "requires a 全項目評価書" in w["message"] and JIMU in w["message"] and "--form 全項目" in w["hint"]
    # a 全項目評価書 of another 事務 does not count
    write(ws / "assessments" / "zen.yaml", ZEN.format(jimu="個人住民税に関する事務"))
    assert len(_threshold_warnings(ws, run)) == 1
    # the same 事務 (spaces and width ignored) does
    write(ws / "assessments" / "zen.yaml", ZEN.format(jimu="住民基本台帳に関する　事務"))
    assert _threshold_warnings(ws, run) == []
    # one warning per 事務, even when two of its assessments answer 対象人数
    write(ws / "assessments" / "zen.yaml", ZEN.format(jimu="個人住民税に関する事務"))
    write(ws / "assessments" / "juten.yaml", ZEN.replace("form: 全項目", "form: 重点項目").format(jimu=JIMU) + "  I.1.3: 30万人以上\n")
    (w,) = _threshold_warnings(ws, run)
    assert w["file"].endswith("kiso.yaml")
    # answers that differ between the assessments of one 事務
    write(ws / "assessments" / "juten.yaml", ZEN.replace("form: 全項目", "form: 重点項目").format(jimu=JIMU) + "  I.1.3: 30万人以上\n"
          .replace("30万人以上", "1万人以上10万人未満"))
    warned = _threshold_warnings(ws, run)
    assert any(w["file"].endswith("juten.yaml") and "differs from another assessment" in w["message"] for w in warned)
    (ws / "assessments" / "juten.yaml").unlink()
    write(ws / "assessments" / "zen.yaml", ZEN.format(jimu=JIMU))
    # the answers of the 基礎項目評価書 apply to the 事務: without it, a lone 全項目評価書 says nothing
    (ws / "assessments" / "kiso.yaml").unlink()
    assert _threshold_warnings(ws, run) == []


def test_a_zenkomoku_satisfies_a_required_juten(ws: Path, run) -> None:
    write(ws / "assessments" / "kiso.yaml", KISO.format(jimu=JIMU, people="10万人以上30万人未満", result=RESULT_LABELS["重点項目"]))
    (w,) = _threshold_warnings(ws, run)
    assert "requires a 重点項目評価書" in w["message"]
    write(ws / "assessments" / "zen.yaml", ZEN.format(jimu=JIMU))  # 任意に全項目評価を実施
    assert _threshold_warnings(ws, run) == []


def test_check_warns_on_a_stated_result_the_answers_contradict(ws: Path, run) -> None:
    write(ws / "assessments" / "kiso.yaml", KISO.format(jimu=JIMU, people="1,000人以上1万人未満", result=RESULT_LABELS["全項目"]))
    (w,) = _threshold_warnings(ws, run, "kiso")
    assert "しきい値判断結果 says" in w["message"] and RESULT_LABELS["基礎項目"] in w["message"] and w["line"] == 10
    write(ws / "assessments" / "kiso.yaml", KISO.format(jimu=JIMU, people="1,000人以上1万人未満", result=RESULT_LABELS["基礎項目"]))
    assert _threshold_warnings(ws, run, "kiso") == []


def test_threshold_from_an_assessments_own_items(ws: Path, run) -> None:
    write(ws / "assessments" / "kiso.yaml", KISO.format(jimu=JIMU, people="10万人以上30万人未満", result=RESULT_LABELS["重点項目"]))
    out = run("-C", str(ws), "threshold", "kiso")
    assert out.exit_code == 0 and "required: 基礎項目評価＋重点項目評価" in out.output
    assert "取扱者数 500人未満、重大事故 なし" in out.output
    # an option overrides the assessment's answer
    out = run("-C", str(ws), "threshold", "kiso", "--incident", "yes")
    assert "required: 基礎項目評価＋全項目評価" in out.output
    assert api.judge_threshold(composer_ws(ws), "kiso").required == ("基礎項目", "重点項目")
    assert api.judge_threshold(composer_ws(ws), None, 300_000).result_label == RESULT_LABELS["全項目"]


def composer_ws(root: Path):  # type: ignore[no-untyped-def]
    from composer import load_workspace

    return load_workspace(root)


# --------------------------------------------------------------------------- the schemas


def test_bundled_forms_and_their_aliases() -> None:
    forms = available_forms()
    assert {forms[n][0].name for n in ("基礎", "基礎項目", "重点", "重点項目", "全項目")} == {"基礎項目", "重点項目", "全項目"}
    kiso = forms["基礎項目"][0]
    assert kiso.stamp == "[平成29年5月 様式2]" and kiso.contents[-1] == "（別添）変更箇所"
    assert not [s for s in kiso.sections if s.per_file]
    juten = forms["重点項目"][0]
    assert [s.key for s in juten.sections if s.per_file] == ["II", "III"]
    # every form marks its しきい値判断 inputs
    for name, wanted in (("基礎項目", {"people", "staff", "incident", "result"}), ("重点項目", {"people", "result"}),
                         ("全項目", {"people", "result"})):
        assert {n.threshold for n in iter_nodes(forms[name][0].sections) if n.threshold} == wanted


def test_schema_conventions_hold_in_every_form() -> None:
    for form, _ in available_forms().values():
        for n in iter_nodes(form.sections):
            assert "※" not in n.label, (form.name, n.key)  # ※ is important: true, never in the label
            assert re.fullmatch(r"[A-Za-z0-9_.{}]+", n.key), (form.name, n.key)
            assert n.type != "choice" or n.choices, (form.name, n.key)
        assert form.contents and form.contents[-1].endswith("変更箇所")


def test_every_node_is_marked_verified_with_a_source_or_recalled() -> None:
    for form, _ in available_forms().values():
        for n in iter_nodes(form.sections):
            assert n.basis in ("verified", "recalled"), (form.name, n.key)
            assert (n.basis == "verified") == bool(n.source), (form.name, n.key)
    zen = get_form("全項目")[0]
    assert all(not n.recalled for n in iter_nodes(zen.sections) if n.key.split(".")[0] == "I")
    assert get_form("基礎項目")[0].basis == "recalled" and len(unverified(get_form("基礎項目")[0])) == len(list(iter_nodes(get_form("基礎項目")[0].sections)))


def test_forms_unverified_lists_and_a_workspace_copy_corrects(ws: Path, run) -> None:
    out = run("-C", str(ws), "forms", "unverified", "基礎", "--format", "json")
    nodes = json.loads(out.output)
    assert nodes and {n["form"] for n in nodes} == {"基礎項目"}
    assert any(n["key"] == "II.1.1" and n["label"] == "評価対象の事務の対象人数は何人か" for n in nodes)
    # the municipality checks Ⅱ against the 様式 and marks it in its own copy
    text = (ROOT / "templates" / "forms" / "kiso.yaml").read_text(encoding="utf-8")
    text = text.replace("    label: Ⅱしきい値判断項目\n", "    label: Ⅱしきい値判断項目\n    basis: verified\n    source: 基礎項目評価書 記載要領（令和6年版）\n")
    write(ws / "forms" / "kiso.yaml", text)
    after = json.loads(run("-C", str(ws), "forms", "unverified", "基礎項目", "--format", "json").output)
    assert len(after) == len(nodes) - 9 and not [n for n in after if n["key"] == "II" or n["key"].startswith("II.")]
    # check lists only on request, and only for the forms in use
    write(ws / "assessments" / "kiso.yaml", KISO.format(jimu=JIMU, people="1,000人以上1万人未満", result=RESULT_LABELS["基礎項目"]))
    plain = run("-C", str(ws), "check")
    assert "recalled" not in plain.output
    listed = run("-C", str(ws), "check", "--unverified")
    assert "基礎項目 I.1.1　①事務の名称 [recalled]" in listed.output and "全項目" not in listed.output
    assert f"基礎項目: {len(after)} items rest on recollection" in listed.stderr


def test_a_verified_node_without_source_is_an_error(ws: Path, run) -> None:
    text = (ROOT / "templates" / "forms" / "kiso.yaml").read_text(encoding="utf-8")
    write(ws / "forms" / "kiso.yaml", text.replace("    label: Ⅲしきい値判断結果\n", "    label: Ⅲしきい値判断結果\n    basis: verified\n"))
    out = run("-C", str(ws), "forms", "unverified")
    assert out.exit_code == 1 and "kiso.yaml" in out.stderr and "a verified node names its source" in out.stderr


def test_new_with_an_unknown_form_says_which_exist(ws: Path, run) -> None:
    out = run("-C", str(ws), "new", "x", "--form", "基礎項")
    assert out.exit_code == 1 and "unknown form '基礎項'" in out.stderr and "Traceback" not in out.output
    assert not (ws / "assessments" / "x.yaml").exists()


def test_profile_without_homes_for_a_form_is_refused(ws: Path, run) -> None:
    write(ws / "profiles" / "paper.yaml", """
        profile: paper
        form: 全項目
        items:
          II.6.1: [gov-cloud/storage]
    """)
    out = run("-C", str(ws), "new", "x", "--form", "重点項目", "--profile", "paper")
    assert out.exit_code == 1 and "profile 'paper' says nothing about form 重点項目" in out.stderr
    assert not (ws / "assessments" / "x.yaml").exists()
    write(ws / "profiles" / "paper.yaml", """
        profile: paper
        form: 全項目
        items: {}
        homes:
          重点項目:
            II.6.2: [gov-cloud/storage]
          簡易: {}
    """)
    out = run("-C", str(ws), "new", "x", "--form", "全項目", "--profile", "paper")
    assert out.exit_code == 1 and "paper.yaml:7: homes.簡易: unknown form '簡易'" in out.stderr, out.stderr


@pytest.mark.libreoffice
def test_word_layout_of_each_form_opens_in_libreoffice(ws: Path, run, tmp_path: Path) -> None:
    for name, form in (("kiso", "基礎項目"), ("juten", "重点項目")):
        assert run("-C", str(ws), "new", name, "--form", form, "--profile", "gov-cloud", "--jimu", JIMU,
                   "--file", "juki=住民基本台帳ファイル").exit_code == 0
    out = tmp_path / "out"
    assert run("-C", str(ws), "build", "-o", str(out)).exit_code == 0
    kiso_pdf, juten_pdf = libreoffice_pdf([out / "kiso.docx", out / "juten.docx"], tmp_path / "pdf")
    kiso = pdf_text(kiso_pdf)
    assert "特定個人情報保護評価書（基礎項目評価書）" in kiso
    for label in ("Ⅱ しきい値判断項目", "Ⅲ しきい値判断結果", "Ⅳ リスク対策", "（別添）変更箇所", "特定個人情報ファイル取扱者数は"):
        assert label in kiso, label
    juten = pdf_text(juten_pdf)
    assert "特定個人情報保護評価書（重点項目評価書）" in juten
    for label in ("Ⅱ 特定個人情報ファイルの概要", "住民基本台帳ファイル", "＜ガバメントクラウドにおける措置＞", "Ⅵ 評価実施手続"):
        assert label in juten, label
    import subprocess

    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "3", "-l", "3", str(kiso_pdf), str(tmp_path / "page")], check=True)
    (png,) = list(tmp_path.glob("page*.png"))
    assert png.stat().st_size > 2000  # a rendered page, not a blank one
