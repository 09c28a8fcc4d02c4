"""RA3: roles trusted by Roles Anywhere are limited by `aws:SourceArn` to a trust anchor (R1, R19)."""

from __future__ import annotations

from secure_imagebuilder.rules.common import exposures_found, resource_document, symbolic_arn
from secure_imagebuilder.rules.engine import access
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack

SERVICE = "rolesanywhere.amazonaws.com"


def rolesanywhere_trust_scoped(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per trust statement through which Roles Anywhere vends sessions for an unnamed anchor.

    Asked of the evaluator (``engine.access.confused_deputy``): ``sts:AssumeRole`` by
    ``rolesanywhere.amazonaws.com`` with ``aws:SourceArn`` of another trust anchor (of this account or
    another, or absent) must be denied. A trust anchor of the template or an ARN given at deploy time
    names one anchor; ``arn:...:trust-anchor/*`` names them all.
    """
    if resource.logical_id is None:
        return []
    label = f"trust policy of {resource.logical_id}"
    document = resource_document(label, v.get(resource.props, "AssumeRolePolicyDocument"), stack)
    role = symbolic_arn(stack, resource.logical_id)
    anchors = [
        symbolic_arn(stack, r.logical_id)
        for r in stack.resources
        if r.type == "AWS::RolesAnywhere::TrustAnchor" and r.logical_id
    ]
    exposures = [
        exposure
        for policy in document.alternatives
        for exposure in access.confused_deputy(policy, role, SERVICE, named=anchors, own_account=True)
    ]
    return exposures_found(exposures)


RULE = Rule(
    id="RA3",
    level=Level.ERROR,
    refs=("R1", "R19"),
    info=("A role trusted by rolesanywhere.amazonaws.com is not limited by aws:SourceArn to a trust anchor."),
    explanation=(
        "R1/R19: add Condition ArnEquals aws:SourceArn = the trust anchor ARN "
        "(TrustAnchor.attr_trust_anchor_arn) to the trust statement (RolesAnywhereAccess does it)."
    ),
    applies_to=("AWS::IAM::Role",),
    check=rolesanywhere_trust_scoped,
    unknown=(
        "A trust anchor ARN given as a parameter or import names one specific anchor; a trust statement "
        "the model cannot read is an undecided warning."
    ),
)
