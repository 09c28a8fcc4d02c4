"""``explain --format text``: each key, what it encrypts, and every principal's paths, for a terminal."""

from __future__ import annotations

from collections.abc import Sequence

from secure_imagebuilder.explain.model import Access, Flag, Key, Principal, StackAccess, StatementRef
from secure_imagebuilder.explain.words import service
from secure_imagebuilder.rules.engine.access import KMS_ACTIONS

POLICIES = {
    "key-policy": "key policy alone",
    "key-policy+identity-policy": "key policy + identity policy",
    "identity-policy": "identity policy (the key's own policy is outside the template)",
}


def render(answers: Sequence[StackAccess]) -> str:
    """The whole answer as text, one block per stack."""
    lines: list[str] = []
    for answer in answers:
        lines.append(f"{answer.name} ({answer.template})")
        if not answer.keys:
            lines.append("  no KMS key in scope")
        for key in answer.keys:
            lines.extend(_key(key, answer.template))
        lines.append("")
    keys = [key for answer in answers for key in answer.keys]
    public = [key for key in keys if key.public]
    lines.append(
        f"{len(answers)} stack(s), {len(keys)} key(s): "
        + (
            f"{len(public)} public ({', '.join(k.logical_id or k.arn for k in public)})"
            if public
            else "none public"
        )
    )
    return "\n".join(lines) + "\n"


def _key(key: Key, template: str) -> list[str]:
    where = ", ".join(
        str(part) for part in (key.construct_path, f"line {key.line}" if key.line else None) if part
    )
    title = f"key {key.logical_id}" if key.logical_id else f"key outside the template: {key.arn}"
    lines = [f"  {title}{f' ({where})' if where else ''}", f"    {key.arn}" if key.logical_id else ""]
    encrypts = ", ".join(f"{use.kind} {use.logical_id}" for use in key.uses) or "nothing in the template"
    lines.append(f"    encrypts: {encrypts}")
    statements = sorted({f.statement for f in key.flags if f.kind == "public" and f.statement})
    lines.append(
        f"    PUBLIC through {', '.join(statements) or 'the key policy'}: a principal of an account the key "
        "policy does not name can use it"
        if key.public
        else "    not public"
    )
    lines.extend(f"    {_flag(flag)}" for flag in key.flags)
    for principal in key.principals:
        lines.extend(_principal(key, principal, template))
    return [line for line in lines if line]


def _principal(key: Key, principal: Principal, template: str) -> list[str]:
    shown = principal.label
    if principal.principal not in ("*", principal.label) and principal.kind != "service":
        shown += f" ({principal.principal})"
    if principal.kind == "account":
        shown += ": the key policy delegates to the account, its IAM policies decide who"
    lines = [f"    {shown}"]
    lines.extend(f"      {_flag(flag)}" for flag in principal.flags)
    uses = {use.id: f"{use.kind} {use.logical_id}" for use in key.uses}
    for path in principal.access:
        lines.extend(_access(path, uses, template))
    return lines


def actions(names: Sequence[str]) -> str:
    """The actions, or "every KMS action" when all that explain asks about are allowed."""
    if set(KMS_ACTIONS) <= set(names):
        return "every KMS action"
    return ", ".join(names)


def _access(path: Access, uses: dict[str, str], template: str) -> list[str]:
    state = {True: "", None: "MAYBE (undecided) ", False: "NEEDED, DENIED "}[path.allowed]
    reaches = ", ".join(uses.get(use, use) for use in path.reaches)
    lines = [f"      - {state}{actions(path.actions)}{f' -> {reaches}' if reaches else ''}"]
    route = POLICIES.get(path.policies, path.policies)
    if path.via:
        route += ", via " + ", ".join(service(s) for s in path.via)
    if path.grant:
        route += ", by creating grants"
    lines.append(f"        path: {route}")
    lines.extend(f"        {condition}" for condition in path.conditions)
    if not path.conditions and path.allowed:
        lines.append("        no condition")
    lines.extend(f"        when {when}" for when in path.when)
    lines.extend(f"        {_ref(ref, template)}" for ref in path.statements)
    lines.extend(f"        also allowed by {_ref(ref, template)}" for ref in path.also)
    if path.allowed is not True:
        lines.append(f"        why: {path.reason}")
    lines.extend(f"        {_flag(flag)}" for flag in path.flags)
    return lines


def _ref(ref: StatementRef, template: str) -> str:
    side = {"key-policy": "key policy", "identity-policy": "identity policy"}.get(ref.side, ref.side)
    where = ref.template if ref.template != template else ""
    if ref.line:
        where = f"{where}:{ref.line}" if where else f"line {ref.line}"
    holder = ref.logical_id or ref.policy
    return f"{side}: {holder}{f' {ref.sid}' if ref.sid else ''}" + (f" ({where})" if where else "")


def _flag(flag: Flag) -> str:
    finding = f" {flag.finding}" if flag.finding else ""
    level = f" ({flag.level})" if flag.level else ""
    acknowledged = f" acknowledged: {flag.acknowledged}" if flag.acknowledged else ""
    return f"FLAG {flag.kind}{finding}{level}: {flag.message}{acknowledged}"
