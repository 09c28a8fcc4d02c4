"""AWS managed policies as their documentation describes them, reduced to what the grant rules ask.

A role's managed policy counts only for what is written here; one not listed grants nothing we rely
on. Sources: AWS managed policy reference, EC2ImageBuilderExecutionPolicy (KMS only for EBS through
EC2, and sns:Publish), https://docs.aws.amazon.com/aws-managed-policy/latest/reference/EC2ImageBuilderExecutionPolicy.html;
AmazonSSMManagedInstanceCore (the SSM agent), https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonSSMManagedInstanceCore.html.
Policies whose KMS statements we do not model (EC2InstanceProfileForImageBuilder, ...) are listed in
``UNMODELLED``: a role that holds one is not judged on its identity side.
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

# Managed policies with KMS statements we do not model: the identity side of such a role is not judged.
UNMODELLED = frozenset(
    {"EC2InstanceProfileForImageBuilder", "EC2InstanceProfileForImageBuilderECRContainerBuilds"}
)
