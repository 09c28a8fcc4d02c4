"""The policies of one template, loaded for the evaluator: who holds which statements. Pure Python.

``PolicyEvaluator(template_or_stack)`` reads, through the value model's symbolic view, every identity
policy (``AWS::IAM::Policy``/``ManagedPolicy`` attached to roles, users and groups; a role's inline
policies and managed policy ARNs; its permissions boundary), every key, bucket and topic policy and every
trust policy of the template, each with all the alternatives it can deploy as. A resource whose
``Condition`` is proven false does not exist here.

AWS managed policies count for what ``managed`` documents; one that is not documented grants an
*unknown* set of actions, so requests that its holder needs are undecided, never silently allowed or
denied.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from secure_imagebuilder.rules.engine import policy as p
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Stack

IDENTITY_TYPES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
_UNKNOWN_GRANT = [
    {"Effect": "Allow", "Action": v.Unknown("*", "an undocumented managed policy"), "Resource": "*"}
]


def as_stack(template: Mapping[str, Any] | Stack) -> Stack:
    """A template dict (as CloudFormation receives it) as a ``Stack``; a ``Stack`` as is."""
    if isinstance(template, Stack):
        return template
    from secure_imagebuilder.rules.engine.assembly import stack_from_template  # the reader imports us not

    return stack_from_template(template, path="template")


class PolicyEvaluator:
    """Evaluates requests against the identity, key, bucket, topic and trust policies of one template.

    :param managed_policies: statements of AWS managed policies by name (``EC2ImageBuilderExecutionPolicy``)
        as AWS documents them. Default: ``rules.imagebuilder.managed.DOCUMENTED``.
    :param external_identities: identity statements of principals outside the template (another
        account's role, a service-linked role), by principal ARN.
    :param external_resource_policies: resource policies of resources outside the template (an imported
        key whose owner adds the statements), by resource ARN.
    """

    def __init__(
        self,
        template: Mapping[str, Any] | Stack,
        *,
        managed_policies: Mapping[str, Sequence[p.Statement]] | None = None,
        external_identities: Mapping[str, Sequence[p.Statement]] | None = None,
        external_resource_policies: Mapping[str, Sequence[p.Statement]] | None = None,
    ) -> None:
        self.stack = as_stack(template)
        if managed_policies is None:
            from secure_imagebuilder.rules.imagebuilder.managed import DOCUMENTED

            managed_policies = DOCUMENTED
        self.managed = managed_policies
        self.account, self.region = p.ACCOUNT, p.REGION
        self.root = f"arn:{p.PARTITION}:iam::{p.ACCOUNT}:root"
        self.identities: dict[str, list[p.Source]] = {}
        self.boundaries: dict[str, p.Source] = {}
        self.resource_policies: dict[str, tuple[p.Source, bool]] = {}
        self.trusts: dict[str, p.Source] = {}
        for arn, statements in (external_identities or {}).items():
            self._hold(arn, _fixed(f"identity policy of {arn}", statements, resource_based=False))
        for arn, statements in (external_resource_policies or {}).items():
            self.resource_policies[arn] = (_fixed(f"resource policy of {arn}", statements), True)
        self._load()

    # --- reading the template -------------------------------------------------------------------

    def _load(self) -> None:
        loaders: dict[str, Callable[[str, Mapping[str, Any]], None]] = {
            "AWS::IAM::Policy": self._load_policy,
            "AWS::IAM::ManagedPolicy": self._load_policy,
            "AWS::IAM::Role": self._load_role,
            "AWS::KMS::Key": self._load_key,
            "AWS::S3::BucketPolicy": self._load_bucket_policy,
            "AWS::SNS::TopicPolicy": self._load_topic_policy,
        }
        for resource in self.stack.resources:
            loader = loaders.get(resource.type)
            if loader is not None and resource.logical_id and v.may_exist(resource.condition, self.stack):
                loader(resource.logical_id, resource.props)

    def _document(self, label: str, document: Any, *, resource_based: bool = False) -> p.Source:
        return p.document_alternatives(label, document, self.stack, resource_based=resource_based)

    def _hold(self, principal: str, source: p.Source) -> None:
        self.identities.setdefault(principal, []).append(source)

    def _principal_arns(self, values: Any, kind: str) -> list[str]:
        """The ARNs of the roles/users/groups a policy's ``Roles``/``Users``/``Groups`` name."""
        found = []
        for alt in v.resolved(values, self.stack):
            for name in v.as_list(alt.value):
                if isinstance(name, str) and name:
                    found.append(
                        name
                        if name.startswith("arn:")
                        else f"arn:{p.PARTITION}:iam::{p.ACCOUNT}:{kind}/{name}"
                    )
        return sorted(set(found))

    def _load_policy(self, logical_id: str, props: Mapping[str, Any]) -> None:
        source = self._document(logical_id, props.get("PolicyDocument"))
        for key, kind in (("Roles", "role"), ("Users", "user"), ("Groups", "group")):
            for arn in self._principal_arns(props.get(key), kind):
                self._hold(arn, source)

    def _load_role(self, logical_id: str, props: Mapping[str, Any]) -> None:
        arn = self.arn(logical_id)
        for index, inline in enumerate(v.as_list(props.get("Policies"))):
            name = v.get(inline, "PolicyName")
            label = f"{logical_id} ({name if isinstance(name, str) else index})"
            self._hold(arn, self._document(label, v.get(inline, "PolicyDocument")))
        for managed in self._managed_arns(props.get("ManagedPolicyArns")):
            self._hold(arn, self._managed(managed))
        if props.get("PermissionsBoundary") is not None:
            boundaries = [self._managed(b) for b in self._managed_arns(props.get("PermissionsBoundary"))]
            alternatives = tuple(a for b in boundaries for a in b.alternatives)
            unknown = any(b.unknown for b in boundaries) or not boundaries
            self.boundaries[arn] = p.Source(f"permissions boundary of {logical_id}", alternatives, unknown)
        self.trusts[arn] = self._document(
            f"trust policy of {logical_id}", props.get("AssumeRolePolicyDocument"), resource_based=True
        )

    def _managed_arns(self, value: Any) -> list[Any]:
        """Each managed policy a role names: a logical id of the template, an ARN, or an unknown."""
        found: list[Any] = []
        for item in v.as_list(value) if isinstance(value, list) else [value]:
            target = self.stack.target(item)
            if target is not None and target.type == "AWS::IAM::ManagedPolicy" and target.logical_id:
                found.append(target)
                continue
            # A role without the property (or with AWS::NoValue) has no managed policy, not an unknown one.
            found.extend(alt for alt in v.reach(item, stack=self.stack) if alt is not v.ABSENT)
        return found

    def _managed(self, managed: Any) -> p.Source:
        if hasattr(managed, "props"):  # a managed policy of the template
            return self._document(str(managed.logical_id), v.get(managed.props, "PolicyDocument"))
        name = v.text(managed)
        short = name.rsplit("/", 1)[-1] if name and v.HOLE not in name else None
        if short is not None and short in self.managed:
            return _fixed(f"AWS managed policy {short}", self.managed[short], resource_based=False)
        label = f"managed policy {short or v.describe(getattr(managed, 'source', managed))}"
        return p.Source(label, (p.policy(label, _UNKNOWN_GRANT),), unknown=True)

    def _load_key(self, logical_id: str, props: Mapping[str, Any]) -> None:
        source = self._document(f"key policy of {logical_id}", props.get("KeyPolicy"), resource_based=True)
        self.resource_policies[self.arn(logical_id)] = (source, True)

    def _load_bucket_policy(self, logical_id: str, props: Mapping[str, Any]) -> None:
        source = self._document(
            f"bucket policy {logical_id}", props.get("PolicyDocument"), resource_based=True
        )
        for alt in v.resolved(props.get("Bucket"), self.stack):
            if isinstance(alt.value, str):
                self.resource_policies[f"arn:{p.PARTITION}:s3:::{alt.value}"] = (source, False)

    def _load_topic_policy(self, logical_id: str, props: Mapping[str, Any]) -> None:
        source = self._document(
            f"topic policy {logical_id}", props.get("PolicyDocument"), resource_based=True
        )
        for alt in v.resolved(props.get("Topics"), self.stack):
            for topic in v.as_list(alt.value):
                if isinstance(topic, str):
                    self.resource_policies[topic] = (source, False)

    # --- names ----------------------------------------------------------------------------------

    def arn(self, logical_id: str) -> str:
        """The symbolic ARN of a resource of the template."""
        kind = self.stack.resource_types[logical_id]
        physical = v.resolved({"Fn::GetAtt": [logical_id, "Arn"]}, self.stack)
        value = physical[0].value if physical else None
        return value if isinstance(value, str) else v.arn_of(logical_id, kind)

    role_arn = arn
    key_arn = arn

    def resolve(self, value: Any) -> Any:
        """The first fully resolved alternative of ``value`` in the symbolic view (for tests)."""
        found = v.resolved(value, self.stack)
        return found[0].value if found else None

    # --- decisions ------------------------------------------------------------------------------

    def _resource_policy(self, resource: str) -> tuple[p.Source, bool] | None:
        if resource in self.resource_policies:
            return self.resource_policies[resource]
        if resource.startswith(f"arn:{p.PARTITION}:s3:::"):
            return self.resource_policies.get(resource.split("/", 1)[0])
        return None

    def _resource_account(self, resource: str) -> str | None:
        parts = resource.split(":")
        if len(parts) > 4 and parts[4].isdigit() and len(parts[4]) == 12:
            return parts[4]
        return self.account if self._resource_policy(resource) is not None else None

    def outcomes(self, request: p.Request) -> list[p.Decision]:
        """One decision per combination of the alternatives of the documents involved."""
        if request.action.lower() == "sts:assumerole":
            return self._trust_outcomes(request)
        found = self._resource_policy(request.resource)
        is_key = found[1] if found else request.action.lower().startswith("kms:")
        if is_key and found is None:
            return [p.Decision(False, "the key policy is unknown (a key outside the template)")]
        resource = found[0] if found else None
        return self._evaluate_all(request, resource, self._resource_account(request.resource), is_key)

    def _evaluate_all(
        self, request: p.Request, resource: p.Source | None, account: str | None, is_key: bool
    ) -> list[p.Decision]:
        identities = self.identities.get(request.principal, [])
        boundary = self.boundaries.get(request.principal)
        sources = [*identities, *([resource] if resource else []), *([boundary] if boundary else [])]
        decisions = []
        for chosen in p.combinations(sources):
            held = list(chosen[: len(identities)])
            rest = list(chosen[len(identities) :])
            resource_policy = rest.pop(0) if resource else None
            boundary_policy = rest.pop(0) if boundary else None
            decision = p.evaluate(
                request,
                identity=held,
                resource=resource_policy,
                resource_account=account,
                kms_key=is_key,
                boundary=boundary_policy,
                boundary_unknown=bool(boundary and boundary.unknown),
            )
            unknown = [s.label for s in identities if s.unknown]
            if decision.allowed is False and unknown and not decision.statements:
                decision = p.Decision(None, f"{', '.join(unknown)} may allow it (not documented here)")
            decisions.append(_with_assumed(decision, chosen))
        return decisions

    def _trust_outcomes(self, request: p.Request) -> list[p.Decision]:
        trust = self.trusts.get(request.resource)
        if trust is None:
            return [p.Decision(False, "no such role in the template")]
        decisions = []
        identities = [] if request.is_service else self.identities.get(request.principal, [])
        for chosen in p.combinations([trust, *identities]):
            decision = p.evaluate(
                request,
                identity=list(chosen[1:]),
                resource=chosen[0],
                resource_account=self.account,
                kms_key=True,  # like a key policy, a trust policy must name the principal or its account
            )
            if decision.allowed is False and not decision.statements:
                decision = p.Decision(False, "the trust policy does not allow it")
            decisions.append(_with_assumed(decision, chosen))
        return decisions

    def decide(self, request: p.Request) -> p.Decision:
        """Whether AWS would allow ``request`` (in every alternative of the template), and by what."""
        return p.combine(self.outcomes(request))

    def trust_decision(self, request: p.Request) -> p.Decision:
        """``sts:AssumeRole`` on a role of the template: its trust policy decides (with the caller's IAM)."""
        return p.combine(self._trust_outcomes(request))

    def kms_allows(self, key: str, request: p.Request) -> bool:
        """Whether KMS would allow ``request`` on ``key`` (a logical id of the template, or a key ARN)."""
        arn = self.arn(key) if key in self.stack.resource_types else key
        return bool(self.decide(p.Request(request.action, request.principal, arn, request.context)))

    def trust_allows(self, role: str, request: p.Request) -> bool:
        """Whether ``request.principal`` may assume ``role`` (a logical id) with the request's context."""
        arn = self.arn(role) if role in self.stack.resource_types else role
        return bool(self.trust_decision(p.Request("sts:AssumeRole", request.principal, arn, request.context)))

    def identity_outcomes(self, request: p.Request) -> list[p.Decision]:
        """The principal's identity policies (and boundary) alone, per alternative."""
        return self._evaluate_all(request, None, None, is_key=False)

    def identity_allows(self, request: p.Request) -> bool:
        """Whether the principal's identity policies alone allow ``request``."""
        return bool(p.combine(self.identity_outcomes(request)))

    def resource_policy_allows(self, statements: Sequence[p.Statement], request: p.Request) -> bool:
        """Whether a resource policy alone allows ``request``, with its denies applied."""
        held = p.judge(
            p.policy("resource policy", statements, resource_based=True), request, request.full_context()
        )
        return not held.denies and bool(held.allows)

    def resource_policy_denies(self, statements: Sequence[p.Statement], request: p.Request) -> bool:
        """Whether a resource policy explicitly denies ``request``."""
        held = p.judge(
            p.policy("resource policy", statements, resource_based=True), request, request.full_context()
        )
        return bool(held.denies)


def _fixed(label: str, statements: Sequence[p.Statement], *, resource_based: bool = True) -> p.Source:
    return p.Source(label, (p.policy(label, list(statements), resource_based=resource_based),))


def _with_assumed(decision: p.Decision, chosen: Sequence[p.Policy]) -> p.Decision:
    assumed = p.merged_assumptions(chosen)
    if not assumed:
        return decision
    return p.Decision(decision.allowed, decision.reason, decision.statements, assumed)
