"""Any ``kms.IKey``, the Image Builder way: ownership, key-policy statements, grants on both sides.

A key this app creates (an ``ImageBuilderKey`` or the user's own ``kms.Key``) is *owned*: a grant adds a
key-policy statement (R13) and an identity-policy statement (R14). Any other ``kms.IKey`` (imported by
ARN) is not: the identity side is added, and the key-policy statements are recorded for the key's owner
(``key_policy_statements``) and printed as an info message at synth time. Whether the owner has added
them is a fact about the imported key, recorded once (``owner_adds_key_policy``).

One key-policy statement per kind of grant (its ``Sid``): later grantees join its principals, so the Sids
of a key policy stay unique however many roles are granted.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct, IConstruct

from secure_imagebuilder.core import permissions
from secure_imagebuilder.core.validation import ValidationProblems


@dataclass
class _Facts:
    """What this library knows about one key: its grant statements and whether its owner adds them."""

    statements: list[iam.PolicyStatement] = field(default_factory=list)
    by_sid: dict[str, iam.PolicyStatement] = field(default_factory=dict)
    arn: str | None = None
    owner_adds: bool = False
    # Where the owner's statements are reported (the wrapper of ImageBuilderKey.from_key_arn), else the key.
    report_on: Construct | None = None


# By the Python object for speed (the ARN is read for every component), and by construct path: jsii hands
# out a new Python proxy each time it returns a key created in Node (kms.Key.from_key_arn), so the same
# imported key can arrive as several objects. The path table is per app (its root).
_by_object: weakref.WeakKeyDictionary[object, _Facts] = weakref.WeakKeyDictionary()
_by_path: weakref.WeakKeyDictionary[object, dict[str, _Facts]] = weakref.WeakKeyDictionary()


def _of(key: kms.IKey) -> _Facts:
    found = _by_object.get(key)
    if found is None:
        table = _by_path.setdefault(key.node.root, {})
        found = _by_object[key] = table.setdefault(key.node.path, _Facts())
    return found


def checked(scope: IConstruct, key: object, prop: str = "key", child_id: str | None = None) -> kms.IKey:
    """``key`` as a ``kms.IKey``, or our error naming ``scope`` (or its ``child_id`` not created yet).

    The wrapper ``ImageBuilderKey.from_key_arn`` returns is unwrapped to its imported key.
    """
    if isinstance(key, kms.Key):  # the common case, without a round trip to Node
        return key
    inner = getattr(key, "imported_key", None)
    if inner is not None:
        return checked(scope, inner, prop, child_id)
    if hasattr(key, "key_arn") and hasattr(key, "add_to_resource_policy"):  # kms.IKey: no isinstance
        return key  # type: ignore[return-value]
    problems = ValidationProblems(scope, child_id)
    problems.add(
        f"{prop} must be a KMS key",
        key,
        "pass an ImageBuilderKey, your own kms.Key, or kms.Key.from_key_arn(scope, id, arn) for a key "
        "this app does not own",
    )
    problems.raise_if_any()
    raise AssertionError("unreachable")  # raise_if_any raised


def is_owned(key: kms.IKey) -> bool:
    """Whether this app creates the key (and so writes its key policy)."""
    return isinstance(key, kms.Key)


def arn(key: kms.IKey) -> str:
    """The key's ARN, read once per key (every component and workflow of the key asks for it)."""
    facts = _of(key)
    if facts.arn is None:
        facts.arn = key.key_arn
    return facts.arn


def owner_adds_key_policy(key: kms.IKey) -> kms.IKey:
    """Record that the owner of an imported ``key`` adds ``key_policy_statements(key)`` to its policy.

    Grants that only the key policy can give (to service-linked roles, services and other accounts) are
    then accepted for the key. Returns the key.
    """
    _of(key).owner_adds = True
    return key


def report_on(key: kms.IKey, scope: Construct) -> None:
    """Print the owner's key-policy statements for ``key`` on ``scope`` (a wrapper of the key)."""
    _of(key).report_on = scope


def owner_adds(key: kms.IKey) -> bool:
    """Whether ``owner_adds_key_policy`` was called for the key."""
    return _of(key).owner_adds


def add_to_key_policy(key: kms.IKey, statement: iam.PolicyStatement) -> bool:
    """Add a key-policy statement; ``False`` for a key this app does not own (reported to its owner)."""
    _of(key).statements.append(statement)
    if is_owned(key):
        key.add_to_resource_policy(statement)
        return True
    _report_for_owner(key, statement)
    return False


def key_policy_statements(key: kms.IKey) -> list[dict[str, Any]]:
    """The key-policy statements this app's grants need, resolved to CloudFormation JSON.

    For an imported key these are what its owner must add; principals and account numbers are intrinsic
    functions when the stack is environment-agnostic.
    """
    stack = cdk.Stack.of(key)
    return [stack.resolve(statement.to_statement_json()) for statement in _of(key).statements]


def grant(
    key: kms.IKey,
    grantee: iam.IGrantable,
    *,
    sid: str,
    actions: Sequence[str],
    conditions: dict[str, dict[str, Any]],
) -> iam.Grant:
    """Both sides of a scoped grant: the key-policy statement ``sid`` and the grantee's identity statement.

    The returned ``Grant`` reports both: ``principal_statements`` holds the identity statement,
    ``resource_statements`` the key-policy statement (shared by every grantee of the same kind), and it
    depends on the key policy when this app wrote it (an imported key's owner adds it instead).
    """
    if not hasattr(grantee, "grant_principal"):  # iam.IGrantable (a jsii interface: no isinstance)
        problems = ValidationProblems(key)
        problems.add(
            "a grant needs a role or other grantable principal",
            grantee,
            "pass the role, e.g. key.grant_workflow_execution(WorkflowExecutionRole(...))",
        )
        problems.raise_if_any()
    facts = _of(key)
    statement = facts.by_sid.get(sid)
    if statement is None:
        statement = iam.PolicyStatement(
            sid=sid,
            principals=[grantee.grant_principal],
            actions=list(actions),
            resources=["*"],
            conditions=conditions,
        )
        facts.by_sid[sid] = statement
        added = add_to_key_policy(key, statement)
    else:
        statement.add_principals(grantee.grant_principal)
        added = is_owned(key)
        if not added:
            _report_for_owner(key, statement)
    identity = iam.Grant.add_to_principal(
        grantee=grantee, actions=list(actions), resource_arns=[arn(key)], conditions=conditions
    )
    # Grant.add_to_principal_and_resource would add an unconditioned key-policy statement (and, in
    # aws-cdk-lib 2.275, report it as the principal statement): report our merged, scoped one instead.
    key_policy = iam.Grant.add_statement_to_resource_policy(
        grantee=grantee,
        actions=list(actions),
        resource_arns=[arn(key)],
        resource=_KeyPolicySide(key, added),
        statement=statement,
    )
    return identity.combine(key_policy)


def grant_workflow_execution(key: kms.IKey, grantee: iam.IGrantable) -> iam.Grant:
    """Let a workflow execution role encrypt and decrypt Image Builder workflows with ``key`` (R12-R14).

    Exactly ``kms:Decrypt`` and ``kms:GenerateDataKey`` under ``StringLike
    kms:EncryptionContext:aws:imagebuilder:arn arn:<partition>:imagebuilder:*:<account>:workflow/*``.
    """
    return grant(
        key,
        grantee,
        sid="AllowImageBuilderWorkflowExecutionRole",
        actions=permissions.WORKFLOW_KEY_ACTIONS,
        conditions=permissions.encryption_context_condition(key, "workflow"),
    )


def grant_component_decrypt(key: kms.IKey, grantee: iam.IGrantable) -> iam.Grant:
    """Let a build-instance role decrypt components of ``key``, only through Image Builder (R10, R12)."""
    return grant(
        key,
        grantee,
        sid="AllowImageBuilderComponentDecrypt",
        actions=permissions.COMPONENT_DECRYPT_ACTIONS,
        conditions={
            **permissions.encryption_context_condition(key, "component"),
            **permissions.called_via_imagebuilder_condition(),
        },
    )


def grant_container_recipe_decrypt(key: kms.IKey, grantee: iam.IGrantable) -> iam.Grant:
    """Let a container build instance decrypt container recipes of ``key``, only through Image Builder.

    AWS's ``EC2InstanceProfileForImageBuilderECRContainerBuilds`` lets the instance decrypt "an Image
    Builder component or container recipe" (awsdocs/ec2-image-builder-user-guide,
    security-iam-awsmanpol.md); this grants ``kms:Decrypt`` under the container-recipe encryption context.
    """
    return grant(
        key,
        grantee,
        sid="AllowImageBuilderContainerRecipeDecrypt",
        actions=permissions.COMPONENT_DECRYPT_ACTIONS,
        conditions={
            **permissions.encryption_context_condition(key, "container-recipe"),
            **permissions.called_via_imagebuilder_condition(),
        },
    )


def require_owner_grant(
    problems: ValidationProblems, key: kms.IKey, *, what: str, added_by_owner: bool
) -> None:
    """A grant to a principal whose policies we cannot write needs the key policy: fail if we cannot add it.

    Service-linked roles, service principals and other accounts get no identity policy from this app, so
    for a key the app does not own the grant only exists once the key's owner adds the statement.
    """
    if not is_owned(key) and not added_by_owner and not owner_adds(key):
        problems.add(
            f"the key is imported, so the key-policy grant for {what} cannot be added",
            arn(key),
            "use a key this app creates (ImageBuilderKey or kms.Key), or have the key's owner add the "
            "statements of key_policy_statements(key) and call owner_adds_key_policy(key)",
        )


@jsii.implements(iam.IResourceWithPolicy)
class _KeyPolicySide:
    """The key-policy half of a grant, as ``Grant.add_statement_to_resource_policy`` expects a resource.

    The statement itself is written by ``grant`` (merged by Sid); this only reports whether it was.
    """

    def __init__(self, key: kms.IKey, added: bool) -> None:
        self._key = key
        self._added = added

    @property
    def node(self) -> Any:
        return self._key.node

    @property
    def env(self) -> Any:
        return self._key.env

    @property
    def stack(self) -> cdk.Stack:
        return self._key.stack

    def apply_removal_policy(self, policy: cdk.RemovalPolicy) -> None:
        """Nothing to remove: the key policy belongs to the key."""

    def add_to_resource_policy(self, statement: iam.PolicyStatement) -> iam.AddToResourcePolicyResult:
        """Report the merged statement ``grant`` wrote (CDK's unmerged one is not added)."""
        if self._added:
            return iam.AddToResourcePolicyResult(statement_added=True, policy_dependable=self._key)
        return iam.AddToResourcePolicyResult(statement_added=False)


def _report_for_owner(key: kms.IKey, statement: iam.PolicyStatement) -> None:
    # The owner pastes this: intrinsics become ${AWS::AccountId}-style placeholders, not CloudFormation.
    stack = cdk.Stack.of(key)
    rendered = json.dumps(_placeholders(stack.resolve(statement.to_statement_json())), sort_keys=True)
    shown_key = json.dumps(_placeholders(stack.resolve(arn(key))))
    note = (
        " (replace ${AWS::AccountId}, ${AWS::Partition} and ${AWS::Region} with the deploying account's "
        "values, and ${<LogicalId>.Arn} with that resource's ARN once the stack is deployed)"
        if "${" in rendered
        else ""
    )
    cdk.Annotations.of(_of(key).report_on or key).add_info(
        f"the key {shown_key} is not owned by this app: ask its owner to add this statement to its key "
        f"policy{note}: {rendered}"
    )


def _placeholders(value: Any) -> Any:
    """Intrinsics as ``${AWS::AccountId}`` / ``${Logical.Arn}`` text that a key owner can fill in."""
    if isinstance(value, list):
        return [_placeholders(item) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((name, argument),) = value.items()
        if name == "Ref":
            return f"${{{argument}}}"
        if name == "Fn::GetAtt":
            return f"${{{argument[0]}.{argument[1]}}}"
        if name == "Fn::Join":
            separator, parts = argument
            return str(separator).join(str(_placeholders(part)) for part in parts)
    return {key: _placeholders(item) for key, item in value.items()}
