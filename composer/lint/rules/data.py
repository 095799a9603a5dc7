"""The data the wording rules read: ``templates/lint/*.yaml`` merged with ``hyoka.yaml``'s ``lint:``.

Everything is compiled once per lint run (the bundled lists once per process), so a rule
only runs precompiled regular expressions over each passage.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from composer.i18n import N_, _
from composer.load.yamlio import load_mapping
from composer.resources import templates_dir

KATAKANA = "ァ-ヺ"
LONG_VOWEL_LOOKALIKES = "―‐‑－ｰ—─−"  # U+2015 U+2010 U+2011 U+FF0D U+FF70 U+2014 U+2500 U+2212
LONG_VOWELS = "ー" + LONG_VOWEL_LOOKALIKES


def lint_data_dir() -> Path:
    return templates_dir() / "lint"


# the names of the identifier families in templates/lint/identifiers.yaml, for the catalog:
# a name is shown translated (a name the catalog does not know is shown as written)
IDENTIFIER_NAMES = (N_("ISO/IEC standard"), N_("ISO standard"), N_("JIS standard"), N_("NIST Special Publication"))


@dataclass(frozen=True)
class Identifier:
    name: str  # what the family is called (a msgid when it is one of IDENTIFIER_NAMES)
    pattern: re.Pattern[str]
    canonical: str  # replacement template


@dataclass(frozen=True)
class LintData:
    terms: Mapping[str, str]  # variant -> canonical
    term_pattern: re.Pattern[str] | None
    glossary: tuple[tuple[str, str, re.Pattern[str]], ...]  # term key, canonical wording, loose pattern
    vendor_pattern: re.Pattern[str] | None
    identifiers: tuple[Identifier, ...]
    compat: Mapping[str, str]
    compat_pattern: re.Pattern[str] | None


@lru_cache(maxsize=4)
def _bundled(directory: str) -> tuple[dict[str, list[str]], list[str], list[dict[str, str]], dict[str, str]]:
    root = Path(directory)
    terms = _load(root / "terms.yaml", "terms", {})
    vendors = _load(root / "vendors.yaml", "vendors", [])
    identifiers = _load(root / "identifiers.yaml", "identifiers", [])
    compat = _load(root / "characters.yaml", "compat", {})
    return (
        {str(k): [str(v) for v in (vs or [])] for k, vs in terms.items()},
        [str(v) for v in vendors],
        [{str(k): str(v) for k, v in d.items()} for d in identifiers],
        {str(k): str(v) for k, v in compat.items()},
    )


def _load(path: Path, key: str, empty: Any) -> Any:
    if not path.exists():
        return empty
    value = load_mapping(path, _("a lint data file")).get(key)
    return empty if value is None else value


def build_data(config: Mapping[str, Any], glossary: Mapping[str, Any], directory: Path | None = None) -> LintData:
    """Compile the bundled lists merged with a workspace's ``lint:`` settings and glossary.

    ``glossary`` maps term keys to their wording (a string, or a record with ``.wording``).
    """
    terms, vendors, identifiers, compat = _bundled(str(directory or lint_data_dir()))

    # terms: a workspace canonical form drops every bundled entry that lists it as a variant
    merged: dict[str, list[str]] = {k: list(v) for k, v in terms.items()}
    local_terms = config.get("terms") or {}
    if isinstance(local_terms, Mapping):
        for canonical, variants in local_terms.items():
            canonical = str(canonical)
            for k in list(merged):
                merged[k] = [v for v in merged[k] if v != canonical]
            if isinstance(variants, str):
                variants = [variants]
            merged.setdefault(canonical, []).extend(str(v) for v in (variants or []))
    variant_to_canonical: dict[str, str] = {}
    for canonical, variants in merged.items():
        for v in variants:
            if v and v != canonical:
                variant_to_canonical[v] = canonical

    local_vendors = config.get("vendors") or []
    if isinstance(local_vendors, str):
        local_vendors = [local_vendors]
    all_vendors = list(dict.fromkeys([*vendors, *(str(v) for v in local_vendors)]))

    return LintData(
        terms=variant_to_canonical,
        term_pattern=_alternation(variant_to_canonical, _term_regex),
        glossary=tuple((k, w, re.compile(_loose(w))) for w, k in _wordings(glossary).items() if len(w) >= 2),
        vendor_pattern=_alternation(all_vendors, _vendor_regex),
        identifiers=tuple(Identifier(d.get("name", ""), re.compile(d["pattern"]), d["canonical"]) for d in identifiers),
        compat=compat,
        compat_pattern=re.compile("[" + "".join(re.escape(c) for c in compat) + "]") if compat else None,
    )


def _wordings(glossary: Mapping[str, Any]) -> dict[str, str]:
    """wording -> the first term key that has it."""
    out: dict[str, str] = {}
    for key, value in glossary.items():
        out.setdefault(str(getattr(value, "wording", value) or ""), str(key))
    return out


def _alternation(words: Any, one: Any) -> re.Pattern[str] | None:
    """One pattern for many words, longest first (so a phrase wins over a word inside it)."""
    ordered = sorted((w for w in words if w), key=len, reverse=True)
    if not ordered:
        return None
    return re.compile("|".join(f"(?:{one(w)})" for w in ordered))


def _term_regex(variant: str) -> str:
    pattern = re.escape(variant)
    if re.search(f"[{KATAKANA}]$", variant):
        pattern += f"(?![{LONG_VOWELS}])"  # サーバ must not fire on サーバー (nor on サーバ―: long-vowel's job)
    return pattern


def _vendor_regex(name: str) -> str:
    pattern = re.escape(name)
    if re.match(r"[A-Za-z0-9]", name):
        pattern = r"(?<![A-Za-z0-9])" + pattern
    if re.search(r"[A-Za-z0-9]$", name):
        pattern += r"(?![A-Za-z0-9])"
    # a name in brackets is reported with its brackets: 「（富士通）」 is deleted as a whole
    return rf"[（(]\s*{pattern}\s*[）)]|{pattern}"


def _loose(wording: str) -> str:
    """A pattern matching ``wording`` and its usual spelling variants.

    Long vowels after katakana may be missing or a look-alike, the middle dot may be
    missing or half-width, spaces may vary and ASCII letters may differ in case.
    """
    out = []
    prev = ""
    for ch in wording:
        if ch == "ー" and re.match(f"[{KATAKANA}]", prev):
            out.append(f"[{LONG_VOWELS}]?")
        elif ch in "・･":
            out.append("[・･]?")
        elif ch.isspace():
            out.append(r"\s*")
        elif ch.isascii() and ch.isalpha():
            out.append(f"[{ch.lower()}{ch.upper()}]")
        else:
            out.append(re.escape(ch))
        prev = ch
    return "".join(out)


def same_but_lookalikes(a: str, b: str) -> bool:
    """True if ``a`` and ``b`` differ only in characters other rules report (long vowels, half-width dot)."""
    table = str.maketrans({c: "ー" for c in LONG_VOWEL_LOOKALIKES} | {"･": "・"})
    return a.translate(table) == b.translate(table)
