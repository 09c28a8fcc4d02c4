"""Helpers that read resolved CloudFormation values without ever crashing on an intrinsic.

Property values reach the rules in two shapes: resolved ``cfnProperties`` (camelCase keys, from the
construct tree) and template ``Properties`` (PascalCase keys, from a synthesized template). Every key
lookup here is therefore case-insensitive. Intrinsics (``Ref``, ``Fn::GetAtt``, ``Fn::Join``,
``Fn::Sub``, ...) are treated as opaque except where a rule can read through them: the literal parts of
``Fn::Join`` and the template of ``Fn::Sub`` are rendered into text so that a token never hides a
literal violation.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping
from typing import Any

# Placeholder for a value only known at deploy time inside rendered text.
TOKEN = "TOKEN"
# Pseudo parameters rendered as their usual value, so that a URL built with them can still be read.
_PSEUDO = {"AWS::URLSuffix": "amazonaws.com", "AWS::Partition": "aws"}


def get(obj: Any, *path: str) -> Any:
    """Follow ``path`` through nested mappings, matching keys case-insensitively; ``None`` if absent."""
    for key in path:
        if not isinstance(obj, Mapping):
            return None
        if key in obj:
            obj = obj[key]
            continue
        wanted = key.lower()
        for candidate, value in obj.items():
            if isinstance(candidate, str) and candidate.lower() == wanted:
                obj = value
                break
        else:
            return None
    return obj


def as_list(value: Any) -> list[Any]:
    """A list value as is, a single value as a one-element list, nothing as an empty list."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def intrinsic(value: Any) -> tuple[str, Any] | None:
    """``(name, argument)`` if ``value`` is a single-key ``Ref``/``Fn::*``/``Condition`` object."""
    if isinstance(value, Mapping) and len(value) == 1:
        ((name, arg),) = value.items()
        if isinstance(name, str) and (name == "Ref" or name.startswith("Fn::")):
            return name, arg
    return None


def ref_target(value: Any) -> str | None:
    """The logical id that ``{"Ref": id}`` or ``{"Fn::GetAtt": [id, attr]}`` points at, else ``None``."""
    found = intrinsic(value)
    if found is None:
        return None
    name, arg = found
    if name == "Ref" and isinstance(arg, str) and not arg.startswith("AWS::"):
        return arg
    if name == "Fn::GetAtt":
        if isinstance(arg, list) and arg and isinstance(arg[0], str):
            return arg[0]
        if isinstance(arg, str):
            return arg.split(".", 1)[0]
    return None


def getatt_attribute(value: Any) -> str | None:
    """The attribute name of a ``Fn::GetAtt``, else ``None``."""
    found = intrinsic(value)
    if found is None or found[0] != "Fn::GetAtt":
        return None
    arg = found[1]
    if isinstance(arg, list) and len(arg) > 1 and isinstance(arg[1], str):
        return arg[1]
    if isinstance(arg, str) and "." in arg:
        return arg.split(".", 1)[1]
    return None


def render(value: Any) -> str | None:
    """Text of a string-valued expression: literals kept, deploy-time parts replaced by ``TOKEN``.

    ``None`` for values that are not string-like (numbers, lists, objects).
    """
    if isinstance(value, str):
        return value
    found = intrinsic(value)
    if found is None:
        return None
    name, arg = found
    if name == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
        separator = arg[0] if isinstance(arg[0], str) else ""
        return separator.join(render(part) or TOKEN for part in arg[1])
    if name == "Fn::Sub":
        template = arg[0] if isinstance(arg, list) and arg else arg
        return template if isinstance(template, str) else TOKEN
    if name == "Ref" and isinstance(arg, str):
        return _PSEUDO.get(arg, TOKEN)
    return TOKEN


def strings(value: Any) -> Iterator[str]:
    """Every piece of text inside ``value``: literal strings and rendered ``Fn::Join``/``Fn::Sub``.

    Recurses into mappings, lists and the arguments of every intrinsic, so a literal nested anywhere
    (``Fn::If`` branches, ``Fn::Select`` lists, ``Fn::Sub`` variables) is seen.
    """
    if isinstance(value, str):
        yield value
        return
    if isinstance(value, list):
        for item in value:
            yield from strings(item)
        return
    if not isinstance(value, Mapping):
        return
    found = intrinsic(value)
    if found is not None:
        name, arg = found
        if name in ("Fn::Join", "Fn::Sub"):
            text = render(value)
            if text is not None and text != TOKEN:
                yield text
            if name == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
                for part in as_list(arg[1]):
                    if not isinstance(part, str):
                        yield from strings(part)
            elif name == "Fn::Sub" and isinstance(arg, list) and len(arg) == 2:
                yield from strings(arg[1])
            return
        yield from strings(arg)
        return
    for item in value.values():
        yield from strings(item)


def truthy(value: Any) -> bool | None:
    """``True``/``False`` for a literal boolean (or ``"true"``/``"false"``), ``None`` for a token."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def statements(document: Any) -> list[Mapping[str, Any]]:
    """The statements of a policy document (a single statement object counts as a list of one)."""
    return [s for s in as_list(get(document, "Statement")) if isinstance(s, Mapping)]


def actions_match(statement: Mapping[str, Any], wanted: tuple[str, ...]) -> list[str]:
    """The actions of ``wanted`` that an Allow ``statement`` grants (wildcards and ``NotAction`` read)."""
    actions = [a for a in as_list(get(statement, "Action")) if isinstance(a, str)]
    not_actions = [a for a in as_list(get(statement, "NotAction")) if isinstance(a, str)]
    granted = []
    for action in wanted:
        if actions and any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in actions):
            granted.append(action)
        elif get(statement, "NotAction") is not None and not any(
            fnmatch.fnmatchcase(action.lower(), a.lower()) for a in not_actions
        ):
            granted.append(action)
    return granted


def is_allow(statement: Mapping[str, Any]) -> bool:
    """Whether the statement allows (a missing or tokenised ``Effect`` counts as Allow)."""
    effect = get(statement, "Effect")
    return not (isinstance(effect, str) and effect.lower() == "deny")


def condition_keys(statement: Mapping[str, Any]) -> dict[str, list[tuple[str, Any]]]:
    """Condition keys (lower-cased) mapped to their ``(operator, value)`` pairs."""
    keys: dict[str, list[tuple[str, Any]]] = {}
    condition = get(statement, "Condition")
    if not isinstance(condition, Mapping):
        return keys
    for operator, block in condition.items():
        if isinstance(block, Mapping):
            for key, value in block.items():
                if isinstance(key, str):
                    keys.setdefault(key.lower(), []).append((str(operator), value))
    return keys


def principals(statement: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """``(kind, value)`` pairs of a statement's ``Principal``; ``("*", "*")`` for ``"Principal": "*"``."""
    principal = get(statement, "Principal")
    if principal is None:
        return []
    if isinstance(principal, str):
        return [("*", principal)]
    found: list[tuple[str, Any]] = []
    if isinstance(principal, Mapping) and intrinsic(principal) is None:
        for kind, value in principal.items():
            for item in as_list(value):
                found.append((str(kind).lower(), item))
    return found


def is_anyone(value: Any) -> bool:
    """Whether a principal value is the wildcard ``*``."""
    return isinstance(value, str) and value.strip() == "*"


def is_account_root(value: Any) -> bool:
    """Whether a principal value names an account root (``arn:...:root`` or a bare account id)."""
    text = render(value)
    if text is None:
        return False
    return (
        text.endswith(":root")
        or (text.isdigit() and len(text) == 12)
        or (text == TOKEN and _is_account_ref(value))
    )


def _is_account_ref(value: Any) -> bool:
    found = intrinsic(value)
    return found is not None and found == ("Ref", "AWS::AccountId")
