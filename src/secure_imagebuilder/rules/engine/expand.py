"""What CloudFormation expands before it creates anything, expanded the same way here. Pure Python.

``Fn::ForEach::<Loop>`` entries of ``Resources`` (the ``AWS::LanguageExtensions`` transform) become the
resources they generate: for each item of the collection, ``${Identifier}`` and ``&{Identifier}`` in
keys and strings and ``Ref: Identifier`` are replaced by the item, loops nested in loops included.

What cannot be expanded is reported, never skipped: a loop over a collection only known at deploy time,
a macro (``Transform`` other than ``AWS::LanguageExtensions``) whose output is not in the template, a
nested stack whose template is not part of the scan. Rule CFN2 turns each into a finding.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from secure_imagebuilder.rules.engine import values as v

FOR_EACH = "Fn::ForEach::"
LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"
# Every loop expands to at most this many resources; beyond it the rest is reported as unread.
MAX_EXPANDED = 2000


@dataclass
class Expanded:
    """The resources after expansion, the loop each generated one comes from, and what was not read."""

    resources: dict[str, Any]
    origins: dict[str, str]
    unread: list[Unread]


@dataclass(frozen=True)
class Unread:
    """A part of the template the pack could not read: where it is and why."""

    where: str
    why: str


def resources(template: Mapping[str, Any], parameters: Mapping[str, Any]) -> Expanded:
    """The template's resources with every ``Fn::ForEach`` loop expanded, and what could not be."""
    found = Expanded({}, {}, [])
    raw = template.get("Resources")
    for key, body in raw.items() if isinstance(raw, Mapping) else []:
        if isinstance(key, str) and key.startswith(FOR_EACH):
            generated: dict[str, Any] = {}
            _loop(key, body, parameters, {}, generated, found.unread)
            found.resources.update(generated)
            found.origins.update(dict.fromkeys(generated, key))
        else:
            found.resources[key] = body
    return found


def _loop(
    key: str,
    body: Any,
    parameters: Mapping[str, Any],
    outer: Mapping[str, str],
    into: dict[str, Any],
    unread: list[Unread],
) -> None:
    if not (
        isinstance(body, list)
        and len(body) == 3
        and isinstance(body[0], str)
        and isinstance(body[2], Mapping)
    ):
        unread.append(
            Unread(f"Resources.{key}", "a loop that is not [identifier, collection, {key: resource}]")
        )
        return
    identifier, collection, output = body
    items = _collection(_substituted(collection, outer), parameters)
    if items is None:
        unread.append(Unread(f"Resources.{key}", "a loop over a collection only known at deploy time"))
        return
    for item in items:
        names = {**outer, identifier: item}
        for name, resource in output.items():
            if isinstance(name, str) and name.startswith(FOR_EACH):
                _loop(name, resource, parameters, names, into, unread)
            elif len(into) < MAX_EXPANDED:
                into[_substituted(name, names)] = _substituted(resource, names)
            else:
                unread.append(Unread(f"Resources.{key}", f"more than {MAX_EXPANDED} expanded resources"))
                return


def _collection(value: Any, parameters: Mapping[str, Any]) -> list[str] | None:
    """The items a loop runs over: a literal list, or a list parameter's default; ``None`` if unknown."""
    for alternative in v.alternatives(value, _Parameters(parameters)):
        if isinstance(alternative, list) and all(isinstance(i, str | int | float) for i in alternative):
            return [str(i) for i in alternative]
    return None


class _Parameters(v.NoSections):
    def __init__(self, parameters: Mapping[str, Any]) -> None:
        self.parameters = parameters


def _substituted(value: Any, names: Mapping[str, str]) -> Any:
    """``value`` with the loop identifiers replaced by their items (keys, strings, ``Ref``)."""
    if not names:
        return value
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: _replacement(m, names), value)
    if isinstance(value, list):
        return [_substituted(item, names) for item in value]
    if isinstance(value, Mapping):
        found = v.intrinsic(value)
        if found is not None and found[0] == "Ref" and found[1] in names:
            return names[found[1]]
        return {_substituted(k, names): _substituted(item, names) for k, item in value.items()}
    return value


_PLACEHOLDER = re.compile(r"([$&])\{([A-Za-z0-9_]+)\}")


def _replacement(match: re.Match[str], names: Mapping[str, str]) -> str:
    sigil, name = match.groups()
    if name not in names:
        return match.group(0)
    return names[name] if sigil == "$" else re.sub(r"[^A-Za-z0-9]", "", names[name])


def transforms(template: Mapping[str, Any]) -> list[Unread]:
    """Macros whose output the template does not hold (the language extensions are expanded here)."""
    declared = template.get("Transform")
    found = []
    for name in v.as_list(declared):
        text = name if isinstance(name, str) else v.get(name, "Name")
        if text != LANGUAGE_EXTENSIONS:
            found.append(Unread("Transform", f"the macro {text!r} rewrites the template before deployment"))
    return found
