"""Stage 4: compose an assessment — resolve pins, render every block, follow the form.

The result is a :class:`ComposedAssessment`: every node of the form in order (per
file for the per-file sections), each content item with its rendered blocks. Local
text sees all parameters and the glossary (``{{ term.KEY }}``); a clause's text and
notes see only the clause's declared parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from composer.compose.render import document_limits, render_text
from composer.errors import Diagnostics, UserError
from composer.i18n import _
from composer.load.clauses import Library
from composer.load.forms import FormDirs, FormIndex, fullwidth, get_form
from composer.load.validate import did_you_mean
from composer.model import (
    Assessment,
    Block,
    Clause,
    ClauseVersion,
    ComposedAssessment,
    ComposedBlock,
    ComposedFile,
    ComposedItem,
    FileSpec,
    FormNode,
    ItemEntry,
    RenderedNotes,
    Term,
)


class Composer:
    """Composes assessments of one workspace (library, config and forms loaded once)."""

    @classmethod
    def for_workspace(cls, ws: Any) -> Composer:
        return cls(ws.library, ws.config.municipality, ws.config.parameters, ws.config.terms, ws.form_dirs)

    def __init__(
        self,
        library: Library,
        municipality: str,
        parameters: Mapping[str, str],
        terms: Mapping[str, Term],
        form_dirs: FormDirs | None = None,
    ) -> None:
        self.library = library
        self.form_dirs = form_dirs
        self.municipality = municipality
        self.parameters = dict(parameters)
        self.terms = dict(terms)
        self.wordings = {k: t.wording for k, t in self.terms.items()}

    # ------------------------------------------------------------------ contexts

    def local_context(self, a: Assessment, f: FileSpec | None) -> dict[str, Any]:
        ctx: dict[str, Any] = {"municipality": self.municipality}
        ctx.update(self.parameters)
        ctx.update(a.parameters)
        if f is not None:
            ctx["file_name"] = f.name
            ctx.update(f.parameters)
        ctx["term"] = self.wordings
        return ctx

    def clause_context(self, clause: Clause, block: Block, local: Mapping[str, Any]) -> dict[str, Any]:
        declared = clause.parameter_names
        for name in block.params:
            if name not in declared:
                raise UserError(
                    _("clause {clause} has no parameter '{name}'", clause=clause.id, name=name),
                    block.location,
                    did_you_mean(name, declared) or _("its parameters: {names}", names=list(declared) or _("none")),
                )
        ctx: dict[str, Any] = {}
        for p in clause.parameters:
            if p.name in block.params:
                ctx[p.name] = block.params[p.name]
            elif p.name in local and p.name != "term":
                ctx[p.name] = local[p.name]
            elif p.default is not None:
                ctx[p.name] = p.default
            else:
                raise UserError(
                    _("clause {clause} needs a value for parameter '{name}'", clause=clause.id, name=p.name),
                    block.location,
                    _("add with: {{{name}: …}} to the block or '{name}' to the assessment's parameters", name=p.name),
                )
        return ctx

    # ------------------------------------------------------------------ blocks

    def compose_block(self, block: Block, local: Mapping[str, Any]) -> ComposedBlock:
        if block.kind == "text":
            body = render_text(block.text or "", local, block.location, _("local text"))
            heading = render_text(block.heading or "", local, block.location, _("heading"))
            return ComposedBlock(block.id, "text", heading, body, location=block.location)
        assert block.pin is not None
        clause, version = self.library.resolve(block.pin, block.location)
        ctx = self.clause_context(clause, block, local)
        where = _("clause {pin}", pin=str(block.pin))
        if block.variant is not None:
            if clause.kind == "verbatim":
                raise UserError(
                    _("clause {clause} is verbatim: its published wording cannot be edited locally", clause=clause.id),
                    block.location,
                    _("remove 'variant:' (or write a separate local text block)"),
                )
            body = render_text(block.variant, {**local, **ctx}, block.location, _("local variant of {pin}", pin=str(block.pin)))
        else:
            body = render_text(version.text, ctx, version.location, where)
        heading = clause.heading_of(version) if block.heading is None else block.heading
        return ComposedBlock(
            id=block.id,
            kind="clause",
            heading=render_text(heading, {**local, **ctx}, block.location, _("heading")),
            body=body,
            clause=clause.id,
            version=version.number,
            variant=block.variant is not None,
            notes=self.render_notes(clause, version, ctx),
            location=block.location,
        )

    def render_notes(self, clause: Clause, version: ClauseVersion, ctx: Mapping[str, Any]) -> RenderedNotes:
        n = version.notes
        where = _("notes of clause {clause}@{version}", clause=clause.id, version=version.number)
        return RenderedNotes(
            reason=render_text(n.reason, ctx, version.location, where),
            risk_change=n.risk_change,
            risk_situation=render_text(n.risk_situation, ctx, version.location, where),
            countermeasure=render_text(n.countermeasure, ctx, version.location, where),
        )

    # ------------------------------------------------------------------ assessment

    def compose(self, a: Assessment, diag: Diagnostics | None = None) -> ComposedAssessment:
        """Compose ``a``. Raises on the first error unless ``diag`` collects them all.

        All its texts together are held to the per-document limits of :mod:`composer.compose.render`.
        """
        with document_limits(_("assessment '{name}'", name=a.name), a.location):
            return self._compose(a, diag)

    def _compose(self, a: Assessment, diag: Diagnostics | None = None) -> ComposedAssessment:
        form, index = get_form(a.form, a.location, self.form_dirs)
        entries = {(e.file, e.key): e for e in a.items}
        items: list[ComposedItem] = []
        files = tuple(ComposedFile(f.id, f.name, f"（{fullwidth(i + 1)}）{f.name}") for i, f in enumerate(a.files))
        for section in form.sections:
            if section.per_file:
                for fspec, cfile in zip(a.files, files):
                    local = self.local_context(a, fspec)
                    self._walk(section, cfile, local, entries, index, items, diag, {})
            else:
                local = self.local_context(a, None)
                self._walk(section, None, local, entries, index, items, diag, {})
        return ComposedAssessment(
            name=a.name,
            form=form.name,
            form_title=form.title,
            meta=a.meta,
            municipality=self.municipality,
            files=files,
            items=tuple(items),
            changes=a.changes,
            terms=tuple(self.terms[k] for k in sorted(self.terms)),
            contents=form.table_of_contents,
        )

    def _walk(
        self,
        node: FormNode,
        cfile: ComposedFile | None,
        local: Mapping[str, Any],
        entries: Mapping[tuple[str | None, str], ItemEntry],
        index: FormIndex,
        out: list[ComposedItem],
        diag: Diagnostics | None,
        numbers: dict[str, int],
    ) -> None:
        if node.repeat:
            for n in self._instances(node, cfile, entries):
                self._emit(node, cfile, local, entries, index, out, diag, {**numbers, node.key: n})
            return
        self._emit(node, cfile, local, entries, index, out, diag, numbers)

    def _emit(
        self,
        node: FormNode,
        cfile: ComposedFile | None,
        local: Mapping[str, Any],
        entries: Mapping[tuple[str | None, str], ItemEntry],
        index: FormIndex,
        out: list[ComposedItem],
        diag: Diagnostics | None,
        numbers: dict[str, int],
    ) -> None:
        key = _concrete(node.key, numbers)
        resolved = index.resolve(key)
        labels = resolved.labels if resolved else (node.label,)
        path = labels[:1] + ((cfile.label,) if cfile else ()) + labels[1:]
        file_id = cfile.id if cfile else None
        entry = entries.get((file_id, key))
        blocks: list[ComposedBlock] = []
        choice = None
        if entry is not None:
            choice = entry.choice
            for b in entry.blocks:
                try:
                    blocks.append(self.compose_block(b, local))
                except UserError as exc:
                    if diag is None:
                        raise
                    diag.add(exc)
        out.append(
            ComposedItem(
                key=key,
                file=file_id,
                label=labels[-1],
                path=path,
                depth=node.depth,
                type=node.type,
                important=node.important,
                choices=node.choices,
                choice=choice,
                blocks=tuple(blocks),
            )
        )
        for child in node.children:
            self._walk(child, cfile, local, entries, index, out, diag, numbers)

    @staticmethod
    def _instances(node: FormNode, cfile: ComposedFile | None, entries: Mapping[tuple[str | None, str], ItemEntry]) -> list[int]:
        file_id = cfile.id if cfile else None
        return FormIndex.instances(node.key, (k for (fid, k) in entries if fid == file_id)) or [1]


def _concrete(key: str, numbers: Mapping[str, int]) -> str:
    for template, n in numbers.items():
        prefix = template
        if key.startswith(prefix):
            key = key.replace(prefix, prefix.replace("{n}", str(n)), 1)
    return key


__all__ = ["Composer"]
