"""Structure rules: clause parameters, clause homes, empty items.

These read the loaded workspace and the composed assessments rather than one passage of
text: the clause rules (``scope="workspace"``) read the clauses in scope, once every
assessment has been seen; the item rules (``scope="document"``) read one composed
assessment at a time. Invalid ＜選択肢＞ values are not here: the assessment loader already reports them
(code ``choice``), and lint does not report them twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from composer.compose.render import undeclared_names
from composer.errors import Location
from composer.i18n import N_, _
from composer.lint.registry import Finding, rule

if TYPE_CHECKING:  # pragma: no cover
    from composer.lint.context import LintContext
    from composer.model import Assessment, ComposedAssessment

# Fields of a clause version rendered with the clause's declared parameters only.
# (Headings are rendered with the assessment's context too, so they may use more names.)
_TEMPLATE_FIELDS = ("text", "notes.reason", "notes.risk_situation", "notes.countermeasure")
SUMMARY_KEYS = 5


@rule("param-undefined", N_("a clause template reads a name that is not a declared parameter"), severity="error", scope="workspace")
def param_undefined(ctx: LintContext) -> Iterator[Finding]:
    """A clause version's text or notes read ``{{ name }}`` but the clause declares no parameter ``name``.

    Clause templates see only their declared parameters (not ``municipality``, not ``term``), so
    such a version cannot render. Reported for every version, used or not.
    """
    for clause, versions in ctx.clauses_in_scope:
        declared = set(clause.parameter_names)
        for v in versions:
            for field_name, source in _fields(v):
                for name in sorted(undeclared_names(source) - declared):
                    path, line = ctx.field_line(clause, v.number, field_name, source, name)
                    hint = (
                        _("declare it under parameters: ({name}: {{description: …}})", name=name)
                        if name != "term"
                        else _("clause templates cannot read the glossary: declare a parameter instead")
                    )
                    pin = f"{clause.id}@{v.number}"
                    yield Finding(
                        _("{{{{ {name} }}}} in the {field} of {pin} is not a declared parameter", name=name, field=field_name, pin=pin),
                        Location.of(path, line, pin),
                        hint,
                        path=path,
                        stock=(v.library or clause.library) != "local",
                    )


@rule("param-unused", N_("a declared clause parameter that no version reads"), scope="workspace")
def param_unused(ctx: LintContext) -> Iterator[Finding]:
    """A parameter under ``parameters:`` that no version's text or notes reads (checked over all versions)."""
    for clause, _versions in ctx.clauses_in_scope:
        used: set[str] = set()
        for v in clause.versions:
            for _field, source in _fields(v):
                used |= undeclared_names(source)
        for p in clause.parameters:
            if p.name in used:
                continue
            path, line = ctx.parameter_line(clause, p.name)
            yield Finding(
                _("parameter '{name}' of clause {clause} is never used", name=p.name, clause=clause.id),
                Location.of(path, line, f"{clause.id}: parameters.{p.name}"),
                _("remove it, or use it as {{{{ {name} }}}} in a version's text or notes", name=p.name),
                path=path,
                stock=clause.library != "local",
            )


def _fields(v):  # type: ignore[no-untyped-def]
    n = v.notes
    for name, source in zip(_TEMPLATE_FIELDS, (v.text, n.reason, n.risk_situation, n.countermeasure)):
        if source:
            yield name, source


@rule("clause-home", N_("a clause used in an item its metadata does not list as a home"), scope="document")
def clause_home(ctx: LintContext, a: Assessment, composed: ComposedAssessment) -> Iterator[Finding]:
    """A pinned clause in an item whose key is not in the clause's ``homes:``.

    Clauses without ``homes:`` may go anywhere. ``{n}`` in a home matches any repeat number.
    """
    for item, block in composed.pins:
        clause = ctx.library.get(block.clause or "")
        if clause is None or not clause.homes or _at_home(item.key, clause.homes):
            continue
        yield Finding(
            _(
                "clause {pin} is used in {key} ({label}), which is not one of its homes",
                pin=block.pin, key=item.key, label=item.label,
            ),
            block.location or Location.of(a.path, None, item.ref),
            _("its homes: {homes}; move the block, or add {key} to the clause's homes", homes=tuple(clause.homes), key=item.key),
            path=a.path,
        )


def _at_home(key: str, homes: tuple[str, ...]) -> bool:
    for home in homes:
        if home == key:
            return True
        if "{n}" in home and re.fullmatch(re.escape(home).replace(r"\{n\}", r"\d+"), key):
            return True
    return False


@rule("empty-item", N_("items of the form left empty"), scope="document")
def empty_item(ctx: LintContext, a: Assessment, composed: ComposedAssessment) -> Iterator[Finding]:
    """Content items of the form (text and ＜選択肢＞ items) with no blocks, only empty text, or no choice.

    A draft leaves most items empty, so lint reports one summary warning per assessment (the
    count and the first few item keys); ``hyoka lint --all`` reports every empty item on its own.
    """
    written = {(e.file, e.key): e.location for e in a.items}
    empty = [it for it in composed.items if it.type is not None and _is_empty(it)]
    if not empty:
        return
    if ctx.everything:
        for it in empty:
            loc = written.get((it.file, it.key))
            yield Finding(
                _("item {ref} ({label}) is empty", ref=it.ref, label=it.label),
                Location.of(a.path, loc.line if loc else None, it.ref),
                _("write its text") if it.type == "text" else _("choose one of: {choices}", choices="、".join(it.choices)),
                path=a.path,
            )
        return
    first = tuple(it.ref for it in empty[:SUMMARY_KEYS]) + (("…",) if len(empty) > SUMMARY_KEYS else ())
    total = sum(1 for it in composed.items if it.type is not None)
    yield Finding(
        _("{count} of {total} items are empty: {first}", count=len(empty), total=total, first=first),
        Location.of(a.path),
        _("fill them in before publishing; `hyoka lint --all` lists each one"),
        path=a.path,
    )


def _is_empty(item) -> bool:  # type: ignore[no-untyped-def]
    if item.type == "choice":
        return not item.choice
    return not any(b.body.strip() or (b.clause and b.heading.strip()) for b in item.blocks)
