"""What a policy allows, asked the way an adversary asks: the requests they would try. Pure Python.

A rule never decides by which condition keys are present. It asks one of these questions, and each is
answered by building the requests an adversary would make and evaluating them (``policy.evaluate``,
inside ``policy.adversary()``):

- :func:`outside_use` (KMS4): can a principal of an account the policy does not name use the key? The
  adversary is an IAM role of an unnamed account, or an AWS service acting for one;
- :func:`decrypt_outside_context` (KMS5, IAM1): can data keys be used with no encryption context, or
  with an Image Builder context bound to an ARN outside this account (directly, through Image Builder, or
  through a service the statement does not name)?
- :func:`confused_deputy` (IAM3, RA3): can a resource of another account (or an unnamed one) make the
  service assume the role?
- :data:`BROAD` (IB9, RA4): can a principal act on resources nobody named: every action of every service,
  every object of every bucket, every key's decrypt, every secret? Each is one request for a resource the
  template does not hold, evaluated against the principal's own policies.

The adversary picks every value they control. For each condition key, the candidates are: absent, each
value the policy compares the key to (a wildcard filled in), and a value of their own. Identity keys
(``aws:PrincipalAccount``, ``aws:PrincipalArn``, ``kms:CallerAccount``, ``aws:PrincipalOrgID``,
``aws:SourceAccount``, ...) only take the adversary's own values: a wildcard in the policy filled in with
them, never a literal the policy names. Operators keep their IAM meaning (``...IfExists`` holds on
absence, negated operators, ``Null``, multi-valued keys), because the evaluator applies them.

Each answer is per statement (its finding label): ``True`` (the adversary succeeds through it), ``None``
(undecided: a value the model cannot read decides it) or absent (no adversary request succeeds).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from secure_imagebuilder.rules.engine import policy as p
from secure_imagebuilder.rules.engine import values as v

FOREIGN = "999988887777"
"""An account no template names: the adversary's."""
OUTSIDER = f"arn:{p.PARTITION}:iam::{FOREIGN}:role/outsider"
INSIDER = f"arn:{p.PARTITION}:iam::{p.ACCOUNT}:role/grantee"
WITNESS_SERVICE = "witness.amazonaws.com"
WITNESS_PREFIX = "witness"
"""The service prefix of an action no AWS service defines (a policy that allows it allows every action)."""
IMAGEBUILDER = "imagebuilder.amazonaws.com"
IB_CONTEXT = "kms:EncryptionContext:aws:imagebuilder:arn"
DATA_KEY_ACTIONS = (
    "kms:Decrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
)
KMS_ACTIONS = (
    *DATA_KEY_ACTIONS,
    "kms:Encrypt",
    "kms:CreateGrant",
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
    "kms:DisableKey",
    "kms:DescribeKey",
)
# At most this many requests per statement; beyond it the question is undecided.
MAX_REQUESTS = 4096
# The adversary's own account: its IAM policies allow them whatever they like.
_OWN_IAM = p.policy("the adversary's own IAM policies", [{"Effect": "Allow", "Action": "*", "Resource": "*"}])

# Keys the request's principal fixes, and the keys of the resource a service acts for: the adversary
# only has their own values for these.
_IDENTITY_KEYS = frozenset(
    {
        "aws:principalarn",
        "aws:principalaccount",
        "kms:calleraccount",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:userid",
        "aws:username",
        "aws:principalisawsservice",
        "aws:principalservicename",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:sourceowner",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:resourceaccount",
    }
)


@dataclass(frozen=True)
class Broad:
    """One thing a principal should not be able to do to resources nobody named: ``what``, as a request."""

    what: str
    action: str
    resource: str

    def request(self, principal: str) -> p.Request:
        """The request, made by ``principal`` over TLS in this account (as an SDK on an instance makes it)."""
        context = {"aws:SecureTransport": "true", "aws:ResourceAccount": p.ACCOUNT}
        return p.Request(self.action, principal, self.resource, context)


_UNNAMED = "unnamed"
BROAD = (
    Broad(
        "every action of every service",
        f"{WITNESS_PREFIX}:WitnessAction",
        f"arn:{p.PARTITION}:{WITNESS_PREFIX}:{p.REGION}:{p.ACCOUNT}:thing/{_UNNAMED}",
    ),
    Broad(
        "reads every object of every bucket",
        "s3:GetObject",
        f"arn:{p.PARTITION}:s3:::{_UNNAMED}-bucket/object",
    ),
    Broad("writes every bucket", "s3:PutObject", f"arn:{p.PARTITION}:s3:::{_UNNAMED}-bucket/object"),
    Broad(
        "decrypts with every key",
        "kms:Decrypt",
        f"arn:{p.PARTITION}:kms:{p.REGION}:{p.ACCOUNT}:key/{_UNNAMED}",
    ),
    Broad(
        "reads every secret",
        "secretsmanager:GetSecretValue",
        f"arn:{p.PARTITION}:secretsmanager:{p.REGION}:{p.ACCOUNT}:secret:{_UNNAMED}-AbCdEf",
    ),
)
"""What a build instance or a Roles Anywhere session must not reach (R1): requests for resources the
template does not name. A policy that allows one of them to a principal lets code running as it read
or change data that belongs to others (every bucket of the account, every key that trusts the account)."""


class _TooManyError(ValueError):
    """More adversary requests than MAX_REQUESTS: the question is undecided."""


@dataclass(frozen=True)
class Exposure:
    """One statement through which the adversary succeeds (``allowed`` True) or may (``None``)."""

    label: str
    allowed: p.Tri
    assumed: v.Assumed
    # When undecided: a value of the statement only known at deploy time (the finding names it).
    unknown: v.Unknown | None = None


# --- candidates -------------------------------------------------------------------------------------------


def _condition_values(statements: Iterable[p.Statement]) -> dict[str, list[tuple[str, Any]]]:
    """Lower-cased condition key -> (operator, expected value) of every statement."""
    found: dict[str, list[tuple[str, Any]]] = {}
    for statement in statements:
        condition = statement.get("Condition") if isinstance(statement, Mapping) else None
        for operator, pairs in condition.items() if isinstance(condition, Mapping) else ():
            for key, expected in pairs.items() if isinstance(pairs, Mapping) else ():
                for item in v.as_list(expected):
                    found.setdefault(str(key).lower(), []).append((str(operator), item))
    return found


def _filled(pattern: str, filler: str) -> str:
    return pattern.replace("*", filler).replace("?", filler[:1] or "w")


def _own(pattern: Any, named: set[str], key: str = "") -> list[str]:
    """The adversary's value for an identity key: a wildcard of the policy filled in with their own.

    A literal names someone, never the adversary. An ARN whose account the policy fixes to this (or a
    named) account gets the adversary's account instead, kept only if the pattern still matches; an
    account pattern is filled to twelve digits; an organization path whose organization is written out
    is never the adversary's (they are in another organization).
    """
    if not isinstance(pattern, str) or not any(c in pattern for c in "*?"):
        return []
    if key in _ORG_PATHS and not any(c in pattern.split("/", 1)[0] for c in "*?"):
        return []
    if re.fullmatch(r"[0-9*?]+", pattern):
        digits = pattern.replace("?", "9")
        value = digits.replace("*", "9" * max(0, 12 - len(digits.replace("*", ""))), 1).replace("*", "")
    else:
        parts = _filled(pattern, FOREIGN).split(":")
        if len(parts) > 4 and parts[4] in (p.ACCOUNT, *named):
            parts[4] = FOREIGN
        value = ":".join(parts)
    return [value] if value not in named and value != p.ACCOUNT and p.wildcard_match(pattern, value) else []


_ORG_PATHS = frozenset({"aws:principalorgpaths", "aws:sourceorgpaths"})
_EARLIEST, _LATEST = "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z"


# What the adversary may choose for a key they control, by operator family: each compared value (a
# wildcard filled in), its neighbours for numbers, both truth values for booleans.
def _free(operator: str, pattern: Any) -> list[str]:
    """The values the adversary may choose for a key they control (see above)."""
    base = operator.rpartition(":")[2].removesuffix("IfExists")
    if base == "Bool":
        return ["true", "false"]
    if not isinstance(pattern, str | int | float) or isinstance(pattern, bool):
        return []
    text = str(pattern)
    number = v.number(text)
    if base.startswith("Numeric") and number is not None:
        return [text, str(number - 1), str(number + 1)]
    if base.startswith("Date"):
        return [text, _EARLIEST, _LATEST]
    return sorted({text, _filled(text, "witness")})


def _named(values: Mapping[str, list[tuple[str, Any]]]) -> set[str]:
    """Every literal the policy compares an identity key to: accounts and principals it names."""
    named = set()
    for key in _IDENTITY_KEYS:
        for _, expected in values.get(key, []):
            if isinstance(expected, str) and not any(c in expected for c in "*?"):
                named.add(expected)
                parts = expected.split(":")
                if len(parts) > 4 and parts[4].isdigit():
                    named.add(parts[4])
    return named


def _contexts(
    values: Mapping[str, list[tuple[str, Any]]], fixed: Mapping[str, Any], skip: frozenset[str]
) -> Iterator[dict[str, Any]]:
    """Every combination of the adversary's values for the keys the statements read (at most MAX_REQUESTS)."""
    named = _named(values)
    choices: list[tuple[str, list[Any]]] = []
    for key, pairs in values.items():
        if key in skip or key in fixed:
            continue
        options: list[Any] = [None]
        for operator, expected in pairs:
            found = _own(expected, named, key) if key in _IDENTITY_KEYS else _free(operator, expected)
            options.extend(item for item in found if item not in options)
        if key not in _IDENTITY_KEYS:
            options.append("witness")
        choices.append((key, options))
    total = 1
    for _, options in choices:
        total *= len(options)
    if total > MAX_REQUESTS:
        raise _TooManyError(f"{total} combinations of condition values")
    for combo in itertools.product(*(options for _, options in choices)):
        chosen = {key: value for (key, _), value in zip(choices, combo, strict=True) if value is not None}
        yield {**fixed, **chosen}


# --- evaluating one statement's exposure --------------------------------------------------------------------


def _exposures(
    requests: Callable[[], Iterable[p.Request]],
    allowed_by: Callable[[p.Request], p.Decision],
    statement: p.Statement,
    assumed: v.Assumed,
) -> Exposure | None:
    """The first request that succeeds through ``statement`` (or may), evaluated with ``allowed_by``."""
    label = _label(statement)
    maybe = False
    with p.adversary():
        try:
            for request in requests():
                decision = allowed_by(request)
                mine = any(s.endswith(f": {label}") for s in decision.statements)
                if decision.allowed is True and mine:
                    return Exposure(label, True, assumed)
                if decision.allowed is None and (mine or not decision.statements):
                    maybe = True
        except _TooManyError:
            maybe = True
    return Exposure(label, None, assumed, v.first_unknown(statement)) if maybe else None


def _label(statement: p.Statement) -> str:
    written = statement.get(p.LABEL)
    return written if isinstance(written, str) else p.statement_label(statement)


def _actions(statement: p.Statement, wanted: Sequence[str]) -> list[str]:
    """The actions of ``wanted`` the statement may allow (``Action``/``NotAction`` matched as IAM does)."""
    unconditioned = {**statement, "Condition": None}
    return [
        action
        for action in wanted
        if p.statement_applies(unconditioned, p.Request(action, "", ""), {}) is not False
    ]


def _anyone(statement: p.Statement) -> bool:
    """Whether a statement's ``Principal`` can be anyone (``*``, ``{"AWS": "*"}``) or is unreadable."""
    principal = statement.get("Principal")
    if principal == "*" or isinstance(principal, v.Unknown):
        return True
    if isinstance(principal, Mapping):
        return any(
            item == "*" or (isinstance(item, v.Unknown) and not item.specific)
            for item in v.as_list(principal.get("AWS"))
        )
    return "NotPrincipal" in statement


def outside_use(key_policy: p.Policy, key_arn: str) -> list[Exposure]:
    """KMS4: the Allow statements through which a principal of an unnamed account can use the key."""
    found = []
    values = _condition_values(key_policy.statements)
    for statement in key_policy.statements:
        if not isinstance(statement, Mapping):
            found.append(Exposure("Unreadable", None, key_policy.assumed, v.first_unknown(statement)))
            continue
        if statement.get("Effect") == "Deny" or not _anyone(statement):
            continue
        actions = _actions(statement, KMS_ACTIONS)[:3]

        def allowed_by(request: p.Request) -> p.Decision:
            return p.evaluate(
                request, identity=[_OWN_IAM], resource=key_policy, resource_account=p.ACCOUNT, kms_key=True
            )

        def requests(actions: list[str] = actions) -> Iterator[p.Request]:
            return _outside_requests(values, actions, key_arn)

        exposure = _exposures(requests, allowed_by, statement, key_policy.assumed)
        if exposure is not None:
            found.append(exposure)
    return found


def _outside_requests(
    values: Mapping[str, list[tuple[str, Any]]], actions: Sequence[str], resource: str
) -> Iterator[p.Request]:
    named = _named(values)
    principals = {OUTSIDER}
    for key in ("aws:principalarn", "aws:principalaccount", "kms:calleraccount"):
        for _, expected in values.get(key, []):
            for own in _own(expected, named, key):
                principals.add(
                    own if own.startswith("arn:") else f"arn:{p.PARTITION}:iam::{own}:role/outsider"
                )
    derived = frozenset({"aws:principalarn", "aws:principalaccount", "kms:calleraccount"})
    for action in actions:
        for principal in sorted(principals):
            for context in _contexts(values, {}, derived | {"aws:sourceaccount", "aws:sourcearn"}):
                yield p.Request(action, principal, resource, context)
        acting = {
            "aws:SourceAccount": FOREIGN,
            "aws:SourceArn": f"arn:{p.PARTITION}:witness:{p.REGION}:{FOREIGN}:thing/outsider",
        }
        for context in _contexts(values, acting, derived | {"aws:principalservicename"}):
            yield p.Request(action, WITNESS_SERVICE, resource, context)


def decrypt_outside_context(
    document: p.Policy,
    *,
    resource: str,
    resource_based: bool,
    holder: str | None = None,
) -> list[Exposure]:
    """KMS5, IAM1: statements that let data keys be used with no context or outside this account's ARNs.

    For a key policy (``resource_based``), each statement's own principals are the grantees (an account
    root only delegates to IAM: IAM1 judges that side; ``*`` stands for a principal of this account, KMS4
    judges the others); for an identity policy, ``holder`` (or a role of this account).
    """
    found = []
    values = _condition_values(document.statements)
    for statement in document.statements:
        if not isinstance(statement, Mapping):
            found.append(Exposure("Unreadable", None, document.assumed, v.first_unknown(statement)))
            continue
        if statement.get("Effect") == "Deny":
            continue
        actions = _actions(statement, DATA_KEY_ACTIONS)
        grantees = _grantees(statement, values) if resource_based else [holder or INSIDER]
        if not actions or not grantees:
            continue

        def requests(actions: list[str] = actions, grantees: list[str] = grantees) -> Iterator[p.Request]:
            for action, grantee in itertools.product(actions, grantees):
                for context in _decrypt_contexts(values):
                    yield p.Request(action, grantee, resource, context)

        def allowed_by(request: p.Request) -> p.Decision:
            if resource_based:
                return p.evaluate(request, resource=document, resource_account=p.ACCOUNT, kms_key=True)
            return p.evaluate(request, identity=[document])

        exposure = _exposures(requests, allowed_by, statement, document.assumed)
        if exposure is not None:
            found.append(exposure)
    return found


def _grantees(statement: p.Statement, values: Mapping[str, list[tuple[str, Any]]]) -> list[str]:
    """The principals a key-policy statement names, as requests would carry them (roots excluded).

    ``*`` stands for a role of this account, and for each role of this account ``aws:PrincipalArn`` names.
    """
    principal = statement.get("Principal")
    insiders = [INSIDER] + [
        arn
        for _, expected in values.get("aws:principalarn", [])
        if isinstance(expected, str)
        for arn in [expected.replace("*", "grantee").replace("?", "g")]
        if f":{p.ACCOUNT}:" in arn
    ]
    if principal == "*":
        return insiders
    if not isinstance(principal, Mapping):
        return insiders if "NotPrincipal" in statement or isinstance(principal, v.Unknown) else []
    found = []
    for kind, items in principal.items():
        for item in v.as_list(items):
            if isinstance(item, v.Unknown):
                found.append(INSIDER)
            elif not isinstance(item, str):
                continue
            elif kind == "Service":
                found.append(item)
            elif kind == "AWS" and item == "*":
                found.extend(insiders)
            elif kind == "AWS" and not _is_root(item):
                found.append(item)
    return sorted(set(found))


def _is_root(value: str) -> bool:
    return value.isdigit() or value.endswith(":root")


def _decrypt_contexts(values: Mapping[str, list[tuple[str, Any]]]) -> Iterator[dict[str, Any]]:
    """Requests for data keys outside the Image Builder context of this account, every way in."""
    foreign = [
        f"arn:{p.PARTITION}:imagebuilder:{p.REGION}:{FOREIGN}:{kind}/outsider/1.0.0/1"
        for kind in ("workflow/build", "component", "container-recipe")
    ]
    patterns = [e for _, e in values.get(IB_CONTEXT.lower(), []) if isinstance(e, str)]
    # An account written in the statement's own context pattern is the template's (or one it names).
    ours = {p.ACCOUNT} | {
        part[4] for part in (e.split(":") for e in patterns) if len(part) > 4 and part[4].isdigit()
    }
    for pattern in patterns:
        for own in _own(pattern, ours - {p.ACCOUNT}):
            parts = own.split(":")
            if len(parts) < 5 or parts[4] not in ours or parts[2] != "imagebuilder":
                foreign.append(own)
    ways = [
        {},
        {"kms:ViaService": f"imagebuilder.{p.REGION}.amazonaws.com", "aws:CalledVia": [IMAGEBUILDER]},
        {"kms:ViaService": f"witness.{p.REGION}.amazonaws.com", "aws:CalledVia": [WITNESS_SERVICE]},
    ]
    fixed_keys = frozenset({"kms:viaservice", "aws:calledvia", "kms:encryptioncontextkeys"})
    others = {
        key: pairs
        for key, pairs in values.items()
        if not key.startswith("kms:encryptioncontext:") and key not in _IDENTITY_KEYS
    }
    for way, member in itertools.product(ways, _memberships(values)):
        for context in [{}, *({IB_CONTEXT: arn} for arn in foreign)]:
            yield from _contexts(others, {**way, **member, **context}, fixed_keys)


def _memberships(values: Mapping[str, list[tuple[str, Any]]]) -> list[dict[str, Any]]:
    """The grantee as no organization's member, and as a member of each organization the policy names.

    A ``*`` grant limited to an organization lets every member use the key: asking only as a role of no
    organization would hide it.
    """
    found: list[dict[str, Any]] = [{}]
    for key in ("aws:principalorgid", "aws:principalorgpaths"):
        for _, expected in values.get(key, []):
            if isinstance(expected, str):
                member = _filled(expected, "witness")
                found.append({key: [member] if key.endswith("paths") else member})
    return found


def principals_named(policies: Iterable[p.Policy]) -> list[str]:
    """Every principal a policy names (``Principal``, ``aws:PrincipalArn``), plus a role of this account.

    A requirement such as "no one publishes without TLS" must hold for the principals a policy lets in,
    not only for a stranger whom another statement keeps out.
    """
    found = {INSIDER}
    for policy in policies:
        for statement in policy.statements:
            if not isinstance(statement, Mapping):
                continue
            principal = statement.get("Principal")
            for items in principal.values() if isinstance(principal, Mapping) else ():
                found.update(
                    i for i in v.as_list(items) if isinstance(i, str) and i != "*" and not _is_root(i)
                )
            for _, expected in _condition_values([statement]).get("aws:principalarn", []):
                if isinstance(expected, str):
                    found.add(_filled(expected, "witness"))
    return sorted(found)


def confused_deputy(
    trust: p.Policy, role_arn: str, service: str, *, named: Sequence[str] = (), own_account: bool = False
) -> list[Exposure]:
    """IAM3, RA3: trust statements through which ``service``, for an unnamed resource, assumes the role.

    The resource is of another account, or, with ``own_account``, any resource of this account the
    policy does not name; ``named`` are resources the role is meant for (a template's trust anchors).
    """
    found = []
    values = _condition_values(trust.statements)
    for statement in trust.statements:
        if not isinstance(statement, Mapping):
            found.append(Exposure("Unreadable", None, trust.assumed, v.first_unknown(statement)))
            continue
        if statement.get("Effect") == "Deny":
            continue
        probe = p.Request("sts:AssumeRole", service, role_arn)
        if p.principal_match(statement.get("Principal", {}), probe).how is None:
            continue

        def requests() -> Iterator[p.Request]:
            return _deputy_requests(values, role_arn, service, set(named), own_account)

        def allowed_by(request: p.Request) -> p.Decision:
            return p.evaluate(request, resource=trust, resource_account=p.ACCOUNT, kms_key=True)

        exposure = _exposures(requests, allowed_by, statement, trust.assumed)
        if exposure is not None:
            found.append(exposure)
    return found


def _account_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 and parts[4] else FOREIGN


def _deputy_requests(
    values: Mapping[str, list[tuple[str, Any]]],
    role_arn: str,
    service: str,
    named: set[str],
    own_account: bool,
) -> Iterator[p.Request]:
    name = service.split(".", 1)[0]
    kind = "trust-anchor" if name == "rolesanywhere" else "image-pipeline"
    arns = {f"arn:{p.PARTITION}:{name}:{p.REGION}:{FOREIGN}:{kind}/outsider"}
    if own_account:
        arns.add(f"arn:{p.PARTITION}:{name}:{p.REGION}:{p.ACCOUNT}:{kind}/outsider")
    literal = _named(values) | named
    for _, expected in values.get("aws:sourcearn", []):
        arns.update(a for a in _own(expected, literal) if a not in literal)
    accounts = {FOREIGN} | {a for _, e in values.get("aws:sourceaccount", []) for a in _own(e, literal)}
    sources: list[dict[str, Any]] = [{}]
    sources += [{"aws:SourceArn": arn, "aws:SourceAccount": _account_of(arn)} for arn in sorted(arns)]
    sources += [{"aws:SourceAccount": account} for account in sorted(accounts)]
    others = {k: pairs for k, pairs in values.items() if k not in _IDENTITY_KEYS}
    for source in sources:
        for context in _contexts(others, source, frozenset()):
            yield p.Request("sts:AssumeRole", service, role_arn, context)
