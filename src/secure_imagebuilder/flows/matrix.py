"""The flow matrix: every call that building, testing, distributing and notifying make, as data. Pure Python.

Each :class:`Flow` is one request AWS evaluates during a build (calling principal, action, resource,
encryption context, ``kms:ViaService``, ``aws:CalledVia``, source account/ARN), built from a template's
:class:`~secure_imagebuilder.flows.scene.Scene`, with the AWS documentation that says the call happens
and its near misses (each must be denied). tests/flows/test_flows.py evaluates every flow against every
example's template (``flows.check``), tests/flows/render.py writes docs/flows.md from it, and
``secure-imagebuilder report`` lists the flows a stack's policies allow.

Principals outside the template count only for what AWS documents them to hold (``DOCUMENTED_*``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from secure_imagebuilder.flows.scene import Scene
from secure_imagebuilder.rules.engine.policy import Request
from secure_imagebuilder.rules.imagebuilder import managed

OTHER_ACCOUNT = "999999999999"
IMAGEBUILDER = "imagebuilder.amazonaws.com"
EBS_CONTEXT = "kms:EncryptionContext:aws:ebs:id"

# --- sources (doc page titles and URLs) ---------------------------------------------------------------
UG = "https://docs.aws.amazon.com/imagebuilder/latest/userguide"
S_DATA_PROTECTION = f"'Data protection in EC2 Image Builder' ({UG}/data-protection.html), R12-R16"
S_INSTANCE_PROFILE = (
    "'AWS managed policies for EC2 Image Builder': EC2InstanceProfileForImageBuilder "
    f"({UG}/security-iam-awsmanpol.html)"
)
S_CONTAINER_PROFILE = (
    "'AWS managed policies for EC2 Image Builder': EC2InstanceProfileForImageBuilderECRContainerBuilds "
    f"({UG}/security-iam-awsmanpol.html)"
)
S_EXECUTION_POLICY = (
    "AWS managed policy EC2ImageBuilderExecutionPolicy (https://docs.aws.amazon.com/aws-managed-policy/"
    "latest/reference/EC2ImageBuilderExecutionPolicy.html); shared/reference/service-permissions-notes.md"
)
S_SLR = f"'Using service-linked roles for EC2 Image Builder' ({UG}/image-builder-service-linked-role.html)"
S_SNS = f"'Amazon SNS integration in Image Builder', Encrypted SNS topics ({UG}/integ-sns.html)"
S_CW = f"'Amazon CloudWatch Logs integration in Image Builder' ({UG}/integ-cwlogs.html)"
S_CW_KMS = (
    "'Encrypt log data in CloudWatch Logs using AWS KMS' (https://docs.aws.amazon.com/AmazonCloudWatch/"
    "latest/logs/encrypt-log-data-kms.html)"
)
S_S3_LOGS = (
    f"'Create an infrastructure configuration', S3 logs ({UG}/create-infra-config.html); {S_INSTANCE_PROFILE}"
)
S_S3_KMS = (
    "'Using server-side encryption with AWS KMS keys (SSE-KMS)': encryption context, multipart upload "
    "permissions (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html)"
)
S_EBS = (
    "'Amazon EBS encryption', How EBS uses KMS (https://docs.aws.amazon.com/ebs/latest/userguide/"
    f"ebs-encryption.html); {S_SLR}"
)
S_CROSS_ACCOUNT = f"'Set up cross-account AMI distribution with Image Builder' ({UG}/cross-account-dist.html)"
S_SHARE = (
    "'Share an AMI with specific AWS accounts' (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/"
    "sharingamis-explicit.html); 'Allowing users in other accounts to use a KMS key' "
    "(https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html)"
)
S_TRAIL_KMS = (
    "'Configure AWS KMS key policies for CloudTrail' (https://docs.aws.amazon.com/awscloudtrail/latest/"
    "userguide/create-kms-key-policy-for-cloudtrail.html)"
)
S_TRAIL_S3 = (
    "'Amazon S3 bucket policy for CloudTrail' (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/"
    "create-s3-bucket-policy-for-cloudtrail.html)"
)
S_WORKFLOW_ROLE = (
    f"'Create an IAM role for image workflows' ({UG}/manage-image-workflows.html); {S_EXECUTION_POLICY}"
)
S_SSM = (
    "AWS managed policy AmazonSSMManagedInstanceCore (https://docs.aws.amazon.com/aws-managed-policy/latest/"
    "reference/AmazonSSMManagedInstanceCore.html); "
    f"'How Image Builder works' ({UG}/how-image-builder-works.html)"
)
S_EC2_ROLE = "'IAM roles for Amazon EC2' (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html)"

# --- what principals outside the template hold, as documented --------------------------------------------
# One table of what AWS managed policies grant, shared with the grant rules (rules/imagebuilder/managed.py).
_EBS_VIA_EC2 = managed.EBS_VIA_EC2
DOCUMENTED_MANAGED_POLICIES: dict[str, list[dict[str, Any]]] = managed.DOCUMENTED


def slr_arn(scene: Scene, service: str, name: str) -> str:
    """The ARN of a service-linked role of the scene's account."""
    return f"arn:{scene.partition}:iam::{scene.account}:role/aws-service-role/{service}/{name}"


def imagebuilder_slr(scene: Scene) -> str:
    """``AWSServiceRoleForImageBuilder`` of the scene's account."""
    return slr_arn(scene, IMAGEBUILDER, "AWSServiceRoleForImageBuilder")


def cross_account_role(account: str) -> str:
    """``EC2ImageBuilderDistributionCrossAccountRole`` of a target account (S_CROSS_ACCOUNT)."""
    return f"arn:aws:iam::{account}:role/EC2ImageBuilderDistributionCrossAccountRole"


# The inline policy S_CROSS_ACCOUNT tells each target account to attach to that role.
CROSS_ACCOUNT_ROLE_POLICY = [
    {
        "Effect": "Allow",
        "Action": [
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:ReEncrypt*",
            "kms:GenerateDataKey*",
            "kms:DescribeKey",
            "kms:CreateGrant",
            "kms:ListGrants",
            "kms:RevokeGrant",
        ],
        "Resource": "*",
    }
]


def documented_identities(scene: Scene) -> dict[str, list[dict[str, Any]]]:
    """Identity policies of principals outside the template, as AWS documents them."""
    identities: dict[str, list[dict[str, Any]]] = {
        # AWSServiceRoleForImageBuilder (S_SLR): EBS use through EC2, sns:Publish, its log groups.
        imagebuilder_slr(scene): [
            *_EBS_VIA_EC2,
            {"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:CreateLogGroup", "logs:PutLogEvents"],
                "Resource": "arn:aws:logs:*:*:log-group:/aws/imagebuilder/*",
            },
        ]
    }
    for distribution in scene.distributions:
        for account in distribution.targets:
            identities[cross_account_role(account)] = CROSS_ACCOUNT_ROLE_POLICY
        for account in distribution.launchers:  # stands for whoever that account lets launch
            identities[f"arn:aws:iam::{account}:role/Launcher"] = [
                {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}
            ]
    return identities


# --- near misses ---------------------------------------------------------------------------------------
def _swap_account(value: Any, account: str) -> Any:
    if isinstance(value, list):
        return [_swap_account(v, account) for v in value]
    return str(value).replace(account, OTHER_ACCOUNT)


def other_account(request: Request, scene: Scene) -> Request:
    """The same call from another account: principal, caller, source and context in that account."""
    principal = request.principal
    if principal.startswith("arn:"):
        own = principal.split(":")[4]
        principal = principal.replace(f":{own}:", f":{OTHER_ACCOUNT}:", 1)
    context = {k: _swap_account(v, scene.account) for k, v in request.context.items()}
    return dataclasses.replace(request, principal=principal, context=context)


def direct_call(request: Request, scene: Scene) -> Request:
    """The same call made directly, not through the service (no ``kms:ViaService``/``aws:CalledVia``)."""
    context = {k: v for k, v in request.context.items() if k not in ("kms:ViaService", "aws:CalledVia")}
    return dataclasses.replace(request, context=context)


def no_context(request: Request, scene: Scene) -> Request:
    """The same call without its encryption context (or, for a service, without its source keys)."""
    dropped = ("kms:EncryptionContext:", "aws:SourceAccount", "aws:SourceArn")
    context = {k: v for k, v in request.context.items() if not k.startswith(dropped)}
    return dataclasses.replace(request, context=context)


def other_resource_type(request: Request, scene: Scene) -> Request:
    """The same call for another Image Builder resource type (a workflow's context for a component's)."""

    def swap(value: Any) -> Any:
        text = str(value)
        for old, new in (
            ("component/", "image-recipe/"),
            ("workflow/", "component/"),
            ("container-recipe/", "workflow/build/"),
        ):
            if old in text:
                return text.replace(old, new, 1)
        return text

    context = {
        k: swap(v) if k.startswith("kms:EncryptionContext:") else v for k, v in request.context.items()
    }
    return dataclasses.replace(
        request,
        context=context,
        resource=swap(request.resource) if ":imagebuilder:" in request.resource else request.resource,
    )


def other_source(request: Request, scene: Scene) -> Request:
    """The same service call on behalf of another resource (``aws:SourceArn``/context of another one)."""

    def swap(value: Any) -> Any:
        head, _, tail = str(value).rpartition(":")
        return f"{head}:someone-else-{tail}"

    keys = (
        "aws:SourceArn",
        "kms:EncryptionContext:aws:s3:arn",
        "kms:EncryptionContext:aws:logs:arn",
        "kms:EncryptionContext:aws:cloudtrail:arn",
    )
    context = {k: swap(v) if k in keys else v for k, v in request.context.items()}
    return dataclasses.replace(request, context=context)


def other_service(request: Request, scene: Scene) -> Request:
    """The same call through another service (``kms:ViaService`` of S3 instead)."""
    context = {**request.context, "kms:ViaService": f"s3.{scene.region}.amazonaws.com"}
    return dataclasses.replace(request, context=context)


def other_principal(request: Request, scene: Scene) -> Request:
    """The same call by an unrelated role of the same account."""
    account = request.principal.split(":")[4] if request.principal.startswith("arn:") else scene.account
    return dataclasses.replace(request, principal=f"arn:aws:iam::{account}:role/Unrelated")


def other_service_principal(request: Request, scene: Scene) -> Request:
    """The same call by another AWS service."""
    return dataclasses.replace(request, principal="lambda.amazonaws.com")


NearMiss = Callable[[Request, Scene], Request]


@dataclass(frozen=True)
class Flow:
    """One call of a build, with its documentation and its near misses."""

    id: str
    stage: str
    what: str
    requests: Callable[[Scene], Iterator[Request]]
    source: str
    near_misses: tuple[NearMiss, ...]


def _one(request: Request | None) -> Iterator[Request]:
    if request is not None:
        yield request


def _kms(action: str, principal: str, key: str, **context: Any) -> Request:
    return Request(action, principal, key, {k.replace("__", ":"): v for k, v in context.items()})


# --- the flows -------------------------------------------------------------------------------------------
def _assume_instance_role(s: Scene) -> Iterator[Request]:
    if s.instance_role:
        yield Request("sts:AssumeRole", "ec2.amazonaws.com", s.instance_role)


def _assume_execution_role(s: Scene) -> Iterator[Request]:
    for role in s.execution_roles:
        yield Request("sts:AssumeRole", IMAGEBUILDER, role, {"aws:SourceAccount": s.account})


def _ssm_agent(s: Scene) -> Iterator[Request]:
    if s.instance_role:
        yield Request(
            "ssm:UpdateInstanceInformation",
            s.instance_role,
            f"arn:aws:ec2:{s.region}:{s.account}:instance/i-0build",
        )


def _get_component(s: Scene) -> Iterator[Request]:
    for arn, _ in s.components if s.instance_role else []:
        yield Request("imagebuilder:GetComponent", str(s.instance_role), arn)
    for arn in s.aws_components if s.instance_role else []:
        yield Request("imagebuilder:GetComponent", str(s.instance_role), arn)


def _decrypt_component(s: Scene) -> Iterator[Request]:
    for arn, key in s.components if s.instance_role else []:
        ctx = {"kms:EncryptionContext:aws:imagebuilder:arn": arn, "aws:CalledVia": [IMAGEBUILDER]}
        yield Request("kms:Decrypt", str(s.instance_role), key, ctx)


def _get_container_recipe(s: Scene) -> Iterator[Request]:
    for arn, _ in s.container_recipes if s.instance_role else []:
        yield Request("imagebuilder:GetContainerRecipe", str(s.instance_role), arn)


def _decrypt_container_recipe(s: Scene) -> Iterator[Request]:
    for arn, key in s.container_recipes if s.instance_role else []:
        ctx = {"kms:EncryptionContext:aws:imagebuilder:arn": arn, "aws:CalledVia": [IMAGEBUILDER]}
        yield Request("kms:Decrypt", str(s.instance_role), key, ctx)


def _push_container(s: Scene) -> Iterator[Request]:
    if s.instance_role and s.repository:
        for action in ("ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:BatchGetImage"):
            yield Request(action, s.instance_role, s.repository)


def _ebs_callers(s: Scene) -> list[str]:
    # Image Builder launches instances and creates AMIs as its service-linked role, or as the execution role
    # when the pipeline runs workflows (S_SLR, S_EXECUTION_POLICY).
    return [s.pipeline_execution_role] if s.pipeline_execution_role else [imagebuilder_slr(s)]


def _ebs_volumes(s: Scene) -> Iterator[Request]:
    via = f"ec2.{s.region}.amazonaws.com"
    for key in dict.fromkeys(s.ebs_keys):
        for caller in _ebs_callers(s):
            ebs = {"kms:ViaService": via, EBS_CONTEXT: "vol-0build"}
            yield _kms("kms:GenerateDataKeyWithoutPlaintext", caller, key, **ebs)
            yield _kms("kms:Decrypt", caller, key, **ebs)
            yield _kms("kms:CreateGrant", caller, key, kms__ViaService=via, kms__GrantIsForAWSResource="true")


def _put_log_object(s: Scene) -> Iterator[Request]:
    if s.instance_role and s.log_bucket:
        bucket, prefix, _ = s.log_bucket
        yield Request(
            "s3:PutObject",
            s.instance_role,
            f"{bucket}/{prefix}name/1.0.0/1/build.log",
            {"aws:ResourceAccount": s.account},
        )


def _log_object_key(s: Scene) -> Iterator[Request]:
    if s.instance_role and s.log_bucket:
        bucket, prefix, key = s.log_bucket
        via = f"s3.{s.region}.amazonaws.com"
        for context in (bucket, f"{bucket}/{prefix}name/1.0.0/1/build.log"):  # with and without a Bucket Key
            for action in ("kms:GenerateDataKey", "kms:Decrypt"):  # Decrypt: multipart uploads
                yield _kms(
                    action,
                    s.instance_role,
                    key,
                    kms__ViaService=via,
                    **{"kms:EncryptionContext:aws:s3:arn": context},
                )


def _stream_build_log(s: Scene) -> Iterator[Request]:
    if s.instance_role and s.image_log_group and s.streams_build_log:
        yield Request("logs:PutLogEvents", s.instance_role, f"{s.image_log_group}:log-stream:1.0.0/1")


def _logs_encrypt(s: Scene) -> Iterator[Request]:
    for group, key in s.log_groups:
        for action in ("kms:GenerateDataKey", "kms:Decrypt"):
            yield _kms(
                action, f"logs.{s.region}.amazonaws.com", key, **{"kms:EncryptionContext:aws:logs:arn": group}
            )


def _workflow_key(s: Scene) -> Iterator[Request]:
    for arn, key in s.workflows:
        for role in s.execution_roles:
            for action in ("kms:GenerateDataKey", "kms:Decrypt"):  # CreateWorkflow, GetWorkflow (R16)
                ctx = {"kms:EncryptionContext:aws:imagebuilder:arn": arn, "aws:CalledVia": [IMAGEBUILDER]}
                yield Request(action, role, key, ctx)


def _publishers(s: Scene) -> list[str]:
    # S_SNS documents the service-linked role; with an execution role the publisher is undocumented.
    return [imagebuilder_slr(s), *([s.pipeline_execution_role] if s.pipeline_execution_role else [])]


def _publish(s: Scene) -> Iterator[Request]:
    if s.topic:
        for principal in _publishers(s):
            yield Request("sns:Publish", principal, s.topic[0])


def _publish_key(s: Scene) -> Iterator[Request]:
    if s.topic:
        key = s.topic[1]
        for principal in _publishers(s):
            for action in ("kms:GenerateDataKey", "kms:Decrypt"):
                yield _kms(action, principal, key, kms__ViaService=f"sns.{s.region}.amazonaws.com")


def _cross_account_copy(s: Scene) -> Iterator[Request]:
    for d in s.distributions:
        via = f"ec2.{d.region}.amazonaws.com"
        for account in d.targets:
            role = cross_account_role(account)
            yield _kms("kms:Decrypt", role, d.key_arn, kms__ViaService=via, **{EBS_CONTEXT: "snap-0source"})
            yield _kms("kms:ReEncryptFrom", role, d.key_arn, kms__ViaService=via)
            yield _kms(
                "kms:CreateGrant", role, d.key_arn, kms__ViaService=via, kms__GrantIsForAWSResource="true"
            )


def _launch_shared(s: Scene) -> Iterator[Request]:
    for d in s.distributions:
        via = f"ec2.{d.region}.amazonaws.com"
        for account in d.launchers:
            launcher = f"arn:aws:iam::{account}:role/Launcher"
            yield _kms("kms:Decrypt", launcher, d.key_arn, kms__ViaService=via)
            yield _kms(
                "kms:CreateGrant", launcher, d.key_arn, kms__ViaService=via, kms__GrantIsForAWSResource="true"
            )


def _trail_key(s: Scene) -> Iterator[Request]:
    if s.trail:
        trail, _, key = s.trail
        ctx = {"aws:SourceArn": trail, "kms:EncryptionContext:aws:cloudtrail:arn": trail}
        yield Request("kms:GenerateDataKey", "cloudtrail.amazonaws.com", key, ctx)
        yield Request("kms:DescribeKey", "cloudtrail.amazonaws.com", key, {"aws:SourceArn": trail})


def _trail_bucket(s: Scene) -> Iterator[Request]:
    if s.trail:
        trail, bucket, _ = s.trail
        tls = {"aws:SourceArn": trail, "aws:SecureTransport": "true", "s3:TlsVersion": "1.3"}
        yield Request("s3:GetBucketAcl", "cloudtrail.amazonaws.com", bucket, tls)
        put = {**tls, "s3:x-amz-acl": "bucket-owner-full-control"}
        yield Request(
            "s3:PutObject",
            "cloudtrail.amazonaws.com",
            f"{bucket}/AWSLogs/{s.account}/CloudTrail/x.json.gz",
            put,
        )


FLOWS: tuple[Flow, ...] = (
    Flow(
        "assume-instance-role",
        "build/test",
        "EC2 assumes the build instance role (instance profile)",
        _assume_instance_role,
        S_EC2_ROLE,
        (other_service_principal,),
    ),
    Flow(
        "assume-execution-role",
        "build/test",
        "Image Builder assumes the workflow execution role",
        _assume_execution_role,
        S_WORKFLOW_ROLE,
        (other_account, no_context, other_service_principal),
    ),
    Flow(
        "ssm-agent",
        "build/test",
        "The SSM agent registers the instance (Image Builder runs every step through SSM)",
        _ssm_agent,
        S_SSM,
        (other_principal,),
    ),
    Flow(
        "get-component",
        "build/test",
        "The instance reads its components (ours and AWS-managed)",
        _get_component,
        S_INSTANCE_PROFILE,
        (other_account, other_resource_type),
    ),
    Flow(
        "decrypt-component",
        "build/test",
        "Image Builder decrypts a component for the instance (kms:Decrypt via Image Builder)",
        _decrypt_component,
        f"{S_INSTANCE_PROFILE}; {S_DATA_PROTECTION}",
        (other_account, other_resource_type, direct_call, no_context),
    ),
    Flow(
        "get-container-recipe",
        "build/test",
        "A container build instance reads its container recipe",
        _get_container_recipe,
        S_CONTAINER_PROFILE,
        (other_account, other_resource_type),
    ),
    Flow(
        "decrypt-container-recipe",
        "build/test",
        "Image Builder decrypts the container recipe for the instance",
        _decrypt_container_recipe,
        S_CONTAINER_PROFILE,
        (other_account, other_resource_type, direct_call, no_context),
    ),
    Flow(
        "push-container-image",
        "build/test",
        "The instance pushes the container image to the repository",
        _push_container,
        S_CONTAINER_PROFILE,
        (other_principal,),
    ),
    Flow(
        "ebs-volumes",
        "build/test",
        "EC2 encrypts the build instance's volumes and the AMI's snapshots for Image Builder",
        _ebs_volumes,
        f"{S_EBS}; {S_EXECUTION_POLICY}",
        (other_account, other_service, direct_call),
    ),
    Flow(
        "put-log-object",
        "build/test",
        "The instance uploads its build log to the log bucket",
        _put_log_object,
        S_S3_LOGS,
        (other_principal,),
    ),
    Flow(
        "log-object-key",
        "build/test",
        "S3 encrypts the build log with the key for the instance (multipart: Decrypt)",
        _log_object_key,
        S_S3_KMS,
        (other_account, other_source, direct_call, no_context),
    ),
    Flow(
        "stream-build-log",
        "build/test",
        "The instance streams its build log to the image log group",
        _stream_build_log,
        S_CW,
        (other_principal,),
    ),
    Flow(
        "log-group-key",
        "logging",
        "CloudWatch Logs encrypts a log group's events",
        _logs_encrypt,
        S_CW_KMS,
        (other_account, other_source, no_context, other_service_principal),
    ),
    Flow(
        "workflow-key",
        "build/test",
        "Image Builder encrypts (CreateWorkflow) and decrypts (GetWorkflow) a workflow",
        _workflow_key,
        S_DATA_PROTECTION,
        (other_account, other_resource_type, no_context, other_principal),
    ),
    Flow(
        "publish",
        "notify",
        "Image Builder publishes the build result to the topic",
        _publish,
        f"{S_SNS}; {S_SLR}",
        (other_principal,),
    ),
    Flow(
        "publish-key",
        "notify",
        "SNS encrypts the message with the topic's key for the publisher",
        _publish_key,
        S_SNS,
        (other_account, other_service, direct_call, other_principal),
    ),
    Flow(
        "cross-account-copy",
        "distribute",
        "A target account's role copies the encrypted AMI",
        _cross_account_copy,
        S_CROSS_ACCOUNT,
        (other_account, direct_call, other_principal),
    ),
    Flow(
        "launch-shared-ami",
        "distribute",
        "A launch-permission account launches the shared encrypted AMI",
        _launch_shared,
        S_SHARE,
        (other_account, direct_call),
    ),
    Flow(
        "trail-key",
        "audit",
        "CloudTrail encrypts the trail's log files",
        _trail_key,
        S_TRAIL_KMS,
        (other_source, other_service_principal),
    ),
    Flow(
        "trail-bucket",
        "audit",
        "CloudTrail checks the bucket ACL and writes the log files",
        _trail_bucket,
        S_TRAIL_S3,
        (other_source, other_service_principal),
    ),
)
