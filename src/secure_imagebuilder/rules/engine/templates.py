"""Reading CloudFormation templates from files: JSON, or YAML with the short-form tags. Pure Python.

One reader for both formats, in the manner of cfn-lint's ``decode``: it returns the template as plain
dicts and lists in the long forms (``!Ref X`` -> ``{"Ref": "X"}``, ``!GetAtt A.B`` ->
``{"Fn::GetAtt": ["A", "B"]}``) with the line where each resource starts, from the one parse. It reads
what CloudFormation reads and refuses what no template can be, each with ``TemplateError`` naming the
file, line and column:

- JSON is decided by the first character (``{`` or ``[``) and parsed as JSON only; YAML is read from
  libyaml's events (a tab before a comment is accepted, as CloudFormation and cfn-lint accept it);
- duplicate keys (CloudFormation rejects them; cfn-lint's E0000), nesting deeper than ``MAX_DEPTH``,
  YAML aliases that expand to more than ``MAX_NODES`` nodes (an alias bomb), unknown tags, more than one
  YAML document, files over ``MAX_BYTES``;
- a resource that is not a mapping, has no ``Type`` or has ``Properties`` that are not a mapping.

A file that is not a CloudFormation template at all raises ``NotATemplateError`` (a ``TemplateError``; the
scanner skips such files). The rule: the document is a mapping with a ``Resources`` or an
``AWSTemplateFormatVersion`` key. A file that cannot be parsed is a template when its text holds either
word (then it is an error, not a skip); a top-level list never is one.
"""

from __future__ import annotations

import json
import pathlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

# Documents larger than this are refused: a template is at most 1 MB (S3 upload), we allow room.
MAX_BYTES = 5 * 1024 * 1024
# Mappings and lists nested deeper than this are refused: no template comes near it, and the rules
# walk values recursively.
MAX_DEPTH = 100
# YAML aliases may add at most this many nodes once expanded (cfn-lint's limit for alias bombs).
MAX_NODES = 250_000
# Every short-form tag of CloudFormation (intrinsic and condition functions, Rules functions, the
# language extensions) and the key it stands for.
SHORT_FORMS: dict[str, str] = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    **{
        f"!{name}": f"Fn::{name}"
        for name in (
            "And Base64 Cidr Contains EachMemberEquals EachMemberIn Equals FindInMap ForEach GetAtt GetAZs "
            "If ImportValue Join Length Not Or RefAll Select Split Sub ToJsonString Transform ValueOf "
            "ValueOfAll"
        ).split()
    },
}
_TEMPLATE_KEYS = ("Resources", "AWSTemplateFormatVersion")
# Duplicate keys named in the message (the rest are counted).
_LISTED = 10
# A key of ``Resources`` that is a loop of the language extensions, not a resource.
_FOR_EACH = "Fn::ForEach::"
# libyaml when PyYAML has it (fast, and as lenient as CloudFormation about tabs before comments).
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class TemplateError(ValueError):
    """A template file that cannot be read: the message names the path (and line and column) and why."""


class NotATemplateError(TemplateError):
    """A file that is not a CloudFormation template at all (the scanner skips it and says so)."""


class LimitError(TemplateError):
    """Input past a limit (nesting, alias expansion): refused whatever the file is, never skipped."""


@dataclass(frozen=True)
class Template:
    """A template as plain dicts and lists, and the 1-based line where each resource starts."""

    body: dict[str, Any]
    source: str
    lines: Mapping[str, int] = field(default_factory=dict)


def parse(
    text: str, source: str = "<template>", *, in_assembly: bool = False, written_by_cdk: bool = False
) -> Template:
    """The template in ``text`` (JSON or YAML); ``source`` names it in errors.

    ``in_assembly``: the file is a template because a cloud assembly says so: it is never skipped as
    ``NotATemplateError``, and it may have no ``Resources`` (the CDK writes an empty stack without them).
    ``written_by_cdk``: the CDK has just written it in this process (the nag plugin's input): JSON with no
    duplicate keys, read without the scan for them and for resource lines (no lines are kept).
    """
    text = text.removeprefix("\ufeff")
    try:
        body, lines = _document(text, source, written_by_cdk)
        template = Template(_classified(body, source, in_assembly), source, lines)
    except NotATemplateError as error:
        if in_assembly:
            raise TemplateError(str(error)) from None
        raise
    except TemplateError as error:
        if in_assembly or isinstance(error, LimitError) or looks_like_template(text):
            raise
        raise NotATemplateError(
            f"{source}: not a CloudFormation template ({_reason(error, source)})"
        ) from None
    _check_resources(template, in_assembly)
    return template


def read(path: str | pathlib.Path, *, in_assembly: bool = False, written_by_cdk: bool = False) -> Template:
    """The template in the file ``path`` (see ``parse``)."""
    file = pathlib.Path(path)
    try:
        with file.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as error:
        raise TemplateError(f"{file}: cannot be read ({error.strerror or error})") from None
    if len(data) > MAX_BYTES:
        prefix = data.decode("utf-8", errors="replace")
        is_list = prefix.lstrip("\ufeff \t\r\n").startswith("[")
        if not in_assembly and (is_list or not looks_like_template(prefix)):
            raise NotATemplateError(
                f"{file}: not a CloudFormation template (over {MAX_BYTES} bytes, no Resources)"
            )
        raise TemplateError(f"{file}: larger than {MAX_BYTES} bytes, more than any CloudFormation template")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        if in_assembly or looks_like_template(data.decode("utf-8", errors="replace")):
            raise TemplateError(f"{file}: not UTF-8 text (byte {error.start})") from None
        raise NotATemplateError(f"{file}: not a CloudFormation template (not UTF-8 text)") from None
    return parse(text, str(file), in_assembly=in_assembly, written_by_cdk=written_by_cdk)


def parse_template(text: str, source: str = "<template>") -> dict[str, Any]:
    """The template in ``text`` as plain dicts and lists (``parse(...).body``)."""
    return parse(text, source).body


def load_template(path: str | pathlib.Path) -> dict[str, Any]:
    """The template in the file ``path`` as plain dicts and lists (``read(...).body``)."""
    return read(path).body


def load_json(text: str, source: str, *, written_by_cdk: bool = False) -> Any:
    """Any JSON document (a cloud assembly's manifest and metadata), read as strictly as a template.

    Nesting is capped, duplicate keys refused (a second artifact of the same id would hide the first)
    and errors name the line and column; ``written_by_cdk`` (see ``parse``): JSON.stringify output, read
    with ``json.loads`` alone.
    """
    return _json_loads(text, source) if written_by_cdk else _json_document(text, source)[0]


def looks_like_template(text: str) -> bool:
    """Whether text that cannot be parsed could still be a template: it names ``Resources`` or the version.

    An unreadable file with either word is an error, not a skip: failing closed costs a look at the file,
    passing a broken template as "not a template" would hide it.
    """
    return any(key in text for key in _TEMPLATE_KEYS)


def _document(text: str, source: str, written_by_cdk: bool = False) -> tuple[Any, dict[str, int]]:
    start = text.lstrip(" \t\r\n")[:1]
    if start == "[":
        raise NotATemplateError(f"{source}: not a CloudFormation template (a list, not a mapping)")
    if start == "{":
        return (_json_loads(text, source), {}) if written_by_cdk else _json_document(text, source)
    builder = _YamlBuilder(source)
    parser = _YAML_LOADER(text)
    try:
        builder.build(parser)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise TemplateError(
            f"{_at(source, mark)}: not valid YAML: {error.problem or error.context}"
        ) from None
    except yaml.YAMLError as error:
        raise TemplateError(f"{source}: not valid YAML: {_first_line(str(error))}") from None
    finally:
        parser.dispose()
    builder.raise_duplicates()
    return builder.root, builder.resource_lines


def _classified(body: Any, source: str, in_assembly: bool) -> dict[str, Any]:
    if not isinstance(body, dict):
        kind = "an empty file" if body is None else f"a {_kind(body)}, not a mapping"
        raise NotATemplateError(f"{source}: not a CloudFormation template ({kind})")
    if not any(key in body for key in _TEMPLATE_KEYS) and not in_assembly:
        raise NotATemplateError(f"{source}: not a CloudFormation template (no Resources section)")
    return body


def _check_resources(template: Template, in_assembly: bool) -> None:
    """Refuse what no template can hold: read as if empty, such resources would pass unchecked."""
    source, resources = template.source, template.body.get("Resources")
    if "Resources" not in template.body:
        if in_assembly:
            return
        raise TemplateError(f"{source}: no Resources section (CloudFormation needs at least one resource)")
    if not isinstance(resources, dict):
        raise TemplateError(f"{source}: Resources is {_article(resources)}, not a mapping of resources")
    if not resources and not in_assembly:
        raise TemplateError(f"{source}: Resources is empty (CloudFormation needs at least one resource)")
    for logical_id, resource in resources.items():
        if logical_id.startswith(_FOR_EACH):
            continue
        where = f"{source}:{template.lines[logical_id]}" if logical_id in template.lines else source
        problem = _resource_problem(resource)
        if problem:
            raise TemplateError(f"{where}: resource {logical_id!r} {problem}")


def _resource_problem(resource: Any) -> str | None:
    if not isinstance(resource, dict):
        return f"is {_article(resource)}, not a mapping with a Type"
    kind = resource.get("Type")
    if kind is None:
        return "has no Type"
    if not isinstance(kind, str) or not kind:
        return f"has a Type that is {_article(kind)}, not a resource type name"
    properties = resource.get("Properties")
    if properties is not None and not isinstance(properties, dict):
        return f"has Properties that are {_article(properties)}, not a mapping"
    return None


# --- JSON ------------------------------------------------------------------------------------------

# A string (and whether a colon follows: a key), or a bracket; strings are matched whole so that the
# brackets inside them are not counted. An unterminated string runs to the end of the text: every
# attempt that starts at a quote succeeds, so no character is read twice (linear on any input).
_JSON_TOKENS = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)(?:"([ \t\r\n]*:)?|\\?\Z)|[{}\[\]]', re.DOTALL)


def _json_document(text: str, source: str) -> tuple[Any, dict[str, int]]:
    """The document and the line of each resource; the scan runs first so that nesting is capped."""
    scan = _JsonScan(text, source)
    scan.run()
    document = _json_loads(text, source)
    scan.raise_duplicates()
    return document, scan.resource_lines()


def _json_loads(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise TemplateError(f"{source}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}") from None
    except (ValueError, RecursionError) as error:  # an integer too long to convert, say
        raise TemplateError(f"{source}: not valid JSON: {_first_line(str(error))}") from None


@dataclass
class _JsonObject:
    keys: dict[str, int] | None  # key -> offset of its first spelling; None for a list
    under: str | None  # the key this container is the value of
    last: str | None = None


class _JsonScan:
    """One pass over JSON text (before ``json.loads``): depth capped, duplicate keys and resource lines.

    ``json.loads`` keeps the last of duplicate keys silently and has no positions, so its keys are found
    here from the tokens: each string followed by a colon inside an object.
    """

    def __init__(self, text: str, source: str) -> None:
        self.text, self.source = text, source
        self.duplicates: list[tuple[str, int, int]] = []  # key, first offset, offset again
        self.resources: dict[str, int] = {}

    def run(self) -> None:
        open_: list[_JsonObject] = []
        for match in _JSON_TOKENS.finditer(self.text):
            char = self.text[match.start()]
            if char == '"':
                keys = open_[-1].keys if open_ else None
                if match.group(2) is not None and keys is not None:
                    open_[-1].last = self._key(keys, match.group(1), match.start())
            elif char in "{[":
                if len(open_) >= MAX_DEPTH:
                    line, column = _position(self.text, match.start())
                    raise LimitError(f"{self.source}:{line}:{column}: {_too_deep()}")
                parent = open_[-1].last if open_ and open_[-1].keys is not None else None
                open_.append(_JsonObject({} if char == "{" else None, parent))
            elif open_:
                done = open_.pop()
                if len(open_) == 1 and done.under == "Resources" and done.keys is not None:
                    self.resources = done.keys

    def _key(self, keys: dict[str, int], raw: str, offset: int) -> str:
        key = raw
        if "\\" in raw:
            try:
                key = json.loads(f'"{raw}"')
            except ValueError:
                return raw  # json.loads reports the bad escape with its line
        if key in keys:
            self.duplicates.append((key, keys[key], offset))
        else:
            keys[key] = offset
        return key

    def raise_duplicates(self) -> None:
        # Positions cost a count of the text each: only for the duplicates the message lists.
        found = [
            (key, _position(self.text, first)[0], *_position(self.text, again))
            for key, first, again in self.duplicates[:_LISTED]
        ]
        _raise_duplicates(self.source, found, len(self.duplicates))

    def resource_lines(self) -> dict[str, int]:
        offsets = sorted((offset, key) for key, offset in self.resources.items())
        lines, line, done = {}, 1, 0
        for offset, key in offsets:
            line += self.text.count("\n", done, offset)
            lines[key], done = line, offset
        return lines


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset``."""
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


# --- YAML ------------------------------------------------------------------------------------------

_STR, _MERGE_TAG = "tag:yaml.org,2002:str", "tag:yaml.org,2002:merge"
# YAML 1.1's implicit types as PyYAML's SafeLoader reads them, except dates and times: they stay text,
# as CloudFormation reads them (a Version "2012-10-17" is not a date).
_IMPLICIT = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_CONSTRUCTOR = SafeConstructor()
_SCALARS: dict[str, Any] = {
    "tag:yaml.org,2002:null": lambda text: None,
    "tag:yaml.org,2002:bool": lambda text: SafeConstructor.bool_values[text.lower()],
    "tag:yaml.org,2002:int": lambda text: _CONSTRUCTOR.construct_yaml_int(
        yaml.ScalarNode("tag:yaml.org,2002:int", text)
    ),
    "tag:yaml.org,2002:float": lambda text: _CONSTRUCTOR.construct_yaml_float(
        yaml.ScalarNode("tag:yaml.org,2002:float", text)
    ),
    _STR: str,
    # ``<<`` and ``=`` where a value belongs are text (PyYAML's SafeLoader cannot construct them).
    _MERGE_TAG: str,
    "tag:yaml.org,2002:value": str,
}
_COLLECTION_TAGS = {None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_NO_KEY, _MERGE = object(), object()
# Distinct plain scalars whose values a builder keeps.
_PLAIN_CACHE = 4096


@dataclass
class _Collection:
    value: dict[str, Any] | list[Any]
    tag: str | None
    anchor: str | None
    under: Any  # the key this collection is the value of
    mark: Any  # where it starts
    size: int = 1  # nodes, aliases expanded
    key: Any = _NO_KEY  # the key whose value comes next (a mapping)
    key_line: int = 0
    key_column: int = 0
    lines: dict[str, int] = field(default_factory=dict)  # key -> 1-based line (a mapping)
    merges: list[Any] = field(default_factory=list)  # mappings of ``<<`` keys, in order


class _YamlBuilder:
    """Builds the document from parser events, without recursion: marks, caps and duplicates as it goes."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.root: Any = None
        self.open: list[_Collection] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.aliased = 0  # nodes added by aliases
        self.documents = 0
        self.duplicates: list[tuple[str, int, int, int]] = []  # key, first line, line, column again
        self.resource_lines: dict[str, int] = {}
        self.plain: dict[str, Any] = {}  # plain scalar text -> value (immutable values only)

    def build(self, parser: Any) -> None:
        """Consume the events of ``parser`` (a PyYAML loader), one handler per event type."""
        handlers: dict[type, Any] = {
            yaml.ScalarEvent: self._scalar,
            yaml.AliasEvent: self._alias,
            yaml.SequenceStartEvent: self._start,
            yaml.MappingStartEvent: self._start,
            yaml.SequenceEndEvent: self._end,
            yaml.MappingEndEvent: self._end,
            yaml.DocumentStartEvent: self._document,
        }
        while True:
            event = parser.get_event()
            if event is None or type(event) is yaml.StreamEndEvent:
                return
            handler = handlers.get(type(event))
            if handler is not None:
                handler(event)

    def _document(self, event: yaml.DocumentStartEvent) -> None:
        self.documents += 1
        if self.documents > 1:
            raise TemplateError(f"{_at(self.source, event.start_mark)}: more than one YAML document")

    def _start(self, event: yaml.CollectionStartEvent) -> None:
        if len(self.open) >= MAX_DEPTH:
            raise LimitError(f"{_at(self.source, event.start_mark)}: {_too_deep()}")
        kind: dict[str, Any] | list[Any] = [] if type(event) is yaml.SequenceStartEvent else {}
        under = self.open[-1].key if self.open else None
        self.open.append(_Collection(kind, event.tag, event.anchor, under, event.start_mark))

    def _scalar(self, event: yaml.ScalarEvent) -> None:
        top = self.open[-1] if self.open else None
        if top is not None and isinstance(top.value, dict) and top.key is _NO_KEY:
            if event.tag is not None and event.tag not in ("!", _STR):
                raise TemplateError(f"{_at(self.source, event.start_mark)}: a {event.tag} key")
            top.key = _MERGE if event.implicit[0] and event.value == "<<" else event.value
            top.key_line, top.key_column = _line_column(event.start_mark)
            self._anchor(event.anchor, event.value, 1)
            return
        if event.tag is None and event.implicit[0]:
            value = self._plain(event)
        else:
            value = self._tagged(event.tag, self._scalar_value(event), event.start_mark)
        self._anchor(event.anchor, value, 1)
        self._add(value, 1, event.start_mark)

    def _plain(self, event: yaml.ScalarEvent) -> Any:
        """A plain scalar's value; templates repeat a few (``true``, types, ``Allow``), so they are kept."""
        text = event.value
        if text in self.plain:
            return self.plain[text]
        tag = next((t for t, regexp in _IMPLICIT.get(text[:1], ()) if regexp.match(text)), _STR)
        value = self._construct(tag, text, event)
        if len(self.plain) < _PLAIN_CACHE:
            self.plain[text] = value
        return value

    def _scalar_value(self, event: yaml.ScalarEvent) -> Any:
        tag = event.tag
        if tag is None or tag == "!" or tag in SHORT_FORMS:
            tag = _STR
        return self._construct(tag, event.value, event)

    def _construct(self, tag: str, text: str, event: yaml.ScalarEvent) -> Any:
        construct = _SCALARS.get(tag)
        if construct is None:
            raise TemplateError(f"{_at(self.source, event.start_mark)}: unknown tag {tag}")
        try:
            return construct(text)
        except (ValueError, KeyError, yaml.YAMLError):
            raise TemplateError(f"{_at(self.source, event.start_mark)}: {text!r} is not a {tag}") from None

    def _alias(self, event: yaml.AliasEvent) -> None:
        if event.anchor not in self.anchors:
            raise TemplateError(
                f"{_at(self.source, event.start_mark)}: alias *{event.anchor} names no anchor"
            )
        value, size = self.anchors[event.anchor]
        self.aliased += size
        if self.aliased > MAX_NODES:
            raise LimitError(
                f"{_at(self.source, event.start_mark)}: YAML aliases expand to more than {MAX_NODES} "
                "nodes (an alias bomb?)"
            )
        top = self.open[-1] if self.open else None
        if top is not None and isinstance(top.value, dict) and top.key is _NO_KEY:
            if not isinstance(value, str):
                raise TemplateError(f"{_at(self.source, event.start_mark)}: a mapping key that is not text")
            top.key = value
            top.key_line, top.key_column = _line_column(event.start_mark)
            return
        self._add(value, size, event.start_mark)

    def _end(self, event: yaml.CollectionEndEvent) -> None:
        done = self.open.pop()
        if isinstance(done.value, dict):
            for merged in done.merges:
                for key, value in merged.items():
                    done.value.setdefault(key, value)
            if len(self.open) == 1 and done.under == "Resources":
                self.resource_lines = done.lines
        value = self._tagged(done.tag, done.value, done.mark)
        self._anchor(done.anchor, value, done.size)
        self._add(value, done.size, done.mark)

    def _tagged(self, tag: str | None, value: Any, mark: Any) -> Any:
        if tag in SHORT_FORMS:
            name = SHORT_FORMS[tag]
            if name == "Fn::GetAtt" and isinstance(value, str):
                return {name: value.split(".", 1)}
            return {name: value}
        if isinstance(value, dict | list) and tag not in _COLLECTION_TAGS:
            raise TemplateError(f"{_at(self.source, mark)}: unknown tag {tag}")
        return value

    def _anchor(self, anchor: str | None, value: Any, size: int) -> None:
        if anchor is not None:
            self.anchors[anchor] = (value, size)

    def _add(self, value: Any, size: int, mark: Any) -> None:
        if not self.open:
            self.root = value
            return
        top = self.open[-1]
        top.size += size
        if isinstance(top.value, list):
            top.value.append(value)
        elif top.key is _NO_KEY:
            raise TemplateError(f"{_at(self.source, mark)}: a mapping key that is not text")
        elif top.key is _MERGE:
            top.merges.extend(_merged(value, self.source, mark))
        elif top.key in top.value:
            self.duplicates.append((top.key, top.lines[top.key], top.key_line, top.key_column))
        else:
            top.value[top.key] = value
            top.lines[top.key] = top.key_line
        top.key = _NO_KEY

    def raise_duplicates(self) -> None:
        _raise_duplicates(self.source, self.duplicates[:_LISTED], len(self.duplicates))


def _merged(value: Any, source: str, mark: Any) -> Iterator[dict[str, Any]]:
    """The mappings of a ``<<`` merge key (one mapping or a list of them)."""
    for item in value if isinstance(value, list) else [value]:
        if not isinstance(item, dict):
            raise TemplateError(f"{_at(source, mark)}: a << merge key needs mappings")
        yield item


# --- messages --------------------------------------------------------------------------------------


def _raise_duplicates(source: str, found: list[tuple[str, int, int, int]], count: int) -> None:
    """One error naming the duplicate keys with both lines (cfn-lint's E0000 'Duplicate found').

    ``found`` holds the first ``_LISTED`` of ``count`` duplicates.
    """
    if not found:
        return
    line, column = found[0][2:]
    listed = "; ".join(f"{k!r} on lines {a} and {b}" for k, a, b, _ in found)
    more = f" and {count - len(found)} more" if count > len(found) else ""
    raise TemplateError(
        f"{source}:{line}:{column}: duplicate key {listed}{more} (CloudFormation rejects a template "
        "with duplicate keys; keep one)"
    )


def _line_column(mark: Any) -> tuple[int, int]:
    """1-based line and column of a YAML mark (0, 0 when the parser gives none)."""
    return (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)


def _at(source: str, mark: Any) -> str:
    return f"{source}:{mark.line + 1}:{mark.column + 1}" if mark is not None else source


def _too_deep() -> str:
    return f"nested deeper than {MAX_DEPTH} levels (no CloudFormation template is)"


def _reason(error: TemplateError, source: str) -> str:
    return str(error).removeprefix(source).lstrip(":0123456789 ")


def _kind(value: Any) -> str:
    return {list: "list", dict: "mapping", str: "string", bool: "boolean"}.get(
        type(value), type(value).__name__
    )


def _article(value: Any) -> str:
    if value is None:
        return "empty"
    kind = _kind(value)
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:200] if text.strip() else "unknown error"
