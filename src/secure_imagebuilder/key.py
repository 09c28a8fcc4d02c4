"""``ImageBuilderKey``: the customer managed KMS key that encrypts Image Builder data (R5, R10-R15)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import cast

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from secure_imagebuilder.core import checks, defaults, keys, permissions, thresholds, tokens
from secure_imagebuilder.core.thresholds import MIN_PENDING_WINDOW_DAYS
from secure_imagebuilder.core.validation import ValidationProblems


class ImageBuilderKey(kms.Key):
    """A customer managed KMS key whose key policy is scoped to EC2 Image Builder: a ``kms.Key``.

    Creates one ``AWS::KMS::Key`` (and an ``AWS::KMS::Alias`` when ``alias`` is given) with:

    - rotation on (R5), ``RemovalPolicy.RETAIN`` and a 30-day pending window (R15);
    - a key policy whose only unconditioned statements are the account root (so IAM can manage the key)
      and the named ``admins`` (administration actions only, no cryptographic use) (R13);
    - grants added by :meth:`grant_workflow_execution` and :meth:`grant_component_decrypt`, each limited
      by the Image Builder encryption context ``kms:EncryptionContext:aws:imagebuilder:arn`` (R12-R14).

    It goes wherever CDK takes a ``kms.IKey``. Every ``key`` prop of this library takes any ``kms.IKey``:
    this key, your own ``kms.Key`` (both grant sides are added, as here) or an imported one
    (:meth:`from_key_arn`: the identity side is added, and the key-policy side printed for its owner).
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
        pending_window: cdk.Duration | None = None,
        removal_policy: cdk.RemovalPolicy = defaults.KEY_REMOVAL_POLICY,
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
        problems = ValidationProblems(scope, id)
        checks.require_kinds(
            problems,
            removal_policy=(removal_policy, "removal_policy"),
            enable_key_rotation=(enable_key_rotation, "bool"),
        )
        days = _validate(problems, alias, pending_window, rotation_period, admins)
        window = pending_window or cdk.Duration.days(defaults.KEY_PENDING_WINDOW_DAYS)
        token_window = pending_window is not None and pending_window.is_unresolved()
        stack = cdk.Stack.of(scope)
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
        super().__init__(
            scope,
            id,
            description=description or f"Encrypts EC2 Image Builder data of stack {stack.stack_name}",
            enable_key_rotation=enable_key_rotation,
            rotation_period=rotation_period,
            # CDK compares the days with 7..30 and refuses a number token: that one goes on the L1.
            pending_window=None if token_window else window,
            removal_policy=removal_policy,
            policy=policy,
        )
        if token_window:
            cast(kms.CfnKey, self.node.default_child).pending_window_in_days = window.to_days()
        if alias:
            self.add_alias(alias)
        if days is not None and days < MIN_PENDING_WINDOW_DAYS:  # allowed by KMS, reported by our pack
            cdk.Annotations.of(self).add_warning_v2(
                "secure-imagebuilder:pendingWindowBelowPack",
                f"pending_window of {days} days: DataProtection-KMS3 reports keys whose deletion waits less "
                f"than {MIN_PENDING_WINDOW_DAYS} days (R15); keep the default, or acknowledge the rule "
                "with a reason",
            )

    @classmethod
    def from_key_arn(cls, scope: Construct, id: str, key_arn: str) -> kms.IKey:
        """A key this app does not create (cross-account, or managed elsewhere), its ARN checked.

        Every ``key`` prop takes it (or any other imported ``kms.IKey``). A key created outside this app is
        owned outside it: grants add the identity side (R14), and the key-policy statements its owner
        must add (R13) are printed once per key at synth time (an info message of ``cdk synth``).
        An alias ARN is refused: KMS authorizes key use on the key ARN, so a grant on an alias never
        matches.
        """
        if not isinstance(key_arn, str) or (
            not tokens.is_unresolved(key_arn) and not _KEY_ARN.match(key_arn)
        ):
            problems = ValidationProblems(scope, id)
            problems.add(
                "key_arn must be a key ARN, arn:<partition>:kms:<region>:<account>:key/<key id>",
                key_arn,
                "KMS authorizes key use on the key ARN, so a grant on an alias ARN never matches: pass the "
                "key's ARN (aws kms describe-key --key-id alias/... shows it)",
            )
            problems.raise_if_any()
        return kms.Key.from_key_arn(scope, id, key_arn)

    def grant_workflow_execution(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let a workflow execution role encrypt and decrypt Image Builder workflows with this key.

        Adds both steps of the guide: a key-policy statement (R13) and an identity-policy statement on
        the key's ARN (R14), each allowing exactly ``kms:Decrypt`` and ``kms:GenerateDataKey`` under
        ``StringLike kms:EncryptionContext:aws:imagebuilder:arn arn:<partition>:imagebuilder:*:<account>:
        workflow/*`` (R12).
        """
        return keys.grant_workflow_execution(self, grantee)

    def grant_component_decrypt(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let a build-instance role decrypt components encrypted with this key, only through Image Builder.

        Adds ``kms:Decrypt`` on both sides (key policy and identity policy) under the component
        encryption context (``...:component/*``, R10, R12) and ``aws:CalledVia``
        ``imagebuilder.amazonaws.com``, as Image Builder's own instance profile policy does.
        """
        return keys.grant_component_decrypt(self, grantee)

    def grant_container_recipe_decrypt(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let a container build instance decrypt this key's container recipes, only through Image Builder."""
        return keys.grant_container_recipe_decrypt(self, grantee)


def _validate(
    problems: ValidationProblems,
    alias: object,
    pending_window: object,
    rotation_period: object,
    admins: object,
) -> int | None:
    """KMS's own limits, checked before CDK's (whose messages name no construct); the pending days."""
    if alias is not None and not tokens.is_unresolved(alias):
        if not isinstance(alias, str) or not _ALIAS.match(alias) or alias.startswith("alias/aws/"):
            problems.add(
                "alias must start with 'alias/' and not with the reserved 'alias/aws/', then 1-250 "
                "letters, digits, '/', '_' or '-'",
                alias,
                "use a name like 'alias/imagebuilder'",
            )
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
    days = _whole_days(problems, "pending_window", pending_window)
    if days is not None and not thresholds.within(days, thresholds.KMS_PENDING_WINDOW_DAYS):
        problems.add(
            "pending_window must be 7 to 30 days (R15)", f"{days} days", "use Duration.days(30), the default"
        )
    rotation_days = _whole_days(problems, "rotation_period", rotation_period)
    if rotation_days is not None and not thresholds.within(
        rotation_days, thresholds.KMS_ROTATION_PERIOD_DAYS
    ):
        problems.add(
            "rotation_period must be 90 to 2560 days (the KMS limits)",
            f"{rotation_days} days",
            "leave it unset (365 days) or pick a value in the range",
        )
    problems.raise_if_any()
    return days


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
