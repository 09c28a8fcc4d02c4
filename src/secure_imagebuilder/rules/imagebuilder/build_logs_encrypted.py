"""IB10: build logs go to a CloudWatch log group with a customer managed key and a retention (R5, R17)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from secure_imagebuilder.rules.common import keys_problem
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import (
    Level,
    Resource,
    Rule,
    RuleResult,
    Stack,
    Undecided,
    Violation,
)

PREFIX = "/aws/imagebuilder/"
LOG_GROUP = "AWS::Logs::LogGroup"
OUTSIDE = "a log group outside the template: its key and retention cannot be read here"


def _recipe_name(resource: Resource, stack: Stack) -> str:
    """The image's name: its recipe's ``Name`` (a hole when the recipe is outside the template)."""
    for prop in ("ImageRecipeArn", "ContainerRecipeArn"):
        for value in v.reach(resource.props, prop, stack=stack):
            recipe = stack.target(value)
            if recipe is not None:
                return v.render(v.get(recipe.props, "Name"), stack) or v.HOLE
    return v.HOLE


def _image_default(resource: Resource, stack: Stack) -> str:
    return PREFIX + _recipe_name(resource, stack)


def _pipeline_default(resource: Resource, stack: Stack) -> str:
    return f"{PREFIX}pipeline/{v.render(v.get(resource.props, 'Name'), stack) or v.HOLE}"


Default = Callable[[Resource, Stack], str]
LOGGING: dict[str, tuple[tuple[str, Default], ...]] = {
    "AWS::ImageBuilder::Image": (("LogGroupName", _image_default),),
    "AWS::ImageBuilder::ImagePipeline": (
        ("ImageLogGroupName", _image_default),
        ("PipelineLogGroupName", _pipeline_default),
    ),
}


def build_logs_encrypted(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per log group (``LogGroupName``, ``ImageLogGroupName``, ``PipelineLogGroupName``).

    ``LoggingConfiguration`` names the CloudWatch Logs groups of image builds and pipeline runs (CFN
    schema 2026-10: ``ImageLoggingConfiguration.LogGroupName``, ``PipelineLoggingConfiguration``
    ``ImageLogGroupName``/``PipelineLogGroupName``). Without it, Image Builder writes to
    ``/aws/imagebuilder/<image name>`` and ``/aws/imagebuilder/pipeline/<pipeline name>`` (API reference,
    ``PipelineLoggingConfiguration``; user guide, "Monitor Image Builder logs with Amazon CloudWatch
    Logs": CloudWatch Logs is on by default), groups the build instance creates through
    ``logs:CreateLogGroup`` of EC2InstanceProfileForImageBuilder: no KMS key, and events that never
    expire. A group of the template with that name (``Ref``, or its ``LogGroupName``, case-insensitive)
    is read instead: it needs a customer managed ``KmsKeyId`` and a ``RetentionInDays``. A group named
    but not in the template is undecided. Sources:
    https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_PipelineLoggingConfiguration.html,
    https://docs.aws.amazon.com/imagebuilder/latest/userguide/monitor-cwlogs.html.
    """
    findings: dict[str, Violation | Undecided] = {}
    groups = _log_groups(stack)
    for prop, default in LOGGING.get(resource.type, ()):
        for value in v.reach(resource.props, "LoggingConfiguration", prop, stack=stack):
            result = _judge(prop, value, default, resource, stack, groups)
            if result is not None and not isinstance(findings.get(prop), Violation):
                findings[prop] = result
    return list(findings.values())


def _judge(
    prop: str, value: Any, default: Default, resource: Resource, stack: Stack, groups: list[Resource]
) -> Violation | Undecided | None:
    target = stack.target(value)
    if target is not None and target.type == LOG_GROUP:
        return _group_problem(prop, [target], stack)
    if value is v.ABSENT or value == "":
        name = default(resource, stack)
        found = _matching(name, groups, stack)
        if not found:
            shown = name.replace(v.HOLE, "<name>")
            return Violation(
                prop, f"Image Builder writes to {shown}, a group it creates with no key and no retention"
            )
        return _group_problem(prop, found, stack)
    text = v.text(value)
    found = _matching(text, groups, stack) if text and text.strip(v.HOLE) else []
    return _group_problem(prop, found, stack) if found else Undecided(prop, value, OUTSIDE)


def _log_groups(stack: Stack) -> list[Resource]:
    return [r for r in stack.resources if r.type == LOG_GROUP and v.may_exist(r.condition, stack)]


def _matching(name: str, groups: list[Resource], stack: Stack) -> list[Resource]:
    """The log groups of the template whose ``LogGroupName`` can be ``name`` (holes match anything)."""
    found = []
    for group in groups:
        for written in v.reach(group.props, "LogGroupName", stack=stack):
            text = v.text(written)
            if text and (_may_equal(name, text)):
                found.append(group)
                break
    return found


def _may_equal(one: str, other: str) -> bool:
    """Whether two names with holes can be the same name, compared case-insensitively.

    A deploy-time part stands for one path segment: an image, recipe or pipeline name (no ``/``).
    """
    return bool(
        _pattern(one).fullmatch(other.replace(v.HOLE, "x"))
        or _pattern(other).fullmatch(one.replace(v.HOLE, "x"))
    )


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile("[^/]*".join(re.escape(part) for part in name.split(v.HOLE)), re.IGNORECASE)


def _group_problem(prop: str, groups: list[Resource], stack: Stack) -> Violation | None:
    """What the log groups lack: a customer managed key, a retention."""
    for group in groups:
        missing = []
        if keys_problem(v.reach(group.props, "KmsKeyId", stack=stack)):
            missing.append("no customer managed KmsKeyId")
        if any(days is v.ABSENT for days in v.reach(group.props, "RetentionInDays", stack=stack)):
            missing.append("no RetentionInDays")
        if missing:
            return Violation(prop, f"log group {group.logical_id} has {' and '.join(missing)}")
    return None


RULE = Rule(
    id="IB10",
    level=Level.ERROR,
    refs=("R5", "R17"),
    info=(
        "An image or image pipeline sends its build logs to a CloudWatch log group without a customer "
        "managed key or without a retention (without LoggingConfiguration: the group Image Builder creates)."
    ),
    explanation=(
        "R5/R17: create the log group in the template with a customer managed KmsKeyId and RetentionInDays "
        "(ImageBuilderLogGroup) and name it in LoggingConfiguration (LogGroupName; ImageLogGroupName and "
        "PipelineLogGroupName for pipelines), or declare /aws/imagebuilder/<image name> yourself."
    ),
    applies_to=tuple(LOGGING),
    check=build_logs_encrypted,
    unknown=(
        "A log group named at deploy time or outside the template is an undecided warning naming it; a "
        "key or retention only known at deploy time is one the deployer chose."
    ),
)
