"""Issue 23, "What to build" item 2: the constructs do the secure thing by default, each overridable.

- ``SecureDistributionConfiguration`` never makes an AMI public and writes AMI ids to SSM parameters (R1, R8);
- ``SecureImage`` and ``SecureImagePipeline`` log to KMS-encrypted log groups with retention (R5, R17);
- ``BuildInstanceRole`` grants exactly what its docstring lists and refuses broad managed policies (R1);
- ``RolesAnywhereAccess`` takes session managed policies and attribute mappings, and a role with a broad
  managed policy needs scoped sessions (R1, R19).
"""

from __future__ import annotations

import pathlib
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk.assertions import Match, Template

import pki
from conftest import make_app, make_image_recipe, make_infrastructure, make_pipeline, make_stack, our_error
from secure_imagebuilder import (
    AmiSsmParameter,
    BuildInstanceRole,
    DistributionRegion,
    EncryptedImageRecipe,
    ImageBuilderKey,
    RolesAnywhereAccess,
    SecureDistributionConfiguration,
    SecureImage,
)
from secure_imagebuilder.core import thresholds

TARGET = "444455556666"
REPLICA = "arn:aws:kms:eu-west-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef"
MANAGED = "arn:aws:iam::aws:policy/"


def managed(name: str) -> iam.IManagedPolicy:
    return iam.ManagedPolicy.from_aws_managed_policy_name(name)


# --- SecureDistributionConfiguration: private AMIs, SSM parameter outputs ----------------------------


def distribution(stack: cdk.Stack, **props: Any) -> SecureDistributionConfiguration:
    return SecureDistributionConfiguration(
        stack, "Distribution", key=ImageBuilderKey(stack, "Key"), name="images", **props
    )


@pytest.mark.parametrize("prop", ["launch_permission_account_ids", "target_account_ids"])
def test_all_where_an_account_belongs_is_our_error_the_ami_stays_private(prop: str) -> None:
    our_error(
        lambda s: distribution(s, **{prop: [TARGET, "all"]}),
        "TestStack/Distribution",
        f"{prop} may not hold 'all': EC2's group of every AWS account would make the AMI public",
        "'all'",
        "name the 12-digit accounts to share with; an AMI of this library stays private",
    )


@pytest.fixture(scope="module")
def distributed() -> dict[str, Any]:
    stack = make_stack(env=True)
    distribution(
        stack,
        target_account_ids=[TARGET],
        launch_permission_account_ids=[TARGET],
        regions=[
            DistributionRegion("us-west-2"),
            DistributionRegion("eu-west-1", key=ImageBuilderKey.from_key_arn(stack, "Replica", REPLICA)),
        ],
        ssm_parameters=[
            AmiSsmParameter("/images/golden/latest"),
            AmiSsmParameter("/images/golden/shared", account_id=TARGET),
            AmiSsmParameter("/images/golden/latest", region="eu-west-1"),
        ],
    )
    (props,) = [
        r["Properties"]
        for r in Template.from_stack(stack).to_json()["Resources"].values()
        if r["Type"] == "AWS::ImageBuilder::DistributionConfiguration"
    ]
    return {region["Region"]: region for region in props["Distributions"]}


def test_ssm_parameters_are_written_per_region_as_ami_ids(distributed: dict[str, Any]) -> None:
    assert distributed["us-west-2"]["SsmParameterConfigurations"] == [
        {"DataType": "aws:ec2:image", "ParameterName": "/images/golden/latest"},
        {"AmiAccountId": TARGET, "DataType": "aws:ec2:image", "ParameterName": "/images/golden/shared"},
    ]
    assert distributed["eu-west-1"]["SsmParameterConfigurations"] == [
        {"DataType": "aws:ec2:image", "ParameterName": "/images/golden/latest"}
    ]


def test_launch_permissions_name_accounts_only(distributed: dict[str, Any]) -> None:
    for region in distributed.values():
        assert region["AmiDistributionConfiguration"]["LaunchPermissionConfiguration"] == {
            "UserIds": [TARGET]
        }


def test_without_ssm_parameters_there_are_none() -> None:
    stack = make_stack()
    distribution(stack)
    Template.from_stack(stack).has_resource_properties(
        "AWS::ImageBuilder::DistributionConfiguration",
        {"Distributions": [Match.object_like({"SsmParameterConfigurations": Match.absent()})]},
    )


@pytest.mark.parametrize(
    ("parameter", "what", "shown", "fix"),
    [
        (
            AmiSsmParameter("/aws/images"),
            "AmiSsmParameter.parameter_name must be 1-1011 letters, digits or _.-/ and may not start",
            "'/aws/images'",
            "use a name like '/images/golden/latest'",
        ),
        (
            AmiSsmParameter("images golden"),
            "AmiSsmParameter.parameter_name must be 1-1011 letters",
            "'images golden'",
            "use a name like",
        ),
        (
            AmiSsmParameter("/images/ops@example.com"),
            "AmiSsmParameter.parameter_name contains an e-mail address, which never belongs in tags or names",
            "'/images/ops@example.com'",
            "keep sensitive data out of tags and free-form fields",
        ),
        (
            AmiSsmParameter("/images/latest", region="ap-south-1"),
            "AmiSsmParameter.region is no Region the AMI is distributed to",
            "'ap-south-1'",
            "add a DistributionRegion for it",
        ),
        (
            AmiSsmParameter("/images/latest", account_id=TARGET),
            "AmiSsmParameter.account_id must be one of target_account_ids",
            f"'{TARGET}'",
            "add the account to target_account_ids",
        ),
    ],
)
def test_an_ssm_parameter_image_builder_cannot_write_is_our_error(
    parameter: AmiSsmParameter, what: str, shown: str, fix: str
) -> None:
    our_error(
        lambda s: distribution(s, ssm_parameters=[parameter]), "TestStack/Distribution", what, shown, fix
    )


def test_ssm_parameters_of_the_wrong_kind_are_our_error() -> None:
    our_error(
        lambda s: distribution(s, ssm_parameters=["/images/latest"]),
        "TestStack/Distribution",
        "ssm_parameters must be AmiSsmParameter objects",
        "'/images/latest'",
        "pass e.g. [AmiSsmParameter('/images/golden/latest')]",
    )


# --- SecureImage and SecureImagePipeline: encrypted, retained build log groups ----------------------


@pytest.fixture(scope="module")
def images() -> dict[str, Any]:
    stack = make_stack(env=True)
    key = ImageBuilderKey(stack, "Key")
    infrastructure = make_infrastructure(stack, key)
    recipe = make_image_recipe(stack, key=key, name="golden image")
    SecureImage(stack, "Image", recipe=recipe, infrastructure=infrastructure)
    SecureImage(
        stack,
        "Again",
        recipe=recipe,
        infrastructure=infrastructure,
        log_retention=logs.RetentionDays.ONE_MONTH,
    )
    imported = EncryptedImageRecipe.from_image_recipe_arn(
        stack, "Shared", "arn:aws:imagebuilder:us-west-2:111122223333:image-recipe/shared/1.0.0"
    )
    SecureImage(stack, "Theirs", recipe=imported, infrastructure=infrastructure)
    group = logs.LogGroup.from_log_group_name(stack, "TeamLogs", "/aws/imagebuilder/team")
    SecureImage(stack, "Given", recipe=recipe, infrastructure=infrastructure, log_group=group)
    return {"template": Template.from_stack(stack).to_json()}


def _resource(template: dict[str, Any], kind: str, prefix: str) -> dict[str, Any]:
    (found,) = [r for k, r in template["Resources"].items() if r["Type"] == kind and k.startswith(prefix)]
    return found


def _group_of(template: dict[str, Any], image: str) -> dict[str, Any]:
    props = _resource(template, "AWS::ImageBuilder::Image", image)["Properties"]
    return template["Resources"][props["LoggingConfiguration"]["LogGroupName"]["Ref"]]


def test_an_image_logs_to_a_group_encrypted_with_the_recipes_key_kept_a_year(images: dict[str, Any]) -> None:
    t = images["template"]
    group = _group_of(t, "Image")
    key = next(k for k, r in t["Resources"].items() if r["Type"] == "AWS::KMS::Key" and k.startswith("Key"))
    assert group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key, "Arn"]}
    assert group["Properties"]["RetentionInDays"] == 365
    assert group["DeletionPolicy"] == "Retain"
    # under Image Builder's prefix, the recipe's name with '-' for its space, then the image's unique id
    assert group["Properties"]["LogGroupName"].startswith("/aws/imagebuilder/golden-image/TestStackImage")


def test_two_images_of_one_recipe_get_their_own_groups(images: dict[str, Any]) -> None:
    t = images["template"]
    first, second = _group_of(t, "Image"), _group_of(t, "Again")
    assert first["Properties"]["LogGroupName"] != second["Properties"]["LogGroupName"]
    assert second["Properties"]["RetentionInDays"] == 30


def test_an_image_of_a_recipe_without_our_key_gets_a_new_key(images: dict[str, Any]) -> None:
    t = images["template"]
    group = _group_of(t, "Theirs")
    (key,) = [
        k for k, r in t["Resources"].items() if r["Type"] == "AWS::KMS::Key" and k.startswith("TheirsKey")
    ]
    assert group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key, "Arn"]}
    assert group["Properties"]["LogGroupName"].startswith("/aws/imagebuilder/shared/TestStackTheirs")


def test_a_log_group_given_is_used_and_none_is_made(images: dict[str, Any]) -> None:
    t = images["template"]
    props = _resource(t, "AWS::ImageBuilder::Image", "Given")["Properties"]
    assert props["LoggingConfiguration"] == {"LogGroupName": "/aws/imagebuilder/team"}
    assert not [k for k in t["Resources"] if k.startswith(("GivenLogGroup", "GivenKey"))]


def test_a_log_group_outside_image_builders_prefix_is_our_error() -> None:
    our_error(
        lambda s: SecureImage(
            s,
            "Image",
            recipe=make_image_recipe(s),
            infrastructure=make_infrastructure(s, ImageBuilderKey(s, "Key")),
            log_group=logs.LogGroup.from_log_group_name(s, "Logs", "/team/builds"),
        ),
        "TestStack/Image",
        "log_group must be under /aws/imagebuilder/, where Image Builder's service-linked role writes",
        "'/team/builds'",
        "name the group /aws/imagebuilder/<name>",
    )


def test_a_pipeline_takes_its_log_groups_or_makes_them() -> None:
    stack = make_stack()
    group = logs.LogGroup.from_log_group_name(stack, "TeamLogs", "/aws/imagebuilder/team")
    make_pipeline(stack, image_log_group=group)
    t = Template.from_stack(stack)
    t.has_resource_properties(
        "AWS::ImageBuilder::ImagePipeline",
        {
            "LoggingConfiguration": {
                "ImageLogGroupName": "/aws/imagebuilder/team",
                "PipelineLogGroupName": "/aws/imagebuilder/pipeline/plain",
            }
        },
    )
    t.resource_count_is("AWS::Logs::LogGroup", 1)


def test_a_pipeline_log_group_outside_the_prefix_is_our_error() -> None:
    our_error(
        lambda s: make_pipeline(s, pipeline_log_group=logs.LogGroup.from_log_group_name(s, "L", "/runs")),
        "TestStack/Pipeline",
        "pipeline_log_group must be under /aws/imagebuilder/",
        "'/runs'",
        "name the group /aws/imagebuilder/<name>",
    )


# --- BuildInstanceRole: what it grants, and the broad policies it refuses --------------------------


def test_the_build_role_grants_exactly_what_it_documents() -> None:
    stack = make_stack()
    BuildInstanceRole(stack, "Role", key=ImageBuilderKey(stack, "Key"))
    t = Template.from_stack(stack).to_json()
    role = _resource(t, "AWS::IAM::Role", "Role")["Properties"]
    assert role["ManagedPolicyArns"] == [
        {
            "Fn::Join": [
                "",
                ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/AmazonSSMManagedInstanceCore"],
            ]
        }
    ]
    statements = _resource(t, "AWS::IAM::Policy", "RoleDefaultPolicy")["Properties"]["PolicyDocument"][
        "Statement"
    ]
    assert [(s.get("Sid"), s["Action"]) for s in statements] == [
        ("ReadImageBuilderComponents", "imagebuilder:GetComponent"),
        ("ReadImageBuilderManagedArtifacts", "s3:GetObject"),
        (None, "kms:Decrypt"),
    ]
    assert statements[2]["Condition"]["ForAnyValue:StringEquals"] == {
        "aws:CalledVia": "imagebuilder.amazonaws.com"
    }


def test_the_build_role_takes_further_managed_policies_that_are_not_broad() -> None:
    stack = make_stack()
    role = BuildInstanceRole(
        stack,
        "Role",
        key=ImageBuilderKey(stack, "Key"),
        managed_policies=[managed("CloudWatchAgentServerPolicy")],
    )
    role.add_managed_policy(managed("EC2InstanceProfileForImageBuilderECRContainerBuilds"))
    arns = str(_resource(Template.from_stack(stack).to_json(), "AWS::IAM::Role", "Role")["Properties"])
    assert "CloudWatchAgentServerPolicy" in arns and "ECRContainerBuilds" in arns


@pytest.mark.parametrize("name", sorted(thresholds.BROAD_MANAGED_POLICIES))
def test_a_broad_managed_policy_given_to_the_build_role_is_our_error(name: str) -> None:
    policy = "service-role/AmazonEC2RoleforSSM" if name == "AmazonEC2RoleforSSM" else name
    our_error(
        lambda s: BuildInstanceRole(
            s, "Role", key=ImageBuilderKey(s, "Key"), managed_policies=[managed(policy)]
        ),
        "TestStack/Role",
        f"managed_policies: {name} gives the component code on the build instance "
        f"{thresholds.BROAD_MANAGED_POLICIES[name]} (R1)",
        repr(name),
        "grant what the components need on named resources instead",
    )


def test_a_broad_managed_policy_added_later_is_our_error() -> None:
    def build(stack: cdk.Stack) -> None:
        infrastructure = make_infrastructure(stack, ImageBuilderKey(stack, "Key"))
        infrastructure.role.add_managed_policy(managed("AmazonS3ReadOnlyAccess"))

    our_error(
        build,
        "TestStack/Infrastructure/InstanceRole",
        "add_managed_policy(policy): AmazonS3ReadOnlyAccess gives the component code on the build instance "
        "read access to every object of every bucket (s3:Get*) (R1)",
        "'AmazonS3ReadOnlyAccess'",
        "grant what the components need on named resources instead",
    )


def test_a_customer_managed_policy_named_like_a_broad_one_is_not_refused() -> None:
    stack = make_stack()
    own = iam.ManagedPolicy.from_managed_policy_name(stack, "Own", "AdministratorAccess")
    BuildInstanceRole(stack, "Role", key=ImageBuilderKey(stack, "Key"), managed_policies=[own])


# --- RolesAnywhereAccess: session managed policies, attribute mappings, scoped sessions ---------------


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    path.write_bytes(pki.issue("Build hosts CA").pem)
    return path


def access(stack: cdk.Stack, ca: pathlib.Path, **props: Any) -> RolesAnywhereAccess:
    return RolesAnywhereAccess(stack, "Access", certificate_bundle=ca, **props)


def test_session_managed_policies_and_attribute_mappings_are_rendered(ca: pathlib.Path) -> None:
    stack = make_stack()
    access(
        stack,
        ca,
        allowed_subjects={"CN": ["build-host-1"]},
        session_managed_policies=[managed("AmazonSSMReadOnlyAccess")],
        attribute_mappings={"x509Subject": ["CN", "OU"], "x509SAN": ["DNS"]},
    )
    Template.from_stack(stack).has_resource_properties(
        "AWS::RolesAnywhere::Profile",
        {
            "ManagedPolicyArns": [
                {
                    "Fn::Join": [
                        "",
                        ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/AmazonSSMReadOnlyAccess"],
                    ]
                }
            ],
            "AttributeMappings": [
                {
                    "CertificateField": "x509Subject",
                    "MappingRules": [{"Specifier": "CN"}, {"Specifier": "OU"}],
                },
                {"CertificateField": "x509SAN", "MappingRules": [{"Specifier": "DNS"}]},
            ],
        },
    )


def test_by_default_the_profile_keeps_the_services_mapping_and_the_role_holds_nothing(
    ca: pathlib.Path,
) -> None:
    stack = make_stack()
    access(stack, ca)
    t = Template.from_stack(stack)
    t.has_resource_properties(
        "AWS::RolesAnywhere::Profile",
        {
            "AttributeMappings": Match.absent(),
            "ManagedPolicyArns": Match.absent(),
            "SessionPolicy": Match.absent(),
        },
    )
    t.resource_count_is("AWS::IAM::Policy", 0)


@pytest.mark.parametrize(
    ("props", "what", "shown", "fix"),
    [
        (
            {"attribute_mappings": {"subject": ["CN"]}},
            "attribute_mappings has an unknown certificate field",
            "'subject'",
            "use one of x509Subject, x509Issuer, x509SAN (case-sensitive)",
        ),
        (
            {"attribute_mappings": {"x509Subject": "CN"}},
            "attribute_mappings['x509Subject'] must be a non-empty list of specifiers",
            "'CN'",
            'write e.g. {"x509Subject": ["CN"]}',
        ),
        (
            {"attribute_mappings": {"x509Subject": ["OU"]}, "allowed_subjects": {"CN": ["build-host-1"]}},
            "attribute_mappings['x509Subject'] leaves out CN, which the trust policy conditions on",
            "['OU']",
            "add 'CN' to the mapping, or drop it from the allowed names",
        ),
        (
            {"attribute_mappings": ["x509Subject"]},
            "attribute_mappings must map certificate fields to lists of specifiers",
            "['x509Subject']",
            'write e.g. attribute_mappings={"x509Subject": ["CN"]',
        ),
        (
            {"session_managed_policies": [managed("AdministratorAccess")]},
            "session_managed_policies: AdministratorAccess allows every action on every resource, so it "
            "scopes no session (R1)",
            "'AdministratorAccess'",
            "pass the policies with what the hosts need on named resources",
        ),
        (
            {"session_managed_policies": ["arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess"]},
            "session_managed_policies must be iam.IManagedPolicy objects",
            "'arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess'",
            "pass iam.ManagedPolicy.from_aws_managed_policy_name(...)",
        ),
    ],
)
def test_session_props_of_the_wrong_shape_are_our_error(
    ca: pathlib.Path, props: dict[str, Any], what: str, shown: str, fix: str
) -> None:
    our_error(lambda s: access(s, ca, **props), "TestStack/Access", what, shown, fix)


def test_a_mapping_with_a_wildcard_keeps_every_name_the_trust_policy_reads(ca: pathlib.Path) -> None:
    stack = make_stack()
    access(stack, ca, allowed_subjects={"CN": ["build-host-1"]}, attribute_mappings={"x509Subject": ["*"]})


def _synth_error(stack: cdk.Stack) -> str:
    with pytest.raises(RuntimeError) as raised:
        stack.node.root.synth()  # type: ignore[attr-defined]
    return str(raised.value)


def test_a_broad_policy_added_to_the_role_later_fails_the_synth_unless_sessions_are_scoped(
    ca: pathlib.Path,
) -> None:
    stack = make_stack(make_app())
    access(stack, ca).role.add_managed_policy(managed("AdministratorAccess"))
    message = _synth_error(stack)
    expected = (
        "[TestStack/Access] the role TestStack/Access/Role holds AdministratorAccess and no session_policy "
        "or session_managed_policies scopes the sessions"
    )
    assert expected in message, message
    assert "got ['AdministratorAccess']; pass session_policy or session_managed_policies" in message, message


def test_a_given_role_with_a_broad_policy_fails_the_synth_unless_sessions_are_scoped(
    ca: pathlib.Path,
) -> None:
    stack = make_stack(make_app())
    role = iam.Role(
        stack, "Admin", assumed_by=iam.AccountRootPrincipal(), managed_policies=[managed("PowerUserAccess")]
    )
    access(stack, ca, role=role)
    assert "holds PowerUserAccess and no session_policy" in _synth_error(stack)


@pytest.mark.parametrize(
    "scope",
    [
        {"session_managed_policies": [managed("AmazonSSMReadOnlyAccess")]},
        {
            "session_policy": iam.PolicyDocument(
                statements=[
                    iam.PolicyStatement(actions=["s3:GetObject"], resources=["arn:aws:s3:::builds/*"])
                ]
            )
        },
    ],
    ids=["managed", "inline"],
)
def test_scoped_sessions_of_a_broad_role_synthesize(ca: pathlib.Path, scope: dict[str, Any]) -> None:
    stack = make_stack(make_app())
    access(stack, ca, **scope).role.add_managed_policy(managed("AdministratorAccess"))
    stack.node.root.synth()  # type: ignore[attr-defined]
