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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from composer.errors import Diagnostics, Location, UserError
from composer.lint.rules import RULES, Finding, Hit, Passage, Rule
from composer.lint.rules.data import LintData, build_data
from composer.load.forms import get_form
from composer.load.validate import did_you_mean, type_name
from composer.load.yamlio import YList, YMap, parse_yaml, read_text
from composer.model import Assessment, Clause, ClauseVersion, ComposedAssessment, item_ref

LINT_KEYS = ("disable", "vendors", "terms", "severity")
SEVERITIES = ("error", "warning")
MARKER = re.compile(r"#\s*hyoka:\s*disable(?:\s*=\s*([A-Za-z0-9_,\- ]+))?")
_BLOCK_ITEM = re.compile(r"^\s*-\s*[|>]")
# keys whose values are names, pins, dates or fixed vocabulary, not wording
_NOT_TEXT = frozenset(
    {
        "form",
        "clause",
        "id",
        "item",
        "file",
        "block",
        "blocks",
        "risk_change",
        "submission",
        "published",
        "reassessed",
        "number",
        "version",
        "date",
        "source",
        "kind",
        "homes",
    }
)
# (a change's `before:` is the wording as it was published: history, not linted)
_CHANGE_TEXT = ("reason", "risk_situation", "countermeasure", "after", "submission_note")
MAX_FIX_PASSES = 5


# --------------------------------------------------------------------------- files


@dataclass
class ParsedFile:
    """A YAML file read for lint: its lines, its data, and its ``# hyoka: disable`` comments."""

    path: str
    text: str
    data: Any
    markers: dict[int, frozenset[str]]
    header: frozenset[str]  # disables that cover the whole file
    anchors: dict[int, frozenset[int]] = field(default_factory=dict)  # node line -> its own and its ancestors' lines

    def __post_init__(self) -> None:
        self.lines = self.text.splitlines()

    def line(self, n: int) -> str:
        return self.lines[n - 1] if 0 < n <= len(self.lines) else ""

    def disabled(self, rule_id: str, anchors: Iterable[int]) -> bool:
        ids = set(self.header)
        for line in anchors:
            ids |= self.markers.get(line, frozenset())
        return rule_id in ids or "all" in ids


def parse_file(path: str | Path) -> ParsedFile | None:
    try:
        text = read_text(Path(path))
        data = parse_yaml(text, Path(path))
    except UserError:
        return None  # the loader has reported it
    markers: dict[int, frozenset[str]] = {}
    header: set[str] = set()
    in_header = True
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if in_header and stripped and not stripped.startswith("#"):
            in_header = False
        m = MARKER.search(line)
        if not m:
            continue
        ids = frozenset(x.strip() for x in (m.group(1) or "all").split(",") if x.strip())
        markers[n] = ids
        if in_header:
            header |= ids
    return ParsedFile(str(path), text, data, markers, frozenset(header))


# --------------------------------------------------------------------------- context


class LintContext:
    """What the rules read: the workspace, the composed assessments, the clauses in scope."""

    def __init__(
        self,
        ws: Any,
        composed: list[tuple[Assessment, ComposedAssessment]],
        names: list[str] | None = None,
        everything: bool = False,
    ) -> None:
        self.ws = ws
        self.library = ws.library
        self.composed = composed
        self.everything = everything
        self._files: dict[str, ParsedFile | None] = {}
        self.clauses_in_scope = self._scope(names)

    def _scope(self, names: list[str] | None) -> list[tuple[Clause, tuple[ClauseVersion, ...]]]:
        """Local clauses (all, or those the named assessments pin) and the stock versions in use."""
        pinned = {(b.clause, b.version) for _, c in self.composed for _, b in c.pins}
        out = []
        for clause in self.library:
            if self.everything or (clause.library == "local" and not names):
                versions = clause.versions
            else:  # the versions in use, and (without names) those the workspace itself adds to a library's clause
                versions = tuple(
                    v for v in clause.versions
                    if (clause.id, v.number) in pinned or (not names and v.library == "local")
                )
            if versions:
                out.append((clause, versions))
        return out

    def file(self, path: str | Path) -> ParsedFile | None:
        key = str(path)
        if key not in self._files:
            self._files[key] = parse_file(path)
        return self._files[key]

    def clause_path(self, clause: Clause, number: int | None = None) -> str:
        """The file that defines ``clause`` (or its version ``number``: a later library may add versions)."""
        v = clause.version(number) if number is not None else None
        library = (v.library if v is not None else "") or clause.library
        for root in self.library.roots:
            if root.name == library:
                for suffix in (".yaml", ".yml"):
                    p = root.path / f"{clause.id}{suffix}"
                    if p.exists():
                        return str(p)
        return clause.location.file if clause.location else clause.id

    def version_node(self, clause: Clause, number: int) -> tuple[YMap | None, int | None]:
        f = self.file(self.clause_path(clause, number))
        if f is None or not isinstance(f.data, YMap) or not isinstance(f.data.get("versions"), YList):
            return None, None
        vlist = f.data["versions"]
        for i, node in enumerate(vlist):
            if isinstance(node, YMap) and node.get("version") == number:
                return node, vlist.line_of(i)
        return None, None

    def field_line(self, clause: Clause, number: int, field_name: str, source: str, name: str) -> tuple[str, int | None]:
        """File and line where ``{{ name }}`` is written in a version's field."""
        path = self.clause_path(clause, number)
        node, vline = self.version_node(clause, number)
        if node is None:
            return path, vline
        keys = field_name.split(".")
        for k in keys[:-1]:
            child = node.get(k)
            if not isinstance(child, YMap):
                return path, vline
            node = child
        if keys[-1] not in node:
            return path, vline
        line = node.text_line_of(keys[-1])
        m = re.search(r"[{][{%][^}]*\b" + re.escape(name) + r"\b", source)
        if m and keys[-1] in node.block_values:
            line += source.count("\n", 0, m.start())
        return path, line

    def parameter_line(self, clause: Clause, name: str) -> tuple[str, int | None]:
        path = self.clause_path(clause)
        f = self.file(path)
        if f is not None and isinstance(f.data, YMap) and isinstance(f.data.get("parameters"), YMap):
            return path, f.data["parameters"].line_of(name)
        return path, clause.location.line if clause.location else None

    # ------------------------------------------------------------------ passages

    def passages(self) -> Iterator[Passage]:
        for a, _ in self.composed:
            yield from self._assessment_passages(a)
        for clause, versions in self.clauses_in_scope:
            yield from self._clause_passages(clause, versions)

    def _assessment_passages(self, a: Assessment) -> Iterator[Passage]:
        f = self.file(a.path)
        if f is None or not isinstance(f.data, YMap):
            return
        top = f.data
        choices = self._choice_items(a)
        for section in ("meta", "parameters"):
            node = top.get(section)
            if isinstance(node, YMap):
                for k in node:
                    if k not in _NOT_TEXT:
                        yield from self._walk(f, node, k, f"{section}.{k}", frozenset({top.line_of(section)}), "assessment")
        files = top.get("files")
        if isinstance(files, YList):
            for i, fnode in enumerate(files):
                if not isinstance(fnode, YMap):
                    continue
                fid = str(fnode.get("id", ""))
                anchors = frozenset({top.line_of("files"), files.line_of(i)})
                for k in ("name", "parameters"):
                    if k in fnode:
                        yield from self._walk(f, fnode, k, f"files.{fid}.{k}", anchors, "assessment")
                if isinstance(fnode.get("items"), YMap):
                    yield from self._items(f, fnode["items"], fid, anchors | {fnode.line_of("items")}, choices)
        if isinstance(top.get("items"), YMap):
            yield from self._items(f, top["items"], None, frozenset({top.line_of("items")}), choices)
        changes = top.get("changes")
        if isinstance(changes, YList):
            for i, cnode in enumerate(changes):
                if not isinstance(cnode, YMap):
                    continue
                key = "change of " + item_ref(str(cnode.get("item", "?")), cnode.get("file") and str(cnode.get("file")))
                anchors = frozenset({top.line_of("changes"), changes.line_of(i)})
                for k in _CHANGE_TEXT:
                    if k in cnode:
                        yield from self._walk(f, cnode, k, key, anchors, "assessment")

    def _choice_items(self, a: Assessment) -> set[tuple[str | None, str]]:
        """Items whose value is a ＜選択肢＞ (or its 【要選択】 placeholder): the loader checks those."""
        try:
            _, index = get_form(a.form, a.location, self.ws.form_dirs)
        except UserError:
            return set()
        out = set()
        for e in a.items:
            resolved = index.resolve(e.key)
            if resolved is not None and resolved.node.type == "choice":
                out.add((e.file, e.key))
        return out

    def _items(
        self, f: ParsedFile, items: YMap, fid: str | None, anchors: frozenset[int], choices: set[Any]
    ) -> Iterator[Passage]:
        for k in items:
            if (fid, str(k)) in choices:
                continue  # ＜選択肢＞ values are checked by the loader
            yield from self._walk(f, items, k, item_ref(str(k), fid), anchors, "assessment")

    def _clause_passages(self, clause: Clause, versions: tuple[ClauseVersion, ...]) -> Iterator[Passage]:
        # versions may come from several libraries' files: each file is read for its own versions;
        # wording from any library but the workspace's own is the publisher's (reported only)
        for library in dict.fromkeys(v.library or clause.library for v in versions):
            mine = tuple(v for v in versions if (v.library or clause.library) == library)
            yield from self._clause_file_passages(clause, mine, library, first=library == clause.library)

    def _clause_file_passages(self, clause: Clause, versions: tuple[ClauseVersion, ...], library: str, first: bool) -> Iterator[Passage]:
        f = self.file(self.clause_path(clause, versions[0].number))
        if f is None or not isinstance(f.data, YMap):
            return
        top = f.data
        kw = {"stock": library != "local", "verbatim": clause.kind == "verbatim"}
        if "heading" in top and first:
            yield from self._walk(f, top, "heading", clause.id, frozenset(), "clause", **kw)
        vlist = top.get("versions")
        if not isinstance(vlist, YList):
            return
        numbers = {v.number for v in versions}
        for i, node in enumerate(vlist):
            if not isinstance(node, YMap) or node.get("version") not in numbers:
                continue
            anchors = frozenset({top.line_of("versions"), vlist.line_of(i)})
            for k in ("heading", "text", "notes"):
                if k in node:
                    yield from self._walk(f, node, k, f"{clause.id}@{node['version']}", anchors, "clause", **kw)

    def _walk(
        self, f: ParsedFile, parent: Any, k: Any, key: str, anchors: frozenset[int], origin: Any, **kw: Any
    ) -> Iterator[Passage]:
        """Every string below ``parent[k]``, with the line its text starts on."""
        value = parent[k]
        line = parent.line_of(k)
        if isinstance(parent, YMap):
            block = k in parent.block_values
            text_line = parent.text_line_of(k)
        else:
            block = bool(_BLOCK_ITEM.match(f.line(line)))
            text_line = line + 1 if block else line
        anchors = anchors | {line}
        f.anchors.setdefault(line, anchors)
        if isinstance(value, str):
            f.anchors.setdefault(text_line, anchors)
            if value.strip():
                exact = block or "\n" not in value
                yield Passage(value, f.path, text_line, key, origin, exact, anchors, **kw)
        elif isinstance(value, YMap):
            for sub in value:
                if sub not in _NOT_TEXT:
                    yield from self._walk(f, value, sub, key, anchors, origin, **kw)
        elif isinstance(value, YList):
            for i in range(len(value)):
                yield from self._walk(f, value, i, key, anchors, origin, **kw)


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
                    f"unknown key '{key}' in lint settings",
                    loc(key),
                    did_you_mean(str(key), LINT_KEYS) or f"allowed keys: {', '.join(LINT_KEYS)}",
                    code="lint-config",
                )
            )
    def wrong_type(key: str, expected: str) -> None:
        problems.append(
            UserError(f"'lint.{key}' must be {expected}, found {type_name(config[key])}", loc(key), code="lint-config")
        )

    disabled = config.get("disable") or []
    if isinstance(disabled, str):
        disabled = [disabled]
    if not isinstance(disabled, list) or any(isinstance(d, (dict, list)) or d is None for d in disabled):
        wrong_type("disable", "a list of rule ids")
        disabled = []
    for key in ("terms",):
        value = config.get(key)
        if value is not None and (
            not isinstance(value, dict)
            or any(isinstance(v, dict) or (isinstance(v, list) and any(isinstance(x, (dict, list)) for x in v)) for v in value.values())
        ):
            wrong_type(key, "a mapping of the usual wording to its variants (text or a list of texts)")
            config[key] = {}
    vendors = config.get("vendors")
    if vendors is not None and (not isinstance(vendors, (str, list)) or isinstance(vendors, list) and any(isinstance(v, (dict, list)) for v in vendors)):
        wrong_type("vendors", "a list of vendor names")
        config["vendors"] = []
    for rule_id in disabled:
        if rule_id not in RULES:
            problems.append(
                UserError(
                    f"unknown lint rule '{rule_id}'",
                    loc("disable"),
                    did_you_mean(str(rule_id), RULES) or "see `hyoka lint --rules`",
                    code="lint-config",
                )
            )
    severity = config.get("severity") or {}
    overrides: dict[str, str] = {}
    if not isinstance(severity, dict):
        wrong_type("severity", "a mapping of rule id to error or warning")
        severity = {}
    if isinstance(severity, dict):
        for rule_id, level in severity.items():
            if rule_id not in RULES:
                problems.append(
                    UserError(
                        f"unknown lint rule '{rule_id}'", loc("severity"), did_you_mean(str(rule_id), RULES), code="lint-config"
                    )
                )
            elif level not in SEVERITIES:
                problems.append(
                    UserError(
                        f"severity of '{rule_id}' must be error or warning, not '{level}'", loc("severity"), code="lint-config"
                    )
                )
            else:
                overrides[str(rule_id)] = str(level)
    try:
        data = build_data(config, ws.config.terms)
    except (UserError, KeyError, re.error) as exc:
        problems.append(UserError(f"cannot read the lint data: {exc}", loc(), code="lint-config"))
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


def lint_workspace(
    ws: Any,
    composed: list[tuple[Assessment, ComposedAssessment]],
    names: list[str] | None = None,
    everything: bool = False,
) -> list[UserError]:
    """Every lint finding over the composed assessments and the clauses in scope."""
    return _lint(ws, composed, names, everything)[0]


def _lint(
    ws: Any,
    composed: list[tuple[Assessment, ComposedAssessment]],
    names: list[str] | None,
    everything: bool,
) -> tuple[list[UserError], list[Edit]]:
    ctx = LintContext(ws, composed, names, everything)
    settings = settings_of(ws, ctx)
    out: list[UserError] = list(settings.problems)
    edits: list[Edit] = []
    text_rules = [r for r in RULES.values() if r.scope == "text" and r.id not in settings.disabled]
    for p in ctx.passages():
        f = ctx.file(p.path)
        for r in text_rules:
            if p.origin not in r.origins:
                continue
            for hit in r.check(p, settings.data):
                assert isinstance(hit, Hit)
                if f is not None and f.disabled(r.id, p.anchors):
                    continue
                out.append(_from_hit(r, p, hit, settings))
                if r.fixable and hit.replacement is not None and p.origin == "assessment" and p.line is not None:
                    edits.append(_edit(p, hit))
    for r in RULES.values():
        if r.scope != "workspace" or r.id in settings.disabled:
            continue
        for finding in r.check(ctx):
            assert isinstance(finding, Finding)
            loc = finding.location
            f = ctx.file(finding.path) if finding.path else None
            if f is not None:
                line = loc.line if loc else None
                anchors = f.anchors.get(line, frozenset({line})) if line else frozenset()
                if f.disabled(r.id, anchors):
                    continue
            severity = "warning" if finding.stock else finding.severity or settings.severity.get(r.id, r.severity)
            message = f"{finding.message} [{r.id}]"
            if finding.stock:
                message += " (stock clause: reported only)"
            out.append(UserError(message, loc, finding.hint, severity, r.id))  # type: ignore[arg-type]
    return _in_order(out), edits


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
    message = f"{hit.message} [{r.id}]"
    hint = hit.hint
    if p.stock:
        severity = "warning"
        if p.verbatim:
            message += f" — the publisher's wording (verbatim clause {p.key}), reported only"
            hint = f"{hint} in a later edition; hyoka never rewrites published wording" if hint else None
        else:
            message += f" — the publisher's wording (stock clause {p.key}), reported only"
            hint = f"{hint} in a local variant of {p.key}" if hint else None
    else:
        severity = settings.severity.get(r.id, r.severity)
        if p.origin == "clause" and hint:
            hint += f" (in a new version if {p.key} is published)"
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
    root: Path | None = None, names: Iterable[str] | None = None, fix: bool = False, everything: bool = False
) -> LintResult:
    """``hyoka lint``: load and compose, lint, optionally fix assessment files and lint again.

    Errors that stop an assessment from loading or composing are reported too (lint cannot
    read what does not load); loader warnings are left to ``hyoka check``. With ``fix`` the
    workspace's write lock is held throughout.
    """
    if fix:
        from composer.load.workspace import find_root
        from composer.transaction import workspace_lock

        with workspace_lock(find_root(root)):
            return _run_lint(root, names, fix, everything)
    return _run_lint(root, names, fix, everything)


def _run_lint(root: Path | None, names: Iterable[str] | None, fix: bool, everything: bool) -> LintResult:
    from composer.api import compose_all
    from composer.load.workspace import load_workspace

    name_list = list(names) if names else None
    fixed: dict[str, int] = {}
    for _ in range(MAX_FIX_PASSES if fix else 1):
        diag = Diagnostics()
        ws = load_workspace(root, diag)
        composed = compose_all(ws, name_list, diag)
        findings, edits = _lint(ws, composed, name_list, everything)
        if not fix or not edits:
            break
        applied = apply_edits(edits, ws.root)
        if not applied:
            break
        for path, n in applied.items():
            fixed[path] = fixed.get(path, 0) + n
    else:  # the last pass applied fixes: lint the result once more
        diag = Diagnostics()
        ws = load_workspace(root, diag)
        composed = compose_all(ws, name_list, diag)
        findings, _ = _lint(ws, composed, name_list, everything)
    out = Diagnostics()
    out.extend(e for e in diag.items if e.severity == "error")
    out.extend(findings)
    return LintResult(out, fixed)


def rules_table() -> list[dict[str, object]]:
    """The registered rules, for ``hyoka lint --rules`` and the docs."""
    return [
        {"id": r.id, "severity": r.severity, "fixable": r.fixable, "scope": r.scope, "summary": r.summary} for r in RULES.values()
    ]
