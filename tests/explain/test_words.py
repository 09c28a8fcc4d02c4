"""Conditions, ARNs and services in words (explain.words): what a reviewer reads instead of JSON."""

from __future__ import annotations

from typing import Any

import pytest

from secure_imagebuilder.explain import words
from secure_imagebuilder.rules.engine import values as v

CONTEXT = "kms:EncryptionContext:aws:imagebuilder:arn"


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (
            {"StringLike": {CONTEXT: "arn:aws:imagebuilder:*:111122223333:workflow/*"}},
            ["only with encryption context aws:imagebuilder:arn = a workflow of account 111122223333"],
        ),
        (
            {"StringLikeIfExists": {CONTEXT: "arn:aws:imagebuilder:*:*:component/*"}},
            ["only with encryption context aws:imagebuilder:arn = a component of any account, or without it"],
        ),
        (
            {"StringNotEquals": {CONTEXT: "arn:aws:imagebuilder:us-east-1:1:image-recipe/r/1.0.0"}},
            [
                "only with encryption context aws:imagebuilder:arn other than image recipe r/1.0.0 of "
                "account 1 in us-east-1"
            ],
        ),
        (
            {"ForAnyValue:StringEquals": {"aws:CalledVia": ["imagebuilder.amazonaws.com"]}},
            ["only through Image Builder (aws:CalledVia)"],
        ),
        (
            {"StringEquals": {"kms:ViaService": "sns.us-west-2.amazonaws.com", "kms:CallerAccount": "1"}},
            ["only through SNS in us-west-2 (kms:ViaService)", "only by a caller of account 1"],
        ),
        (
            {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::1:role/aws-service-role/x/Y"}},
            ["only as role aws-service-role/x/Y of account 1"],
        ),
        (
            {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-west-2:1:log-group:/a/b"}},
            ["only with encryption context aws:logs:arn = log group /a/b of account 1 in us-west-2"],
        ),
        (
            {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            ["only for grants to AWS services' resources (kms:GrantIsForAWSResource)"],
        ),
        (
            {"Null": {"kms:EncryptionContext:aws:s3:arn": "false"}},
            ["only with kms:EncryptionContext:aws:s3:arn"],
        ),
        (
            {"NumericLessThan": {"aws:MultiFactorAuthAge": "300"}},
            ["only when aws:MultiFactorAuthAge NumericLessThan 300"],
        ),
        (None, []),
    ],
)
def test_conditions_in_words(condition: Any, expected: list[str]) -> None:
    assert words.conditions(condition) == expected


def test_a_deploy_time_value_says_so_and_never_passes_for_a_literal() -> None:
    unknown = v.Unknown({"Ref": "KeyArn"}, "a parameter without a default")
    (text,) = words.conditions({"StringEquals": {"aws:SourceArn": unknown}})
    assert text == "only on behalf of a value only known at deploy time (a parameter without a default)"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("imagebuilder.amazonaws.com", "Image Builder"),
        ("ec2.*.amazonaws.com", "EC2 in any Region"),
        ("logs.eu-west-1.amazonaws.com", "CloudWatch Logs in eu-west-1"),
        ("example.com", "example.com"),
    ],
)
def test_services_in_words(name: str, expected: str) -> None:
    assert words.service(name) == expected
