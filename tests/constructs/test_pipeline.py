"""SecureImagePipeline and its pieces: template assertions per piece and policy evaluation of every grant.

One AMI pipeline with every option on (workflows, CloudWatch logs, distribution to other accounts,
endpoints, audit trail) and one container pipeline, each synthesized once.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Match, Template

from conftest import make_stack
from policy_eval import ACCOUNT, REGION, PolicyEvaluator, Request
from secure_imagebuilder.component import EncryptedComponent
from secure_imagebuilder.core import defaults
from secure_imagebuilder.core import permissions as actions
from secure_imagebuilder.key import ImageBuilderKey
from secure_imagebuilder.pipeline import SecureImagePipeline
from secure_imagebuilder.recipe import aws_managed_component, aws_managed_image
from secure_imagebuilder.workflow import EncryptedWorkflow

TARGETS = ["444455556666", "777788889999"]
LAUNCHER = "123456789012"
COMPONENT_YAML = "schemaVersion: 1.0\nphases:\n  - name: build\n    steps: []\n"
WORKFLOW_YAML = "schemaVersion: 1.0\nsteps:\n  - name: Launch\n    action: LaunchInstance\n"
COMPONENT_CONTEXT = f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:component/harden/1.0.0/1"
SNS_SLR = (
    f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/imagebuilder.amazonaws.com/AWSServiceRoleForImageBuilder"
)
CROSS_ROLE = "EC2ImageBuilderDistributionCrossAccountRole"
ASG_SLR = (
    f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
)


def _vpc(stack: Any) -> ec2.Vpc:
    return ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1, restrict_default_security_group=False)


@pytest.fixture(scope="module")
def template() -> Template:
    stack = make_stack()
    key = ImageBuilderKey(stack, "Key")
    harden = EncryptedComponent(
        stack, "Harden", key=key, name="harden", version="1.0.0", platform="Linux", data=COMPONENT_YAML
    )
    workflow = EncryptedWorkflow(
        stack, "Build", key=key, name="build", version="1.0.0", workflow_type="BUILD", data=WORKFLOW_YAML
    )
    SecureImagePipeline(
        stack,
        "Pipeline",
        name="golden",
        key=key,
        vpc=_vpc(stack),
        parent_image=aws_managed_image(stack, "amazon-linux-2023-x86"),
        components=[aws_managed_component(stack, "update-linux"), harden],
        workflows=[workflow],
        cloudwatch_logs=True,
        target_account_ids=TARGETS,
        launch_permission_account_ids=[LAUNCHER],
        grant_auto_scaling=True,
        schedule_expression="cron(0 4 ? * MON *)",
        vpc_endpoints=True,
        audit_trail=True,
        tags={"project": "golden-images"},
    )
    return Template.from_stack(stack)


@pytest.fixture(scope="module")
def evaluator(template: Template) -> PolicyEvaluator:
    return PolicyEvaluator(template.to_json())


def only(template: Template, kind: str, prefix: str = "") -> tuple[str, dict[str, Any]]:
    found = [(k, v) for k, v in template.find_resources(kind).items() if k.startswith(prefix)]
    assert len(found) == 1, [k for k, _ in found]
    return found[0]


def key_statements(template: Template) -> dict[str, dict[str, Any]]:
    _, key = only(template, "AWS::KMS::Key")
    return {s["Sid"]: s for s in key["Properties"]["KeyPolicy"]["Statement"]}


KEY_ARN = {"Fn::GetAtt": [Match.string_like_regexp("^Key"), "Arn"]}


# --- recipe ---------------------------------------------------------------------------------------------


def test_recipe_encrypts_every_volume_with_the_key(template: Template) -> None:
    template.has_resource_properties(
        "AWS::ImageBuilder::ImageRecipe",
        {
            "BlockDeviceMappings": [
                {
                    "DeviceName": defaults.ROOT_DEVICE_NAME,
                    "Ebs": {
                        "Encrypted": True,
                        "KmsKeyId": KEY_ARN,
                        "DeleteOnTermination": True,
                        "VolumeSize": defaults.ROOT_VOLUME_SIZE_GIB,
                        "VolumeType": "gp3",
                    },
                }
            ],
            "Components": [
                {"ComponentArn": Match.object_like({"Fn::Join": Match.any_value()})},
                {"ComponentArn": {"Fn::GetAtt": [Match.string_like_regexp("^Harden"), "Arn"]}},
            ],
        },
    )


# --- infrastructure -------------------------------------------------------------------------------------


def test_infrastructure_requires_imdsv2_private_subnet_and_terminates_on_failure(template: Template) -> None:
    template.has_resource_properties(
        "AWS::ImageBuilder::InfrastructureConfiguration",
        {
            "InstanceMetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 1},
            "TerminateInstanceOnFailure": True,
            "SubnetId": {"Ref": Match.string_like_regexp("^VpcPrivateSubnet1")},
            "Logging": {
                "S3Logs": {
                    "S3BucketName": {"Ref": Match.string_like_regexp("^PipelineLogs")},
                    "S3KeyPrefix": "imagebuilder/",
                }
            },
            "SnsTopicArn": {"Ref": Match.string_like_regexp("^PipelineNotifications")},
        },
    )


def test_build_security_group_allows_https_out_only(template: Template) -> None:
    _, group = only(template, "AWS::EC2::SecurityGroup", "PipelineInfrastructure")
    assert group["Properties"]["SecurityGroupEgress"] == [
        {
            "CidrIp": "0.0.0.0/0",
            "Description": "HTTPS to AWS APIs and package repositories (R3, R18)",
            "FromPort": 443,
            "IpProtocol": "tcp",
            "ToPort": 443,
        }
    ]
    assert "SecurityGroupIngress" not in group["Properties"]


def test_instance_role_has_only_the_ssm_core_managed_policy(template: Template) -> None:
    _, role = only(template, "AWS::IAM::Role", "PipelineInfrastructureInstanceRole")
    assert role["Properties"]["ManagedPolicyArns"] == [
        {
            "Fn::Join": [
                "",
                ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/AmazonSSMManagedInstanceCore"],
            ]
        }
    ]
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "ec2.amazonaws.com"
    }


# --- logs -----------------------------------------------------------------------------------------------


def test_log_bucket_is_encrypted_versioned_private_and_retained(template: Template) -> None:
    _, bucket = only(template, "AWS::S3::Bucket", "PipelineLogs")
    key_id, _ = only(template, "AWS::KMS::Key")
    assert bucket["DeletionPolicy"] == "Retain"
    props = bucket["Properties"]
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"] == [
        {
            "BucketKeyEnabled": True,
            "ServerSideEncryptionByDefault": {
                "KMSMasterKeyID": {"Fn::GetAtt": [key_id, "Arn"]},
                "SSEAlgorithm": "aws:kms",
            },
        }
    ]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }


def test_log_bucket_policy_denies_no_tls_and_tls_below_1_2(
    template: Template, evaluator: PolicyEvaluator
) -> None:
    bucket_id, _ = only(template, "AWS::S3::Bucket", "PipelineLogs")
    _, policy = only(template, "AWS::S3::BucketPolicy", "PipelineLogs")
    statements = evaluator.resolver.resolve(policy["Properties"]["PolicyDocument"]["Statement"])
    reader = f"arn:aws:iam::{ACCOUNT}:role/Reader"
    resource = f"arn:aws:s3:::{bucket_id.lower()}/imagebuilder/log.txt"

    def denied(**context: str) -> bool:
        return evaluator.resource_policy_denies(
            statements, Request("s3:GetObject", reader, resource, context)
        )

    assert denied(**{"aws:SecureTransport": "false"})
    assert denied(**{"aws:SecureTransport": "true", "s3:TlsVersion": "1.1"})
    assert not denied(**{"aws:SecureTransport": "true", "s3:TlsVersion": "1.2"})


def test_log_groups_are_encrypted_and_logs_service_is_scoped_to_each(template: Template) -> None:
    for name in ("/aws/imagebuilder/golden", "/aws/imagebuilder/pipeline/golden"):
        template.has_resource(
            "AWS::Logs::LogGroup",
            {
                "Properties": {"LogGroupName": name, "KmsKeyId": KEY_ARN, "RetentionInDays": 365},
                "DeletionPolicy": "Retain",
            },
        )
    logs_statements = [
        s for sid, s in key_statements(template).items() if sid.startswith("AllowCloudWatchLogs")
    ]
    assert len(logs_statements) == 2
    for statement in logs_statements:
        assert sorted(statement["Action"]) == sorted(actions.LOGS_KEY_ACTIONS)
        assert list(statement["Condition"]) == ["ArnEquals"]
        assert list(statement["Condition"]["ArnEquals"]) == ["kms:EncryptionContext:aws:logs:arn"]


@pytest.mark.parametrize(
    ("log_group", "allowed"),
    [
        ("/aws/imagebuilder/golden", True),
        ("/aws/imagebuilder/pipeline/golden", True),
        ("/aws/imagebuilder/someone-else", False),
        (None, False),
    ],
)
def test_logs_service_encrypts_only_for_our_log_groups(
    evaluator: PolicyEvaluator, template: Template, log_group: str | None, allowed: bool
) -> None:
    key_id, _ = only(template, "AWS::KMS::Key")
    context = (
        {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{log_group}"}
        if log_group
        else {}
    )
    request = Request(
        "kms:GenerateDataKey", f"logs.{REGION}.amazonaws.com", evaluator.key_arn(key_id), context
    )
    assert evaluator.kms_allows(key_id, request) is allowed
    # Another service in the same Region never gets the key through the logs grant.
    other = Request("kms:GenerateDataKey", f"sns.{REGION}.amazonaws.com", evaluator.key_arn(key_id), context)
    assert not evaluator.kms_allows(key_id, other)


# --- notifications --------------------------------------------------------------------------------------


def test_topic_is_encrypted_and_tls_only(template: Template) -> None:
    template.has_resource_properties("AWS::SNS::Topic", {"KmsMasterKeyId": KEY_ARN})
    template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
                        )
                    ]
                )
            }
        },
    )


@pytest.mark.parametrize(
    ("principal", "via", "allowed"),
    [
        (SNS_SLR, f"sns.{REGION}.amazonaws.com", True),
        (SNS_SLR, f"s3.{REGION}.amazonaws.com", False),
        (SNS_SLR, "sns.eu-west-1.amazonaws.com", False),
        (f"arn:aws:iam::{ACCOUNT}:role/SomeoneElse", f"sns.{REGION}.amazonaws.com", False),
    ],
)
def test_service_linked_role_may_publish_to_the_encrypted_topic_only(
    evaluator: PolicyEvaluator, template: Template, principal: str, via: str, allowed: bool
) -> None:
    key_id, _ = only(template, "AWS::KMS::Key")
    for action in ("kms:GenerateDataKey", "kms:Decrypt"):
        request = Request(
            action,
            principal,
            evaluator.key_arn(key_id),
            {"kms:ViaService": via, "kms:CallerAccount": ACCOUNT},
        )
        assert evaluator.kms_allows(key_id, request) is allowed


def test_the_service_linked_role_is_named_by_principal_arn_not_as_principal(template: Template) -> None:
    """KMS rejects a key policy naming a role that does not exist; the SLR appears on first use only."""
    statement = key_statements(template)["AllowImageBuilderServiceLinkedRoleToPublish"]
    assert statement["Principal"] == {"AWS": "*"}
    assert set(statement["Condition"]) == {"StringEquals", "ArnEquals"}
    assert set(statement["Condition"]["StringEquals"]) == {"kms:ViaService", "kms:CallerAccount"}
    assert "AWSServiceRoleForImageBuilder" in json.dumps(statement["Condition"]["ArnEquals"])
    assert "aws-service-role" not in json.dumps(statement["Principal"])


@pytest.mark.parametrize(
    ("action", "via", "allowed"),
    [
        ("kms:GenerateDataKey", f"sns.{REGION}.amazonaws.com", True),
        ("kms:Decrypt", f"sns.{REGION}.amazonaws.com", True),
        ("kms:GenerateDataKey", f"s3.{REGION}.amazonaws.com", False),
        ("kms:Encrypt", f"sns.{REGION}.amazonaws.com", False),
    ],
)
def test_the_execution_role_may_also_publish(
    evaluator: PolicyEvaluator, template: Template, action: str, via: str, allowed: bool
) -> None:
    """Which principal publishes with an execution role is undocumented: both may."""
    key_id, _ = only(template, "AWS::KMS::Key")
    role_id, _ = only(template, "AWS::IAM::Role", "PipelineExecutionRole")
    role = evaluator.role_arn(role_id)
    request = Request(action, role, evaluator.key_arn(key_id), {"kms:ViaService": via})
    assert evaluator.kms_allows(key_id, request) is allowed
    assert evaluator.identity_allows(request) is allowed
    topic_id, _ = only(template, "AWS::SNS::Topic")
    assert evaluator.decide(Request("sns:Publish", role, evaluator.resolver.arn(topic_id)))


# --- the instance role: component decrypt and log writes ------------------------------------------------


def _instance(evaluator: PolicyEvaluator, template: Template) -> str:
    role_id, _ = only(template, "AWS::IAM::Role", "PipelineInfrastructureInstanceRole")
    return evaluator.role_arn(role_id)


@pytest.mark.parametrize(
    ("context", "allowed"),
    [
        (
            {
                "kms:EncryptionContext:aws:imagebuilder:arn": COMPONENT_CONTEXT,
                "aws:CalledVia": ["imagebuilder.amazonaws.com"],
            },
            True,
        ),
        ({"kms:EncryptionContext:aws:imagebuilder:arn": COMPONENT_CONTEXT}, False),
        (
            {
                "kms:EncryptionContext:aws:imagebuilder:arn": COMPONENT_CONTEXT.replace(
                    "component", "workflow"
                ),
                "aws:CalledVia": ["imagebuilder.amazonaws.com"],
            },
            False,
        ),
        (
            {
                "kms:EncryptionContext:aws:imagebuilder:arn": COMPONENT_CONTEXT.replace(
                    ACCOUNT, "999999999999"
                ),
                "aws:CalledVia": ["imagebuilder.amazonaws.com"],
            },
            False,
        ),
    ],
)
def test_instance_role_decrypts_components_only_through_image_builder(
    evaluator: PolicyEvaluator, template: Template, context: dict[str, Any], allowed: bool
) -> None:
    key_id, _ = only(template, "AWS::KMS::Key")
    request = Request("kms:Decrypt", _instance(evaluator, template), evaluator.key_arn(key_id), context)
    assert evaluator.kms_allows(key_id, request) is allowed
    generate = Request("kms:GenerateDataKey", request.principal, request.resource, context)
    assert not evaluator.kms_allows(key_id, generate)


@pytest.mark.parametrize(
    ("action", "path", "allowed"),
    [
        ("s3:PutObject", "imagebuilder/golden/1.0.0/log.txt", True),
        ("s3:PutObject", "elsewhere/log.txt", False),
        ("s3:GetObject", "imagebuilder/golden/1.0.0/log.txt", False),
        ("s3:DeleteObject", "imagebuilder/golden/1.0.0/log.txt", False),
    ],
)
def test_instance_role_only_puts_logs_under_its_prefix(
    evaluator: PolicyEvaluator, template: Template, action: str, path: str, allowed: bool
) -> None:
    bucket_id, _ = only(template, "AWS::S3::Bucket", "PipelineLogs")
    request = Request(action, _instance(evaluator, template), f"arn:aws:s3:::{bucket_id.lower()}/{path}")
    assert evaluator.identity_allows(request) is allowed


S3_HERE = f"s3.{REGION}.amazonaws.com"


@pytest.mark.parametrize(
    ("action", "via", "where", "allowed"),
    [
        ("kms:GenerateDataKey", S3_HERE, "bucket", True),  # with an S3 Bucket Key: the bucket's ARN
        ("kms:GenerateDataKey", S3_HERE, "imagebuilder/x/log.txt", True),  # without: the object's ARN
        ("kms:Decrypt", S3_HERE, "imagebuilder/x/part", True),  # multipart uploads
        ("kms:GenerateDataKey", None, "bucket", False),  # not through S3
        ("kms:GenerateDataKey", S3_HERE, None, False),  # no context
        ("kms:GenerateDataKey", S3_HERE, "other-bucket", False),  # another bucket using the key
        ("kms:GenerateDataKey", S3_HERE, "elsewhere/log.txt", False),  # outside the log prefix
        ("kms:Encrypt", S3_HERE, "bucket", False),
    ],
)
def test_instance_role_encrypts_logs_only_through_s3_for_its_bucket(
    evaluator: PolicyEvaluator,
    template: Template,
    action: str,
    via: str | None,
    where: str | None,
    allowed: bool,
) -> None:
    key_id, _ = only(template, "AWS::KMS::Key")
    bucket_id, _ = only(template, "AWS::S3::Bucket", "PipelineLogs")
    bucket = f"arn:aws:s3:::{bucket_id.lower()}"
    context: dict[str, Any] = {"kms:ViaService": via} if via else {}
    if where == "bucket":
        context["kms:EncryptionContext:aws:s3:arn"] = bucket
    elif where == "other-bucket":
        context["kms:EncryptionContext:aws:s3:arn"] = "arn:aws:s3:::someone-elses-bucket"
    elif where is not None:
        context["kms:EncryptionContext:aws:s3:arn"] = f"{bucket}/{where}"
    request = Request(action, _instance(evaluator, template), evaluator.key_arn(key_id), context)
    assert evaluator.kms_allows(key_id, request) is allowed


def test_instance_role_writes_the_image_log_group_only(
    evaluator: PolicyEvaluator, template: Template
) -> None:
    group_id, _ = only(template, "AWS::Logs::LogGroup", "PipelineImageLogGroup")
    other_id, _ = only(template, "AWS::Logs::LogGroup", "PipelinePipelineLogGroup")
    for logical_id, allowed in ((group_id, True), (other_id, False)):
        arn = evaluator.resolver.arn(logical_id)
        assert (
            evaluator.identity_allows(Request("logs:PutLogEvents", _instance(evaluator, template), arn))
            is allowed
        )


# --- distribution: AMI keys and cross-account grants ----------------------------------------------------


def test_distribution_encrypts_amis_and_shares_with_the_accounts(template: Template) -> None:
    template.has_resource_properties(
        "AWS::ImageBuilder::DistributionConfiguration",
        {
            "Distributions": [
                {
                    "Region": {"Ref": "AWS::Region"},
                    "AmiDistributionConfiguration": {
                        "Name": "golden-{{ imagebuilder:buildDate }}",
                        "KmsKeyId": KEY_ARN,
                        "TargetAccountIds": TARGETS,
                        "LaunchPermissionConfiguration": {"UserIds": [LAUNCHER]},
                    },
                }
            ]
        },
    )


def _ebs_request(
    evaluator: PolicyEvaluator, key_id: str, principal: str, action: str, **context: Any
) -> Request:
    return Request(action, principal, evaluator.key_arn(key_id), context)


# The inline policy cross-account-dist.md tells each target account to add to its role.
CROSS_ROLE_POLICY = [
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


@pytest.mark.parametrize("account", [*TARGETS, LAUNCHER])
def test_other_accounts_use_the_ami_key_only_through_ec2_in_this_region(
    template: Template, account: str
) -> None:
    key_id, _ = only(template, "AWS::KMS::Key")
    # Copies run as the target account's documented role; shared AMIs are launched by anyone there.
    principal = (
        f"arn:aws:iam::{account}:role/EC2ImageBuilderDistributionCrossAccountRole"
        if account in TARGETS
        else f"arn:aws:iam::{account}:root"
    )
    evaluator = PolicyEvaluator(template.to_json(), external_identities={principal: CROSS_ROLE_POLICY})
    root = principal
    ec2_here = {"kms:ViaService": f"ec2.{REGION}.amazonaws.com", "kms:CallerAccount": account}
    assert evaluator.kms_allows(
        key_id, _ebs_request(evaluator, key_id, root, "kms:ReEncryptFrom", **ec2_here)
    )
    assert evaluator.kms_allows(
        key_id,
        _ebs_request(
            evaluator, key_id, root, "kms:CreateGrant", **ec2_here, **{"kms:GrantIsForAWSResource": "true"}
        ),
    )
    # near misses: no AWS resource, another service, another caller account, an action never granted
    assert not evaluator.kms_allows(
        key_id, _ebs_request(evaluator, key_id, root, "kms:CreateGrant", **ec2_here)
    )
    via_s3 = {**ec2_here, "kms:ViaService": f"s3.{REGION}.amazonaws.com"}
    assert not evaluator.kms_allows(key_id, _ebs_request(evaluator, key_id, root, "kms:Decrypt", **via_s3))
    other_caller = {**ec2_here, "kms:CallerAccount": "999999999999"}
    assert not evaluator.kms_allows(
        key_id, _ebs_request(evaluator, key_id, root, "kms:Decrypt", **other_caller)
    )
    assert not evaluator.kms_allows(
        key_id, _ebs_request(evaluator, key_id, root, "kms:ScheduleKeyDeletion", **ec2_here)
    )


def test_unlisted_accounts_cannot_use_the_ami_key(evaluator: PolicyEvaluator, template: Template) -> None:
    key_id, _ = only(template, "AWS::KMS::Key")
    context = {"kms:ViaService": f"ec2.{REGION}.amazonaws.com", "kms:CallerAccount": "999999999999"}
    request = _ebs_request(evaluator, key_id, "arn:aws:iam::999999999999:root", "kms:Decrypt", **context)
    assert not evaluator.kms_allows(key_id, request)


def test_auto_scaling_launches_encrypted_amis(evaluator: PolicyEvaluator, template: Template) -> None:
    key_id, _ = only(template, "AWS::KMS::Key")
    ec2_here = {"kms:ViaService": f"ec2.{REGION}.amazonaws.com", "kms:CallerAccount": ACCOUNT}
    for action in (
        "kms:Decrypt",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:ReEncryptTo",
        "kms:DescribeKey",
    ):
        assert evaluator.kms_allows(key_id, _ebs_request(evaluator, key_id, ASG_SLR, action, **ec2_here))
    grant = {**ec2_here, "kms:GrantIsForAWSResource": "true"}
    assert evaluator.kms_allows(key_id, _ebs_request(evaluator, key_id, ASG_SLR, "kms:CreateGrant", **grant))
    assert not evaluator.kms_allows(
        key_id, _ebs_request(evaluator, key_id, ASG_SLR, "kms:CreateGrant", **ec2_here)
    )
    assert not evaluator.kms_allows(key_id, _ebs_request(evaluator, key_id, ASG_SLR, "kms:Decrypt"))


def test_cross_account_key_statements_are_exact(template: Template) -> None:
    statements = key_statements(template)
    copy = statements["AllowDistributionTargetAccounts"]
    assert sorted(copy["Action"]) == sorted(actions.EBS_KEY_ACTIONS)
    assert copy["Resource"] == "*"
    assert copy["Condition"]["StringEquals"]["kms:CallerAccount"] == TARGETS
    # Only the documented role of each target account, named by ARN under its (always existing) account.
    assert copy["Condition"]["ArnEquals"]["aws:PrincipalArn"] == [
        {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":iam::{a}:role/{CROSS_ROLE}"]]}
        for a in TARGETS
    ]
    assert len(copy["Principal"]["AWS"]) == len(TARGETS)
    share = statements["AllowLaunchPermissionAccounts"]
    assert share["Condition"]["StringEquals"]["kms:CallerAccount"] == [LAUNCHER]
    assert "ArnEquals" not in share["Condition"]
    for sid in ("AllowDistributionTargetAccountsCreateGrant", "AllowLaunchPermissionAccountsCreateGrant"):
        grant = statements[sid]
        assert grant["Action"] == "kms:CreateGrant"
        assert grant["Condition"]["Bool"] == {"kms:GrantIsForAWSResource": "true"}


def test_only_the_cross_account_role_of_a_target_account_copies(
    evaluator: PolicyEvaluator, template: Template
) -> None:
    key_id, _ = only(template, "AWS::KMS::Key")
    ec2_here = {"kms:ViaService": f"ec2.{REGION}.amazonaws.com"}
    role = f"arn:aws:iam::{TARGETS[0]}:role/{CROSS_ROLE}"
    other_role = f"arn:aws:iam::{TARGETS[0]}:role/Developer"
    documented = {role: [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}
    documented[other_role] = documented[role]
    with_iam = PolicyEvaluator(template.to_json(), external_identities=documented)
    assert with_iam.kms_allows(key_id, _ebs_request(evaluator, key_id, role, "kms:Decrypt", **ec2_here))
    assert not with_iam.kms_allows(
        key_id, _ebs_request(evaluator, key_id, other_role, "kms:Decrypt", **ec2_here)
    )


def test_auto_scaling_is_opt_in() -> None:
    stack = make_stack()
    key = ImageBuilderKey(stack, "Key")
    SecureImagePipeline(
        stack,
        "Pipeline",
        name="plain",
        key=key,
        vpc=_vpc(stack),
        parent_image=aws_managed_image(stack, "amazon-linux-2023-x86"),
        components=[aws_managed_component(stack, "update-linux")],
    )
    assert "AutoScaling" not in json.dumps(Template.from_stack(stack).to_json())


# --- workflows and the pipeline -------------------------------------------------------------------------


def test_pipeline_runs_encrypted_workflows_with_scanning_and_schedule(template: Template) -> None:
    template.has_resource_properties(
        "AWS::ImageBuilder::ImagePipeline",
        {
            "Name": "golden",
            "Status": "ENABLED",
            "ImageScanningConfiguration": {"ImageScanningEnabled": True},
            "ImageTestsConfiguration": {"ImageTestsEnabled": True},
            "EnhancedImageMetadataEnabled": True,
            "ExecutionRole": {"Fn::GetAtt": [Match.string_like_regexp("^PipelineExecutionRole"), "Arn"]},
            "Workflows": [{"WorkflowArn": {"Fn::GetAtt": [Match.string_like_regexp("^Build"), "Arn"]}}],
            "Schedule": {
                "ScheduleExpression": "cron(0 4 ? * MON *)",
                "PipelineExecutionStartCondition": defaults.SCHEDULE_START_CONDITION,
            },
            "LoggingConfiguration": {
                "ImageLogGroupName": "/aws/imagebuilder/golden",
                "PipelineLogGroupName": "/aws/imagebuilder/pipeline/golden",
            },
            "Tags": {"project": "golden-images"},
        },
    )
    template.has_resource_properties("AWS::ImageBuilder::Workflow", {"KmsKeyId": KEY_ARN})


def test_execution_role_gets_the_workflow_grant(evaluator: PolicyEvaluator, template: Template) -> None:
    key_id, _ = only(template, "AWS::KMS::Key")
    role_id, _ = only(template, "AWS::IAM::Role", "PipelineExecutionRole")
    workflow = f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:workflow/build/build/1.0.0/*"
    context = {"kms:EncryptionContext:aws:imagebuilder:arn": workflow}
    request = Request("kms:GenerateDataKey", evaluator.role_arn(role_id), evaluator.key_arn(key_id), context)
    assert evaluator.kms_allows(key_id, request)


# --- audit trail and endpoints --------------------------------------------------------------------------


def test_audit_trail_records_read_and_write_management_events(template: Template) -> None:
    template.has_resource_properties(
        "AWS::CloudTrail::Trail",
        {
            "IsMultiRegionTrail": True,
            "EnableLogFileValidation": True,
            "IncludeGlobalServiceEvents": True,
            "KMSKeyId": KEY_ARN,
            "EventSelectors": [{"IncludeManagementEvents": True, "ReadWriteType": "All"}],
        },
    )
    _, trail = only(template, "AWS::CloudTrail::Trail")
    assert "ExcludeManagementEventSources" not in trail["Properties"]["EventSelectors"][0]


def test_cloudtrail_may_encrypt_only_for_this_trail(evaluator: PolicyEvaluator, template: Template) -> None:
    statements = key_statements(template)
    _, trail = only(template, "AWS::CloudTrail::Trail")
    name = trail["Properties"]["TrailName"]
    encrypt = evaluator.resolver.resolve(statements["AllowCloudTrailToEncryptLogs"])
    assert encrypt["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert encrypt["Action"] == "kms:GenerateDataKey*"
    assert encrypt["Condition"] == {
        "StringEquals": {"aws:SourceArn": f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{name}"},
        "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*"},
    }


def test_audit_bucket_is_tls_only(template: Template) -> None:
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": Match.string_like_regexp("^PipelineAuditTrailBucket")},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {"Effect": "Deny", "Condition": {"NumericLessThan": {"s3:TlsVersion": 1.2}}}
                        )
                    ]
                )
            },
        },
    )


def test_vpc_endpoints_cover_the_build_path(template: Template) -> None:
    endpoints = template.find_resources("AWS::EC2::VPCEndpoint")
    interface = [e for e in endpoints.values() if e["Properties"].get("VpcEndpointType") == "Interface"]
    assert len(interface) == len(defaults.INTERFACE_ENDPOINT_SERVICES)
    assert all(e["Properties"]["PrivateDnsEnabled"] for e in interface)
    assert len(endpoints) == len(interface) + 1  # the S3 gateway


def test_endpoints_admit_https_from_build_instances_only(template: Template) -> None:
    template.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        {
            "GroupId": {
                "Fn::GetAtt": [Match.string_like_regexp("^PipelineEndpointsSecurityGroup"), "GroupId"]
            },
            "SourceSecurityGroupId": {
                "Fn::GetAtt": [Match.string_like_regexp("^PipelineInfrastructureSecurityGroup"), "GroupId"]
            },
            "FromPort": 443,
            "ToPort": 443,
        },
    )


def test_stateful_resources_are_retained(template: Template) -> None:
    for kind in ("AWS::KMS::Key", "AWS::S3::Bucket", "AWS::Logs::LogGroup"):
        for logical_id, resource in template.find_resources(kind).items():
            assert resource.get("DeletionPolicy") == "Retain", logical_id


# --- the container pipeline -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def container_template() -> Template:
    stack = make_stack()
    key = ImageBuilderKey(stack, "Key")
    harden = EncryptedComponent(
        stack, "Harden", key=key, name="harden", version="1.0.0", platform="Linux", data=COMPONENT_YAML
    )
    SecureImagePipeline(
        stack,
        "Pipeline",
        name="containers",
        key=key,
        vpc=_vpc(stack),
        container=True,
        parent_image="public.ecr.aws/amazonlinux/amazonlinux:2023",
        components=[harden],
        notifications=False,
    )
    return Template.from_stack(stack)


def test_container_recipe_is_encrypted(container_template: Template) -> None:
    container_template.has_resource_properties(
        "AWS::ImageBuilder::ContainerRecipe",
        {
            "KmsKeyId": KEY_ARN,
            "ContainerType": "DOCKER",
            "TargetRepository": {
                "Service": "ECR",
                "RepositoryName": {"Ref": Match.string_like_regexp("^Pipeline")},
            },
            "InstanceConfiguration": {
                "BlockDeviceMappings": [
                    Match.object_like({"Ebs": Match.object_like({"Encrypted": True, "KmsKeyId": KEY_ARN})})
                ]
            },
        },
    )


def test_container_repository_is_encrypted_immutable_and_scanned(container_template: Template) -> None:
    container_template.has_resource(
        "AWS::ECR::Repository",
        {
            "Properties": {
                "EncryptionConfiguration": {"EncryptionType": "KMS", "KmsKey": KEY_ARN},
                "ImageTagMutability": "IMMUTABLE",
                "ImageScanningConfiguration": {"ScanOnPush": True},
            },
            "DeletionPolicy": "Retain",
        },
    )


def test_container_builds_get_two_imds_hops_and_scanning_of_their_repository(
    container_template: Template,
) -> None:
    container_template.has_resource_properties(
        "AWS::ImageBuilder::InfrastructureConfiguration",
        {"InstanceMetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2}},
    )
    container_template.has_resource_properties(
        "AWS::ImageBuilder::ImagePipeline",
        {
            "ContainerRecipeArn": Match.any_value(),
            "ImageRecipeArn": Match.absent(),
            "DistributionConfigurationArn": Match.absent(),
            "ImageScanningConfiguration": {
                "ImageScanningEnabled": True,
                "EcrConfiguration": {"RepositoryName": Match.any_value()},
            },
        },
    )
    container_template.resource_count_is("AWS::SNS::Topic", 0)
    container_template.resource_count_is("AWS::CloudTrail::Trail", 0)


@pytest.mark.parametrize(
    ("action", "bucket_account", "allowed"),
    [
        ("s3:PutObject", ACCOUNT, True),  # build logs to this account's bucket
        ("s3:GetObject", "999999999999", True),  # downloads from AWS-owned repositories
        ("s3:PutObject", "999999999999", False),  # copying data out to another account
        ("s3:DeleteObject", "999999999999", False),
    ],
)
def test_the_s3_gateway_endpoint_lets_writes_reach_this_accounts_buckets_only(
    evaluator: PolicyEvaluator, template: Template, action: str, bucket_account: str, allowed: bool
) -> None:
    (endpoint,) = [
        r
        for r in template.find_resources("AWS::EC2::VPCEndpoint").values()
        if r["Properties"].get("VpcEndpointType", "Gateway") == "Gateway"
        and "PolicyDocument" in r["Properties"]
    ]
    statements = evaluator.resolver.resolve(endpoint["Properties"]["PolicyDocument"]["Statement"])
    role = f"arn:aws:iam::{ACCOUNT}:role/Builder"
    request = Request(action, role, "arn:aws:s3:::some-bucket/key", {"aws:ResourceAccount": bucket_account})
    assert evaluator.resource_policy_allows(statements, request) is allowed


def test_the_default_log_groups_exist_encrypted_even_without_cloudwatch_logs() -> None:
    stack = make_stack()
    key = ImageBuilderKey(stack, "Key")
    SecureImagePipeline(
        stack,
        "Pipeline",
        name="plain",
        key=key,
        vpc=_vpc(stack),
        parent_image=aws_managed_image(stack, "amazon-linux-2023-x86"),
        components=[aws_managed_component(stack, "update-linux")],
    )
    template = Template.from_stack(stack)
    for name in ("/aws/imagebuilder/plain", "/aws/imagebuilder/pipeline/plain"):
        template.has_resource_properties(
            "AWS::Logs::LogGroup", {"LogGroupName": name, "KmsKeyId": KEY_ARN, "RetentionInDays": 365}
        )
    # The instance streams nothing to CloudWatch unless cloudwatch_logs=True.
    assert "logs:PutLogEvents" not in json.dumps(template.find_resources("AWS::IAM::Policy"))


@pytest.mark.parametrize(("own_trail", "allowed"), [(True, True), (False, False)])
def test_cloudtrail_writes_to_the_audit_bucket_only_for_this_trail(
    evaluator: PolicyEvaluator, template: Template, own_trail: bool, allowed: bool
) -> None:
    _, trail = only(template, "AWS::CloudTrail::Trail")
    name = trail["Properties"]["TrailName"]
    source = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{name if own_trail else 'another-trail'}"
    bucket_id, _ = only(template, "AWS::S3::Bucket", "PipelineAuditTrailBucket")
    context = {
        "aws:SourceArn": source,
        "s3:x-amz-acl": "bucket-owner-full-control",
        "aws:SecureTransport": "true",
        "s3:TlsVersion": "1.3",
    }
    bucket = f"arn:aws:s3:::{bucket_id.lower()}"
    for action, resource in (
        ("s3:PutObject", f"{bucket}/AWSLogs/{ACCOUNT}/x.json.gz"),
        ("s3:GetBucketAcl", bucket),
    ):
        decision = evaluator.decide(Request(action, "cloudtrail.amazonaws.com", resource, context))
        assert decision.allowed is allowed, decision
