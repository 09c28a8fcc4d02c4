"""What a Roles Anywhere session may carry: its scope (session policies) and its tags (attribute mappings).

A certificate the trust anchor accepts gets a session with the role's permissions, intersected with the
profile's ``SessionPolicy`` and ``ManagedPolicyArns`` (IAM Roles Anywhere user guide, "Profiles"), and
tagged with the certificate attributes the profile's ``AttributeMappings`` extract (user guide,
"Certificate attribute mapping"; by default every subject and issuer RDN and the first DNS name,
directory name and URI of the subject alternative name).

- Sessions are scoped by default (R1): the role ``RolesAnywhereAccess`` creates holds nothing until
  permissions are granted to it, and a role (created or given) that holds a broad AWS managed policy
  (``core.thresholds.BROAD_MANAGED_POLICIES``) without a session policy or session managed policies to
  scope it fails the synth (:class:`SessionScope`, read at synthesis, after every grant: rule RA4 of the
  pack reports the same in any template). A broad managed policy as a session policy scopes nothing and is
  our error.
- Attribute mappings name what certificates put into session tags (R1, R19); a certificate name field the
  trust policy conditions on must stay mapped, or the condition never matches and every host is locked out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from aws_cdk import aws_rolesanywhere as rolesanywhere
from constructs import IConstruct, IValidation

from secure_imagebuilder.core import permissions, thresholds
from secure_imagebuilder.core.validation import ValidationProblems, shown

CERTIFICATE_FIELDS = ("x509Subject", "x509Issuer", "x509SAN")
"""The certificate fields a mapping names (``AWS::RolesAnywhere::Profile`` ``CertificateField``)."""

MAX_SESSION_MANAGED_POLICIES = 50
"""``ManagedPolicyArns`` of ``AWS::RolesAnywhere::Profile``: at most 50 (CloudFormation schema)."""


def session_policy_arns(problems: ValidationProblems, policies: object) -> list[str]:
    """The ARNs of ``session_managed_policies``; our error for anything else or a broad one (R1)."""
    if policies is None:
        return []
    if isinstance(policies, str) or not isinstance(policies, Sequence):
        problems.add(
            "session_managed_policies must be a list of managed policies", policies, "wrap it in a list"
        )
        return []
    if len(policies) > MAX_SESSION_MANAGED_POLICIES:
        problems.add(
            f"session_managed_policies may hold at most {MAX_SESSION_MANAGED_POLICIES} policies",
            len(policies),
            "merge policies, or scope the sessions with session_policy",
        )
    arns = []
    for policy in policies:
        arn = getattr(policy, "managed_policy_arn", None)
        if not isinstance(arn, str):
            problems.add(
                "session_managed_policies must be iam.IManagedPolicy objects",
                policy,
                "pass iam.ManagedPolicy.from_aws_managed_policy_name(...) or your own iam.ManagedPolicy",
            )
            continue
        for name in permissions.broad_managed_policies(arn):
            problems.add(
                f"session_managed_policies: {name} allows {thresholds.BROAD_MANAGED_POLICIES[name]}, so it "
                "scopes no session (R1)",
                name,
                "pass the policies with what the hosts need on named resources",
            )
        arns.append(arn)
    return arns


def validate_attribute_mappings(
    problems: ValidationProblems,
    mappings: object,
    conditions: Mapping[str, Mapping[str, Sequence[str]] | None],
) -> None:
    """Known certificate fields, non-empty specifier lists, and every RDN the trust policy reads mapped.

    ``conditions`` maps ``x509Subject``/``x509Issuer`` to ``allowed_subjects``/``allowed_issuers``.
    """
    if mappings is None:
        return
    if not isinstance(mappings, Mapping):
        problems.add(
            "attribute_mappings must map certificate fields to lists of specifiers",
            mappings,
            'write e.g. attribute_mappings={"x509Subject": ["CN"], "x509Issuer": ["CN"]}',
        )
        return
    for field, specifiers in mappings.items():
        if field not in CERTIFICATE_FIELDS:
            problems.add(
                "attribute_mappings has an unknown certificate field",
                field,
                f"use one of {', '.join(CERTIFICATE_FIELDS)} (case-sensitive)",
            )
        listed = isinstance(specifiers, Sequence) and not isinstance(specifiers, str) and bool(specifiers)
        if not listed or not all(isinstance(s, str) and s for s in specifiers):
            problems.add(
                f"attribute_mappings[{field!r}] must be a non-empty list of specifiers",
                specifiers,
                f'write e.g. {{"{field}": ["CN"]}}',
            )
            continue
        for rdn in conditions.get(field) or {}:
            if rdn not in specifiers and "*" not in specifiers:
                problems.add(
                    f"attribute_mappings[{field!r}] leaves out {rdn}, which the trust policy conditions on: "
                    "no session would get the tag, and every host would be locked out",
                    list(specifiers),
                    f"add {rdn!r} to the mapping, or drop it from the allowed names",
                )


def attribute_mapping_properties(
    mappings: Mapping[str, Sequence[str]] | None,
) -> list[rolesanywhere.CfnProfile.AttributeMappingProperty] | None:
    """The profile's ``AttributeMappings``, one per certificate field."""
    if not mappings:
        return None
    return [
        rolesanywhere.CfnProfile.AttributeMappingProperty(
            certificate_field=field,
            mapping_rules=[rolesanywhere.CfnProfile.MappingRuleProperty(specifier=s) for s in specifiers],
        )
        for field, specifiers in mappings.items()
    ]


@jsii.implements(IValidation)
class SessionScope:
    """At synthesis, after every grant: a role with a broad AWS managed policy needs scoped sessions (R1)."""

    def __init__(self, role: iam.IRole, scoped: bool) -> None:
        self._role = role
        self._scoped = scoped

    def validate(self) -> list[str]:
        """Our error (CDK prefixes the construct path) when the sessions would carry a broad policy."""
        if self._scoped:
            return []
        names = broad_policies_of(self._role)
        if not names:
            return []
        name = names[0]
        return [
            f"the role {self._role.node.path} holds {name} and no session_policy or "
            f"session_managed_policies scopes the sessions: every host with a certificate of the trust "
            f"anchor would get {thresholds.BROAD_MANAGED_POLICIES[name]} (R1): got {shown(names)}; pass "
            f"session_policy or session_managed_policies with what the hosts need, or detach {name}"
        ]


def broad_policies_of(role: iam.IRole) -> list[str]:
    """The broad AWS managed policies attached to a role of this app (none known for an imported one)."""
    resource = role.node.default_child if isinstance(role, iam.Role) else None
    if not isinstance(resource, iam.CfnRole):
        return []
    arns = cdk.Stack.of(role).resolve(resource.managed_policy_arns)
    return permissions.broad_managed_policies(json.dumps(arns)) if arns else []


def add_session_scope(scope: IConstruct, role: iam.IRole, *, scoped: bool) -> None:
    """Check at synthesis that ``role``'s sessions are scoped where they need to be."""
    scope.node.add_validation(SessionScope(role, scoped))
