"""AWS managed policies as their documentation describes them, for the evaluator and the rules.

A role's managed policy counts for what is written here; one not listed here may allow anything, so a
request its holder needs is undecided (never silently allowed or denied), and so is a question about
what it may do (IB9, RA4: a warning naming the policy).

Each entry is the policy's JSON document as the AWS managed policy reference publishes it
(https://docs.aws.amazon.com/aws-managed-policy/latest/reference/<name>.html), whole, except where
:data:`REDUCED` says which services' statements it lists: the rules ask about KMS, S3 objects, Secrets
Manager and "every action" (an action of no service), so a reduced entry keeps every statement that can
allow one of those, and for any other action it *may* allow (undecided).

Sources (reference pages, read 2026-12):

- EC2ImageBuilderExecutionPolicy (reduced to KMS and SNS: KMS only for EBS through EC2, and
  sns:Publish); EC2InstanceProfileForImageBuilder (v3) and EC2InstanceProfileForImageBuilderECRContainerBuilds
  (v1): ``kms:Decrypt`` only with ``kms:EncryptionContextKeys`` = ``aws:imagebuilder:arn`` and
  ``aws:CalledVia`` = Image Builder, ``s3:GetObject`` on ``ec2imagebuilder*`` buckets, logs to
  ``/aws/imagebuilder/*`` ("AWS managed policies for EC2 Image Builder";
  shared/reference/service-permissions-notes.md); AmazonSSMManagedInstanceCore (v2, the SSM agent);
  CloudWatchAgentServerPolicy (v3, the CloudWatch agent);
- the broad ones (``core.thresholds.BROAD_MANAGED_POLICIES``): AdministratorAccess (v1), PowerUserAccess
  (v12), ReadOnlyAccess (reduced to S3, KMS, Secrets Manager and SSM), AmazonS3FullAccess (v2),
  AmazonS3ReadOnlyAccess (v3), AmazonInspectorFullAccess (v5), SecretsManagerReadWrite (v6),
  AmazonEC2RoleforSSM (v8, deprecated).
"""

from __future__ import annotations

from typing import Any

from secure_imagebuilder.rules.engine import access
from secure_imagebuilder.rules.engine import values as v

REFERENCE = "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/{name}.html"

EBS_VIA_EC2: list[dict[str, Any]] = [
    {
        "Effect": "Allow",
        "Action": [
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:ReEncryptFrom",
            "kms:ReEncryptTo",
            "kms:GenerateDataKeyWithoutPlaintext",
        ],
        "Resource": "*",
        "Condition": {
            "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["aws:ebs:id"]},
            "StringLike": {"kms:ViaService": ["ec2.*.amazonaws.com"]},
        },
    },
    {
        "Effect": "Allow",
        "Action": "kms:DescribeKey",
        "Resource": "*",
        "Condition": {"StringLike": {"kms:ViaService": ["ec2.*.amazonaws.com"]}},
    },
    {
        "Effect": "Allow",
        "Action": "kms:CreateGrant",
        "Resource": "*",
        "Condition": {
            "Bool": {"kms:GrantIsForAWSResource": True},
            "StringLike": {"kms:ViaService": ["ec2.*.amazonaws.com"]},
        },
    },
]

# The build instance profiles: component decrypt through Image Builder only (R10).
COMPONENT_DECRYPT: list[dict[str, Any]] = [
    {
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": "*",
        "Condition": {
            "ForAnyValue:StringEquals": {
                "kms:EncryptionContextKeys": "aws:imagebuilder:arn",
                "aws:CalledVia": ["imagebuilder.amazonaws.com"],
            }
        },
    }
]
_BUILD_INSTANCE_REST: list[dict[str, Any]] = [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::ec2imagebuilder*"},
    {
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:CreateLogGroup", "logs:PutLogEvents"],
        "Resource": "arn:aws:logs:*:*:log-group:/aws/imagebuilder/*",
    },
]
_ECR_BUILDS = [
    "imagebuilder:GetComponent",
    "imagebuilder:GetContainerRecipe",
    "ecr:GetAuthorizationToken",
    "ecr:BatchGetImage",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:BatchCheckLayerAvailability",
    "ecr:GetDownloadUrlForLayer",
    "ecr:PutImage",
]
_SSM_AGENT = [
    "ssm:DescribeAssociation",
    "ssm:GetDeployablePatchSnapshotForInstance",
    "ssm:GetDocument",
    "ssm:DescribeDocument",
    "ssm:GetManifest",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:ListAssociations",
    "ssm:ListInstanceAssociations",
    "ssm:PutInventory",
    "ssm:PutComplianceItems",
    "ssm:PutConfigurePackageResult",
    "ssm:UpdateAssociationStatus",
    "ssm:UpdateInstanceAssociationStatus",
    "ssm:UpdateInstanceInformation",
]
_SSM_CHANNELS: list[dict[str, Any]] = [
    {
        "Effect": "Allow",
        "Action": [
            "ssmmessages:CreateControlChannel",
            "ssmmessages:CreateDataChannel",
            "ssmmessages:OpenControlChannel",
            "ssmmessages:OpenDataChannel",
        ],
        "Resource": "*",
    },
    {
        "Effect": "Allow",
        "Action": [
            "ec2messages:AcknowledgeMessage",
            "ec2messages:DeleteMessage",
            "ec2messages:FailMessage",
            "ec2messages:GetEndpoint",
            "ec2messages:GetMessages",
            "ec2messages:SendReply",
        ],
        "Resource": "*",
    },
]

DOCUMENTED: dict[str, list[dict[str, Any]]] = {
    "EC2ImageBuilderExecutionPolicy": [
        *EBS_VIA_EC2,
        {"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"},
    ],
    "EC2InstanceProfileForImageBuilder": [
        {"Effect": "Allow", "Action": "imagebuilder:GetComponent", "Resource": "*"},
        *COMPONENT_DECRYPT,
        *_BUILD_INSTANCE_REST,
    ],
    "EC2InstanceProfileForImageBuilderECRContainerBuilds": [
        {"Effect": "Allow", "Action": _ECR_BUILDS, "Resource": "*"},
        *COMPONENT_DECRYPT,
        *_BUILD_INSTANCE_REST,
    ],
    "AmazonSSMManagedInstanceCore": [
        {"Effect": "Allow", "Action": _SSM_AGENT, "Resource": "*"},
        *_SSM_CHANNELS,
    ],
    "CloudWatchAgentServerPolicy": [
        {
            "Effect": "Allow",
            "Action": [
                "cloudwatch:PutMetricData",
                "ec2:DescribeVolumes",
                "ec2:DescribeTags",
                "logs:PutLogEvents",
                "logs:PutRetentionPolicy",
                "logs:DescribeLogStreams",
                "logs:DescribeLogGroups",
                "logs:CreateLogStream",
                "logs:CreateLogGroup",
                "xray:PutTraceSegments",
                "xray:PutTelemetryRecords",
                "xray:GetSamplingRules",
                "xray:GetSamplingTargets",
                "xray:GetSamplingStatisticSummaries",
            ],
            "Resource": "*",
        },
        {
            "Effect": "Allow",
            "Action": "ssm:GetParameter",
            "Resource": "arn:aws:ssm:*:*:parameter/AmazonCloudWatch-*",
        },
    ],
    # --- broad (core.thresholds.BROAD_MANAGED_POLICIES says why) ---
    "AdministratorAccess": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    "PowerUserAccess": [
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": [
                "account:GetAccountInformation",
                "account:GetGovCloudAccountInformation",
                "account:GetPrimaryEmail",
                "account:ListRegions",
                "iam:CreateServiceLinkedRole",
                "iam:DeleteServiceLinkedRole",
                "iam:ListRoles",
                "organizations:DescribeEffectivePolicy",
                "organizations:DescribeOrganization",
            ],
            "Resource": "*",
        },
    ],
    "ReadOnlyAccess": [
        {
            "Effect": "Allow",
            "Action": [
                "s3:DescribeJob",
                "s3:Get*",
                "s3:List*",
                "s3-object-lambda:GetObject",
                "s3-object-lambda:ListBucket",
                "kms:Describe*",
                "kms:Get*",
                "kms:List*",
                "secretsmanager:Describe*",
                "secretsmanager:GetResourcePolicy",
                "secretsmanager:List*",
                "ssm:Describe*",
                "ssm:Get*",
                "ssm:List*",
            ],
            "Resource": "*",
        }
    ],
    "AmazonS3FullAccess": [{"Effect": "Allow", "Action": ["s3:*", "s3-object-lambda:*"], "Resource": "*"}],
    "AmazonS3ReadOnlyAccess": [
        {
            "Effect": "Allow",
            "Action": [
                "s3:Get*",
                "s3:List*",
                "s3:Describe*",
                "s3-object-lambda:Get*",
                "s3-object-lambda:List*",
            ],
            "Resource": "*",
        }
    ],
    "AmazonInspectorFullAccess": [
        {
            "Effect": "Allow",
            "Action": [
                "inspector:*",
                "ec2:DescribeInstances",
                "ec2:DescribeTags",
                "sns:ListTopics",
                "events:DescribeRule",
                "events:ListRuleNamesByTarget",
            ],
            "Resource": "*",
        },
        {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:PassedToService": ["inspector.amazonaws.com"]}},
        },
        {
            "Effect": "Allow",
            "Action": "iam:CreateServiceLinkedRole",
            "Resource": (
                "arn:aws:iam::*:role/aws-service-role/inspector.amazonaws.com/AWSServiceRoleForAmazonInspector"
            ),
            "Condition": {"StringLike": {"iam:AWSServiceName": "inspector.amazonaws.com"}},
        },
    ],
    "SecretsManagerReadWrite": [
        {
            "Sid": "BasePermissions",
            "Effect": "Allow",
            "Action": [
                "secretsmanager:*",
                "cloudformation:CreateChangeSet",
                "cloudformation:DescribeChangeSet",
                "cloudformation:DescribeStackResource",
                "cloudformation:DescribeStacks",
                "cloudformation:ExecuteChangeSet",
                "docdb-elastic:GetCluster",
                "docdb-elastic:ListClusters",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeVpcs",
                "kms:DescribeKey",
                "kms:ListAliases",
                "kms:ListKeys",
                "lambda:ListFunctions",
                "rds:DescribeDBClusters",
                "rds:DescribeDBInstances",
                "redshift:DescribeClusters",
                "redshift-serverless:ListWorkgroups",
                "redshift-serverless:GetNamespace",
                "tag:GetResources",
            ],
            "Resource": "*",
        },
        {
            "Sid": "LambdaPermissions",
            "Effect": "Allow",
            "Action": [
                "lambda:AddPermission",
                "lambda:CreateFunction",
                "lambda:GetFunction",
                "lambda:InvokeFunction",
                "lambda:UpdateFunctionConfiguration",
            ],
            "Resource": "arn:aws:lambda:*:*:function:SecretsManager*",
        },
        {
            "Sid": "SARPermissions",
            "Effect": "Allow",
            "Action": ["serverlessrepo:CreateCloudFormationChangeSet", "serverlessrepo:GetApplication"],
            "Resource": "arn:aws:serverlessrepo:*:*:applications/SecretsManager*",
        },
        {
            "Sid": "S3Permissions",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": [
                "arn:aws:s3:::awsserverlessrepo-changesets*",
                "arn:aws:s3:::secrets-manager-rotation-apps-*/*",
            ],
        },
        {
            "Sid": "CloudFormationTagOnCreate",
            "Effect": "Allow",
            "Action": ["cloudformation:TagResource", "cloudformation:UntagResource"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {"cloudformation:CreateAction": ["CreateChangeSet", "ExecuteChangeSet"]}
            },
        },
    ],
    "AmazonEC2RoleforSSM": [
        {"Effect": "Allow", "Action": [a for a in _SSM_AGENT if a != "ssm:GetParameter"], "Resource": "*"},
        *_SSM_CHANNELS,
        {
            "Effect": "Allow",
            "Action": ["cloudwatch:PutMetricData", "ec2:DescribeInstanceStatus"],
            "Resource": "*",
        },
        {"Effect": "Allow", "Action": ["ds:CreateComputer", "ds:DescribeDirectories"], "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": [
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:DescribeLogGroups",
                "logs:DescribeLogStreams",
                "logs:PutLogEvents",
            ],
            "Resource": "*",
        },
        {
            "Effect": "Allow",
            "Action": [
                "s3:GetBucketLocation",
                "s3:PutObject",
                "s3:GetObject",
                "s3:GetEncryptionConfiguration",
                "s3:AbortMultipartUpload",
                "s3:ListMultipartUploadParts",
                "s3:ListBucket",
                "s3:ListBucketMultipartUploads",
            ],
            "Resource": "*",
        },
    ],
}

REDUCED: dict[str, tuple[str, ...]] = {
    "EC2ImageBuilderExecutionPolicy": ("kms", "sns"),
    "ReadOnlyAccess": ("s3", "s3-object-lambda", "kms", "secretsmanager", "ssm"),
}
"""Entries that list the statements of these services only; every statement of the policy names actions
of a real service (none is ``*``), so an action of no service is not allowed, any other may be."""

for _name, _services in REDUCED.items():
    DOCUMENTED[_name] = [
        *DOCUMENTED[_name],
        {
            "Effect": "Allow",
            "NotAction": [*(f"{service}:*" for service in _services), f"{access.WITNESS_PREFIX}:*"],
            "Resource": "*",
            "Condition": v.Unknown(
                _name, f"statements of {_name} beyond {', '.join(_services)}", specific=False
            ),
        },
    ]


def reference(name: str) -> str:
    """The AWS managed policy reference page of ``name``."""
    return REFERENCE.format(name=name)
