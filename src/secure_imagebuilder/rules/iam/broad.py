"""What a role of the template can do to resources nobody named (``access.BROAD``), and through which policy.

Shared by IB9 (the build instance role) and RA4 (roles Roles Anywhere vends sessions for). Each question
is a request the evaluator decides against the role's own policies (inline, attached, AWS managed as
``rules/imagebuilder/managed.py`` documents them) within its permissions boundary, in every alternative of
the template; the answer names the policy (and statement) that allows it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from secure_imagebuilder.rules.engine import access
from secure_imagebuilder.rules.engine import policy as p
from secure_imagebuilder.rules.engine.evaluator import AWS_MANAGED, PolicyEvaluator
from secure_imagebuilder.rules.engine.model import Stack
from secure_imagebuilder.rules.imagebuilder.builds import grants


@dataclass(frozen=True)
class Grant:
    """One broad request a role's policy allows (``allowed`` True) or may allow (``None``).

    ``source`` names the policy as findings do: an AWS managed policy by its name, a policy of the
    template by its logical id (or an inline policy by its ``PolicyName``) and the statement's label.
    """

    source: str
    broad: access.Broad
    allowed: p.Tri
    reason: str = ""


def evaluator(stack: Stack) -> PolicyEvaluator:
    """The stack's evaluator (built once per stack, AWS managed policies as documented)."""
    return grants(stack).evaluator


def broad_grants(stack: Stack, principal: str) -> list[Grant]:
    """Every broad request the principal's policies allow or may allow, by the policy that does.

    Asked as an adversary asks (``policy.adversary()``): a resource, account or ARN a policy takes from a
    parameter or an import names one specific resource chosen at deploy time, never the unnamed one.
    """
    found: list[Grant] = []
    ev = evaluator(stack)
    sources = ev.identities.get(principal, [])
    with p.adversary():
        for broad in access.BROAD:
            request = broad.request(principal)
            for decision in ev.identity_outcomes(request):
                if decision.allowed is False:
                    continue
                if decision.allowed is True:
                    names = list(_names(sources, decision.statements))
                else:
                    names = list(_maybe_names(sources, request))
                    if not names and principal in ev.boundaries:
                        names.append("PermissionsBoundary")
                for name in dict.fromkeys(names or [""]):
                    found.append(Grant(name, broad, decision.allowed, decision.reason))
    return found


def _names(sources: Sequence[p.Source], statements: Sequence[str]) -> Iterator[str]:
    """The finding names of the statements (``<policy label>: <statement label>``) of ``sources``."""
    for source in sources:
        prefix = f"{source.label}: "
        for statement in statements:
            if statement.startswith(prefix):
                yield _name(source, statement.removeprefix(prefix))


def _maybe_names(sources: Sequence[p.Source], request: p.Request) -> Iterator[str]:
    """The statements that may allow ``request`` (a value only known at deploy time, an unknown policy)."""
    context = request.full_context()
    for source in sources:
        prefix = f"{source.label}: "
        for policy in source.alternatives:
            verdict = p.judge(policy, request, context)
            for statement in (*verdict.allows, *verdict.maybe_allows):
                yield _name(source, statement.removeprefix(prefix))


def _name(source: p.Source, statement: str) -> str:
    """An AWS managed policy by its name, a policy of the template by its name and the statement's."""
    if source.label.startswith(AWS_MANAGED) or source.unknown:
        return source.name
    return f"{source.name}.{statement}"


def sure(found: Sequence[Grant]) -> dict[str, list[str]]:
    """Policy name -> what it surely allows (in some alternative of the template)."""
    named: dict[str, list[str]] = {}
    for grant in found:
        if grant.allowed is True and grant.broad.what not in named.get(grant.source, []):
            named.setdefault(grant.source, []).append(grant.broad.what)
    return named


def maybe(found: Sequence[Grant]) -> dict[str, list[str]]:
    """Policy name -> what it may allow (a value the model cannot read, an undocumented policy)."""
    named: dict[str, list[str]] = {}
    for grant in found:
        if grant.allowed is None and grant.broad.what not in named.get(grant.source, []):
            named.setdefault(grant.source, []).append(grant.broad.what)
    return named
