"""hyoka: compose 特定個人情報保護評価書 from versioned stock clauses.

The public API; the ``hyoka`` command line only wraps these functions.
"""

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

__version__ = "0.1.0"

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
