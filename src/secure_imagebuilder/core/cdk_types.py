"""CDK types in props, turned into what the L1s take: instance types, schedules, machine images, enums.

Each prop still takes the plain string it took before; a string where a type exists raises a
``DeprecationWarning`` that names the type (shown by pytest and ``python -W default``; CDK prints
nothing), so apps move at their own pace.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from typing import Any

from constructs import IConstruct

from secure_imagebuilder.core import checks, tokens
from secure_imagebuilder.core.validation import ValidationProblems


def deprecated_string(prop: str, instead: str) -> None:
    """Warn that ``prop`` was given as a plain string where ``instead`` exists."""
    checks.warn_deprecated(f"{prop} as a plain string is deprecated: pass {instead}")


def choice(problems: ValidationProblems, prop: str, value: object, kind: type[enum.Enum], fix: str) -> str:
    """The value of an enum prop (``kind``), from the enum or, deprecated, its string value.

    A wrong value is recorded in ``problems`` (and ``""`` returned; the caller raises before using it).
    """
    if isinstance(value, kind):
        return str(value.value)
    allowed = tuple(str(member.value) for member in kind)
    if not isinstance(value, str):
        problems.add(f"{prop} must be one of " + ", ".join(allowed), value, fix)
        return ""
    checks.validate_choice(problems, prop, value, allowed, fix)
    if value in allowed:
        deprecated_string(prop, f"{kind.__name__}.{kind(value).name}")
    return value


def instance_type_names(problems: ValidationProblems, value: object) -> list[str]:
    """``instance_types`` as names: ``ec2.InstanceType`` objects, or (deprecated) strings."""
    if value is None:
        return []
    if checks.is_a(value, _EC2, "InstanceType"):
        value = [value]
    if isinstance(value, Sequence) and not isinstance(value, str):
        names = [t.to_string() if checks.is_a(t, _EC2, "InstanceType") else t for t in value]
        if any(isinstance(t, str) and not tokens.is_unresolved(t) for t in value):
            deprecated_string("instance_types", "ec2.InstanceType('m5.large') objects")
        return checks.string_list(problems, "instance_types", names)
    return checks.string_list(problems, "instance_types", value)  # type: ignore[arg-type]


_EC2, _EVENTS = "aws_cdk.aws_ec2", "aws_cdk.aws_events"
_CRON = re.compile(r"^cron\(.+\)\Z")


def schedule_expression(problems: ValidationProblems, value: object) -> str | None:
    """A cron schedule from ``events.Schedule.cron(...)`` or (deprecated) its text (no rate: cron only)."""
    if value is None:
        return None
    if checks.is_a(value, _EVENTS, "Schedule"):
        text = value.expression_string  # type: ignore[attr-defined]
    elif isinstance(value, str):
        text = value
        if not tokens.is_unresolved(value):
            deprecated_string("schedule_expression", "events.Schedule.cron(...)")
    else:
        problems.add(
            "schedule_expression must be an events.Schedule", value, "pass events.Schedule.cron(...)"
        )
        return None
    if not tokens.is_unresolved(text) and not _CRON.match(text):
        problems.add(
            "schedule_expression must be a cron expression",
            text,
            "use events.Schedule.cron(hour='4', week_day='MON') (Image Builder schedules use cron only)",
        )
    return str(text)


def schedule_text(value: object) -> str | None:
    """The expression of a schedule prop already checked by ``schedule_expression``."""
    if checks.is_a(value, _EVENTS, "Schedule"):
        return str(value.expression_string)  # type: ignore[attr-defined]
    return value if isinstance(value, str) else None


def image_id(scope: IConstruct, value: Any) -> Any:
    """A parent image: an ``ec2.IMachineImage`` becomes its AMI id; text (ARN, ``ami-``, ``ssm:``) stays."""
    if hasattr(value, "get_image"):  # ec2.IMachineImage (a jsii interface: no isinstance)
        return value.get_image(scope).image_id
    return value
