"""Stage 5a: readable previews of a composed assessment (Markdown and HTML)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from composer.load.yamlio import atomic_write
from composer.model import COVER_FIELDS, ComposedAssessment, ComposedItem
from composer.resources import templates_dir


def cover(c: ComposedAssessment) -> list[tuple[str, str]]:
    return [(label, getattr(c.meta, attr)) for label, attr in COVER_FIELDS]


def choice_text(item: ComposedItem) -> str:
    """「[ 十分である ]」 followed by the ＜選択肢＞ list, as the 様式 shows a choice."""
    value = item.choice or "　　　"
    options = " ".join(f"{i}) {c}" for i, c in enumerate(item.choices, 1))
    return f"[ {value} ]　＜選択肢＞ {options}"


def markdown(c: ComposedAssessment) -> str:
    out = [f"# {c.meta.title or c.name}", "", f"*{c.form_title}*", ""]
    for label, value in cover(c):
        out += [f"**{label}**", "", value.strip() or "（未記入）", ""]
    out += ["## 項目一覧", ""] + [f"- {label}" for label in c.contents] + [""]
    previous_file: str | None = None
    for it in c.items:
        if it.depth == 0 and (it.file is None or it.file != previous_file):
            suffix = ""
            if it.file:
                suffix = " " + next(f.label for f in c.files if f.id == it.file)
            out += [f"## {it.label}{suffix}", ""]
            previous_file = it.file
            continue
        mark = " ※" if it.important and it.type else ""
        level = min(6, 2 + it.depth)
        out += [f"{'#' * level} {it.label}{mark}", ""]
        if it.type == "choice":
            out += [choice_text(it), ""]
        for b in it.blocks:
            if b.heading:
                out += [b.heading, ""]
            out += [line + "  " if line else "" for line in b.body.split("\n")] + [""]
    return "\n".join(out).rstrip() + "\n"


def write_markdown(c: ComposedAssessment, path: Path) -> None:
    atomic_write(path, markdown(c))


def _html_env() -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=FileSystemLoader(str(templates_dir())),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def html(c: ComposedAssessment) -> str:
    template = _html_env().get_template("preview.html.j2")
    return template.render(a=c, cover=cover(c), choice_text=choice_text)


def write_html(c: ComposedAssessment, path: Path) -> None:
    atomic_write(path, html(c))
