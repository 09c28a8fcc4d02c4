"""KMS5: key policies scope data-key use of Image Builder keys to the encryption context (R12, R13)."""

from __future__ import annotations

from secure_imagebuilder.rules.common import (
    DATA_KEY_ACTIONS,
    scoped_to_encryption_context,
    statement_label,
)
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Compliance, Level, Resource, Rule, RuleResult, Stack


def key_policy_encryption_context(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per statement (by Sid) giving a non-root principal data-key use without the condition.

    A statement limited to another service's encryption context (``kms:EncryptionContext:aws:logs:arn``)
    or to ``kms:ViaService`` is accepted: it cannot decrypt Image Builder data. Applies only to keys
    that a component, workflow or container recipe of the same stack names in
    ``KmsKeyId`` (``Ref``/``Fn::GetAtt``).
    """
    if resource.logical_id not in stack.imagebuilder_keys:
        return Compliance.NOT_APPLICABLE
    findings = []
    for index, statement in enumerate(v.statements(v.get(resource.props, "KeyPolicy"))):
        if not v.is_allow(statement) or not v.actions_match(statement, DATA_KEY_ACTIONS):
            continue
        grantees = v.principals(statement)
        if grantees and all(v.is_account_root(value) for _, value in grantees):
            continue
        if not scoped_to_encryption_context(statement):
            findings.append(statement_label(statement, index))
    return findings


RULE = Rule(
    id="KMS5",
    level=Level.ERROR,
    refs=("R12", "R13", "R16"),
    info=(
        "The key policy of an Image Builder key lets a principal decrypt or generate data keys without the "
        "Image Builder encryption context condition."
    ),
    explanation=(
        "R12/R13: add Condition StringLike kms:EncryptionContext:aws:imagebuilder:arn = "
        "arn:<partition>:imagebuilder:*:<account>:workflow/* (ImageBuilderKey.grant_workflow_execution "
        "does it)."
    ),
    applies_to=("AWS::KMS::Key",),
    check=key_policy_encryption_context,
)
