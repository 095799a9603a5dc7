"""Reading YAML that remembers where every key and value was written.

hyoka owns its loader: mappings load as :class:`YMap` and sequences as :class:`YList`,
which record the line of every key, value and item, so that any later stage can point
the user at ``file:line``. Files that are empty, binary, not UTF-8, or that contain
characters Word cannot store are refused with the file and line named.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from composer.errors import Location, UserError
from composer.files import atomic_write as atomic_write  # re-exported (it lives in composer.files)
from composer.i18n import Message, _

try:  # the C parser is much faster; both record marks
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _BaseLoader = yaml.SafeLoader


class YMap(dict):  # type: ignore[type-arg]
    """A mapping that knows the line of itself, of each key and of each value."""

    line: int = 0
    key_lines: dict[Any, int]
    value_lines: dict[Any, int]
    block_values: set[Any]

    def __init__(self) -> None:
        super().__init__()
        self.key_lines = {}
        self.value_lines = {}
        self.block_values = set()

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)

    def text_line_of(self, key: Any) -> int:
        """First line of the text of ``key`` (the line after ``|`` for block scalars)."""
        line = self.value_lines.get(key, self.line_of(key))
        return line + 1 if key in self.block_values else line


class YList(list):  # type: ignore[type-arg]
    """A sequence that knows the line of itself and of each item."""

    line: int = 0
    item_lines: list[int]

    def __init__(self) -> None:
        super().__init__()
        self.item_lines = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


def _construct_map(loader: Any, node: yaml.MappingNode) -> Any:
    data = YMap()
    data.line = node.start_mark.line + 1
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise _Refused(_invalid(_("a mapping key must be a plain value")), key_node.start_mark, _SYNTAX_HINT) from None
        if key in data:
            raise _Refused(
                _invalid(_("duplicate key {key} (first at line {line})", key=repr(key), line=data.key_lines[key])),
                key_node.start_mark,
                _SYNTAX_HINT,
            )
        data[key] = loader.construct_object(value_node, deep=False)
        data.key_lines[key] = key_node.start_mark.line + 1
        data.value_lines[key] = value_node.start_mark.line + 1
        if isinstance(value_node, yaml.ScalarNode) and value_node.style in ("|", ">"):
            data.block_values.add(key)


def _construct_seq(loader: Any, node: yaml.SequenceNode) -> Any:
    data = YList()
    data.line = node.start_mark.line + 1
    yield data
    for child in node.value:
        data.append(loader.construct_object(child, deep=False))
        data.item_lines.append(child.start_mark.line + 1)


# Characters that XML 1.0 (and so Word) cannot store.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# ... and what a YAML escape can add to them: lone surrogates (never valid text).
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# Limits while loading (docs/formats.md, "Limits"): aliases may not expand a document beyond
# MAX_EXPANDED characters (a 全項目評価書 is ~200 000), and values nest at most MAX_DEPTH deep.
MAX_EXPANDED = 5_000_000
MAX_DEPTH = 64


class _Refused(yaml.MarkedYAMLError):
    """Valid YAML that hyoka refuses (a located message and what to do)."""

    def __init__(self, message: str | Message, mark: Any, hint: str | Message) -> None:
        super().__init__(problem=str(message), problem_mark=mark)
        self.message = message
        self.hint = hint


def _construct_str(loader: Any, node: yaml.ScalarNode) -> str:
    value = loader.construct_scalar(node)
    bad = _UNSTORABLE.search(value)
    if bad:
        code = ord(bad.group())
        if 0xD800 <= code <= 0xDFFF:
            message = _("a lone surrogate U+{code} cannot be stored in a Word document", code=format(code, "04X"))
        else:
            message = _("control character U+{code} cannot be stored in a Word document", code=format(code, "04X"))
        raise _Refused(message, node.start_mark, _("delete the character or its escape"))
    return value


def _construct_timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        raise _Refused(
            _("'{value}' is not a date", value=node.value), node.start_mark, _("write an existing date as YYYY-MM-DD")
        ) from None


def _construct_number(kind: str) -> Any:
    base = getattr(yaml.constructor.SafeConstructor, f"construct_yaml_{kind}")

    def construct(loader: Any, node: yaml.ScalarNode) -> Any:
        value = base(loader, node)
        if not node.style and str(value) != node.value.strip():
            # YAML 1.1 reads 010 as 8, 1_000 as 1000, 12:30 as 750: the text would silently change
            raise _Refused(
                _("'{text}' would be read as the number {value}", text=node.value, value=value),
                node.start_mark,
                _("quote it to keep it as written: \"{text}\"", text=node.value),
            )
        return value

    return construct


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def check_expansion(root: yaml.Node, limit: int = MAX_EXPANDED, max_depth: int = MAX_DEPTH) -> None:
    """Refuse alias bombs, aliases to their own contents and very deep nesting, before constructing.

    Measures the size each node would have with every alias expanded (in characters of its
    scalars), in one pass over the distinct nodes: a billion laughs is refused at once.
    """
    size: dict[int, int] = {}
    visiting: set[int] = set()
    shared = 0
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 0, False)]
    while stack:
        node, depth, leaving = stack.pop()
        nid = id(node)
        if leaving:
            visiting.discard(nid)
            total = 1 + sum(size[id(c)] for c in _children(node))
            size[nid] = total
            if total > limit and shared:
                raise _Refused(
                    _("this value expands to more than {limit} characters through aliases", limit=format(limit, ",")),
                    node.start_mark,
                    _("write the text out instead of repeating aliases (*name) of aliases"),
                )
            continue
        if nid in size:
            shared += 1
            continue
        if nid in visiting:
            raise _Refused(
                _("an alias refers to itself (a value that contains itself)"), node.start_mark, _("remove the alias")
            )
        if depth > max_depth:
            raise _Refused(_too_deep(max_depth), node.start_mark, _("flatten the structure"))
        if isinstance(node, yaml.ScalarNode):
            size[nid] = len(node.value) + 1
            continue
        visiting.add(nid)
        stack.append((node, depth, True))
        stack.extend((c, depth + 1, False) for c in _children(node))


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    def construct_document(self, node: yaml.Node) -> Any:
        check_expansion(node)
        return super().construct_document(node)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_Loader.add_constructor("tag:yaml.org,2002:str", _construct_str)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_number("int"))
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_number("float"))
CONFLICT_MARKER = re.compile(r"^\s*(<<<<<<<|>>>>>>>|=======)( |$)", re.M)
# every marker line a conflict leaves, the diff3 base line (``||||||| base``) too: the loader refuses each
CONFLICT_MARKER_LINE = re.compile(r"^\s*(<<<<<<<|\|\|\|\|\|\|\||=======|>>>>>>>)( |$)", re.M)


def read_text(path: Path, what: str | Message = "YAML") -> str:
    """Read a UTF-8 text file, refusing empty, binary and XML-illegal content."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(_("file not found"), Location.of(path), _("create it or check the path")) from None
    except OSError as exc:
        raise UserError(_("cannot read file: {reason}", reason=exc.strerror), Location.of(path)) from None
    if b"\x00" in raw:
        raise UserError(
            _("binary file where {what} was expected", what=what), Location.of(path), _("replace it with a UTF-8 text file")
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UserError(
            _("not UTF-8 text ({what} expected)", what=what), Location.of(path, line), _("save the file as UTF-8")
        ) from None
    if not text.strip():
        raise UserError(_("empty file where {what} was expected", what=what), Location.of(path), _("fill it in or delete it"))
    bad = XML_ILLEGAL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise UserError(
            _("control character U+{code} cannot be stored in a Word document", code=format(ord(bad.group()), "04X")),
            Location.of(path, line),
            _("delete the character"),
        )
    return text


def parse_yaml(text: str, path: Path) -> Any:
    """Parse YAML text, turning syntax errors into one-line user errors."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except _Refused as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise UserError(exc.message, Location.of(path, line), exc.hint) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        said = exc.problem or exc.context  # the parser's own words
        problem: str | Message = _parser_words(said) if said else _("invalid YAML")
        cmark = exc.context_mark
        if exc.problem and exc.context and cmark is not None and (mark is None or cmark.line != mark.line):
            problem = _(
                "{problem} ({context} started at line {line})", problem=problem, context=_parser_words(exc.context), line=cmark.line + 1
            )
        hint = _SYNTAX_HINT
        if said and "invalid Unicode character escape" in said:
            hint = _("a \\u escape must name a character Word can store (not a lone surrogate \\ud800-\\udfff)")
        raise UserError(_invalid(problem), Location.of(path, line), hint) from None
    except RecursionError:
        raise UserError(_too_deep(MAX_DEPTH), Location.of(path), _("flatten the structure")) from None
    except yaml.YAMLError as exc:
        raise UserError(_invalid(str(exc)), Location.of(path)) from None


_SYNTAX_HINT = _("fix the syntax at that line")

# What libyaml says most often, in the catalog (the English is libyaml's own); other texts are shown as written.
_PARSER_WORDS: dict[str, Message] = {
    m.msgid: m
    for m in (
        _("mapping values are not allowed in this context"),
        _("did not find expected key"),
        _("did not find expected ',' or ']'"),
        _("did not find expected '-' indicator"),
        _("could not find expected ':'"),
        _("found unexpected end of stream"),
        _("found character that cannot start any token"),
        _("found undefined alias"),
        _("found unknown escape character"),
        _("while parsing a block mapping"),
        _("while parsing a block collection"),
        _("while parsing a flow sequence"),
        _("while parsing a flow mapping"),
        _("while scanning a quoted scalar"),
        _("while parsing a quoted scalar"),
        _("while scanning a simple key"),
    )
}


def _parser_words(text: str) -> str | Message:
    return _PARSER_WORDS.get(text, text)


def _invalid(problem: str | Message) -> Message:
    return _("invalid YAML: {problem}", problem=problem)


def _too_deep(depth: int) -> Message:
    return _("values nested more than {depth} deep", depth=depth)


def load_yaml(path: Path, what: str | Message = "YAML") -> Any:
    return parse_yaml(read_text(path, what), path)


def load_mapping(path: Path, what: str | Message) -> YMap:
    data = load_yaml(path, what)
    if not isinstance(data, YMap):
        found = _("a list") if isinstance(data, list) else _("plain text") if isinstance(data, str) else _("a single value")
        raise UserError(
            _("expected a mapping of keys ({what}), found {found}", what=what, found=found),
            Location.of(path, 1),
            _("write it as key: value lines"),
        )
    return data


