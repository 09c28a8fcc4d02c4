"""A small, independent evaluator of the IAM, KMS and resource policies of synthesized templates.

It answers "would AWS allow this request?" for the calls a build makes (the flow matrix), for the
requests the reference document shows in CloudTrail (R16) and for near misses, so tests and rules check
what the policies *do*, not only how they are spelled. Pure Python: no aws_cdk, constructs, cdk_nag, jsii.

How it decides (AWS's documented evaluation logic, reduced to what Image Builder's calls need):

- an explicit ``Deny`` in any policy that applies wins;
- a KMS key: the key policy must allow the principal, either directly (its ARN, its service principal,
  ``*`` with conditions) or through its account (the account root, which delegates to IAM) together
  with an identity policy of the principal; a principal of another account always needs both
  ("Key policies in AWS KMS", "Allowing users in other accounts to use a KMS key");
- a role's trust policy for ``sts:AssumeRole``: the trust policy must allow the principal;
- any other resource: in the same account, the resource policy *or* an identity policy suffices; across
  accounts both are needed ("Policy evaluation logic", "Cross-account policy evaluation logic");
- a service principal has no identity policy: only resource policies can allow it.

Request context: ``aws:PrincipalArn``, ``aws:PrincipalAccount``, ``kms:CallerAccount`` (KMS actions),
``aws:PrincipalIsAWSService`` and ``kms:EncryptionContextKeys`` are derived from the request when it
does not give them, as AWS sets them. Condition keys match case-insensitively, values case-sensitively.

Operators: String(Not)Equals(IgnoreCase), String(Not)Like, Arn(Not)Equals, Arn(Not)Like, Bool, Null,
Numeric*, each optionally ``...IfExists`` and ``ForAnyValue:``/``ForAllValues:``. A missing key fails
a positive operator and passes a negated one, ``IfExists`` and ``ForAllValues`` pass on a missing key.
``Action``/``NotAction``, ``Resource``/``NotResource``, ``Principal``/``NotPrincipal`` with ``*`` and
``?`` wildcards. Not modelled: SCPs, RCPs, permission boundaries, session policies, KMS grants, policy
variables. Unknown operators and intrinsics raise, so nothing is silently evaluated as allowed.

Templates' intrinsics (``Ref``, ``Fn::GetAtt``, ``Fn::Join``, ``Fn::Sub``, ``Fn::Select``, ``Fn::Split``)
are resolved for the stack's own resources to symbolic ARNs in a fixed test account, Region and
partition (physical name = logical id, lower-cased where AWS requires it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

ACCOUNT = "111122223333"
REGION = "us-west-2"
PARTITION = "aws"

Context = Mapping[str, "str | Sequence[str]"]
Statement = dict[str, Any]

_ARN_ACCOUNT = re.compile(r"^arn:[^:]+:(?:iam|sts)::(\d{12}):")
_ENCRYPTION_CONTEXT = "kms:encryptioncontext:"


@dataclass(frozen=True)
class Request:
    """One API request as CloudTrail records it.

    ``principal`` is an IAM ARN (role, user, account root) or a service principal such as
    ``logs.us-west-2.amazonaws.com``. ``context`` holds the request's condition keys, e.g.
    ``kms:EncryptionContext:aws:imagebuilder:arn``, ``kms:ViaService``, ``aws:CalledVia``,
    ``aws:SourceAccount``, ``aws:SourceArn``, ``kms:GrantIsForAWSResource``.
    """

    action: str
    principal: str
    resource: str
    context: Mapping[str, str | Sequence[str]] = field(default_factory=dict)

    @property
    def is_service(self) -> bool:
        """The principal is an AWS service principal, not an IAM identity."""
        return not self.principal.startswith("arn:")

    @property
    def account(self) -> str | None:
        """The account of an IAM principal; ``None`` for a service principal."""
        found = _ARN_ACCOUNT.match(self.principal)
        return found.group(1) if found else None

    def full_context(self) -> dict[str, list[str]]:
        """The condition keys AWS would evaluate: the given ones plus the ones AWS derives (lower-cased)."""
        derived: dict[str, list[str]] = {}
        if self.is_service:
            derived["aws:principalisawsservice"] = ["true"]
            derived["aws:principalservicename"] = [self.principal]
        else:
            derived["aws:principalarn"] = [self.principal]
            derived["aws:principalisawsservice"] = ["false"]
            if self.account:
                derived["aws:principalaccount"] = [self.account]
                if self.action.lower().startswith("kms:"):
                    derived["kms:calleraccount"] = [self.account]
        given = {key.lower(): [str(v) for v in _as_list(value)] for key, value in self.context.items()}
        context_keys = [
            key[len(_ENCRYPTION_CONTEXT) :]
            for key in self.context
            if key.lower().startswith(_ENCRYPTION_CONTEXT)
        ]
        if context_keys:
            derived["kms:encryptioncontextkeys"] = context_keys
        return {**derived, **given}


@dataclass(frozen=True)
class Decision:
    """The answer for one request: allowed or not, and which statements decided it."""

    allowed: bool
    reason: str
    statements: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.allowed


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM's ``*`` (any run of characters) and ``?`` (one character) matching; nothing else is special."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL) is not None


def _compare(base: str, actual: str, expected: str) -> bool:
    if base in ("StringEquals", "ArnEquals"):
        return actual == expected
    if base in ("StringLike", "ArnLike"):
        return wildcard_match(expected, actual)
    if base in ("StringEqualsIgnoreCase", "Bool"):
        return actual.lower() == expected.lower()
    numeric = {
        "NumericEquals": float.__eq__,
        "NumericLessThan": float.__lt__,
        "NumericLessThanEquals": float.__le__,
        "NumericGreaterThan": float.__gt__,
        "NumericGreaterThanEquals": float.__ge__,
    }
    if base in numeric:
        return bool(numeric[base](float(actual), float(expected)))
    raise NotImplementedError(f"condition operator {base}")


_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
    "NumericNotEquals": "NumericEquals",
}


def condition_holds(operator: str, key: str, expected: Any, context: Mapping[str, list[str]]) -> bool:
    """Whether one ``operator: {key: expected}`` pair of a ``Condition`` block hold for ``context``.

    ``context`` maps lower-cased condition keys to their values (see :meth:`Request.full_context`).
    """
    quantifier, _, base = operator.rpartition(":")
    if quantifier not in ("", "ForAnyValue", "ForAllValues"):
        raise NotImplementedError(f"condition quantifier {quantifier}")
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    values = context.get(key.lower())
    expected_values = [str(e).lower() if isinstance(e, bool) else str(e) for e in _as_list(expected)]
    if base == "Null":
        return (values is None) == (expected_values[0].lower() == "true")
    negated = base in _NEGATED
    base = _NEGATED.get(base, base)
    if values is None:
        return negated or if_exists or quantifier == "ForAllValues"

    def matches(actual: str) -> bool:
        hit = any(_compare(base, actual, e) for e in expected_values)
        return not hit if negated else hit

    if quantifier == "ForAllValues":
        return all(matches(v) for v in values)
    if quantifier == "ForAnyValue" or len(values) <= 1:
        return any(matches(v) for v in values)
    # A multivalued key with a single-valued operator: AWS advises against it; be strict.
    return all(matches(v) for v in values)


def conditions_hold(conditions: Mapping[str, Mapping[str, Any]], context: Mapping[str, list[str]]) -> bool:
    """Every pair of a ``Condition`` block holds (AND across operators and keys)."""
    return all(
        condition_holds(operator, key, expected, context)
        for operator, pairs in conditions.items()
        for key, expected in pairs.items()
    )


def _matches_any(patterns: Any, value: str, *, ignore_case: bool = False) -> bool:
    return any(wildcard_match(str(p), value, ignore_case=ignore_case) for p in _as_list(patterns))


def _root_account(value: str) -> str | None:
    if re.fullmatch(r"\d{12}", value):
        return value
    found = re.fullmatch(r"arn:[^:]+:iam::(\d{12}):root", value)
    return found.group(1) if found else None


def principal_match(principal: Any, request: Request) -> str | None:
    """How a statement's ``Principal`` covers the request's principal.

    ``"direct"``: by ARN, service principal or ``*``; ``"account"``: by the principal's account (the
    account root delegates to the account's identity policies); ``None``: not at all.
    """
    if principal == "*":
        return "direct"
    if not isinstance(principal, Mapping):
        raise NotImplementedError(f"principal {principal!r}")
    if request.is_service:
        services = _as_list(principal.get("Service"))
        return "direct" if request.principal in services or "*" in _as_list(principal.get("AWS")) else None
    kind = None
    for value in map(str, _as_list(principal.get("AWS"))):
        if value == "*" or value == request.principal:
            return "direct"
        if _root_account(value) is not None and _root_account(value) == request.account:
            kind = "account"
    return kind


def statement_applies(statement: Statement, request: Request, context: Mapping[str, list[str]]) -> bool:
    """Action, resource and conditions of ``statement`` cover ``request`` (the principal is not checked)."""
    action = request.action
    if "Action" in statement and not _matches_any(statement["Action"], action, ignore_case=True):
        return False
    if "NotAction" in statement and _matches_any(statement["NotAction"], action, ignore_case=True):
        return False
    if "Resource" in statement and not _matches_any(statement["Resource"], request.resource):
        return False
    if "NotResource" in statement and _matches_any(statement["NotResource"], request.resource):
        return False
    return conditions_hold(statement.get("Condition", {}), context)


@dataclass(frozen=True)
class Policy:
    """Labelled statements: where they come from (for explanations) and whether they name principals."""

    label: str
    statements: Sequence[Statement]
    resource_based: bool


@dataclass
class _Verdict:
    allows: list[str] = field(default_factory=list)
    delegates: list[str] = field(default_factory=list)
    denies: list[str] = field(default_factory=list)


def _statement_label(policy: Policy, index: int, statement: Statement) -> str:
    return f"{policy.label}: {statement.get('Sid') or f'statement {index}'}"


def _judge(policy: Policy, request: Request, context: Mapping[str, list[str]]) -> _Verdict:
    verdict = _Verdict()
    for index, statement in enumerate(policy.statements):
        if not statement_applies(statement, request, context):
            continue
        how: str | None = "direct"
        if policy.resource_based:
            if "NotPrincipal" in statement:
                how = None if principal_match(statement["NotPrincipal"], request) else "direct"
            else:
                how = principal_match(statement.get("Principal", {}), request)
        if how is None:
            continue
        label = _statement_label(policy, index, statement)
        if statement["Effect"] == "Deny":
            verdict.denies.append(label)
        elif how == "direct":
            verdict.allows.append(label)
        else:
            verdict.delegates.append(label)
    return verdict


def evaluate(
    request: Request,
    *,
    identity: Iterable[Policy] = (),
    resource: Policy | None = None,
    resource_account: str | None = None,
    kms_key: bool = False,
) -> Decision:
    """Combine identity policies and one resource policy as AWS does (see the module docstring)."""
    context = request.full_context()
    identities = [_judge(policy, request, context) for policy in identity] if not request.is_service else []
    granted = [label for verdict in identities for label in verdict.allows]
    if re.fullmatch(r"arn:[^:]+:iam::\d{12}:root", request.principal):
        granted.append("the account root (every permission in its own account)")
    denied = [label for verdict in identities for label in verdict.denies]
    held = _judge(resource, request, context) if resource is not None else _Verdict()
    denied += held.denies
    if denied:
        return Decision(False, "explicitly denied", tuple(denied))
    cross_account = not request.is_service and resource_account not in (None, request.account)
    if cross_account and resource is None:
        return Decision(False, "cross-account: the resource's policy is unknown", ())
    if cross_account:
        # Both sides: the resource policy names the principal or its account, and its own account's
        # identity policies allow it.
        if not (held.allows or held.delegates):
            return Decision(False, "cross-account: the resource policy does not allow it", ())
        if not granted:
            return Decision(False, "cross-account: no identity policy allows it", ())
        return Decision(True, "allowed", tuple(held.allows + held.delegates + granted))
    if kms_key:
        # Identity policies count only when the key policy delegates to the account.
        if held.allows:
            return Decision(True, "allowed by the key policy", tuple(held.allows))
        if held.delegates and granted:
            return Decision(
                True, "allowed by IAM, delegated by the key policy", tuple(held.delegates + granted)
            )
        return Decision(False, "the key policy does not allow it", ())
    allows = held.allows + granted
    if allows:
        return Decision(True, "allowed", tuple(allows))
    return Decision(False, "no statement allows it", ())


def policy(label: str, statements: Sequence[Statement], *, resource_based: bool = False) -> Policy:
    """A labelled policy for :func:`evaluate`."""
    return Policy(label, list(statements), resource_based)


_SERVICE_OF_TYPE = {"Logs": "logs", "CloudTrail": "cloudtrail", "ImageBuilder": "imagebuilder", "ECR": "ecr"}


class TemplateResolver:
    """Turns the intrinsic functions of a template into the strings they would be in one account."""

    def __init__(
        self,
        template: Mapping[str, Any],
        account: str = ACCOUNT,
        region: str = REGION,
        partition: str = PARTITION,
    ) -> None:
        self.template = template
        self.account = account
        self.region = region
        self.partition = partition
        self.resources: dict[str, Any] = dict(template.get("Resources", {}))
        self.parameters: dict[str, Any] = dict(template.get("Parameters", {}))

    def _name(self, logical_id: str, prop: str, *, lower: bool = False) -> str:
        value = self.resources[logical_id].get("Properties", {}).get(prop)
        if value is not None:
            return str(self.resolve(value))
        return logical_id.lower() if lower else logical_id

    def arn(self, logical_id: str) -> str:
        """The ARN a resource of the template would have (physical name = logical id)."""
        kind: str = self.resources[logical_id]["Type"]
        p, r, a = self.partition, self.region, self.account
        simple = {
            "AWS::IAM::Role": lambda: f"arn:{p}:iam::{a}:role/{self._name(logical_id, 'RoleName')}",
            "AWS::IAM::InstanceProfile": lambda: f"arn:{p}:iam::{a}:instance-profile/{logical_id}",
            "AWS::IAM::ManagedPolicy": lambda: f"arn:{p}:iam::{a}:policy/{logical_id}",
            "AWS::KMS::Key": lambda: f"arn:{p}:kms:{r}:{a}:key/{logical_id.lower()}",
            "AWS::SNS::Topic": lambda: f"arn:{p}:sns:{r}:{a}:{self._name(logical_id, 'TopicName')}",
            "AWS::S3::Bucket": lambda: f"arn:{p}:s3:::{self._name(logical_id, 'BucketName', lower=True)}",
            "AWS::Logs::LogGroup": lambda: (
                f"arn:{p}:logs:{r}:{a}:log-group:{self._name(logical_id, 'LogGroupName')}:*"
            ),
            "AWS::ECR::Repository": lambda: (
                f"arn:{p}:ecr:{r}:{a}:repository/{self._name(logical_id, 'RepositoryName', lower=True)}"
            ),
            "AWS::CloudTrail::Trail": lambda: (
                f"arn:{p}:cloudtrail:{r}:{a}:trail/{self._name(logical_id, 'TrailName')}"
            ),
        }
        if kind in simple:
            return simple[kind]()
        if kind.startswith("AWS::ImageBuilder::"):
            kind_name = re.sub(r"(?<!^)(?=[A-Z])", "-", kind.split("::")[-1]).lower()
            props = self.resources[logical_id].get("Properties", {})
            name = props.get("Name", logical_id.lower())
            version = props.get("Version")
            suffix = f"{self.resolve(name)}/{self.resolve(version)}" if version else str(self.resolve(name))
            return f"arn:{p}:imagebuilder:{r}:{a}:{kind_name}/{suffix.lower()}"
        service = kind.split("::")[1].lower()
        return f"arn:{p}:{service}:{r}:{a}:{kind.split('::')[-1].lower()}/{logical_id}"

    def resolve(self, value: Any) -> Any:
        """Resolve every intrinsic inside ``value``."""
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((name, argument),) = value.items()
            if name == "Ref":
                return self.ref(argument)
            if name == "Fn::GetAtt":
                logical_id, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
                return self.get_att(logical_id, attribute)
            if name.startswith("Fn::"):
                return self._function(name, argument)
        return {key: self.resolve(item) for key, item in value.items()}

    def _function(self, name: str, argument: Any) -> Any:
        if name == "Fn::Join":
            separator, parts = argument
            return str(separator).join(str(self.resolve(part)) for part in self.resolve(parts))
        if name == "Fn::Sub":
            text, variables = (argument, {}) if isinstance(argument, str) else argument
            resolved = {k: str(self.resolve(v)) for k, v in variables.items()}

            def substitute(match: re.Match[str]) -> str:
                token = match.group(1)
                if token in resolved:
                    return resolved[token]
                if "." in token and not token.startswith("AWS::"):
                    logical_id, attribute = token.split(".", 1)
                    return str(self.get_att(logical_id, attribute))
                return str(self.ref(token))

            return re.sub(r"\$\{([^}!]+)\}", substitute, text)
        if name == "Fn::Select":
            index, items = argument
            return self.resolve(items)[int(self.resolve(index))]
        if name == "Fn::Split":
            separator, text = argument
            return str(self.resolve(text)).split(separator)
        raise NotImplementedError(f"intrinsic {name}")

    def ref(self, name: str) -> str:
        """What ``Ref`` returns for a pseudo parameter, a parameter or a resource of the template."""
        pseudo = {
            "AWS::AccountId": self.account,
            "AWS::Region": self.region,
            "AWS::Partition": self.partition,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": "TestStack",
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return str(self.parameters[name].get("Default", f"<{name}>"))
        kind: str = self.resources[name]["Type"]
        if kind in ("AWS::SNS::Topic",) or kind.startswith("AWS::ImageBuilder::"):
            return self.arn(name)
        if kind == "AWS::KMS::Key":
            return name.lower()
        names = {
            "AWS::IAM::Role": "RoleName",
            "AWS::S3::Bucket": "BucketName",
            "AWS::Logs::LogGroup": "LogGroupName",
            "AWS::ECR::Repository": "RepositoryName",
            "AWS::CloudTrail::Trail": "TrailName",
        }
        if kind in names:
            return self._name(name, names[kind], lower=kind in ("AWS::S3::Bucket", "AWS::ECR::Repository"))
        return name

    def get_att(self, logical_id: str, attribute: str) -> str:
        """What ``Fn::GetAtt`` returns; attributes without a rule resolve to ``<id>.<attribute>``."""
        if attribute in ("Arn", "TopicArn"):  # a log group's Arn ends in ":*", as CloudFormation's does
            return self.arn(logical_id)
        if attribute in ("TopicName", "KeyId"):
            return self.ref(logical_id)
        return f"{logical_id}.{attribute}"

    def of_type(self, kind: str) -> dict[str, Any]:
        """The resolved resources of one type, by logical id."""
        return {lid: self.resolve(res) for lid, res in self.resources.items() if res["Type"] == kind}


class PolicyEvaluator:
    """Evaluates requests against the identity, key, bucket, topic and trust policies of one template.

    :param managed_policies: statements of AWS managed policies by name (``EC2ImageBuilderExecutionPolicy``)
        as AWS documents them; a role's managed policy counts only for what is given here.
    :param external_identities: identity statements of principals outside the template (another
        account's role, a service-linked role), by principal ARN.
    :param external_resource_policies: resource policies of resources outside the template (an imported
        key whose owner adds the statements), by resource ARN.
    """

    def __init__(
        self,
        template: Mapping[str, Any],
        account: str = ACCOUNT,
        region: str = REGION,
        *,
        managed_policies: Mapping[str, Sequence[Statement]] | None = None,
        external_identities: Mapping[str, Sequence[Statement]] | None = None,
        external_resource_policies: Mapping[str, Sequence[Statement]] | None = None,
    ) -> None:
        self.resolver = TemplateResolver(template, account, region)
        self.account = account
        self.region = region
        self.root = f"arn:{PARTITION}:iam::{account}:root"
        self._identity: dict[str, list[Policy]] = {}
        for arn, statements in (external_identities or {}).items():
            self._identity.setdefault(arn, []).append(policy(f"identity policy of {arn}", statements))
        self._resource: dict[str, tuple[Policy, bool]] = {}
        for arn, statements in (external_resource_policies or {}).items():
            self._resource[arn] = (policy(f"resource policy of {arn}", statements, resource_based=True), True)
        self._load_identities(managed_policies or {})
        self._load_resource_policies()

    def _add_identity(self, role: Any, label: str, statements: Sequence[Statement]) -> None:
        arn = self.resolver.arn(role) if role in self.resolver.resources else str(role)
        if not arn.startswith("arn:"):  # a role name (Ref of a role)
            arn = f"arn:{PARTITION}:iam::{self.account}:role/{arn}"
        self._identity.setdefault(arn, []).append(policy(label, _as_list(statements)))

    def _load_identities(self, managed: Mapping[str, Sequence[Statement]]) -> None:
        raw = self.resolver.resources
        for lid, resource in raw.items():
            kind = resource["Type"]
            if kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
                props = resource.get("Properties", {})
                statements = self.resolver.resolve(props["PolicyDocument"])["Statement"]
                for role in props.get("Roles", []):
                    name = (
                        role["Ref"]
                        if isinstance(role, dict) and "Ref" in role
                        else self.resolver.resolve(role)
                    )
                    self._add_identity(name, f"{lid}", statements)
            elif kind == "AWS::IAM::Role":
                props = resource.get("Properties", {})
                for inline in props.get("Policies", []):
                    document = self.resolver.resolve(inline["PolicyDocument"])
                    self._add_identity(lid, f"{lid} ({inline['PolicyName']})", document["Statement"])
                for arn in self.resolver.resolve(props.get("ManagedPolicyArns", [])):
                    name = str(arn).rsplit("/", 1)[-1]
                    if name in managed:
                        self._add_identity(lid, f"AWS managed policy {name}", managed[name])

    def _load_resource_policies(self) -> None:
        for lid, key in self.resolver.of_type("AWS::KMS::Key").items():
            document = key["Properties"]["KeyPolicy"]
            self._resource[self.resolver.arn(lid)] = (
                policy(f"key policy of {lid}", document["Statement"], resource_based=True),
                True,
            )
        for lid, bucket_policy in self.resolver.of_type("AWS::S3::BucketPolicy").items():
            bucket = f"arn:{PARTITION}:s3:::{bucket_policy['Properties']['Bucket']}"
            statements = bucket_policy["Properties"]["PolicyDocument"]["Statement"]
            self._resource[bucket] = (policy(f"bucket policy {lid}", statements, resource_based=True), False)
        for lid, topic_policy in self.resolver.of_type("AWS::SNS::TopicPolicy").items():
            statements = topic_policy["Properties"]["PolicyDocument"]["Statement"]
            for topic in topic_policy["Properties"]["Topics"]:
                self._resource[str(topic)] = (
                    policy(f"topic policy {lid}", statements, resource_based=True),
                    False,
                )

    def role_arn(self, logical_id: str) -> str:
        """The ARN of a role of the template."""
        return self.resolver.arn(logical_id)

    def key_arn(self, logical_id: str) -> str:
        """The ARN of a key of the template."""
        return self.resolver.arn(logical_id)

    def _resource_policy(self, resource: str) -> tuple[Policy, bool] | None:
        if resource in self._resource:
            return self._resource[resource]
        if resource.startswith(f"arn:{PARTITION}:s3:::"):
            bucket = resource.split("/", 1)[0]
            return self._resource.get(bucket)
        return None

    def _resource_account(self, resource: str) -> str | None:
        parts = resource.split(":")
        if len(parts) > 4 and re.fullmatch(r"\d{12}", parts[4]):
            return parts[4]
        return self.account if self._resource_policy(resource) is not None else None

    def decide(self, request: Request) -> Decision:
        """Whether AWS would allow ``request``, and which statements allow it."""
        if request.action.lower() == "sts:assumerole":
            return self.trust_decision(request)
        found = self._resource_policy(request.resource)
        is_key = found[1] if found else request.action.lower().startswith("kms:")
        if is_key and found is None:
            return Decision(False, "the key policy is unknown (a key outside the template)", ())
        return evaluate(
            request,
            identity=self._identity.get(request.principal, []),
            resource=found[0] if found else None,
            resource_account=self._resource_account(request.resource),
            kms_key=is_key,
        )

    def trust_decision(self, request: Request) -> Decision:
        """``sts:AssumeRole`` on a role of the template: its trust policy decides (with the caller's IAM)."""
        for lid, role in self.resolver.resources.items():
            if role["Type"] == "AWS::IAM::Role" and self.resolver.arn(lid) == request.resource:
                document = self.resolver.resolve(role["Properties"]["AssumeRolePolicyDocument"])
                trust = policy(f"trust policy of {lid}", document["Statement"], resource_based=True)
                decision = evaluate(
                    request,
                    identity=self._identity.get(request.principal, []),
                    resource=trust,
                    resource_account=self.account,
                    kms_key=True,  # like a key policy, a trust policy must name the principal or its account
                )
                if decision.allowed or decision.statements:  # allowed, or explicitly denied
                    return decision
                return Decision(False, "the trust policy does not allow it", ())
        return Decision(False, "no such role in the template", ())

    def kms_allows(self, key: str, request: Request) -> bool:
        """Whether KMS would allow ``request`` on ``key`` (a logical id of the template, or a key ARN)."""
        arn = self.resolver.arn(key) if key in self.resolver.resources else key
        return self.decide(Request(request.action, request.principal, arn, request.context)).allowed

    def trust_allows(self, role: str, request: Request) -> bool:
        """Whether ``request.principal`` may assume ``role`` (a logical id) with the request's context."""
        arn = self.resolver.arn(role) if role in self.resolver.resources else role
        return self.trust_decision(Request("sts:AssumeRole", request.principal, arn, request.context)).allowed

    def identity_allows(self, request: Request) -> bool:
        """Whether the principal's identity policies alone allow ``request``."""
        return evaluate(request, identity=self._identity.get(request.principal, [])).allowed

    def resource_policy_allows(self, statements: Sequence[Statement], request: Request) -> bool:
        """Whether a resource policy alone allows ``request``, with its denies applied."""
        held = _judge(
            policy("resource policy", statements, resource_based=True), request, request.full_context()
        )
        return not held.denies and bool(held.allows)

    def resource_policy_denies(self, statements: Sequence[Statement], request: Request) -> bool:
        """Whether a resource policy explicitly denies ``request``."""
        held = _judge(
            policy("resource policy", statements, resource_based=True), request, request.full_context()
        )
        return bool(held.denies)
