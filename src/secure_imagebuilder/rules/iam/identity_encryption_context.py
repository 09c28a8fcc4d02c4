"""IAM1: identity policies scope data-key use of Image Builder keys to the encryption context (R12, R14)."""

from __future__ import annotations

from typing import Any

from secure_imagebuilder.rules.common import (
    DATA_KEY_ACTIONS,
    IDENTITY_POLICIES,
    identity_documents,
    scoped_to_encryption_context,
    statement_label,
)
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack


def _names_imagebuilder_key(resources: Any, stack: Stack) -> bool:
    for item in v.as_list(resources):
        if v.is_anyone(item):
            return True
        target = v.ref_target(item)
        if target is not None and target in stack.imagebuilder_keys:
            return True
    return False


def identity_encryption_context(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per statement (by policy and Sid) that grants data-key use on an Image Builder key.

    A statement counts when its ``Resource`` is ``*`` or a ``Ref``/``Fn::GetAtt`` of a key that a
    component, workflow or container recipe of the same stack uses, and it lacks the
    ``kms:EncryptionContext:aws:imagebuilder:arn`` condition (or another service's encryption context or
    ``kms:ViaService``, which keep the grant away from Image Builder data).
    """
    if not stack.imagebuilder_keys:
        return []
    findings = []
    for prefix, document in identity_documents(resource):
        for index, statement in enumerate(v.statements(document)):
            if not v.is_allow(statement) or not v.actions_match(statement, DATA_KEY_ACTIONS):
                continue
            if not _names_imagebuilder_key(v.get(statement, "Resource"), stack):
                continue
            if not scoped_to_encryption_context(statement):
                findings.append(statement_label(statement, index, prefix))
    return findings


RULE = Rule(
    id="IAM1",
    level=Level.ERROR,
    refs=("R12", "R14"),
    info=(
        "An identity policy lets a principal decrypt or generate data keys with an Image Builder key "
        "without the Image Builder encryption context condition."
    ),
    explanation=(
        "R14: scope kms:Decrypt/kms:GenerateDataKey* on the key ARN with Condition StringLike "
        "kms:EncryptionContext:aws:imagebuilder:arn (ImageBuilderKey.grant_workflow_execution, not "
        "key.grant_decrypt)."
    ),
    applies_to=IDENTITY_POLICIES,
    check=identity_encryption_context,
)
