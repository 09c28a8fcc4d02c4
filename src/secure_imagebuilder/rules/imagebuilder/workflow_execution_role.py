"""IB7: images and pipelines that run workflows name their execution role (R1, R11)."""

from __future__ import annotations

from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Compliance, Level, Resource, Rule, RuleResult, Stack


def workflow_execution_role(resource: Resource, stack: Stack) -> RuleResult:
    """Non-compliant when ``Workflows`` can be set while ``ExecutionRole`` can be unset."""
    workflows = v.reach(resource.props, "Workflows", stack=stack)
    if all(w is v.ABSENT or w == [] for w in workflows):
        return Compliance.NOT_APPLICABLE
    for role in v.reach(resource.props, "ExecutionRole", stack=stack):
        if role is v.ABSENT or role == "":
            return Compliance.NON_COMPLIANT
    return Compliance.COMPLIANT


RULE = Rule(
    id="IB7",
    level=Level.ERROR,
    refs=("R1", "R11"),
    info="The image or image pipeline runs workflows without naming an execution role.",
    explanation=(
        "R11: set ExecutionRole to a role that the workflow key policy trusts (WorkflowExecutionRole); "
        "without it Image Builder uses its service-linked role, which the key policy cannot scope."
    ),
    applies_to=("AWS::ImageBuilder::Image", "AWS::ImageBuilder::ImagePipeline"),
    check=workflow_execution_role,
    unknown="A role only known at deploy time names a role: compliant (GRANT1 judges what it may do).",
)
