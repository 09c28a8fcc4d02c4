"""Inputs people really pass (values read from files, strings where lists are expected, numbers where
text is expected): each ends in our error with the construct path, the value and the fix (issue 9).
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2

from conftest import make_stack
from secure_imagebuilder import (
    EncryptedComponent,
    EncryptedImageRecipe,
    ImageBuilderKey,
    SecureDistributionConfiguration,
    SecureInfrastructureConfiguration,
    aws_managed_component,
)

DOC = """\
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Hi
        action: ExecuteBash
        inputs:
          commands: [echo hi]
"""


def component(stack: cdk.Stack, **overrides: Any) -> EncryptedComponent:
    props: dict[str, Any] = {
        "name": "hello",
        "version": "1.0.0",
        "platform": "Linux",
        "data": DOC,
        **overrides,
    }
    return EncryptedComponent(stack, "Component", key=ImageBuilderKey(stack, "Key"), **props)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"version": "1.0.0\n"}, r"version must be a semantic version .*got '1\.0\.0\\n'"),
        ({"name": "hello\n"}, r"name must be 3-128 letters.*got 'hello\\n'"),
        ({"name": 42}, r"name must be a string: got 42; pass the name as text"),
        ({"version": 1}, r"version must be a string: got 1; pass the version as text"),
        (
            {"supported_os_versions": "Amazon Linux 2023"},
            r"supported_os_versions must be a list of strings, not one string: got 'Amazon Linux 2023'; wrap",
        ),
        (
            {"supported_os_versions": ["Amazon Linux 2023", 2]},
            r"supported_os_versions must hold strings only: got 2",
        ),
    ],
)
def test_component_inputs(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=rf"(?s)TestStack/Component: .*{message}"):
        component(make_stack(), **overrides)


def test_instance_types_as_one_string_is_our_error() -> None:
    stack = make_stack()
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=1, restrict_default_security_group=False)
    key = ImageBuilderKey(stack, "Key")
    with pytest.raises(
        ValueError,
        match=r"TestStack/Infra: instance_types must be a list of strings, not one string: got 'm5.large'",
    ):
        SecureInfrastructureConfiguration(
            stack, "Infra", key=key, name="infra", vpc=vpc, instance_types="m5.large"
        )  # type: ignore[arg-type]


def test_target_account_ids_as_one_string_is_one_problem_not_twelve() -> None:
    stack = make_stack()
    with pytest.raises(ValueError) as raised:
        SecureDistributionConfiguration(
            stack, "Dist", key=ImageBuilderKey(stack, "Key"), name="dist", target_account_ids="111122223333"
        )  # type: ignore[arg-type]
    assert str(raised.value) == (
        "TestStack/Dist: target_account_ids must be a list of strings, not one string: got '111122223333'; "
        "wrap it in a list: ['111122223333']"
    )


def test_components_as_one_string_is_our_error() -> None:
    stack = make_stack()
    managed = aws_managed_component(stack, "update-linux")
    with pytest.raises(
        ValueError, match=r"(?s)TestStack/Recipe: .*components must be a list, not one string"
    ):
        EncryptedImageRecipe(
            stack,
            "Recipe",
            key=ImageBuilderKey(stack, "Key"),
            name="r",
            version="1.0.0",
            parent_image="ami-1",
            components=managed,
        )  # type: ignore[arg-type]


def test_a_list_token_is_accepted_and_rendered_unchanged() -> None:
    stack = make_stack()
    param = cdk.CfnParameter(stack, "Oses", type="CommaDelimitedList")
    built = component(stack, supported_os_versions=param.value_as_list)
    rendered = stack.resolve(built.resource.supported_os_versions)
    assert rendered == {"Ref": "Oses"}
