"""Stage: lint — the wording problems that real 評価書 have.

Lint reads what people wrote: the texts of assessments (local text, variants, headings,
metadata, parameter values, change notes) and of the clause library (each version's text,
heading and notes), and the composed assessments. Rules live in :mod:`composer.lint.rules`,
one decorated function each; their data lives in ``templates/lint/*.yaml``, merged with the
workspace's ``lint:`` settings and glossary.

Each finding is a :class:`~composer.errors.UserError` whose ``code`` is the rule id, located
at the file and line of the offending character. Findings in the bundled stock clauses are
warnings: that wording belongs to its publisher and is reported, never rewritten.

Disabling: ``lint: {disable: [rule-id, …]}`` in hyoka.yaml, or a YAML comment
``# hyoka: disable=rule-id[,rule-id…]`` on a line of an assessment or clause file: it covers
the value on that line and everything nested under it; in the comment lines at the top of a
file it covers the whole file.

``--fix`` (:func:`run_lint` with ``fix=True``) applies the safe replacements to assessment
files only, editing the exact characters on their lines and leaving everything else as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from composer.compose.stream import Progress
from composer.errors import Diagnostics, Location, UserError
from composer.i18n import Message, _
from composer.lint.context import LintContext, ParsedFile, parse_file  # noqa: F401 (ParsedFile, parse_file: once defined here)
from composer.lint.rules import RULES, Finding, Hit, Passage, Rule
from composer.lint.rules.data import LintData, build_data
from composer.load.validate import did_you_mean, type_name
from composer.load.yamlio import YMap, parse_yaml, read_text
from composer.model import Assessment, ComposedAssessment
from composer.spool import Spool

LINT_KEYS = ("disable", "vendors", "terms", "severity")
SEVERITIES = ("error", "warning")
MAX_FIX_PASSES = 5


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class Settings:
    disabled: frozenset[str]
    severity: dict[str, str]
    data: LintData
    problems: tuple[UserError, ...] = ()


def settings_of(ws: Any, ctx: LintContext) -> Settings:
    """The workspace's ``lint:`` section, checked: unknown keys and rule ids are reported."""
    config = dict(ws.config.lint or {})
    problems: list[UserError] = []
    f = ctx.file(ws.config_path)
    node = f.data.get("lint") if f is not None and isinstance(f.data, YMap) else None
    node = node if isinstance(node, YMap) else YMap()

    def loc(key: str | None = None) -> Location:
        return Location.of(ws.config_path, node.line_of(key) if key else node.line or None, f"lint.{key}" if key else "lint")

    for key in config:
        if key not in LINT_KEYS:
            problems.append(
                UserError(
                    _("unknown key '{key}' in lint settings", key=key),
                    loc(key),
                    did_you_mean(str(key), LINT_KEYS) or _("allowed keys: {keys}", keys=LINT_KEYS),
                    code="lint-config",
                )
            )
    def wrong_type(key: str, expected: Message) -> None:
        problems.append(
            UserError(
                _("'lint.{key}' must be {expected}, found {found}", key=key, expected=expected, found=type_name(config[key])),
                loc(key),
                code="lint-config",
            )
        )

    disabled = config.get("disable") or []
    if isinstance(disabled, str):
        disabled = [disabled]
    if not isinstance(disabled, list) or any(isinstance(d, (dict, list)) or d is None for d in disabled):
        wrong_type("disable", _("a list of rule ids"))
        disabled = []
    for key in ("terms",):
        value = config.get(key)
        if value is not None and (
            not isinstance(value, dict)
            or any(isinstance(v, dict) or (isinstance(v, list) and any(isinstance(x, (dict, list)) for x in v)) for v in value.values())
        ):
            wrong_type(key, _("a mapping of the usual wording to its variants (text or a list of texts)"))
            config[key] = {}
    vendors = config.get("vendors")
    if vendors is not None and (not isinstance(vendors, (str, list)) or isinstance(vendors, list) and any(isinstance(v, (dict, list)) for v in vendors)):
        wrong_type("vendors", _("a list of vendor names"))
        config["vendors"] = []
    for rule_id in disabled:
        if rule_id not in RULES:
            problems.append(
                UserError(
                    _("unknown lint rule '{rule}'", rule=rule_id),
                    loc("disable"),
                    did_you_mean(str(rule_id), RULES) or _("see `hyoka lint --rules`"),
                    code="lint-config",
                )
            )
    severity = config.get("severity") or {}
    overrides: dict[str, str] = {}
    if not isinstance(severity, dict):
        wrong_type("severity", _("a mapping of rule id to error or warning"))
        severity = {}
    if isinstance(severity, dict):
        for rule_id, level in severity.items():
            if rule_id not in RULES:
                problems.append(
                    UserError(
                        _("unknown lint rule '{rule}'", rule=rule_id), loc("severity"), did_you_mean(str(rule_id), RULES), code="lint-config"
                    )
                )
            elif level not in SEVERITIES:
                problems.append(
                    UserError(
                        _("severity of '{rule}' must be error or warning, not '{level}'", rule=rule_id, level=level),
                        loc("severity"),
                        code="lint-config",
                    )
                )
            else:
                overrides[str(rule_id)] = str(level)
    try:
        data = build_data(config, ws.config.terms)
    except (UserError, KeyError, re.error) as exc:
        problems.append(UserError(_("cannot read the lint data: {reason}", reason=exc), loc(), code="lint-config"))
        data = build_data({}, {})
    return Settings(frozenset(str(d) for d in disabled), overrides, data, tuple(problems))


# --------------------------------------------------------------------------- running


@dataclass(frozen=True)
class Edit:
    """One safe replacement on one line of an assessment file."""

    path: str
    line: int
    text_line: str  # the line of the passage's text the hit is on
    col: int  # offset of the hit in text_line
    old: str
    new: str


class Linter:
    """Lints assessments one at a time, then the clauses in scope (see :func:`lint_workspace`).

    The findings come out as they are made, in report order, so a caller can print them
    and keep nothing: :meth:`start` gives the problems of the ``lint:`` settings, :meth:`add`
    lints one assessment and gives its findings (by line), :meth:`finish` lints the clauses
    in scope and runs the workspace rules. What the linter keeps of an assessment is only
    what the workspace rules need (the clause versions it pins, small summaries) and, with
    ``fixes``, its safe fixes.
    """

    def __init__(self, ws: Any, names: list[str] | None = None, everything: bool = False, fixes: bool = True) -> None:
        self.ctx = LintContext(ws, names, everything)
        self.fixes = fixes  # keep the safe fixes (only ``--fix`` applies them)
        self.settings = settings_of(ws, self.ctx)
        live = [r for r in RULES.values() if r.id not in self.settings.disabled]
        self.text_rules = [r for r in live if r.scope == "text"]
        self.document_rules = [r for r in live if r.scope == "document"]
        self.workspace_rules = [r for r in live if r.scope == "workspace"]
        self.edits: list[Edit] = []

    def start(self) -> list[UserError]:
        """The problems of the workspace's ``lint:`` settings (reported before any finding)."""
        return list(self.settings.problems)

    def add(self, a: Assessment, composed: ComposedAssessment) -> list[UserError]:
        """Lint one composed assessment (its texts and the document rules): its findings, by line."""
        ctx = self.ctx
        ctx.note(composed)
        out: list[UserError] = []
        for p in ctx.passages(a):
            self._text(p, out)
        for r in self.document_rules:
            self._findings(r, r.check(ctx, a, composed), out)
        ctx.forget(a.path)
        return _in_order(out)

    def kept(self) -> frozenset[tuple[str | None, int | None]]:
        """The clause versions the assessments added since the last call pin, forgotten here: what a
        linter in a worker process sends to the one that finishes (:meth:`merge`)."""
        pinned = frozenset(self.ctx.pinned)
        self.ctx.pinned.clear()
        return pinned

    def merge(self, pinned: Iterable[tuple[str | None, int | None]]) -> None:
        """Record the clause versions another linter's assessments pin (:meth:`kept`), as if they were added here."""
        self.ctx.pinned.update(pinned)

    def finish(self) -> tuple[list[UserError], list[Edit]]:
        """The findings in the clauses in scope and of the workspace rules, and the safe fixes."""
        ctx = self.ctx
        ctx.close()
        clause_hits: list[UserError] = []
        for p in ctx.clause_passages():
            self._text(p, clause_hits)
        across: list[UserError] = []
        for r in self.workspace_rules:
            self._findings(r, r.check(ctx), across)
        return [*_in_order(clause_hits), *_in_order(across)], self.edits

    def _text(self, p: Passage, out: list[UserError]) -> None:
        f = self.ctx.file(p.path)
        for r in self.text_rules:
            if p.origin not in r.origins:
                continue
            for hit in r.check(p, self.settings.data):
                assert isinstance(hit, Hit)
                if f is not None and f.disabled(r.id, p.anchors):
                    continue
                out.append(_from_hit(r, p, hit, self.settings))
                if self.fixes and r.fixable and hit.replacement is not None and p.origin == "assessment" and p.line is not None:
                    self.edits.append(_edit(p, hit))

    def _findings(self, r: Rule, findings: Iterable[Hit] | Iterable[Finding], out: list[UserError]) -> None:
        for finding in findings:
            assert isinstance(finding, Finding)
            loc = finding.location
            f = self.ctx.file(finding.path) if finding.path else None
            if f is not None:
                line = loc.line if loc else None
                anchors = f.anchors.get(line, frozenset({line})) if line else frozenset()
                if f.disabled(r.id, anchors):
                    continue
            severity = "warning" if finding.stock else finding.severity or self.settings.severity.get(r.id, r.severity)
            if finding.stock:
                message = _("{message} [{rule}] (library clause: reported only)", message=finding.message, rule=r.id)
            else:
                message = _("{message} [{rule}]", message=finding.message, rule=r.id)
            out.append(UserError(message, loc, finding.hint, severity, r.id))  # type: ignore[arg-type]


def lint_workspace(
    ws: Any,
    composed: Iterable[tuple[Assessment, ComposedAssessment]],
    names: list[str] | None = None,
    everything: bool = False,
) -> list[UserError]:
    """Every lint finding over the composed assessments and the clauses in scope.

    ``composed`` may be a generator (:func:`composer.compose.stream.compose_each`): each
    assessment is linted as it comes and is not kept.
    """
    linter = Linter(ws, names, everything, fixes=False)
    out = linter.start()
    for a, c in composed:
        out += linter.add(a, c)
    return out + linter.finish()[0]


def _in_order(findings: list[UserError]) -> list[UserError]:
    """Settings problems first, then by file (in the order files were read) and line."""
    files: dict[str, int] = {}
    for e in findings:
        files.setdefault(e.location.file if e.location else "", len(files))

    def key(e: UserError) -> tuple[int, int, int]:
        loc = e.location
        return (e.code != "lint-config", files[loc.file if loc else ""], (loc.line or 0) if loc else 0)

    return sorted(findings, key=key)


def _from_hit(r: Rule, p: Passage, hit: Hit, settings: Settings) -> UserError:
    message = _("{message} [{rule}]", message=hit.message, rule=r.id)
    hint: str | Message | None = hit.hint
    if p.stock:
        severity = "warning"
        if p.verbatim:
            message = _(
                "{message} [{rule}] — the publisher's wording (verbatim clause {key}), reported only",
                message=hit.message, rule=r.id, key=p.key,
            )
            hint = _("{hint} in a later edition; hyoka never rewrites published wording", hint=hint) if hint else None
        else:
            message = _(
                "{message} [{rule}] — the publisher's wording (library clause {key}), reported only",
                message=hit.message, rule=r.id, key=p.key,
            )
            hint = _("{hint} in a local variant of {key}", hint=hint, key=p.key) if hint else None
    else:
        severity = settings.severity.get(r.id, r.severity)
        if p.origin == "clause" and hint:
            hint = _("{hint} (in a new version if {key} is published)", hint=hint, key=p.key)
    return UserError(message, Location.of(p.path, p.line_at(hit.start), p.key), hint, severity, r.id)  # type: ignore[arg-type]


def _edit(p: Passage, hit: Hit) -> Edit:
    start = p.text.rfind("\n", 0, hit.start) + 1
    end = p.text.find("\n", hit.start)
    text_line = p.text[start : end if end >= 0 else len(p.text)]
    return Edit(
        p.path, p.line_at(hit.start) or 0, text_line, hit.start - start, p.text[hit.start : hit.end], hit.replacement or ""
    )


# --------------------------------------------------------------------------- fixing


def apply_edits(edits: Iterable[Edit], root: Path | None = None) -> dict[str, int]:
    """Apply edits to their files; returns the number applied per file.

    Each edit must find its old text at its place on its line (else it is skipped and stays
    reported); a file is written only if it still parses as YAML afterwards, and all the
    files are written as one transaction of the workspace at ``root``.
    """
    by_file: dict[str, list[Edit]] = {}
    for e in edits:
        by_file.setdefault(e.path, []).append(e)
    applied: dict[str, int] = {}
    staged: dict[Path, tuple[str, str]] = {}
    for path, file_edits in by_file.items():
        text = read_text(Path(path))
        lines = text.splitlines(keepends=True)
        count = 0
        by_line: dict[int, list[Edit]] = {}
        for e in file_edits:
            by_line.setdefault(e.line, []).append(e)
        for n, line_edits in by_line.items():
            if not 0 < n <= len(lines):
                continue
            raw = lines[n - 1]
            placed = sorted(((_place(raw, e), e) for e in line_edits), key=lambda x: -x[0])
            last = len(raw) + 1
            for pos, e in placed:
                if pos < 0 or pos + len(e.old) > last:
                    continue  # not found, or overlaps an edit already made
                raw = raw[:pos] + e.new + raw[pos + len(e.old) :]
                last = pos
                count += 1
            lines[n - 1] = raw
        if not count:
            continue
        new_text = "".join(lines)
        try:
            parse_yaml(new_text, Path(path))
        except UserError:
            continue
        staged[Path(path)] = (text, new_text)
        applied[path] = count
    if staged:
        from composer.transaction import Transaction, find_workspace_root

        with Transaction(root or find_workspace_root(next(iter(staged)).parent)) as txn:
            for p, (before, after) in staged.items():
                txn.write(p, after, expect=before)
    return applied


def _place(raw: str, e: Edit) -> int:
    """Where ``e.old`` sits on the raw file line, or -1."""
    if e.text_line.strip():
        base = raw.find(e.text_line)
        if base >= 0 and raw.find(e.text_line, base + 1) < 0:
            pos = base + e.col
            if raw[pos : pos + len(e.old)] == e.old:
                return pos
    return raw.find(e.old) if raw.count(e.old) == 1 else -1


# --------------------------------------------------------------------------- command


@dataclass(frozen=True)
class LintResult:
    diagnostics: Diagnostics
    fixed: dict[str, int]  # file -> number of fixes applied


def run_lint(
    root: Path | None = None,
    names: Iterable[str] | None = None,
    fix: bool = False,
    everything: bool = False,
    *,
    progress: Progress | None = None,
) -> LintResult:
    """``hyoka lint``: load and compose, lint, optionally fix assessment files and lint again.

    Every problem collected: :func:`lint_stream` gives them one at a time (``hyoka lint``
    prints them so, keeping none).
    """
    fixed, findings = lint_stream(root, names, fix, everything, progress=progress)
    out = Diagnostics()
    out.extend(findings)
    return LintResult(out, fixed)


def lint_stream(
    root: Path | None = None,
    names: Iterable[str] | None = None,
    fix: bool = False,
    everything: bool = False,
    *,
    progress: Progress | None = None,
) -> tuple[dict[str, int], Iterator[UserError]]:
    """The fixes applied (file -> count) and the problems, one at a time, in report order.

    The problems are the errors that stop an assessment from loading or composing (lint cannot
    read what does not load; loader warnings are left to ``hyoka check``) and the lint
    findings: the ``lint:`` settings' first, then each assessment's as it is linted, then the
    clauses' and those across the workspace. Without ``fix`` nothing runs until the problems
    are read, and none is kept. With ``fix`` the passes that fix (the workspace's write lock
    held throughout) run before this returns; the findings of the last pass wait in a spool
    on disk, not in memory.
    """
    name_list = list(names) if names else None
    if not fix:
        return {}, iter(_Pass(root, name_list, everything, progress, fixes=False))
    from composer.load.workspace import find_root
    from composer.transaction import workspace_lock

    fixed: dict[str, int] = {}
    with workspace_lock(find_root(root)):
        for _pass in range(MAX_FIX_PASSES):
            last = _Pass(root, name_list, everything, progress, fixes=True)
            spool = last.spooled()
            applied = apply_edits(last.edits, last.root) if last.edits else {}
            if not applied:
                break
            spool.close()
            for path, n in applied.items():
                fixed[path] = fixed.get(path, 0) + n
        else:  # the last pass applied fixes: lint the result once more
            spool = _Pass(root, name_list, everything, progress, fixes=False).spooled()
    return fixed, _replay(spool)


class _Pass:
    """One pass of lint over the workspace, read as an iterator of its problems.

    Load, compose and lint one assessment at a time; an assessment's loading and composing
    errors come before its findings. Once read to the end, ``edits`` holds the safe fixes
    (with ``fixes``) and ``root`` the workspace's directory.
    """

    def __init__(self, root: Path | None, names: list[str] | None, everything: bool, progress: Progress | None, fixes: bool) -> None:
        self._args = (root, names, everything, progress, fixes)
        self.root: Path | None = None
        self.edits: list[Edit] = []

    def __iter__(self) -> Iterator[UserError]:
        from composer.compose.stream import ErrorsOnly, compose_each
        from composer.load.workspace import load_workspace

        root, names, everything, progress, fixes = self._args
        errors = ErrorsOnly()
        ws = load_workspace(root, errors)
        self.root = ws.root
        linter = Linter(ws, names, everything, fixes)
        yield from errors.take()
        yield from linter.start()
        for a, composed in compose_each(ws, names, errors, progress=progress):
            yield from errors.take()
            yield from linter.add(a, composed)
        yield from errors.take()
        tail, self.edits = linter.finish()
        yield from tail

    def spooled(self) -> Spool:
        """Run the pass to its end, its problems kept in a spool."""
        spool = Spool()
        for e in self:
            spool.append(e)
        return spool


def _replay(spool: Spool) -> Iterator[UserError]:
    with spool:
        yield from spool


def rules_table() -> list[dict[str, object]]:
    """The registered rules, for ``hyoka lint --rules`` and the docs."""
    return [
        {"id": r.id, "severity": r.severity, "fixable": r.fixable, "scope": r.scope, "summary": r.summary} for r in RULES.values()
    ]
