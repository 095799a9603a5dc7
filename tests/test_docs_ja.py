"""The Japanese user guide (docs/ja/): every ``hyoka`` command it shows is a real command with real
options, every image and local link it uses exists, and the terminal-output blocks are marked so
that they can be regenerated."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from composer.cli import main

from .conftest import ROOT

DOCS_JA = ROOT / "docs" / "ja"
GUIDES = ("new-assessment.md", "edition-update.md", "change-table.md", "annual-report.md")
COMMAND_LANGS = {"console", "sh", "shell", "bash", "powershell"}
OUTPUT_MARK = "<!-- output: ja -->"
MAX_IMAGE_BYTES = 150_000


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # line number of the opening fence
    lang: str
    lines: tuple[str, ...]
    marked_output: bool


def blocks(path: Path) -> list[Block]:
    """The fenced code blocks of a Markdown file (fences may be indented, as in lists)."""
    found: list[Block] = []
    text = path.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(text):
        stripped = text[i].strip()
        if stripped.startswith("```"):
            lang = stripped[3:].strip()
            start = i
            previous = next((t.strip() for t in reversed(text[:i]) if t.strip()), "")
            body: list[str] = []
            i += 1
            while i < len(text) and not text[i].strip().startswith("```"):
                body.append(text[i])
                i += 1
            found.append(Block(path, start + 1, lang, tuple(body), previous == OUTPUT_MARK))
        i += 1
    return found


def command_lines(path: Path) -> list[tuple[int, str]]:
    """(line number, command) for every line starting with ``hyoka `` in a command block."""
    out = []
    for b in blocks(path):
        if b.lang in COMMAND_LANGS:
            for n, line in enumerate(b.lines, start=b.line + 1):
                if line.strip().startswith("hyoka "):
                    out.append((n, line.strip()))
    return out


def _context(cmd: click.Command, parent: click.Context | None, name: str) -> click.Context:
    settings = dict(cmd.context_settings) if parent is None else {}
    return click.Context(cmd, parent=parent, info_name=name, **settings)


def problems_of(line: str) -> list[str]:
    """What is wrong with one documented command line, judged by hyoka's own click command tree."""
    try:
        tokens = shlex.split(line, comments=True)
    except ValueError as exc:
        return [f"cannot be parsed as a shell line: {exc}"]
    if not tokens or tokens[0] != "hyoka":
        return ["does not start with hyoka"]
    problems: list[str] = []
    cmd: click.Command = main
    ctx = _context(main, None, "hyoka")
    rest = tokens[1:]
    while True:
        options: dict[str, click.Option] = {}
        for p in cmd.get_params(ctx):
            if isinstance(p, click.Option):
                for opt in (*p.opts, *p.secondary_opts):
                    options[opt] = p
        given: set[str] = set()
        positionals: list[str] = []
        i = 0
        while i < len(rest):
            token = rest[i]
            if isinstance(cmd, click.Group) and positionals:
                break  # the subcommand's tokens follow
            if token.startswith("-") and len(token) > 1 and not re.fullmatch(r"-\d+", token):
                name, eq, value = token.partition("=") if token.startswith("--") else (token, "", "")
                option = options.get(name)
                if option is None:
                    problems.append(f"{ctx.command_path}: no option {name}")
                    i += 1
                    continue
                given.add(option.name or name)
                if option.is_flag or option.count:
                    if eq:
                        problems.append(f"{ctx.command_path}: {name} takes no value")
                else:
                    if not eq:
                        i += 1
                        if i >= len(rest):
                            problems.append(f"{ctx.command_path}: {name} needs a value")
                            break
                        value = rest[i]
                    if isinstance(option.type, (click.Choice, click.IntRange, click.DateTime)) or option.type is click.INT:
                        try:
                            option.type.convert(value, option, ctx)
                        except click.BadParameter as exc:
                            problems.append(f"{ctx.command_path}: {name} {value!r}: {exc.message}")
            else:
                positionals.append(token)
            i += 1
        for p in cmd.get_params(ctx):
            if isinstance(p, click.Option) and p.required and p.name not in given:
                problems.append(f"{ctx.command_path}: missing required option {max(p.opts, key=len)}")
        if isinstance(cmd, click.Group):
            if not positionals:
                if not cmd.invoke_without_command and "help" not in given and "version" not in given:
                    problems.append(f"{ctx.command_path}: no subcommand")
                return problems
            sub = cmd.commands.get(positionals[0])
            if sub is None:
                problems.append(f"{ctx.command_path}: no command {positionals[0]!r} (have: {', '.join(sorted(cmd.commands))})")
                return problems
            ctx = _context(sub, ctx, positionals[0])
            cmd = sub
            rest = rest[i:]  # the subcommand's own tokens start right after its name
            continue
        arguments = [p for p in cmd.get_params(ctx) if isinstance(p, click.Argument)]
        least = sum((p.nargs if p.nargs > 0 else 1) for p in arguments if p.required)
        most = None if any(p.nargs < 0 for p in arguments) else sum(p.nargs for p in arguments)
        if "help" not in given and len(positionals) < least:
            problems.append(f"{ctx.command_path}: needs {least} argument(s), has {len(positionals)}")
        if most is not None and len(positionals) > most:
            problems.append(f"{ctx.command_path}: takes at most {most} argument(s), has {len(positionals)}: {positionals}")
        return problems


def ja_docs() -> list[Path]:
    return sorted(DOCS_JA.glob("*.md"))


def test_the_guide_is_there_and_indexed() -> None:
    index = (DOCS_JA / "README.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for guide in GUIDES:
        assert (DOCS_JA / guide).is_file(), guide
        assert f"({guide})" in index, f"docs/ja/README.md does not link {guide}"
        assert f"(docs/ja/{guide})" in readme, f"README.md's quick start does not link {guide}"
    # the quick start comes right after the first commands, which stay first
    assert readme.index("python3 -m pip install . && hyoka -C examples/toshima build") < readme.index("## はじめに（日本語）")
    assert readme.index("## はじめに（日本語）") < readme.index("## A short tour")


def test_every_documented_command_names_real_commands_and_options() -> None:
    seen = 0
    bad = []
    for path in [*ja_docs(), ROOT / "README.md"]:
        for n, line in command_lines(path):
            seen += 1
            for problem in problems_of(line):
                bad.append(f"{path.relative_to(ROOT)}:{n}: {line}: {problem}")
    assert not bad, "\n".join(bad)
    assert seen >= 40  # the four guides show every step as a command


@pytest.mark.parametrize("line, problem", [
    ("hyoka diff juki --tabel shinkyu", "no option --tabel"),
    ("hyoka dif juki", "no command 'dif'"),
    ("hyoka diff juki --table sinkyu", "--table 'sinkyu'"),
    ("hyoka diff", "needs 1 argument"),
    ("hyoka init ws", "missing required option --municipality"),
    ("hyoka libraries reveiw", "no command 'reveiw'"),
    ("hyoka report --year next", "--year 'next'"),
    ("hyoka build juki --redline=yes", "--redline takes no value"),
    ("hyoka -C ws clauses", "no subcommand"),
    ("hyoka publish juki --date", "--date needs a value"),
])
def test_the_check_finds_wrong_commands(line: str, problem: str) -> None:
    found = problems_of(line)
    assert any(problem in p for p in found), found


@pytest.mark.parametrize("line", [
    "hyoka -C hyoka-ws check",
    "hyoka --language ja check",
    "hyoka libraries",
    "hyoka --help",
    "hyoka diff --help",
    "hyoka new kokuho --form 全項目 --profile gov-cloud --jimu 国民健康保険に関する事務 --file kokuho=国民健康保険ファイル",
    "hyoka diff juki --start 91 --format docx -o 表.docx   # コメント",
    "hyoka report --year 2024 --to 2024-09-30 --format docx -o 報告.docx",
])
def test_the_check_accepts_right_commands(line: str) -> None:
    assert problems_of(line) == []


def test_every_linked_image_and_local_page_exists() -> None:
    images = 0
    bad = []
    for path in ja_docs():
        text = path.read_text(encoding="utf-8")
        for target in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", text):
            images += 1
            file = path.parent / target
            if not file.is_file():
                bad.append(f"{path.name}: image {target} does not exist")
            elif file.stat().st_size > MAX_IMAGE_BYTES:
                bad.append(f"{path.name}: image {target} is {file.stat().st_size} bytes (keep it under {MAX_IMAGE_BYTES})")
        for target in re.findall(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            if not (path.parent / target.split("#")[0]).exists():
                bad.append(f"{path.name}: link {target} does not exist")
    assert not bad, "\n".join(bad)
    assert images >= 8


def test_terminal_output_blocks_are_marked_and_command_blocks_hold_only_commands() -> None:
    marked = 0
    bad = []
    allowed = ("hyoka ", "cd ", "python3 -m pip ", "py -m pip ", "#")
    for path in ja_docs():
        for b in blocks(path):
            if b.marked_output:
                marked += 1
                if b.lang != "text":
                    bad.append(f"{path.name}:{b.line}: an output block marked {OUTPUT_MARK} must be ```text")
            elif b.lang in COMMAND_LANGS:
                for n, line in enumerate(b.lines, start=b.line + 1):
                    if line.strip() and not line.strip().startswith(allowed):
                        bad.append(f"{path.name}:{n}: {line.strip()!r} is not a command (terminal output goes in a marked ```text block)")
    assert not bad, "\n".join(bad)
    assert marked >= 30


def test_the_language_setting_the_guide_describes_is_accepted(ws: Path) -> None:
    config = ws / "hyoka.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "language: ja             # メッセージとヘルプを日本語にする\n", encoding="utf-8")
    runner = CliRunner()
    ok = runner.invoke(main, ["-C", str(ws), "check"], catch_exceptions=False)
    assert ok.exit_code == 0, ok.stderr
    assert "language" not in ok.stderr
    config.write_text(config.read_text(encoding="utf-8").replace("language: ja", "language: fr"), encoding="utf-8")
    bad = runner.invoke(main, ["-C", str(ws), "check"], catch_exceptions=False)
    assert bad.exit_code == 1
    line = next(n for n, t in enumerate(config.read_text(encoding="utf-8").split("\n"), start=1) if t.startswith("language:"))
    assert f"hyoka.yaml:{line}: language" in bad.stderr and "ja or en" in bad.stderr
