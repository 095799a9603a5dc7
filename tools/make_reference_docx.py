"""Generate ``templates/reference.docx``: the styles every hyoka Word document uses.

    python3 tools/make_reference_docx.py [OUT]     # default: templates/reference.docx

The reference document holds styles and page setup only (no body text). It starts from
python-docx's default template, keeps the few built-in styles hyoka uses, drops the rest
(most of them name theme fonts, which would win over explicit fonts) and defines:

=====================  =========  ===================================================
style                  type       used for
=====================  =========  ===================================================
Normal                 paragraph  everything not styled otherwise (項目一覧)
Title                  paragraph  the cover title, the change table's title
Heading 1              paragraph  Ⅰ基本情報 … (starts a new page), 項目一覧
Heading 2              paragraph  （１）住民基本台帳ファイル (per-file sections)
Heading 3              paragraph  spare level for user reference documents
Footer                 paragraph  the page number line
Hyoka Table            table      every table: single black borders, narrow margins
Hyoka Table Header     paragraph  １．… header rows, column headers of change tables
Hyoka Label            paragraph  the label column (①保管場所 ※)
Hyoka Sublabel         paragraph  labels below another item (具体的な対策の内容)
Hyoka Body             paragraph  content text, one paragraph per line
Hyoka Clause Heading   paragraph  ＜ガバメントクラウドにおける措置＞
Hyoka Small            paragraph  the ＜選択肢＞ line, notes under titles
=====================  =========  ===================================================

Fonts: LibreOffice (and the CI machine) have fonts-noto-cjk, so text is set in
"Noto Serif CJK JP" (明朝 for body text) and "Noto Sans CJK JP" (ゴシック for titles,
headings, table headers). ``w:rFonts`` takes one name per script, so a Windows fallback
cannot be named there; instead the font table lists ＭＳ 明朝 / ＭＳ ゴシック as the
``w:altName`` of the Noto fonts with the Shift_JIS charset, which Word uses to
substitute when Noto is not installed. Every style sets ``w:eastAsia`` explicitly (and
the document defaults do too) with ``w:lang w:eastAsia="ja-JP"``; python-docx's
``Font.name`` writes only ascii/hAnsi, so the fonts are written as XML here.

Page setup: A4 portrait, 20 mm margins. The writers turn the page for landscape tables.
"""

from __future__ import annotations

import sys
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "templates" / "reference.docx"

MINCHO = "Noto Serif CJK JP"
GOTHIC = "Noto Sans CJK JP"
FALLBACK = {MINCHO: "ＭＳ 明朝", GOTHIC: "ＭＳ ゴシック"}

KEEP = {"Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Footer", "Default Paragraph Font", "Normal Table", "No List"}


def rpr(font: str, size_half_points: int | None = None, bold: bool = False) -> str:
    parts = [f'<w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" w:cs="{font}"/>']
    if bold:
        parts.append("<w:b/><w:bCs/>")
    if size_half_points:
        parts.append(f'<w:sz w:val="{size_half_points}"/><w:szCs w:val="{size_half_points}"/>')
    parts.append('<w:lang w:val="en-US" w:eastAsia="ja-JP" w:bidi="ar-SA"/>')
    return "<w:rPr>" + "".join(parts) + "</w:rPr>"


def pstyle(style_id: str, name: str, ppr: str, font: str, size: int | None, bold: bool = False,
           based_on: str | None = "Normal", next_style: str | None = None, builtin: bool = False) -> str:
    attrs = ' w:default="1"' if style_id == "Normal" else ""
    custom = "" if builtin else ' w:customStyle="1"'
    based = f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
    nxt = f'<w:next w:val="{next_style}"/>' if next_style else ""
    return (
        f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="{style_id}"{attrs}{custom}>'
        f'<w:name w:val="{name}"/>{based}{nxt}<w:qFormat/>'
        f"<w:pPr>{ppr}</w:pPr>{rpr(font, size, bold)}</w:style>"
    )


BORDER = '<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
TABLE_STYLE = (
    f'<w:style {nsdecls("w")} w:type="table" w:styleId="HyokaTable" w:customStyle="1">'
    '<w:name w:val="Hyoka Table"/><w:basedOn w:val="TableNormal"/><w:uiPriority w:val="59"/>'
    '<w:pPr><w:spacing w:before="0" w:after="0" w:line="260" w:lineRule="auto"/></w:pPr>'
    + rpr(MINCHO, 18)
    + "<w:tblPr><w:tblBorders>"
    + "".join(BORDER.format(side=s) for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
    + "</w:tblBorders>"
    '<w:tblCellMar><w:top w:w="28" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
    '<w:bottom w:w="28" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar></w:tblPr>'
    '<w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:bCs/></w:rPr></w:tblStylePr>'
    "</w:style>"
)

TIGHT = '<w:spacing w:before="0" w:after="0" w:line="260" w:lineRule="auto"/>'
LEFT = '<w:jc w:val="left"/>'  # table text is ragged-right: justified Japanese with Latin words spreads badly

STYLES = [
    pstyle("Normal", "Normal", '<w:spacing w:before="0" w:after="0" w:line="300" w:lineRule="auto"/><w:jc w:val="both"/>',
           MINCHO, 21, based_on=None, builtin=True),
    pstyle("Title", "Title", '<w:keepNext/><w:spacing w:before="240" w:after="240"/><w:jc w:val="center"/>',
           GOTHIC, 32, bold=True, next_style="Normal", builtin=True),
    pstyle("Heading1", "heading 1",
           '<w:keepNext/><w:pageBreakBefore/><w:spacing w:before="0" w:after="160"/><w:outlineLvl w:val="0"/>',
           GOTHIC, 28, bold=True, next_style="Normal", builtin=True),
    pstyle("Heading2", "heading 2", '<w:keepNext/><w:spacing w:before="160" w:after="120"/><w:outlineLvl w:val="1"/>',
           GOTHIC, 24, bold=True, next_style="Normal", builtin=True),
    pstyle("Heading3", "heading 3", '<w:keepNext/><w:spacing w:before="120" w:after="80"/><w:outlineLvl w:val="2"/>',
           GOTHIC, 21, bold=True, next_style="Normal", builtin=True),
    pstyle("Footer", "footer", '<w:tabs><w:tab w:val="center" w:pos="4819"/><w:tab w:val="right" w:pos="9638"/></w:tabs>'
           '<w:jc w:val="center"/>', MINCHO, 18, builtin=True),
    pstyle("HyokaTableHeader", "Hyoka Table Header", "<w:keepNext/>" + TIGHT + LEFT, GOTHIC, 18, bold=True),
    pstyle("HyokaLabel", "Hyoka Label", TIGHT + LEFT, MINCHO, 18),
    pstyle("HyokaSublabel", "Hyoka Sublabel", TIGHT + '<w:ind w:left="180"/>' + LEFT, MINCHO, 18,
           based_on="HyokaLabel"),
    pstyle("HyokaBody", "Hyoka Body", TIGHT + LEFT, MINCHO, 18),
    pstyle("HyokaClauseHeading", "Hyoka Clause Heading", '<w:keepNext/><w:spacing w:before="60" w:after="0" w:line="260" w:lineRule="auto"/>',
           MINCHO, 18, based_on="HyokaBody"),
    pstyle("HyokaSmall", "Hyoka Small", TIGHT + LEFT, MINCHO, 16),
]


def font_entry(name: str, alt: str, family: str) -> str:
    return (
        f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="80"/>'
        f'<w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>'
    )


def make(out: Path) -> None:
    doc = docx.Document()
    styles = doc.styles.element

    # document defaults: Japanese font and language for every run
    defaults = styles.find(qn("w:docDefaults"))
    defaults.getparent().remove(defaults)
    styles.insert(0, parse_xml(
        f'<w:docDefaults {nsdecls("w")}><w:rPrDefault>{rpr(MINCHO, 21)}</w:rPrDefault>'
        '<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault>'
        "</w:docDefaults>"
    ))

    # drop the template's other styles (they name theme fonts) and replace the kept ones
    for style in list(styles.findall(qn("w:style"))):
        name = style.find(qn("w:name")).get(qn("w:val"))
        ui_name = {"heading 1": "Heading 1", "heading 2": "Heading 2", "heading 3": "Heading 3", "footer": "Footer"}.get(name, name)
        if ui_name not in KEEP or style.get(qn("w:type")) == "paragraph":
            styles.remove(style)
    for xml in STYLES + [TABLE_STYLE]:
        styles.append(parse_xml(xml))
    # every remaining style names the East Asian font
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:type")) in ("paragraph", "character", "table") and style.find(qn("w:rPr")) is None:
            element = parse_xml(rpr(MINCHO).replace("<w:rPr>", f'<w:rPr {nsdecls("w")}>', 1))
            later = [c for c in style if c.tag in (qn("w:tblPr"), qn("w:trPr"), qn("w:tcPr"), qn("w:tblStylePr"))]
            if later:
                later[0].addprevious(element)
            else:
                style.append(element)

    # Parts hyoka does not use are dropped: every byte of the reference is written again
    # with each document. stylesWithEffects duplicates the styles with theme fonts (Word
    # 2010 only); the theme is unused as no style names a theme font; no Word lists
    # (numbering is literal text); no web settings, custom XML or thumbnail.
    unused = ("/stylesWithEffects", "/theme", "/numbering", "/webSettings", "/customXml")
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith(unused):
            doc.part.drop_rel(rid)
    for rid, rel in list(doc.part.package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            doc.part.package.rels.pop(rid)
    latent = styles.find(qn("w:latentStyles"))
    if latent is not None:
        styles.remove(latent)

    # font table: Noto fonts with Windows fallbacks (w:altName)
    for rel in doc.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            part = rel.target_part
            fonts = parse_xml(part.blob)
            for name, alt in FALLBACK.items():
                fonts.append(parse_xml(font_entry(name, alt, "roman" if name == MINCHO else "modern")))
            from lxml import etree

            part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)

    # page setup: A4 portrait, 20 mm margins, footer 10 mm from the edge
    sect = doc.sections[0]._sectPr
    for child in list(sect):
        sect.remove(child)
    sect.append(parse_xml(f'<w:pgSz {nsdecls("w")} w:w="11906" w:h="16838"/>'))
    sect.append(parse_xml(
        f'<w:pgMar {nsdecls("w")} w:top="1134" w:right="1134" w:bottom="1134" w:left="1134"'
        ' w:header="567" w:footer="567" w:gutter="0"/>'
    ))
    sect.append(parse_xml(f'<w:cols {nsdecls("w")} w:space="425"/>'))
    sect.append(parse_xml(f'<w:docGrid {nsdecls("w")} w:linePitch="300"/>'))

    # no body text, and neutral document properties
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    props = doc.core_properties
    props.title = "hyoka reference document"
    props.author = "hyoka"
    props.last_modified_by = "hyoka"
    props.comments = "Styles for hyoka's Word output. Generated by tools/make_reference_docx.py."
    props.keywords = ""
    props.subject = ""
    props.category = ""
    props.revision = 1
    from datetime import datetime, timezone

    fixed = datetime(2025, 1, 1, tzinfo=timezone.utc)
    props.created = fixed
    props.modified = fixed
    props.last_printed = fixed

    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    make(target)
    print(f"wrote {target}")
