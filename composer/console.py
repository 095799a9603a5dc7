"""How the ``hyoka`` command speaks: the run's language, translated help, one-line errors.

The CLI decides the language once per run, before it parses anything (so ``--help`` is
translated too): ``--language``, then ``HYOKA_LANG``, then ``language:`` in the
workspace's hyoka.yaml, then the locale (:func:`composer.i18n.choose_language`). The
choice travels in the click context (``ctx.meta``), with the workspace root once it is
known, as a :class:`~composer.i18n.View`; nothing is kept in a module global.

Help texts are written in English in the command definitions and looked up in the
catalog when click formats them (:class:`TranslatedCommand`, :class:`TranslatedGroup`);
click's own words (``Usage:``, ``Show this message and exit.``) are in the same catalog,
looked up by :func:`install_click_translations`.
"""

from __future__ import annotations

import inspect
import re
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from composer.files import CONFIG_NAME, nearest_workspace
from composer.i18n import View, catalog, choose_language

VIEW_KEY = "hyoka.view"
_LANGUAGE_LINE = re.compile(r"^language:[ \t]*[\"']?([A-Za-z_.-]+)", re.MULTILINE)


def configured_language(start: Path | None) -> str | None:
    """``language:`` of the nearest hyoka.yaml, read without loading the workspace (None if unset)."""
    try:
        root = nearest_workspace(start)
        if root is None:
            return None
        m = _LANGUAGE_LINE.search((root / CONFIG_NAME).read_text(encoding="utf-8-sig", errors="replace"))
    except OSError:
        return None
    return m.group(1) if m else None


def _option_value(args: Sequence[str], names: Sequence[str]) -> str | None:
    for i, a in enumerate(args):
        for n in names:
            if a == n and i + 1 < len(args):
                return args[i + 1]
            if n.startswith("--") and a.startswith(n + "="):
                return a.split("=", 1)[1]
    return None


def language_of_run(args: Sequence[str]) -> str:
    """The language of one ``hyoka`` run, from its arguments, environment and workspace."""
    directory = _option_value(args, ("-C", "--workspace"))
    option = _option_value(args, ("--language",))
    return choose_language(option, configured_language(Path(directory) if directory else None))


def view(ctx: click.Context | None = None) -> View:
    """The view of the current run (English before a run has chosen)."""
    ctx = ctx or click.get_current_context(silent=True)
    if ctx is not None:
        found = ctx.meta.get(VIEW_KEY)
        if isinstance(found, View):
            return found
    return View()


def set_root(ctx: click.Context, root: Path) -> View:
    """From now on this run shows paths relative to ``root``."""
    current = view(ctx)
    ctx.meta[VIEW_KEY] = View(current.language, root)
    return ctx.meta[VIEW_KEY]


def tr(text: str | None) -> str:
    """A help text or click string in the run's language."""
    if not text:
        return text or ""
    return catalog(view().language).gettext(text)


def help_msgid(text: str) -> str:
    """The catalog key of a help text: as click shows it (dedented, cut at a form feed)."""
    return inspect.cleandoc(text).partition("\f")[0]


def width(text: str) -> int:
    """Columns a text takes in a terminal: two for a wide (CJK, full-width) character."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_NO_LINE_START = set("、。，．）」』】〕・ー：；！？,.)]:;!?")


def _tokens(text: str) -> list[str]:
    """Units a line may break between: an ASCII word with its space, or one wide character
    (closing punctuation stays with what precedes it)."""
    out: list[str] = []
    for piece in re.findall(r"[\x21-\x7e\u00a0-\u10ff]+ *| +|.", text):
        if out and (piece[0] in _NO_LINE_START) and not out[-1].endswith(" "):
            out[-1] += piece
        else:
            out.append(piece)
    return out


def wrap(text: str, columns: int, indent: str = "") -> list[str]:
    """Lines of at most ``columns`` (by terminal width), Japanese broken between characters."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = indent
        for tok in _tokens(paragraph.strip() if not paragraph.startswith("\t") else paragraph):
            if width(line) + width(tok.rstrip()) > columns and line.strip():
                lines.append(line.rstrip())
                line = indent + tok.lstrip()
            else:
                line += tok
        lines.append(line.rstrip())
    return lines


class HelpFormatter(click.HelpFormatter):
    """click's help layout, measured in terminal columns so Japanese lines wrap where they should."""

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        for paragraph in text.split("\n\n"):
            self.write("\n".join(wrap(" ".join(paragraph.split("\n")), self.width, indent)) + "\n")
            self.write("\n")
        self.buffer.pop()

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first_col = min(max((width(r[0]) for r in rows), default=0), col_max) + col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - width(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            text_width = max(self.width - first_col - self.current_indent, 10)
            lines = wrap(" ".join(second.split()), text_width) or [""]
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n")


class Context(click.Context):
    formatter_class = HelpFormatter


def short_help(text: str, limit: int) -> str:
    """The first sentence (。 or .), cut to ``limit`` columns with …."""
    first = " ".join(text.split("\n\n")[0].split())
    m = re.search(r"。|\.(\s|$)", first)
    if m:
        first = first[: m.start()] if m.group(0) == "。" else first[: m.start()]
    if width(first) <= limit:
        return first
    out = ""
    for ch in first:
        if width(out + ch) > limit - 1:
            break
        out += ch
    return out.rstrip() + "…"


class TranslatedCommand(click.Command):
    """A command whose help and options' help are shown in the run's language."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        text = tr(help_msgid(self.help)) if self.help else ""
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text)

    context_class = Context

    def get_short_help_str(self, limit: int = 45) -> str:
        if self.short_help:
            return tr(help_msgid(self.short_help))
        if self.help:
            return short_help(tr(help_msgid(self.help)), limit)
        return ""

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        saved = [(p, getattr(p, "help", None)) for p in self.get_params(ctx)]
        for p, text in saved:
            if text:
                p.help = tr(help_msgid(text))  # type: ignore[attr-defined]
        try:
            super().format_options(ctx, formatter)
        finally:
            for p, text in saved:
                if text:
                    p.help = text  # type: ignore[attr-defined]


class TranslatedGroup(TranslatedCommand, click.Group):
    """A group that speaks the run's language and makes its subcommands do the same."""

    command_class = TranslatedCommand

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any) -> click.Context:
        if parent is not None:
            return super().make_context(info_name, args, parent, **extra)
        # the root: as click makes it, with the run's view chosen before anything is parsed
        for key, value in self.context_settings.items():
            extra.setdefault(key, value)
        outer = click.get_current_context(silent=True)  # main() below chose the view already
        chosen = outer.meta.get(VIEW_KEY) if outer is not None else None
        ctx = self.context_class(self, info_name=info_name, parent=None, **extra)
        ctx.meta[VIEW_KEY] = chosen if isinstance(chosen, View) else View(language_of_run(args))
        with ctx.scope(cleanup=False):
            self.parse_args(ctx, args)
        return ctx

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, *rest: Any, **extra: Any) -> Any:
        # click prints a usage error after the command's context is gone: this outer one keeps the language
        outer = click.Context(self, info_name=prog_name)
        outer.meta[VIEW_KEY] = View(language_of_run(list(sys.argv[1:] if args is None else args)))
        with outer.scope(cleanup=False):
            return super().main(args, prog_name, *rest, **extra)


TranslatedGroup.group_class = TranslatedGroup  # type: ignore[attr-defined]


_click_gettext = tr  # click's own words are looked up like help texts


def _click_ngettext(singular: str, plural: str, n: int) -> str:
    return catalog(view().language).ngettext(singular, plural, n)


def install_click_translations() -> None:
    """Make click's own words (Usage:, Options:, its error messages) come from hyoka's catalog."""
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.termui
    import click.types

    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.termui, click.types):
        if getattr(module, "_", None) is not None:
            module._ = _click_gettext  # type: ignore[attr-defined]
        if getattr(module, "ngettext", None) is not None:
            module.ngettext = _click_ngettext  # type: ignore[attr-defined]
