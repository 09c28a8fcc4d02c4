"""AWS managed policies as their documentation describes them, reduced to what the grant rules ask.

A role's managed policy counts for what is written here; one not listed here may allow anything, so a
request its holder needs is undecided (never silently allowed or denied). Sources: AWS managed policy
reference, EC2ImageBuilderExecutionPolicy (KMS only for EBS through EC2, and sns:Publish),
https://docs.aws.amazon.com/aws-managed-policy/latest/reference/EC2ImageBuilderExecutionPolicy.html;
AmazonSSMManagedInstanceCore (the SSM agent),
https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonSSMManagedInstanceCore.html;
EC2InstanceProfileForImageBuilder and ...ECRContainerBuilds ("AWS managed policies for EC2 Image
Builder"; shared/reference/service-permissions-notes.md): their KMS permission is ``kms:Decrypt`` only
with ``kms:EncryptionContextKeys`` = ``aws:imagebuilder:arn`` and ``aws:CalledVia`` = Image Builder.
"""

from __future__ import annotations

from typing import Any

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

DOCUMENTED: dict[str, list[dict[str, Any]]] = {
    "EC2ImageBuilderExecutionPolicy": [
        *EBS_VIA_EC2,
        {"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"},
    ],
    "AmazonSSMManagedInstanceCore": [
        {
            "Effect": "Allow",
            "Action": [
                "ssm:UpdateInstanceInformation",
                "ssmmessages:CreateControlChannel",
                "ec2messages:GetMessages",
            ],
            "Resource": "*",
        }
    ],
}

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
DOCUMENTED["EC2InstanceProfileForImageBuilder"] = COMPONENT_DECRYPT
DOCUMENTED["EC2InstanceProfileForImageBuilderECRContainerBuilds"] = COMPONENT_DECRYPT
