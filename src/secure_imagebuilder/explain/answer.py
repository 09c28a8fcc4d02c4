"""``explain(stack)``: each key of a stack, what it encrypts, who can use it and how. Pure Python.

One evaluator per stack, the one the grant rules use (``rules.imagebuilder.builds.grants``: the template's
policies and the AWS managed policies as documented), and the stack's findings from the same rule table
as ``scan``, so what ``explain`` shows and what ``scan`` reports come from one decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from secure_imagebuilder.explain import flags, paths
from secure_imagebuilder.explain.encrypted import add_policy_keys, keys_in_scope
from secure_imagebuilder.explain.model import Key, Principal, StackAccess, Use
from secure_imagebuilder.explain.principals import candidates
from secure_imagebuilder.rules.engine.model import Finding, Stack
from secure_imagebuilder.rules.engine.policy import Source
from secure_imagebuilder.rules.imagebuilder.builds import grants

_ORDER = ("anyone", "organization", "account", "any principal of the account", "role", "user", "group")


def explain(
    stack: Stack, findings: Iterable[Finding], *, template: str, lines: Mapping[str, int] | None = None
) -> StackAccess:
    """The keys of ``stack`` and who can use them; ``findings`` are the stack's (``rules.engine.run``)."""
    evaluator = grants(stack).evaluator
    lines = lines or {}
    index = paths.statement_index(evaluator, template, lines)
    found = keys_in_scope(stack)
    identities = [source for held in evaluator.identities.values() for source in held]
    add_policy_keys(found, identities, (evaluator.arn(logical_id) for logical_id in found.template))
    keys = []
    for logical_id, uses in found.template.items():
        arn = evaluator.arn(logical_id)
        source = evaluator.resource_policies.get(arn, (None, True))[0]
        key = Key(f"{stack.path}/key/{logical_id}", logical_id, arn, "template", uses=uses)
        key.construct_path = stack.by_logical_id[logical_id].path
        key.line = lines.get(logical_id)
        keys.append(_with_principals(key, paths.KeyView(evaluator, arn, source, uses, index)))
    for name, outside in found.outside.items():
        key = Key(f"{stack.path}/key/{name}", None, name, "outside", uses=outside.uses)
        keys.append(_with_principals(key, paths.KeyView(evaluator, outside.arn, None, outside.uses, index)))
    flags.place(stack, keys, [f for f in findings if f.rule.id in flags.RULES])
    for key in keys:
        key.principals.sort(key=_rank)
    return StackAccess(stack.path, template, keys)


def _with_principals(key: Key, view: paths.KeyView) -> Key:
    source: Source | None = view.policy
    for who in candidates(view.evaluator, source):
        found = paths.accesses(view, who)
        if found:
            name = "*" if who.kind in ("anyone", "organization") else who.principal
            principal = Principal(
                flags.principal_id(key, name if who.kind != "organization" else who.label),
                name,
                who.kind,
                who.label,
                who.account,
                who.logical_id,
                found,
            )
            key.principals.append(principal)
    return key


def _rank(principal: Principal) -> tuple[int, str]:
    kind = _ORDER.index(principal.kind) if principal.kind in _ORDER else len(_ORDER)
    return kind, principal.label


def uses_by_id(key: Key) -> dict[str, Use]:
    """The key's encrypted resources by id."""
    return {use.id: use for use in key.uses}
