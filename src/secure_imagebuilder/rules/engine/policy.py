"""The IAM, KMS and resource policy evaluator: "would AWS allow this request?". Pure Python.

It answers for the calls a build makes (the flow matrix), for the requests the reference document shows
in CloudTrail (R16), for near misses, and for the requests an adversary would try (``rules.engine.access``),
so tests and rules check what policies *do*, not how they are spelled.

How it decides (AWS's documented evaluation logic, reduced to what Image Builder's calls need):

- an explicit ``Deny`` in any policy that applies wins;
- a KMS key: the key policy must allow the principal, either directly (its ARN, its service principal,
  ``*`` with conditions) or through its account (the account root, which delegates to IAM) together
  with an identity policy of the principal; a principal of another account always needs both;
- a role's trust policy for ``sts:AssumeRole``: the trust policy must allow the principal;
- any other resource: in the same account, the resource policy *or* an identity policy suffices; across
  accounts both are needed;
- a service principal has no identity policy: only resource policies can allow it;
- a permissions boundary on a role caps what its identity policies allow.

Three answers, not two: ``True``, ``False`` and ``None`` (undecided) when a value the evaluator needs is
an ``Unknown`` of the value model (an import, a parameter without a default), an operator it does not
know, a managed policy whose statements are not documented here, or a boundary outside the template. A
rule turns ``None`` into a finding that names the value, never into a pass.

Request context: ``aws:PrincipalArn``, ``aws:PrincipalAccount``, ``kms:CallerAccount`` (KMS actions),
``aws:PrincipalIsAWSService``, ``aws:PrincipalServiceName`` and ``kms:EncryptionContextKeys`` are derived
from the request when it does not give them, as AWS sets them. Condition keys match case-insensitively,
values case-sensitively. Operators: String*, Arn*, Numeric*, Date*, Bool, BinaryEquals, IpAddress,
NotIpAddress and Null, each optionally ``...IfExists`` and ``ForAnyValue:``/``ForAllValues:``; a missing
key fails a positive operator and passes a negated one; ``IfExists`` and ``ForAllValues`` pass on a missing
key. ``Action``/``NotAction``, ``Resource``/``NotResource``, ``Principal``/``NotPrincipal`` with ``*`` and
``?`` wildcards. Not modelled: SCPs, RCPs, session policies, KMS grants, policy variables.

Templates are read through the value model (``values.resolved``, the symbolic view): every alternative of
every document (each ``Fn::If`` branch, each parameter value) is evaluated, and a resource whose
``Condition`` is proven false does not exist.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import ipaddress
import itertools
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from secure_imagebuilder.rules.engine import values as v

ACCOUNT, REGION, PARTITION = v.ACCOUNT, v.REGION, v.PARTITION

Tri = bool | None
Context = Mapping[str, "str | Sequence[str]"]
Statement = Mapping[str, Any]

LABEL = "__label__"
"""The key under which a statement read from a template carries its finding label (Sid or content hash)."""

_ARN_ACCOUNT = re.compile(r"^arn:[^:]+:(?:iam|sts)::(\d{12}):")
_ENCRYPTION_CONTEXT = "kms:encryptioncontext:"
# At most this many combinations of document alternatives are evaluated for one request.
MAX_COMBINATIONS = 64


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
        given = {key.lower(): [str(item) for item in _as_list(value)] for key, value in self.context.items()}
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
    """The answer for one request: allowed (``True``, ``False``, ``None``: undecided), why, and by what.

    ``assumed`` names the condition branches and parameter values of the documents it was decided on.
    """

    allowed: Tri
    reason: str
    statements: tuple[str, ...] = ()
    assumed: v.Assumed = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.allowed is True


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def all_of(values: Iterable[Tri]) -> Tri:
    """Kleene AND: False wins, then None."""
    result: Tri = True
    for value in values:
        if value is False:
            return False
        if value is None:
            result = None
    return result


def any_of(values: Iterable[Tri]) -> Tri:
    """Kleene OR: True wins, then None."""
    result: Tri = False
    for value in values:
        if value is True:
            return True
        if value is None:
            result = None
    return result


# --- the adversary's view ---------------------------------------------------------------------------------

_ADVERSARY = contextvars.ContextVar("adversary", default=False)


@contextlib.contextmanager
def adversary() -> Iterator[None]:
    """Evaluate requests an adversary makes: a deploy-time value is one specific value they do not choose.

    A parameter, an import or an attribute in a policy names one principal, account or ARN when the stack
    is deployed; an adversary's request never *is* that value. Outside this block such a value leaves the
    decision open (``None``), as it must for the requests a build needs.
    """
    token = _ADVERSARY.set(True)
    try:
        yield
    finally:
        _ADVERSARY.reset(token)


def _never_the_adversary(value: v.Unknown) -> bool:
    return _ADVERSARY.get() and value.specific


# --- matching ---------------------------------------------------------------------------------------------


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM's ``*`` (any run of characters) and ``?`` (one character) matching; nothing else is special."""
    return _compiled(pattern, ignore_case).fullmatch(value) is not None


_PATTERNS: dict[tuple[str, bool], re.Pattern[str]] = {}


def _compiled(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    found = _PATTERNS.get((pattern, ignore_case))
    if found is None:
        regex = "".join(".*" if c in ("*", v.HOLE) else "." if c == "?" else re.escape(c) for c in pattern)
        found = re.compile(regex, (re.IGNORECASE if ignore_case else 0) | re.DOTALL)
        if len(_PATTERNS) < 65536:
            _PATTERNS[(pattern, ignore_case)] = found
    return found


def _pattern_match(pattern: Any, value: str, *, ignore_case: bool = False) -> Tri:
    """Whether a policy pattern matches ``value``; ``None`` when the pattern is only known at deploy time.

    A partly known pattern (``arn:aws:kms:<hole>:key/x``) that cannot match even with its holes filled is
    ``False``: the literal parts decide.
    """
    if isinstance(pattern, v.Unknown):
        if _never_the_adversary(pattern):
            return False
        if pattern.text is None or not wildcard_match(pattern.text, value, ignore_case=ignore_case):
            return None if pattern.text is None else False
        return None
    if isinstance(pattern, bool):
        pattern = str(pattern).lower()
    if not isinstance(pattern, str | int | float):
        return None
    return wildcard_match(str(pattern), value, ignore_case=ignore_case)


def _matches_any(patterns: Any, value: str, *, ignore_case: bool = False) -> Tri:
    return any_of(_pattern_match(p, value, ignore_case=ignore_case) for p in _as_list(patterns))


# --- conditions -------------------------------------------------------------------------------------------

_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
}
_ORDERED = {
    "Equals": lambda a, b: a == b,
    "LessThan": lambda a, b: a < b,
    "LessThanEquals": lambda a, b: a <= b,
    "GreaterThan": lambda a, b: a > b,
    "GreaterThanEquals": lambda a, b: a >= b,
}


def _compare(base: str, actual: str, expected: Any) -> Tri:
    """One comparison of a positive operator; ``None`` for an unknown operator or expected value."""
    if isinstance(expected, v.Unknown):
        if _never_the_adversary(expected):
            return False
        if base in ("StringLike", "ArnLike", "StringEquals", "ArnEquals") and expected.text is not None:
            return None if wildcard_match(expected.text, actual) else False
        return None
    expected = str(expected).lower() if isinstance(expected, bool) else str(expected)
    if base in ("StringEquals", "BinaryEquals"):
        return bool(actual == expected)
    if base in ("StringLike", "ArnLike", "ArnEquals"):  # ArnEquals takes wildcards like ArnLike
        return wildcard_match(expected, actual)
    if base in ("StringEqualsIgnoreCase", "Bool"):
        return bool(actual.lower() == expected.lower())
    if base.startswith(("Numeric", "Date")):
        kind, relation = ("Numeric", base[7:]) if base.startswith("Numeric") else ("Date", base[4:])
        order = _ORDERED.get(relation)
        left, right = _ordered(kind, actual), _ordered(kind, expected)
        if order is None:
            return None
        return False if left is None or right is None else bool(order(left, right))
    if base == "IpAddress":
        try:
            return ipaddress.ip_address(actual) in ipaddress.ip_network(expected, strict=False)
        except ValueError:
            return False
    return None


def _ordered(kind: str, text: str) -> Any:
    if kind == "Numeric":
        return v.number(text)
    return text if re.fullmatch(r"\d{4}-\d{2}-\d{2}(T[0-9:.]+Z?)?|\d+", text) else None


def condition_holds(operator: str, key: str, expected: Any, context: Mapping[str, list[str]]) -> Tri:
    """Whether one ``operator: {key: expected}`` pair of a ``Condition`` block holds for ``context``.

    ``context`` maps lower-cased condition keys to their values (see :meth:`Request.full_context`);
    ``None`` when the operator or an expected value is unknown.
    """
    quantifier, _, base = operator.rpartition(":")
    if quantifier not in ("", "ForAnyValue", "ForAllValues"):
        return None
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    values = context.get(key.lower())
    expected_values = _as_list(expected)
    if base == "Null":
        wanted = [v.truthy(e) for e in expected_values]
        if not wanted or wanted[0] is None:
            return None
        return (values is None) == wanted[0]
    negated = base in _NEGATED
    base = _NEGATED.get(base, base)
    if values is None:
        return negated or if_exists or quantifier == "ForAllValues"

    def matches(actual: str) -> Tri:
        hit = any_of(_compare(base, actual, e) for e in expected_values)
        return hit if not negated or hit is None else not hit

    if quantifier == "ForAllValues":
        return all_of(matches(item) for item in values)
    if quantifier == "ForAnyValue" or len(values) <= 1:
        return any_of(matches(item) for item in values)
    # A multivalued key with a single-valued operator: AWS advises against it; be strict.
    return all_of(matches(item) for item in values)


def conditions_hold(conditions: Any, context: Mapping[str, list[str]]) -> Tri:
    """Every pair of a ``Condition`` block holds (AND across operators and keys)."""
    if conditions is None:
        return True
    if not isinstance(conditions, Mapping):
        return None
    results: list[Tri] = []
    for operator, pairs in conditions.items():
        if not isinstance(pairs, Mapping):
            results.append(None)
            continue
        results.extend(condition_holds(str(operator), str(k), e, context) for k, e in pairs.items())
    return all_of(results)


# --- principals and statements ----------------------------------------------------------------------------


def _root_account(value: str) -> str | None:
    if re.fullmatch(r"\d{12}", value):
        return value
    found = re.fullmatch(r"arn:[^:]+:iam::(\d{12}):root", value)
    return found.group(1) if found else None


@dataclass(frozen=True)
class PrincipalMatch:
    """How a statement's ``Principal`` covers a request: ``direct``, through the ``account``, or not."""

    how: str | None
    certain: bool = True


def principal_match(principal: Any, request: Request) -> PrincipalMatch:
    """How a statement's ``Principal`` covers the request's principal.

    ``direct``: by ARN, service principal or ``*``; ``account``: by the principal's account (the account
    root delegates to the account's identity policies). Not certain when a principal value is unknown.
    """
    if principal == "*":
        return PrincipalMatch("direct")
    if not isinstance(principal, Mapping):
        return PrincipalMatch(None, certain=False)
    found, certain = None, True
    for kind, values in principal.items():
        for value in _as_list(values):
            if isinstance(value, v.Unknown) and _never_the_adversary(value):
                continue
            if not isinstance(value, str):
                certain = False
                continue
            how = _one_principal(str(kind), value, request)
            if how == "direct":
                return PrincipalMatch("direct")
            found = found or how
    return PrincipalMatch(found, certain)


def _one_principal(kind: str, value: str, request: Request) -> str | None:
    if kind == "Service":
        return "direct" if request.is_service and value == request.principal else None
    if kind != "AWS":
        return None  # Federated, CanonicalUser: never an IAM role or a service
    if value == "*":
        return "direct"
    if request.is_service:
        return None
    if value == request.principal:
        return "direct"
    account = _root_account(value)
    return "account" if account is not None and account == request.account else None


def statement_applies(statement: Statement, request: Request, context: Mapping[str, list[str]]) -> Tri:
    """Action, resource and conditions of ``statement`` cover ``request`` (the principal is not checked)."""
    checks: list[Tri] = []
    if "Action" in statement:
        checks.append(_matches_any(statement["Action"], request.action, ignore_case=True))
    if "NotAction" in statement:
        checks.append(_not(_matches_any(statement["NotAction"], request.action, ignore_case=True)))
    if "Action" not in statement and "NotAction" not in statement:
        checks.append(False)
    if "Resource" in statement and request.resource:
        checks.append(_matches_any(statement["Resource"], request.resource))
    if "NotResource" in statement and request.resource:
        checks.append(_not(_matches_any(statement["NotResource"], request.resource)))
    if False in checks:
        return False
    return all_of([*checks, conditions_hold(statement.get("Condition"), context)])


def _not(value: Tri) -> Tri:
    return None if value is None else not value


# --- policies ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """One policy document as one list of statements (one alternative), labelled for explanations."""

    label: str
    statements: Sequence[Statement]
    resource_based: bool
    assumed: v.Assumed = field(default_factory=dict)


def policy(label: str, statements: Sequence[Statement], *, resource_based: bool = False) -> Policy:
    """A labelled policy for :func:`evaluate`."""
    return Policy(label, list(statements), resource_based)


def statement_label(statement: Any, prefix: str = "") -> str:
    """A finding id for a statement that never depends on its position: its ``Sid``, else a content hash.

    ``Statement-<8 hex digits>`` is the start of the SHA-256 of the statement's canonical JSON, as written
    in the template, so adding or reordering other statements keeps every acknowledgement matching.
    """
    sid = v.get(statement, "Sid")
    if isinstance(sid, str) and sid:
        return f"{prefix}{sid}"
    canonical = json.dumps(statement, sort_keys=True, separators=(",", ":"), default=str)
    return f"{prefix}Statement-{hashlib.sha256(canonical.encode()).hexdigest()[:8]}"


def _label(policy_: Policy, index: int, statement: Statement) -> str:
    written = statement.get(LABEL) or statement.get("Sid")
    return f"{policy_.label}: {written if isinstance(written, str) and written else f'statement {index}'}"


def labelled(policy_: Policy) -> Iterator[tuple[str, Statement]]:
    """Each readable statement of a policy with the label a :class:`Decision` names it by."""
    for index, statement in enumerate(policy_.statements):
        if isinstance(statement, Mapping):
            yield _label(policy_, index, statement), statement


@dataclass
class _Verdict:
    """What one policy says about one request: statements that surely or maybe allow, delegate or deny."""

    allows: list[str] = field(default_factory=list)
    delegates: list[str] = field(default_factory=list)
    denies: list[str] = field(default_factory=list)
    maybe_allows: list[str] = field(default_factory=list)
    maybe_denies: list[str] = field(default_factory=list)


def judge(policy_: Policy, request: Request, context: Mapping[str, list[str]]) -> _Verdict:
    """What one policy says about one request: the statements that surely or maybe allow or deny it."""
    verdict = _Verdict()
    for index, statement in enumerate(policy_.statements):
        if not isinstance(statement, Mapping):
            verdict.maybe_allows.append(f"{policy_.label}: statement {index} (only known at deploy time)")
            verdict.maybe_denies.append(f"{policy_.label}: statement {index} (only known at deploy time)")
            continue
        applies = statement_applies(statement, request, context)
        if applies is False:
            continue
        match = PrincipalMatch("direct")
        if policy_.resource_based:
            if "NotPrincipal" in statement:
                inverse = principal_match(statement["NotPrincipal"], request)
                match = PrincipalMatch(None if inverse.how else "direct", inverse.certain)
            else:
                match = principal_match(statement.get("Principal", {}), request)
        if match.how is None and match.certain:
            continue
        label = _label(policy_, index, statement)
        effect = statement.get("Effect")
        sure = applies is True and match.certain and match.how is not None
        if effect == "Deny":
            (verdict.denies if sure else verdict.maybe_denies).append(label)
        elif effect != "Allow":
            verdict.maybe_allows.append(label)
            verdict.maybe_denies.append(label)
        elif not sure:
            verdict.maybe_allows.append(label)
        elif match.how == "direct":
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
    boundary: Policy | None = None,
    boundary_unknown: bool = False,
) -> Decision:
    """Combine identity policies, a boundary and one resource policy as AWS does (module docstring)."""
    context = request.full_context()
    identities = [judge(p, request, context) for p in identity] if not request.is_service else []
    granted = [label for verdict in identities for label in verdict.allows]
    maybe_granted = [label for verdict in identities for label in verdict.maybe_allows]
    if re.fullmatch(r"arn:[^:]+:iam::\d{12}:root", request.principal):
        granted.append("the account root (every permission in its own account)")
    granted, maybe_granted = _bounded(request, context, granted, maybe_granted, boundary, boundary_unknown)
    held = judge(resource, request, context) if resource is not None else _Verdict()
    denied = [label for verdict in identities for label in verdict.denies] + held.denies
    if denied:
        return Decision(False, "explicitly denied", tuple(denied))
    maybe_denied = [label for verdict in identities for label in verdict.maybe_denies] + held.maybe_denies
    decision = _combine(request, resource, resource_account, kms_key, held, granted, maybe_granted)
    if decision.allowed is not False and maybe_denied:
        return Decision(None, "a Deny may apply (a value only known at deploy time)", tuple(maybe_denied))
    return decision


def _bounded(
    request: Request,
    context: Mapping[str, list[str]],
    granted: list[str],
    maybe_granted: list[str],
    boundary: Policy | None,
    boundary_unknown: bool,
) -> tuple[list[str], list[str]]:
    """The identity-side allows that a permissions boundary leaves (surely, maybe)."""
    if boundary_unknown:
        return [], granted + maybe_granted
    if boundary is None or not (granted or maybe_granted):
        return granted, maybe_granted
    capped = judge(boundary, request, context)
    if capped.denies or not (capped.allows or capped.maybe_allows):
        return [], []
    if capped.allows and not capped.maybe_denies:
        return granted, maybe_granted
    return [], granted + maybe_granted


def _combine(
    request: Request,
    resource: Policy | None,
    resource_account: str | None,
    kms_key: bool,
    held: _Verdict,
    granted: list[str],
    maybe_granted: list[str],
) -> Decision:
    """The allow side: which policies must agree for this principal, resource and account."""
    cross_account = not request.is_service and resource_account not in (None, request.account)
    resource_side = held.allows + held.delegates
    if cross_account and resource is None:
        return Decision(False, "cross-account: the resource's policy is unknown")
    if cross_account or kms_key:
        # Both sides, unless the resource policy names the principal itself (same account only).
        if held.allows and not cross_account:
            return Decision(True, "allowed by the key policy", tuple(held.allows))
        if resource_side and granted:
            return Decision(True, "allowed by both sides", tuple(resource_side + granted))
        if (resource_side or held.maybe_allows) and (granted or maybe_granted or held.maybe_allows):
            return Decision(
                None, "may be allowed (a value only known at deploy time)", tuple(held.maybe_allows)
            )
        why = (
            "the key policy does not allow it"
            if kms_key and not cross_account
            else "not allowed by both sides"
        )
        return Decision(False, why)
    allows = held.allows + granted
    if allows:
        return Decision(True, "allowed", tuple(allows))
    if held.maybe_allows or maybe_granted:
        return Decision(None, "may be allowed (a value only known at deploy time)", tuple(held.maybe_allows))
    return Decision(False, "no statement allows it")


def combine(decisions: Sequence[Decision]) -> Decision:
    """One decision for the alternatives of a template: allowed in all, denied in all, else undecided."""
    if not decisions:
        return Decision(False, "nothing to evaluate")
    if all(d.allowed is True for d in decisions):
        return decisions[0]
    if all(d.allowed is False for d in decisions):
        return decisions[0]
    chosen = next(d for d in decisions if d.allowed is not False)
    return Decision(None, f"depends on the alternative: {chosen.reason}", chosen.statements, chosen.assumed)


# --- policies of a template -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One policy document of a template: its label and every alternative it can deploy as."""

    label: str
    alternatives: tuple[Policy, ...]
    unknown: bool = False  # a managed policy or boundary whose statements are not known here
    # How findings name it: a policy resource's logical id, an inline policy's PolicyName, a managed
    # policy's name ("" where nothing names it).
    name: str = ""


def document_alternatives(
    label: str, document: Any, stack: v.Sections, *, resource_based: bool, name: str = ""
) -> Source:
    """Every alternative of a policy document as :class:`Policy` objects, statements labelled as written."""
    found = []
    for alt in v.resolved(_with_labels(document), stack):
        value = parsed_document(alt.value)
        statements = v.get(value, "Statement")
        if isinstance(value, v.Unknown) or isinstance(statements, v.Unknown):
            statements = [value if isinstance(value, v.Unknown) else statements]
        found.append(Policy(label, _as_list(statements), resource_based, alt.assumed))
    return Source(label, tuple(found), name=name)


def parsed_document(document: Any) -> Any:
    """A document written as a JSON string (CloudFormation takes either form) as the object it holds.

    The text is literal once resolved (CloudFormation reads no intrinsic inside it); text that is not a JSON
    object is unreadable, so every rule that reads the document is undecided instead of passing it.
    """
    if not isinstance(document, str):
        return document
    try:
        parsed = json.loads(document)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        return v.Unknown(document, "a policy document string that is not a JSON object", specific=False)
    return _with_labels(parsed)


def _with_labels(document: Any) -> Any:
    """The document with each statement marked with its finding label, through ``Fn::If`` and lists."""
    return _through_ifs(
        document,
        lambda doc: (
            {**doc, "Statement": _statement_list(doc["Statement"])}
            if v.is_literal_mapping(doc) and "Statement" in doc
            else doc
        ),
    )


def _statement_list(value: Any) -> Any:
    if isinstance(value, list):
        return [_through_ifs(item, _label_one) for item in value]
    return _through_ifs(
        value, lambda item: _statement_list(item) if isinstance(item, list) else _label_one(item)
    )


def _label_one(statement: Any) -> Any:
    return {**statement, LABEL: statement_label(statement)} if v.is_literal_mapping(statement) else statement


def _through_ifs(value: Any, change: Any) -> Any:
    found = v.intrinsic(value)
    if found is not None and found[0] == "Fn::If" and isinstance(found[1], list) and len(found[1]) == 3:
        condition, yes, no = found[1]
        return {"Fn::If": [condition, _through_ifs(yes, change), _through_ifs(no, change)]}
    return change(value)


def combinations(sources: Sequence[Source]) -> Iterator[tuple[Policy, ...]]:
    """One alternative of each source per combination, at most :data:`MAX_COMBINATIONS`."""
    yield from itertools.islice(itertools.product(*(s.alternatives for s in sources)), MAX_COMBINATIONS)


def merged_assumptions(policies: Iterable[Policy]) -> v.Assumed:
    """What the chosen alternatives assumed, together."""
    merged: dict[tuple[str, str], Any] = {}
    for chosen in policies:
        merged.update(chosen.assumed)
    return merged
