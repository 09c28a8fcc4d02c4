"""The local token check agrees with the CDK's own for every kind of value the constructs validate."""

from __future__ import annotations

import aws_cdk as cdk
import pytest

from conftest import make_stack
from secure_imagebuilder.core import tokens


@pytest.fixture(scope="module")
def values() -> list[object]:
    stack = make_stack()
    parameter = cdk.CfnParameter(stack, "Version")
    return [
        "1.0.0",
        "",
        "${not a token}",
        "s3://bucket/key",
        stack.account,
        stack.region,
        parameter.value_as_string,
        f"prefix-{stack.partition}-suffix",
        cdk.Fn.join("", ["a", stack.account]),
        cdk.Token.as_string(cdk.Fn.get_att("Resource", "Arn")),
        cdk.Fn.sub("${AWS::Region}"),
        cdk.CfnParameter(make_stack(), "Count", type="Number").value_as_number,
        42,
        None,
    ]


def test_local_check_matches_the_cdk(values: list[object]) -> None:
    assert [tokens.is_unresolved(v) for v in values] == [bool(cdk.Token.is_unresolved(v)) for v in values]
    assert any(tokens.is_unresolved(v) for v in values) and not all(tokens.is_unresolved(v) for v in values)
