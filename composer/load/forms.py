"""Stage 2: load form schemas (the 様式 as data) from ``templates/forms/*.yaml``.

A schema is a tree of :class:`FormNode`. Items are addressed by full keys such as
``III.7.r1.5.detail``; nodes marked ``repeat`` have ``{n}`` in key and label and are
instantiated as ``II.4.entrust1``, ``II.4.entrust2`` … by the assessment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from composer.errors import Diagnostics, ErrorList, Location, UserError
from composer.i18n import Message, _
from composer.load.validate import Fields, did_you_mean, suggest
from composer.load.yamlio import YList, load_mapping
from composer.model import Form, FormNode
from composer.resources import forms_dir

FORM_KEYS = ("form", "title", "aliases", "contents", "choices", "sections", "kind", "stamp", "basis", "source")
NODE_KEYS = ("key", "label", "type", "choices", "important", "per_file", "repeat", "items", "note", "basis", "source", "threshold", "prefill")
PREFILLS = ("file_names",)
BASES = ("verified", "recalled")
THRESHOLD_INPUTS = ("people", "staff", "incident", "result")

_RESOLVED_MAX = 50_000  # resolved keys a form index keeps (a form has hundreds; repeats add a few each)
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def fullwidth(n: int) -> str:
    return str(n).translate(_FULLWIDTH)


@dataclass(frozen=True)
class ResolvedItem:
    """A form node as it appears in one assessment: repeat numbers filled in."""

    node: FormNode
    key: str
    labels: tuple[str, ...]  # labels from the section down, repeat numbers filled in


class FormIndex:
    """Lookup of full keys (with repeat instances) for one form."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.nodes: dict[str, FormNode] = {}
        self.parents: dict[str, FormNode | None] = {}
        self._patterns: list[tuple[re.Pattern[str], FormNode]] = []
        self._resolved: dict[str, ResolvedItem | None] = {}  # every document asks for the same keys
        for section in form.sections:
            self._index(section, None)

    def _index(self, node: FormNode, parent: FormNode | None) -> None:
        self.nodes[node.key] = node
        self.parents[node.key] = parent
        if "{n}" in node.key:
            pattern = re.escape(node.key).replace(r"\{n\}", r"(\d+)")
            self._patterns.append((re.compile(f"^{pattern}$"), node))
        for child in node.children:
            self._index(child, node)

    @staticmethod
    def instances(template: str, keys: Iterable[str]) -> list[int]:
        """The numbers of a repeated group used by ``keys``: ``II.4.entrust{n}`` → [1, 2]."""
        prefix = re.escape(template).replace(r"\{n\}", r"(\d+)")
        pattern = re.compile(f"^{prefix}(?:\\.|$)")
        return sorted({int(m.group(1)) for k in keys for m in [pattern.match(k)] if m})

    def resolve(self, key: str) -> ResolvedItem | None:
        try:
            return self._resolved[key]
        except KeyError:
            pass
        resolved = self._resolve(key)
        if len(self._resolved) < _RESOLVED_MAX:  # keys a document made up need not stay
            self._resolved[key] = resolved
        return resolved

    def _resolve(self, key: str) -> ResolvedItem | None:
        node = self.nodes.get(key)
        numbers: list[str] = []
        if node is None or "{n}" in key:
            node = None
            for pattern, candidate in self._patterns:
                m = pattern.match(key)
                if m:
                    node, numbers = candidate, list(m.groups())
                    break
        if node is None:
            return None
        return ResolvedItem(node, key, self._labels(node, numbers))

    def _labels(self, node: FormNode, numbers: list[str]) -> tuple[str, ...]:
        chain: list[FormNode] = []
        cur: FormNode | None = node
        while cur is not None:
            chain.append(cur)
            cur = self.parents.get(cur.key)
        chain.reverse()
        labels = []
        nums = iter(numbers)
        for n in chain:
            label = n.label
            if n.repeat:
                label = label.replace("{n}", fullwidth(int(next(nums, "1"))))
            labels.append(label)
        return tuple(labels)

    def suggest(self, key: str) -> Message | None:
        """A 'did you mean' for an unknown key, matching keys and labels."""
        keys = [k.replace("{n}", "1") for k in self.nodes]
        best = suggest(key, keys)
        if best:
            return _("did you mean '{key}'?", key=best)
        by_label = {n.label: k.replace("{n}", "1") for k, n in self.nodes.items()}
        label = suggest(key, by_label)
        if label:
            return _("did you mean '{key}' ({label})?", key=by_label[label], label=label)
        return None


def load_form(path: Path) -> Form:
    diag = Diagnostics()
    data = load_mapping(path, _("a form schema"))
    f = Fields(data, path, diag, _("form schema"), FORM_KEYS)
    choices: dict[str, tuple[str, ...]] = {}
    cmap = f.map("choices")
    for name, values in cmap.items():
        if not isinstance(values, YList) or not values:
            diag.error(_("choice list '{name}' must be a non-empty list", name=name), Location.of(path, cmap.line_of(name)))
            continue
        choices[str(name)] = tuple(str(v) for v in values)
    basis, source = _basis(f, ("unmarked", ""), diag)
    sections = []
    slist = f.list("sections")
    for i, s in enumerate(slist):
        node = _load_node(s, path, slist.line_of(i), "", 0, False, choices, diag, (basis, source))
        if node is not None:
            sections.append(node)
    form = Form(
        name=f.str("form", required=True),
        title=f.str("title"),
        sections=tuple(sections),
        choices=choices,
        path=str(path),
        contents=f.str_list("contents"),
        aliases=f.str_list("aliases"),
        kind=f.str("kind"),
        stamp=f.str("stamp"),
        basis=basis,  # type: ignore[arg-type]
        source=source,
    )
    seen: dict[str, int] = {}
    _check_unique(form.sections, seen, path, diag)
    diag.raise_if_errors()
    return form


def _check_unique(nodes: tuple[FormNode, ...], seen: dict[str, int], path: Path, diag: Diagnostics) -> None:
    for n in nodes:
        if n.key in seen:
            diag.error(_("duplicate item key '{key}'", key=n.key), Location.of(path, None, n.key))
        seen[n.key] = 1
        _check_unique(n.children, seen, path, diag)


def _basis(f: Fields, inherited: tuple[str, str], diag: Diagnostics) -> tuple[str, str]:
    """The node's (basis, source): its own, else its parent's. A verified node names its source."""
    own = f.str("basis")
    if own and own not in BASES:
        diag.error(_("basis must be verified or recalled, not '{value}'", value=own), f.loc("basis"))
        return inherited
    basis = own or inherited[0]
    source = f.str("source") or (inherited[1] if basis == inherited[0] else "")
    if basis == "verified" and not source:
        diag.error(_("a verified node names its source"), f.loc("basis"), _("add source: (the 様式, 記載要領 or filed 評価書 read)"))
    return basis, source


def _load_node(
    data: object, path: Path, line: int, prefix: str, depth: int, per_file: bool, choices: dict[str, tuple[str, ...]], diag: Diagnostics,
    inherited: tuple[str, str] = ("unmarked", ""),
) -> FormNode | None:
    f = Fields(data, path, diag, _("form item"), NODE_KEYS)
    if not f.ok:
        return None
    basis, source = _basis(f, inherited, diag)
    threshold = f.str("threshold") or None
    if threshold is not None and threshold not in THRESHOLD_INPUTS:
        diag.error(_("threshold must be one of {values}, not '{value}'", values=THRESHOLD_INPUTS, value=threshold), f.loc("threshold"))
        threshold = None
    prefill = f.str("prefill")
    if prefill and prefill not in PREFILLS:
        diag.error(_("prefill must be one of {values}, not '{value}'", values=PREFILLS, value=prefill), f.loc("prefill"))
        prefill = ""
    key = f.str("key", required=True)
    full = f"{prefix}.{key}" if prefix else key
    per_file = per_file or f.bool("per_file")
    typ = f.str("type") or None
    if typ not in (None, "text", "choice"):
        diag.error(_("type must be text or choice, not '{value}'", value=typ), f.loc("type"))
        typ = None
    choice_name = f.str("choices") or None
    opts: tuple[str, ...] = ()
    if choice_name:
        if choice_name not in choices:
            diag.error(_("unknown choice list '{name}'", name=choice_name), f.loc("choices"), did_you_mean(choice_name, choices))
        opts = choices.get(choice_name, ())
    if typ == "choice" and not choice_name:
        diag.error(_("choice item '{key}' needs a choices list", key=full), f.loc())
    children = []
    items = f.list("items")
    for i, c in enumerate(items):
        child = _load_node(c, path, items.line_of(i), full, depth + 1, per_file, choices, diag, (basis, source))
        if child is not None:
            children.append(child)
    repeat = f.bool("repeat")
    if repeat and "{n}" not in key:
        diag.error(_("repeated item '{key}' needs {{n}} in its key", key=full), f.loc("key"))
    return FormNode(
        key=full,
        label=f.str("label", required=True),
        type=typ,  # type: ignore[arg-type]
        choices=opts,
        choice_list=choice_name,
        important=f.bool("important"),
        per_file=per_file,
        repeat=repeat,
        depth=depth,
        children=tuple(children),
        basis=basis,  # type: ignore[arg-type]
        source=source,
        threshold=threshold,  # type: ignore[arg-type]
        prefill=prefill,
    )


@cache
def _load_all(directory: str) -> dict[str, tuple[Form, FormIndex]]:
    out: dict[str, tuple[Form, FormIndex]] = {}
    errors: list[UserError] = []
    for path in sorted(Path(directory).glob("*.yaml")):
        try:
            form = load_form(path)
        except ErrorList as exc:
            errors.extend(exc.errors)
            continue
        except UserError as exc:
            errors.append(exc)
            continue
        index = FormIndex(form)
        for name in (form.name, *form.aliases):
            out[name] = (form, index)
    if errors:
        raise ErrorList(errors)
    return out


FormDirs = tuple[Path, ...]


def available_forms(directories: FormDirs | None = None) -> dict[str, tuple[Form, FormIndex]]:
    """Forms by name (and alias): the bundled ones, then a workspace's own (which win)."""
    out: dict[str, tuple[Form, FormIndex]] = {}
    for d in directories or (forms_dir(),):
        if Path(d).is_dir():
            out.update(_load_all(str(d)))
    return out


def get_form(name: str, location: Location | None = None, directories: FormDirs | None = None) -> tuple[Form, FormIndex]:
    forms = available_forms(directories)
    if name not in forms:
        names = sorted({f.name for f, _index in forms.values()})
        raise UserError(
            _("unknown form '{name}'", name=name),
            location,
            did_you_mean(name, forms) or (_("available forms: {names}", names=names) if names else _("available forms: none")),
        )
    return forms[name]


def iter_nodes(nodes: tuple[FormNode, ...]):  # type: ignore[no-untyped-def]
    for n in nodes:
        yield n
        yield from iter_nodes(n.children)


@dataclass(frozen=True)
class UnverifiedNode:
    """A node of a form schema that rests on recollection rather than on a source that was read."""

    form: str
    key: str
    label: str
    basis: str  # recalled / unmarked
    path: str  # the schema file
    important: bool

    def to_dict(self) -> dict[str, object]:
        return {"form": self.form, "key": self.key, "label": self.label, "basis": self.basis, "file": self.path,
                "important": self.important}


def unverified(form: Form) -> list[UnverifiedNode]:
    """Every node of ``form`` whose basis is not ``verified``, in schema order."""
    return [
        UnverifiedNode(form.name, n.key, n.label, n.basis, form.path, n.important)
        for n in iter_nodes(form.sections) if n.recalled
    ]
