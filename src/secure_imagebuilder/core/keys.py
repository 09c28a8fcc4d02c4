"""Any ``kms.IKey``, the Image Builder way: ownership, key-policy statements, grants on both sides.

A key this app creates (an ``ImageBuilderKey`` or the user's own ``kms.Key``) is *owned*: a grant adds a
key-policy statement (R13) and an identity-policy statement (R14). Any other ``kms.IKey`` (imported by
ARN) is owned elsewhere, and that is the one way this library knows it: the identity side is added, and
the key-policy statements its owner must add are reported one way, one info message per key at synth
time (``cdk synth`` prints it), complete with every grantee.

One key-policy statement per kind of grant (its ``Sid``): later grantees join its principals, so the Sids
of a key policy stay unique however many roles are granted.
"""

from __future__ import annotations

import json
import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import IConstruct, IValidation

from secure_imagebuilder.core import permissions, tokens
from secure_imagebuilder.core.validation import ValidationProblems


@dataclass
class _Facts:
    """What this library knows about one key: its grant statements, its ARN, whether its report is due."""

    statements: list[iam.PolicyStatement] = field(default_factory=list)
    by_sid: dict[str, iam.PolicyStatement] = field(default_factory=dict)
    arn: str | None = None
    reported: bool = False
    refused: tuple[str, str] | Literal[False] | None = None


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
    """``key`` as a customer managed ``kms.IKey``, or our error naming ``scope`` (or its ``child_id``).

    What :func:`check` refuses raises at once.
    """
    if isinstance(key, kms.Key):  # the common case, without a round trip to Node
        return key
    problems = ValidationProblems(scope, child_id)
    found = check(problems, key, prop)
    problems.raise_if_any()
    assert found is not None
    return found


def check(problems: ValidationProblems, key: object, prop: str = "key") -> kms.IKey | None:
    """``key`` as a customer managed ``kms.IKey``; else its problem is recorded and ``None`` returned.

    Refused with the fix (import by key ARN): anything that is not a key; an alias (``kms.Alias``,
    ``Alias.from_alias_name``, ``Key.from_key_arn`` of an ``alias/...`` ARN), whose grants never match
    because KMS authorizes key use on the key ARN; a key found by ``Key.from_lookup``, an alias resolved
    once with AWS credentials and cached, so the grants follow a key chosen outside the app; and an AWS
    managed key (``alias/aws/...``), whose key policy belongs to AWS and cannot grant Image Builder's
    roles (R10-R13).
    """
    if isinstance(key, kms.Key):
        return key
    if not (hasattr(key, "key_arn") and hasattr(key, "add_to_resource_policy")):  # kms.IKey: no isinstance
        problems.add(
            f"{prop} must be a KMS key",
            key,
            "pass an ImageBuilderKey, your own kms.Key, or ImageBuilderKey.from_key_arn(scope, id, arn) for "
            "a key this app does not own",
        )
        return None
    facts = _of(key)  # type: ignore[arg-type]
    if facts.refused is None:  # read once per key: a component per key would cost a round trip each
        facts.refused = _not_customer_managed(key)  # type: ignore[arg-type]
    if facts.refused:
        what, value = facts.refused
        problems.add(f"{prop} {what}", value, _BY_KEY_ARN)
        return None
    return key  # type: ignore[return-value]


_BY_KEY_ARN = (
    "pass a customer managed key: an ImageBuilderKey or your own kms.Key, or import one by its key ARN "
    "with ImageBuilderKey.from_key_arn(scope, id, 'arn:<partition>:kms:<region>:<account>:key/<key id>') "
    "(aws kms describe-key --key-id alias/... shows it)"
)
_AWS_MANAGED = (
    "is an AWS managed key, whose key policy AWS owns: it cannot grant Image Builder's roles (R10-R13)"
)
_ALIAS = "is a KMS alias, not a key: KMS authorizes key use on the key ARN, so grants on an alias never match"
_LOOKUP = (
    "is a key found by Key.from_lookup: the alias is resolved once with AWS credentials and cached in "
    "cdk.context.json, so grants follow a key chosen outside this app and not the alias when it moves"
)
# The key id Key.from_lookup returns before (or instead of) a lookup (aws-kms Key.DEFAULT_DUMMY_KEY_ID).
_LOOKUP_DUMMY_KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
_LOOKUP_CONTEXT = "key-provider:"


def _not_customer_managed(key: kms.IKey) -> tuple[str, str] | Literal[False]:
    """Why ``key`` (an imported ``kms.IKey``) is no customer managed key known by its ARN, with the value."""
    alias_name = getattr(key, "alias_name", None)  # kms.IAlias: a created or imported alias
    if isinstance(alias_name, str):
        managed = alias_name.startswith("alias/aws/")
        shown = key.node.path if tokens.is_unresolved(alias_name) else alias_name  # an alias of this app
        return (_AWS_MANAGED if managed else _ALIAS), shown
    text = arn(key)
    if tokens.is_unresolved(text.split(":kms:", 1)[-1]):
        return False  # an ARN from a parameter or an import: CloudFormation's to check
    resource = text.rsplit(":", 1)[-1]
    if resource.startswith("alias/"):
        return (_AWS_MANAGED if resource.startswith("alias/aws/") else _ALIAS), text
    key_id = resource.removeprefix("key/")
    for context_key, value in key.node.get_all_context().items():
        found = isinstance(value, dict) and value.get("keyId") == key_id
        if context_key.startswith(_LOOKUP_CONTEXT) and found:
            alias = re.search(r":aliasName=(alias/[^:]*)", context_key)
            shown = f"Key.from_lookup(alias_name={alias.group(1)!r})" if alias else key_id
            managed = alias is not None and alias.group(1).startswith("alias/aws/")
            return (_AWS_MANAGED if managed else _LOOKUP), shown
    if key_id == _LOOKUP_DUMMY_KEY_ID and tokens.is_unresolved(text.split(":kms:", 1)[0]):
        return _LOOKUP, f"{key_id} (a lookup not done yet)"
    return False


def is_owned(key: kms.IKey) -> bool:
    """Whether this app creates the key (and so writes its key policy)."""
    return isinstance(key, kms.Key)


def arn(key: kms.IKey) -> str:
    """The key's ARN, read once per key (every component and workflow of the key asks for it)."""
    facts = _of(key)
    if facts.arn is None:
        facts.arn = key.key_arn
    return facts.arn


def add_to_key_policy(key: kms.IKey, statement: iam.PolicyStatement) -> bool:
    """Add a key-policy statement; ``False`` for a key owned elsewhere (reported to its owner at synth)."""
    facts = _of(key)
    facts.statements.append(statement)
    if is_owned(key):
        key.add_to_resource_policy(statement)
        return True
    if not facts.reported:
        facts.reported = True
        key.node.add_validation(_OwnerReport(key))
    return False


def key_policy_statements(key: kms.IKey) -> list[dict[str, Any]]:
    """The key-policy statements this app's grants need, resolved to CloudFormation JSON.

    For a key owned elsewhere these are what its owner must add (the synth-time report prints them);
    principals and account numbers are intrinsic functions when the stack is environment-agnostic.
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
        statement.add_principals(grantee.grant_principal)  # the report renders the final statement
        added = is_owned(key)
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


@jsii.implements(IValidation)
class _OwnerReport:
    """At synth, after every grant: one info message with the statements the key's owner must add."""

    def __init__(self, key: kms.IKey) -> None:
        self._key = key

    def validate(self) -> list[str]:
        """Add the report (an info message on the key); never an error."""
        key = self._key
        stack = cdk.Stack.of(key)
        # The owner pastes this: intrinsics become ${AWS::AccountId}-style placeholders, not CloudFormation.
        rendered = json.dumps(_placeholders(key_policy_statements(key)), sort_keys=True)
        shown_key = json.dumps(_placeholders(stack.resolve(arn(key))))
        note = (
            " (replace ${AWS::AccountId}, ${AWS::Partition} and ${AWS::Region} with the deploying account's "
            "values, and ${<LogicalId>.Arn} with that resource's ARN once the stack is deployed)"
            if "${" in rendered
            else ""
        )
        cdk.Annotations.of(key).add_info(
            f"the key {shown_key} is owned outside this app: ask its owner to add these statements to its "
            f"key policy{note}: {rendered}"
        )
        return []


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
