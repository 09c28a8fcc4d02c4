"""CDK types in props, turned into what the L1s take: enums, instance types, schedules, machine images.

A prop whose idea has an enum or a CDK type takes that type only; anything else (a plain string
included) is our error naming the type to pass. Tokens are accepted where the type can hold one: a
list token for ``instance_types``, ``events.Schedule.expression(token)`` for a schedule.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence

import aws_cdk as cdk
from constructs import IConstruct

from secure_imagebuilder.core import checks, tokens
from secure_imagebuilder.core.validation import ValidationProblems


def choice(problems: ValidationProblems, prop: str, value: object, kind: type[enum.Enum]) -> str:
    """The CloudFormation value of an enum prop (``kind``), or a string token; our error for anything else.

    A wrong value is recorded in ``problems`` (and ``""`` returned; the caller raises before using it).
    """
    if isinstance(value, kind):
        return str(value.value)
    if isinstance(value, str) and tokens.is_unresolved(value):  # a parameter: CloudFormation checks it
        return value
    members = ", ".join(f"{kind.__name__}.{member.name}" for member in kind)
    problems.add(
        f"{prop} must be one of {members}", value, f"pass e.g. {prop}={kind.__name__}.{next(iter(kind)).name}"
    )
    return ""


_EC2, _EVENTS = "aws_cdk.aws_ec2", "aws_cdk.aws_events"
# EC2 instance type names: a family (m5, c7gn, u7i-12tb, mac2-m2pro) and a size (large, 16xlarge, metal).
_INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9-]+\Z")


def instance_type_names(problems: ValidationProblems, value: object) -> list[str]:
    """``instance_types`` (``ec2.InstanceType`` objects, or a list token) as the names the L1 takes."""
    if value is None:
        return []
    if tokens.is_list_token(value):  # a parameter: CloudFormation checks the names
        return value  # type: ignore[return-value]
    if not isinstance(value, Sequence) or isinstance(value, str):
        value = [value]
    names = []
    for item in value:
        if checks.is_a(item, _EC2, "InstanceType"):
            name = item.to_string()  # type: ignore[union-attr]
            if not tokens.is_unresolved(name) and not _INSTANCE_TYPE.match(name):
                problems.add(
                    "instance_types must be EC2 instance types, <family>.<size>",
                    name,
                    "write the type with its dot, e.g. ec2.InstanceType('m5.large')",
                )
            names.append(name)
        else:
            problems.add(
                "instance_types must be ec2.InstanceType objects",
                item,
                "pass e.g. [ec2.InstanceType('m5.large')] (ec2.InstanceType(param.value_as_string) for a "
                "parameter)",
            )
    return names


_CRON = re.compile(r"^cron\(.+\)\Z")


def schedule_expression(problems: ValidationProblems, value: object) -> str | None:
    """The cron expression of an ``events.Schedule`` (Image Builder schedules use cron only)."""
    if value is None:
        return None
    if not checks.is_a(value, _EVENTS, "Schedule"):
        problems.add("schedule must be an events.Schedule", value, "pass events.Schedule.cron(...)")
        return None
    text = str(value.expression_string)  # type: ignore[attr-defined]
    if not tokens.is_unresolved(text) and not _CRON.match(text):
        problems.add(
            "schedule must be a cron expression",
            text,
            "use events.Schedule.cron(hour='4', week_day='MON') (Image Builder schedules use cron only)",
        )
    return text


def image_id(problems: ValidationProblems, scope: IConstruct, value: object) -> str:
    """A parent image as the L1 takes it: an ``ec2.IMachineImage`` becomes its AMI id; text stays.

    A ``MachineImage.lookup`` needs a stack with an account and Region (CDK's own error names no
    construct); anything but a machine image or text is our error.
    """
    if hasattr(value, "get_image"):  # ec2.IMachineImage (a jsii interface: no isinstance)
        if checks.is_a(value, _EC2, "LookupMachineImage"):
            stack = cdk.Stack.of(scope)
            if tokens.is_unresolved(stack.account) or tokens.is_unresolved(stack.region):
                problems.add(
                    "parent_image is an ec2.MachineImage.lookup, which needs a stack with an account and "
                    "Region (it looks the AMI up at synth time)",
                    "MachineImage.lookup(...)",
                    "give the stack env=cdk.Environment(account=..., region=...), or pass an image that "
                    "resolves at deploy time: aws_managed_image(scope, name), 'ssm:/aws/service/...' or "
                    "ec2.MachineImage.latest_amazon_linux2023()",
                )
                return ""
        return str(value.get_image(scope).image_id)
    if not isinstance(value, str):
        problems.add(
            "parent_image must be an ec2.IMachineImage or text (an image ARN, an AMI id or ssm:<parameter>)",
            value,
            "pass e.g. aws_managed_image(scope, 'amazon-linux-2023-x86') or "
            "ec2.MachineImage.latest_amazon_linux2023()",
        )
        return ""
    return value
