"""Every synth-time error branch of the pipeline and its pieces: bad input fails before deployment."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_events as events
from aws_cdk import aws_s3 as s3

from conftest import make_pipeline, make_stack, owner_report
from secure_imagebuilder.distribution import DistributionRegion, SecureDistributionConfiguration
from secure_imagebuilder.infrastructure import SecureInfrastructureConfiguration
from secure_imagebuilder.key import ImageBuilderKey
from secure_imagebuilder.logs import ImageBuilderLogGroup
from secure_imagebuilder.notifications import ImageBuilderNotificationTopic
from secure_imagebuilder.pipeline import SecureImagePipeline
from secure_imagebuilder.recipe import EncryptedImageRecipe

IMPORTED = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _pipeline(**overrides: Any) -> SecureImagePipeline:
    pipeline: SecureImagePipeline = make_pipeline(make_stack(), name="golden", **overrides)
    return pipeline


def _infrastructure(**overrides: Any) -> SecureInfrastructureConfiguration:
    stack = make_stack()
    vpc = overrides.pop("vpc", None) or ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=1)
    return SecureInfrastructureConfiguration(
        stack, "Infra", **{"key": ImageBuilderKey(stack, "Key"), "name": "golden", "vpc": vpc, **overrides}
    )


def _distribution(**overrides: Any) -> SecureDistributionConfiguration:
    stack = make_stack()
    return SecureDistributionConfiguration(
        stack, "Dist", **{"key": ImageBuilderKey(stack, "Key"), "name": "golden", **overrides}
    )


def test_public_subnet_selection_is_refused() -> None:
    with pytest.raises(
        ValueError, match=r"TestStack/Infra: build instances get no public IP, but subnet_selection asks"
    ):
        _infrastructure(subnet_selection=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC))


def test_a_public_subnet_given_by_object_is_refused() -> None:
    stack = make_stack()
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=1)
    with pytest.raises(ValueError, match=r"the selected subnet is public"):
        SecureInfrastructureConfiguration(
            stack,
            "Infra",
            key=ImageBuilderKey(stack, "Key"),
            name="golden",
            vpc=vpc,
            subnet_selection=ec2.SubnetSelection(subnets=vpc.public_subnets),
        )


def test_a_vpc_without_private_subnets_is_refused() -> None:
    stack = make_stack()
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        max_azs=1,
        subnet_configuration=[ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC)],
    )
    with pytest.raises(ValueError, match=r"private subnet, but the vpc has none"):
        SecureInfrastructureConfiguration(
            stack, "Infra", key=ImageBuilderKey(stack, "Key"), name="golden", vpc=vpc
        )


def test_a_log_bucket_without_a_kms_key_is_refused() -> None:
    stack = make_stack()
    bucket = s3.Bucket.from_bucket_name(stack, "Logs", "my-build-logs")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=1)
    with pytest.raises(ValueError, match=r"TestStack/Infra: the log bucket has no KMS key"):
        SecureInfrastructureConfiguration(
            stack, "Infra", key=ImageBuilderKey(stack, "Key"), name="golden", vpc=vpc, log_bucket=bucket
        )


@pytest.mark.parametrize("account", ["12345678901", "1234567890123", "abcdefghijkl"])
def test_account_ids_must_have_12_digits(account: str) -> None:
    with pytest.raises(
        ValueError, match=rf"target_account_ids must be 12-digit AWS account ids: got '{account}'"
    ):
        _distribution(target_account_ids=[account])


def test_launch_permission_account_ids_must_have_12_digits() -> None:
    with pytest.raises(ValueError, match=r"launch_permission_account_ids must be 12-digit"):
        _distribution(launch_permission_account_ids=["1234"])


def test_an_imported_key_is_owned_elsewhere_and_every_grant_it_needs_is_reported() -> None:
    """Service-linked roles, CloudWatch Logs and other accounts get key-policy statements only: for a key
    created outside this app they are accepted and printed for its owner, all in one message."""
    stack = make_stack()
    key = ImageBuilderKey.from_key_arn(stack, "Key", IMPORTED)
    ImageBuilderNotificationTopic(stack, "Topic", key=key)
    ImageBuilderLogGroup(stack, "Logs", key=key, log_group_name="/aws/imagebuilder/golden")
    SecureDistributionConfiguration(
        stack, "Dist", key=key, name="golden", target_account_ids=["444455556666"], grant_auto_scaling=True
    )
    sids = [s["Sid"] for s in owner_report(stack, "TestStack/Key")]
    assert sids[0] == "AllowImageBuilderServiceLinkedRoleToPublish"
    assert sids[1].startswith("AllowCloudWatchLogs")
    assert sids[2:] == [
        "AllowDistributionTargetAccounts",
        "AllowDistributionTargetAccountsCreateGrant",
        "AllowAutoScalingServiceLinkedRole",
        "AllowAutoScalingServiceLinkedRoleCreateGrant",
    ]


def test_another_region_needs_its_own_key() -> None:
    stack = make_stack()
    with pytest.raises(ValueError, match=r"the AMI copy in eu-west-1 needs a key in eu-west-1"):
        SecureDistributionConfiguration(
            stack,
            "Dist",
            key=ImageBuilderKey(stack, "Key"),
            name="golden",
            regions=[DistributionRegion("eu-west-1")],
        )


def test_a_key_of_another_region_is_refused() -> None:
    stack = make_stack()
    replica = ImageBuilderKey.from_key_arn(stack, "Replica", IMPORTED)
    with pytest.raises(ValueError, match=r"the key for eu-west-1 is in us-west-2"):
        SecureDistributionConfiguration(
            stack,
            "Dist",
            key=ImageBuilderKey(stack, "Key"),
            name="golden",
            regions=[DistributionRegion("eu-west-1", key=replica)],
        )


@pytest.mark.parametrize(
    ("tags", "kind"),
    [
        ({"owner": "jane.doe@example.com"}, "an e-mail address"),
        ({"account": "111122223333"}, "an account number"),
    ],
)
def test_tags_with_sensitive_data_are_refused(tags: dict[str, str], kind: str) -> None:
    with pytest.raises(ValueError, match=rf"contains {kind}, which never belongs in tags or names \(R8\)"):
        _pipeline(tags=tags)


def test_schedule_must_be_cron() -> None:
    with pytest.raises(ValueError, match=r"schedule must be a cron expression: got 'rate\(1 day\)'"):
        _pipeline(schedule=events.Schedule.expression("rate(1 day)"))


def test_a_container_repository_needs_a_container_build() -> None:
    stack = make_stack()
    repository = ecr.Repository.from_repository_name(stack, "Repo", "images")
    with pytest.raises(
        ValueError,
        match=r"TestStack/Infra: container_repository is only used by container builds: "
        r"got 'TestStack/Repo'; pass container=True",
    ):
        SecureInfrastructureConfiguration(
            stack,
            "Infra",
            key=ImageBuilderKey(stack, "Key"),
            name="golden",
            vpc=ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=1),
            container_repository=repository,
        )


def test_components_by_arn_must_be_aws_managed() -> None:
    stack = make_stack()
    foreign = "arn:aws:imagebuilder:us-west-2:999999999999:component/theirs/1.0.0/1"
    with pytest.raises(ValueError, match=r"components given by ARN must be AWS-managed"):
        EncryptedImageRecipe(
            stack,
            "Recipe",
            key=ImageBuilderKey(stack, "Key"),
            name="golden",
            version="1.0.0",
            parent_image="ami-0123456789abcdef0",
            components=[foreign],
        )


def test_a_recipe_needs_components_and_collects_every_problem() -> None:
    stack = make_stack()
    with pytest.raises(ValueError, match=r"3 problems:") as error:
        EncryptedImageRecipe(
            stack,
            "Recipe",
            key=ImageBuilderKey(stack, "Key"),
            name="x",
            version="1.0",
            parent_image="ami-0123456789abcdef0",
            components=[],
        )
    assert "at least one component" in str(error.value)
