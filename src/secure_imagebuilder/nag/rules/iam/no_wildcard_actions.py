"""IAM2: identity policies never allow `*` or `kms:*` (R1)."""

from __future__ import annotations

from secure_imagebuilder.nag import _values as v
from secure_imagebuilder.nag._model import Resource, RuleResult, StackView
from secure_imagebuilder.nag.rules._shared import identity_documents, statement_label

WILDCARDS = frozenset({"*", "kms:*"})


def no_wildcard_actions(resource: Resource, stack: StackView) -> RuleResult:
    """One finding per Allow statement (by policy and Sid) with ``*``/``kms:*`` or ``NotAction``."""
    findings = []
    for prefix, document in identity_documents(resource):
        for index, statement in enumerate(v.statements(document)):
            if not v.is_allow(statement):
                continue
            actions = {a.lower() for a in v.as_list(v.get(statement, "Action")) if isinstance(a, str)}
            if actions & WILDCARDS or v.get(statement, "NotAction") is not None:
                findings.append(statement_label(statement, index, prefix))
    return findings
