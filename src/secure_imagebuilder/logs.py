"""Where Image Builder's logs go (R17): an encrypted S3 bucket and, optionally, encrypted log groups."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from secure_imagebuilder.core import (
    checks,
    defaults,
    keys,
    permissions,
    suppressions,
    thresholds,
    tokens,
)
from secure_imagebuilder.core.validation import ValidationProblems


class ImageBuilderLogBucket(s3.Bucket):
    """An ``s3.Bucket`` for build logs, encrypted with the customer key and closed to the public.

    Creates one ``AWS::S3::Bucket`` and its ``AWS::S3::BucketPolicy`` (R17) with:

    - SSE-KMS with the customer key and an S3 Bucket Key (R5);
    - versioning, object ownership enforced, every public access blocked (R1, R5);
    - a bucket policy that denies requests without TLS or below TLS 1.2 (R3);
    - ``RemovalPolicy.RETAIN``; older versions expire after a year, unfinished uploads after 7 days.

    Server access logging is off unless ``server_access_logs_bucket`` is given: this bucket holds logs
    already, and access-log targets cannot use SSE-KMS (acknowledged as ``AwsSolutions-S1``).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        key: kms.IKey,
        bucket_name: str | None = None,
        server_access_logs_bucket: s3.IBucket | None = None,
        removal_policy: cdk.RemovalPolicy = defaults.LOG_REMOVAL_POLICY,
    ) -> None:
        """Create the bucket.

        :param key: the customer managed key that encrypts the logs (R5).
        :param bucket_name: a physical name (no sensitive data, R8). Default: - a generated name.
        :param server_access_logs_bucket: where S3 server access logs go. Default: - none.
        :param removal_policy: what happens to the bucket when it leaves the stack (R17). Default: -
            ``RemovalPolicy.RETAIN``.
        """
        checked = keys.checked(scope, key, child_id=id)
        problems = ValidationProblems(scope, id)
        checks.require_kinds(
            problems,
            server_access_logs_bucket=(server_access_logs_bucket, "bucket"),
            removal_policy=(removal_policy, "removal_policy"),
        )
        problems.raise_if_any()
        super().__init__(
            scope,
            id,
            bucket_name=bucket_name,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=checked,
            bucket_key_enabled=True,
            versioned=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            minimum_tls_version=thresholds.MIN_TLS_VERSION,
            server_access_logs_bucket=server_access_logs_bucket,
            removal_policy=removal_policy,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ExpireOldVersions",
                    noncurrent_version_expiration=cdk.Duration.days(
                        defaults.NONCURRENT_VERSION_EXPIRATION_DAYS
                    ),
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(
                        defaults.ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS
                    ),
                )
            ],
        )
        if server_access_logs_bucket is None:
            reason = (
                "The bucket holds Image Builder build logs (R17); S3 access-log targets cannot "
                "use SSE-KMS. Pass server_access_logs_bucket to log access as well."
            )
            suppressions.acknowledge(self, "AwsSolutions-S1", reason)
            resource = suppressions.default_resource(self)
            if resource is not None:
                suppressions.skip_checkov(resource, "CKV_AWS_18", reason)


def check_log_bucket(problems: ValidationProblems, bucket: s3.IBucket) -> None:
    """A bucket you give must be encrypted with a KMS key the app knows about (R5, R17)."""
    if bucket.encryption_key is None:
        problems.add(
            "the log bucket has no KMS key, so build logs would not be encrypted with a customer key (R5)",
            bucket.node.path,
            "use ImageBuilderLogBucket, create the bucket with encryption=BucketEncryption.KMS, or import it "
            "with Bucket.from_bucket_attributes(..., encryption_key=key)",
        )


def grant_log_write(bucket: s3.IBucket, grantee: iam.IGrantable, prefix: str) -> iam.Grant:
    """Let ``grantee`` put log objects under ``prefix``, encrypted with the bucket's key through S3 only.

    Nothing else: no read, no delete, no list (R1). The key use (``kms:GenerateDataKey``, and
    ``kms:Decrypt`` for multipart uploads) is limited to this bucket's encryption context. The key side
    needs no key-policy statement: the key policy delegates to IAM in its own account.
    """
    objects = bucket.arn_for_objects(f"{prefix}*")
    grant = iam.Grant.add_to_principal(
        grantee=grantee,
        actions=list(permissions.INSTANCE_LOG_OBJECT_ACTIONS),
        resource_arns=[objects],
    )
    if isinstance(grantee, iam.Role):
        suppressions.acknowledge_value(
            grantee,
            "AwsSolutions-IAM5",
            "Resource",
            objects,
            "Build logs get new object keys on every build (R17); the role may only put "
            "objects under its own log prefix, never read, list or delete them.",
        )
    if bucket.encryption_key is not None:
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=list(permissions.S3_WRITE_KEY_ACTIONS),
            resource_arns=[bucket.encryption_key.key_arn],
            conditions={
                "StringEquals": {"kms:ViaService": permissions.via_service(bucket, "s3")},
                # The object's ARN, or the bucket's with an S3 Bucket Key (Amazon S3 User Guide,
                # "Encryption context"): only this bucket's log prefix, not any bucket using the key.
                "StringLike": {"kms:EncryptionContext:aws:s3:arn": [bucket.bucket_arn, objects]},
            },
        )
    return grant


class ImageBuilderLogGroup(logs.LogGroup):
    """A CloudWatch ``logs.LogGroup`` encrypted with the customer key (R5, R17).

    Creates one ``AWS::Logs::LogGroup`` (``RemovalPolicy.RETAIN``, one-year retention) and adds a
    key-policy statement letting ``logs.<region>.amazonaws.com`` use the key only under the encryption
    context of this log group (``kms:EncryptionContext:aws:logs:arn``), as CloudWatch Logs documents.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        key: kms.IKey,
        log_group_name: str,
        retention: logs.RetentionDays = defaults.LOG_RETENTION,
        removal_policy: cdk.RemovalPolicy = defaults.LOG_REMOVAL_POLICY,
    ) -> None:
        """Create the log group.

        :param key: the customer managed key that encrypts the log events (R5).
        :param log_group_name: the name, e.g. ``/aws/imagebuilder/<image name>``.
        :param retention: how long the events are kept. Default: - one year.
        :param removal_policy: what happens to the log group when it leaves the stack (R17). Default: -
            ``RemovalPolicy.RETAIN``.
        """
        checked = keys.checked(scope, key, child_id=id)
        problems = ValidationProblems(scope, id)
        checks.require_kinds(
            problems, retention=(retention, "retention"), removal_policy=(removal_policy, "removal_policy")
        )
        problems.raise_if_any()
        super().__init__(
            scope,
            id,
            log_group_name=log_group_name,
            encryption_key=checked,
            retention=retention,
            removal_policy=removal_policy,
        )
        stack = cdk.Stack.of(self)
        log_group_arn = (
            f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:log-group:{log_group_name}"
        )
        keys.add_to_key_policy(
            checked,
            iam.PolicyStatement(
                sid=f"AllowCloudWatchLogs{cdk.Names.unique_id(self)}"[:120],
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.{stack.url_suffix}")],
                actions=list(permissions.LOGS_KEY_ACTIONS),
                resources=["*"],
                conditions={"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": log_group_arn}},
            ),
        )


BUILD_LOG_PREFIX = "/aws/imagebuilder/"
"""Where Image Builder's service-linked role writes build logs (AWSServiceRoleForImageBuilder may write to
``/aws/imagebuilder/*`` only; a group elsewhere needs an execution role allowed to write to it)."""


def check_build_log_group(problems: ValidationProblems, prop: str, group: object) -> None:
    """A build log group you give: an ``ILogGroup`` under ``/aws/imagebuilder/`` (R17)."""
    checks.require_kinds(problems, **{prop: (group, "log_group")})
    name = getattr(group, "log_group_name", None) if hasattr(group, "log_group_arn") else None
    if isinstance(name, str) and not tokens.is_unresolved(name) and not name.startswith(BUILD_LOG_PREFIX):
        problems.add(
            f"{prop} must be under {BUILD_LOG_PREFIX}, where Image Builder's service-linked role writes "
            "build logs; elsewhere they would be lost",
            name,
            f"name the group {BUILD_LOG_PREFIX}<name> (ImageBuilderLogGroup, encrypted, with retention)",
        )


def log_group_name(recipe: object, unique: str) -> str:
    """``/aws/imagebuilder/<recipe name>/<unique>``, the build log group of one image of ``recipe``.

    Under ``/aws/imagebuilder/``, where AWS's build instance profiles may write
    (``EC2InstanceProfileForImageBuilder``). The recipe's name only when it is written in the app (spaces,
    which Image Builder names may hold and log group names may not, become ``-``): a name read from the
    recipe resource would make the key policy's statement for this group depend on the recipe, and a
    recipe encrypted with the same key on the key, a cycle.
    """
    name = getattr(recipe, "image_recipe_name", None) or getattr(recipe, "container_recipe_name", None)
    if isinstance(name, str) and tokens.is_unresolved(name):  # an alpha recipe: the name its L1 was given
        name = getattr(getattr(getattr(recipe, "node", None), "default_child", None), "name", None)
    if not isinstance(name, str) or tokens.is_unresolved(name):
        return f"{BUILD_LOG_PREFIX}{unique}"
    return f"{BUILD_LOG_PREFIX}{name.replace(' ', '-')}/{unique}"
