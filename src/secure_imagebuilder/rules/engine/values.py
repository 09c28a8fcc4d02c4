"""The value model: the one place that reads CloudFormation intrinsics. Pure Python.

Rules and the policy evaluator never read a raw property value for a decision; they ask this module
for every value the property can take at deploy time:

- ``Ref``: a parameter as its ``Default``, each of its ``AllowedValues`` and the ends of its
  ``MinValue``/``MaxValue`` range; ``AWS::NoValue`` as absent (``ABSENT``); pseudo parameters; a resource
  as a reference (``stack.target`` follows it) or, in the evaluator's view, as its symbolic name or ARN;
- ``Fn::If``: each branch its condition can take (``Conditions`` are evaluated: a condition proven
  constant keeps one branch), every alternative carrying the branch it took, so one condition takes one
  branch throughout an alternative;
- ``Fn::FindInMap`` (the mapping's values; every key when a key is only known at deploy time),
  ``Fn::Sub`` (string and variable-map forms), ``Fn::Join``, ``Fn::Select``, ``Fn::Split``, ``Fn::Base64``,
  ``Fn::ToJsonString``, ``Fn::Length``.

What cannot be known at scan time is an explicit :class:`Unknown` naming why: ``Fn::ImportValue``,
``Fn::GetAZs``, ``Fn::Cidr``, SSM-typed parameters, parameters without ``Default`` or ``AllowedValues``,
``{{resolve:...}}`` dynamic references, ``Fn::GetAtt`` of attributes the model does not name, and any
other intrinsic. A string with some deploy-time parts keeps its literal parts (``Unknown.text``, with
:data:`HOLE` for each deploy-time part), so a literal never hides behind a token.

Two views of a value: *text* (``alternatives``, ``reach``, ``texts``: pseudo parameters and resources are
holes, so ``${AWS::AccountId}`` is never read as an account number) and *symbolic* (``resolved``: the
evaluator's view, where ``AWS::AccountId`` is :data:`ACCOUNT`, ``AWS::Region`` is :data:`REGION` and each
resource of the template has the name or ARN it would have in that account).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import contextvars
import functools
import itertools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

# The symbolic account, Region and partition of the evaluator's view.
ACCOUNT = "111122223333"
REGION = "us-west-2"
PARTITION = "aws"

ABSENT = None
"""``Ref: AWS::NoValue`` and a missing property."""
HOLE = "\ue000"
"""Stands for the deploy-time part of a partially known string (a private-use character)."""
TOKEN = HOLE  # the name rules used for it before the value model carried Unknowns

MAX_ALTERNATIVES = 64
"""At most this many alternatives per value; beyond it, an :class:`Unknown` says that more exist."""
MAX_DEPTH = 40
"""Intrinsics nested deeper than this are an :class:`Unknown` (CloudFormation's own limits are lower)."""

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:[^}]*\}\}")
_NUMBER_TYPES = ("Number", "AWS::EC2::")  # a parameter type whose values are compared as numbers


@dataclass(frozen=True, eq=False)
class Unknown:
    """A value only known at deploy time, and why.

    ``text`` is the string with :data:`HOLE` for each deploy-time part when the value is a string with
    literal parts (``Fn::Join``/``Fn::Sub`` over an import), else ``None``.
    """

    source: Any
    reason: str
    text: str | None = None
    # True: one specific value chosen when the stack is deployed (a parameter, an import, an attribute),
    # which an adversary does not choose; False: a limit of the model (an intrinsic it does not read).
    specific: bool = True

    def __repr__(self) -> str:
        """For test output."""
        return f"Unknown({self.reason!r})"


class Sections(Protocol):
    """What the value model reads besides the value: a template's sections (``model.Stack`` is one)."""

    @property
    def parameters(self) -> Mapping[str, Any]:
        """The ``Parameters`` section."""

    @property
    def mappings(self) -> Mapping[str, Any]:
        """The ``Mappings`` section."""

    @property
    def conditions(self) -> Mapping[str, Any]:
        """The ``Conditions`` section."""

    @property
    def resource_types(self) -> Mapping[str, str]:
        """Logical id -> resource type."""

    @property
    def resource_properties(self) -> Mapping[str, Mapping[str, Any]]:
        """Logical id -> properties."""


class NoSections:
    """An empty template: a value read on its own (tests, a statement with no template around it)."""

    parameters: Mapping[str, Any] = {}
    mappings: Mapping[str, Any] = {}
    conditions: Mapping[str, Any] = {}
    resource_types: Mapping[str, str] = {}
    resource_properties: Mapping[str, Mapping[str, Any]] = {}


NOTHING = NoSections()

# --- assumptions: what is taken as given while one alternative is built --------------------------------

# ("condition", name) -> bool; ("parameter", name) -> the parameter's value (RAW: left open).
Assumed = Mapping[tuple[str, str], Any]
_NOTHING_ASSUMED: Assumed = {}
_ASSUMED = contextvars.ContextVar("assumed", default=_NOTHING_ASSUMED)
RAW = object()
"""A parameter value left open: chosen at deploy time (``assuming("parameter", name, RAW)``)."""


@contextlib.contextmanager
def assuming(kind: str, name: str, value: Any) -> Iterator[None]:
    """Within the block, condition ``name`` is ``value`` (``kind="condition"``), or parameter ``name`` is."""
    token = _ASSUMED.set({**_ASSUMED.get(), (kind, name): value})
    try:
        yield
    finally:
        _ASSUMED.reset(token)


class Alternative(NamedTuple):
    """One value an expression can take, and the condition branches and parameter values it assumed.

    A named tuple: the value model makes one per value it reads, and a tuple is the cheapest to build.
    """

    value: Any
    assumed: Assumed


# --- small readers -------------------------------------------------------------------------------------


def get(obj: Any, *path: str) -> Any:
    """Follow ``path`` through nested mappings by exact key; ``None`` if absent or not a mapping.

    A raw read, for *locating* values (which statement, which property); decisions read through
    :func:`reach`, :func:`alternatives` or :func:`resolved`.
    """
    for key in path:
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(key)
    return obj


def as_list(value: Any) -> list[Any]:
    """A list value as is, a single value as a one-element list, nothing as an empty list."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def intrinsic(value: Any) -> tuple[str, Any] | None:
    """``(name, argument)`` if ``value`` is a single-key ``Ref``/``Fn::*``/``Condition`` object.

    Templates are read into plain dicts; ``dict`` (not the ``Mapping`` ABC) keeps this hot check cheap.
    """
    if type(value) is dict and len(value) == 1:
        ((name, arg),) = value.items()
        if isinstance(name, str) and (name in ("Ref", "Condition") or name.startswith("Fn::")):
            return name, arg
    return None


def is_literal_mapping(value: Any) -> bool:
    """A mapping that is not itself an intrinsic."""
    return isinstance(value, dict) and intrinsic(value) is None


def number(value: Any) -> float | None:
    """A literal number (or a numeric string) as a float; ``None`` for anything else."""
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


def truthy(value: Any) -> bool | None:
    """``True``/``False`` for a literal boolean (or ``"true"``/``"false"``), ``None`` for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def ref_target(value: Any) -> str | None:
    """The logical id that ``{"Ref": id}``, ``{"Fn::GetAtt": [id, attr]}`` or ``Fn::Sub "${id}"`` names."""
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
        match = _SUB_VARIABLE.fullmatch(arg)
        if match and not match.group(1).startswith(("AWS::", "!")):
            return match.group(1).split(".", 1)[0]
    return None


def getatt_attribute(value: Any) -> str | None:
    """The attribute a ``Fn::GetAtt`` (or ``Fn::Sub "${id.attr}"``) reads, else ``None``."""
    found = intrinsic(value)
    if found is None:
        return None
    name, arg = found
    if name == "Fn::GetAtt":
        if isinstance(arg, list) and len(arg) > 1 and isinstance(arg[1], str):
            return arg[1]
        if isinstance(arg, str) and "." in arg:
            return arg.split(".", 1)[1]
    if name == "Fn::Sub" and isinstance(arg, str):
        match = _SUB_VARIABLE.fullmatch(arg)
        if match and "." in match.group(1):
            return match.group(1).split(".", 1)[1]
    return None


def parameter_options(parameter: Any) -> list[Any]:
    """The values a parameter is known to take: ``Default``, ``AllowedValues``, ``MinValue``, ``MaxValue``.

    The ends of a number range stand for the whole range: a threshold rule is decided by them. A list
    type (``CommaDelimitedList``, ``List<...>``) gives lists.
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
    kind = str(parameter.get("Type", "String"))
    if kind == "CommaDelimitedList" or kind.startswith("List<"):
        return [o.split(",") if isinstance(o, str) else o for o in options]
    return options


def describe(value: Any, limit: int = 80) -> str:
    """A short, one-line rendering of an expression for messages (the caller redacts secrets)."""
    text = json.dumps(value, default=repr, separators=(",", ":"), sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- the model ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _View:
    """How one reading of a template shows deploy-time values."""

    sections: Sections
    symbolic: bool  # the evaluator's view: pseudo parameters and resources as one account's names


def alternatives(value: Any, sections: Sections = NOTHING) -> list[Any]:
    """The values ``value`` can take at deploy time, read at its top level (the text view).

    Nested values are left as written (``reach`` goes down a path); resources stay references that
    ``Stack.target`` follows.
    """
    if _plain(value):
        return [value]
    view = _View(sections, symbolic=False)
    return [alt.value for alt in _alternatives(value, view, _ASSUMED.get(), 0)]


def _plain(value: Any) -> bool:
    """A value with nothing to read at its top level (the fast path of most properties)."""
    if type(value) is str:
        return "{{resolve:" not in value
    return type(value) is not dict or len(value) != 1 or intrinsic(value) is None


def reach(obj: Any, *path: str, stack: Sections = NOTHING) -> list[Any]:
    """Every value the property at ``path`` can take at deploy time (see the module docstring).

    ``ABSENT`` stands for "not set"; an :class:`Unknown` for a value the model cannot read. One condition
    takes one branch along the whole path.
    """
    plain = obj
    for key in path:  # the fast path: plain objects all the way down
        if type(plain) is not dict or not _plain(plain):
            break
        plain = plain.get(key)
    else:
        if _plain(plain):
            return [plain]
    view = _View(stack, symbolic=False)
    current = _alternatives(obj, view, _ASSUMED.get(), 0)
    for key in path:
        following: list[Alternative] = []
        for alt in current:
            if alt.value is ABSENT or isinstance(alt.value, Unknown):
                following.append(alt)
            elif is_literal_mapping(alt.value):
                following.extend(_alternatives(alt.value.get(key), view, alt.assumed, 0))
            elif isinstance(alt.value, Mapping):
                following.append(Alternative(Unknown(alt.value, "a reference, not an object"), alt.assumed))
            else:
                following.append(Alternative(ABSENT, alt.assumed))
        current = _capped(following, obj)
    return [alt.value for alt in current]


def resolved(value: Any, sections: Sections = NOTHING, *, symbolic: bool = True) -> list[Alternative]:
    """Every fully resolved value of ``value`` (no intrinsic left), each with what it assumed.

    In the symbolic view (the evaluator's) a resource is the name or ARN it would have in :data:`ACCOUNT`;
    absent entries are dropped from lists and objects, as CloudFormation drops ``AWS::NoValue``.
    """
    return _deep(value, _View(sections, symbolic), _ASSUMED.get(), 0)


def texts(value: Any, sections: Sections = NOTHING) -> Iterator[str]:
    """Every piece of text ``value`` holds or can take, for the rules that read text (secrets, documents).

    Literal strings at any depth, both branches of every ``Fn::If`` (text that never deploys is still in
    the template), and every value of every other intrinsic: a parameter's default and allowed values, a
    mapping's entries, each rendering of ``Fn::Join``/``Fn::Sub``/``Fn::Base64`` with what they read
    substituted, so a secret split across parts or moved into a parameter default is whole again.
    """
    yield from _texts(value, _View(sections, symbolic=False), 0)


def decoded_texts(value: Any, sections: Sections = NOTHING) -> Iterator[str]:
    """Every text a base64-valued property (``UserDataOverride``) carries, decoded.

    ``Fn::Base64`` encodes its argument at deploy time: its text is read as written (every alternative,
    as :func:`texts` reads it). Any other value (a literal, a parameter's default, a mapping entry) is the
    encoded text: each of its texts is decoded from base64; one that is not base64 (or has a deploy-time
    part) is read as it is. ``Fn::If`` branches are followed, so each branch is read its own way.
    """
    yield from _decoded(value, _View(sections, symbolic=False), 0)


def _decoded(value: Any, view: _View, depth: int) -> Iterator[str]:
    found = intrinsic(value)
    if found is not None and depth <= MAX_DEPTH:
        name, arg = found
        if name == "Fn::Base64":
            yield from _texts(arg, view, depth + 1)
            return
        if name == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
            for branch in arg[1:]:
                yield from _decoded(branch, view, depth + 1)
            return
    for written in _texts(value, view, depth):
        yield _base64_decoded(written)


def _base64_decoded(written: str) -> str:
    """The text ``written`` encodes (UTF-8, bad bytes replaced), or ``written`` if it is not base64."""
    if HOLE in written:
        return written
    try:
        raw = base64.b64decode("".join(written.split()), validate=True)
    except (binascii.Error, ValueError):
        return written
    return raw.decode("utf-8", errors="replace")


def text(value: Any) -> str | None:
    """A value as text: a string as is, an :class:`Unknown` as its text with holes; ``None`` otherwise."""
    if isinstance(value, str):
        return value
    if isinstance(value, Unknown):
        return value.text
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    return None


def render(value: Any, sections: Sections = NOTHING) -> str | None:
    """One text for a string-valued expression (its first alternative), holes for deploy-time parts."""
    for alt in alternatives(value, sections):
        found = text(alt)
        if found is not None:
            return found
        if intrinsic(alt) is not None:
            return HOLE
    return None


def condition_values(name: str, sections: Sections, assumed: Assumed | None = None) -> frozenset[bool]:
    """The values condition ``name`` can take: ``{True}``, ``{False}`` or both (when it depends on input)."""
    assumed = _ASSUMED.get() if assumed is None else assumed
    fixed = assumed.get(("condition", name))
    if isinstance(fixed, bool):
        return frozenset({fixed})
    if not assumed:
        return _condition_cached(name, sections)  # type: ignore[arg-type]  # Stacks hash by identity
    return _condition(name, _View(sections, symbolic=False), assumed, ())


@functools.lru_cache(maxsize=4096)
def _condition_cached(name: str, sections: Sections) -> frozenset[bool]:
    return _condition(name, _View(sections, symbolic=False), _NOTHING_ASSUMED, ())


def may_exist(condition: str | None, sections: Sections) -> bool:
    """Whether a resource under ``Condition: condition`` can exist (its condition is not proven false)."""
    return condition is None or True in condition_values(condition, sections)


# --- reading one level -----------------------------------------------------------------------------------


def _capped(found: list[Alternative], source: Any) -> list[Alternative]:
    if len(found) <= MAX_ALTERNATIVES:
        return found
    more = Unknown(
        source, f"more than {MAX_ALTERNATIVES} alternatives; the rest are not read", specific=False
    )
    return [*found[:MAX_ALTERNATIVES], Alternative(more, found[MAX_ALTERNATIVES].assumed)]


def _alternatives(value: Any, view: _View, assumed: Assumed, depth: int) -> list[Alternative]:
    """The values of ``value`` at its top level."""
    if isinstance(value, str):
        if "{{resolve:" in value:
            holes = _DYNAMIC_REFERENCE.sub(HOLE, value)
            return [Alternative(Unknown(value, "a dynamic reference ({{resolve:...}})", holes), assumed)]
        return [Alternative(value, assumed)]
    found = intrinsic(value)
    if found is None:
        return [Alternative(value, assumed)]
    if depth > MAX_DEPTH:
        return [Alternative(Unknown(value, "intrinsics nested too deep", specific=False), assumed)]
    name, arg = found
    reader = _READERS.get(name)
    if reader is None:
        return [
            Alternative(Unknown(value, f"{name} is not read by the value model", specific=False), assumed)
        ]
    try:
        return _capped(reader(arg, value, view, assumed, depth + 1), value)
    except _MalformedError as error:
        return [Alternative(Unknown(value, f"{name}: {error}", specific=False), assumed)]


class _MalformedError(ValueError):
    """An intrinsic whose argument has the wrong shape (CloudFormation would refuse the template)."""


def _ref(arg: Any, value: Any, view: _View, assumed: Assumed, depth: int) -> list[Alternative]:
    if not isinstance(arg, str):
        raise _MalformedError("the argument is not a name")
    if arg == "AWS::NoValue":
        return [Alternative(ABSENT, assumed)]
    if arg.startswith("AWS::"):
        return [Alternative(_pseudo(arg, view), assumed)]
    if arg in view.sections.parameters:
        return _parameter(arg, view, assumed)
    if arg in view.sections.resource_types:
        return [Alternative(_physical(arg, None, view) if view.symbolic else value, assumed)]
    return [
        Alternative(Unknown(value, f"Ref to {arg}, which is neither a parameter nor a resource"), assumed)
    ]


def _pseudo(name: str, view: _View) -> Any:
    symbolic = {
        "AWS::AccountId": ACCOUNT,
        "AWS::Region": REGION,
        "AWS::StackName": "stack",
        "AWS::StackId": f"arn:{PARTITION}:cloudformation:{REGION}:{ACCOUNT}:stack/stack/id",
    }
    if name == "AWS::Partition":
        return PARTITION
    if name == "AWS::URLSuffix":
        return "amazonaws.com"
    if view.symbolic and name in symbolic:
        return symbolic[name]
    return Unknown({"Ref": name}, f"{name} is known at deploy time", HOLE)


def _parameter(name: str, view: _View, assumed: Assumed) -> list[Alternative]:
    ref = {"Ref": name}
    fixed = assumed.get(("parameter", name), _NOT_SET)
    if fixed is RAW:
        return [Alternative(Unknown(ref, f"parameter {name} is chosen at deploy time", HOLE), assumed)]
    if fixed is not _NOT_SET:
        return [Alternative(fixed, assumed)]
    parameter = view.sections.parameters.get(name)
    kind = str(get(parameter, "Type") or "String")
    if kind.startswith("AWS::SSM::Parameter::Value"):
        why = f"parameter {name} is read from SSM Parameter Store at deploy time"
        return [Alternative(Unknown(ref, why, HOLE), assumed)]
    options = parameter_options(parameter)
    if not options:
        why = f"parameter {name} has no Default or AllowedValues"
        return [Alternative(Unknown(ref, why, HOLE), assumed)]
    return [Alternative(option, {**assumed, ("parameter", name): option}) for option in options]


_NOT_SET = object()


def _get_att(arg: Any, value: Any, view: _View, assumed: Assumed, depth: int) -> list[Alternative]:
    target, attribute = ref_target(value), getatt_attribute(value)
    if target is None or attribute is None:
        raise _MalformedError("expected [logical id, attribute]")
    if target not in view.sections.resource_types:
        return [Alternative(Unknown(value, f"Fn::GetAtt of {target}, which is not a resource"), assumed)]
    return [Alternative(_physical(target, attribute, view) if view.symbolic else value, assumed)]


def _if(arg: Any, value: Any, view: _View, assumed: Assumed, depth: int) -> list[Alternative]:
    if not (isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str)):
        raise _MalformedError("expected [condition, value if true, value if false]")
    condition = arg[0]
    found: list[Alternative] = []
    for holds in sorted(condition_values(condition, view.sections, assumed), reverse=True):
        branch = arg[1] if holds else arg[2]
        found.extend(_alternatives(branch, view, {**assumed, ("condition", condition): holds}, depth))
    return found


def _find_in_map(arg: Any, value: Any, view: _View, assumed: Assumed, depth: int) -> list[Alternative]:
    if not (isinstance(arg, list) and len(arg) in (3, 4)):
        raise _MalformedError("expected [map, top-level key, second-level key]")
    found: list[Alternative] = []
    # Keys are read in the text view: a Region or account is not the symbolic one, so every entry counts.
    for names in _product(arg[:3], _View(view.sections, symbolic=False), assumed, depth):
        (map_name, top, second), now = names.value, names.assumed
        for entry in _entries(view.sections.mappings, map_name):
            for inner in _entries(entry, top):
                for leaf in _entries(inner, second):
                    found.extend(_alternatives(leaf, view, now, depth))
        if not found and len(arg) == 4:  # Fn::FindInMap's DefaultValue (AWS::LanguageExtensions)
            found.extend(_alternatives(get(arg[3], "DefaultValue"), view, now, depth))
    return found or [Alternative(Unknown(value, "Fn::FindInMap names no entry of Mappings"), assumed)]


def _entries(container: Any, key: Any) -> list[Any]:
    """The entry ``key`` of a mapping level, or every entry when the key is only known at deploy time."""
    if not isinstance(container, Mapping):
        return []
    if isinstance(key, Unknown) or intrinsic(key) is not None:
        return list(container.values())
    return [container[str(key)]] if str(key) in container else []


def _join(arg: Any, value: Any, view: _View, assumed: Assumed, depth: int) -> list[Alternative]:
    if not (isinstance(arg, list) and len(arg) == 2):
        raise _MalformedError("expected [separator, list]")
    found: list[Alternative] = []
    for separator in _alternatives(arg[0], view, assumed, depth):
        for items in _list_alternatives(arg[1], view, separator.assumed, depth):
            for parts in _product(items.value, view, items.assumed, depth):
                found.append(_concatenate(parts.value, text(separator.value) or "", value, parts.assumed))
    return found


def _list_alternatives(value: Any, view: _View, assumed: Assumed, depth: int) -> list[Alternative]:
    """A list-valued argument: a literal list, or an intrinsic giving one (``Fn::Split``, a list param)."""
    if isinstance(value, list):
        return [Alternative(value, assumed)]
    found = []
    for alt in _alternatives(value, view, assumed, depth):
        if isinstance(alt.value, list):
            found.append(alt)
        else:
            found.append(Alternative([Unknown(value, "a list only known at deploy time")], alt.assumed))
    return found


def _concatenate(parts: Sequence[Any], separator: str, source: Any, assumed: Assumed) -> Alternative:
    """Strings joined; a part only known at deploy time becomes a hole (the result is then Unknown)."""
    rendered, unknown = [], None
    for part in parts:
        if part is ABSENT:
            continue
        piece = text(part)
        if piece is None or isinstance(part, Unknown):
            unknown = part if isinstance(part, Unknown) else Unknown(part, "a resource's name or attribute")
            piece = HOLE if piece is None else piece
        rendered.append(piece)
    joined = separator.join(rendered)
    if unknown is None:
        return Alternative(joined, assumed)
    return Alternative(Unknown(source, unknown.reason, joined), assumed)


def _sub(arg: Any, value: Any, view: _View, assumed: Assumed, depth: int) -> list[Alternative]:
    template, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1]) if _pair(arg) else (0, 0)
    if not isinstance(template, str) or not isinstance(variables, Mapping):
        raise _MalformedError("expected a string, or [string, {variable: value}]")
    if not view.symbolic and not variables and ref_target(value) in view.sections.resource_types:
        return [Alternative(value, assumed)]  # "${Topic}" or "${Topic.Arn}": one reference
    pieces = _SUB_VARIABLE.split(template)  # literal text, variable, literal text, ..., literal text
    literals, names = pieces[0::2], pieces[1::2]
    expressions = [
        "${" + name[1:] + "}" if name.startswith("!") else _sub_variable(name, variables) for name in names
    ]
    found = []
    for chosen in _product(expressions, view, assumed, depth):
        parts = [piece for pair in zip(literals, [*chosen.value, ""], strict=True) for piece in pair]
        found.append(_concatenate(parts, "", value, chosen.assumed))
    return found


def _pair(arg: Any) -> bool:
    return isinstance(arg, list) and len(arg) == 2


def _sub_variable(name: str, variables: Mapping[str, Any]) -> Any:
    if name in variables:
        return variables[name]
    if "." in name and not name.startswith("AWS::"):
        return {"Fn::GetAtt": name.split(".", 1)}
    return {"Ref": name}


def _select(arg: Any, value: Any, view: _View, assumed: Assumed, depth: int) -> list[Alternative]:
    if not (isinstance(arg, list) and len(arg) == 2):
        raise _MalformedError("expected [index, list]")
    found: list[Alternative] = []
    for index in _alternatives(arg[0], view, assumed, depth):
        position = number(index.value)
        for items in _list_alternatives(arg[1], view, index.assumed, depth):
            chosen = items.value
            if position is not None and position.is_integer() and 0 <= position < len(chosen):
                chosen = [chosen[int(position)]]
            elif position is not None:
                found.append(Alternative(Unknown(value, "Fn::Select index out of range"), items.assumed))
                continue
            for item in chosen:
                found.extend(_alternatives(item, view, items.assumed, depth))
    return found


def _split(arg: Any, value: Any, view: _View, assumed: Assumed, depth: int) -> list[Alternative]:
    if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and arg[0]):
        raise _MalformedError("expected [separator, string]")
    found = []
    for whole in _alternatives(arg[1], view, assumed, depth):
        string = text(whole.value)
        if string is None:
            found.append(Alternative([Unknown(value, "a list only known at deploy time")], whole.assumed))
            continue
        pieces = [
            Unknown(value, "part of a string only known at deploy time", p) if HOLE in p else p
            for p in string.split(arg[0])
        ]
        found.append(Alternative(pieces, whole.assumed))
    return found


def _base64(arg: Any, value: Any, view: _View, assumed: Assumed, depth: int) -> list[Alternative]:
    # CloudFormation encodes at deploy time; what the rules read is the text before encoding.
    return _alternatives(arg, view, assumed, depth)


def _to_json_string(arg: Any, value: Any, view: _View, assumed: Assumed, depth: int) -> list[Alternative]:
    found = []
    for alt in _deep(arg, view, assumed, depth):
        if first_unknown(alt.value) is not None:
            found.append(Alternative(Unknown(value, "Fn::ToJsonString of a deploy-time value"), alt.assumed))
        else:
            found.append(Alternative(json.dumps(alt.value, separators=(",", ":")), alt.assumed))
    return found


def _length(arg: Any, value: Any, view: _View, assumed: Assumed, depth: int) -> list[Alternative]:
    return [
        Alternative(len(alt.value), alt.assumed)
        if isinstance(alt.value, list) and not any(isinstance(i, Unknown) for i in alt.value)
        else Alternative(Unknown(value, "Fn::Length of a deploy-time list"), alt.assumed)
        for alt in _list_alternatives(arg, view, assumed, depth)
    ]


def _unknown(reason: str, *, specific: bool = True) -> Any:
    def read(arg: Any, value: Any, view: _View, assumed: Assumed, depth: int) -> list[Alternative]:
        return [Alternative(Unknown(value, reason, HOLE, specific), assumed)]

    return read


_READERS = {
    "Ref": _ref,
    "Fn::GetAtt": _get_att,
    "Fn::If": _if,
    "Fn::FindInMap": _find_in_map,
    "Fn::Join": _join,
    "Fn::Sub": _sub,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::Base64": _base64,
    "Fn::ToJsonString": _to_json_string,
    "Fn::Length": _length,
    "Fn::ImportValue": _unknown("Fn::ImportValue: another stack's export, known at deploy time"),
    "Fn::GetAZs": _unknown("Fn::GetAZs: the Region's Availability Zones, known at deploy time"),
    "Fn::Cidr": _unknown("Fn::Cidr: address blocks computed at deploy time"),
    "Fn::Transform": _unknown("Fn::Transform: a macro's output, known at deploy time", specific=False),
}


def _product(values: Sequence[Any], view: _View, assumed: Assumed, depth: int) -> list[Alternative]:
    """Every combination of the alternatives of ``values`` (one condition, one branch), as lists."""
    combos = [Alternative([], assumed)]
    for item in values:
        combos = _capped(
            [
                Alternative([*combo.value, alt.value], alt.assumed)
                for combo in combos
                for alt in _alternatives(item, view, combo.assumed, depth)
            ],
            values,
        )
    return combos


# --- reading all levels -----------------------------------------------------------------------------------


def _deep(value: Any, view: _View, assumed: Assumed, depth: int) -> list[Alternative]:
    found: list[Alternative] = []
    for alt in _alternatives(value, view, assumed, depth):
        if isinstance(alt.value, list):
            found.extend(_deep_list(alt.value, view, alt.assumed, depth + 1))
        elif is_literal_mapping(alt.value):
            found.extend(_deep_mapping(alt.value, view, alt.assumed, depth + 1))
        else:
            found.append(alt)
    return _capped(found, value)


def _deep_list(items: list[Any], view: _View, assumed: Assumed, depth: int) -> list[Alternative]:
    combos = [Alternative([], assumed)]
    for item in items:
        combos = _capped(
            [
                Alternative(
                    [*combo.value, alt.value] if alt.value is not ABSENT else combo.value, alt.assumed
                )
                for combo in combos
                for alt in _deep(item, view, combo.assumed, depth)
            ],
            items,
        )
    return combos


def _deep_mapping(mapping: Mapping[str, Any], view: _View, assumed: Assumed, depth: int) -> list[Alternative]:
    combos = [Alternative({}, assumed)]
    for key, child in mapping.items():
        combos = _capped(
            [
                Alternative(
                    {**combo.value, key: alt.value} if alt.value is not ABSENT else combo.value, alt.assumed
                )
                for combo in combos
                for alt in _deep(child, view, combo.assumed, depth)
            ],
            mapping,
        )
    return combos


def first_unknown(value: Any) -> Unknown | None:
    """The first value only known at deploy time inside ``value`` (at any depth), if there is one."""
    if isinstance(value, Unknown):
        return value
    items = value.values() if isinstance(value, Mapping) else value if isinstance(value, list | tuple) else ()
    for item in items:
        found = first_unknown(item)
        if found is not None:
            return found
    return None


def _texts(value: Any, view: _View, depth: int) -> Iterator[str]:
    if isinstance(value, str):
        yield value
        return
    if depth > MAX_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            yield from _texts(item, view, depth + 1)
        return
    if not isinstance(value, Mapping):
        return
    found = intrinsic(value)
    if found is None:
        for item in value.values():
            yield from _texts(item, view, depth + 1)
        return
    name, arg = found
    if name == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
        for branch in arg[1:]:  # both: text in a branch that never deploys is still in the template
            yield from _texts(branch, view, depth + 1)
        return
    for alt in _alternatives(value, view, _NOTHING_ASSUMED, depth):
        if isinstance(alt.value, str):
            yield alt.value
        elif isinstance(alt.value, Unknown):
            if alt.value.text and alt.value.text.strip(HOLE):
                yield alt.value.text
        elif isinstance(alt.value, list) or is_literal_mapping(alt.value):
            yield from _texts(alt.value, view, depth + 1)


# --- conditions ---------------------------------------------------------------------------------------------


def _condition(name: str, view: _View, assumed: Assumed, seen: tuple[str, ...]) -> frozenset[bool]:
    fixed = assumed.get(("condition", name))
    if isinstance(fixed, bool):
        return frozenset({fixed})
    definition = view.sections.conditions.get(name)
    if definition is None or name in seen:
        return frozenset({True, False})
    return _truth(definition, view, assumed, (*seen, name))


_BOTH = frozenset({True, False})


def _truth(expression: Any, view: _View, assumed: Assumed, seen: tuple[str, ...]) -> frozenset[bool]:
    """The values a condition expression can take (both when it depends on what the model cannot read)."""
    found = intrinsic(expression)
    if found is None:
        literal = truthy(expression)
        return frozenset({literal}) if literal is not None else _BOTH
    name, arg = found
    if name == "Condition" and isinstance(arg, str):
        return _condition(arg, view, assumed, seen)
    if name == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
        return _equals(arg, view, assumed)
    operands = arg if isinstance(arg, list) else []
    values = [_truth(item, view, assumed, seen) for item in operands]
    if name == "Fn::Not" and len(values) == 1:
        return frozenset(not v for v in values[0])
    if name in ("Fn::And", "Fn::Or") and values:
        combine = all if name == "Fn::And" else any
        return frozenset(combine(choice) for choice in itertools.product(*values))
    return _BOTH


def _equals(arg: list[Any], view: _View, assumed: Assumed) -> frozenset[bool]:
    results: set[bool] = set()
    for pair in _product(arg, view, assumed, 0):
        left, right = (_comparable(side) for side in pair.value)
        if left is None or right is None:
            return _BOTH
        results.add(left == right)
    return frozenset(results) or _BOTH


def _comparable(value: Any) -> str | None:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(i, str) for i in value):
        return json.dumps(value)
    return None


# --- the evaluator's view: the names and ARNs of the template's resources --------------------------------

# Resource type -> (service, resource path with {name}, whether it is global (no Region), the property
# that names it). Ref of a role, bucket, log group, repository or trail gives its name; of the others, the
# ARN (the ARN's name part is the logical id, lower-cased where AWS requires it).
_ARNS: dict[str, tuple[str, str, str | None]] = {
    "AWS::IAM::Role": ("iam", "role/{name}", "RoleName"),
    "AWS::IAM::User": ("iam", "user/{name}", "UserName"),
    "AWS::IAM::Group": ("iam", "group/{name}", "GroupName"),
    "AWS::IAM::InstanceProfile": ("iam", "instance-profile/{name}", "InstanceProfileName"),
    "AWS::IAM::ManagedPolicy": ("iam", "policy/{name}", "ManagedPolicyName"),
    "AWS::KMS::Key": ("kms", "key/{lower}", None),
    "AWS::SNS::Topic": ("sns", "{name}", "TopicName"),
    "AWS::S3::Bucket": ("s3", "{lower}", "BucketName"),
    "AWS::Logs::LogGroup": ("logs", "log-group:{name}:*", "LogGroupName"),
    "AWS::ECR::Repository": ("ecr", "repository/{lower}", "RepositoryName"),
    "AWS::CloudTrail::Trail": ("cloudtrail", "trail/{name}", "TrailName"),
    "AWS::RolesAnywhere::TrustAnchor": ("rolesanywhere", "trust-anchor/{lower}", None),
    "AWS::RolesAnywhere::Profile": ("rolesanywhere", "profile/{lower}", None),
}
_GLOBAL = ("iam", "s3")
_REF_IS_NAME = {
    "AWS::IAM::Role",
    "AWS::IAM::User",
    "AWS::IAM::Group",
    "AWS::IAM::InstanceProfile",
    "AWS::S3::Bucket",
    "AWS::Logs::LogGroup",
    "AWS::ECR::Repository",
    "AWS::CloudTrail::Trail",
}
_ARN_ATTRIBUTES = {"Arn", "TopicArn", "KeyArn", "TrustAnchorArn", "ProfileArn", "PolicyArn"}


def _physical(logical_id: str, attribute: str | None, view: _View) -> Any:
    """What ``Ref`` (``attribute`` None) or ``Fn::GetAtt`` of a resource gives in the symbolic view."""
    kind = view.sections.resource_types[logical_id]
    name = _name(logical_id, kind, view)
    arn = arn_of(logical_id, kind, name)
    if attribute is None:
        if kind in _REF_IS_NAME:
            return name
        if kind == "AWS::KMS::Key":
            return logical_id.lower()
        return arn
    if attribute in _ARN_ATTRIBUTES:
        return arn
    if attribute in ("TopicName", "Name") or (attribute == "KeyId" and kind == "AWS::KMS::Key"):
        return _physical(logical_id, None, view)
    source = {"Fn::GetAtt": [logical_id, attribute]}
    return Unknown(source, f"Fn::GetAtt {logical_id}.{attribute} is known at deploy time", HOLE)


def _name(logical_id: str, kind: str, view: _View) -> str:
    entry = _ARNS.get(kind)
    if entry is not None and entry[2] is not None:
        written = _one_text(view.sections.resource_properties.get(logical_id, {}).get(entry[2]), view)
        if written is not None:
            return written
    if kind in ("AWS::S3::Bucket", "AWS::ECR::Repository"):  # their names are lower-case
        return logical_id.lower()
    if kind.startswith("AWS::ImageBuilder::"):
        properties = view.sections.resource_properties.get(logical_id, {})
        parts = [_one_text(properties.get("Name"), view) or logical_id.lower()]
        version = _one_text(properties.get("Version"), view)
        return "/".join([*parts, version] if version else parts).lower()
    return logical_id


def _one_text(value: Any, view: _View) -> str | None:
    """The text of a value with exactly one literal alternative (a name), else ``None``."""
    if value is None:
        return None
    values = _alternatives(value, view, _NOTHING_ASSUMED, 0)
    return values[0].value if len(values) == 1 and isinstance(values[0].value, str) else None


def arn_of(logical_id: str, kind: str, name: str | None = None) -> str:
    """The symbolic ARN of a resource of the template (physical name = ``name`` or the logical id)."""
    name = name or logical_id
    entry = _ARNS.get(kind)
    if entry is not None:
        service, path, _ = entry
        resource = path.format(name=name, lower=name.lower())
        region = "" if service in _GLOBAL else REGION
        account = "" if service == "s3" else ACCOUNT
        return f"arn:{PARTITION}:{service}:{region}:{account}:{resource}"
    if kind.startswith("AWS::ImageBuilder::"):
        kind_name = re.sub(r"(?<!^)(?=[A-Z])", "-", kind.split("::")[-1]).lower()
        return f"arn:{PARTITION}:imagebuilder:{REGION}:{ACCOUNT}:{kind_name}/{name}"
    service = kind.split("::")[1].lower() if kind.count("::") == 2 else "unknown"
    return f"arn:{PARTITION}:{service}:{REGION}:{ACCOUNT}:{kind.split('::')[-1].lower()}/{logical_id}"
