"""Issue 23 through the CDK: IB8-IB10, RA4, user data, nested free text and asset documents, one stack.

Each case is a construct written with the L1s (PascalCase dicts where the Python property classes would
mistype the names, aws/aws-cdk#34758) or a CDK asset, synthesized once; the expected set is every
finding of the pack on the construct, and each non-compliant case has a compliant twin.
"""

from __future__ import annotations

import json
import pathlib

import aws_cdk as cdk
import pytest
from aws_cdk import aws_imagebuilder as ib
from aws_cdk import aws_kms as kms
from aws_cdk import aws_rolesanywhere as ra
from aws_cdk import aws_s3_assets as assets

from conftest import make_stack
from secure_imagebuilder import ImageBuilderLogGroup

from ._helpers import area, case_test, raw, run

IB = "AWS::ImageBuilder::"
MANAGED = "arn:aws:iam::aws:policy/"
ANCHOR = "arn:aws:rolesanywhere:us-west-2:111122223333:trust-anchor/4d2f39b4-1111-2222-3333-abcdefabcdef"
SECRET = "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
INSTALL = "name: install\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: get\n"
INSTALL += "        action: ExecuteBash\n        inputs:\n          commands: ['curl -fsSLO {url}']\n"


def build_role(stack: cdk.Stack, cid: str, managed: list[str], statements: list[object] = ()) -> None:
    """A build instance role in an instance profile of an infrastructure configuration."""
    trust = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    policies = (
        [{"PolicyName": "Build", "PolicyDocument": {"Statement": list(statements)}}] if statements else None
    )
    raw(
        stack,
        cid,
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {"Statement": [trust]},
            "ManagedPolicyArns": [MANAGED + name for name in managed],
            **({"Policies": policies} if policies else {}),
        },
    )
    raw(stack, f"{cid}Profile", "AWS::IAM::InstanceProfile", {"Roles": [{"Ref": cid}]})
    raw(
        stack,
        f"{cid}Infra",
        f"{IB}InfrastructureConfiguration",
        {
            "Name": cid.lower(),
            "InstanceProfileName": {"Ref": f"{cid}Profile"},
            "InstanceMetadataOptions": {"HttpTokens": "required"},
            "Logging": {"S3Logs": {"S3BucketName": "build-logs"}},
        },
    )


def ra_role(stack: cdk.Stack, cid: str, managed: list[str]) -> None:
    trust = {
        "Effect": "Allow",
        "Principal": {"Service": "rolesanywhere.amazonaws.com"},
        "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
        "Condition": {"ArnEquals": {"aws:SourceArn": ANCHOR}},
    }
    raw(
        stack,
        cid,
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {"Statement": [trust]},
            "ManagedPolicyArns": [MANAGED + m for m in managed],
        },
    )


def build(stack: cdk.Stack) -> None:
    key = kms.Key(stack, "Key", enable_key_rotation=True, removal_policy=cdk.RemovalPolicy.RETAIN)
    logs = build_rules(stack, key)
    build_text(stack, key, logs)


def build_rules(stack: cdk.Stack, key: kms.Key) -> ImageBuilderLogGroup:
    """IB8, IB9, IB10 and RA4 cases; returns the compliant log group."""

    # IB8: public launch permissions
    def distribution(cid: str, launch: dict[str, object]) -> None:
        ami = {"KmsKeyId": key.key_arn, "LaunchPermissionConfiguration": launch}
        raw(
            stack,
            cid,
            f"{IB}DistributionConfiguration",
            {"Name": cid, "Distributions": [{"Region": "us-west-2", "AmiDistributionConfiguration": ami}]},
        )

    distribution("IB8Bad1", {"UserGroups": ["all"]})
    distribution("IB8Good1", {"UserIds": ["111122223333"]})

    # IB9: the build instance role
    fine = ["EC2InstanceProfileForImageBuilder", "AmazonSSMManagedInstanceCore"]
    build_role(stack, "IB9Bad1", [*fine, "AmazonS3ReadOnlyAccess"])
    read_all = {"Sid": "ReadAll", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::*/*"}
    build_role(stack, "IB9Bad2", fine, [read_all])
    build_role(stack, "IB9Good1", fine)
    read_one = {**read_all, "Resource": "arn:aws:s3:::build-artifacts/components/*"}
    build_role(stack, "IB9Good2", fine, [read_one])

    # IB10: CloudWatch build logs
    recipe = "arn:aws:imagebuilder:us-west-2:111122223333:image-recipe/golden/1.0.0"
    ib.CfnImage(stack, "IB10Bad1", image_recipe_arn=recipe)
    logs = ImageBuilderLogGroup(stack, "BuildLogs", key=key, log_group_name="/builds/golden")
    ib.CfnImage(
        stack,
        "IB10Good1",
        image_recipe_arn=recipe,
        logging_configuration=ib.CfnImage.ImageLoggingConfigurationProperty(
            log_group_name=logs.log_group_name
        ),
    )

    # RA4: Roles Anywhere sessions
    ra_role(stack, "AdminRole", ["AdministratorAccess"])
    admin = cdk.Fn.get_att("AdminRole", "Arn").to_string()
    ra.CfnProfile(stack, "RA4Bad1", name="admins", role_arns=[admin])
    session = {
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::backups/*"}]
    }
    ra.CfnProfile(stack, "RA4Good1", name="backups", role_arns=[admin], session_policy=json.dumps(session))
    return logs


def build_text(stack: cdk.Stack, key: kms.Key, logs: ImageBuilderLogGroup) -> None:
    """User data and nested free text cases."""

    # User data (DOC cases): SEC1, DOC1, DOC2 read it decoded
    def recipe_with(cid: str, script: str) -> None:
        raw(
            stack,
            cid,
            f"{IB}ImageRecipe",
            {
                "Name": cid.lower(),
                "Version": "1.0.0",
                "ParentImage": "arn:aws:imagebuilder:us-west-2:aws:image/amazon-linux-2023-x86/x.x.x",
                "Components": [
                    {"ComponentArn": "arn:aws:imagebuilder:us-west-2:aws:component/update-linux/x.x.x"}
                ],
                "AdditionalInstanceConfiguration": {"UserDataOverride": cdk.Fn.base64(script)},
            },
        )

    recipe_with("DOCBad1", f"#!/bin/bash\nexport {SECRET}\ncurl -k http://mirror.example.com/a.sh | sh\n")
    recipe_with("DOCGood1", "#!/bin/bash\ncurl -fsSL https://mirror.example.com/a.sh -o /tmp/a.sh\n")

    # SD1: nested free text
    raw(stack, "SD1Bad1", f"{IB}ImagePipeline", _pipeline(key, {"Owner": "builds@example.com"}, logs))
    raw(stack, "SD1Good1", f"{IB}ImagePipeline", _pipeline(key, {"Owner": "platform"}, logs))


def _pipeline(key: kms.Key, tags: dict[str, str], logs: ImageBuilderLogGroup) -> dict[str, object]:
    return {
        "Name": "nightly",
        "ImageRecipeArn": "arn:aws:imagebuilder:us-west-2:111122223333:image-recipe/golden/1.0.0",
        "InfrastructureConfigurationArn": (
            "arn:aws:imagebuilder:us-west-2:111122223333:infrastructure-configuration/i"
        ),
        "ImageTags": tags,
        "LoggingConfiguration": {
            "ImageLogGroupName": logs.log_group_name,
            "PipelineLogGroupName": logs.log_group_name,
        },
    }


CASES = {
    "IB8Bad1": {"IB8[us-west-2]"},
    "IB8Good1": set(),
    "IB9Bad1": {"IB9[AmazonS3ReadOnlyAccess]"},
    "IB9Bad2": {"IB9[Build.ReadAll]"},
    "IB9Good1": set(),
    "IB9Good2": set(),
    "IB10Bad1": {"IB10[LogGroupName]"},
    "IB10Good1": set(),
    "RA4Bad1": {"RA4[AdminRole]"},
    "RA4Good1": set(),
    "DOCBad1": {
        "SEC1[AdditionalInstanceConfiguration.UserDataOverride]",
        "DOC1[AdditionalInstanceConfiguration.UserDataOverride]",
        "DOC2[AdditionalInstanceConfiguration.UserDataOverride]",
    },
    "DOCGood1": set(),
    "SD1Bad1": {"SD1[ImageTags:Owner]"},
    "SD1Good1": set(),
}

fired = pytest.fixture(scope="module")(lambda: _fired())


def _fired() -> dict[str, set[str]]:
    stack = make_stack(name="Cov")
    build(stack)
    return run(stack, frozen="Cov")


test_case = case_test("Cov", CASES)


# --- documents shipped as CDK assets, in validate_scope and in app.synth() ---------------------------


def asset_component(stack: cdk.Stack, tmp: pathlib.Path, url: str) -> None:
    document = tmp / "install.yaml"
    document.write_text(INSTALL.format(url=url))
    key = kms.Key(stack, "Key", enable_key_rotation=True, removal_policy=cdk.RemovalPolicy.RETAIN)
    asset = assets.Asset(stack, "InstallDocument", path=str(document))
    ib.CfnComponent(
        stack,
        "InstallProxy",
        name="install-proxy",
        platform="Linux",
        version="1.0.0",
        uri=asset.s3_object_url,
        kms_key_id=key.key_arn,
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://nginx.org/download/nginx-1.25.3.tar.gz", {"DOC1[Uri]"}),
        ("https://nginx.org/download/x", set()),
    ],
    ids=["plain http", "https"],
)
def test_a_component_document_shipped_as_an_asset_is_read(
    tmp_path: pathlib.Path, url: str, expected: set[str]
) -> None:
    stack = make_stack(name="Proxy")
    asset_component(stack, tmp_path, url)
    assert area(run(stack), "Proxy/InstallProxy", "DataProtection-") == expected


def test_cdk_synth_fails_on_an_asset_document_over_plain_http(tmp_path: pathlib.Path) -> None:
    from conftest import make_app
    from secure_imagebuilder.nag import DataProtectionChecks

    app = make_app()
    stack = make_stack(app, name="Proxy")
    asset_component(stack, tmp_path, "http://luajit.org/download/LuaJIT-2.0.5.tar.gz")
    cdk.Validations.of(app).add_plugins(DataProtectionChecks(app))
    with pytest.raises(Exception, match=r"DataProtection-DOC1\[Uri\]"):
        app.synth()
