"""``ImageBuilderKey``: the customer managed KMS key that encrypts Image Builder data (R5, R10-R15)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, cast

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from secure_imagebuilder.core import defaults, permissions, tokens
from secure_imagebuilder.core.validation import ValidationProblems, shown
from secure_imagebuilder.rules.kms.pending_window import MIN_PENDING_WINDOW_DAYS


class ImageBuilderKey(Construct):
    """A customer managed KMS key whose key policy is scoped to EC2 Image Builder.

    Creates one ``AWS::KMS::Key`` (and an ``AWS::KMS::Alias`` when ``alias`` is given) with:

    - rotation on (R5), ``RemovalPolicy.RETAIN`` and a 30-day pending window (R15);
    - a key policy whose only unconditioned statements are the account root (so IAM can manage the key)
      and the named ``admins`` (administration actions only, no cryptographic use) (R13);
    - grants added by :meth:`grant_workflow_execution` and :meth:`grant_component_decrypt`, each limited
      by the Image Builder encryption context ``kms:EncryptionContext:aws:imagebuilder:arn`` (R12-R14).

    Use :meth:`from_key_arn` for a key you do not own: grants then add the identity side only, and
    :meth:`key_policy_statements` returns the key-policy statements the key's owner must add.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        alias: str | None = None,
        description: str | None = None,
        admins: Sequence[iam.IPrincipal] | None = None,
        enable_key_rotation: bool = defaults.KEY_ROTATION_ENABLED,
        rotation_period: cdk.Duration | None = None,
        pending_window: cdk.Duration = defaults.KEY_PENDING_WINDOW,
        removal_policy: cdk.RemovalPolicy = defaults.KEY_REMOVAL_POLICY,
        _imported: kms.IKey | None = None,
    ) -> None:
        """Create the key.

        :param alias: an alias such as ``alias/imagebuilder``. Default: - no alias.
        :param description: the key's description. Default: - says what the key protects.
        :param admins: principals that administer the key (no encrypt or decrypt). Default: - only the
            account root, through IAM policies.
        :param enable_key_rotation: rotate the key material (R5). Default: - ``True``.
        :param rotation_period: how often to rotate. Default: - 365 days (the KMS default).
        :param pending_window: the waiting period before a scheduled deletion (R15). Default: - 30 days,
            the maximum.
        :param removal_policy: what happens to the key when it leaves the stack (R15). Default: -
            ``RemovalPolicy.RETAIN``.
        """
        super().__init__(scope, id)
        self._grant_statements: list[iam.PolicyStatement] = []
        self._grants_by_sid: dict[str, iam.PolicyStatement] = {}
        self._key_arn: str | None = None

        if _imported is not None:
            self.key: kms.IKey = _imported
            self.owned = False
            return

        self._validate(
            alias=alias, pending_window=pending_window, rotation_period=rotation_period, admins=admins
        )
        stack = cdk.Stack.of(self)
        policy = iam.PolicyDocument(
            statements=[
                iam.PolicyStatement(
                    sid="AllowAccountRootToAdministerKey",
                    principals=[iam.AccountRootPrincipal()],
                    actions=["kms:*"],
                    resources=["*"],
                )
            ]
        )
        if admins:
            policy.add_statements(
                iam.PolicyStatement(
                    sid="AllowKeyAdministrators",
                    principals=list(admins),
                    actions=list(permissions.KEY_ADMIN_ACTIONS),
                    resources=["*"],
                )
            )
        key = kms.Key(
            self,
            "Resource",
            description=description or f"Encrypts EC2 Image Builder data of stack {stack.stack_name}",
            enable_key_rotation=enable_key_rotation,
            rotation_period=rotation_period,
            # CDK compares the days with 7..30 and refuses a number token: that one goes on the L1.
            pending_window=None if pending_window.is_unresolved() else pending_window,
            removal_policy=removal_policy,
            policy=policy,
        )
        if pending_window.is_unresolved():
            cast(kms.CfnKey, key.node.default_child).pending_window_in_days = pending_window.to_days()
        if alias:
            key.add_alias(alias)
        self.key = key
        self.owned = True

    @classmethod
    def from_key_arn(cls, scope: Construct, id: str, key_arn: str) -> ImageBuilderKey:
        """Use an existing key you do not own (cross-account or managed elsewhere).

        Grants then add only the identity policy side (R14); the key-policy side (R13) is reported as an
        info message at synth time and returned by :meth:`key_policy_statements`, ready to paste into
        the key's policy.
        """
        if not isinstance(key_arn, str) or (
            not tokens.is_unresolved(key_arn) and not _KEY_ARN.match(key_arn)
        ):
            path = f"{scope.node.path}/{id}".lstrip("/")
            raise ValueError(
                f"{path}: key_arn must be a key ARN, arn:<partition>:kms:<region>:<account>:key/<key id>: "
                f"got {shown(key_arn)}; KMS authorizes key use on the key ARN, so a grant on an alias ARN "
                "never matches: pass the key's ARN (aws kms describe-key --key-id alias/... shows it)"
            )
        imported = kms.Key.from_key_arn(scope, f"{id}Imported", key_arn)
        return cls(scope, id, _imported=imported)

    @property
    def key_arn(self) -> str:
        """The ARN of the key."""
        if self._key_arn is None:  # read once: every component and workflow of the key asks for it
            self._key_arn = self.key.key_arn
        return self._key_arn

    @property
    def key_id(self) -> str:
        """The id of the key."""
        return self.key.key_id

    def grant_workflow_execution(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let a workflow execution role encrypt and decrypt Image Builder workflows with this key.

        Adds both steps of the guide: a key-policy statement (R13) and an identity-policy statement on
        the key's ARN (R14), each allowing exactly ``kms:Decrypt`` and ``kms:GenerateDataKey`` under
        ``StringLike kms:EncryptionContext:aws:imagebuilder:arn arn:<partition>:imagebuilder:*:<account>:
        workflow/*`` (R12).
        """
        return self._grant_both_sides(
            grantee,
            sid="AllowImageBuilderWorkflowExecutionRole",
            actions=permissions.WORKFLOW_KEY_ACTIONS,
            conditions=permissions.encryption_context_condition(self, "workflow"),
        )

    def grant_component_decrypt(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let a build-instance role decrypt components encrypted with this key, only through Image Builder.

        Adds ``kms:Decrypt`` on both sides (key policy and identity policy) under the component
        encryption context (``...:component/*``, R10, R12) and ``aws:CalledVia``
        ``imagebuilder.amazonaws.com``, as Image Builder's own instance profile policy does.
        """
        return self._grant_both_sides(
            grantee,
            sid="AllowImageBuilderComponentDecrypt",
            actions=permissions.COMPONENT_DECRYPT_ACTIONS,
            conditions={
                **permissions.encryption_context_condition(self, "component"),
                **permissions.called_via_imagebuilder_condition(),
            },
        )

    def grant_container_recipe_decrypt(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let a container build instance decrypt container recipes of this key, only through Image Builder.

        AWS's ``EC2InstanceProfileForImageBuilderECRContainerBuilds`` lets the instance decrypt "an Image
        Builder component or container recipe" (awsdocs/ec2-image-builder-user-guide,
        security-iam-awsmanpol.md); this grants ``kms:Decrypt`` on both sides under the container-recipe
        encryption context (``...:container-recipe/*``, R12) and ``aws:CalledVia`` Image Builder.
        """
        return self._grant_both_sides(
            grantee,
            sid="AllowImageBuilderContainerRecipeDecrypt",
            actions=permissions.COMPONENT_DECRYPT_ACTIONS,
            conditions={
                **permissions.encryption_context_condition(self, "container-recipe"),
                **permissions.called_via_imagebuilder_condition(),
            },
        )

    def add_to_key_policy(self, statement: iam.PolicyStatement) -> bool:
        """Add a statement to the key policy; ``False`` when the key is imported (and nothing was added).

        For an imported key the statement is remembered for :meth:`key_policy_statements` and reported
        as an info message, so that the key's owner can add it.
        """
        self._grant_statements.append(statement)
        if self.owned:
            self.key.add_to_resource_policy(statement)
            return True
        self._report_statement_for_owner(statement)
        return False

    def key_policy_statements(self) -> list[dict[str, Any]]:
        """The key-policy statements this app's grants need, resolved to CloudFormation JSON.

        For an imported key these are what the key's owner must add to its policy; principals and
        account numbers are intrinsic functions when the stack is environment-agnostic.
        """
        stack = cdk.Stack.of(self)
        return [stack.resolve(statement.to_statement_json()) for statement in self._grant_statements]

    def _grant_both_sides(
        self,
        grantee: iam.IGrantable,
        *,
        sid: str,
        actions: Sequence[str],
        conditions: dict[str, dict[str, str]],
    ) -> iam.Grant:
        if not hasattr(grantee, "grant_principal"):  # iam.IGrantable (a jsii interface: no isinstance)
            problems = ValidationProblems(self)
            problems.add(
                "a grant needs a role or other grantable principal",
                grantee,
                "pass the role, e.g. key.grant_workflow_execution(WorkflowExecutionRole(...))",
            )
            problems.raise_if_any()
        # One key-policy statement per kind of grant: later grantees join its principals, so Sids stay
        # unique. For an imported key it is reported to the owner instead (add_to_key_policy).
        statement = self._grants_by_sid.get(sid)
        if statement is None:
            statement = iam.PolicyStatement(
                sid=sid,
                principals=[grantee.grant_principal],
                actions=list(actions),
                resources=["*"],
                conditions=conditions,
            )
            self._grants_by_sid[sid] = statement
            self.add_to_key_policy(statement)
        else:
            statement.add_principals(grantee.grant_principal)
            if not self.owned:
                self._report_statement_for_owner(statement)
        return iam.Grant.add_to_principal(
            grantee=grantee, actions=list(actions), resource_arns=[self.key_arn], conditions=conditions
        )

    def _report_statement_for_owner(self, statement: iam.PolicyStatement) -> None:
        # The owner pastes this: intrinsics become ${AWS::AccountId}-style placeholders, not CloudFormation.
        stack = cdk.Stack.of(self)
        rendered = json.dumps(_placeholders(stack.resolve(statement.to_statement_json())), sort_keys=True)
        key = json.dumps(_placeholders(stack.resolve(self.key_arn)))
        note = (
            " (replace ${AWS::AccountId}, ${AWS::Partition} and ${AWS::Region} with the deploying account's "
            "values, and ${<LogicalId>.Arn} with that resource's ARN once the stack is deployed)"
            if "${" in rendered
            else ""
        )
        cdk.Annotations.of(self).add_info(
            f"the key {key} is not owned by this app: ask its owner to add this statement to its key "
            f"policy{note}: {rendered}"
        )

    def _validate(
        self,
        *,
        alias: str | None,
        pending_window: cdk.Duration,
        rotation_period: cdk.Duration | None,
        admins: object,
    ) -> None:
        """KMS's own limits, checked here so the message names this construct (CDK's would not)."""
        problems = ValidationProblems(self)
        if admins is not None and (
            isinstance(admins, str | bytes | Mapping)
            or not isinstance(admins, Sequence)
            or not all(hasattr(admin, "policy_fragment") for admin in admins)  # iam.IPrincipal
        ):
            problems.add(
                "admins must be a list of principals",
                admins,
                "wrap it in a list, e.g. admins=[iam.AccountRootPrincipal()] or [role]",
            )
        if alias is not None and not tokens.is_unresolved(alias):
            if not isinstance(alias, str) or not _ALIAS.match(alias) or alias.startswith("alias/aws/"):
                problems.add(
                    "alias must start with 'alias/' and not with the reserved 'alias/aws/', then 1-250 "
                    "letters, digits, '/', '_' or '-'",
                    alias,
                    "use a name like 'alias/imagebuilder'",
                )
        days = _whole_days(problems, "pending_window", pending_window)
        if days is not None and not 7 <= days <= 30:
            problems.add(
                "pending_window must be 7 to 30 days (R15)",
                f"{days} days",
                "use Duration.days(30), the default",
            )
        rotation_days = _whole_days(problems, "rotation_period", rotation_period)
        if rotation_days is not None and not 90 <= rotation_days <= 2560:
            problems.add(
                "rotation_period must be 90 to 2560 days (the KMS limits)",
                f"{rotation_days} days",
                "leave it unset (365 days) or pick a value in the range",
            )
        problems.raise_if_any()
        if days is not None and days < MIN_PENDING_WINDOW_DAYS:  # allowed by KMS, reported by our pack
            cdk.Annotations.of(self).add_warning_v2(
                "secure-imagebuilder:pendingWindowBelowPack",
                f"pending_window of {days} days: DataProtection-KMS3 reports keys whose deletion waits less "
                f"than {MIN_PENDING_WINDOW_DAYS} days (R15); keep the default, or acknowledge the rule "
                "with a reason",
            )


# KMS alias names: https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html (AliasName).
_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/(?:[0-9a-f-]{36}|mrk-[0-9a-f]{32})\Z")
_ALIAS = re.compile(r"^alias/[a-zA-Z0-9/_-]{1,250}\Z")


def _whole_days(problems: ValidationProblems, what: str, value: object) -> int | None:
    """A Duration prop as whole days; our error for a number, another type or a fraction of a day."""
    if value is None:
        return None
    if not isinstance(value, cdk.Duration):
        problems.add(f"{what} must be a Duration", value, f"pass {what}=Duration.days(...)")
        return None
    if value.is_unresolved():
        return None
    hours = value.to_hours(integral=False)
    if hours % 24:
        problems.add(f"{what} must be whole days", value.to_human_string(), f"pass {what}=Duration.days(...)")
        return None
    return int(hours // 24)


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


def require_key(scope: Construct, key: object, prop: str = "key") -> ImageBuilderKey:
    """``key``, or our error naming ``scope`` when it is not an ``ImageBuilderKey`` (before any use of it)."""
    if not isinstance(key, ImageBuilderKey):
        problems = ValidationProblems(scope)
        problems.add(
            f"{prop} must be an ImageBuilderKey",
            key,
            "pass ImageBuilderKey(...) or, for a key of your own, "
            "ImageBuilderKey.from_key_arn(scope, id, arn)",
        )
        problems.raise_if_any()
    return cast(ImageBuilderKey, key)
