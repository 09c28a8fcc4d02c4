"""KMS5: key policies scope data-key use of Image Builder keys to the encryption context (R12, R13)."""

from __future__ import annotations

from secure_imagebuilder.rules.common import exposures_found, resource_document, symbolic_arn
from secure_imagebuilder.rules.engine import access
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Compliance, Level, Resource, Rule, RuleResult, Stack


def key_policy_encryption_context(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per statement (by Sid) letting a non-root principal use data keys outside the context.

    Asked of the evaluator (``engine.access.decrypt_outside_context``): can a grantee of the statement
    decrypt or generate data keys with no encryption context, or with an Image Builder context bound to an
    ARN outside this account, directly, through Image Builder or through a service the statement does not
    name? A statement limited to another service's context (``kms:EncryptionContext:aws:logs:arn``) or to
    named services (``kms:ViaService`` of SNS) cannot reach Image Builder data. Applies to keys that a
    component, workflow or container recipe of the same stack names in ``KmsKeyId``.
    """
    if resource.logical_id not in stack.imagebuilder_keys:
        return Compliance.NOT_APPLICABLE
    label = f"key policy of {resource.logical_id}"
    document = resource_document(label, v.get(resource.props, "KeyPolicy"), stack)
    key_arn = symbolic_arn(stack, str(resource.logical_id))
    exposures = [
        exposure
        for policy in document.alternatives
        for exposure in access.decrypt_outside_context(policy, resource=key_arn, resource_based=True)
    ]
    return exposures_found(exposures)


RULE = Rule(
    id="KMS5",
    level=Level.ERROR,
    refs=("R12", "R13", "R16"),
    info=(
        "The key policy of an Image Builder key lets a principal decrypt or generate data keys without the "
        "Image Builder encryption context bound to an ARN of this account."
    ),
    explanation=(
        "R12/R13: add Condition StringLike kms:EncryptionContext:aws:imagebuilder:arn = "
        "arn:<partition>:imagebuilder:*:<account>:workflow/* (not '*', not ...IfExists; "
        "ImageBuilderKey.grant_workflow_execution does it)."
    ),
    applies_to=("AWS::KMS::Key",),
    check=key_policy_encryption_context,
    unknown=(
        "A principal given as a parameter or import counts as a principal of this account; a condition "
        "value only known at deploy time is one specific value the adversary does not choose; a statement "
        "the model cannot read is an undecided warning."
    ),
)
