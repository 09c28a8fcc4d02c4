"""KMS1-KMS5 and IAM1-IAM3: numbered non-compliant cases and compliant cases, one stack."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms

from ._helpers import case_test, raw, stack_fixture

ROOT = {
    "AWS": {
        "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"}, ":root"]]
    }
}
ADMIN = {"Sid": "Admin", "Effect": "Allow", "Principal": ROOT, "Action": "kms:*", "Resource": "*"}
CONTEXT = {
    "StringLike": {"kms:EncryptionContext:aws:imagebuilder:arn": "arn:aws:imagebuilder:*:1:workflow/*"}
}
ROLE = {"AWS": "arn:aws:iam::111122223333:role/exec"}


def key(
    stack: cdk.Stack, cid: str, *statements: dict[str, Any], retain: bool = True, **props: Any
) -> cdk.CfnResource:
    properties = {
        "EnableKeyRotation": True,
        "KeyPolicy": {"Version": "2012-10-17", "Statement": [ADMIN, *statements]},
    }
    resource = raw(stack, cid, "AWS::KMS::Key", {**properties, **props})
    if retain:
        resource.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
    return resource


def used_by_imagebuilder(stack: cdk.Stack, k: cdk.CfnResource) -> None:
    raw(
        stack, f"{k.node.id}User", "AWS::ImageBuilder::Component", {"Name": "c", "KmsKeyId": k.get_att("Arn")}
    )


def policy(stack: cdk.Stack, cid: str, *statements: dict[str, Any]) -> None:
    raw(
        stack, cid, "AWS::IAM::Policy", {"PolicyName": cid, "PolicyDocument": {"Statement": list(statements)}}
    )


def trust(stack: cdk.Stack, cid: str, service: Any, condition: dict[str, Any] | None = None) -> None:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    raw(stack, cid, "AWS::IAM::Role", {"AssumeRolePolicyDocument": {"Statement": [statement]}})


def build(stack: cdk.Stack) -> None:
    # KMS1
    key(stack, "KMS1Bad1", EnableKeyRotation=False)
    raw(stack, "KMS1Bad2", "AWS::KMS::Key", {"KeyPolicy": {"Statement": [ADMIN]}}).apply_removal_policy(
        cdk.RemovalPolicy.RETAIN
    )
    key(stack, "KMS1Good1", KeySpec="RSA_2048", EnableKeyRotation=False)
    kms.Key(stack, "KMS1Good2", enable_key_rotation=True)  # the L2: camelCase props, cfnOptions policies
    # KMS2
    key(stack, "KMS2Bad1", retain=False)
    bad = key(stack, "KMS2Bad2", retain=False)
    bad.cfn_options.deletion_policy = cdk.CfnDeletionPolicy.RETAIN
    kms.Key(stack, "KMS2Bad3", enable_key_rotation=True, removal_policy=cdk.RemovalPolicy.DESTROY)
    # KMS3
    key(stack, "KMS3Bad1", PendingWindowInDays=7)
    key(stack, "KMS3Good1", PendingWindowInDays=30)
    key(
        stack,
        "KMS3Undecided1",  # only known at deploy time: a warning naming the parameter, never a pass
        PendingWindowInDays=cdk.CfnParameter(stack, "Days", type="Number").value_as_number,
    )
    # KMS4
    anyone = {
        "Sid": "Anyone",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "kms:Decrypt",
        "Resource": "*",
    }
    key(stack, "KMS4Bad1", anyone)
    key(
        stack,
        "KMS4Bad2",
        {**anyone, "Principal": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
    )
    key(stack, "KMS4Good1", {**anyone, "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333"}}})
    key(stack, "KMS4Good2", {**anyone, "Effect": "Deny"})
    # KMS5: only keys used by components/workflows/container recipes
    decrypt = {
        "Sid": "Exec",
        "Effect": "Allow",
        "Principal": ROLE,
        "Action": ["kms:Decrypt"],
        "Resource": "*",
    }
    used_by_imagebuilder(stack, key(stack, "KMS5Bad1", decrypt))
    used_by_imagebuilder(
        stack, key(stack, "KMS5Bad2", {**decrypt, "Sid": "Gen", "Action": "kms:GenerateDataKey*"})
    )
    used_by_imagebuilder(stack, key(stack, "KMS5Bad3", {**decrypt, "Sid": "All", "Action": "kms:*"}))
    used_by_imagebuilder(stack, key(stack, "KMS5Good1", {**decrypt, "Condition": CONTEXT}))
    key(stack, "KMS5Good2", decrypt)  # not used by Image Builder
    used_by_imagebuilder(stack, key(stack, "KMS5Good3", {**decrypt, "Action": "kms:Encrypt"}))
    logs = {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-west-2:1:log-group:/x"}}
    used_by_imagebuilder(stack, key(stack, "KMS5Good4", {**decrypt, "Condition": logs}))
    via = {"StringEquals": {"kms:ViaService": "sns.us-west-2.amazonaws.com"}}
    used_by_imagebuilder(stack, key(stack, "KMS5Good5", {**decrypt, "Condition": via}))

    # IAM1: identity policies on Image Builder keys
    ib_key = key(stack, "IamKey")
    used_by_imagebuilder(stack, ib_key)
    plain_key = key(stack, "PlainKey")
    grant = {"Sid": "Use", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"]}
    policy(stack, "IAM1Bad1", {**grant, "Resource": ib_key.get_att("Arn")})
    policy(stack, "IAM1Bad2", {**grant, "Resource": "*"})
    raw(
        stack,
        "IAM1Bad3",
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {"Statement": []},
            "Policies": [
                {
                    "PolicyName": "Inline",
                    "PolicyDocument": {"Statement": [{**grant, "Resource": [ib_key.get_att("Arn")]}]},
                }
            ],
        },
    )
    policy(stack, "IAM1Good1", {**grant, "Resource": ib_key.get_att("Arn"), "Condition": CONTEXT})
    policy(stack, "IAM1Good2", {**grant, "Resource": plain_key.get_att("Arn")})
    policy(stack, "IAM1Good3", {**grant, "Resource": ib_key.get_att("Arn"), "Condition": via})
    # IAM2
    policy(stack, "IAM2Bad1", {"Effect": "Allow", "Action": "*", "Resource": "*"})
    policy(
        stack,
        "IAM2Bad2",
        {"Sid": "Kms", "Effect": "Allow", "Action": ["s3:GetObject", "KMS:*"], "Resource": "*"},
    )
    policy(stack, "IAM2Bad3", {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    policy(stack, "IAM2Good1", {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    policy(stack, "IAM2Good2", {"Effect": "Deny", "Action": "*", "Resource": "*"})
    # IAM3
    source = {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    trust(stack, "IAM3Bad1", "imagebuilder.amazonaws.com")
    trust(stack, "IAM3Bad2", {"Fn::Join": ["", ["imagebuilder.", {"Ref": "AWS::URLSuffix"}]]})
    trust(
        stack,
        "IAM3Bad3",
        ["ec2.amazonaws.com", "imagebuilder.amazonaws.com"],
        {"Bool": {"aws:SecureTransport": True}},
    )
    trust(stack, "IAM3Good1", "imagebuilder.amazonaws.com", source)
    trust(stack, "IAM3Good2", "ec2.amazonaws.com")
    role = iam.Role(
        stack,
        "IAM3Good3",
        assumed_by=iam.ServicePrincipal("imagebuilder.amazonaws.com").with_conditions(
            {"ArnLike": {"aws:SourceArn": "arn:aws:imagebuilder:*:111122223333:*"}}
        ),
    )
    del role


CASES = {
    "KMS1Bad1": {"KMS1"},
    "KMS1Bad2": {"KMS1"},
    "KMS1Good1": set(),
    "KMS1Good2/Resource": set(),
    "KMS2Bad1": {"KMS2[DeletionPolicy]", "KMS2[UpdateReplacePolicy]"},
    "KMS2Bad2": {"KMS2[UpdateReplacePolicy]"},
    "KMS2Bad3/Resource": {"KMS2[DeletionPolicy]", "KMS2[UpdateReplacePolicy]"},
    "KMS3Bad1": {"KMS3"},
    "KMS3Good1": set(),
    "KMS3Undecided1": {"KMS3"},
    "KMS4Bad1": {"KMS4[Anyone]"},
    "KMS4Bad2": {"KMS4[Anyone]"},
    "KMS4Good1": set(),
    "KMS4Good2": set(),
    "KMS5Bad1": {"KMS5[Exec]"},
    "KMS5Bad2": {"KMS5[Gen]"},
    "KMS5Bad3": {"KMS5[All]"},
    "KMS5Good1": set(),
    "KMS5Good2": set(),
    "KMS5Good3": set(),
    "KMS5Good4": set(),
    "KMS5Good5": set(),
    "IAM1Bad1": {"IAM1[Use]"},
    "IAM1Bad2": {"IAM1[Use]"},
    "IAM1Bad3": {"IAM1[Inline.Use]"},
    "IAM1Good1": set(),
    "IAM1Good2": set(),
    "IAM1Good3": set(),
    "IAM2Bad1": {"IAM2[Statement-*]", "IAM1[Statement-*]"},
    "IAM2Bad2": {"IAM2[Kms]", "IAM1[Kms]"},
    "IAM2Bad3": {"IAM2[Statement-*]", "IAM1[Statement-*]"},
    "IAM2Good1": set(),
    "IAM2Good2": set(),
    "IAM3Bad1": {"IAM3[Statement-*]"},
    "IAM3Bad2": {"IAM3[Statement-*]"},
    "IAM3Bad3": {"IAM3[Statement-*]"},
    "IAM3Good1": set(),
    "IAM3Good2": set(),
    "IAM3Good3/Resource": set(),
}


fired = stack_fixture("KI", build)
test_case = case_test("KI", CASES)
