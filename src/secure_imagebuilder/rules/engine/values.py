"""The CloudFormation value model every rule reads, without ever crashing on an intrinsic. Pure Python.

Property values are template ``Properties`` exactly as CloudFormation receives them, so key lookups are
exact: CloudFormation ignores a property spelled ``kmsKeyId`` where the schema says ``KmsKeyId``, and so
do the rules (rule CFN1 reports the misspelling).

``reach(value, *path, stack=stack)`` yields every value a property can take at deploy time: both branches
of ``Fn::If`` (at every level of the path), ``Ref: AWS::NoValue`` as absent (``None``), a ``Ref`` to a
parameter as its ``Default``, each of its ``AllowedValues`` and the ends of its ``MinValue``/``MaxValue``
range (the ``Ref`` itself, an unknown, when it has none of them), ``Fn::Select`` of a literal list as the
items it can pick. A rule reports when any reachable value is non-compliant. Other intrinsics are opaque
except where a rule can read through them: the literal parts of ``Fn::Join`` and the template of
``Fn::Sub`` are rendered into text so that a token never hides a literal violation.

``assuming(...)`` fixes a condition or a parameter for the code run inside it (every function here then
follows only that branch or value); ``rules.assumptions`` uses it to say which branch or parameter value
leads to a finding.
"""

from __future__ import annotations

import contextlib
import contextvars
import fnmatch
import re
from collections.abc import Iterator, Mapping
from typing import Any

# Placeholder for a value only known at deploy time inside rendered text.
TOKEN = "TOKEN"
# Pseudo parameters rendered as their usual value, so that a URL built with them can still be read.
_PSEUDO = {"AWS::URLSuffix": "amazonaws.com", "AWS::Partition": "aws"}
_WHOLE_SUB = re.compile(r"\$\{([A-Za-z0-9:]+)(?:\.[A-Za-z0-9.]+)?\}")


# What the code running inside ``assuming`` takes as given: ("condition", name) -> bool,
# ("parameter", name) -> the parameter's value (``RAW`` keeps the ``Ref`` itself, a deploy-time unknown).
_NOTHING_ASSUMED: Mapping[tuple[str, str], Any] = {}
_ASSUMED = contextvars.ContextVar("assumed", default=_NOTHING_ASSUMED)
RAW = object()


@contextlib.contextmanager
def assuming(kind: str, name: str, value: Any) -> Iterator[None]:
    """Within the block, condition ``name`` is ``value`` (``kind="condition"``), or parameter ``name`` is."""
    token = _ASSUMED.set({**_ASSUMED.get(), (kind, name): value})
    try:
        yield
    finally:
        _ASSUMED.reset(token)


def parameter_options(parameter: Any) -> list[Any]:
    """The values a parameter is known to take: ``Default``, ``AllowedValues``, ``MinValue``, ``MaxValue``.

    The ends of a number range stand for the whole range: a threshold rule is decided by them.
    """
    if not isinstance(parameter, Mapping):
        return []
    options = [parameter["Default"]] if "Default" in parameter else []
    allowed = parameter.get("AllowedValues")
    ends = [
        parameter[k] for k in ("MinValue", "MaxValue") if k in parameter and number(parameter[k]) is not None
    ]
    for option in (allowed if isinstance(allowed, list) else []) + ends:
        if option not in options:
            options.append(option)
    return options


def get(obj: Any, *path: str) -> Any:
    """Follow ``path`` through nested mappings by exact key; ``None`` if absent or not a mapping."""
    for key in path:
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(key)
    return obj


class Unknown:
    """A value only known at deploy time (an intrinsic the model cannot read through)."""

    def __init__(self, source: Any) -> None:
        """Remember the expression the value comes from."""
        self.source = source

    def __repr__(self) -> str:
        """For test output."""
        return f"Unknown({self.source!r})"


def alternatives(value: Any, parameters: Mapping[str, Any] | None = None, depth: int = 0) -> list[Any]:
    """The values ``value`` can take at deploy time; anything the model cannot read is returned as is.

    ``Fn::If``: both branches; ``AWS::NoValue``: ``None``; a parameter: its ``Default`` and ``AllowedValues``;
    ``Fn::Select`` of a literal list: the item at each index it can take (any item for an unknown index).
    """
    found = intrinsic(value)
    if found is None or depth > 20:
        return [value]
    name, arg = found
    if name == "Ref" and arg == "AWS::NoValue":
        return [None]
    if name == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
        return [alt for branch in if_branches(arg) for alt in alternatives(branch, parameters, depth + 1)]
    if name == "Fn::Select" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
        return [
            alt
            for item in _selected(arg[0], arg[1], parameters)
            for alt in alternatives(item, parameters, depth + 1)
        ]
    if name == "Ref" and isinstance(arg, str):
        fixed = _ASSUMED.get().get(("parameter", arg), None)
        if fixed is RAW:
            return [value]
        if fixed is not None:
            return [fixed]
        return parameter_options((parameters or {}).get(arg)) or [value]
    return [value]


def _selected(index: Any, items: list[Any], parameters: Mapping[str, Any] | None) -> list[Any]:
    """The items ``Fn::Select`` can pick: at each literal index it can take, or any item if unknown."""
    positions = [number(i) for i in alternatives(index, parameters)]
    if any(p is None or not p.is_integer() for p in positions):
        return items
    return [items[int(p)] for p in positions if p is not None and 0 <= p < len(items)]


def if_branches(arg: list[Any]) -> list[Any]:
    """The branches of ``Fn::If [condition, then, else]`` that can deploy (one, when it is assumed)."""
    condition = arg[0]
    fixed = _ASSUMED.get().get(("condition", condition)) if isinstance(condition, str) else None
    if fixed is None:
        return arg[1:]
    return [arg[1] if fixed else arg[2]]


def reach(obj: Any, *path: str, parameters: Mapping[str, Any] | None = None) -> list[Any]:
    """Every value the property at ``path`` can take at deploy time (see the module docstring).

    ``None`` stands for "absent"; an ``Unknown`` for a value behind an intrinsic the model cannot read.
    """
    current = alternatives(obj, parameters)
    for key in path:
        following: list[Any] = []
        for item in current:
            if item is None or isinstance(item, Unknown):
                following.append(item)
            elif isinstance(item, Mapping) and intrinsic(item) is None:
                following.extend(alternatives(item.get(key), parameters))
            elif isinstance(item, Mapping):
                following.append(Unknown(item))
            else:
                following.append(None)
        current = following
    return current


def number(value: Any) -> float | None:
    """A literal number (or a numeric string) as a float; ``None`` for tokens and other values."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


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
    if name == "Fn::Sub" and isinstance(arg, str):
        # "${Topic}" or "${Topic.Arn}": the whole value is one reference to a resource.
        match = _WHOLE_SUB.fullmatch(arg)
        if match and not match.group(1).startswith("AWS::"):
            return match.group(1)
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
    if name == "Fn::Select":
        options = alternatives(value)
        return render(options[0]) if len(options) == 1 and options[0] is not value else TOKEN
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
        if name == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
            for branch in if_branches(arg):  # the condition's name is not text content
                yield from strings(branch)
        elif name not in ("Ref", "Fn::GetAtt"):  # a logical id or parameter name is not text content
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
    """Every statement a policy document can hold at deploy time (a single object counts as a list of one).

    ``Fn::If`` is read on the document, on ``Statement`` and on each item, both branches; ``AWS::NoValue``
    drops the statement.
    """
    found: list[Mapping[str, Any]] = []
    for doc in alternatives(document):
        for listed in alternatives(get(doc, "Statement")):
            for item in as_list(listed):
                found.extend(s for s in alternatives(item) if isinstance(s, Mapping) and intrinsic(s) is None)
    return found


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
