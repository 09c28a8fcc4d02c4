"""``ImageBuilderAuditTrail``: a CloudTrail trail that records the KMS and Image Builder events (R4, R16)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from secure_imagebuilder.core import checks, defaults, keys, permissions
from secure_imagebuilder.core.validation import ValidationProblems
from secure_imagebuilder.logs import ImageBuilderLogBucket, check_log_bucket


class ImageBuilderAuditTrail(cloudtrail.Trail):
    """A multi-Region ``cloudtrail.Trail``, KMS-encrypted, with log file validation, into a TLS-only bucket.

    Creates an ``AWS::CloudTrail::Trail`` and (unless ``bucket`` is given) an :class:`ImageBuilderLogBucket`
    (KMS, versioned, public access blocked, TLS >= 1.2, retained) with the bucket policy CloudTrail needs.

    It records all management events, read and write: the ``GenerateDataKey`` and ``Decrypt`` calls
    Image Builder makes on the key (from ``CreateWorkflow`` and ``GetWorkflow``) are *read-only*
    management events (R16), and so are the Image Builder ``Get*`` calls; KMS events are not excluded.
    The key policy lets ``cloudtrail.amazonaws.com`` generate data keys only for trails of this account
    (``kms:EncryptionContext:aws:cloudtrail:arn``) and only for this trail (``aws:SourceArn``), and the
    bucket policy denies it every request for another trail (``aws:SourceArn``) (R1).

    One trail per account is the norm: add this one only where no organization trail records the
    account's management events. Decrypting the log files needs ``kms:Decrypt`` on the key (grant it to
    auditors yourself).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        key: kms.IKey,
        bucket: s3.IBucket | None = None,
        trail_name: str | None = None,
        removal_policy: cdk.RemovalPolicy = defaults.LOG_REMOVAL_POLICY,
    ) -> None:
        """Create the trail.

        :param key: the customer managed key that encrypts the log files (R4, R5).
        :param bucket: where the log files go; it must have a KMS key. Default: - a new
            :class:`ImageBuilderLogBucket`.
        :param trail_name: the trail's name. Default: - derived from the construct path.
        :param removal_policy: what happens to the new bucket when it leaves the stack. Default: -
            ``RemovalPolicy.RETAIN``.
        """
        key = keys.checked(scope, key, child_id=id)
        problems = ValidationProblems(scope, id)
        checks.require_kinds(
            problems, bucket=(bucket, "bucket"), removal_policy=(removal_policy, "removal_policy")
        )
        problems.raise_if_any()
        if bucket is not None:
            check_log_bucket(problems, bucket)
        problems.raise_if_any()
        # A fixed name lets the key policy name the trail without a circular reference (key <-> trail);
        # it is derived from this construct's path, read from a placeholder before the trail exists.
        trail_name = trail_name or _name_for(scope, id)
        if bucket is None:
            # The bucket must exist before the trail (the trail is created with it), so it sits beside it.
            bucket = ImageBuilderLogBucket(scope, f"{id}Bucket", key=key, removal_policy=removal_policy)
        super().__init__(
            scope,
            id,
            trail_name=trail_name,
            bucket=bucket,
            encryption_key=key,
            is_multi_region_trail=defaults.TRAIL_MULTI_REGION,
            enable_file_validation=defaults.TRAIL_FILE_VALIDATION,
            include_global_service_events=defaults.TRAIL_INCLUDE_GLOBAL_EVENTS,
            management_events=cloudtrail.ReadWriteType.ALL,
            send_to_cloud_watch_logs=False,
        )
        stack = cdk.Stack.of(self)
        self.trail_name = trail_name
        trail_arn = f"arn:{stack.partition}:cloudtrail:{stack.region}:{stack.account}:trail/{trail_name}"
        self._grant_key_to_trail(key, trail_arn)
        principal = iam.ServicePrincipal("cloudtrail.amazonaws.com")
        self.bucket = bucket
        # CDK's Trail allows cloudtrail.amazonaws.com s3:GetBucketAcl and s3:PutObject on the bucket for any
        # trail; AWS's bucket policy for CloudTrail limits both with aws:SourceArn = the trail ("Amazon S3
        # bucket policy for CloudTrail", CloudTrail User Guide). An explicit deny adds that limit.
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="DenyCloudTrailForOtherTrails",
                effect=iam.Effect.DENY,
                principals=[principal],
                actions=["s3:GetBucketAcl", "s3:PutObject"],
                resources=[bucket.bucket_arn, bucket.arn_for_objects("*")],
                conditions={"StringNotEquals": {"aws:SourceArn": trail_arn}},
            )
        )
        self.key = key

    def _grant_key_to_trail(self, key: kms.IKey, trail_arn: str) -> None:
        """The key-policy statements CloudTrail needs to encrypt this trail's logs, for this trail only."""
        stack = cdk.Stack.of(self)
        trails_of_account = f"arn:{stack.partition}:cloudtrail:*:{stack.account}:trail/*"
        source = {"StringEquals": {"aws:SourceArn": trail_arn}}
        principal = iam.ServicePrincipal("cloudtrail.amazonaws.com")
        keys.add_to_key_policy(
            key,
            iam.PolicyStatement(
                sid="AllowCloudTrailToEncryptLogs",
                principals=[principal],
                actions=list(permissions.CLOUDTRAIL_KEY_ACTIONS),
                resources=["*"],
                conditions={
                    **source,
                    "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": trails_of_account},
                },
            ),
        )
        keys.add_to_key_policy(
            key,
            iam.PolicyStatement(
                sid="AllowCloudTrailToDescribeKey",
                principals=[principal],
                actions=list(permissions.CLOUDTRAIL_DESCRIBE_ACTIONS),
                resources=["*"],
                conditions=source,
            ),
        )


def _name_for(scope: Construct, id: str) -> str:
    """``Names.unique_resource_name`` of the construct ``id`` about to be created in ``scope``."""
    placeholder = Construct(scope, id)
    name = cdk.Names.unique_resource_name(placeholder, max_length=128)
    scope.node.try_remove_child(id)
    return name
