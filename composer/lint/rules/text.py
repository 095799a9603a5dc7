"""Wording rules: each reads one passage of text and yields hits.

Every rule here is built from a mistake the 豊島区 table's published 評価書 actually makes; the
test table in ``tests/test_lint.py`` quotes the 豊島区 table's own text for each.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from composer.i18n import N_, Message, _
from composer.lint.registry import Hit, Passage, codepoint, excerpt, rule
from composer.lint.rules.data import KATAKANA, LONG_VOWEL_LOOKALIKES, LintData, same_but_lookalikes
from composer.load.assessment import PLACEHOLDER

# --------------------------------------------------------------------------- bracket-balance

_PAIRS = dict(zip("（(「｢『＜【［[〔｛〈《", "）)」｣』＞】］]〕｝〉》"))
# full- and half-width forms of a bracket close each other: （ISMAP) is not an imbalance
_FAMILY = {ch: family for family, forms in (("（", "（()）"), ("「", "「｢」｣"), ("［", "［[］]")) for ch in forms}
for _o, _c in _PAIRS.items():
    _FAMILY.setdefault(_o, _o)
    _FAMILY.setdefault(_c, _o)
_OPENERS = frozenset(_PAIRS)
_BRACKET = re.compile("[" + re.escape("".join(_PAIRS) + "".join(_PAIRS.values())) + "]")
# 「1)」「１）」「ア）」 at the start of a line number a list; their ) closes nothing
_LIST_MARKER = re.compile(r"^[ \t　]*[0-9０-９a-zA-Zａ-ｚＡ-Ｚア-ンイロハニホヘト]{1,3}([)）])", re.M)


@rule("bracket-balance", N_("unbalanced or mismatched brackets （）「」『』＜＞【】"), severity="error")
def bracket_balance(p: Passage, data: LintData) -> Iterator[Hit]:
    """A closing bracket with no opening one, or an opening bracket never closed.

    The 豊島区 table: 「政府情報システムのセキュリティ制度ISMAP）のリスト」 lost its 「（」. Full- and
    half-width forms of one bracket close each other; ``1)`` / ``１）`` at the start of a line
    is a list number, not a bracket. Not fixable: only the drafter knows where the other half goes.
    """
    text = p.text
    markers = {m.start(1) for m in _LIST_MARKER.finditer(text)}
    stack: list[tuple[int, str]] = []
    for m in _BRACKET.finditer(text):
        i, ch = m.start(), m.group()
        if ch in _OPENERS:
            stack.append((i, ch))
            continue
        if i in markers:
            continue
        family = _FAMILY[ch]
        depth = next((d for d in range(len(stack) - 1, -1, -1) if _FAMILY[stack[d][1]] == family), -1)
        if depth < 0:
            opener = family if family != "（" or ch == "）" else "("
            if stack:
                hint = _(
                    "add the opening 「{opener}」 where it belongs, or delete the 「{char}」 (the open bracket here is 「{open}」)",
                    opener=opener, char=ch, open=stack[-1][1],
                )
            else:
                hint = _("add the opening 「{opener}」 where it belongs, or delete the 「{char}」", opener=opener, char=ch)
            yield Hit(i, i + 1, _("{excerpt}: 「{char}」 closes no bracket", excerpt=excerpt(text, i, i + 1), char=ch), hint)
            continue
        for j, och in stack[depth + 1 :]:
            yield _unclosed(text, j, och)
        del stack[depth:]
    for j, och in stack:
        yield _unclosed(text, j, och)


def _unclosed(text: str, i: int, ch: str) -> Hit:
    return Hit(
        i,
        i + 1,
        _("{excerpt}: 「{char}」 is never closed", excerpt=excerpt(text, i, i + 1), char=ch),
        _("add the closing 「{closer}」 or delete the 「{char}」", closer=_PAIRS[ch], char=ch),
    )


# --------------------------------------------------------------------------- long-vowel

_LONG_VOWEL = re.compile(f"(?<=[{KATAKANA}])[{LONG_VOWEL_LOOKALIKES}](?![{LONG_VOWEL_LOOKALIKES}])")
_KATAKANA_RUN = re.compile(f"[{KATAKANA}ー]+$")


@rule("long-vowel", N_("a dash or hyphen after katakana where the long-vowel mark ー belongs"), severity="error", fixable=True)
def long_vowel(p: Passage, data: LintData) -> Iterator[Hit]:
    """― (U+2015), ‐ (U+2010), － (U+FF0D), ｰ (U+FF70) and similar dashes right after katakana.

    The 豊島区 table: 「番号連携サーバ―（団体内統合宛名システム）」 with U+2015. A doubled dash (――) is a dash and
    is left alone. ``--fix`` writes ー.
    """
    text = p.text
    for m in _LONG_VOWEL.finditer(text):
        i, ch = m.start(), m.group()
        word = _KATAKANA_RUN.search(text, max(0, i - 20), i)
        stem = word.group() if word else text[i - 1]
        yield Hit(
            i,
            i + 1,
            _(
                "{excerpt}: {char} ({code}) where the long-vowel mark ー belongs",
                excerpt=excerpt(text, i, i + 1), char=ch, code=codepoint(ch),
            ),
            _("write 「{text}」", text=stem + "ー"),
            "ー",
        )


# --------------------------------------------------------------------------- halfwidth-kana

_HALFWIDTH = re.compile("[\uff61-\uff9f]+")
_FULL_KATAKANA = re.compile(f"[{KATAKANA}]")


@rule("halfwidth-kana", N_("half-width katakana and half-width punctuation (｢ｻｰﾊﾞ｣, ･)"), fixable=True)
def halfwidth_kana(p: Passage, data: LintData) -> Iterator[Hit]:
    """Half-width katakana, ｢｣､｡ and the half-width middle dot ･ (U+FF65).

    The 豊島区 table: 「中間サーバ･プラットフォーム」. ``--fix`` converts the run to full width (NFKC on the
    run only), so ･ becomes ・ and ｻｰﾊﾞ becomes サーバ.
    """
    text = p.text
    for m in _HALFWIDTH.finditer(text):
        run = m.group()
        if set(run) == {"ｰ"} and m.start() > 0 and _FULL_KATAKANA.match(text[m.start() - 1]):
            continue  # サーバｰ: a long-vowel look-alike, reported by long-vowel
        fixed = unicodedata.normalize("NFKC", run)
        where = excerpt(text, m.start(), m.end())
        if run == "･":
            message = _("{excerpt}: half-width middle dot ･ (U+FF65)", excerpt=where)
        else:
            message = _("{excerpt}: half-width 「{run}」", excerpt=where, run=run)
        yield Hit(m.start(), m.end(), message, _("write 「{text}」", text=fixed), fixed)


# --------------------------------------------------------------------------- compat-char


@rule("compat-char", N_("vertical presentation forms and other compatibility characters (︓ for ：)"), fixable=True)
def compat_char(p: Passage, data: LintData) -> Iterator[Hit]:
    """Characters from ``templates/lint/characters.yaml``: vertical forms, ㈱ and era ligatures, invisible characters.

    The 豊島区 table: 「︓第三欄（情報提供者）が…」 and 「リスク４︓入手の際に…」 with ︓ (U+FE13 PRESENTATION FORM
    FOR VERTICAL COLON) where ： belongs. ``--fix`` writes the listed replacement.
    """
    if data.compat_pattern is None:
        return
    text = p.text
    for m in data.compat_pattern.finditer(text):
        ch = m.group()
        repl = data.compat[ch]
        name = unicodedata.name(ch, "")
        where = excerpt(text, m.start(), m.end())
        if name:
            message = _("{excerpt}: {char} ({code} {name})", excerpt=where, char=ch, code=codepoint(ch), name=name)
        else:
            message = _("{excerpt}: {char} ({code})", excerpt=where, char=ch, code=codepoint(ch))
        hint = _("write 「{text}」", text=repl) if repl.strip() else (_("write a space") if repl else _("delete it"))
        yield Hit(m.start(), m.end(), message, hint, repl)


# --------------------------------------------------------------------------- term-variant


@rule("term-variant", N_("a spelling variant of a term (サーバ → サーバー, DDos → DDoS)"), fixable=True)
def term_variant(p: Passage, data: LintData) -> Iterator[Hit]:
    """Variants from ``templates/lint/terms.yaml`` and ``lint.terms``, and variants of the glossary's wordings.

    The 豊島区 table mixes サーバ / サーバー, 中間サーバ・プラットフォーム / 中間サーバー・プラットフォーム and writes DDos.
    A glossary wording (``terms:`` in hyoka.yaml) also matches with a long vowel missing, the middle
    dot missing or half-width, and ASCII case differing; the glossary wins where both apply.
    ``--fix`` writes the canonical form.
    """
    text = p.text
    claimed: list[tuple[int, int]] = []
    for term, wording, pattern in data.glossary:
        for m in pattern.finditer(text):
            claimed.append((m.start(), m.end()))
            found = m.group()
            if found == wording or same_but_lookalikes(found, wording):
                continue
            if m.end() < len(text) and text[m.end()] in "ー" + LONG_VOWEL_LOOKALIKES:
                continue
            yield Hit(
                m.start(),
                m.end(),
                _(
                    "{excerpt}: 「{found}」 is a variant of the glossary's 「{wording}」",
                    excerpt=excerpt(text, m.start(), m.end()), found=found, wording=wording,
                ),
                _("write 「{wording}」, or {{{{ term.{term} }}}} in local text", wording=wording, term=term),
                wording,
            )
    if data.term_pattern is None:
        return
    for m in data.term_pattern.finditer(text):
        start, end = m.start(), m.end()
        if any(a <= start and end <= b for a, b in claimed):
            continue
        found = m.group()
        canonical = data.terms[found]
        if _inside(text, canonical, start, end):
            continue
        yield Hit(
            start,
            end,
            _("{excerpt}: 「{found}」 is a variant of 「{canonical}」", excerpt=excerpt(text, start, end), found=found, canonical=canonical),
            _("write 「{text}」", text=canonical),
            canonical,
        )


def _inside(text: str, word: str, start: int, end: int) -> bool:
    """True if ``text[start:end]`` lies inside an occurrence of ``word``."""
    i = text.find(word, max(0, end - len(word)))
    while 0 <= i <= start:
        if i + len(word) >= end:
            return True
        i = text.find(word, i + 1)
    return False


# --------------------------------------------------------------------------- vendor-name


@rule("vendor-name", N_("a vendor (事業者) name in the text, from a configurable list"))
def vendor_name(p: Passage, data: LintData) -> Iterator[Hit]:
    """Names from ``templates/lint/vendors.yaml`` and ``lint.vendors``.

    The 豊島区 table: 「システム共通基盤（富士通）」, removed because 「評価書から事業者名を削除する方針へ変更と
    なった」. A name in brackets is reported with its brackets. Not fixed automatically: deleting a
    name may need the sentence reworded.
    """
    if data.vendor_pattern is None:
        return
    text = p.text
    for m in data.vendor_pattern.finditer(text):
        found = m.group()
        yield Hit(
            m.start(),
            m.end(),
            _("{excerpt}: vendor name 「{found}」", excerpt=excerpt(text, m.start(), m.end()), found=found),
            _("delete 「{found}」 if the 評価書 leaves out 事業者名 (lint.disable: [vendor-name] if not)", found=found),
        )


# --------------------------------------------------------------------------- identifier-spacing


@rule("identifier-spacing", N_("inconsistent spelling of standard identifiers (ISO/IEC27017 → ISO/IEC 27017)"), fixable=True)
def identifier_spacing(p: Passage, data: LintData) -> Iterator[Hit]:
    """Identifier families from ``templates/lint/identifiers.yaml``, each with its canonical spelling.

    The 豊島区 table writes 「ISO/IEC27017、ISO/IEC27018 の認証」 and 「ISO/IEC 27017と27018の認証」, and
    「NIST 800-88」 for NIST SP 800-88. ``--fix`` writes the canonical spelling.
    """
    text = p.text
    for ident in data.identifiers:
        for m in ident.pattern.finditer(text):
            canonical = m.expand(ident.canonical)
            if m.group() != canonical:
                yield Hit(
                    m.start(),
                    m.end(),
                    _(
                        "{excerpt}: 「{found}」 is not the usual spelling of this {what}",
                        excerpt=excerpt(text, m.start(), m.end()), found=m.group(), what=Message(ident.name),
                    ),
                    _("write 「{text}」", text=canonical),
                    canonical,
                )


# --------------------------------------------------------------------------- placeholder


@rule("placeholder", N_("a 【要記入…】 placeholder left in an assessment"), origins=("assessment",))
def placeholder(p: Passage, data: LintData) -> Iterator[Hit]:
    """Text 【要記入…】 (what ``hyoka`` writes where the drafter must fill in) still in an assessment."""
    for m in PLACEHOLDER.finditer(p.text):
        yield Hit(
            m.start(),
            m.end(),
            _("placeholder 「{found}」 left in the text", found=m.group()),
            _("write the wording, then delete the placeholder"),
        )
