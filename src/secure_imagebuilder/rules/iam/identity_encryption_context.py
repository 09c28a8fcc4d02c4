"""IAM1: identity policies scope data-key use of Image Builder keys to the encryption context (R12, R14)."""

from __future__ import annotations

from secure_imagebuilder.rules.common import (
    IDENTITY_POLICIES,
    exposures_found,
    identity_documents,
    symbolic_arn,
)
from secure_imagebuilder.rules.engine import access
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack


def identity_encryption_context(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per statement (by policy and Sid) letting an Image Builder key's data keys out of context.

    For each key that a component, workflow or container recipe of the same stack uses, the evaluator is
    asked (``engine.access.decrypt_outside_context``) whether the statement allows ``kms:Decrypt`` or
    ``kms:GenerateDataKey*`` on that key's ARN with no context, or with an Image Builder context of another
    account, directly or through a service. ``Resource``/``NotResource``, action wildcards, ``NotAction``,
    ``...IfExists`` and explicit denies of the same policy are read as IAM reads them.
    """
    keys = sorted(stack.imagebuilder_keys)
    if not keys:
        return []
    holder = (
        symbolic_arn(stack, resource.logical_id)
        if resource.type == "AWS::IAM::Role" and resource.logical_id
        else None
    )
    findings: list[object] = []
    for document in identity_documents(resource, stack):
        exposures = [
            exposure
            for policy in document.source.alternatives
            for key in keys
            for exposure in access.decrypt_outside_context(
                policy, resource=symbolic_arn(stack, key), resource_based=False, holder=holder
            )
        ]
        findings.extend(exposures_found(exposures, document.prefix))
    return findings  # type: ignore[return-value]


RULE = Rule(
    id="IAM1",
    level=Level.ERROR,
    refs=("R12", "R14"),
    info=(
        "An identity policy lets a principal decrypt or generate data keys with an Image Builder key "
        "without the Image Builder encryption context bound to an ARN of this account."
    ),
    explanation=(
        "R14: scope kms:Decrypt/kms:GenerateDataKey* on the key ARN with Condition StringLike "
        "kms:EncryptionContext:aws:imagebuilder:arn = arn:<partition>:imagebuilder:*:<account>:workflow/* "
        "(ImageBuilderKey.grant_workflow_execution, not key.grant_decrypt)."
    ),
    applies_to=IDENTITY_POLICIES,
    check=identity_encryption_context,
    unknown=(
        "A Resource only known at deploy time may name the key: an undecided warning; a condition value "
        "only known at deploy time is one specific value the adversary does not choose."
    ),
)
