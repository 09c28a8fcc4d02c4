"""KMS4: no principal of an account the key policy does not name can use the key (R1, R5)."""

from __future__ import annotations

from secure_imagebuilder.rules.common import exposures_found, resource_document, symbolic_arn
from secure_imagebuilder.rules.engine import access
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack


def no_public_principal(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per Allow statement (by Sid) through which an unnamed account's principal uses the key.

    Asked of the evaluator with the requests an adversary makes (``engine.access.outside_use``): an IAM
    role of an account the policy names nowhere, or an AWS service acting for one, choosing every condition
    value it controls. A statement whose principal is ``*`` is public unless its conditions (by what they
    allow, not by which keys they name) keep every such request out: ``aws:PrincipalAccount`` or
    ``aws:PrincipalOrgID`` equal to a named value, ``kms:CallerAccount`` with ``kms:ViaService``, ...
    """
    if resource.logical_id is None:
        return []
    document = resource_document(
        f"key policy of {resource.logical_id}", v.get(resource.props, "KeyPolicy"), stack
    )
    key_arn = symbolic_arn(stack, resource.logical_id)
    exposures = [e for policy in document.alternatives for e in access.outside_use(policy, key_arn)]
    return exposures_found(exposures)


RULE = Rule(
    id="KMS4",
    level=Level.ERROR,
    refs=("R1", "R5"),
    info="The key policy lets a principal of an account it does not name use the key (a public key).",
    explanation=(
        "R1: name the principals, or add a condition that only named callers meet: aws:PrincipalAccount or "
        "aws:PrincipalOrgID StringEquals a value (not a wildcard, not a negated operator, not IfExists), "
        "kms:CallerAccount with kms:ViaService, or aws:SourceAccount/aws:SourceArn for services."
    ),
    applies_to=("AWS::KMS::Key",),
    check=no_public_principal,
    unknown=(
        "A principal, account or ARN given as a parameter or import is one specific value chosen at deploy "
        "time, which no adversary is; a statement the model cannot read (an unsupported intrinsic, too many "
        "alternatives) is an undecided warning naming the statement."
    ),
)
