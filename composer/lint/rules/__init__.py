"""The lint rules: small named units, registered in one place.

A rule is a function decorated with :func:`rule`. Two shapes exist:

* a **text rule** (``scope="text"``) reads one passage of text — a local text block, a
  variant, a heading, a clause version's text or notes — and yields :class:`Hit` s
  (character offsets into the passage, a message, a hint and, when the fix is safe, the
  replacement text);
* a **document rule** (``scope="document"``) reads one composed assessment at a time
  (``check(ctx, assessment, composed)``) and yields :class:`Finding` s with their own
  locations (clause homes, empty items);
* a **workspace rule** (``scope="workspace"``) reads the workspace and the clauses in scope
  (:class:`composer.lint.context.LintContext`), once every assessment has been seen, and
  yields :class:`Finding` s (clause parameters). It sees no composed assessment: what it
  needs of them is a small summary the context keeps (the clause versions pinned).

Assessments are linted one at a time and not kept, so memory does not grow with their
number. The runner in :mod:`composer.lint.engine` turns hits and findings into located
:class:`~composer.errors.UserError` s, applies the workspace's and the inline disables,
and applies fixes. Adding a rule means adding one decorated function to one of the
modules imported at the bottom of this file (and, if it needs data, a list in
``templates/lint/``).
"""

from __future__ import annotations

from composer.lint.registry import RULES, Finding, Hit, Passage, Rule, codepoint, excerpt, rule

# Rule modules register themselves on import; keep this list in the order rules are documented.
from composer.lint.rules import structure as _structure  # noqa: F401
from composer.lint.rules import text as _text  # noqa: F401

__all__ = ["RULES", "Finding", "Hit", "Passage", "Rule", "codepoint", "excerpt", "rule"]
