"""Reading CloudFormation templates from files: JSON, or YAML with the short-form tags. Pure Python.

``load_template(path)`` returns the template as plain dicts and lists with the long forms
(``!Ref X`` -> ``{"Ref": "X"}``, ``!GetAtt A.B`` -> ``{"Fn::GetAtt": ["A", "B"]}``), so every rule reads
one shape whatever the file format. ``resource_lines`` gives the line of each resource for reports.
Problems with the file raise ``TemplateError`` naming the path and what is wrong.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Mapping
from typing import Any

import yaml

# Short-form tags whose argument is kept as is (scalar, list or mapping) under ``Fn::<name>``.
_FUNCTIONS = (
    "And", "Base64", "Cidr", "Equals", "FindInMap", "GetAZs", "If", "ImportValue", "Join", "Not", "Or",
    "Select", "Split", "Sub", "Transform", "Length", "ToJsonString", "ForEach",
)  # fmt: skip
# Documents larger than this are refused: a template is at most 1 MB (S3 upload), we allow room.
MAX_BYTES = 5 * 1024 * 1024


class TemplateError(ValueError):
    """A template file that cannot be read: the message names the path and the problem."""


class _Loader(yaml.SafeLoader):
    """SafeLoader with CloudFormation's short-form intrinsic tags."""


def _construct(node: yaml.Node, loader: _Loader) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]


def _function(name: str) -> Any:
    def construct(loader: _Loader, node: yaml.Node) -> Any:
        return {name: _construct(node, loader)}

    return construct


def _get_att(loader: _Loader, node: yaml.Node) -> Any:
    value = _construct(node, loader)
    if isinstance(value, str) and "." in value:
        return {"Fn::GetAtt": value.split(".", 1)}
    return {"Fn::GetAtt": value}


_Loader.add_constructor("!Ref", _function("Ref"))
_Loader.add_constructor("!Condition", _function("Condition"))
_Loader.add_constructor("!GetAtt", _get_att)
for _name in _FUNCTIONS:
    _Loader.add_constructor(f"!{_name}", _function(f"Fn::{_name}"))
# Dates and times stay text, as CloudFormation reads them (a Version "2012-10-17" is not a date).
_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_template(text: str, source: str = "<template>") -> dict[str, Any]:
    """A template from JSON or YAML text; ``source`` names it in errors."""
    stripped = text.lstrip("\ufeff")
    try:
        if stripped.lstrip().startswith("{"):
            value = json.loads(stripped)
        else:
            value = yaml.load(stripped, Loader=_Loader)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise TemplateError(f"{source}: not valid JSON or YAML: {_first_line(str(error))}") from None
    if not isinstance(value, Mapping) or not isinstance(value.get("Resources"), Mapping):
        raise TemplateError(f"{source}: not a CloudFormation template (no Resources section)")
    return dict(value)


def load_template(path: str | pathlib.Path) -> dict[str, Any]:
    """The template in ``path`` (JSON or YAML with short-form tags)."""
    file = pathlib.Path(path)
    try:
        data = file.read_bytes()
    except OSError as error:
        raise TemplateError(f"{file}: cannot be read ({error.strerror or error})") from None
    if len(data) > MAX_BYTES:
        raise TemplateError(f"{file}: {len(data)} bytes is larger than any CloudFormation template")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise TemplateError(f"{file}: not UTF-8 text (byte {error.start})") from None
    return parse_template(text, str(file))


def resource_lines(text: str) -> dict[str, int]:
    """The 1-based line where each resource starts (JSON is read as YAML); empty if unreadable.

    PyYAML composes in pure Python: the reports that show lines (SARIF) call this, the others do not.
    """
    try:
        root = yaml.compose(text.lstrip("\ufeff"), Loader=_Loader)
    except yaml.YAMLError:
        return {}
    resources = _child(root, "Resources")
    if not isinstance(resources, yaml.MappingNode):
        return {}
    return {
        str(key.value): key.start_mark.line + 1
        for key, _ in resources.value
        if isinstance(key, yaml.ScalarNode)
    }


def _child(node: yaml.Node | None, name: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((value for key, value in node.value if getattr(key, "value", None) == name), None)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:200] if text.strip() else "unknown error"
