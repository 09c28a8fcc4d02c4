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
    Platform,
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
        "platform": Platform.LINUX,
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
        match=r"TestStack/Infra: instance_types must be ec2.InstanceType objects: got 'm5.large'",
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
    rendered = stack.resolve(built.supported_os_versions)
    assert rendered == {"Ref": "Oses"}


BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)


def test_a_yaml_alias_bomb_is_refused_before_it_expands() -> None:
    with pytest.raises(ValueError, match=r"the document uses 72 YAML aliases \(at most 50\)") as raised:
        component(make_stack(), data="schemaVersion: 1.0\nphases: []\n" + BILLION_LAUGHS)
    assert len(str(raised.value)) < 400


def test_bytes_data_is_explained() -> None:
    with pytest.raises(ValueError, match=r"data must be text, not bytes: got '\d+ bytes'; decode it first"):
        component(make_stack(), data=DOC.encode())


def test_a_path_given_as_str_is_read(tmp_path: Any) -> None:
    document = tmp_path / "doc.yaml"
    document.write_text(DOC)
    built = component(make_stack(), data=None, path=str(document))
    assert built.data == DOC


def test_a_non_utf8_file_is_explained(tmp_path: Any) -> None:
    document = tmp_path / "doc.yaml"
    document.write_bytes(b"schemaVersion: 1.0\nphases: [\xff]\n")
    with pytest.raises(ValueError, match=r"the document file is not UTF-8 text: got 'byte \d+ of /"):
        component(make_stack(), data=None, path=document)


def test_a_mapping_with_mixed_key_types_gets_our_error() -> None:
    with pytest.raises(ValueError, match=r"lacks the required field 'phases': got \['1', 'schemaVersion'\]"):
        component(make_stack(), data={"schemaVersion": 1.0, 1: "x"})


def test_a_long_value_is_shortened_and_a_credential_redacted() -> None:
    with pytest.raises(ValueError) as raised:
        component(make_stack(), name="x" * 10_000)
    assert "... (10002 characters)" in str(raised.value)
    assert len(str(raised.value)) < 400
    key_id = "AKIA" + "IOSFODNN7EXAMPLE"
    stack = make_stack()
    with pytest.raises(ValueError) as redacted:
        SecureDistributionConfiguration(
            stack, "Dist", key=ImageBuilderKey(stack, "Key"), name="dist", description=f"deploy key {key_id}"
        )
    assert key_id not in str(redacted.value)
    assert "<redacted: 33 characters that look like a credential>" in str(redacted.value)


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"alias": "alias/"}, r"alias must start with 'alias/' .*then 1-250 "),
        ({"alias": "alias/my key"}, r"alias must start with 'alias/' .*then 1-250 "),
        ({"alias": "alias/" + "k" * 300}, r"alias must start with .*\(308 characters\)"),
        ({"pending_window": cdk.Duration.hours(36)}, r"pending_window must be whole days: got '1 day 12 h"),
        (
            {"pending_window": 30},
            r"pending_window must be a Duration: got 30; pass pending_window=Duration\.days",
        ),
        (
            {"rotation_period": cdk.Duration.days(30)},
            r"rotation_period must be 90 to 2560 days \(the KMS limits\): got '30 days'",
        ),
    ],
)
def test_key_props_meet_kms_limits_with_our_message(props: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=rf"^TestStack/Key: {message}"):
        ImageBuilderKey(make_stack(), "Key", **props)


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:kms:us-east-1:111122223333:alias/imagebuilder",
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:us-east-1:111122223333:key/not-a-key-id",
    ],
)
def test_from_key_arn_refuses_what_is_not_a_key_arn(arn: str) -> None:
    with pytest.raises(
        ValueError, match=r"^TestStack/Shared: key_arn must be a key ARN.*a grant on an alias ARN never"
    ):
        ImageBuilderKey.from_key_arn(make_stack(), "Shared", arn)


def test_from_key_arn_accepts_key_arns_and_tokens() -> None:
    stack = make_stack()
    ImageBuilderKey.from_key_arn(
        stack, "A", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    )
    ImageBuilderKey.from_key_arn(
        stack, "B", "arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab"
    )
    ImageBuilderKey.from_key_arn(stack, "C", cdk.Fn.import_value("SharedKeyArn"))
