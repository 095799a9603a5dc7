"""Three-way merge of Japanese prose (propagating a clause version into a local variant)."""

from __future__ import annotations

import dataclasses
import random
import textwrap

import pytest
import yaml

from composer.load.yamlio import CONFLICT_MARKER
from composer.revisions.merge import Conflict, MergeResult, merge3, split_units

# ＜ガバメントクラウドにおける措置＞ 技術的対策 ①–⑧ (豊島区 table, 住民基本台帳ファイル ７．⑥), as rendered.
TECH = [
    "①国及びクラウド事業者は利用者のデータにアクセスしない契約等となっている。\n",
    "②地方公共団体が委託したASP(「地方公共団体情報システムのガバメントクラウドの利用に関する基準【第1.0版】」"
    "（令和４年１０月　デジタル庁。以下「利用基準」という。）に規定する「ASP」をいう。以下同じ。)"
    "又はガバメントクラウド運用管理補助者（利用基準に規定する「ガバメントクラウド運用管理補助者」をいう。以下同じ。）は、"
    "ガバメントクラウドが提供するマネージドサービスにより、ネットワークアクティビティ、データアクセスパターン、"
    "アカウント動作等について継続的にモニタリングを行うとともに、ログ管理を行う。\n",
    "③クラウド事業者は、ガバメントクラウドに対するセキュリティの脅威に対し、脅威検出やDDos対策を24時間365日講じる。\n",
    "④クラウド事業者は、ガバメントクラウドに対し、ウイルス対策ソフトを導入し、パターンファイルの更新を行う。\n",
    "⑤地方公共団体が委託したASP又はガバメントクラウド運用管理補助者は、導入しているOS及びミドルウエアについて、"
    "必要に応じてセキュリティパッチの適用を行う。\n",
    "⑥ガバメントクラウドの特定個人情報を保有するシステムを構築する環境は、インターネットとは切り離された閉域ネットワークで構成する。\n",
    "⑦地方公共団体やASP又はガバメントクラウド運用管理補助者の運用保守地点からガバメントクラウドへの接続については、"
    "閉域ネットワークで構成する。\n",
    "⑧地方公共団体が管理する業務データは、国及びクラウド事業者がアクセスできないよう制御を講じる。\n",
]
TECHNICAL = "".join(TECH)

# ＜ガバメントクラウドにおける措置＞ 保管場所 (豊島区 table, 住民基本台帳ファイル ６．①), as rendered.
STORAGE_1A = "①サーバ等はクラウド事業者が保有・管理する環境に設置し、設置場所のセキュリティ対策はクラウド事業者が実施する。"
STORAGE_1B = "なお、クラウド事業者はISMAPのリストに登録されたクラウドサービス事業者であり、セキュリティ管理策が適切に実施されているほか、次を満たすものとする。\n"
STORAGE_ISO = "・ISO/IEC27017、ISO/IEC27018 の認証を受けていること。\n"
STORAGE_JP = "・日本国内でのデータ保管を条件としていること。\n"
STORAGE_2 = (
    "②特定個人情報は、クラウド事業者が管理するデータセンター内のデータベースに保存され、"
    "バックアップも日本国内に設置された複数のデータセンターのうち本番環境とは別のデータセンター内に保存される。\n"
)
STORAGE = STORAGE_1A + STORAGE_1B + STORAGE_ISO + STORAGE_JP + STORAGE_2

ITEM9 = "⑨クラウド事業者は、利用基準の改定に応じて、セキュリティ対策を見直す。\n"


def tech(**changes: str | None) -> str:
    """TECHNICAL with items replaced (``n2="…"``) or deleted (``n3=None``)."""
    items = list(TECH)
    for key, value in changes.items():
        items[int(key[1:]) - 1] = "" if value is None else value
    return "".join(items)


def sub(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


# --------------------------------------------------------------------------- split_units


def test_split_units_sentences_and_items() -> None:
    assert split_units(STORAGE) == [
        "①サーバ等はクラウド事業者が保有・管理する環境に設置し、設置場所のセキュリティ対策はクラウド事業者が実施する。",
        STORAGE_1B,
        STORAGE_ISO,
        STORAGE_JP,
        STORAGE_2,
    ]


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("", []),
        ("。", ["。"]),
        ("一文目。二文目。", ["一文目。", "二文目。"]),
        ("一文目。\n二文目", ["一文目。\n", "二文目"]),
        ("行一\r\n行二\r行三\n", ["行一\r\n", "行二\r", "行三\n"]),
        ("\n\n", ["\n", "\n"]),
        # closing brackets stay with their sentence
        ("「ASP」をいう。以下同じ。)又は補助者", ["「ASP」をいう。", "以下同じ。)", "又は補助者"]),
        # 。 inside brackets ends no sentence: the bracketed sentence belongs to the one around it
        ("（以下「基準」という。）に規定する。次。", ["（以下「基準」という。）に規定する。", "次。"]),
        ("「基準【第1.0版】」（デジタル庁。以下「利用基準」という。）に規定する。", ["「基準【第1.0版】」（デジタル庁。以下「利用基準」という。）に規定する。"]),
        ("{{ \"。\" }}を含む。", ["{{ \"。\" }}を含む。"]),
        ("（閉じない括弧。\n次の行。", ["（閉じない括弧。\n", "次の行。"]),
        ("（①及び②を除く。）", ["（①及び②を除く。）"]),
        # a heading ＜…＞ that starts a unit is a unit
        ("＜豊島区における措置＞①対策。", ["＜豊島区における措置＞", "①対策。"]),
        ("＜豊島区における措置＞\n本文。", ["＜豊島区における措置＞\n", "本文。"]),
        ("＜見出し＞本文。", ["＜見出し＞", "本文。"]),
        ("本文＜注＞続き。", ["本文＜注＞続き。"]),
        # list markers without 。 or line breaks between them
        ("①契約②監視③対策", ["①契約", "②監視", "③対策"]),
        ("⑲十九⑳二十㉑二十一㊿五十", ["⑲十九", "⑳二十", "㉑二十一", "㊿五十"]),
        # a run of markers is one marker (豊島区 table: 「⑥⑦閉域ネットワーク」)
        ("⑤パッチ適用\n⑥⑦閉域ネットワーク\n", ["⑤パッチ適用\n", "⑥⑦閉域ネットワーク\n"]),
        # 「・」 starts a unit at line start only, not inside a word (保有・管理)
        ("次を満たす。\n・ISO\n・国内保管\n", ["次を満たす。\n", "・ISO\n", "・国内保管\n"]),
        ("保有・管理する", ["保有・管理する"]),
    ],
)
def test_split_units_table(text: str, units: list[str]) -> None:
    assert split_units(text) == units


SAMPLES = [
    "",
    "。",
    "\n",
    "\r\n",
    "\r",
    "①",
    "⑥⑦",
    "。」）\n",
    "a\n\nb",
    "・項目\n・項目",
    "全角　空白。\u3000\n",
    "絵文字😀と結合文字か\u3099。",
    "no japanese at all. just lines\nand more",
    TECHNICAL,
    STORAGE,
    TECHNICAL.replace("\n", "\r\n"),
    TECHNICAL.rstrip("\n"),
    STORAGE + TECHNICAL,
]


@pytest.mark.parametrize("text", SAMPLES)
def test_split_units_keeps_every_character(text: str) -> None:
    units = split_units(text)
    assert "".join(units) == text
    assert all(units)


# --------------------------------------------------------------------------- clean merges


CLEAN_CASES = [
    pytest.param(
        # one paragraph on one line: local edits its first sentence, upstream its second
        STORAGE,
        sub(STORAGE, "設置場所のセキュリティ対策", "設置場所の物理的セキュリティ対策"),
        sub(STORAGE, "ISMAPのリスト", "ISMAP（政府情報システムのためのセキュリティ評価制度）のリスト"),
        sub(
            sub(STORAGE, "設置場所のセキュリティ対策", "設置場所の物理的セキュリティ対策"),
            "ISMAPのリスト",
            "ISMAP（政府情報システムのためのセキュリティ評価制度）のリスト",
        ),
        id="same-line-different-sentences",
    ),
    pytest.param(
        # local appends a sentence to the paragraph, upstream rewords its first sentence
        STORAGE,
        sub(STORAGE, "次を満たすものとする。\n", "次を満たすものとする。豊島区は契約時に確認する。\n"),
        sub(STORAGE, "サーバ等は", "サーバ及びストレージ等は"),
        sub(
            sub(STORAGE, "次を満たすものとする。\n", "次を満たすものとする。豊島区は契約時に確認する。\n"),
            "サーバ等は",
            "サーバ及びストレージ等は",
        ),
        id="same-line-sentence-added-and-sentence-edited",
    ),
    pytest.param(
        TECHNICAL,
        tech(n2=sub(TECH[1], "ログ管理を行う。", "ログ管理を行い、ログは１年間保存する。")),
        tech(n5=sub(TECH[4], "必要に応じて", "速やかに")),
        tech(
            n2=sub(TECH[1], "ログ管理を行う。", "ログ管理を行い、ログは１年間保存する。"),
            n5=sub(TECH[4], "必要に応じて", "速やかに"),
        ),
        id="different-list-items",
    ),
    pytest.param(
        STORAGE,
        sub(STORAGE, "ISO/IEC27017、ISO/IEC27018 の認証", "ISO/IEC27017及びISO/IEC27018の認証"),
        sub(STORAGE, "データ保管を条件", "データ保管及び日本法の適用を条件"),
        sub(
            sub(STORAGE, "ISO/IEC27017、ISO/IEC27018 の認証", "ISO/IEC27017及びISO/IEC27018の認証"),
            "データ保管を条件",
            "データ保管及び日本法の適用を条件",
        ),
        id="different-bullet-items",
    ),
    pytest.param(
        TECHNICAL,
        sub(TECHNICAL, "DDos", "DDoS"),
        sub(TECHNICAL, "DDos", "DDoS"),
        sub(TECHNICAL, "DDos", "DDoS"),
        id="identical-edits",
    ),
    pytest.param(
        TECHNICAL,
        tech(n3=None),
        tech(n6=sub(TECH[5], "閉域ネットワーク", "閉域ネットワーク（専用線）")),
        tech(n3=None, n6=sub(TECH[5], "閉域ネットワーク", "閉域ネットワーク（専用線）")),
        id="local-deletes-item-upstream-edits-another",
    ),
    pytest.param(
        TECHNICAL,
        tech(n3=None),
        tech(n4=sub(TECH[3], "パターンファイル", "定義ファイル")),
        tech(n3=None, n4=sub(TECH[3], "パターンファイル", "定義ファイル")),
        id="local-deletes-item-upstream-edits-next-item",
    ),
    pytest.param(
        TECHNICAL,
        tech(n2=sub(TECH[1], "継続的に", "常時")),
        TECHNICAL + ITEM9,
        tech(n2=sub(TECH[1], "継続的に", "常時")) + ITEM9,
        id="upstream-adds-item-9-local-edited-2",
    ),
    pytest.param(
        TECHNICAL,
        tech(n8=sub(TECH[7], "業務データ", "住民記録データ")),
        TECHNICAL + ITEM9,
        tech(n8=sub(TECH[7], "業務データ", "住民記録データ")) + ITEM9,
        id="upstream-adds-item-9-local-edited-8",
    ),
    pytest.param(
        TECHNICAL,
        tech(n5=None),
        TECHNICAL + ITEM9,
        tech(n5=None) + ITEM9,
        id="upstream-adds-item-9-local-deleted-5",
    ),
    pytest.param(
        TECHNICAL,
        TECHNICAL,
        sub(TECHNICAL, "DDos", "DDoS") + ITEM9,
        sub(TECHNICAL, "DDos", "DDoS") + ITEM9,
        id="local-unchanged",
    ),
    pytest.param(
        TECHNICAL,
        tech(n1=None, n2=sub(TECH[1], "継続的に", "常時")),
        TECHNICAL,
        tech(n1=None, n2=sub(TECH[1], "継続的に", "常時")),
        id="upstream-unchanged",
    ),
    pytest.param("", "", STORAGE, STORAGE, id="empty-base-only-upstream-adds"),
    pytest.param("", STORAGE, "", STORAGE, id="empty-base-only-local-adds"),
    pytest.param("", STORAGE, STORAGE, STORAGE, id="empty-base-same-text-added"),
    pytest.param(
        # no trailing line break anywhere
        TECHNICAL.rstrip("\n"),
        tech(n1=sub(TECH[0], "契約等", "契約")).rstrip("\n"),
        tech(n8=sub(TECH[7], "講じる。", "講じている。")).rstrip("\n"),
        tech(n1=sub(TECH[0], "契約等", "契約"), n8=sub(TECH[7], "講じる。", "講じている。")).rstrip("\n"),
        id="no-trailing-line-break",
    ),
    pytest.param(
        TECHNICAL.replace("\n", "\r\n"),
        tech(n2=sub(TECH[1], "継続的に", "常時")).replace("\n", "\r\n"),
        tech(n3=sub(TECH[2], "DDos", "DDoS")).replace("\n", "\r\n") + ITEM9.replace("\n", "\r\n"),
        (tech(n2=sub(TECH[1], "継続的に", "常時"), n3=sub(TECH[2], "DDos", "DDoS")) + ITEM9).replace("\n", "\r\n"),
        id="crlf-line-breaks",
    ),
]


@pytest.mark.parametrize(("base", "ours", "theirs", "expected"), CLEAN_CASES)
def test_clean_merge(base: str, ours: str, theirs: str, expected: str) -> None:
    result = merge3(base, ours, theirs)
    assert result.clean
    assert result.conflicts == ()
    assert result.text == expected
    # the merge is symmetric when clean
    assert merge3(base, theirs, ours).text == expected


# --------------------------------------------------------------------------- conflicts


def test_conflict_same_sentence_changed_differently() -> None:
    ours = sub(TECHNICAL, "脅威検出やDDos対策を24時間365日講じる。", "脅威検出及びDDoS対策を常時講じる。")
    theirs = sub(TECHNICAL, "脅威検出やDDos対策を24時間365日講じる。", "脅威検出、DDoS対策及び侵入防止を講じる。")
    result = merge3(TECHNICAL, ours, theirs, theirs_label="new (gov-cloud/technical@2)")
    assert not result.clean
    assert result.conflicts == (
        Conflict(
            base=TECH[2],
            ours="③クラウド事業者は、ガバメントクラウドに対するセキュリティの脅威に対し、脅威検出及びDDoS対策を常時講じる。\n",
            theirs="③クラウド事業者は、ガバメントクラウドに対するセキュリティの脅威に対し、脅威検出、DDoS対策及び侵入防止を講じる。\n",
        ),
    )
    expected = (
        TECH[0]
        + TECH[1]
        + "<<<<<<< local\n"
        + "③クラウド事業者は、ガバメントクラウドに対するセキュリティの脅威に対し、脅威検出及びDDoS対策を常時講じる。\n"
        + "||||||| base\n"
        + TECH[2]
        + "=======\n"
        + "③クラウド事業者は、ガバメントクラウドに対するセキュリティの脅威に対し、脅威検出、DDoS対策及び侵入防止を講じる。\n"
        + ">>>>>>> new (gov-cloud/technical@2)\n"
        + "".join(TECH[3:])
    )
    assert result.text == expected


def test_edits_to_one_sentence_conflict_even_where_their_characters_do_not_overlap() -> None:
    """Merging characters would write a sentence neither side wrote: the unit is the sentence."""
    ours = sub(TECHNICAL, "24時間365日", "常時")
    theirs = sub(TECHNICAL, "DDos対策", "DDoS対策")
    result = merge3(TECHNICAL, ours, theirs)
    assert result.conflicts == (
        Conflict(base=TECH[2], ours=sub(TECH[2], "24時間365日", "常時"), theirs=sub(TECH[2], "DDos対策", "DDoS対策")),
    )
    assert "DDoS対策を常時" not in result.text


def test_edition_numbers_are_not_merged_into_one_neither_side_wrote() -> None:
    """Local 【第1.0版】→【第1.1版】, upstream →【第2.0版】 must not give 【第2.1版】."""
    ours = sub(TECHNICAL, "【第1.0版】", "【第1.1版】")
    theirs = sub(TECHNICAL, "【第1.0版】", "【第2.0版】")
    result = merge3(TECHNICAL, ours, theirs)
    assert "【第2.1版】" not in result.text
    (conflict,) = result.conflicts
    assert conflict == Conflict(base=TECH[1], ours=sub(TECH[1], "【第1.0版】", "【第1.1版】"), theirs=sub(TECH[1], "【第1.0版】", "【第2.0版】"))


def test_conflict_inside_a_paragraph_is_widened_to_the_whole_line() -> None:
    """A conflict in the second sentence of a line takes the line, so markers sit on their own lines."""
    ours = sub(STORAGE, "次を満たすものとする。", "次の要件を満たすものとする。")
    theirs = sub(STORAGE, "次を満たすものとする。", "以下を満たす必要がある。")
    result = merge3(STORAGE, ours, theirs, theirs_label="new (gov-cloud/storage@2)")
    assert result.conflicts == (
        Conflict(
            base=STORAGE_1A + STORAGE_1B,
            ours=STORAGE_1A + sub(STORAGE_1B, "次を", "次の要件を"),
            theirs=STORAGE_1A + sub(STORAGE_1B, "次を満たすものとする", "以下を満たす必要がある"),
        ),
    )
    assert result.text == (
        "<<<<<<< local\n"
        + STORAGE_1A
        + sub(STORAGE_1B, "次を", "次の要件を")
        + "||||||| base\n"
        + STORAGE_1A
        + STORAGE_1B
        + "=======\n"
        + STORAGE_1A
        + sub(STORAGE_1B, "次を満たすものとする", "以下を満たす必要がある")
        + ">>>>>>> new (gov-cloud/storage@2)\n"
        + STORAGE_ISO
        + STORAGE_JP
        + STORAGE_2
    )


def test_conflict_next_to_a_clean_change_elsewhere() -> None:
    ours = tech(n1=sub(TECH[0], "契約等", "契約"), n7=sub(TECH[6], "閉域ネットワーク", "専用線"))
    theirs = tech(n7=sub(TECH[6], "閉域ネットワーク", "閉域網"), n8=None)
    result = merge3(TECHNICAL, ours, theirs)
    # ⑦ and ⑧ form one hunk (no unit between them is unchanged on both sides); the
    # character-level merge narrows the conflict to ⑦ and takes upstream's deletion of ⑧.
    assert result.conflicts == (
        Conflict(
            base=TECH[6], ours=sub(TECH[6], "閉域ネットワーク", "専用線"), theirs=sub(TECH[6], "閉域ネットワーク", "閉域網")
        ),
    )
    assert result.text == (
        sub(TECH[0], "契約等", "契約")
        + "".join(TECH[1:6])
        + "<<<<<<< local\n"
        + sub(TECH[6], "閉域ネットワーク", "専用線")
        + "||||||| base\n"
        + TECH[6]
        + "=======\n"
        + sub(TECH[6], "閉域ネットワーク", "閉域網")
        + ">>>>>>> new\n"
    )


def test_deleted_on_one_side_edited_on_the_other_is_a_conflict() -> None:
    ours = tech(n4=None)
    theirs = tech(n4=sub(TECH[3], "パターンファイル", "定義ファイル"))
    result = merge3(TECHNICAL, ours, theirs)
    assert result.conflicts == (Conflict(base=TECH[3], ours="", theirs=sub(TECH[3], "パターンファイル", "定義ファイル")),)
    assert "<<<<<<< local\n||||||| base\n" + TECH[3] + "=======\n" in result.text


def test_a_rewrite_conflicting_with_an_edit_is_shown_whole_in_the_conflict() -> None:
    """Local rewrites ①–③ into one new item; upstream edits ①: the rewrite stays inside the conflict."""
    rewrite = "①豊島区は、クラウド事業者との契約により、利用者データへのアクセス制御、監視及び脅威対策を求める。\n"
    ours = rewrite + "".join(TECH[3:])
    theirs = tech(n1=sub(TECH[0], "契約等", "契約"))
    result = merge3(TECHNICAL, ours, theirs)
    assert result.conflicts == (Conflict(base="".join(TECH[:3]), ours=rewrite, theirs=sub(TECH[0], "契約等", "契約") + "".join(TECH[1:3])),)
    assert result.text.count(rewrite) == 1
    assert result.text.endswith(">>>>>>> new\n" + "".join(TECH[3:]))


def test_both_sides_add_different_text_to_an_empty_base() -> None:
    result = merge3("", "①豊島区の記載。\n", "①記載例の文言。\n")
    assert result.conflicts == (Conflict(base="", ours="①豊島区の記載。\n", theirs="①記載例の文言。\n"),)
    assert result.text == "<<<<<<< local\n①豊島区の記載。\n||||||| base\n=======\n①記載例の文言。\n>>>>>>> new\n"


def test_conflict_without_trailing_line_break_still_puts_markers_on_their_own_lines() -> None:
    result = merge3("①対策を講じる。", "①対策を常に講じる。", "①対策を必ず講じる。", ours_label="豊島区", theirs_label="v2")
    assert result.text == (
        "<<<<<<< 豊島区\n①対策を常に講じる。\n||||||| base\n①対策を講じる。\n=======\n①対策を必ず講じる。\n>>>>>>> v2\n"
    )


def test_markers_are_refused_by_the_loader_and_survive_a_yaml_literal_block() -> None:
    ours = tech(n3=sub(TECH[2], "24時間365日", "常時"))
    theirs = tech(n3=sub(TECH[2], "24時間365日", "年中無休で"))
    result = merge3(TECHNICAL, ours, theirs, theirs_label="new (gov-cloud/technical@2)")
    marker_lines = [line for line in result.text.splitlines() if CONFLICT_MARKER.match(line)]
    assert marker_lines == ["<<<<<<< local", "=======", ">>>>>>> new (gov-cloud/technical@2)"]
    # written into a YAML block scalar, the text (and the markers) come back unchanged
    document = "text: |\n" + textwrap.indent(result.text, "  ")
    assert yaml.safe_load(document) == {"text": result.text}
    assert len(CONFLICT_MARKER.findall(document)) == 3


def test_labels_must_be_one_line() -> None:
    with pytest.raises(ValueError):
        merge3("a", "b", "c", theirs_label="new\n(x)")


def test_records_are_frozen() -> None:
    result = merge3(TECHNICAL, TECHNICAL, TECHNICAL)
    assert isinstance(result, MergeResult)
    assert result.clean
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.text = ""  # type: ignore[misc]


# --------------------------------------------------------------------------- properties


def _variants() -> list[str]:
    """Seeded random edits of the 豊島区 table texts: replaced, deleted, inserted and split units."""
    rng = random.Random(20241001)
    words = ["豊島区", "速やかに", "。", "\n", "⑨", "・", "ISMAP", ""]
    out: list[str] = []
    for text in (TECHNICAL, STORAGE, TECHNICAL.rstrip("\n")):
        for _ in range(6):
            chars = list(text)
            for _ in range(rng.randint(1, 4)):
                at = rng.randrange(len(chars) + 1)
                span = rng.randint(0, 12)
                chars[at : at + span] = list(rng.choice(words))
            out.append("".join(chars))
    return out


VARIANTS = _variants()
PAIRS = [(b, x) for b in (TECHNICAL, STORAGE, "", "①") for x in [*SAMPLES[:6], *VARIANTS[::3]]]


@pytest.mark.parametrize(("base", "other"), PAIRS)
def test_one_side_unchanged_takes_the_other(base: str, other: str) -> None:
    assert merge3(base, base, other) == MergeResult(other, ())
    assert merge3(base, other, base) == MergeResult(other, ())
    assert merge3(base, other, other) == MergeResult(other, ())


@pytest.mark.parametrize("text", VARIANTS)
def test_split_units_keeps_every_character_of_edited_text(text: str) -> None:
    assert "".join(split_units(text)) == text


def test_random_conflicts_are_whole_lines_with_markers_on_their_own_lines() -> None:
    rng = random.Random(11)
    variants = {text: [v for v in VARIANTS if v[:3] == text[:3]] for text in (TECHNICAL, STORAGE)}
    seen_conflicts = 0
    for _ in range(200):
        base = rng.choice([TECHNICAL, STORAGE])
        ours, theirs = rng.choice(variants[base]), rng.choice(variants[base])
        result = merge3(base, ours, theirs)
        seen_conflicts += len(result.conflicts)
        lines = result.text.splitlines()
        assert sum(bool(CONFLICT_MARKER.match(line)) for line in lines) == 3 * len(result.conflicts)
        assert lines.count("||||||| base") == len(result.conflicts)
        for conflict in result.conflicts:
            for side, text in ((conflict.base, base), (conflict.ours, ours), (conflict.theirs, theirs)):
                at = text.find(side)
                assert at >= 0
                assert at == 0 or text[at - 1] == "\n"  # starts a line
                assert side == "" or side.endswith("\n") or at + len(side) == len(text)  # ends a line
    assert seen_conflicts > 0


def test_random_edits_to_different_items_merge_cleanly() -> None:
    """Edits to different items always merge cleanly and keep both sides' edits."""
    rng = random.Random(7)
    for _ in range(200):
        ours_items, theirs_items = list(TECH), list(TECH)
        mine, upstream = rng.sample(range(len(TECH)), 2)
        ours_items[mine] = "" if rng.random() < 0.3 else TECH[mine].replace("。", "。豊島区が確認する。", 1)
        theirs_items[upstream] = TECH[upstream].replace("は", "では", 1)
        expected = list(TECH)
        expected[mine], expected[upstream] = ours_items[mine], theirs_items[upstream]
        result = merge3(TECHNICAL, "".join(ours_items), "".join(theirs_items))
        assert result.clean, (mine, upstream)
        assert result.text == "".join(expected)


# --------------------------------------------------------------------------- through the CLI


def _technical_variant_workspace(tmp_path, local_edit, upstream_edit):  # type: ignore[no-untyped-def]
    """The 豊島区 example with a local variant of juki's gov-cloud/technical use and a version 2."""
    from composer.errors import Diagnostics
    from composer.load.clauses import load_clause

    from .test_propagate import add_version, own_library_workspace

    ws = own_library_workspace(tmp_path)
    v1 = load_clause(ws / "clauses" / "gov-cloud" / "technical.yaml", "gov-cloud/technical", "local", Diagnostics()).latest.text
    path = ws / "assessments" / "juki.yaml"
    text = path.read_text(encoding="utf-8")
    use = "        - clause: gov-cloud/technical@1\n"
    assert text.count(use) == 1
    variant = "".join(f"            {line}\n" for line in local_edit(v1).rstrip("\n").split("\n"))
    path.write_text(text.replace(use, use + "          variant: |\n" + variant), encoding="utf-8")
    add_version(ws, "gov-cloud/technical", upstream_edit)
    return ws, path


def test_cli_edition_numbers_conflict_instead_of_inventing_2_1(tmp_path, run) -> None:  # type: ignore[no-untyped-def]
    """Issue 11: local 【第1.0版】→【第1.1版】, upstream →【第2.0版】 gave 【第2.1版】 and exit 0."""
    ws, path = _technical_variant_workspace(
        tmp_path,
        lambda t: sub(t, "【第1.0版】", "【第1.1版】"),
        lambda t: sub(t, "【第1.0版】", "【第2.0版】"),
    )
    before = path.read_bytes()
    refused = run("-C", str(ws), "propagate", "gov-cloud/technical", "--assessment", "juki")
    assert refused.exit_code == 1, refused.stderr
    assert "conflict merging the local variant with gov-cloud/technical@2" in refused.stderr
    assert "assessments/juki.yaml:49:" in refused.stderr
    assert path.read_bytes() == before  # nothing written
    forced = run("-C", str(ws), "propagate", "gov-cloud/technical", "--assessment", "juki", "--allow-conflicts")
    assert forced.exit_code == 0, forced.stderr
    after = path.read_text(encoding="utf-8")
    assert "第2.1版" not in after
    block = after[after.index("<<<<<<< local") : after.index(">>>>>>> new (gov-cloud/technical@2)")]
    assert "【第1.1版】" in block.split("||||||| base")[0]
    assert "【第2.0版】" in block.split("=======")[1]
    assert "clause: gov-cloud/technical@2" in after


def test_cli_edits_to_different_sentences_of_the_variant_merge(tmp_path, run) -> None:  # type: ignore[no-untyped-def]
    ws, path = _technical_variant_workspace(
        tmp_path,
        lambda t: sub(t, "【第1.0版】", "【第1.1版】"),
        lambda t: sub(t, "DDos対策", "DDoS対策"),
    )
    result = run("-C", str(ws), "propagate", "gov-cloud/technical", "--assessment", "juki")
    assert result.exit_code == 0, result.stderr
    assert "(0 conflicts)" in result.stderr
    after = path.read_text(encoding="utf-8")
    assert "【第1.1版】" in after and "DDoS対策" in after and "DDos対策" not in after
    assert "【第1.0版】" not in after and "第2.1版" not in after


def test_cli_template_variant_edits_to_one_sentence_conflict(ws, run) -> None:  # type: ignore[no-untyped-def]
    """A variant with {{ }} is merged as a template: the same sentence rule applies there too."""
    from .conftest import write
    from .test_propagate import _local_responsibility, add_version

    _local_responsibility(ws)
    write(ws / "assessments" / "a.yaml", """
        form: 全項目
        items:
          IV.3:
            - clause: gov-cloud/responsibility@1
              variant: |
                ガバメントクラウド上での業務データの取扱いについては、{{ municipality }}が責任を有する。
                具体的な取り扱いについて、疑義が生じる場合は、地方公共団体とデジタル庁及び関係者で協議を行う。
    """)
    # upstream edits the start of the sentence the variant rewrote at its end: no character overlap
    add_version(ws, "gov-cloud/responsibility", lambda t: t.replace("ガバメントクラウド上での業務データの取扱いについては", "ガバメントクラウド上の業務データの取扱いについては"))
    path = ws / "assessments" / "a.yaml"
    before = path.read_bytes()
    result = run("-C", str(ws), "propagate", "gov-cloud/responsibility")
    assert result.exit_code == 1
    assert "conflict merging the local variant with gov-cloud/responsibility@2" in result.stderr
    assert path.read_bytes() == before
    forced = run("-C", str(ws), "propagate", "gov-cloud/responsibility", "--allow-conflicts")
    assert forced.exit_code == 0
    text = path.read_text(encoding="utf-8")
    assert "ガバメントクラウド上の業務データの取扱いについては、{{ municipality }}" not in text  # not spliced
    local, rest = text.split("||||||| base")
    assert "上での業務データの取扱いについては、{{ municipality }}が責任を有する。" in local
    assert "ガバメントクラウド上の業務データの取扱いについては、当該業務データを保有する" in rest.split("=======")[1]
    # the untouched second sentence stays outside the conflict
    assert text.count("具体的な取り扱いについて") == 1
