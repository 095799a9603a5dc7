"""The workspace: ``hyoka.yaml``, the clause library, assessments and snapshots.

:func:`load_workspace` gathers all data first (config, stock and local clauses, lock
checks) and reports every problem at once; later stages only read from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from composer.errors import Diagnostics, Location, UserError
from composer.files import CONFIG_NAME, nearest_workspace
from composer.i18n import LANGUAGES, Message, _
from composer.load.assessment import load_assessment
from composer.load.clauses import Library
from composer.load.library import LibrarySource, LibrarySpec, find_sources, load_libraries, parse_specs
from composer.load.validate import Fields, confined, is_identifier, type_name
from composer.load.yamlio import YList, YMap, load_mapping
from composer.model import RISK_CHANGES, Term
from composer.resources import forms_dir, stock_clauses_dir
from composer.transaction import recover

TERM_KEYS = ("wording", "previous", "reason", "risk_change", "risk_situation", "countermeasure")
CONFIG_KEYS = (
    "municipality", "stock_clauses", "clauses", "assessments", "snapshots", "output",
    "parameters", "terms", "lint", "profiles", "forms", "libraries", "author", "language",
)


PATH_KEYS = (
    ("clauses", "clauses"), ("assessments", "assessments"), ("snapshots", "snapshots"), ("output", "build"),
    ("profiles", "profiles"), ("forms", "forms"),
)


def _inside(root: Path, f: Fields, key: str, default: str) -> str:
    """A directory setting of hyoka.yaml: a relative path that stays inside the workspace.

    Paths outside the workspace are for the command line only (``build -o DIR``): a
    workspace file that writes or reads elsewhere is refused.
    """
    value = f.str(key, default=default)
    rel = Path(value)
    problem: Message | None = None
    if not value.strip():
        problem = _("{key} is empty", key=key)
    elif rel.is_absolute() or rel.drive or rel.anchor:
        problem = _("'{value}' is an absolute path", value=value)
    else:
        try:
            (root / rel).resolve().relative_to(root.resolve())
        except ValueError:
            problem = _("'{value}' leads outside the workspace", value=value)
        except (OSError, RuntimeError) as exc:
            problem = _("'{value}' cannot be resolved ({reason})", value=value, reason=exc)
    if problem:
        f.diag.error(
            problem, f.loc(key),
            _("give a directory inside the workspace (default: {default}); name an outside directory on the command line instead",
              default=default),
        )
        return default
    return value


@dataclass(frozen=True)
class Config:
    municipality: str
    stock_clauses: bool = True
    clauses: str = "clauses"
    assessments: str = "assessments"
    snapshots: str = "snapshots"
    output: str = "build"
    profiles: str = "profiles"
    forms: str = "forms"
    parameters: Mapping[str, str] = field(default_factory=dict)
    terms: Mapping[str, Term] = field(default_factory=dict)
    lint: Mapping[str, Any] = field(default_factory=dict)
    path: str = ""
    term_lines: Mapping[str, int] = field(default_factory=dict)
    libraries: tuple[LibrarySpec, ...] | None = None  # None: stock (per stock_clauses), then clauses/
    author: str = ""  # author of tracked changes (hyoka build --redline)
    language: str | None = None  # language of messages for this workspace (ja/en); None: not set


@dataclass
class Workspace:
    root: Path
    config: Config
    library: Library
    diagnostics: Diagnostics
    sources: tuple[LibrarySource, ...] = ()  # the clause libraries, in order, the workspace's own last

    @property
    def assessments_dir(self) -> Path:
        return self.root / self.config.assessments

    @property
    def snapshots_dir(self) -> Path:
        return self.root / self.config.snapshots

    @property
    def output_dir(self) -> Path:
        return self.root / self.config.output

    @property
    def local_clauses_dir(self) -> Path:
        return self.root / self.config.clauses

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def form_dirs(self) -> tuple[Path, ...]:
        """Where form schemas come from: the bundled ones, then the workspace's own ``forms/``."""
        return (forms_dir(), self.root / self.config.forms)

    def assessment_names(self) -> list[str]:
        d = self.assessments_dir
        if not d.is_dir():
            return []
        return sorted(p.stem for p in d.glob("*.yaml"))

    def new_assessment_path(self, name: str, option: str = "NAME") -> Path:
        """Where a new assessment ``name`` goes (``hyoka new``, ``hyoka import``): a plain file name in assessments/."""
        import re

        if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
            raise UserError(
                _("'{name}' is not a usable assessment name ({option})", name=name, option=option), None,
                _("use letters, digits, '-' and '_' (it becomes the file name assessments/NAME.yaml)"),
            )
        return self.assessments_dir / f"{name}.yaml"

    def assessment_path(self, name: str) -> Path:
        """Path of an assessment by name; the name may also be given as a path."""
        p = Path(name)
        if p.suffix in (".yaml", ".yml"):
            for candidate in (p, self.root / p):
                if candidate.exists():
                    return candidate.resolve()
            raise UserError(_("assessment file not found"), Location.of(p), _("check the path"))
        path = self.assessments_dir / f"{name}.yaml"
        if path.exists() and not confined(path, self.root):
            raise UserError(
                _("assessment file links outside the workspace (to {target})", target=path.resolve()),
                Location.of(path),
                _("copy the file into the workspace, or name the outside file on the command line"),
            )
        if not path.exists():
            from composer.load.validate import did_you_mean

            names = self.assessment_names()
            raise UserError(
                _("no assessment named '{name}'", name=name),
                Location.of(self.assessments_dir),
                did_you_mean(name, names) or (_("have: {names}", names=names) if names else _("have: none")),
            )
        return path

    def load_assessment(self, name: str, diag: Diagnostics | None = None):  # type: ignore[no-untyped-def]
        """Load one assessment; raise its errors unless a ``diag`` collects them."""
        own = diag or Diagnostics()
        a = load_assessment(self.assessment_path(name), own, self.form_dirs)
        if diag is None:
            own.raise_if_errors()
        return a

    def load_assessments(self, names: list[str] | None, diag: Diagnostics):  # type: ignore[no-untyped-def]
        out = []
        for name in names or self.assessment_names():
            try:
                path = self.assessment_path(name)
            except UserError as exc:
                diag.add(exc)
                continue
            a = load_assessment(path, diag, self.form_dirs)
            if a is not None:
                out.append(a)
        return out


def find_root(start: Path | None = None) -> Path:
    """The nearest directory at or above ``start`` that holds ``hyoka.yaml``."""
    root = nearest_workspace(start)
    if root is not None:
        return root
    raise UserError(
        _("no hyoka.yaml here or in any parent directory"),
        Location.of((start or Path.cwd()).resolve()),
        _("run `hyoka init DIR` to create a workspace, or pass -C DIR"),
    )


def load_config(root: Path, diag: Diagnostics) -> Config:
    path = root / CONFIG_NAME
    try:
        data = load_mapping(path, _("the workspace configuration"))
    except UserError as exc:
        diag.add(exc)
        return Config(municipality="", path=str(path))
    f = Fields(data, path, diag, "hyoka.yaml", CONFIG_KEYS)
    terms = f.map("terms")
    term_values: dict[str, Term] = {}
    for k, v in terms.items():
        loc = Location.of(path, terms.line_of(k), f"terms.{k}")
        if not is_identifier(str(k)):
            diag.error(_("term '{term}' is not a valid name", term=k), loc, _("use letters (漢字 are fine), digits and _"))
            continue
        if isinstance(v, YMap):
            tf = Fields(v, path, diag, _("term '{term}'", term=k), TERM_KEYS)
            risk = tf.choice("risk_change", RISK_CHANGES)
            term_values[str(k)] = Term(
                str(k), tf.str("wording", required=True), tf.str("reason"), risk,  # type: ignore[arg-type]
                tf.str("risk_situation"), tf.str("countermeasure"), tf.str_list("previous"),
            )
        elif isinstance(v, YList):
            diag.error(_("term '{term}' must be its wording or a mapping with wording:", term=k), loc)
        else:
            term_values[str(k)] = Term(str(k), "" if v is None else str(v))
    lint = f.map("lint")
    dirs = {key: _inside(root, f, key, default) for key, default in PATH_KEYS}
    return Config(
        municipality=f.str("municipality", required=True),
        stock_clauses=f.bool("stock_clauses", True),
        **dirs,
        parameters=f.str_map("parameters"),
        terms=term_values,
        lint=dict(lint) if isinstance(lint, YMap) else {},
        path=str(path),
        term_lines={str(k): terms.line_of(k) for k in terms},
        libraries=parse_specs(data.get("libraries"), path, data.line_of("libraries") if "libraries" in data else 1, diag),
        author=f.str("author"),
        language=_language(f),
    )


def _language(f: Fields) -> str | None:
    """``language:`` of hyoka.yaml: ``ja`` or ``en``, None when not set.

    The CLI reads the line by itself to choose the language before loading
    (:func:`composer.console.configured_language`); here a wrong value becomes an error.
    """
    raw = f.data.get("language")
    if raw is None:
        return None
    if isinstance(raw, str) and raw in LANGUAGES:
        return raw
    f.diag.error(
        _("language must be ja or en, not {found}", found=type_name(raw)), f.loc("language"),
        _("write language: ja (Japanese) or language: en (English)"),
    )
    return None


_CONFIG_LINES: tuple[tuple[str, object, str], ...] = (
    ("stock_clauses", True, "use the stock clauses bundled with hyoka"),
    ("clauses", "clauses", "this workspace's own clauses ({m}における措置 …)"),
    ("assessments", "assessments", "one file per 評価書"),
    ("snapshots", "snapshots", "published revisions (hyoka publish)"),
    ("output", "build", "where hyoka build writes"),
    ("parameters", {}, ""),
    ("terms", {}, "glossary: term -> current wording, used as {{{{ term.KEY }}}}"),
)


def config_text(municipality: str) -> str:
    """The text of a new ``hyoka.yaml``; every value is written by the YAML emitter.

    Refuses a name that is empty or holds a line break or control character; the text
    is parsed back before it is returned, so what ``hyoka init`` writes always loads.
    """
    import yaml

    name = municipality.strip()
    if not name:
        raise UserError(_("the municipality name is empty"), None, _("pass --municipality 豊島区"))
    if any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 or ch in "\u2028\u2029\ufeff" for ch in name):
        raise UserError(
            _("the municipality name {name!r} contains a line break or control character", name=name), None,
            _("pass the name alone, e.g. --municipality 豊島区"),
        )

    def line(key: str, value: object, comment: str = "") -> str:
        text = yaml.safe_dump({key: value}, allow_unicode=True, default_flow_style=True, width=10_000, sort_keys=False)
        text = text.strip()
        if text.startswith("{") and text.endswith("}"):
            text = text[1:-1].strip()
        return f"{text:<24} # {comment}" if comment else text

    safe = name.replace("\n", " ")
    lines = [f"# hyoka workspace: {safe}", line("municipality", name)]
    lines += [line(k, v, c.format(m=safe)) for k, v, c in _CONFIG_LINES]
    lines += [
        "# language: ja           # language of messages and help: ja or en (default: the locale); see docs/language.md",
        "# libraries:             # clause libraries, in order, before clauses/ (default: stock); see docs/editions.md",
        "#   - stock",
        "#   - path: ../shared-texts   # or: - package: NAME (installed with pip)",
    ]
    text = "\n".join(lines) + "\n"
    loaded = yaml.safe_load(text)
    if not isinstance(loaded, dict) or loaded.get("municipality") != name:  # pragma: no cover - the emitter's promise
        raise UserError(_("cannot write the municipality name {name!r} to hyoka.yaml", name=name), None)
    return text


def load_workspace(root: Path | None = None, diag: Diagnostics | None = None) -> Workspace:
    """Load config and clause library. Raises on errors unless ``diag`` collects them."""
    own = diag or Diagnostics()
    root = find_root(root) if root is None or not (Path(root) / CONFIG_NAME).exists() else Path(root).resolve()
    recover(root)  # finish or undo a write that a crashed run left half done
    config = load_config(root, own)
    sources = find_sources(root, config.libraries, config.stock_clauses, root / config.clauses, stock_clauses_dir(), own)
    library = load_libraries(sources, own, confine=root)
    if diag is None:
        own.raise_if_errors()
    return Workspace(root=root, config=config, library=library, diagnostics=own, sources=tuple(sources))
