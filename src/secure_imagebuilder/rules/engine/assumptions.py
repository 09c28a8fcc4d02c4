"""Which condition or parameter value leads to a finding. Pure Python.

A rule reports when any reachable value of a property is non-compliant (``rules.values``). When the
resource's properties depend on ``Fn::If`` conditions or on parameters, the engine runs the rule again with
each of them fixed in turn (``values.assuming``): a condition or parameter value under which the finding
appears, while another value makes it go away, is what leads there, and the finding says so ("when
condition UseDebugLogs is true"). Only the resources a rule flags are run again, so compliant templates pay
nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.redact import HIDDEN, is_no_echo, is_secret

# At most this many conditions and parameters are tried per flagged resource (each costs a rule run).
MAX_VARIABLES = 12

Variable = tuple[str, str, list[Any]]  # kind ("condition"/"parameter"), name, the values to try


def variables(props: Any, stack: v.Sections) -> list[Variable]:
    """The conditions (``Fn::If``) and parameters (``Ref``) that ``props`` depend on, in order of use.

    A condition is tried only with the values it can take: one proven constant leads nowhere.
    """
    parameters = stack.parameters
    found: dict[tuple[str, str], list[Any]] = {}
    for kind, name in _uses(props, 0):
        if (kind, name) in found or len(found) >= MAX_VARIABLES:
            continue
        if kind == "condition":
            found[(kind, name)] = sorted(v.condition_values(name, stack), reverse=True)
        elif name in parameters:
            # The parameter's known values, then the parameter left open (a value chosen at deploy time).
            found[(kind, name)] = [*v.parameter_options(parameters[name]), v.RAW]
    return [(kind, name, options) for (kind, name), options in found.items()]


def _uses(value: Any, depth: int) -> Iterator[tuple[str, str]]:
    if depth > 40:
        return
    if isinstance(value, list):
        for item in value:
            yield from _uses(item, depth + 1)
        return
    if not isinstance(value, Mapping):
        return
    found = v.intrinsic(value)
    if found is not None:
        name, arg = found
        if name == "Fn::If" and isinstance(arg, list) and arg and isinstance(arg[0], str):
            yield "condition", arg[0]
        if name == "Ref" and isinstance(arg, str) and not arg.startswith("AWS::"):
            yield "parameter", arg
    for item in value.values():
        yield from _uses(item, depth + 1)


def leading(finding_id: str, props: Any, stack: v.Sections, ids: Callable[[], list[str]]) -> tuple[str, ...]:
    """What leads to ``finding_id``: ``ids()`` re-runs the rule and returns the finding ids it reports."""
    parameters = stack.parameters
    reasons = []
    for kind, name, options in variables(props, stack):
        flagged = []
        for option in options:
            with v.assuming(kind, name, option):
                if finding_id in ids():
                    flagged.append(option)
        if flagged and len(flagged) < len(options):
            reasons.append(_describe(kind, name, [o for o in flagged if o is not v.RAW], parameters))
    return tuple(reason for reason in reasons if reason)


def _describe(kind: str, name: str, flagged: list[Any], parameters: Mapping[str, Any]) -> str:
    if kind == "condition":
        return f"condition {name} is {'true' if flagged[0] else 'false'}" if len(flagged) == 1 else ""
    parameter = parameters.get(name)
    default = parameter.get("Default", v.RAW) if isinstance(parameter, Mapping) else v.RAW
    hidden = is_no_echo(parameters, name)
    shown = " or ".join(
        f"{_shown(option, hidden)}{' (its Default)' if option == default else ''}" for option in flagged
    )
    return f"parameter {name} is {shown}" if shown else ""


def _shown(option: Any, hidden: bool) -> str:
    """A parameter value for a message: never a NoEcho parameter's value, never a credential."""
    text = str(option)
    return HIDDEN if hidden or is_secret(text) else text
