"""The HTML writer: any :class:`~composer.writers.model.Document` as one self-contained page,
and the 評価書's preview.

A page loads nothing from outside (CSS inline; the few lines of script, when the
document has :class:`~composer.writers.model.Filter` s, inline too), so a reviewer can open
it from a mail, offline. Headings are ``<h1>`` (the title) … ``<h6>``; a ``label``
paragraph is bold; a paragraph's or row's ``role`` is its class; marks are ``<del>``,
``<ins>`` and ``<u>``. Filters are check boxes and choices above the first table whose
rows carry facets (``data-KEY`` attributes); the script hides the rows that do not match
and shows the count of those shown.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from html import escape
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from composer.files import atomic_write, write_text
from composer.model import ComposedAssessment
from composer.resources import templates_dir
from composer.writers.md import choice_text, cover
from composer.writers.md import markdown as markdown
from composer.writers.md import write_markdown as write_markdown
from composer.writers.model import Bullets, Cell, Document, Filter, Heading, Paragraph, Row, Runs, Table

CSS = (
    "body{font-family:'Noto Sans CJK JP','Hiragino Sans','Yu Gothic',sans-serif;margin:1.5em;color:#222}"
    "table{border-collapse:collapse;width:100%;margin-bottom:1em}th,td{border:1px solid #666;padding:.3em;vertical-align:top;"
    "white-space:pre-wrap;font-size:.9em}th{background:#e8e8e8;position:sticky;top:0}"
    "th.group{text-align:left;background:#f6f6f6;font-weight:normal;position:static}"
    "del{color:#a00;text-decoration:line-through;background:#fde8e8}ins{color:#05a;text-decoration:underline;background:#e6f0ff}"
    ".filters{margin:1em 0;padding:.5em;background:#f6f6f6;border:1px solid #ccc}.filters label{margin-right:1.5em}"
    ".hidden{display:none}.count{margin-left:1em;color:#555}.pending{color:#a00}.note{font-size:90%}"
)

_SCRIPT = """
var hyokaFacets=%s;
function hyokaFilter(){
  var rows=document.querySelectorAll('tr[data-'+hyokaFacets[0][0]+']'), shown=0;
  for(var i=0;i<rows.length;i++){
    var r=rows[i], ok=true;
    for(var j=0;j<hyokaFacets.length;j++){
      var f=hyokaFacets[j], c=document.getElementById('f-'+f[0]), v=r.getAttribute('data-'+f[0]);
      if(f[1]!==null){if(c.checked&&v!==f[1]){ok=false;}}
      else if(c.value&&v!==c.value){ok=false;}
    }
    r.classList.toggle('hidden',!ok); if(ok){shown++;}
  }
  document.getElementById('shown').textContent=shown+' / '+rows.length+' %s';
}
document.addEventListener('DOMContentLoaded',function(){
  hyokaFacets.forEach(function(f){document.getElementById('f-'+f[0]).addEventListener('change',hyokaFilter);});
  hyokaFilter();
});
"""

_TAGS = {"del": "del", "ins": "ins", "u": "u"}


def _attr(value: str) -> str:
    return escape(value, quote=True)


def inline(content: str | Runs) -> str:
    if isinstance(content, str):
        return escape(content)
    return "".join(f"<{_TAGS[r.mark]}>{escape(r.text)}</{_TAGS[r.mark]}>" if r.mark else escape(r.text) for r in content)


def _cell_html(c: Cell) -> str:
    content = c.content
    if isinstance(content, int):
        text = str(content)
    elif isinstance(content, str):
        text = escape(content)
    elif content and isinstance(content[0], Paragraph):
        text = "\n".join(inline(p.content) for p in content)  # type: ignore[union-attr]
    else:
        text = inline(content)  # type: ignore[arg-type]
    return f'<a href="#{_attr(c.link)}">{text}</a>' if c.link else text


def _row(row: Row) -> str:
    if row.group:
        anchor = f' id="{_attr(row.anchor)}"' if row.anchor else ""
        span = sum(c.span for c in row.cells)
        return f'<tr><th colspan="{span}" class="group"{anchor}>{"".join(_cell_html(c) for c in row.cells)}</th></tr>'
    attrs = f' class="{_attr(row.role)}"' if row.role else ""
    attrs += f' id="{_attr(row.anchor)}"' if row.anchor else ""
    attrs += "".join(f' data-{k}="{_attr(v)}"' for k, v in row.facets)
    cells = "".join((f'<td colspan="{c.span}">' if c.span > 1 else "<td>") + _cell_html(c) + "</td>" for c in row.cells)
    return f"<tr{attrs}>{cells}</tr>"


def _table_chunks(t: Table, rows: Iterable[Row]) -> Iterator[str]:
    head = "<thead><tr>" + "".join(f"<th>{escape(c.name)}</th>" for c in t.columns) + "</tr></thead>" if t.header else ""
    yield f"<table>{head}<tbody>\n"
    sep = ""
    for r in rows:
        yield sep + _row(r)
        sep = "\n"
    yield "\n</tbody></table>"


def _filters(doc: Document, shown: int) -> str:
    def control(f: Filter) -> str:
        if f.options:
            options = "".join(f'<option value="{_attr(o)}">{escape(o)}</option>' for o in f.options)
            return (f'<label>{escape(f.label)} <select id="f-{_attr(f.key)}"><option value="">すべて</option>'
                    f"{options}</select></label>")
        return f'<label><input type="checkbox" id="f-{_attr(f.key)}"> {escape(f.label)}</label>'

    return (f'<div class="filters">{"".join(control(f) for f in doc.filters)}'
            f'<span class="count" id="shown">{shown} {escape(doc.count_unit)}</span></div>')


def _block(b: Heading | Paragraph | Bullets) -> str:
    if isinstance(b, Heading):
        level = min(6, b.level + 1)
        anchor = f' id="{_attr(b.anchor)}"' if b.anchor else ""
        return f"<h{level}{anchor}>{escape(b.text)}</h{level}>"
    if isinstance(b, Paragraph):
        cls = f' class="{_attr(b.role)}"' if b.role else ""
        text = inline(b.content)
        if b.style in ("title", "h1", "h2"):
            level = {"title": 1, "h1": 2, "h2": 3}[b.style]
            return f"<h{level}{cls}>{text}</h{level}>"
        if b.style == "label":
            return f"<p{cls}><strong>{text}</strong></p>"
        return f"<p{cls}>{text}</p>"
    return "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in b.items) + "</ul>"


def chunks(doc: Document) -> Iterator[str]:
    """The page as it is written: the head, then each block (a table row by row), then the end.

    The filter controls stand above the first table, with the count of its rows that carry
    facets: that one table's rows are read before it is written (a page with filters is a
    review page, small); every other block streams.
    """
    script = ""
    if doc.filters:
        facets = [[f.key, None if f.options else f.value] for f in doc.filters]
        script = "<script>" + _SCRIPT % (json.dumps(facets, ensure_ascii=False).replace("</", "<\\/"), doc.count_unit) + "</script>"
    yield ('<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8">'
           f"<title>{escape(doc.title)}</title><style>{CSS}</style>{script}</head><body>\n")
    filters_placed = not doc.filters
    sep = ""
    for b in doc.blocks:
        if isinstance(b, Table):
            rows: Iterable[Row] = b.rows
            if not filters_placed:  # the controls stand above the first table (the one they filter)
                rows = tuple(rows)
                yield sep + _filters(doc, sum(1 for r in rows if r.facets))
                sep = "\n"
                filters_placed = True
            pieces = _table_chunks(b, rows)
            yield sep + next(pieces)
            yield from pieces
        else:
            yield sep + _block(b)
        sep = "\n"
    yield "\n</body></html>\n"


def render(doc: Document) -> str:
    return "".join(chunks(doc))


def write(doc: Document, path: Path) -> None:
    write_text(Path(path), chunks(doc))


# --------------------------------------------------------------------------- the 評価書's preview


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


__all__ = ["CSS", "chunks", "html", "markdown", "render", "write", "write_html", "write_markdown"]
