"""IB7: images and pipelines that run workflows name their execution role (R1, R11)."""

from __future__ import annotations

from cdk_nag import NagRuleCompliance

from secure_imagebuilder.nag import _values as v
from secure_imagebuilder.nag._model import Resource, RuleResult, StackView


def workflow_execution_role(resource: Resource, stack: StackView) -> RuleResult:
    """Non-compliant when ``Workflows`` is set and ``ExecutionRole`` is not."""
    workflows = v.get(resource.props, "Workflows")
    if workflows is None or workflows == []:
        return NagRuleCompliance.NOT_APPLICABLE
    role = v.get(resource.props, "ExecutionRole")
    if role is None or role == "":
        return NagRuleCompliance.NON_COMPLIANT
    return NagRuleCompliance.COMPLIANT
