"""A corpus of bad inputs, every command: each is refused with one located line, never a traceback.

Every case starts from a small clean workspace (one assessment ``juki`` with a published
snapshot and a locked local clause), breaks one thing, runs one command and asserts:
exit status != 0, no traceback, no ``internal error``, and a message that names the file
and the line (or the key / option) and says what is wrong.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

import composer
from composer.cli import main

from .conftest import SIMPLE_ASSESSMENT, write

LOCAL_CLAUSE = """\
id: local/measure
title: 当区の措置
heading: ＜豊島区における措置＞
kind: adaptable
parameters:
  file_name: {description: ファイル名}
versions:
  - version: 1
    date: 2024-04-01
    source: {issuer: 豊島区, document: 内規}
    text: |
      {{ file_name }}を施錠できる書庫に保管する。
    notes:
      reason: 当区の措置を追加した。
      risk_change: なし
"""

JUKI = SIMPLE_ASSESSMENT.lstrip("\n")


@pytest.fixture(scope="session")
def base_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus") / "ws"
    composer.init_workspace(root, "豊島区")
    write(root / "clauses" / "local" / "measure.yaml", LOCAL_CLAUSE)
    write(root / "assessments" / "juki.yaml", JUKI)
    runner = CliRunner()
    for args in (["clauses", "lock"], ["publish", "juki", "--date", "2024-04-01"]):
        result = runner.invoke(main, ["-C", str(root), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    for args in (["check"], ["build", "--format", "md"], ["diff", "juki"], ["outdated"]):
        result = runner.invoke(main, ["-C", str(root), *args], catch_exceptions=False)
        assert result.exit_code == 0, (args, result.output)
    shutil.rmtree(root / "build")
    # a 評価書 as Word, for the import cases
    result = runner.invoke(main, ["-C", str(root), "build", "juki", "-o", str(root / "inbox")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    shutil.rmtree(root / "inbox" / ".hyoka-build")
    return root


@dataclass
class Case:
    id: str
    args: tuple[str, ...]
    expect: str  # a fragment of the message
    where: str = ""  # regex of the location: r"assessments/juki\.yaml:\d+" ; "" when expect names it
    files: dict[str, str | Callable[[str], str]] = field(default_factory=dict)
    marks: tuple = ()


def edit(old: str, new: str) -> Callable[[str], str]:
    def _edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return _edit


JUKI_PATH = "assessments/juki.yaml"
CLAUSE_PATH = "clauses/local/measure.yaml"
CONFIG_PATH = "hyoka.yaml"

# --------------------------------------------------------------------------- bad assessments

# (id, edit of juki.yaml, message fragment, line-marker: the text on the line the message must name)
BAD_ASSESSMENT: list[tuple[str, Callable[[str], str], str, str]] = [
    ("unknown-top-key", edit("form: 全項目", "form: 全項目\nfrom: x"), "unknown key 'from' in assessment (did you mean 'form'?)", "from: x"),
    ("meta-key-typo", edit("  office:", "  ofice:"), "did you mean 'office'?", "ofice:"),
    ("meta-title-list", edit("  title: 住民基本台帳に関する事務 全項目評価書", "  title: [住民, 台帳]"), "'title' must be text", "title: ["),
    ("meta-title-map", edit("  title: 住民基本台帳に関する事務 全項目評価書", "  title: {a: 1}"), "'title' must be text", "title: {"),
    ("file-key-typo", edit("    name: 住民基本台帳ファイル", "    nmae: 住民基本台帳ファイル"), "did you mean 'name'?", "nmae:"),
    ("block-key-typo", edit("          heading:", "          haeding:"), "did you mean 'heading'?", "haeding:"),
    ("block-heading-list", edit("          heading: ＜豊島区における措置＞", "          heading: [a, b]"), "'heading' must be text", "heading: [a"),
    ("item-key-leading-zero", edit("      III.7.r1.5:", "      II.4.entrust01.1: 委託内容\n      III.7.r1.5:"), "did you mean 'II.4.entrust1.1'?", "entrust01"),
    ("item-key-fullwidth-digit", edit("      III.7.r1.5:", "      II.4.entrust１.1: 委託内容\n      III.7.r1.5:"), "did you mean 'II.4.entrust1.1'?", "entrust１"),
    ("item-key-zero-instance", edit("      III.7.r1.5:", "      II.4.entrust0.1: 委託内容\n      III.7.r1.5:"), "unknown item key 'II.4.entrust0.1'", "entrust0"),
    ("item-key-fullwidth-plain", edit("  I.1.1:", "  I.1.１:"), "did you mean 'I.1.1'?", "I.1.１"),
    ("item-key-typo", edit("  I.1.1:", "  I.1.11:"), "unknown item key 'I.1.11'", "I.1.11"),
    ("item-key-number", edit("  I.1.1: 住民基本台帳に関する事務", "  1.1: 住民基本台帳に関する事務"), "unknown item key '1.1'", "1.1: 住民"),
    ("control-char-bell", edit("  I.1.1: 住民基本台帳に関する事務", '  I.1.1: "住民\\x07台帳"'), "control character U+0007", "I.1.1:"),
    ("control-char-nul", edit("  I.1.1: 住民基本台帳に関する事務", '  I.1.1: "\\0"'), "control character U+0000", "I.1.1:"),
    ("control-char-esc", edit("  office: 豊島区長", '  office: "豊島区長\\e"'), "control character U+001B", "office:"),
    ("control-char-fffe", edit("  office: 豊島区長", '  office: "豊島区長\\uFFFE"'), "U+FFFE", "office:"),
    ("lone-surrogate", edit("  I.1.1: 住民基本台帳に関する事務", '  I.1.1: "住民\\ud800台帳"'), "invalid Unicode character escape", "I.1.1:"),
    ("control-char-in-key", edit("  I.1.1: 住民基本台帳に関する事務", '  "I.1.1\\x01": 住民基本台帳に関する事務'), "U+0001", "I.1.1"),
    ("control-char-in-block", edit("            事務室内の施錠可能な書庫に保管する。", "            事務室内の施錠可能な\x0b書庫に保管する。"), "U+000B", "事務室内"),
    ("impossible-date", edit("  office: 豊島区長", "  office: 豊島区長\n  reassessed: 2021-02-30"), "2021-02-30", "reassessed:"),
    ("impossible-month", edit("  office: 豊島区長", "  office: 豊島区長\n  published: 2021-13-01"), "2021-13-01", "published:"),
    ("meta-date-not-date", edit("  office: 豊島区長", "  office: 豊島区長\n  reassessed: 令和3年"), "'令和3年' is not a date", "reassessed:"),
    ("octal-text", edit("  I.1.1: 住民基本台帳に関する事務", "  I.1.1: 010"), "'010' would be read as the number 8", "I.1.1: 010"),
    ("sexagesimal-text", edit("  I.1.1: 住民基本台帳に関する事務", "  I.1.1: 12:30"), "would be read as the number 750", "I.1.1: 12:30"),
    ("meta-number-leading-zero", edit('  number: "1"', "  number: 001"), "quote it to keep it as written", "number: 001"),
    ("meta-number-bool", edit('  number: "1"', "  number: yes"), "'number' must be text", "number: yes"),
    ("bad-choice", edit("      III.7.r1.5: 十分に行っている", "      III.7.r1.5: 十分である"), "'十分である' is not a choice", "III.7.r1.5:"),
    ("choice-list", edit("      III.7.r1.5: 十分に行っている", "      III.7.r1.5: [十分に行っている]"), "choice item 'III.7.r1.5' takes one of", "III.7.r1.5:"),
    ("pin-no-version", edit("gov-cloud/storage@1", "gov-cloud/storage"), "gov-cloud/storage", "clause: gov-cloud/storage"),
    ("pin-bad-version", edit("gov-cloud/storage@1", "gov-cloud/storage@x"), "gov-cloud/storage@x", "storage@x"),
    ("pin-zero", edit("gov-cloud/storage@1", "gov-cloud/storage@0"), "gov-cloud/storage", "storage@0"),
    ("pin-fullwidth", edit("gov-cloud/storage@1", "gov-cloud/storage@１"), "gov-cloud/storage", "storage@"),
    ("pin-unknown-version", edit("mid-server/audit@2", "mid-server/audit@9"), "has no version 9", "audit@9"),
    ("pin-unknown-clause", edit("mid-server/audit@2", "mid-server/audti@2"), "mid-server/audti", "audti@2"),
    ("with-unknown-param", edit("        - clause: gov-cloud/storage@1", "        - clause: gov-cloud/storage@1\n          with: {file_nam: x}"), "did you mean 'file_name'?", "clause: gov-cloud/storage@1"),
    ("with-list", edit("        - clause: gov-cloud/storage@1", "        - clause: gov-cloud/storage@1\n          with: [x]"), "'with' must be a mapping", "with:"),
    ("variant-list", edit("        - clause: gov-cloud/storage@1", "        - clause: gov-cloud/storage@1\n          variant: [a]"), "'variant' must be text", "variant:"),
    ("items-list", edit("\nitems:\n  I.1.1: 住民基本台帳に関する事務\n  IV.1.2.detail:\n    - clause: mid-server/audit@2\n", "\nitems:\n  - I.1.1\n"), "'items' must be a mapping", "re:^items:"),
    ("files-map", edit("files:\n  - id: juki", "files:\n  juki:\n    id: juki"), "'files' must be a list", "files:"),
    ("file-id-slash", edit("  - id: juki", "  - id: ju/ki"), "file id 'ju/ki'", "id: ju/ki"),
    ("duplicate-key", edit("  I.1.1: 住民基本台帳に関する事務", "  I.1.1: 住民基本台帳に関する事務\n  I.1.1: 二度目"), "duplicate key 'I.1.1'", "二度目"),
    ("tab-indent", edit("  I.1.1: 住民基本台帳に関する事務", "\tI.1.1: x"), "invalid YAML", "\tI.1.1"),
    ("unknown-form", edit("form: 全項目", "form: 全項木"), "全項木", "form:"),
    ("form-list", edit("form: 全項目", "form: [全項目]"), "'form' must be text", "form:"),
    ("text-block-with", edit("          heading: ＜豊島区における措置＞", "          heading: ＜豊島区における措置＞\n          with: {a: b}"), "'with:' and 'variant:' belong to clause blocks", "- text: |"),
    ("block-both", edit("        - clause: gov-cloud/storage@1", "        - clause: gov-cloud/storage@1\n          text: x"), "exactly one of 'clause:' or 'text:'", "- clause: gov-cloud/storage@1"),
    ("change-key-typo", edit("\nitems:\n", "\nchanges:\n  - item: I.1.1\n    reasn: x\nitems:\n"), "did you mean 'reason'?", "reasn:"),
    ("change-risk-bad", edit("\nitems:\n", "\nchanges:\n  - item: I.1.1\n    risk_change: 有り\nitems:\n"), "risk_change must be あり or なし", "risk_change: 有り"),
    ("change-item-unknown", edit("\nitems:\n", "\nchanges:\n  - item: I.1.9\n    reason: x\nitems:\n"), "unknown item key 'I.1.9'", "item: I.1.9"),
    ("change-item-leading-zero", edit("\nitems:\n", "\nchanges:\n  - item: II.4.entrust01.1\n    file: juki\n    reason: x\nitems:\n"), "did you mean 'II.4.entrust1.1'?", "item: II.4"),
    ("change-file-unknown", edit("\nitems:\n", "\nchanges:\n  - item: III.7.r1.5\n    file: juky\n    reason: x\nitems:\n"), "did you mean 'juki'?", "file: juky"),
    ("alias-bomb", lambda t: t.replace("meta:\n", _ALIAS_BOMB + "meta:\n", 1).replace("  title: 住民基本台帳に関する事務 全項目評価書", "  title: *j"), "aliases", "x-g: &g"),
    ("alias-recursive", edit("  I.1.1: 住民基本台帳に関する事務", "  I.1.1: &r [*r]"), "refers to itself", "I.1.1:"),
    ("template-truncate", edit("  I.1.1: 住民基本台帳に関する事務", "  I.1.1: \"{{ 'abc' | truncate(-1) }}\""), "I.1.1", "I.1.1:"),
    ("template-syntax", edit("  I.1.1: 住民基本台帳に関する事務", "  I.1.1: \"{{ x \""), "I.1.1", "I.1.1:"),
    ("template-undefined", edit("  I.1.1: 住民基本台帳に関する事務", "  I.1.1: \"{{ jimu_nam }}\""), "'jimu_nam' is undefined", "I.1.1:"),
    ("template-format-bad", edit("  I.1.1: 住民基本台帳に関する事務", "  I.1.1: \"{{ '%d' | format('x') }}\""), "I.1.1", "I.1.1:"),
]

# The commands that read juki.yaml, with the arguments they need.
ASSESSMENT_COMMANDS: list[tuple[str, ...]] = [
    ("check",),
    ("build", "--format", "md"),
    ("diff", "juki"),
    ("lint",),
    ("publish", "juki", "--date", "2025-04-01"),
    ("outdated",),
    ("report", "--year", "2024"),
    ("propagate", "gov-cloud/storage", "--dry-run"),
    ("clauses", "where-used", "gov-cloud/storage"),
]

_ALIAS_BOMB = (
    "x-a: &a [住民, 住民, 住民, 住民, 住民, 住民, 住民, 住民, 住民, 住民]\n"
    + "".join(
        f"x-{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, n in zip("abcdefghi", "bcdefghij")
    )
)

# Each bad assessment goes through check, build and diff; the most important ones through every command.
EVERY_COMMAND = {
    "unknown-top-key", "meta-title-list", "item-key-leading-zero", "item-key-fullwidth-digit", "control-char-bell",
    "control-char-nul", "lone-surrogate", "impossible-date", "alias-bomb", "alias-recursive",
}

CASES: list[Case] = []
for _id, _edit, _expect, _marker in BAD_ASSESSMENT:
    for _args in ASSESSMENT_COMMANDS if _id in EVERY_COMMAND else ASSESSMENT_COMMANDS[:3]:
        CASES.append(Case(f"{_id}-{_args[0]}{'-' + _args[1] if _args[0] == 'clauses' else ''}", _args, _expect,
                          "@marker:" + _marker, {JUKI_PATH: _edit}))

# --------------------------------------------------------------------------- bad hyoka.yaml

BAD_CONFIG: list[tuple[str, Callable[[str], str], str, str]] = [
    ("config-key-typo", edit("municipality:", "municipalty:"), "did you mean 'municipality'?", "municipalty:"),
    ("config-stock-text", edit("stock_clauses: true", "stock_clauses: yes please"), "'stock_clauses' must be true or false", "stock_clauses:"),
    ("config-lint-not-map", lambda t: t + "lint: strict\n", "'lint' must be a mapping", "lint:"),
    ("config-lint-key-typo", lambda t: t + "lint:\n  disabel: [bracket-balance]\n", "did you mean 'disable'?", "disabel:"),
    ("config-lint-unknown-rule", lambda t: t + "lint:\n  disable: [bracket-balanc]\n", "did you mean 'bracket-balance'?", "disable:"),
    ("config-lint-disable-map", lambda t: t + "lint:\n  disable: {bracket-balance: 1}\n", "'lint.disable' must be a list", "disable:"),
    ("config-lint-disable-number", lambda t: t + "lint:\n  disable: 5\n", "'lint.disable' must be a list", "disable:"),
    ("config-lint-severity-list", lambda t: t + "lint:\n  severity: [bracket-balance]\n", "'lint.severity' must be a mapping", "severity:"),
    ("config-lint-severity-bad", lambda t: t + "lint:\n  severity: {bracket-balance: loud}\n", "must be error or warning", "severity:"),
    ("config-lint-severity-number", lambda t: t + "lint:\n  severity: {bracket-balance: 3}\n", "must be error or warning", "severity:"),
    ("config-lint-terms-list", lambda t: t + "lint:\n  terms: [サーバー]\n", "'lint.terms' must be a mapping", "re:^  terms:"),
    ("config-lint-terms-nested", lambda t: t + "lint:\n  terms: {サーバー: {a: b}}\n", "lint.terms", "re:^  terms:"),
    ("config-lint-vendors-map", lambda t: t + "lint:\n  vendors: {a: b}\n", "'lint.vendors' must be a list", "vendors:"),
    ("config-term-list", lambda t: _terms(t, "  宛名: [a]"), "term '宛名' must be its wording", "宛名:"),
    ("config-term-key-typo", lambda t: _terms(t, "  宛名: {wordng: 宛名システム}"), "did you mean 'wording'?", "宛名:"),
    ("config-control-char", lambda t: re.sub("(?m)^municipality: .*$", lambda m: 'municipality: "豊島\\x07区"', t), "U+0007", "municipality:"),
    ("config-parameters-list", lambda t: t.replace("parameters: {}", "parameters: [a]") if "parameters: {}" in t else t + "parameters: [a]\n", "'parameters' must be a mapping", "parameters:"),
    ("config-alias-bomb", lambda t: _ALIAS_BOMB + re.sub("(?m)^municipality: .*$", "municipality: *j", t), "aliases", "x-g: &g"),
]
CONFIG_COMMANDS: list[tuple[str, ...]] = [("check",), ("lint",), ("build", "--format", "md"), ("outdated",), ("diff", "juki"), ("report", "--year", "2024")]
CONFIG_EVERY = {"config-key-typo", "config-control-char", "config-alias-bomb", "config-parameters-list"}
LINT_ONLY = {"config-lint-key-typo", "config-lint-disable-map", "config-lint-severity-list", "config-lint-unknown-rule", "config-lint-disable-number", "config-lint-severity-bad",
             "config-lint-severity-number", "config-lint-terms-list", "config-lint-terms-nested", "config-lint-vendors-map",
             "config-lint-not-map"}
for _id, _edit, _expect, _marker in BAD_CONFIG:
    _commands = CONFIG_COMMANDS if _id in CONFIG_EVERY else CONFIG_COMMANDS[:2] if _id in LINT_ONLY else CONFIG_COMMANDS[:3]
    for _args in _commands:
        CASES.append(Case(f"{_id}-{_args[0]}", _args, _expect, "@marker:" + _marker, {CONFIG_PATH: _edit}))

# --------------------------------------------------------------------------- bad clause files

BAD_CLAUSE: list[tuple[str, Callable[[str], str], str, str]] = [
    ("clause-key-typo", edit("title: 当区の措置", "titel: 当区の措置"), "did you mean 'title'?", "titel:"),
    ("clause-version-key-typo", edit("    text: |", "    txet: |"), "did you mean 'text'?", "txet:"),
    ("clause-notes-key-typo", edit("      reason:", "      reson:"), "did you mean 'reason'?", "reson:"),
    ("clause-source-key-typo", edit("{issuer: 豊島区, document: 内規}", "{isuer: 豊島区, document: 内規}"), "did you mean 'issuer'?", "source:"),
    ("clause-kind-bad", edit("kind: adaptable", "kind: adaptible"), "adaptible", "kind:"),
    ("clause-date-impossible", edit("date: 2024-04-01", "date: 2024-02-30"), "2024-02-30", "date:"),
    ("clause-control-char", edit("    text: |\n      {{ file_name }}を施錠できる書庫に保管する。", '    text: "{{ file_name }}を施錠できる書庫に\\x07保管する。"'), "U+0007", "text:"),
    ("clause-version-text", edit("  - version: 1", "  - version: one"), "'version' must be a whole number", "version: one"),
    ("clause-risk-bad", edit("      risk_change: なし", "      risk_change: 無し"), "risk_change must be あり or なし", "risk_change:"),
    ("clause-param-key-typo", edit("{description: ファイル名}", "{descripton: ファイル名}"), "did you mean 'description'?", "file_name:"),
]
for _id, _edit, _expect, _marker in BAD_CLAUSE:
    for _args in (("check",), ("build", "--format", "md"), ("clauses", "list")):
        CASES.append(Case(f"{_id}-{'-'.join(_args[:2]) if _args[0] == 'clauses' else _args[0]}", _args, _expect,
                          "@marker:" + _marker, {CLAUSE_PATH: _edit}))

# --------------------------------------------------------------------------- bad command lines

CASES += [
    Case("init-empty-municipality", ("init", "{tmp}/new", "-m", ""), "municipality"),
    Case("init-existing", ("init", "{ws}", "-m", "豊島区"), "hyoka.yaml"),
    Case("init-control-char", ("init", "{tmp}/new", "-m", "豊島\x07区"), "control character"),
    Case("new-existing", ("new", "juki"), "juki"),
    Case("new-bad-file-option", ("new", "kokuho", "--file", "kokuho"), "--file"),
    Case("new-bad-file-id", ("new", "kokuho", "--file", "ko ku=国民健康保険ファイル"), "ko ku"),
    Case("new-unknown-profile", ("new", "kokuho", "--profile", "gov-clod"), "did you mean 'gov-cloud'?"),
    Case("new-unknown-form", ("new", "kokuho", "--form", "全項木"), "全項木"),
    Case("new-bad-name", ("new", "../kokuho"), "../kokuho"),
    Case("new-dup-file", ("new", "kokuho", "--file", "a=x", "--file", "a=y"), "'a'"),
    Case("check-unknown-assessment", ("check", "juky"), "did you mean 'juki'?"),
    Case("build-unknown-assessment", ("build", "juky"), "did you mean 'juki'?"),
    Case("lint-unknown-assessment", ("lint", "juky"), "did you mean 'juki'?"),
    Case("outdated-unknown-assessment", ("outdated", "juky"), "did you mean 'juki'?"),
    Case("diff-unknown-assessment", ("diff", "juky"), "did you mean 'juki'?"),
    Case("diff-unknown-from", ("diff", "juki", "--from", "2023-01-01"), "2023-01-01"),
    Case("diff-unknown-to", ("diff", "juki", "--to", "2030-01-01"), "2030-01-01"),
    Case("diff-bad-date", ("diff", "juki", "--date", "2021-02-30"), "2021-02-30"),
    Case("diff-docx-no-output", ("diff", "juki", "--format", "docx"), "-o"),
    Case("diff-start-zero", ("diff", "juki", "--start", "0"), "--start"),
    Case("publish-impossible-date", ("publish", "juki", "--date", "2021-02-30"), "2021-02-30"),
    Case("publish-bad-date", ("publish", "juki", "--date", "yesterday"), "yesterday"),
    Case("publish-fullwidth-date", ("publish", "juki", "--date", "２０２５-04-01"), "２０２５-04-01"),
    Case("publish-unknown", ("publish", "juky"), "did you mean 'juki'?"),
    Case("report-bad-year", ("report", "--year", "二〇二五"), "--year"),
    Case("report-impossible-from", ("report", "--from", "2021-02-30"), "--from"),
    Case("report-docx-no-output", ("report", "--year", "2024", "--format", "docx"), "-o"),
    Case("history-unknown", ("history", "juky"), "juky"),
    Case("clauses-show-unknown", ("clauses", "show", "gov-cloud/storag"), "did you mean 'gov-cloud/storage'?"),
    Case("clauses-where-used-unknown", ("clauses", "where-used", "gov-cloud/storag"), "did you mean 'gov-cloud/storage'?"),
    Case("propagate-unknown", ("propagate", "gov-cloud/storag", "--dry-run"), "did you mean 'gov-cloud/storage'?"),
    Case("propagate-no-version", ("propagate", "gov-cloud/storage@9", "--dry-run"), "9"),
    Case("propagate-bad-pin", ("propagate", "gov-cloud/storage@x", "--dry-run"), "gov-cloud/storage@x"),
    Case("build-jobs-zero", ("build", "-j", "0"), "--jobs"),
    Case("build-reference-not-docx", ("build", "--reference-doc", "hyoka.yaml"), "hyoka.yaml"),
    Case("no-workspace", ("-C", "{tmp}/nowhere", "check"), "hyoka.yaml"),
    Case("import-missing-file", ("import", "{tmp}/none.docx", "--name", "kokuho"), "file not found"),
    Case("import-not-a-zip", ("import", "{ws}/inbox/fake.docx", "--name", "kokuho"), "not a Word document",
         files={"inbox/fake.docx": "hello"}),
    Case("import-not-an-assessment", ("import", "{ws}/inbox/juki.yaml.docx", "--name", "kokuho"), "not a Word document",
         files={"inbox/juki.yaml.docx": JUKI}),
    Case("import-existing-name", ("import", "{ws}/inbox/juki.docx", "--name", "juki"), "exists"),
    Case("import-name-with-slash", ("import", "{ws}/inbox/juki.docx", "--name", "a/b"), "not a usable assessment name"),
    Case("import-name-leaves-assessments", ("import", "{ws}/inbox/juki.docx", "--name", "../x"), "not a usable assessment name"),
    Case("import-unknown-form", ("import", "{ws}/inbox/juki.docx", "--name", "kokuho", "--form", "全項"), "全項"),
    Case("import-publish-bad-date", ("import", "{ws}/inbox/juki.docx", "--name", "kokuho", "--publish", "--date", "2021-02-30"),
         "2021-02-30"),
    Case("import-update-unknown", ("import", "--update", "juky", "{ws}/inbox/juki.docx"), "did you mean 'juki'?"),
    Case("import-no-name", ("import", "{ws}/inbox/juki.docx"), "--name"),
    Case("threshold-bad-incident", ("threshold", "--people", "10", "--incident", "maybe"), "--incident"),
    Case("threshold-unknown", ("threshold", "juky"), "did you mean 'juki'?"),
    Case("threshold-negative", ("threshold", "--people", "-1"), "--people"),
    Case("forms-unknown", ("forms", "unverified", "全項目x"), "did you mean '全項目'?"),
    Case("libraries-review-unknown", ("libraries", "review", "nolib"), "nolib"),
    Case("libraries-take-unknown", ("libraries", "take", "nolib"), "nolib"),
    Case("libraries-lock-missing", ("libraries", "lock", "{tmp}/nowhere"), "does not exist"),
    Case("libraries-lock-not-a-library", ("libraries", "lock", "{tmp}"), "hyoka-library.yaml"),
    Case("libraries-unknown-entry", ("libraries", "review"), "libraries", "hyoka\\.yaml",
         files={CONFIG_PATH: lambda t: t + "libraries:\n  - path: ../no-such-library\n"}),
    Case("fleet-outdated-not-a-workspace", ("fleet", "outdated", "{tmp}"), "not a workspace"),
    Case("fleet-propagate-not-a-workspace", ("fleet", "propagate", "{tmp}", "--dry-run"), "not a workspace"),
    Case("fleet-propagate-unknown-clause", ("fleet", "propagate", "{ws}", "--clause", "gov-cloud/storag"),
         "did you mean 'gov-cloud/storage'?"),
    # lock hashing, snapshots, workspace paths
    Case("lock-clause-heading-edit", ("check",), "local/measure@1", "clauses/local/measure\\.yaml:\\d+",
         files={CLAUSE_PATH: edit("heading: ＜豊島区における措置＞", "heading: ＜当区の措置＞")}),
    Case("lock-clause-kind-edit", ("check",), "local/measure@1", "clauses/local/measure\\.yaml:\\d+",
         files={CLAUSE_PATH: edit("kind: adaptable", "kind: verbatim")}),
    Case("lock-parameter-default-edit", ("check",), "local/measure@1", "clauses/local/measure\\.yaml:\\d+",
         files={CLAUSE_PATH: edit("{description: ファイル名}", "{description: ファイル名, default: 台帳}")}),
    Case("config-output-outside", ("build", "--format", "md"), "output", "hyoka\\.yaml",
         files={CONFIG_PATH: edit("output: build", "output: ../outside")}),
    Case("config-clauses-root", ("check",), "clauses", "hyoka\\.yaml",
         files={CONFIG_PATH: edit("clauses: clauses", "clauses: /")}),
    Case("snapshot-deep-nesting", ("diff", "juki"), "snapshots/juki/2024-04-01.json",
         files={"snapshots/juki/2024-04-01.json": lambda t: "[" * 100000 + "]" * 100000}),
    # snapshots
    Case("snapshot-broken-json", ("diff", "juki"), "snapshots/juki/2024-04-01.json",
         files={"snapshots/juki/2024-04-01.json": lambda t: t[: len(t) // 2]}),
    Case("snapshot-fullwidth-name", ("diff", "juki"), "２０２５-01-01",
         files={"snapshots/juki/２０２５-01-01.json": lambda t: "{}"}),
    Case("snapshot-wrong-assessment", ("diff", "juki"), "snapshots/juki/2024-05-01.json",
         files={"snapshots/juki/2024-05-01.json": lambda t: _renamed_snapshot()}),
]


def _terms(text: str, entry: str) -> str:
    assert "terms: {}" in text
    return text.replace("terms: {}", "terms:\n" + entry, 1)


def _renamed_snapshot() -> str:
    import json

    data = json.loads(_SNAPSHOT_TEXT[0])
    data["assessment"] = data.get("assessment", "juki") + "x"
    return json.dumps(data, ensure_ascii=False)


_SNAPSHOT_TEXT: list[str] = [""]


def _apply(ws: Path, case: Case) -> None:
    _SNAPSHOT_TEXT[0] = (ws / "snapshots" / "juki" / "2024-04-01.json").read_text(encoding="utf-8")
    for rel, change in case.files.items():
        path = ws / rel
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        new = change(old) if callable(change) else change
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(new, encoding="utf-8", errors="surrogatepass")


def _expected_location(ws: Path, case: Case) -> str | None:
    if not case.where.startswith("@marker:"):
        return case.where or None
    marker = case.where[len("@marker:"):]
    (rel,) = case.files
    lines = (ws / rel).read_text(encoding="utf-8", errors="surrogatepass").splitlines()
    if marker.startswith("re:"):
        numbers = [i + 1 for i, line in enumerate(lines) if re.search(marker[3:], line)]
    else:
        numbers = [i + 1 for i, line in enumerate(lines) if marker in line]
    assert numbers, f"marker {marker!r} not in {rel}"
    return re.escape(rel) + f":{numbers[0]}(?=\\D)"


def _invoke(ws: Path, tmp: Path, args: tuple[str, ...]):
    args = tuple(a.replace("{ws}", str(ws)).replace("{tmp}", str(tmp)) for a in args)
    if args[0] not in ("init", "-C"):
        args = ("-C", str(ws), *args)
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _params() -> list:
    seen = set()
    out = []
    for c in CASES:
        assert c.id not in seen, c.id
        seen.add(c.id)
        out.append(pytest.param(c, id=c.id, marks=c.marks))
    return out


def test_corpus_is_large_and_covers_every_command() -> None:
    assert len(CASES) >= 150
    commands = {c.args[0] if c.args[0] != "-C" else c.args[2] for c in CASES}
    every = set(main.commands) | {"clauses"}
    assert every <= commands, every - commands
    subcommands = {c.args[1] for c in CASES if c.args[0] == "clauses"}
    assert {"list", "show", "where-used"} <= subcommands


@pytest.mark.parametrize("case", _params())
def test_bad_input_is_refused_with_one_located_line(base_ws: Path, tmp_path: Path, case: Case) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(base_ws, ws)
    _apply(ws, case)
    before = _contents(ws)
    result = _invoke(ws, tmp_path, case.args)
    out = result.stderr + result.stdout
    assert result.exit_code != 0, out
    assert "Traceback" not in out
    assert "internal error" not in out, out
    assert case.expect in out, out
    where = _expected_location(ws, case)
    if where:
        assert re.search(where, result.stderr), (where, result.stderr)
    # refused input writes nothing: no output, no changed file
    assert not (ws / "build").exists() or not any((ws / "build").iterdir())
    assert _contents(ws) == before


def _contents(ws: Path) -> dict[Path, bytes]:
    """Every file of the workspace but the lock's own state (.hyoka/: who holds the write lock)."""
    return {p: p.read_bytes() for p in ws.rglob("*") if p.is_file() and ".hyoka" not in p.relative_to(ws).parts}


@pytest.mark.parametrize("name", ["豊島区 #東京都", "豊島区: 東京", "'豊島区'", '"豊島区"', "- 豊島区", "{豊島区}", "豊島区 &a *b"])
def test_init_keeps_the_municipality_name_exactly(tmp_path: Path, name: str) -> None:
    result = CliRunner().invoke(main, ["init", str(tmp_path / "ws"), "-m", name], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    ws = composer.load_workspace(tmp_path / "ws")
    assert ws.config.municipality == name


def test_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    """A billion-laughs document (10^12 values once expanded) is refused without building it."""
    import tracemalloc

    from composer.errors import UserError
    from composer.load.yamlio import load_yaml

    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    names = "abcdefghijklm"
    lines += [f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]" for p, n in zip(names, names[1:])]
    lines.append("title: *m")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tracemalloc.start()
    try:
        with pytest.raises(UserError) as info:
            load_yaml(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "bomb.yaml:" in str(info.value) and "through aliases" in str(info.value)
    assert peak < 20 * 1024 * 1024, peak
