"""Benchmark: how fast hyoka writes a 評価書 as .docx, against docxtpl and a raw zip+XML floor.

    python3 bench/bench_docx.py [--batch 100] [--items 150] [--keep DIR]

Builds a synthetic 全項目評価書 in memory (about 60 pages: 150 content items, each with
a stock clause and local text in realistic Japanese), then writes it ``--batch`` times
through

(a) hyoka's ``composer.writers.docx.write_assessment`` (reference.docx styles),
(b) docxtpl with an equivalent template (generated on the fly), and
(c) a raw floor: the minimal document.xml + styles.xml in a zipfile, no library;

and prints the time per document and the ratios. Target: hyoka ≤ 2× the floor and at
least 2× faster than docxtpl. Finally hyoka is timed at 1×, 2× and 4× the item count
(it should grow linearly). This is a benchmark, not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from composer.model import ComposedAssessment, ComposedBlock, ComposedFile, ComposedItem, Meta  # noqa: E402
from composer.writers import docx as docx_writer  # noqa: E402

SECTIONS = ("Ⅰ基本情報", "Ⅱ特定個人情報ファイルの概要", "Ⅲ特定個人情報ファイルの取扱いプロセスにおけるリスク対策",
            "Ⅳその他のリスク対策", "Ⅴ開示請求、問合せ", "Ⅵ評価実施手続")
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
FULLWIDTH = "１２３４５６７８９"
STOCK = (
    (
        "①サーバ等はクラウド事業者が保有・管理する環境に設置し、設置場所のセキュリティ対策はクラウド事業者が実施する。"
        "なお、クラウド事業者はISMAPのリストに登録されたクラウドサービス事業者であり、セキュリティ管理策が適切に実施されているほか、次を満たすものとする。\n"
        "・ISO/IEC27017、ISO/IEC27018 の認証を受けていること。\n"
        "・日本国内でのデータ保管を条件としていること。\n"
        "②特定個人情報は、クラウド事業者が管理するデータセンター内のデータベースに保存され、"
        "バックアップも日本国内に設置された複数のデータセンターのうち本番環境とは別のデータセンター内に保存される。"
    ),
    (
        "中間サーバー・プラットフォームをデジタル庁とＪ－ＬＩＳがクラウドサービス事業者と契約し、"
        "運用監視を行う。運用規則等に基づき、中間サーバー・プラットフォームの運用に携わる職員及び事業者に対し、"
        "セキュリティ研修等を実施する。\n"
        "・中間サーバー・プラットフォームの事業者において、運用規則等に基づき定期的に自己点検を実施することとしている。\n"
        "・政府情報システムのためのセキュリティ評価制度（ＩＳＭＡＰ）において登録されたクラウドサービス事業者が保有・管理する環境に構築し、"
        "その環境には認可された者だけがアクセスできるよう適切な入退室管理策を行っている。"
    ),
    (
        "番号法第１９条第８号（特定個人情報の提供の制限）に基づく主務省令第２条の表における情報提供の根拠として、"
        "第三欄（情報提供者）が「市町村長」の項のうち、第四欄（特定個人情報）に「住民票関係情報」が含まれる項"
        "（１、２、３、５、７、１１、１３、１５、２０、２８、３７、３９、４８、５３、５７、５８、５９、６３、６５、６６の項）による。\n"
        "（住民基本台帳に関する事務において情報提供ネットワークシステムによる情報照会は行わない）"
    ),
)
LOCAL = (
    "・{file}へのアクセスは、生体認証と個人ごとのＩＤ・パスワードにより利用者を特定し、業務上必要な職員（第{n}係）に限定して権限を付与している。\n"
    "・操作ログを取得し、システム管理者が月に１回、不正な操作がないか確認している（確認記録は{n}年度分を保管）。\n"
    "・人事異動の際には、所属長の申請に基づき速やかにアクセス権限の変更・失効を行い、その記録を５年間保管する。\n"
    "・端末はシンクライアント方式とし、外部記録媒体への書き出しを技術的に制限している。",
    "・委託先とは特定個人情報の取扱いに関する特記事項を含む契約を締結し、第{n}条に定める安全管理措置の実施状況を年１回以上書面で報告させる。\n"
    "・再委託を行う場合は、事前に区の書面による承諾を必要とし、再委託先にも委託先と同等の安全管理措置を義務付けている。\n"
    "・委託先の作業場所への立入検査を必要に応じて実施し、指摘事項の改善状況を確認している。",
    "・紙媒体の申請書等は、施錠できる書庫（区役所本庁舎{n}階）に保管し、鍵は課長が管理している。\n"
    "・保存期間を経過した書類は、溶解処理業者に引き渡し、溶解証明書を受領して処理を確認する。\n"
    "・電子記録媒体は、データ消去ソフトにより復元不可能な形で消去した上で物理的に破壊する。\n"
    "・消去及び廃棄の実施記録は、課長の確認を経て５年間保存する。",
)
CHOICES = ("特に力を入れている", "十分である", "課題が残されている")


def synthetic(n_items: int = 150, name: str = "bench") -> ComposedAssessment:
    """A 全項目評価書 with ``n_items`` content items (text and choice) over the six sections."""
    items: list[ComposedItem] = []
    per_section = -(-n_items // len(SECTIONS))
    made = 0
    for s, section in enumerate(SECTIONS):
        key0 = ["I", "II", "III", "IV", "V", "VI"][s]
        file_id = "juki" if s in (1, 2) else None
        items.append(ComposedItem(key0, file_id, section, (section,), 0, None, False))
        i = 0
        while i < per_section and made < n_items:
            group = i // 5 + 1
            if i % 5 == 0:
                label = f"{FULLWIDTH[(group - 1) % 9]}．特定個人情報の取扱いに関する事項その{group}"
                items.append(ComposedItem(f"{key0}.{group}", file_id, label, (section, label), 1, None, group % 2 == 0))
            label = f"{CIRCLED[i % 5]}リスクに対する措置の内容"
            key = f"{key0}.{group}.{i % 5 + 1}"
            if i % 3 == 2:  # a choice with its detail below
                items.append(ComposedItem(key, file_id, label, (section, label), 2, "choice", True, CHOICES, CHOICES[made % 3]))
                made += 1
                i += 1
                if made >= n_items:
                    break
                key, label = key + ".detail", "具体的な対策の内容"
            n = made + 1
            blocks = (
                ComposedBlock("stock", "clause", "＜ガバメントクラウドにおける措置＞", STOCK[made % len(STOCK)], "gov-cloud/storage", 1),
                ComposedBlock("text-1", "text", "＜豊島区における措置＞", LOCAL[made % len(LOCAL)].format(file="住民基本台帳ファイル", n=n)),
            )
            if made % 2 == 0:
                blocks += (ComposedBlock("mid", "clause", "＜中間サーバー・プラットフォームにおける措置＞", STOCK[(made + 1) % len(STOCK)],
                                         "mid-server/audit", 2),)
            depth = 3 if label == "具体的な対策の内容" else 2
            items.append(ComposedItem(key, file_id, label, (section, label), depth, "text", made % 2 == 0, blocks=blocks))
            made += 1
            i += 1
    meta = Meta(number="1", title="住民基本台帳に関する事務 全項目評価書", office="豊島区長",
                declaration="豊島区は、住民基本台帳に関する事務における特定個人情報ファイルの取扱いにあたり、"
                            "特定個人情報ファイルの取扱いが個人のプライバシー等の権利利益に影響を及ぼしかねないことを認識し、"
                            "特定個人情報の漏えいその他の事態を発生させるリスクを軽減させるために適切な措置を講じ、"
                            "もって個人のプライバシー等の権利利益の保護に取り組んでいることを宣言する。",
                published="2025-04-01")
    return ComposedAssessment(name, "全項目", "全項目評価書", meta, "豊島区",
                              (ComposedFile("juki", "住民基本台帳ファイル", "（１）住民基本台帳ファイル"),), tuple(items))


# --------------------------------------------------------------------------- (b) docxtpl

def make_docxtpl_template(path: Path) -> None:
    """A docxtpl template laid out like hyoka's output: per section a heading and a label|content table."""
    import docx

    doc = docx.Document(str(docx_writer.default_reference()))
    doc.add_paragraph("{{ title }}", style="Title")
    doc.add_paragraph("{%p for sec in sections %}")
    doc.add_paragraph("{{ sec.label }}", style="Heading 1")
    table = doc.add_table(rows=3, cols=2)
    table.style = doc.styles["Hyoka Table"]
    table.rows[0].cells[0].text = "{%tr for it in sec.rows %}"
    table.rows[1].cells[0].paragraphs[0].text = "{{ it.label }}"
    table.rows[1].cells[0].paragraphs[0].style = doc.styles["Hyoka Label"]
    content = table.rows[1].cells[1].paragraphs[0]
    content.text = "{% for line in it.lines %}{{ line }}{% if not loop.last %}\n{% endif %}{% endfor %}"
    content.style = doc.styles["Hyoka Body"]
    table.rows[2].cells[0].text = "{%tr endfor %}"
    doc.add_paragraph("{%p endfor %}")
    doc.save(str(path))


def docxtpl_context(c: ComposedAssessment) -> dict[str, object]:
    sections: list[dict[str, object]] = []
    for it in c.items:
        if it.depth == 0:
            sections.append({"label": it.label, "rows": []})
            continue
        lines: list[str] = []
        if it.type == "choice":
            lines += list(docx_writer.choice_lines(it))
        for b in it.blocks:
            if b.heading:
                lines.append(b.heading)
            lines += b.body.split("\n")
        sections[-1]["rows"].append({"label": docx_writer.item_label(it), "lines": lines})  # type: ignore[attr-defined]
    return {"title": c.meta.title, "sections": sections}


def write_docxtpl(template: Path, c: ComposedAssessment, path: Path) -> None:
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(str(template))
    tpl.render(docxtpl_context(c))
    tpl.save(str(path))


# --------------------------------------------------------------------------- (c) the floor

_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
       '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
       "</Types>")
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
         "</Relationships>")
_DOC_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
             '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
             "</Relationships>")
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_STYLES = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles {_W}>'
           '<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:eastAsia="Noto Serif CJK JP"/><w:lang w:eastAsia="ja-JP"/></w:rPr></w:rPrDefault></w:docDefaults>'
           '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
           '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:rPr><w:b/></w:rPr></w:style>'
           "</w:styles>")


def _fp(text: str, style: str = "") -> str:
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f'<w:p>{ppr}<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def write_floor(c: ComposedAssessment, path: Path) -> None:
    out = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {_W}><w:body>', _fp(c.meta.title, "Heading1")]
    rows: list[str] = []

    def flush() -> None:
        if rows:
            out.append('<w:tbl><w:tblGrid><w:gridCol w:w="2891"/><w:gridCol w:w="6747"/></w:tblGrid>' + "".join(rows) + "</w:tbl>")
            rows.clear()

    for it in c.items:
        if it.depth == 0:
            flush()
            out.append(_fp(it.label, "Heading1"))
            continue
        lines: list[str] = list(docx_writer.choice_lines(it)) if it.type == "choice" else []
        for b in it.blocks:
            if b.heading:
                lines.append(b.heading)
            lines += b.body.split("\n")
        content = "".join(_fp(line) for line in lines) or "<w:p/>"
        rows.append(f"<w:tr><w:tc>{_fp(docx_writer.item_label(it))}</w:tc><w:tc>{content}</w:tc></w:tr>")
    flush()
    out.append('<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/_rels/document.xml.rels", _DOC_RELS)
        z.writestr("word/document.xml", "".join(out))
        z.writestr("word/styles.xml", _STYLES)


# --------------------------------------------------------------------------- timing

def per_doc_ms(fn, c: ComposedAssessment, out: Path, batch: int) -> float:  # type: ignore[no-untyped-def]
    fn(c, out / "warmup.docx")  # imports, caches
    start = time.perf_counter()
    for i in range(batch):
        fn(c, out / f"doc{i % 4}.docx")
    return (time.perf_counter() - start) * 1000 / batch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=100, help="documents per measurement (default 100)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the best counts (default 3)")
    parser.add_argument("--items", type=int, default=150, help="content items per document (default 150)")
    parser.add_argument("--keep", type=Path, help="also write one document of each kind into this directory")
    args = parser.parse_args(argv)

    c = synthetic(args.items)
    with tempfile.TemporaryDirectory(prefix="hyoka-bench-") as tmp:
        out = Path(tmp)
        template = out / "template.docx"
        make_docxtpl_template(template)
        runs = {
            "hyoka": lambda c_, p: docx_writer.write_assessment(c_, p),
            "docxtpl": lambda c_, p: write_docxtpl(template, c_, p),
            "floor": write_floor,
        }
        # interleaved rounds; each writer's best round counts (the usual way to take out noise)
        results: dict[str, float] = {}
        for _ in range(args.rounds):
            for name, fn in runs.items():
                ms = per_doc_ms(fn, c, out, args.batch)
                results[name] = min(ms, results.get(name, ms))
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for name, fn in runs.items():
                fn(c, args.keep / f"bench-{name}.docx")
        size = (out / "doc0.docx").stat().st_size
        n = sum(1 for it in c.items if it.type)
        print(f"synthetic 評価書: {n} content items, {len(c.items)} form nodes; batch of {args.batch}, best of {args.rounds} rounds")
        for name, ms in results.items():
            print(f"  {name:<8} {ms:8.1f} ms/document")
        hy, tpl, floor = results["hyoka"], results["docxtpl"], results["floor"]
        print(f"  hyoka/floor   = {hy / floor:5.2f}  (target ≤ 2.0)   {'ok' if hy <= 2 * floor else 'MISSED'}")
        print(f"  docxtpl/hyoka = {tpl / hy:5.2f}  (target ≥ 2.0)   {'ok' if tpl >= 2 * hy else 'MISSED'}")
        print(f"  (last floor document: {size:,} bytes)")

        print("linearity (hyoka):")
        base = None
        for factor in (1, 2, 4):
            big = synthetic(args.items * factor)
            ms = min(per_doc_ms(runs["hyoka"], big, out, max(5, args.batch // factor)) for _ in range(args.rounds))
            base = base or ms
            print(f"  {factor}× items ({args.items * factor:4d}): {ms:8.1f} ms/document  ({ms / base:4.2f}× the 1× time)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
