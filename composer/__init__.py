"""hyoka: compose 特定個人情報保護評価書 from versioned stock clauses.

The public API; the ``hyoka`` command line only wraps these functions.

The names below are imported on first use (``from composer import build`` works as
always): importing the package itself stays cheap, so the command line starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    **dict.fromkeys(
        (
            "ClauseUse",
            "build",
            "check",
            "clause_uses",
            "compose_all",
            "compose_assessment",
            "fleet_outdated",
            "fleet_propagate",
            "import_docx",
            "init_workspace",
            "judge_threshold",
            "review_libraries",
            "take_libraries",
            "unverified_nodes",
            "update_from_docx",
        ),
        "composer.api",
    ),
    **dict.fromkeys(("Diagnostics", "ErrorList", "HyokaError", "Location", "UserError"), "composer.errors"),
    "LibrarySource": "composer.load.library",
    "Workspace": "composer.load.workspace",
    "load_workspace": "composer.load.workspace",
    **dict.fromkeys(
        (
            "Annotation",
            "Assessment",
            "Block",
            "Clause",
            "ClauseVersion",
            "ComposedAssessment",
            "ComposedBlock",
            "ComposedItem",
            "Notes",
            "Pin",
            "Source",
        ),
        "composer.model",
    ),
    **dict.fromkeys(("ThresholdInputs", "ThresholdResult", "judge"), "composer.threshold"),
}

__all__ = [
    "Annotation",
    "Assessment",
    "Block",
    "Clause",
    "ClauseUse",
    "ClauseVersion",
    "ComposedAssessment",
    "ComposedBlock",
    "ComposedItem",
    "Diagnostics",
    "ErrorList",
    "HyokaError",
    "LibrarySource",
    "Location",
    "Notes",
    "Pin",
    "Source",
    "ThresholdInputs",
    "ThresholdResult",
    "UserError",
    "Workspace",
    "build",
    "check",
    "clause_uses",
    "compose_all",
    "compose_assessment",
    "fleet_outdated",
    "fleet_propagate",
    "import_docx",
    "init_workspace",
    "judge",
    "judge_threshold",
    "load_workspace",
    "unverified_nodes",
    "review_libraries",
    "take_libraries",
    "update_from_docx",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'composer' has no attribute '{name}'")  # untranslated: Python's own wording for a missing attribute
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next lookup does not come here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors
    from composer.api import (
        ClauseUse,
        build,
        check,
        clause_uses,
        compose_all,
        compose_assessment,
        fleet_outdated,
        fleet_propagate,
        import_docx,
        init_workspace,
        judge_threshold,
        review_libraries,
        take_libraries,
        unverified_nodes,
        update_from_docx,
    )
    from composer.errors import Diagnostics, ErrorList, HyokaError, Location, UserError
    from composer.load.library import LibrarySource
    from composer.load.workspace import Workspace, load_workspace
    from composer.model import (
        Annotation,
        Assessment,
        Block,
        Clause,
        ClauseVersion,
        ComposedAssessment,
        ComposedBlock,
        ComposedItem,
        Notes,
        Pin,
        Source,
    )
    from composer.threshold import ThresholdInputs, ThresholdResult, judge
