"""Keep hyoka's message catalogs: extract, update, compile, check (needs Babel).

    python tools/i18n.py update    # extract every message, merge into ja/en .po, compile .mo
    python tools/i18n.py check     # what the tests check: every message translated, placeholders agree
    python tools/i18n.py fill F.po # copy translations from a .po file into the Japanese catalog

Messages come from three places:

* ``_("…")``, ``_n("…", "…", n)`` and ``N_("…")`` calls in ``composer/`` (Babel's extractor);
* the help texts of the ``hyoka`` command tree (docstrings, ``help=``), read from the
  click commands themselves, so a help text cannot be forgotten;
* the texts click itself prints around them (``Usage:``, ``Show this message and exit.``).

The English catalog holds every msgid too, its text the msgid unless wording is revised
there; the Japanese catalog holds the translations. ``update`` keeps every translation
already written, adds new msgids with an empty translation (which ``check`` reports)
and drops msgids no longer in the code.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.extract import extract_from_dir  # noqa: E402
from babel.messages.mofile import write_mo  # noqa: E402
from babel.messages.pofile import read_po, write_po  # noqa: E402

from composer.console import help_msgid  # noqa: E402  (the key the CLI looks help texts up by)
from composer.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, fields  # noqa: E402

KEYWORDS = {"_": None, "_n": (1, 2), "N_": None}
CLICK_MODULES = ("core.py", "decorators.py", "exceptions.py", "formatting.py", "parser.py", "types.py", "termui.py")


def source_messages() -> Iterator[tuple[str | tuple[str, str], str]]:
    """(msgid or (singular, plural), where) for every marked message in composer/."""
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT / "composer"), method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=()
    ):
        if isinstance(message, tuple):
            if message[0] and message[1]:
                yield (message[0], message[1]), f"composer/{filename}:{lineno}"
        elif message:
            yield message, f"composer/{filename}:{lineno}"


def help_texts() -> Iterator[tuple[str, str]]:
    """(help text, command) for every command and option of the CLI."""
    import click

    from composer.cli import main

    def walk(cmd: click.Command, path: str) -> Iterator[tuple[str, str]]:
        for text in (cmd.help, cmd.short_help):
            if text:
                yield help_msgid(text), path
        for p in cmd.params:
            if getattr(p, "help", None):
                yield help_msgid(p.help), f"{path} {p.opts[-1]}"  # type: ignore[attr-defined]
        if isinstance(cmd, click.Group):
            for name, sub in cmd.commands.items():
                yield from walk(sub, f"{path} {name}")

    yield from walk(main, "hyoka")


def click_messages() -> Iterator[tuple[str | tuple[str, str], str]]:
    import click

    directory = Path(click.__file__).parent
    keywords = {"_": None, "ngettext": (1, 2)}
    for filename, lineno, message, _c, _ctx in extract_from_dir(
        str(directory), method_map=[(m, "python") for m in CLICK_MODULES], keywords=keywords, comment_tags=()
    ):
        if message and (not isinstance(message, tuple) or (message[0] and message[1])):
            yield message, f"click/{filename}:{lineno}"


def template() -> Catalog:
    cat = Catalog(project="hyoka", domain=DOMAIN, fuzzy=False, header_comment="# hyoka's messages (python tools/i18n.py update)")
    for source in (source_messages(), help_texts(), click_messages()):
        for message, where in source:
            cat.add(message, locations=[(where, None)] if ":" not in where else [(where.rsplit(":", 1)[0], int(where.rsplit(":", 1)[1]))])
    return cat


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def load(language: str) -> Catalog:
    path = po_path(language)
    if not path.exists():
        return Catalog(locale=language, domain=DOMAIN)
    with path.open("rb") as f:
        return read_po(f, locale=language, domain=DOMAIN)


def update() -> None:
    pot = template()
    for language in LANGUAGES:
        cat = load(language)
        cat.project, cat.fuzzy, cat.header_comment = "hyoka", False, f"# hyoka's messages in {language} (python tools/i18n.py update)"
        cat.update(pot, no_fuzzy_matching=True)
        cat.obsolete.clear()
        for m in cat:
            if not m.id:
                continue
            m.flags.discard("fuzzy")
            if language == "en" and not _translated(m.string):
                m.string = m.id  # a plural: (singular, plural)
        path = save(cat, language)
        print(f"{path.relative_to(ROOT)}: {sum(1 for m in cat if m.id)} messages, {len(problems(language))} to do")


def save(cat: Catalog, language: str) -> Path:
    """Write a language's .po and compile its .mo beside it; the .po's path."""
    path = po_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    write_po(buf, cat, width=0, sort_output=False, omit_header=False, include_lineno=False)
    path.write_bytes(buf.getvalue())
    compile_mo(cat, path.with_suffix(".mo"))
    return path


def compile_mo(cat: Catalog, path: Path) -> None:
    buf = io.BytesIO()
    write_mo(buf, cat, use_fuzzy=False)
    path.write_bytes(buf.getvalue())


def _translated(string: str | tuple[str, ...] | None) -> bool:
    if isinstance(string, tuple):
        return all(string)
    return bool(string)


def problems(language: str, expected: set[str] | None = None) -> list[str]:
    """What is wrong with a catalog: missing, untranslated, placeholders that differ."""
    cat = load(language)
    out = []
    have = {m.id[0] if isinstance(m.id, tuple) else m.id: m for m in cat if m.id}
    for msgid in sorted(expected or ()):
        if msgid not in have:
            out.append(f"{language}: missing: {msgid!r}")
    for key, m in have.items():
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        if not _translated(m.string):
            out.append(f"{language}: not translated: {key!r}")
            continue
        want = set().union(*(fields(i) for i in ids))
        for s in strings:
            got = fields(s)
            if (got - want) if len(ids) > 1 else (got != want):  # a plural form may leave a count out
                out.append(f"{language}: placeholders differ in {key!r}: {sorted(got)} vs {sorted(want)}")
    return out


def expected_msgids() -> set[str]:
    out: set[str] = set()
    for source in (source_messages(), help_texts()):
        for message, _where in source:
            out.add(message[0] if isinstance(message, tuple) else message)
    return out


def check() -> int:
    expected = expected_msgids()
    found = [p for language in LANGUAGES for p in problems(language, expected)]
    for p in found:
        print(p)
    return 1 if found else 0


def fill(fragment: Path, language: str = "ja") -> None:
    """Copy the translations of a .po fragment into a catalog (for msgids the catalog has), then compile."""
    with fragment.open("rb") as f:
        frag = read_po(f, locale=language, domain=DOMAIN)
    cat = load(language)
    n = 0
    for m in frag:
        if m.id and _translated(m.string) and m.id in cat:
            cat[m.id].string = m.string
            n += 1
    path = save(cat, language)
    print(f"{fragment}: {n} translations into {path.relative_to(ROOT)}; {len(problems(language))} to do")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        update()
    elif command == "check":
        sys.exit(check())
    elif command == "fill":
        for frag in sys.argv[2:]:
            fill(Path(frag))
    else:
        sys.exit(f"usage: {sys.argv[0]} update|check")
