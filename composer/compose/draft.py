"""Drafting: write a new assessment pre-filled from the stock library.

A *profile* (``templates/profiles/*.yaml``, or the workspace's ``profiles/``) says which
clauses belong in which items. :func:`draft` writes every item of the form in order —
per-file items for each file given — with the profile's clauses pinned at their latest
version and clear placeholders (【要記入…】, 【要選択】) for what only the department can
write. ``hyoka check`` lists the placeholders still open. The assessment-wide parameter
``file_name`` is set from the files given (:func:`assessment_file_name`), so that change
notes of items outside the per-file sections name the file too.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from composer.compose.render import render_text
from composer.errors import Diagnostics, Location, UserError
from composer.i18n import _
from composer.load.forms import get_form, iter_nodes
from composer.load.validate import Fields, confined, did_you_mean
from composer.load.workspace import Workspace
from composer.load.yamlio import YMap, load_mapping
from composer.model import FormNode
from composer.resources import profiles_dir
from composer.transaction import Transaction

PROFILE_KEYS = ("profile", "form", "description", "local_heading", "items", "homes")
TODO = "【要記入：{label}】"
CHOOSE = "【要選択】"
# items whose text follows from what `hyoka new` is told
PREFILLED = {"II.1": "{{{{ file_name }}}}", "III.1": "{{{{ file_name }}}}", "I.1.1": "{jimu}"}
FILE_ARG = re.compile(r"^(?P<id>[A-Za-z0-9_-]+)=(?P<name>.+)$")


@dataclass(frozen=True)
class Profile:
    name: str
    form: str
    description: str
    local_heading: str
    items: dict[str, tuple[str, ...]]
    path: str


def profile_paths(ws: Workspace) -> dict[str, Path]:
    """Profiles by name; the workspace's own override the bundled ones."""
    out = {p.stem: p for p in sorted(profiles_dir().glob("*.yaml"))}
    local = ws.root / ws.config.profiles
    if local.is_dir():
        for p in sorted(local.glob("*.yaml")):
            if not confined(p, ws.root):
                raise UserError(
                    _("profile file links outside the workspace (to {target})", target=str(p.resolve())),
                    Location.of(p),
                    _("copy the profile into the workspace's profiles/"),
                )
            out[p.stem] = p
    return out


def load_profile(ws: Workspace, name: str, for_form: str | None = None) -> Profile:
    """The profile ``name``; with ``for_form``, its homes in that form.

    ``form``/``items`` give the homes in the profile's own form; ``homes`` maps further
    forms to their homes (an empty mapping: the form has no place for these clauses).
    """
    paths = profile_paths(ws)
    if name not in paths:
        raise UserError(
            _("unknown profile '{name}'", name=name), None, did_you_mean(name, paths) or _("available: {names}", names=list(paths) or _("none"))
        )
    path = paths[name]
    diag = Diagnostics()
    f = Fields(load_mapping(path, _("a profile")), path, diag, _("profile"), PROFILE_KEYS)
    form_name = f.str("form", default="全項目")
    imap = f.map("items")
    hmap = f.map("homes")
    for k in hmap:  # every form named under homes: must exist
        get_form(str(k), Location.of(path, hmap.line_of(k), f"homes.{k}"), ws.form_dirs)
    if for_form is not None:
        wanted = get_form(for_form, None, ws.form_dirs)[0]
        own = get_form(form_name, f.loc("form"), ws.form_dirs)[0]
        if wanted.name != own.name:
            names = {get_form(str(k), Location.of(path, hmap.line_of(k), f"homes.{k}"), ws.form_dirs)[0].name: k for k in hmap}
            if wanted.name not in names:
                raise UserError(
                    _("profile '{name}' says nothing about form {form}", name=name, form=wanted.name),
                    Location.of(path, None, "homes"),
                    _("add homes: {{{form}: {{ITEM: [CLAUSE, …]}}}} (or {{}} if the form has no place for them)", form=wanted.name),
                )
            key = names[wanted.name]
            form_name = wanted.name
            value = hmap[key]
            if value is not None and not isinstance(value, YMap):
                raise UserError(
                    _("homes.{key} must map item keys to clauses", key=key), Location.of(path, hmap.line_of(key), f"homes.{key}")
                )
            imap = value if value is not None else YMap()
    index = get_form(form_name, f.loc("form"), ws.form_dirs)[1]
    items: dict[str, tuple[str, ...]] = {}
    for key, ids in imap.items():
        loc = Location.of(path, imap.line_of(key), str(key))
        if index.resolve(str(key)) is None:
            diag.error(_("unknown item key '{key}'", key=key), loc, index.suggest(str(key)))
            continue
        ids = [ids] if isinstance(ids, str) else list(ids or [])
        for cid in ids:
            if ws.library.get(str(cid)) is None:
                diag.error(_("unknown clause '{clause}'", clause=cid), loc, did_you_mean(str(cid), ws.library.clauses))
        items[str(key)] = tuple(str(c) for c in ids)
    diag.raise_if_errors()
    return Profile(name, form_name, f.str("description"), f.str("local_heading"), items, str(path))


def assessment_file_name(names: list[str]) -> str:
    """The assessment-wide ``file_name``: what {{ file_name }} says outside the per-file sections.

    One file: its name. Several: all of them, joined as 公用文 joins a list
    (「A及びB」, 「A、B及びC」), since such items (Ⅳ 監査, その他) concern every file.
    """
    if len(names) <= 1:
        return names[0] if names else ""
    return "、".join(names[:-1]) + "及び" + names[-1]


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def draft(
    ws: Workspace,
    name: str,
    form_name: str = "全項目",
    profile: str | None = None,
    files: Iterable[str] = (),
    jimu: str = "",
) -> Path:
    """Write ``assessments/<name>.yaml``; refuses to overwrite an existing file."""
    path = ws.new_assessment_path(name)
    if path.exists():
        raise UserError(_("assessment already exists"), Location.of(path), _("choose another name or edit the file"))
    form = get_form(form_name, None, ws.form_dirs)[0]
    prof = load_profile(ws, profile, form.name) if profile else None
    if prof and prof.form != form.name:
        raise UserError(
            _("profile '{name}' is for form {form}, not {wanted}", name=prof.name, form=prof.form, wanted=form.name), Location.of(prof.path)
        )
    file_specs = []
    for arg in files:
        m = FILE_ARG.match(arg)
        if not m:
            raise UserError(_("--file '{arg}' is not ID=NAME", arg=arg), None, _("e.g. --file juki=住民基本台帳ファイル"))
        file_specs.append((m.group("id"), m.group("name")))
    given_files = bool(file_specs)
    if not file_specs:
        file_specs = [("file1", TODO.format(label="特定個人情報ファイル名"))]
    ctx = {"municipality": ws.config.municipality, "term": {}}
    local_heading = render_text(prof.local_heading, ctx, None, _("profile heading")) if prof else ""

    if not jimu:
        PREFILLED_HERE = {k: v for k, v in PREFILLED.items() if "{jimu}" not in v}
    else:
        PREFILLED_HERE = PREFILLED

    def item_lines(node: FormNode, indent: str) -> list[str]:
        key = node.key.replace("{n}", "1")
        mark = " ※" if node.important else ""
        if node.type == "choice":
            options = "／".join(node.choices)
            return [f"{indent}{key}: {CHOOSE}  # {node.label}{mark} ＜選択肢＞ {options}"]
        clauses = prof.items.get(key, ()) if prof else ()
        if node.prefill == "file_names" and given_files:
            names = "、".join(name for _, name in file_specs)
            return [f"{indent}{key}: {_q(names)}  # {node.label}{mark}"]
        if key in PREFILLED_HERE:
            return [f"{indent}{key}: {_q(PREFILLED_HERE[key].format(jimu=jimu))}  # {node.label}{mark}"]
        if not clauses:
            return [f"{indent}{key}: {_q(TODO.format(label=node.label))}  # {node.label}{mark}"]
        out = [f"{indent}{key}:  # {node.label}{mark}"]
        for cid in clauses:
            out.append(f"{indent}  - clause: {cid}@{ws.library.clauses[cid].latest.number}")
        out.append(f"{indent}  - text: {_q(TODO.format(label=f'{ws.config.municipality}における措置'))}")
        if local_heading:
            out.append(f"{indent}    heading: {_q(local_heading)}")
        return out

    def section_lines(section: FormNode, indent: str) -> list[str]:
        out = [f"{indent}# {section.label}"]
        for node in iter_nodes(section.children):
            if node.holds_content:
                out += item_lines(node, indent)
        return out

    today = _dt.date.today().isoformat()
    lines = [
        f"# {jimu or name}: drafted by `hyoka new` on {today}" + (f" from profile {prof.name} ({prof.description})" if prof else ""),
        "# 【要記入…】 and 【要選択】 mark what only the department can write: `hyoka check` lists those still open.",
        f"form: {form.name}",
        "meta:",
        '  number: ""',
        f"  title: {_q((jimu + ' ' + form.title) if jimu else TODO.format(label='評価書名'))}",
        f"  jimu: {_q(jimu or TODO.format(label='事務の名称'))}",
        f"  office: {_q(ws.config.municipality + '長')}",
        "  declaration: " + _q(TODO.format(label="個人のプライバシー等の権利利益の保護の宣言")),
        '  remarks: ""',
        "parameters:",
        f"  file_name: {_q(assessment_file_name([n for _, n in file_specs]))}"
        "  # 各ファイルの節の外（Ⅳ 監査など）で {{ file_name }} が指す名称",
        "files:",
    ]
    per_file = [s for s in form.sections if s.per_file]
    shared = [s for s in form.sections if not s.per_file]
    for fid, fname in file_specs:
        lines += [f"  - id: {fid}", f"    name: {_q(fname)}", "    items:"]
        for s in per_file:
            lines += section_lines(s, "      ")
    lines.append("items:")
    for s in shared:
        lines += section_lines(s, "  ")
    text = "\n".join(lines) + "\n"
    # what we write must load: the placeholders are the only open points
    from composer.load.assessment import load_assessment

    diag = Diagnostics()
    load_assessment(path, diag, ws.form_dirs, text=text)
    diag.raise_if_errors()
    with Transaction(ws.root) as txn:
        txn.write(path, text, create=True)
    return path
