"""Typed records of hyoka's data model.

The records are frozen: a loaded clause library, a form schema, an assessment and a
composed assessment never change after loading. Later stages (diff, propagate,
publish) build new records instead of mutating old ones.

Vocabulary:

* A **clause** is stock wording with a list of **versions**. A published version never
  changes; each carries its **source** and the **notes** (reason, risk change, risk
  situation, countermeasure) that a change table uses when an assessment takes it.
* An assessment **pins** a clause version (``gov-cloud/storage@1``) in a **block** of an
  **item** of the form. An adaptable clause's block may carry a local **variant** of the
  pinned version's text; the pin is the variant's base.
* Composing renders every block to text and yields a :class:`ComposedAssessment`, the
  shape that preview/Word writers, snapshots and diffs work on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from composer.errors import Location

ClauseKind = Literal["verbatim", "adaptable"]
RiskChange = Literal["あり", "なし"]
Submission = Literal["事前", "事後"]
ItemType = Literal["text", "choice"]
Basis = Literal["verified", "recalled", "unmarked"]
ThresholdInput = Literal["people", "staff", "incident", "result"]
BlockKind = Literal["clause", "text"]

RISK_CHANGES: tuple[str, ...] = ("あり", "なし")
SUBMISSIONS: tuple[str, ...] = ("事前", "事後")
CLAUSE_KINDS: tuple[str, ...] = ("verbatim", "adaptable")


# --------------------------------------------------------------------------- clauses


@dataclass(frozen=True)
class Source:
    """Who published a clause version, in which document and edition."""

    issuer: str
    document: str
    edition: str = ""
    url: str = ""

    def __str__(self) -> str:
        parts = [self.issuer, self.document]
        if self.edition:
            parts.append(self.edition)
        return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class Notes:
    """Change notes: what a change table says when an assessment takes a version.

    All four fields are Jinja2 templates over the clause's parameters (unrendered here).
    """

    reason: str = ""
    risk_change: RiskChange | None = None
    risk_situation: str = ""
    countermeasure: str = ""


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str = ""
    default: str | None = None


@dataclass(frozen=True)
class ClauseVersion:
    number: int
    date: str
    source: Source
    text: str
    notes: Notes
    heading: str | None = None
    location: Location | None = field(default=None, compare=False)
    library: str = field(default="", compare=False)  # the clause library this version comes from

    def content_hash(self) -> str:
        """Hash of everything a published version promises not to change."""
        payload = {
            "date": self.date,
            "source": [self.source.issuer, self.source.document, self.source.edition, self.source.url],
            "heading": self.heading,
            "text": self.text,
            "notes": [self.notes.reason, self.notes.risk_change, self.notes.risk_situation, self.notes.countermeasure],
        }
        blob = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return "sha256:" + hashlib.sha256(blob).hexdigest()


@dataclass(frozen=True)
class Clause:
    id: str
    title: str
    heading: str
    kind: ClauseKind
    homes: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    versions: tuple[ClauseVersion, ...]
    library: str = "stock"
    location: Location | None = field(default=None, compare=False)

    @property
    def latest(self) -> ClauseVersion:
        return self.versions[-1]

    def version(self, number: int) -> ClauseVersion | None:
        for v in self.versions:
            if v.number == number:
                return v
        return None

    def heading_of(self, version: ClauseVersion) -> str:
        return self.heading if version.heading is None else version.heading

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)


# --------------------------------------------------------------------------- forms


@dataclass(frozen=True)
class FormNode:
    """One node of a form schema: a heading or an item that holds content."""

    key: str  # full key, e.g. "III.7.r1.5.detail" ("{n}" inside repeated groups)
    label: str  # exact label with its literal numbering, e.g. "⑤物理的対策"
    type: ItemType | None = None
    choices: tuple[str, ...] = ()
    choice_list: str | None = None
    important: bool = False
    per_file: bool = False
    repeat: bool = False
    depth: int = 0
    children: tuple[FormNode, ...] = ()
    basis: Basis = "unmarked"  # what the node's label and place rest on (inherited from its parent)
    source: str = ""  # the public source read, for a verified node
    threshold: ThresholdInput | None = None  # a しきい値判断 input this choice item answers
    prefill: str = ""  # what `hyoka new` writes here: "file_names" (the files given, joined with 、)

    @property
    def recalled(self) -> bool:
        """True when the node rests on recollection, not on a 様式 or 記載要領 that was read."""
        return self.basis != "verified"

    @property
    def holds_content(self) -> bool:
        return self.type is not None


@dataclass(frozen=True)
class Form:
    name: str
    title: str
    sections: tuple[FormNode, ...]
    choices: Mapping[str, tuple[str, ...]]
    path: str = ""
    contents: tuple[str, ...] = ()  # 項目一覧
    aliases: tuple[str, ...] = ()
    kind: str = ""  # the 評価 this form records: 基礎項目 / 重点項目 / 全項目 (default: name)
    stamp: str = ""  # the 様式 number as printed, e.g. [平成29年5月 様式2]
    basis: Basis = "unmarked"  # of the 項目一覧 and of nodes that do not say
    source: str = ""

    @property
    def evaluation(self) -> str:
        return self.kind or self.name

    @property
    def table_of_contents(self) -> tuple[str, ...]:
        return self.contents or tuple(s.label for s in self.sections)


# --------------------------------------------------------------------------- assessments


@dataclass(frozen=True)
class Pin:
    clause: str
    version: int

    def __str__(self) -> str:
        return f"{self.clause}@{self.version}"


@dataclass(frozen=True)
class Block:
    """One block of an item: a pinned clause (maybe with a local variant) or local text."""

    kind: BlockKind
    id: str
    location: Location = field(compare=False)
    pin: Pin | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    variant: str | None = None
    text: str | None = None
    heading: str | None = None  # None: the clause's heading (or none for local text)


@dataclass(frozen=True)
class ItemEntry:
    key: str
    file: str | None
    location: Location = field(compare=False)
    blocks: tuple[Block, ...] = ()
    choice: str | None = None

    @property
    def ref(self) -> str:
        return item_ref(self.key, self.file)


def item_ref(key: str, file: str | None) -> str:
    """How an item is named in messages and annotations: ``juki:II.6.1`` or ``IV.3``."""
    return f"{file}:{key}" if file else key


@dataclass(frozen=True)
class FileSpec:
    id: str
    name: str
    parameters: Mapping[str, str]
    location: Location = field(compare=False)


@dataclass(frozen=True)
class Annotation:
    """A drafter's note on a change, for the change table (keyed by item and block)."""

    item: str
    file: str | None
    blocks: tuple[str, ...]
    location: Location = field(compare=False)
    reason: str | None = None
    risk_change: RiskChange | None = None
    risk_situation: str | None = None
    countermeasure: str | None = None
    before: str | None = None
    after: str | None = None
    submission: Submission | None = None
    submission_note: str | None = None

    @property
    def ref(self) -> str:
        return item_ref(self.item, self.file)


@dataclass(frozen=True)
class Meta:
    number: str = ""
    title: str = ""
    jimu: str = ""
    office: str = ""
    declaration: str = ""
    remarks: str = ""
    published: str = ""
    reassessed: str = ""  # date of the last full re-assessment (規則第15条)


# 表紙 of the 様式: (label, Meta attribute)
COVER_FIELDS: tuple[tuple[str, str], ...] = (
    ("評価書番号", "number"),
    ("評価書名", "title"),
    ("個人のプライバシー等の権利利益の保護の宣言", "declaration"),
    ("特記事項", "remarks"),
    ("評価実施機関名", "office"),
    ("公表日", "published"),
)


@dataclass(frozen=True)
class Assessment:
    name: str
    path: str
    form: str
    meta: Meta
    parameters: Mapping[str, str]
    files: tuple[FileSpec, ...]
    items: tuple[ItemEntry, ...]
    changes: tuple[Annotation, ...] = ()
    location: Location | None = field(default=None, compare=False)

    def file(self, file_id: str) -> FileSpec | None:
        for f in self.files:
            if f.id == file_id:
                return f
        return None


# --------------------------------------------------------------------------- composed


@dataclass(frozen=True)
class RenderedNotes:
    reason: str = ""
    risk_change: RiskChange | None = None
    risk_situation: str = ""
    countermeasure: str = ""


@dataclass(frozen=True)
class ComposedBlock:
    id: str
    kind: BlockKind
    heading: str  # "" when the block has no heading paragraph
    body: str
    clause: str | None = None
    version: int | None = None
    variant: bool = False
    notes: RenderedNotes | None = None
    location: Location | None = field(default=None, compare=False)

    @property
    def text(self) -> str:
        """The block as it reads in the document: heading line, then the body."""
        return f"{self.heading}\n{self.body}" if self.heading else self.body

    @property
    def pin(self) -> str | None:
        return f"{self.clause}@{self.version}" if self.clause else None


@dataclass(frozen=True)
class ComposedItem:
    key: str
    file: str | None
    label: str
    path: tuple[str, ...]
    depth: int
    type: ItemType | None
    important: bool
    choices: tuple[str, ...] = ()
    choice: str | None = None
    blocks: tuple[ComposedBlock, ...] = ()

    @property
    def ref(self) -> str:
        return item_ref(self.key, self.file)

    @property
    def text(self) -> str:
        return "\n\n".join(b.text for b in self.blocks)

    @property
    def is_empty(self) -> bool:
        return not self.blocks and not self.choice

    @property
    def printed_label(self) -> str:
        """The label as the 評価書 prints it: ※ after a content item of 重要な変更."""
        return f"{self.label} ※" if self.important and self.type else self.label

    def choice_lines(self) -> tuple[str, str]:
        """``[ 十分である ]`` and ``＜選択肢＞　1) … 2) …`` as the 様式 prints a choice."""
        value = self.choice or "　　　　"
        options = "　".join(f"{i}) {c}" for i, c in enumerate(self.choices, 1))
        return f"[ {value} ]", f"＜選択肢＞　{options}"


@dataclass(frozen=True)
class Term:
    """A glossary entry: current wording, and why it last changed (for change tables)."""

    key: str
    wording: str
    reason: str = ""
    risk_change: RiskChange | None = None
    risk_situation: str = ""
    countermeasure: str = ""
    previous: tuple[str, ...] = ()  # former wordings, newest first


@dataclass(frozen=True)
class ComposedFile:
    id: str
    name: str
    label: str  # "（１）住民基本台帳ファイル"


@dataclass(frozen=True)
class ComposedAssessment:
    name: str
    form: str
    form_title: str
    meta: Meta
    municipality: str
    files: tuple[ComposedFile, ...]
    items: tuple[ComposedItem, ...]
    changes: tuple[Annotation, ...] = ()
    terms: tuple[Term, ...] = ()
    contents: tuple[str, ...] = ()  # 項目一覧 of the form

    def item(self, ref: str) -> ComposedItem | None:
        for it in self.items:
            if it.ref == ref:
                return it
        return None

    @property
    def pins(self) -> tuple[tuple[ComposedItem, ComposedBlock], ...]:
        return tuple((it, b) for it in self.items for b in it.blocks if b.clause)


# --------------------------------------------------------------------------- change tables

ChangeKind = Literal["added", "removed", "edited", "version", "choice", "merged"]
NO_REASON = "（変更理由未記入）"


@dataclass(frozen=True)
class ChangeRow:
    """One row of a 変更点リスク評価表 (and, reduced, of the official 別添3 変更箇所)."""

    no: int  # 通番
    section: str  # 評価書の変更箇所: the item's full path in the 様式's words, one label per line
    before: str  # 変更前
    after: str  # 変更後
    reason: str  # 変更理由
    risk_change: RiskChange | None  # リスク変化
    risk_situation: str  # リスク変化の状況
    countermeasure: str  # リスク対策
    important: bool  # 重要な変更 (the item carries ※)
    submission: Submission  # 提出時期
    item: str = ""  # item ref, e.g. "juki:II.6.1"
    blocks: tuple[str, ...] = ()
    kind: ChangeKind = "edited"
    date: str = ""  # 変更日
    submission_note: str = ""  # 提出時期に係る説明

    def to_json(self) -> dict[str, object]:
        """The row as the documented JSON object (exactly these keys)."""
        return {
            "no": self.no,
            "section": self.section,
            "before": self.before,
            "after": self.after,
            "reason": self.reason,
            "risk_change": self.risk_change,
            "risk_situation": self.risk_situation,
            "countermeasure": self.countermeasure,
            "important": self.important,
            "submission": self.submission,
        }


@dataclass(frozen=True)
class ChangeTable:
    """The rows of one assessment's change between two revisions."""

    assessment: str  # assessment name, e.g. "juki"
    jimu: str  # 事務の名称 for the title, e.g. "住民基本台帳"
    title: str  # e.g. "変更点リスク評価表(住民基本台帳)"
    rows: tuple[ChangeRow, ...]
    from_label: str = ""  # e.g. "2024-04-01"
    to_label: str = ""  # e.g. "draft"
    date: str = ""  # 変更日 of the rows
