"""What ``apply_secure_defaults`` accepts: its arguments, one call per stack, no alpha construct before it.

Every problem is our error, raised once, naming the scope's path, the argument, the value and the fix:

- ``scope`` a stack or a construct inside one (the shared log bucket and topic go into the stack);
- ``key`` a customer managed key known by its key ARN (``core.keys.check``: no alias, lookup or AWS
  managed key); ``log_bucket`` an ``s3.IBucket`` with a KMS key (R17); ``log_prefix`` a key prefix;
  ``notifications`` a bool;
- no alpha construct exists under ``scope`` yet: property injectors reach only constructs created after
  the call, so one created before would silently keep the alpha defaults;
- no other call covers ``scope``, a construct inside it or one around it: two keys for one construct
  would leave it to whichever call happened to run last. The same call again changes nothing.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_imagebuilder_alpha as alpha
from constructs import IConstruct

from secure_imagebuilder.alpha._state import SecureDefaultsState
from secure_imagebuilder.core import checks, keys
from secure_imagebuilder.core.validation import ValidationProblems, shown
from secure_imagebuilder.logs import check_log_bucket

ALPHA_CLASSES = (
    alpha.Component,
    alpha.Workflow,
    alpha.ImageRecipe,
    alpha.ContainerRecipe,
    alpha.InfrastructureConfiguration,
    alpha.DistributionConfiguration,
    alpha.Image,
    alpha.ImagePipeline,
    alpha.LifecyclePolicy,
)
"""The alpha L2s whose defaults the call sets."""


@dataclass(frozen=True)
class _Call:
    path: str
    arguments: tuple[object, ...]
    state: SecureDefaultsState


# The calls made so far, per app (its root): a second one over the same constructs is refused.
_calls: weakref.WeakKeyDictionary[object, list[_Call]] = weakref.WeakKeyDictionary()


def checked_call(
    scope: object, *, key: object, log_bucket: object, log_prefix: object, notifications: object
) -> SecureDefaultsState | None:
    """The state of a new call, ``None`` for the same call again; our error for anything else."""
    construct = _construct_in_a_stack(scope)
    problems = ValidationProblems(construct)
    checked_key = keys.check(problems, key)
    checks.require_kinds(problems, log_bucket=(log_bucket, "bucket"), notifications=(notifications, "bool"))
    if log_bucket is not None and hasattr(log_bucket, "bucket_arn"):
        check_log_bucket(problems, log_bucket)  # type: ignore[arg-type]
    checks.validate_log_prefix(problems, log_prefix)
    problems.raise_if_any()
    arguments = (checked_key, log_bucket, log_prefix, notifications)
    if _repeated(problems, construct, arguments):
        return None
    earlier = [node.node.path for node in construct.node.find_all() if isinstance(node, ALPHA_CLASSES)]
    if earlier:
        problems.add(
            "apply_secure_defaults secures the alpha constructs created after it; these were created before "
            "and would keep the alpha defaults (no key, no logs)",
            earlier,
            "call apply_secure_defaults(scope, key=...) before creating them",
        )
        problems.raise_if_any()
    assert checked_key is not None
    state = SecureDefaultsState(
        key=checked_key,
        log_prefix=log_prefix,  # type: ignore[arg-type]
        log_bucket=log_bucket,  # type: ignore[arg-type]
        notifications=notifications,  # type: ignore[arg-type]
    )
    _calls.setdefault(construct.node.root, []).append(_Call(construct.node.path, arguments, state))
    return state


def _repeated(problems: ValidationProblems, construct: IConstruct, arguments: tuple[object, ...]) -> bool:
    """Whether this exact call was made before (nothing to do); our error for another over its constructs."""
    path = construct.node.path
    for call in _calls.get(construct.node.root, []):
        if not _overlap(call.path, path):
            continue
        same = all(a is b or a == b for a, b in zip(call.arguments, arguments, strict=True))
        if call.path == path and same:
            return True
        problems.add(
            f"apply_secure_defaults was already called for {call.path}: a second call over the same "
            "constructs (another key or other settings) would leave each construct to whichever call ran "
            "last",
            _differences(call.arguments, arguments) or "the same arguments",
            "call it once per stack; give an alpha construct a key of its own with its kms_key prop",
        )
        problems.raise_if_any()
    return False


def _construct_in_a_stack(scope: object) -> IConstruct:
    """``scope`` if it is a stack or a construct inside one; our error otherwise."""
    if not hasattr(scope, "node"):
        problems = ValidationProblems(None, "apply_secure_defaults")
        problems.add(
            "scope must be a stack or a construct inside one",
            scope,
            "pass the stack: apply_secure_defaults(stack, key=key)",
        )
        problems.raise_if_any()
    construct: IConstruct = scope  # type: ignore[assignment]
    if not any(isinstance(node, cdk.Stack) for node in construct.node.scopes):
        problems = ValidationProblems(None, "apply_secure_defaults")
        problems.add(
            "scope must be a stack or a construct inside one (the shared log bucket and topic go into "
            "the stack)",
            construct.node.path or "the app",
            "call it for each stack: apply_secure_defaults(stack, key=key)",
        )
        problems.raise_if_any()
    return construct


def _differences(first: tuple[object, ...], second: tuple[object, ...]) -> str:
    """What the second call changes: ``key <path> (first: <path>)``, ``log_prefix ...``."""
    names = ("key", "log_bucket", "log_prefix", "notifications")
    return "; ".join(
        f"{name} {_label(new)} (first call: {_label(old)})"
        for name, old, new in zip(names, first, second, strict=True)
        if not (old is new or old == new)
    )


def _label(value: object) -> str:
    path = getattr(getattr(value, "node", None), "path", None)
    return path if isinstance(path, str) else shown(value)


def _overlap(one: str, other: str) -> bool:
    """Whether the constructs at two paths share constructs (one is, or holds, the other)."""
    return one == other or other.startswith(f"{one}/") or one.startswith(f"{other}/")
