"""How one principal can use one key: each request evaluated, grouped into paths. Pure Python.

For a candidate principal, every probe of the key (``explain.encrypted``: the requests that reach each
resource's data) and every KMS action without context is evaluated by the evaluator the rules use
(``PolicyEvaluator.outcomes``: key policy, identity policies, boundaries, every alternative of the
template). Allowed requests are grouped by what allows them: the same statements, the same services the
calls must go through, the same template alternatives. Each group is one :class:`~model.Access`:

- *policies*: ``key-policy`` when the key policy names the principal itself, ``key-policy+identity-policy``
  when it delegates to the account and the principal's own policies allow the rest, ``identity-policy``
  for a key outside the template (its owner's key policy must allow it too);
- *via*: the services a call must go through (``kms:ViaService``, ``aws:CalledVia``): the same request
  made directly is denied;
- *grant*: the access is only the right to create grants (KMS grants themselves are not in templates);
- *conditions*: the deciding statements' conditions in words (``explain.words``).

An undecided answer (a value only known at deploy time) is kept as ``allowed: None``, never dropped.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from secure_imagebuilder.explain import words
from secure_imagebuilder.explain.model import Access, Probe, StatementRef, Use
from secure_imagebuilder.explain.principals import Candidate
from secure_imagebuilder.rules.engine import access
from secure_imagebuilder.rules.engine import policy as p
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.evaluator import PolicyEvaluator
from secure_imagebuilder.rules.engine.redact import HIDDEN, is_no_echo, is_secret

VIA_KEYS = ("kms:ViaService", "aws:CalledVia")
GRANT_ACTIONS = ("kms:CreateGrant",)
_OWN_IAM = p.policy(
    "its own account's IAM policies (outside the template)",
    [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
)
_IMAGEBUILDER = "imagebuilder.amazonaws.com"


@dataclass
class KeyView:
    """What evaluating requests on one key needs: the evaluator, the key's ARN and policy, its uses."""

    evaluator: PolicyEvaluator
    arn: str
    policy: p.Source | None  # None: a key outside the template
    uses: Sequence[Use]
    statements: Mapping[str, StatementRef]

    def probes(self) -> Iterator[tuple[Probe, str | None]]:
        """Every KMS action without context (``None``: reaches no resource in particular), then each use's."""
        for action in access.KMS_ACTIONS:
            yield Probe(action), None
        for use in self.uses:
            for probe in use.probes:
                yield probe, use.id


@dataclass(frozen=True)
class _Answer:
    allowed: bool | None
    reason: str
    statements: tuple[str, ...]
    when: tuple[str, ...]


@dataclass
class _Group:
    answer: _Answer
    via: tuple[str, ...]
    actions: set[str] = field(default_factory=set)
    reaches: set[str] = field(default_factory=set)
    also: set[str] = field(default_factory=set)


def outcomes(view: KeyView, who: Candidate, request: p.Request) -> list[p.Decision]:
    """The decisions for a request, one per alternative of the template's documents."""
    with p.adversary() if who.adversary else contextlib.nullcontext():
        if view.policy is None:
            return view.evaluator.identity_outcomes(request)
        if who.own_iam:
            return [
                p.evaluate(
                    request, identity=[_OWN_IAM], resource=alt, resource_account=p.ACCOUNT, kms_key=True
                )
                for alt in view.policy.alternatives
            ]
        return view.evaluator.outcomes(request)


def answer(decisions: Sequence[p.Decision], parameters: Mapping[str, Any]) -> _Answer:
    """One answer over the alternatives: allowed in some (``when`` names them), undecided, or denied."""
    allowed = [d for d in decisions if d.allowed is True]
    if allowed:
        partial = len(allowed) < len(decisions)
        when = sorted({w for d in allowed for w in _assumed(d.assumed, parameters)}) if partial else []
        return _Answer(True, allowed[0].reason, allowed[0].statements, tuple(when))
    undecided = [d for d in decisions if d.allowed is None]
    if undecided:
        return _Answer(None, undecided[0].reason, undecided[0].statements, ())
    return _Answer(False, decisions[0].reason if decisions else "nothing to evaluate", (), ())


def _assumed(assumed: v.Assumed, parameters: Mapping[str, Any]) -> Iterator[str]:
    for (kind, name), chosen in sorted(assumed.items(), key=lambda item: item[0]):
        if kind == "condition":
            yield f"condition {name} is {str(chosen).lower()}"
        elif chosen is not v.RAW:
            shown = HIDDEN if is_no_echo(parameters, name) or is_secret(str(chosen)) else str(chosen)
            yield f"parameter {name} is {shown}"


def _via_needed(view: KeyView, who: Candidate, request: p.Request) -> tuple[str, ...]:
    """The services the request names that it must go through: made directly, it is not allowed."""
    services = [str(s) for k in VIA_KEYS for s in v.as_list(request.context.get(k))]
    if not services:
        return ()
    direct = p.Request(
        request.action,
        request.principal,
        request.resource,
        {k: val for k, val in request.context.items() if k not in VIA_KEYS},
    )
    if answer(outcomes(view, who, direct), {}).allowed is True:
        return ()
    return tuple(sorted(set(services)))


def _also(view: KeyView, who: Candidate, request: p.Request) -> tuple[str, ...]:
    """The principal's own statements that allow the request too (when the key policy alone decides)."""
    if view.policy is None or who.own_iam or who.principal not in view.evaluator.identities:
        return ()
    found = answer(view.evaluator.identity_outcomes(request), {})
    return found.statements if found.allowed else ()


def accesses(view: KeyView, who: Candidate) -> list[Access]:
    """Every path by which ``who`` can use the key (undecided ones included), grouped."""
    groups: dict[tuple[Any, ...], _Group] = {}
    parameters = view.evaluator.stack.parameters
    for probe, reached in view.probes():
        if probe.caller is not None and probe.caller != who.principal:
            continue
        request = probe.request(who.principal, view.arn, who.context)
        found = answer(outcomes(view, who, request), parameters)
        if found.allowed is False:
            continue
        via = _via_needed(view, who, request) if found.allowed else ()
        group = groups.setdefault((found, via), _Group(found, via))
        group.actions.add(probe.action)
        if reached is not None:
            group.reaches.add(reached)
        if found.allowed and found.reason == "allowed by the key policy":
            group.also.update(_also(view, who, request))
    return [_access(view, group) for group in groups.values()]


def _access(view: KeyView, group: _Group) -> Access:
    found = group.answer
    refs = [_ref(view, label) for label in found.statements]
    identity = any(ref.side != "key-policy" for ref in refs)
    if view.policy is None:
        policies = "identity-policy"
    elif found.reason == "allowed by the key policy" or not identity:
        policies = "key-policy"
    else:
        policies = "key-policy+identity-policy"
    actions = sorted(group.actions)
    return Access(
        actions=actions,
        allowed=found.allowed,
        policies=policies,
        via=list(group.via),
        grant=all(action in GRANT_ACTIONS for action in actions),
        conditions=combined(refs),
        reaches=sorted(group.reaches),
        statements=refs,
        also=[_ref(view, label) for label in sorted(group.also)],
        when=list(found.when),
        reason=found.reason,
    )


def _ref(view: KeyView, label: str) -> StatementRef:
    known = view.statements.get(label)
    if known is not None:
        return known
    if label.startswith(f"{_OWN_IAM.label}: "):
        return StatementRef("identity-policy", _OWN_IAM.label, "", None, "", None)
    policy, _, sid = label.rpartition(": ")
    return StatementRef("identity-policy", policy or label, sid if policy else "", None, "", None)


def combined(refs: Sequence[StatementRef]) -> list[str]:
    """The conditions that bound an access: all sides must hold; on one side, any allowing statement."""
    found: list[str] = []
    for side in dict.fromkeys(ref.side for ref in refs):
        statements = [ref for ref in refs if ref.side == side]
        if any(not ref.conditions for ref in statements):
            continue  # one statement of this side allows it without conditions
        if len(statements) == 1:
            found.extend(c for c in statements[0].conditions if c not in found)
        else:
            either = " or ".join(f"({'; '.join(ref.conditions)})" for ref in statements)
            found.append(f"one of: {either}")
    return found


# --- the statements of a template, as references -----------------------------------------------------------

_INLINE = re.compile(r"^(\S+) \((.*)\)$")


def statement_index(
    evaluator: PolicyEvaluator, template: str, lines: Mapping[str, int]
) -> dict[str, StatementRef]:
    """Every statement label the evaluator can decide by -> where it is written, with its conditions."""
    index: dict[str, StatementRef] = {}
    sources: list[tuple[str, p.Source]] = [
        ("key-policy", source) for source, is_key in evaluator.resource_policies.values() if is_key
    ]
    sources += [("identity-policy", s) for held in evaluator.identities.values() for s in held]
    sources += [("boundary", source) for source in evaluator.boundaries.values()]
    for side, source in sources:
        logical_id = _holder(source.label, evaluator)
        for alternative in source.alternatives:
            for label, statement in p.labelled(alternative):
                if label in index:
                    continue
                written = statement.get(p.LABEL) or statement.get("Sid")
                sid = written if isinstance(written, str) and written else label.rpartition(": ")[2]
                index[label] = StatementRef(
                    side,
                    source.label,
                    sid,
                    logical_id,
                    template,
                    lines.get(logical_id) if logical_id else None,
                    tuple(words.conditions(statement.get("Condition"))),
                )
    return index


def _holder(label: str, evaluator: PolicyEvaluator) -> str | None:
    """The logical id of the resource that holds a policy, from the evaluator's label of it."""
    resources = evaluator.stack.by_logical_id
    for prefix in ("key policy of ", "permissions boundary of "):
        if label.startswith(prefix) and label[len(prefix) :] in resources:
            return label[len(prefix) :]
    if label in resources:
        return label
    inline = _INLINE.match(label)
    return inline.group(1) if inline and inline.group(1) in resources else None
