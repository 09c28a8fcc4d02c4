"""RA4: Roles Anywhere sessions are scoped down when the profile's roles can do broad things (R1, R19)."""

from __future__ import annotations

import json
from typing import Any

from secure_imagebuilder.rules.engine import policy as p
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import (
    Level,
    Resource,
    Rule,
    RuleResult,
    Stack,
    Undecided,
    Violation,
)
from secure_imagebuilder.rules.iam import broad

OUTSIDE = "a role outside the template: what its sessions can do cannot be read here"
UNSCOPED: list[p.Source] = []  # a session alternative without SessionPolicy and ManagedPolicyArns


def session_scoped(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per role (logical id) whose unscoped sessions reach resources nobody named.

    Modelled on Prowler's ``rolesanywhere_profile_restricts_session_permissions``: a certificate the
    trust anchor accepts gets a session with the role's permissions, intersected with the profile's
    ``SessionPolicy`` and ``ManagedPolicyArns`` (IAM Roles Anywhere user guide, "Profiles"). Broad is
    decided by the evaluator (``engine.access.BROAD``): every action (AdministratorAccess, ``*``,
    PowerUserAccess), every object of every bucket, every key's decrypt, every secret, allowed by the
    role's own policies within its boundary and not cut by the session policies, in any alternative.
    A profile that deploys ``Enabled: false`` in every alternative vends nothing. A role outside the
    template, an undocumented managed policy or a session policy only known at deploy time: undecided.
    Sources: https://docs.aws.amazon.com/rolesanywhere/latest/userguide/getting-started.html (profiles,
    session policies); prowler-cloud/prowler ``providers/aws/services/rolesanywhere``.
    """
    if all(v.truthy(enabled) is False for enabled in v.reach(resource.props, "Enabled", stack=stack)):
        return []
    sessions = _sessions(resource, stack)
    findings: dict[str, Violation | Undecided] = {}
    for roles in v.reach(resource.props, "RoleArns", stack=stack):
        for item in v.as_list(roles) if not isinstance(roles, v.Unknown) else [roles]:
            for value in v.alternatives(item, stack):
                role = stack.target(value) or _role_by_arn(item, stack)
                if role is None or role.type != "AWS::IAM::Role" or not role.logical_id:
                    label = (v.render(value, stack) or "RoleArns").replace(v.HOLE, "*")
                    findings.setdefault(label, Undecided(label, value, OUTSIDE))
                    continue
                result = _judge(role.logical_id, sessions, stack)
                if result is not None and not isinstance(findings.get(role.logical_id), Violation):
                    findings[role.logical_id] = result
    return list(findings.values())


def _role_by_arn(value: Any, stack: Stack) -> Resource | None:
    """The role of the template an ARN names (``arn:${AWS::Partition}:iam::...:role/<RoleName>``)."""
    ev = broad.evaluator(stack)
    arns = {alt.value for alt in v.resolved(value, stack) if isinstance(alt.value, str)}
    for resource in stack.resources:
        if resource.type == "AWS::IAM::Role" and resource.logical_id and ev.arn(resource.logical_id) in arns:
            return resource
    return None


def _judge(role: str, sessions: list[list[p.Source]], stack: Stack) -> Violation | Undecided | None:
    principal = broad.evaluator(stack).arn(role)
    sure: list[str] = []
    maybe: list[str] = []
    for grant in broad.broad_grants(stack, principal):
        session = _session_allows(grant.broad.request(principal), sessions)
        allowed = p.all_of([grant.allowed, session])
        what = f"{grant.source or 'a policy'} {grant.broad.what}"
        if allowed is True and what not in sure:
            sure.append(what)
        elif allowed is None and what not in maybe:
            maybe.append(what)
    if sure:
        return Violation(role, f"sessions are not scoped down: {'; '.join(sure)}")
    if maybe:
        return Undecided(role, reason=f"sessions may reach what nobody named: {'; '.join(maybe)}")
    return None


def _session_allows(request: p.Request, sessions: list[list[p.Source]]) -> p.Tri:
    """Whether some alternative of the profile's session policies lets the request through."""
    results: list[p.Tri] = []
    for sources in sessions:
        if not sources:
            return True
        decisions = [p.evaluate(request, identity=list(chosen)) for chosen in p.combinations(sources)]
        results.append(p.combine(decisions).allowed)
    return p.any_of(results)


def _sessions(resource: Resource, stack: Stack) -> list[list[p.Source]]:
    """Every alternative of the profile's session policies (inline ``SessionPolicy`` and managed ones)."""
    ev = broad.evaluator(stack)
    inline = [_inline(alt.value, stack) for alt in v.resolved(v.get(resource.props, "SessionPolicy"), stack)]
    managed = [
        ev.managed_sources(arns) if arns is not v.ABSENT else []
        for arns in v.reach(resource.props, "ManagedPolicyArns", stack=stack)
    ]
    return [
        [*([source] if source is not None else []), *sources]
        for source in inline or [None]
        for sources in managed or [[]]
    ]


def _inline(value: Any, stack: Stack) -> p.Source | None:
    """The ``SessionPolicy`` JSON as a policy; one that cannot be read may allow anything."""
    if value is v.ABSENT:
        return None
    label = "SessionPolicy"
    try:
        document = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        document = None
    if not isinstance(document, dict):
        unknown = v.Unknown(value, "a session policy that cannot be read", specific=False)
        return p.Source(label, (p.policy(label, [{"Effect": "Allow", "Action": unknown, "Resource": "*"}]),))
    return p.document_alternatives(label, document, stack, resource_based=False, name=label)


RULE = Rule(
    id="RA4",
    level=Level.ERROR,
    refs=("R1", "R19"),
    info=(
        "A Roles Anywhere profile vends sessions with the full permissions of a role that can do broad "
        "things (every action, every bucket, key or secret): no SessionPolicy or ManagedPolicyArns scopes "
        "them down."
    ),
    explanation=(
        "R1: give the profile a SessionPolicy or ManagedPolicyArns with what the workload needs on named "
        "resources (RolesAnywhereAccess takes session_managed_policies), or narrow the role's own policies."
    ),
    applies_to=("AWS::RolesAnywhere::Profile",),
    check=session_scoped,
    unknown=(
        "A role outside the template, a managed policy this pack does not document or a session policy "
        "only known at deploy time is an undecided warning naming it."
    ),
)
