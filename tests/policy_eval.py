"""A small, independent evaluator of the IAM and KMS policies in a synthesized template.

It answers "would AWS allow this request?" for the requests the reference document shows in CloudTrail
(R16) and for near misses, so the tests check what the policies *do*, not only how they are spelled.

How it decides (the documented KMS model for a principal in the key's own account):
- an explicit ``Deny`` in the key policy or an identity policy that matches wins;
- otherwise the request is allowed when the key policy allows the principal directly, or when the key
  policy allows the account root (delegating to IAM) and an identity policy of the principal allows it.

Limits (deliberately small; tests must stay within them):
- principals are role ARNs or service principals (``{"Service": ...}``); one account; no SCPs,
  permission boundaries, session policies, grants or VPC endpoint policies;
- condition operators: String(Not)Equals, String(Not)Like, ArnEquals/ArnLike, Bool, NumericLessThan,
  each optionally with ``ForAnyValue:``/``ForAllValues:`` and ``IfExists``; a missing key fails a
  positive operator and passes a negated one, as in IAM;
- ``NotAction``/``NotResource``/``NotPrincipal`` are not supported (a statement using them raises);
- intrinsics are resolved for ``Ref``/``Fn::GetAtt`` of roles, keys, topics, buckets and the pseudo
  parameters, ``Fn::Join`` and ``Fn::Sub`` without a variable map; anything else raises, so a test never
  silently evaluates an unresolved value.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from typing import Any

ACCOUNT = "111122223333"
REGION = "us-west-2"
PARTITION = "aws"


@dataclass(frozen=True)
class Request:
    """One API request as CloudTrail records it."""

    action: str
    principal: str
    resource: str
    context: dict[str, str | list[str]] = field(default_factory=dict)


class TemplateResolver:
    """Turns the intrinsic functions of a template into the strings they would be in one account."""

    def __init__(self, template: dict[str, Any], account: str = ACCOUNT, region: str = REGION) -> None:
        self.template = template
        self.account = account
        self.region = region
        self.resources: dict[str, Any] = template["Resources"]

    def arn(self, logical_id: str) -> str:
        """The ARN a resource of the template would have (physical name = logical id)."""
        kind = self.resources[logical_id]["Type"]
        props = self.resources[logical_id].get("Properties", {})
        a, r = self.account, self.region
        if kind == "AWS::IAM::Role":
            return f"arn:{PARTITION}:iam::{a}:role/{props.get('RoleName', logical_id)}"
        if kind == "AWS::KMS::Key":
            return f"arn:{PARTITION}:kms:{r}:{a}:key/{logical_id.lower()}"
        if kind == "AWS::SNS::Topic":
            return f"arn:{PARTITION}:sns:{r}:{a}:{logical_id}"
        if kind == "AWS::S3::Bucket":
            return f"arn:{PARTITION}:s3:::{logical_id.lower()}"
        if kind == "AWS::Logs::LogGroup":
            return f"arn:{PARTITION}:logs:{r}:{a}:log-group:{logical_id}:*"
        if kind.startswith("AWS::ImageBuilder::"):
            return f"arn:{PARTITION}:imagebuilder:{r}:{a}:{kind.split('::')[-1].lower()}/{logical_id.lower()}"
        raise NotImplementedError(f"no ARN rule for {kind}")

    def resolve(self, value: Any) -> Any:
        """Resolve every intrinsic inside ``value``."""
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((name, argument),) = value.items()
            if name == "Ref":
                return self._ref(argument)
            if name == "Fn::GetAtt":
                logical_id, attribute = argument
                if attribute == "Arn":
                    return self.arn(logical_id)
                raise NotImplementedError(f"Fn::GetAtt {attribute}")
            if name == "Fn::Join":
                separator, parts = argument
                return separator.join(str(self.resolve(part)) for part in parts)
            if name == "Fn::Sub" and isinstance(argument, str):
                return re.sub(r"\$\{([^}]+)\}", lambda m: str(self._ref(m.group(1))), argument)
            if name.startswith("Fn::"):
                raise NotImplementedError(name)
        return {key: self.resolve(item) for key, item in value.items()}

    def _ref(self, name: str) -> str:
        pseudo = {
            "AWS::AccountId": self.account,
            "AWS::Region": self.region,
            "AWS::Partition": PARTITION,
            "AWS::URLSuffix": "amazonaws.com",
        }
        if name in pseudo:
            return pseudo[name]
        kind = self.resources[name]["Type"]
        if kind in ("AWS::IAM::Role", "AWS::S3::Bucket"):
            return name if kind == "AWS::IAM::Role" else name.lower()
        if kind == "AWS::SNS::Topic":
            return self.arn(name)
        if kind == "AWS::KMS::Key":
            return name.lower()
        raise NotImplementedError(f"Ref to {kind}")

    def of_type(self, kind: str) -> dict[str, Any]:
        """The resolved resources of one type, by logical id."""
        return {lid: self.resolve(res) for lid, res in self.resources.items() if res["Type"] == kind}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _condition_holds(operator: str, key: str, expected: Any, context: dict[str, str | list[str]]) -> bool:
    quantifier = ""
    if ":" in operator and operator.split(":", 1)[0] in ("ForAnyValue", "ForAllValues"):
        quantifier, operator = operator.split(":", 1)
    if_exists = operator.endswith("IfExists")
    operator = operator.removesuffix("IfExists")
    negated = "Not" in operator
    if key not in context:
        return negated or if_exists
    actual_values = _as_list(context[key])
    expected_values = [str(item) for item in _as_list(expected)]

    def matches(actual: str) -> bool:
        base = operator.replace("Not", "")
        if base in ("StringEquals", "ArnEquals"):
            hit = actual in expected_values
        elif base in ("StringLike", "ArnLike"):
            hit = any(fnmatch.fnmatchcase(actual, pattern) for pattern in expected_values)
        elif base == "StringEqualsIgnoreCase":
            hit = actual.lower() in (e.lower() for e in expected_values)
        elif base == "Bool":
            hit = actual.lower() in (e.lower() for e in expected_values)
        elif base == "NumericLessThan":
            hit = any(float(actual) < float(e) for e in expected_values)
        else:
            raise NotImplementedError(operator)
        return not hit if negated else hit

    if quantifier == "ForAllValues":
        return all(matches(str(a)) for a in actual_values)
    return any(matches(str(a)) for a in actual_values)


def _statement_matches(statement: dict[str, Any], request: Request, *, check_principal: bool) -> bool:
    for unsupported in ("NotAction", "NotResource", "NotPrincipal"):
        if unsupported in statement:
            raise NotImplementedError(unsupported)
    if not any(fnmatch.fnmatchcase(request.action.lower(), a.lower()) for a in _as_list(statement["Action"])):
        return False
    if not any(fnmatch.fnmatchcase(request.resource, r) for r in _as_list(statement.get("Resource", "*"))):
        return False
    if check_principal and not _principal_matches(statement.get("Principal", {}), request.principal):
        return False
    for operator, pairs in statement.get("Condition", {}).items():
        for key, expected in pairs.items():
            if not _condition_holds(operator, key, expected, request.context):
                return False
    return True


def _principal_matches(principal: Any, name: str) -> bool:
    """``name`` is a principal ARN, or a service principal such as ``logs.us-west-2.amazonaws.com``."""
    if principal == "*":
        return True
    candidates = _as_list(principal.get("AWS", [])) + _as_list(principal.get("Service", []))
    return any(p == "*" or p == name for p in candidates)


class PolicyEvaluator:
    """Evaluates KMS and IAM requests against the policies of one resolved template."""

    def __init__(self, template: dict[str, Any], account: str = ACCOUNT, region: str = REGION) -> None:
        self.resolver = TemplateResolver(template, account, region)
        self.account = account
        self.root = f"arn:{PARTITION}:iam::{account}:root"
        self._identity: dict[str, list[dict[str, Any]]] = {}
        for policy in self.resolver.of_type("AWS::IAM::Policy").values():
            for role in policy["Properties"].get("Roles", []):
                arn = self.resolver.arn(role) if role in self.resolver.resources else role
                self._identity.setdefault(arn, []).extend(policy["Properties"]["PolicyDocument"]["Statement"])
        for lid, role in self.resolver.of_type("AWS::IAM::Role").items():
            for inline in role["Properties"].get("Policies", []):
                arn = self.resolver.arn(lid)
                self._identity.setdefault(arn, []).extend(inline["PolicyDocument"]["Statement"])

    def role_arn(self, logical_id: str) -> str:
        """The ARN of a role of the template."""
        return self.resolver.arn(logical_id)

    def key_arn(self, logical_id: str) -> str:
        """The ARN of a key of the template."""
        return self.resolver.arn(logical_id)

    def kms_allows(self, key_logical_id: str, request: Request) -> bool:
        """Would KMS allow ``request`` on the key ``key_logical_id``?"""
        key = self.resolver.of_type("AWS::KMS::Key")[key_logical_id]
        key_statements = key["Properties"]["KeyPolicy"]["Statement"]
        identity = self._identity.get(request.principal, [])
        if self._denied(key_statements, request, True) or self._denied(identity, request, False):
            return False
        direct = self._allowed(key_statements, request, True)
        delegated = self._allowed(
            key_statements, Request(request.action, self.root, request.resource, request.context), True
        )
        return direct or (delegated and self._allowed(identity, request, False))

    def identity_allows(self, request: Request) -> bool:
        """Would the principal's identity policies alone allow ``request``?"""
        identity = self._identity.get(request.principal, [])
        return not self._denied(identity, request, False) and self._allowed(identity, request, False)

    def resource_policy_allows(self, statements: list[dict[str, Any]], request: Request) -> bool:
        """Would a resource policy (bucket, topic) alone allow ``request``, with its denies applied?"""
        return not self._denied(statements, request, True) and self._allowed(statements, request, True)

    def resource_policy_denies(self, statements: list[dict[str, Any]], request: Request) -> bool:
        """Does a resource policy explicitly deny ``request``?"""
        return self._denied(statements, request, True)

    @staticmethod
    def _allowed(statements: list[dict[str, Any]], request: Request, check_principal: bool) -> bool:
        return any(
            s["Effect"] == "Allow" and _statement_matches(s, request, check_principal=check_principal)
            for s in statements
        )

    @staticmethod
    def _denied(statements: list[dict[str, Any]], request: Request, check_principal: bool) -> bool:
        return any(
            s["Effect"] == "Deny" and _statement_matches(s, request, check_principal=check_principal)
            for s in statements
        )
