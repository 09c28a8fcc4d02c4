"""IAM2: identity policies never allow every action, or every KMS action (R1)."""

from __future__ import annotations

from collections.abc import Mapping

from secure_imagebuilder.rules.common import IDENTITY_POLICIES, identity_documents
from secure_imagebuilder.rules.engine import policy as p
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack, Undecided

# Actions no service defines: a statement that allows them allows a whole service, or everything.
ANY_ACTION = "witness:UndefinedAction"
ANY_KMS_ACTION = "kms:UndefinedAction"


def no_wildcard_actions(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per Allow statement (by policy and Sid) that allows every action or every KMS action.

    Decided by matching the statement's ``Action``/``NotAction`` against actions no service defines, the
    way IAM matches (``*``, ``*:*``, ``kms:*``, ``kms:**``, ``k?s:*``, ``Fn::If``/``Fn::Join`` spellings):
    only a pattern that covers a whole service matches them. ``NotAction`` with Allow covers them too.
    """
    findings: dict[str, str | Undecided] = {}
    for document in identity_documents(resource, stack):
        for policy in document.source.alternatives:
            for statement in policy.statements:
                if not isinstance(statement, Mapping):
                    label = f"{document.prefix}Unreadable"
                    findings.setdefault(label, Undecided(label, statement))
                    continue
                if statement.get("Effect") == "Deny":
                    continue
                label = f"{document.prefix}{statement.get(p.LABEL)}"
                if statement.get("Effect") != "Allow":
                    findings.setdefault(label, Undecided(label, statement.get("Effect")))
                    continue
                covered = [_covers(statement, action) for action in (ANY_ACTION, ANY_KMS_ACTION)]
                if True in covered:
                    findings[label] = label
                elif None in covered:
                    findings.setdefault(
                        label, Undecided(label, reason="the actions are only known at deploy time")
                    )
    return sorted(findings.values(), key=lambda f: f if isinstance(f, str) else f.suffix)


def _covers(statement: Mapping[str, object], action: str) -> p.Tri:
    probe = {**statement, "Condition": None}
    return p.statement_applies(probe, p.Request(action, "", ""), {})


RULE = Rule(
    id="IAM2",
    level=Level.ERROR,
    refs=("R1",),
    info="An identity policy allows every action, or every KMS action (`*`, `kms:*`, NotAction with Allow).",
    explanation="R1: list the actions the principal needs; least privilege.",
    applies_to=IDENTITY_POLICIES,
    check=no_wildcard_actions,
    unknown="Actions only known at deploy time are an undecided warning naming the statement.",
)
