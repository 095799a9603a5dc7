"""The plan of the code, checked: stages import only the stages below them, and nothing imports in a cycle.

Layers, top to bottom (docs/architecture.md draws them). A module may import modules of its own
package and of any layer below its own; packages side by side in one layer (``importing``,
``lint``, ``writers``) do not import each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import ROOT

LAYERS: list[tuple[str, ...]] = [
    ("composer", "composer.__main__"),  # the package's public names, ``python -m composer``
    ("composer.cli",),  # the hyoka command, thin over the API
    ("composer.console",),  # how the command speaks: language, translated help
    ("composer.api",),  # the library's functions, one per user task
    ("composer.batch", "composer.checking"),  # many documents: build (fingerprints, staging) and check, in workers too
    ("composer.documents",),  # what hyoka writes besides the 評価書: change tables, 新旧対照表, redline, report
    ("composer.importing", "composer.lint", "composer.writers"),  # Word in; checks; one writer per format
    ("composer.revisions", "composer.threshold"),  # snapshots, diff, merge, propagate; しきい値判断
    ("composer.compose",),  # render clauses and local text, follow the form
    ("composer.load",),  # YAML in: clauses, libraries, assessments, forms, the workspace
    ("composer.model", "composer.transaction"),  # typed records; journalled multi-file writes
    ("composer.files", "composer.spool", "composer.workers"),  # one atomic file write; records kept on disk; worker processes
    ("composer.dates",),
    ("composer.errors",),
    ("composer.i18n",),
    ("composer.resources",),
]


def _modules() -> dict[str, Path]:
    out = {}
    for path in (ROOT / "composer").rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The composer modules ``name`` imports, anywhere in the file (lazy imports inside functions too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for t in targets:
            if t in known and t != name:
                found.add(t)
    return found


def _layer(module: str) -> tuple[int, str]:
    """The layer of a module and the unit (package or module) of LAYERS it belongs to: the longest match."""
    matches = [(len(unit), i, unit) for i, group in enumerate(LAYERS) for unit in group
               if module == unit or (unit != "composer" and module.startswith(unit + "."))]
    if not matches:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS and to docs/architecture.md")
    _n, i, unit = max(matches)
    return i, unit


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    known = set(mods)
    return {name: _imports(name, path, known) for name, path in mods.items()}


def test_every_module_has_a_layer() -> None:
    for module in _modules():
        _layer(module)


def test_no_import_runs_upward_or_sideways() -> None:
    wrong = []
    for module, deps in _graph().items():
        level, unit = _layer(module)
        for dep in deps:
            dep_level, dep_unit = _layer(dep)
            if dep_unit == unit:
                continue  # within one package or module group
            if dep_level <= level and not (module == "composer" or dep == "composer"):
                wrong.append(f"{module} imports {dep} ({'sideways' if dep_level == level else 'upward'})")
    assert wrong == [], "\n".join(sorted(wrong))


def test_no_import_cycles() -> None:
    graph = _graph()
    graph.pop("composer", None)  # the package's lazy public names point at everything, by design
    for deps in graph.values():
        deps.discard("composer")
    cycles, state = [], {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                cycles.append(" -> ".join(stack[stack.index(dep):] + [node, dep]) if dep in stack else f"{node} -> {dep}")
            elif dep not in state:
                visit(dep, [*stack, node])
        state[node] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n, [])
    assert cycles == [], "\n".join(cycles)


def test_no_module_rebinds_its_globals() -> None:
    """No module keeps state it rebinds at run time (``global x``): the language and the workspace
    root travel with the view, notices go through logging. What remains at module level are
    constants, registries filled at import, and caches keyed by their inputs."""
    rebinding = []
    for module, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Global):
                rebinding.append(f"{module}:{node.lineno}: global {', '.join(node.names)}")
    assert rebinding == []


def test_paths_and_language_are_not_module_state() -> None:
    import composer.errors
    import composer.i18n
    import composer.transaction

    for name in ("set_display_root", "display_root", "_display_root"):
        assert not hasattr(composer.errors, name)
    assert not hasattr(composer.transaction, "set_notice_handler")
    assert not [n for n in vars(composer.i18n) if n.lower() in ("current_language", "_language", "language")]
