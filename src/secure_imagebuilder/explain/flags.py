"""The pack's findings about key access, placed on the keys, principals and paths they concern. Pure Python.

The findings come from the same run of the rule table as ``scan`` (``rules.engine.run``), so ``explain``
and ``scan`` never disagree: every KMS4, KMS5, IAM1 and GRANT1-4 finding of a stack lands on the key it
concerns (always) and on the access paths whose statements it names (where one is shown):

- KMS4 (public) and KMS5 (no context) name a key-policy statement of the key;
- IAM1 (no context) names an identity statement; the keys it concerns are found the way the rule finds
  them (``rules.engine.access.decrypt_outside_context`` per Image Builder key);
- GRANT1-GRANT3 (a build cannot use its key) name a workflow or document of a pipeline: the key that
  encrypts it gets the flag, and the role the build needs gets a denied (or undecided) path;
- GRANT4 (a key outside the template) names a workflow or document: the outside key that encrypts it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from secure_imagebuilder.explain import words
from secure_imagebuilder.explain.model import Access, Flag, Key, Principal
from secure_imagebuilder.explain.principals import candidate, template_identities
from secure_imagebuilder.rules.common import identity_documents, symbolic_arn
from secure_imagebuilder.rules.engine import access
from secure_imagebuilder.rules.engine import policy as p
from secure_imagebuilder.rules.engine.evaluator import PolicyEvaluator
from secure_imagebuilder.rules.engine.model import Finding, Stack
from secure_imagebuilder.rules.imagebuilder.builds import (
    WORKFLOW_ACTIONS,
    Build,
    builds,
    grants,
)

# The side of the grant each rule finds missing: GRANT1 the key policy's, GRANT2 the role's, GRANT3 either.
_MISSING_SIDE = {"GRANT1": "key-policy", "GRANT2": "identity-policy", "GRANT3": "key-policy+identity-policy"}
RULES = ("KMS4", "KMS5", "IAM1", "GRANT1", "GRANT2", "GRANT3", "GRANT4")
_KINDS = {
    "KMS4": "public",
    "KMS5": "no-context",
    "IAM1": "no-context",
    "GRANT1": "missing-grant",
    "GRANT2": "missing-grant",
    "GRANT3": "missing-grant",
    "GRANT4": "outside-key",
}


def suffix(finding: Finding) -> str:
    """What a finding id names in brackets (a statement label, a workflow), or ``""``."""
    inside = finding.rule_id.partition("[")[2]
    return inside[:-1] if inside.endswith("]") else ""


def flag_of(finding: Finding, statement: str | None = None) -> Flag:
    """A finding as a flag: its kind, message, id, level and acknowledgement."""
    return Flag(
        "undecided" if finding.error is not None else _KINDS.get(finding.rule.id, "undecided"),
        finding.message,
        finding.rule_id,
        finding.level.value,
        finding.acknowledged,
        statement,
    )


def place(stack: Stack, keys: Sequence[Key], findings: Iterable[Finding]) -> None:
    """Add each relevant finding's flag to the keys, principals and paths it concerns.

    A finding that names nothing explain shows (a rule that crashed: ``<id>-RuleError``) goes on every
    key of the stack, so no finding of scan is missing here.
    """
    for finding in findings:
        _place(stack, keys, finding)
        if not any(flag.finding == finding.rule_id for key in keys for flag in key.flags):
            for key in keys:
                key.flags.append(flag_of(finding))
    for key in keys:
        _cross_account(key)


def _place(stack: Stack, keys: Sequence[Key], finding: Finding) -> None:
    by_logical_id = {key.logical_id: key for key in keys if key.logical_id}
    rule = finding.rule.id if finding.error is None else ""
    if rule in ("KMS4", "KMS5"):
        key = by_logical_id.get(finding.resource.logical_id or "")
        if key is not None:
            _on_statement(key, flag_of(finding, suffix(finding)), "key-policy", key.logical_id)
    elif rule == "IAM1":
        for key, label in _iam1_keys(stack, keys, finding):
            _on_statement(key, flag_of(finding, label), "identity-policy", finding.resource.logical_id)
    elif rule in ("GRANT1", "GRANT2", "GRANT3"):
        _missing_grant(stack, keys, finding)
    elif rule == "GRANT4":
        for key in keys:
            if key.origin == "outside" and any(u.logical_id == suffix(finding) for u in key.uses):
                key.flags.append(flag_of(finding))


def _on_statement(key: Key, flag: Flag, side: str, holder: str | None) -> None:
    """On the key, and on each path one of whose deciding statements the finding names."""
    key.flags.append(flag)
    for principal in key.principals:
        for path in principal.access:
            if any(
                ref.side == side and ref.sid == flag.statement and ref.logical_id == holder
                for ref in path.statements
            ):
                path.flags.append(flag)
        if flag.kind == "public" and principal.kind == "anyone":
            principal.flags.append(flag)


def _iam1_keys(stack: Stack, keys: Sequence[Key], finding: Finding) -> Iterator[tuple[Key, str]]:
    """The Image Builder keys an IAM1 finding concerns, as the rule decides it, and the statement's label."""
    wanted = suffix(finding)
    holder = finding.resource
    role = (
        symbolic_arn(stack, holder.logical_id)
        if holder.type == "AWS::IAM::Role" and holder.logical_id
        else None
    )
    concerned = [k for k in keys if k.logical_id in stack.imagebuilder_keys]
    hit = []
    for document in identity_documents(holder, stack):
        for key in concerned:
            exposures = [
                exposure
                for policy in document.source.alternatives
                for exposure in access.decrypt_outside_context(
                    policy, resource=key.arn, resource_based=False, holder=role
                )
            ]
            hit += [(key, e.label) for e in exposures if f"{document.prefix}{e.label}" == wanted]
    unique = {(key.id, label): (key, label) for key, label in hit}
    yield from unique.values() if unique else ((key, wanted) for key in concerned)


def _missing_grant(stack: Stack, keys: Sequence[Key], finding: Finding) -> None:
    """GRANT1-3: the key of the workflow or document gets the flag; the role the build needs, a path."""
    item = suffix(finding)
    flag = flag_of(finding)
    for build in builds(stack):
        if build.resource is not finding.resource:
            continue
        documents = build.documents if finding.rule.id == "GRANT3" else build.workflows
        for encrypted in (d for d in documents if d.logical_id == item):
            for logical_id in grants(stack).key_logical_ids(encrypted.keys):
                key = next((k for k in keys if k.logical_id == logical_id), None)
                if key is not None:
                    key.flags.append(flag)
                    _needed(stack, key, build, finding, flag)


def _needed(stack: Stack, key: Key, build: Build, finding: Finding, flag: Flag) -> None:
    """The path the build needs and does not have, on the role that needs it."""
    evaluator = grants(stack)
    if finding.rule.id == "GRANT3":
        roles = [evaluator.arn(role) for role in build.instance_roles]
        actions = ["kms:Decrypt"]
    else:
        roles = [r for r in evaluator.role_arns(build.execution_roles) if isinstance(r, str)]
        actions = sorted(WORKFLOW_ACTIONS)
    use = next((u for u in key.uses if u.logical_id == suffix(finding)), None)
    context = f"with encryption context aws:imagebuilder:arn = {words.value(use.arn)}" if use else ""
    own = template_identities(evaluator.evaluator)
    for role in roles:
        principal = _principal(key, role, own, evaluator.evaluator)
        principal.access.append(
            Access(
                actions=actions,
                allowed=None if finding.undecided else False,
                policies=_MISSING_SIDE[finding.rule.id],
                via=["imagebuilder.amazonaws.com"],
                conditions=[f"needed by the build {context} through Image Builder".replace("  ", " ")],
                reaches=[use.id] if use else [],
                reason=finding.message,
                flags=[flag],
            )
        )


def _principal(key: Key, arn: str, own: dict[str, tuple[str, str]], evaluator: PolicyEvaluator) -> Principal:
    for principal in key.principals:
        if principal.principal == arn:
            return principal
    found = candidate(arn, evaluator, own)
    principal = Principal(
        principal_id(key, arn), arn, found.kind, found.label, found.account, found.logical_id
    )
    key.principals.append(principal)
    return principal


def principal_id(key: Key, principal: str) -> str:
    """The id of a principal in a stack's answer (one node per principal across the stack's keys)."""
    stack = key.id.split("/key/", 1)[0]
    return f"{stack}/principal/{principal}"


def _cross_account(key: Key) -> None:
    for principal in key.principals:
        if principal.kind == "organization":
            message = f"{principal.label}: principals of other accounts of the organization"
            principal.flags.append(Flag("cross-account", message))
        elif principal.kind != "anyone" and principal.account not in (None, p.ACCOUNT):
            message = f"a principal of account {principal.account}, outside the template's account"
            principal.flags.append(Flag("cross-account", message))
