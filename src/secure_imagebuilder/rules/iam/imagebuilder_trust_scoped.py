"""IAM3: roles trusted by Image Builder guard against the confused deputy (R1)."""

from __future__ import annotations

from secure_imagebuilder.rules.common import exposures_found, resource_document, symbolic_arn
from secure_imagebuilder.rules.engine import access
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack

SERVICE = "imagebuilder.amazonaws.com"


def imagebuilder_trust_scoped(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per trust statement through which Image Builder, for another account, assumes the role.

    Asked of the evaluator (``engine.access.confused_deputy``): ``sts:AssumeRole`` by
    ``imagebuilder.amazonaws.com`` with ``aws:SourceAccount``/``aws:SourceArn`` of another account (or
    absent) must be denied. ``StringLike aws:SourceAccount "*"``, negated operators and ``...IfExists`` do
    not keep it out; the service principal is read in every ``Fn::If`` branch.
    """
    if resource.logical_id is None:
        return []
    label = f"trust policy of {resource.logical_id}"
    document = resource_document(label, v.get(resource.props, "AssumeRolePolicyDocument"), stack)
    role = symbolic_arn(stack, resource.logical_id)
    exposures = [e for policy in document.alternatives for e in access.confused_deputy(policy, role, SERVICE)]
    return exposures_found(exposures)


RULE = Rule(
    id="IAM3",
    level=Level.ERROR,
    refs=("R1",),
    info=(
        "A role trusted by imagebuilder.amazonaws.com can be assumed on behalf of another account: no "
        "aws:SourceAccount or aws:SourceArn condition keeps other accounts' resources out."
    ),
    explanation=(
        "R1: add Condition StringEquals aws:SourceAccount = your account (and/or ArnLike aws:SourceArn = "
        "arn:<partition>:imagebuilder:<region>:<account>:*) to the trust statement to prevent the confused "
        "deputy problem."
    ),
    applies_to=("AWS::IAM::Role",),
    check=imagebuilder_trust_scoped,
    unknown=(
        "An account or ARN given as a parameter or import is one specific value the adversary does not "
        "choose; a trust statement the model cannot read is an undecided warning."
    ),
)
