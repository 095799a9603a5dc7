"""しきい値判断: which 評価 a 事務 needs, from 対象人数, 取扱者数 and 重大事故.

The rule table (:data:`RULES`) is the one the domain notes give; each rule says whether it
was read in a public source (``verified``) or rests on recollection (``recalled``), and
:func:`judge` returns the rule it applied with the result.

The inputs come from options (``hyoka threshold --people N --staff N --incident yes``) or
from an assessment's own choice items: the form schema marks them with ``threshold:``
(``people`` / ``staff`` / ``incident``, and ``result`` for the stated しきい値判断結果).

:func:`workspace_findings` is what ``hyoka check`` adds: an assessment whose answers require
a form that no assessment of the same 事務 has. Assessments belong to the same 事務 when
their ``meta.jimu`` (事務の名称) is the same, ignoring width and spaces (NFKC, no blanks).
"""

from __future__ import annotations

import unicodedata
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from composer.errors import Location, UserError
from composer.i18n import _
from composer.load.forms import get_form, iter_nodes
from composer.model import Assessment, Basis, FormNode

Evaluation = Literal["基礎項目", "重点項目", "全項目"]
EVALUATIONS: tuple[Evaluation, ...] = ("基礎項目", "重点項目", "全項目")

#: 対象人数 bands, as the 様式's ＜選択肢＞ lists them, with their lower bounds.
BANDS: tuple[tuple[int, str], ...] = (
    (0, "1,000人未満（任意実施）"),
    (1_000, "1,000人以上1万人未満"),
    (10_000, "1万人以上10万人未満"),
    (100_000, "10万人以上30万人未満"),
    (300_000, "30万人以上"),
)
STAFF_LIMIT = 500  # 取扱者数: 500人以上 counts

#: しきい値判断結果 (the 様式's ＜選択肢＞) by the 評価 required beyond the 基礎項目評価.
RESULT_LABELS: dict[str, str] = {
    "全項目": "基礎項目評価及び全項目評価の実施が義務付けられる",
    "重点項目": "基礎項目評価及び重点項目評価の実施が義務付けられる（任意に全項目評価を実施）",
    "基礎項目": "基礎項目評価の実施が義務付けられる（任意に全項目評価を実施）",
    "": "特定個人情報保護評価の実施が義務付けられない（任意に全項目評価を実施）",
}

INPUT_NAMES = {"people": "対象人数", "staff": "取扱者数", "incident": "重大事故"}
VERIFIED_SOURCE = "島本町・可児市の公表資料（しきい値判断）"


@dataclass(frozen=True)
class Rule:
    """One row of the rule table."""

    band: int  # index into BANDS
    aggravated: bool | None  # 取扱者 ≥ 500 or a 重大事故; None: the row does not depend on it
    required: tuple[Evaluation, ...]
    basis: Basis
    source: str = ""

    @property
    def text(self) -> str:
        cond = ""
        if self.aggravated is True:
            cond = "、取扱者数500人以上または重大事故あり"
        elif self.aggravated is False:
            cond = "、取扱者数500人未満かつ重大事故なし"
        return f"対象人数 {BANDS[self.band][1]}{cond} → {describe(self.required)}"


RULES: tuple[Rule, ...] = (
    Rule(0, None, (), "verified", VERIFIED_SOURCE),
    Rule(1, None, ("基礎項目",), "recalled"),
    Rule(2, True, ("基礎項目", "重点項目"), "recalled"),
    Rule(2, False, ("基礎項目",), "recalled"),
    Rule(3, True, ("基礎項目", "全項目"), "verified", VERIFIED_SOURCE),
    Rule(3, False, ("基礎項目", "重点項目"), "recalled"),
    Rule(4, None, ("基礎項目", "全項目"), "verified", VERIFIED_SOURCE),
)


def describe(required: Iterable[str]) -> str:
    names = [f"{e}評価" for e in required]
    return "＋".join(names) if names else "評価の実施は義務付けられない"


@dataclass(frozen=True)
class ThresholdInputs:
    """What the しきい値判断 looks at; None where it is not known."""

    band: int | None = None  # index into BANDS
    staff_500: bool | None = None  # 取扱者数 500人以上
    incident: bool | None = None  # 過去1年以内の重大事故
    people: int | None = None  # the number given, when a number was given
    locations: dict[str, Location] = field(default_factory=dict, compare=False)  # input -> where it was read

    @property
    def aggravated(self) -> bool | None:
        if self.staff_500 or self.incident:
            return True
        if self.staff_500 is False and self.incident is False:
            return False
        return None

    def merged(self, other: ThresholdInputs) -> ThresholdInputs:
        """These inputs, completed from ``other`` where unknown."""
        locs = {**other.locations, **self.locations}
        return ThresholdInputs(
            self.band if self.band is not None else other.band,
            self.staff_500 if self.staff_500 is not None else other.staff_500,
            self.incident if self.incident is not None else other.incident,
            self.people if self.people is not None else other.people,
            locs,
        )

    def describe(self) -> str:
        people = BANDS[self.band][1] if self.band is not None else "不明"
        if self.people is not None:
            people = f"{self.people:,}人（{people}）"
        staff = {True: "500人以上", False: "500人未満", None: "不明"}[self.staff_500]
        incident = {True: "あり", False: "なし", None: "不明"}[self.incident]
        return f"対象人数 {people}、取扱者数 {staff}、重大事故 {incident}"


@dataclass(frozen=True)
class ThresholdResult:
    inputs: ThresholdInputs
    rule: Rule | None  # None: not determined (see ``missing``)
    required: tuple[Evaluation, ...]  # the 評価 required; when undetermined, those required in any case
    missing: tuple[str, ...] = ()  # inputs still needed to decide: "対象人数", "取扱者数", "重大事故"

    @property
    def complete(self) -> bool:
        return self.rule is not None

    @property
    def result_label(self) -> str | None:
        """The しきい値判断結果 as the 様式 words it (None when undetermined)."""
        if self.rule is None:
            return None
        top = "全項目" if "全項目" in self.required else "重点項目" if "重点項目" in self.required else (
            "基礎項目" if self.required else "")
        return RESULT_LABELS[top]

    def to_dict(self) -> dict[str, object]:
        i = self.inputs
        return {
            "inputs": {"band": BANDS[i.band][1] if i.band is not None else None, "people": i.people,
                       "staff_500": i.staff_500, "incident": i.incident},
            "required": list(self.required),
            "complete": self.complete,
            "missing": list(self.missing),
            "result": self.result_label,
            "rule": None if self.rule is None else {"text": self.rule.text, "basis": self.rule.basis, "source": self.rule.source},
        }


def band_of(people: int) -> int:
    if people < 0:
        raise UserError(_("対象人数 must not be negative ({people})", people=people))
    return max(i for i, (low, _) in enumerate(BANDS) if people >= low)


def judge(inputs: ThresholdInputs) -> ThresholdResult:
    """Apply the rule table. With an input missing, say what is required in any case."""
    if inputs.band is None:
        return ThresholdResult(inputs, None, (), ("対象人数",))
    rows = [r for r in RULES if r.band == inputs.band]
    if len(rows) == 1:
        return ThresholdResult(inputs, rows[0], rows[0].required)
    agg = inputs.aggravated
    if agg is not None:
        rule = next(r for r in rows if r.aggravated is agg)
        return ThresholdResult(inputs, rule, rule.required)
    missing = tuple(name for name, v in (("取扱者数", inputs.staff_500), ("重大事故", inputs.incident)) if v is None)
    lower = next(r for r in rows if r.aggravated is False)
    return ThresholdResult(inputs, None, lower.required, missing)


def from_options(people: int | None, staff: int | None, incident: bool | None) -> ThresholdInputs:
    return ThresholdInputs(
        band=band_of(people) if people is not None else None,
        staff_500=None if staff is None else staff >= STAFF_LIMIT,
        incident=incident,
        people=people,
    )


def parse_incident(text: str) -> bool:
    t = text.strip().lower()
    if t in ("yes", "y", "true", "あり", "発生あり", "1"):
        return True
    if t in ("no", "n", "false", "なし", "発生なし", "0"):
        return False
    raise UserError(_("--incident takes yes or no (あり/なし), not '{text}'", text=text))


# --------------------------------------------------------------------------- from an assessment


def _band_of_label(label: str, node: FormNode) -> int | None:
    for i, (_low, name) in enumerate(BANDS):
        if label == name:
            return i
    if len(node.choices) == len(BANDS) and label in node.choices:  # a workspace form that rewords the bands
        return node.choices.index(label)
    return None


def _staff_of_label(label: str) -> bool | None:
    if label.startswith(f"{STAFF_LIMIT}人以上"):
        return True
    if label.startswith(f"{STAFF_LIMIT}人未満"):
        return False
    return None


def _incident_of_label(label: str) -> bool | None:
    return {"発生あり": True, "発生なし": False}.get(label)


@dataclass(frozen=True)
class AssessmentThreshold:
    """An assessment's own しきい値判断 inputs, and the 結果 it states (if any)."""

    inputs: ThresholdInputs
    stated: str | None
    stated_location: Location | None


def inputs_of(a: Assessment, form_dirs: tuple | None = None) -> AssessmentThreshold:  # type: ignore[type-arg]
    """Read the choice items the assessment's form marks with ``threshold:``."""
    index = get_form(a.form, a.location, form_dirs)[1]
    tagged = {n.key: n for n in iter_nodes(index.form.sections) if n.threshold}
    band = staff = incident = None
    stated = None
    stated_loc = None
    locs: dict[str, Location] = {}
    for entry in a.items:
        node = tagged.get(entry.key)
        if node is None or entry.choice is None:
            continue
        if node.threshold == "people":
            band = _band_of_label(entry.choice, node)
        elif node.threshold == "staff":
            staff = _staff_of_label(entry.choice)
        elif node.threshold == "incident":
            incident = _incident_of_label(entry.choice)
        elif node.threshold == "result":
            stated, stated_loc = entry.choice, entry.location
            continue
        locs[node.threshold] = entry.location
    return AssessmentThreshold(ThresholdInputs(band, staff, incident, None, locs), stated, stated_loc)


def normalize_jimu(jimu: str) -> str:
    """A 事務名 as a key: width and blanks ignored; '' when unset or still a placeholder."""
    text = unicodedata.normalize("NFKC", jimu or "")
    if "【要記入" in text:
        return ""
    return "".join(text.split())


def jimu_key(a: Assessment) -> str:
    """What identifies an assessment's 事務: its ``meta.jimu``."""
    return normalize_jimu(a.meta.jimu)


def _satisfied(need: Evaluation, have: set[str]) -> bool:
    # a 全項目評価 may always be done instead of a 重点項目評価 (任意に全項目評価を実施)
    return need in have or (need == "重点項目" and "全項目" in have)


@dataclass(frozen=True)
class Member:
    """What :func:`workspace_findings` needs of one assessment (all it keeps of it)."""

    name: str
    location: Location | None
    jimu: str  # meta.jimu as written
    key: str  # the 事務 it belongs to
    threshold: AssessmentThreshold
    evaluation: str


def member_of(a: Assessment, form_dirs: tuple | None = None) -> Member:  # type: ignore[type-arg]
    form, _ = get_form(a.form, a.location, form_dirs)
    key = jimu_key(a) or f"\0{a.name}"  # an assessment without a 事務名 is its own 事務
    return Member(a.name, a.location, a.meta.jimu, key, inputs_of(a, form_dirs), form.evaluation)


def _by_jimu(assessments: Iterable[Assessment | Member], form_dirs: tuple | None  # type: ignore[type-arg]
             ) -> Iterator[_Group]:
    """The summaries of each 事務's assessments, a 事務 at a time, in the order they first appear.

    Grouped by their places: summaries kept in a sequence that reads them back (a spool) are
    read back when a group asks for them (a 事務 of many assessments is never held whole);
    assessments that come one by one are summarized first.
    """
    members = assessments if isinstance(assessments, Sequence) else [_member(x, form_dirs) for x in assessments]
    for group in _places(members, form_dirs).values():
        yield _Group(members, group, form_dirs)


def _places(members: Sequence[Assessment | Member], form_dirs: tuple | None) -> dict[str, array[int]]:  # type: ignore[type-arg]
    """事務 key -> the places of its assessments in ``members``."""
    places: dict[str, array[int]] = {}
    for i, x in enumerate(members):
        places.setdefault(_member(x, form_dirs).key, array("q")).append(i)
    return places


class _Group(Sequence[tuple[Member, "AssessmentThreshold", str]]):
    """The summaries of one 事務's assessments (each with its answers and its form's 評価), read back when asked for."""

    def __init__(self, members: Sequence[Assessment | Member], places: array[int], form_dirs: tuple | None) -> None:  # type: ignore[type-arg]
        self._members, self._places, self._form_dirs = members, places, form_dirs

    def __len__(self) -> int:
        return len(self._places)

    def __getitem__(self, i: int) -> tuple[Member, AssessmentThreshold, str]:  # type: ignore[override]
        m = _member(self._members[self._places[i]], self._form_dirs)
        return m, m.threshold, m.evaluation


def _member(x: Assessment | Member, form_dirs: tuple | None) -> Member:  # type: ignore[type-arg]
    return x if isinstance(x, Member) else member_of(x, form_dirs)


def workspace_findings(assessments: Iterable[Assessment | Member], report_for: Iterable[str] | None,
                       form_dirs: tuple | None = None) -> Iterator[UserError]:  # type: ignore[type-arg]
    """Warnings for ``hyoka check``: required forms missing from a 事務, and a stated しきい値判断結果
    that the answers contradict. The inputs of all assessments of a 事務 are pooled.

    ``assessments`` may be a generator, or the :func:`member_of` summaries of assessments
    already loaded: only that summary of each is kept. The warnings come one at a time."""
    wanted = set(report_for) if report_for else None

    def ordered(members: _Group) -> Iterator[tuple[Member, AssessmentThreshold, str]]:  # the 基礎項目評価書's answers first
        yield from (m for m in members if m[2] == "基礎項目")
        yield from (m for m in members if m[2] != "基礎項目")

    for members in _by_jimu(assessments, form_dirs):
        pooled = ThresholdInputs()
        for a, t, _ev in ordered(members):
            for what, mine, theirs in (("people", t.inputs.band, pooled.band), ("staff", t.inputs.staff_500, pooled.staff_500),
                                       ("incident", t.inputs.incident, pooled.incident)):
                if mine is not None and theirs is not None and mine != theirs and (wanted is None or a.name in wanted):
                    yield UserError(
                        _("this answer differs from another assessment of the same 事務 ({input})", input=INPUT_NAMES[what]),
                        t.inputs.locations.get(what, a.location),
                        _("give the same answer in every 評価書 of the 事務 (the 基礎項目評価書's answer is used)"),
                        severity="warning", code="threshold",
                    )
            pooled = pooled.merged(t.inputs)
        result = judge(pooled)
        have = {ev for _, _, ev in members}
        jimu = members[0][0].jimu or members[0][0].name
        # the missing forms are reported once per 事務, at the first answer of 対象人数
        answering = next(((a, t) for a, t, _ in ordered(members) if t.inputs.band is not None and (wanted is None or a.name in wanted)),
                         None)
        if answering is not None:
            a, t = answering
            loc = t.inputs.locations.get("people", a.location)
            rule = result.rule.text if result.rule else describe(result.required)
            for need in result.required:
                if not _satisfied(need, have):
                    yield UserError(
                        _("the しきい値判断 requires a {form}評価書 for 事務 '{jimu}' ({rule}), and no assessment of that 事務 is one",
                          form=need, jimu=jimu, rule=rule),
                        loc,
                        _("draft it with `hyoka new NAME --form {form} --jimu {jimu}`; the assessments of one 事務 share meta.jimu",
                          form=need, jimu=jimu),
                        severity="warning", code="threshold",
                    )
        for a, t, _ev in members:
            if wanted is not None and a.name not in wanted:
                continue
            if t.stated and result.complete and t.stated != result.result_label:
                yield UserError(
                    _("しきい値判断結果 says 「{stated}」 but the answers give 「{result}」 ({inputs})",
                      stated=t.stated, result=result.result_label, inputs=pooled.describe()),
                    t.stated_location,
                    _("correct the 結果 or the answers; `hyoka threshold NAME` shows the rule applied"),
                    severity="warning", code="threshold",
                )
