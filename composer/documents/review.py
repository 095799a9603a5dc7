"""Stage 8b: the review page — a change table as one self-contained HTML page.

``hyoka diff NAME --format html`` writes it: a reviewer opens it from a mail, offline.
Everything is inline (CSS, a few lines of JavaScript); the page loads no external
resource. It holds:

* the change table, the changed words marked (``<del>`` in 変更前, ``<ins>`` in 変更後);
* filters: ※の項目 (重要な変更: the item carries ※), リスク変化あり, 提出時期 (事前 / 事後);
* per changed item, its full text in the new revision beside the old one (from the
  新旧対照表, when given), each table row linking to its item (``#item-N``).
"""

from __future__ import annotations

from html import escape
from typing import Any

from composer.documents import tables
from composer.model import ChangeTable

_CSS = (
    "body{font-family:'Noto Sans CJK JP','Hiragino Sans','Yu Gothic',sans-serif;margin:1.5em;color:#222}"
    "table{border-collapse:collapse;width:100%}th,td{border:1px solid #666;padding:.3em;vertical-align:top;"
    "white-space:pre-wrap;font-size:.9em}th{background:#e8e8e8;position:sticky;top:0}"
    "del{color:#a00;text-decoration:line-through;background:#fde8e8}ins{color:#05a;text-decoration:underline;background:#e6f0ff}"
    ".filters{margin:1em 0;padding:.5em;background:#f6f6f6;border:1px solid #ccc}.filters label{margin-right:1.5em}"
    ".hidden{display:none}.item{margin:1.2em 0;border-top:2px solid #999}.item h3{font-size:1em;margin:.4em 0}"
    ".path{color:#555}.count{margin-left:1em;color:#555}"
)

_JS = """
function hyokaFilter(){
  var imp=document.getElementById('f-important').checked;
  var risk=document.getElementById('f-risk').checked;
  var sub=document.getElementById('f-submission').value;
  var rows=document.querySelectorAll('tr.change'), shown=0;
  for(var i=0;i<rows.length;i++){
    var r=rows[i], ok=(!imp||r.dataset.important==='1')&&(!risk||r.dataset.risk==='あり')&&(!sub||r.dataset.submission===sub);
    r.classList.toggle('hidden',!ok); if(ok){shown++;}
  }
  document.getElementById('shown').textContent=shown+' / '+rows.length+' 件';
}
document.addEventListener('DOMContentLoaded',function(){
  ['f-important','f-risk','f-submission'].forEach(function(id){document.getElementById(id).addEventListener('change',hyokaFilter);});
  hyokaFilter();
});
"""


def _item_ids(table: ChangeTable, entries: Any) -> dict[str, str]:
    refs = [e.item for e in entries] if entries is not None else [r.item for r in table.rows]
    ids: dict[str, str] = {}
    for ref in refs:
        ids.setdefault(ref, f"item-{len(ids) + 1}")
    return ids


def review_page(table: ChangeTable, official: bool = False, entries: Any = None) -> str:
    """The review page of ``table``; ``entries``: the 新旧対照表's entries (full item texts)."""
    from composer.revisions.worddiff import side

    heading = tables.title(table, official)
    cols = tables.columns(official)
    ids = _item_ids(table, entries)
    head = "".join(f"<th>{escape(c)}</th>" for c in cols)
    body = []
    for r in table.rows:
        values = [escape(c) for c in tables.cells(r, official)]
        before, after = tables.marked(r)
        values[tables.BEFORE] = tables.html_marked(before, "del")
        values[tables.AFTER] = tables.html_marked(after, "ins")
        target = ids.get(r.item)
        section = values[1] + (" ※" if r.important else "")
        values[1] = f'<a href="#{target}">{section}</a>' if target else section
        body.append(
            f'<tr class="change" id="row-{r.no}" data-item="{escape(r.item)}" data-important="{int(r.important)}" '
            f'data-risk="{escape(r.risk_change or "")}" data-submission="{escape(r.submission)}">'
            + "".join(f"<td>{v}</td>" for v in values) + "</tr>"
        )
    items = []
    for e in entries or ():
        new_side = tables.html_marked(side(list(e.segments), "new"), "ins")
        old_side = tables.html_marked(side(list(e.segments), "old"), "del")
        path = escape(" ＞ ".join(e.path)) + (" ※" if e.important else "")
        items.append(
            f'<section class="item" id="{ids[e.item]}"><h3><span class="path">{path}</span></h3>'
            f"<table><thead><tr><th>新（変更後）</th><th>旧（変更前）</th></tr></thead>"
            f"<tbody><tr><td>{new_side}</td><td>{old_side}</td></tr></tbody></table></section>"
        )
    labels = f"<p>{escape(table.from_label or '―')} → {escape(table.to_label or '―')}</p>" if table.from_label or table.to_label else ""
    filters = (
        '<div class="filters">'
        '<label><input type="checkbox" id="f-important"> ※の項目（重要な変更）のみ</label>'
        '<label><input type="checkbox" id="f-risk"> リスク変化ありのみ</label>'
        '<label>提出時期 <select id="f-submission"><option value="">すべて</option>'
        '<option value="事前">事前</option><option value="事後">事後</option></select></label>'
        f'<span class="count" id="shown">{len(table.rows)} 件</span></div>'
    )
    empty = "<p>（変更なし）</p>" if not table.rows else ""
    item_part = f"<h2>変更箇所の本文（新旧対照）</h2>{''.join(items)}" if items else ""
    return (
        '<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8">'
        f"<title>{escape(heading)}</title><style>{_CSS}</style><script>{_JS}</script></head><body>"
        f"<h1>{escape(heading)}</h1>{labels}"
        "<p>変更前の<del>取消線</del>は削除された語句、変更後の<ins>下線</ins>は追加された語句。</p>"
        f"{filters}<table><thead><tr>{head}</tr></thead><tbody>\n" + "\n".join(body) + "\n</tbody></table>"
        f"{empty}{item_part}</body></html>\n"
    )


__all__ = ["review_page"]
