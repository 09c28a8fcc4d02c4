"""Who may use a key: the principals its policies name, the template's identities, anyone. Pure Python.

Candidates come from the policies themselves, never from a list of guesses:

- every principal a key-policy statement names (``Principal``: roles, users, account roots, services),
  and every role its conditions name (``aws:PrincipalArn``, a wildcard filled in);
- every role, user and group of the template that holds an identity policy (the evaluator's
  ``identities``);
- the template's account root: a key policy that names it delegates to the account's IAM policies;
- for a ``*`` principal, the adversary witnesses of ``rules.engine.access``: a role of an account the
  policy names nowhere (``OUTSIDER``), and any role of this account (``INSIDER``); and the principals its
  conditions name: any principal of an organization (``aws:PrincipalOrgID``) or of an account
  (``aws:PrincipalAccount``, ``kms:CallerAccount``), each request carrying that value.

Each is then evaluated (``explain.paths``); one that can do nothing with the key is left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from secure_imagebuilder.explain import words
from secure_imagebuilder.rules.engine import access
from secure_imagebuilder.rules.engine import policy as p
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.evaluator import PolicyEvaluator

_ARN = re.compile(r"^arn:[^:]+:(?:iam|sts)::(\d{12}|\*|[^:]*):(.+)$")
_IDENTITY_TYPES = {"AWS::IAM::Role": "role", "AWS::IAM::User": "user", "AWS::IAM::Group": "group"}


@dataclass(frozen=True)
class Candidate:
    """A principal to evaluate, and how.

    ``own_iam``: its identity policies are outside the template (another account's role, anyone): it is
    evaluated as holding whatever its own account gives it, so the key policy alone decides.
    ``adversary``: evaluated inside ``policy.adversary()`` (a deploy-time value is never theirs).
    """

    principal: str
    kind: str
    label: str
    account: str | None
    logical_id: str | None = None
    own_iam: bool = False
    adversary: bool = False
    context: tuple[tuple[str, str], ...] = ()  # condition keys every request of this principal carries


ANYONE = Candidate(access.OUTSIDER, "anyone", "anyone (a principal of any account)", None, None, True, True)
ANY_ROLE = Candidate(
    access.INSIDER, "any principal of the account", f"any role of account {p.ACCOUNT}", p.ACCOUNT
)


def account_of(principal: str) -> str | None:
    """The account of an IAM ARN (``None`` for a service principal or ``*``)."""
    found = _ARN.match(principal)
    return found.group(1) if found else None


def template_identities(evaluator: PolicyEvaluator) -> dict[str, tuple[str, str]]:
    """ARN -> (kind, logical id) of every role, user and group of the template."""
    found = {}
    for resource in evaluator.stack.resources:
        kind = _IDENTITY_TYPES.get(resource.type)
        if kind and resource.logical_id:
            found[evaluator.arn(resource.logical_id)] = (kind, resource.logical_id)
    return found


def candidate(
    principal: str, evaluator: PolicyEvaluator, own: Mapping[str, tuple[str, str]], pattern: str | None = None
) -> Candidate:
    """One principal as a candidate: a role of the template, an account, a service or an outside role.

    ``pattern``: the wildcard the policy wrote, when ``principal`` fills it in (its label says so).
    """
    if principal in own:
        kind, logical_id = own[principal]
        return Candidate(principal, kind, f"{kind} {logical_id}", p.ACCOUNT, logical_id)
    if not principal.startswith("arn:"):
        return Candidate(principal, "service", words.service(principal), None)
    account = account_of(principal)
    if principal.endswith(":root"):
        return Candidate(principal, "account", f"account {account}", account)
    foreign = account != p.ACCOUNT
    label = words.value(pattern or principal)
    return Candidate(principal, "role outside the template", label, account, own_iam=foreign)


def candidates(evaluator: PolicyEvaluator, key_policy: p.Source | None) -> list[Candidate]:
    """Every principal to evaluate for one key (``key_policy`` None: a key outside the template)."""
    own = template_identities(evaluator)
    named: dict[str, str | None] = dict.fromkeys(evaluator.identities)
    if key_policy is not None:
        named[evaluator.root] = None
        for policy in key_policy.alternatives:
            for principal, pattern in _named(policy.statements):
                named.setdefault(principal, pattern)
    found = [candidate(name, evaluator, own, pattern) for name, pattern in named.items() if name != "*"]
    if key_policy is not None and "*" in named:
        found += [ANY_ROLE, ANYONE]
        found += list(dict.fromkeys(c for a in key_policy.alternatives for c in _conditioned(a.statements)))
    elif key_policy is not None:
        found.append(ANYONE)  # a key policy that names no "*" keeps outsiders out: evaluated to show it
    return found


def _named(statements: Iterable[Any]) -> Iterator[tuple[str, str | None]]:
    """Principals a key policy's statements name: ``Principal`` values, roots and ``aws:PrincipalArn``."""
    for statement in statements:
        if not isinstance(statement, Mapping) or statement.get("Effect") == "Deny":
            continue
        principal = statement.get("Principal")
        if principal == "*" or "NotPrincipal" in statement or isinstance(principal, v.Unknown):
            yield "*", None
        for kind, items in principal.items() if isinstance(principal, Mapping) else ():
            for item in v.as_list(items):
                if not isinstance(item, str):
                    continue
                if item == "*":
                    yield "*", None
                elif re.fullmatch(r"\d{12}", item):
                    yield f"arn:{p.PARTITION}:iam::{item}:root", None
                elif kind in ("AWS", "Service"):
                    yield item, None
        for pattern in _condition_principals(statement.get("Condition")):
            yield pattern.replace("*", "witness").replace("?", "w"), pattern


_ORGANIZATION = "aws:principalorgid"
_ACCOUNT_KEYS = ("aws:principalaccount", "kms:calleraccount")


def _conditioned(statements: Iterable[Any]) -> Iterator[Candidate]:
    """The principals a ``*`` statement's conditions name: an organization's, an account's."""
    for statement in statements:
        if not isinstance(statement, Mapping) or statement.get("Effect") == "Deny":
            continue
        principal = statement.get("Principal")
        if principal != "*" and not (
            isinstance(principal, Mapping) and "*" in v.as_list(principal.get("AWS"))
        ):
            continue
        for key, value in _equalities(statement.get("Condition")):
            if key == _ORGANIZATION:
                yield Candidate(
                    access.OUTSIDER,
                    "organization",
                    f"any principal of organization {value}",
                    None,
                    own_iam=True,
                    context=(("aws:PrincipalOrgID", value),),
                )
            elif key in _ACCOUNT_KEYS and re.fullmatch(r"\d{12}", value) and value != p.ACCOUNT:
                role = f"arn:{p.PARTITION}:iam::{value}:role/witness"
                yield Candidate(role, "account", f"any principal of account {value}", value, own_iam=True)


def _equalities(condition: Any) -> Iterator[tuple[str, str]]:
    """``(lower-cased key, literal value)`` of each positive equality a ``Condition`` block holds."""
    for operator, pairs in condition.items() if isinstance(condition, Mapping) else ():
        if "Not" in str(operator) or "IfExists" in str(operator) or not isinstance(pairs, Mapping):
            continue
        for key, expected in pairs.items():
            for item in v.as_list(expected):
                if isinstance(item, str) and not any(c in item for c in "*?"):
                    yield str(key).lower(), item


def _condition_principals(condition: Any) -> Iterator[str]:
    for operator, pairs in condition.items() if isinstance(condition, Mapping) else ():
        if "Not" in str(operator):
            continue
        for key, expected in pairs.items() if isinstance(pairs, Mapping) else ():
            if str(key).lower() != "aws:principalarn":
                continue
            for item in v.as_list(expected):
                if isinstance(item, str) and item.startswith("arn:"):
                    yield item
