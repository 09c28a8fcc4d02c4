"""``apply_secure_defaults`` and ``to_alpha`` check their input (issue 21, "secure_imagebuilder.alpha: no
input is checked"), alpha resources given their own key get our grants, and alpha images and pipelines log
to encrypted log groups with retention (issue 23, R5, R17).
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from alpha_documents import AL2023, COMPONENT_CONTEXT, CONTEXT_KEY, WORKFLOW, WORKFLOW_CONTEXT
from aws_cdk import aws_iam as iam
from aws_cdk import aws_imagebuilder_alpha as alpha
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3

from conftest import make_app, make_stack, our_error, owner_report
from policy_eval import ACCOUNT, PolicyEvaluator, Request
from secure_imagebuilder import ImageBuilderKey, ImageBuilderLogBucket
from secure_imagebuilder.alpha import apply_secure_defaults, to_alpha
from secure_imagebuilder.nag import DataProtectionChecks

DOCUMENT = {"schemaVersion": "1.0", "phases": [{"name": "build", "steps": []}]}
IMPORTED = f"arn:aws:kms:us-west-2:{ACCOUNT}:key/0a1b2c3d-1111-2222-3333-444455556666"


def alpha_component(scope: Any, id: str = "Component", **props: Any) -> alpha.Component:
    return alpha.Component(
        scope, id, platform=alpha.Platform.LINUX, data=alpha.ComponentData.from_json_object(DOCUMENT), **props
    )


def call(stack: cdk.Stack, **props: Any) -> None:
    apply_secure_defaults(stack, **{"key": ImageBuilderKey(stack, "Key"), **props})


# --- the arguments --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("props", "what", "shown", "fix"),
    [
        (
            {"notifications": "false"},
            "notifications must be True or False",
            "'false'",
            "pass a bool",
        ),
        (
            {"log_prefix": None},
            "log_prefix must be a key prefix such as 'imagebuilder/' (not empty, no leading '/')",
            "None",
            "leave it unset ('imagebuilder/')",
        ),
        (
            {"log_bucket": "build-logs"},
            "log_bucket must be an s3.IBucket",
            "'build-logs'",
            "pass an s3.Bucket, or s3.Bucket.from_bucket_attributes(...)",
        ),
        (
            {"key": "alias/imagebuilder"},
            "key must be a KMS key",
            "'alias/imagebuilder'",
            "pass an ImageBuilderKey, your own kms.Key",
        ),
    ],
)
def test_an_argument_of_the_wrong_kind_is_our_error(
    props: dict[str, Any], what: str, shown: str, fix: str
) -> None:
    our_error(lambda s: call(s, **props), "TestStack", what, shown, fix)


def test_a_log_bucket_without_a_kms_key_is_our_error() -> None:
    our_error(
        lambda s: call(s, log_bucket=s3.Bucket(s, "Logs")),
        "TestStack",
        "the log bucket has no KMS key, so build logs would not be encrypted with a customer key (R5)",
        "'TestStack/Logs'",
        "use ImageBuilderLogBucket, create the bucket with encryption=BucketEncryption.KMS",
    )


def test_every_problem_is_reported_at_once() -> None:
    message = our_error(
        lambda s: call(s, notifications="no", log_prefix="", log_bucket="logs"),
        "TestStack",
        "3 problems",
        "'no'",
        "pass a bool",
    )
    assert "log_prefix must be" in message and "log_bucket must be" in message


@pytest.mark.parametrize(("scope", "shown"), [(None, "None"), ("TestStack", "'TestStack'")])
def test_a_scope_that_is_no_construct_is_our_error(scope: Any, shown: str) -> None:
    our_error(
        lambda s: apply_secure_defaults(scope, key=ImageBuilderKey(s, "Key")),
        "apply_secure_defaults",
        "scope must be a stack or a construct inside one",
        shown,
        "pass the stack: apply_secure_defaults(stack, key=key)",
    )


def test_the_app_as_scope_is_our_error() -> None:
    our_error(
        lambda s: apply_secure_defaults(s.node.root, key=ImageBuilderKey(s, "Key")),
        "apply_secure_defaults",
        "scope must be a stack or a construct inside one (the shared log bucket and topic go into the stack)",
        "'the app'",
        "call it for each stack",
    )


# --- one call, before the alpha constructs ---------------------------------------------------------


def test_alpha_constructs_created_before_the_call_are_named_in_our_error() -> None:
    def build(stack: cdk.Stack) -> None:
        alpha_component(stack)
        alpha.InfrastructureConfiguration(stack, "Infrastructure")
        call(stack)

    message = our_error(
        build,
        "TestStack",
        "apply_secure_defaults secures the alpha constructs created after it; these were created before",
        "['TestStack/Component', 'TestStack/Infrastructure'",
        "call apply_secure_defaults(scope, key=...) before creating them",
    )
    assert "InfrastructureInstanceProfile" not in message  # only the L2s, not their children


def test_a_second_call_with_another_key_is_our_error() -> None:
    def build(stack: cdk.Stack) -> None:
        call(stack)
        apply_secure_defaults(stack, key=ImageBuilderKey(stack, "Other"))

    our_error(
        build,
        "TestStack",
        "apply_secure_defaults was already called for TestStack: a second call over the same constructs",
        "'key TestStack/Other (first call: TestStack/Key)'",
        "call it once per stack; give an alpha construct a key of its own with its kms_key prop",
    )


def test_a_second_call_inside_the_first_ones_scope_is_our_error() -> None:
    def build(stack: cdk.Stack) -> None:
        key = ImageBuilderKey(stack, "Key")
        apply_secure_defaults(stack, key=key)
        apply_secure_defaults(cdk.Stack(stack, "Nested") if False else _child(stack), key=key)

    our_error(
        build, "TestStack/Images", "apply_secure_defaults was already called for TestStack", "'", "once"
    )


def _child(stack: cdk.Stack) -> Any:
    from constructs import Construct

    return Construct(stack, "Images")


def test_the_same_call_again_changes_nothing_and_other_stacks_get_their_own() -> None:
    app = make_app()
    first, second = make_stack(app, name="First"), make_stack(app, name="Second")
    key = ImageBuilderKey(first, "Key")
    apply_secure_defaults(first, key=key)
    apply_secure_defaults(first, key=key)
    apply_secure_defaults(second, key=ImageBuilderKey(second, "Key"))
    alpha.InfrastructureConfiguration(first, "Infrastructure")
    alpha.InfrastructureConfiguration(second, "Infrastructure")
    assembly = app.synth()
    for name in ("First", "Second"):
        resources = assembly.get_stack_by_name(name).template["Resources"].values()
        assert [r["Type"] for r in resources].count("AWS::SNS::Topic") == 1, name


# --- to_alpha --------------------------------------------------------------------------------------


def test_to_alpha_of_none_is_our_error() -> None:
    our_error(
        lambda s: to_alpha(None),  # type: ignore[call-overload]
        "to_alpha",
        "resource must be a component, workflow or recipe of this library",
        "None",
        "pass an EncryptedComponent, EncryptedWorkflow, EncryptedImageRecipe or EncryptedContainerRecipe",
    )


def test_to_alpha_of_an_alpha_construct_names_it() -> None:
    our_error(
        lambda s: to_alpha(alpha_component(s)),  # type: ignore[call-overload]
        "TestStack/Component",
        "to_alpha(resource): resource must be a component, workflow or recipe of this library",
        "'an alpha IComponent'",
        "pass it to the alpha L2 as it is: alpha constructs and imports need no conversion",
    )


# --- alpha resources with their own key; alpha images and pipelines get log groups ------------------


@pytest.fixture(scope="module")
def own_keys() -> dict[str, Any]:
    """Our roles made before and after alpha pieces that carry their own keys (one owned, one imported)."""
    app = make_app()
    stack = make_stack(app, name="Own", env=True)
    apply_secure_defaults(stack, key=ImageBuilderKey(stack, "Key"))
    early = alpha.InfrastructureConfiguration(stack, "Early")  # its role exists before the components
    own = kms.Key(stack, "OwnKey", enable_key_rotation=True)
    imported = ImageBuilderKey.from_key_arn(stack, "Imported", IMPORTED)
    component = alpha_component(stack, kms_key=own)
    alpha_component(stack, "Shared", kms_key=imported)
    workflow = alpha.Workflow(
        stack,
        "Workflow",
        workflow_type=alpha.WorkflowType.BUILD,
        data=alpha.WorkflowData.from_json_object(WORKFLOW),
        kms_key=own,
    )
    recipe = alpha.ImageRecipe(
        stack,
        "Recipe",
        image_recipe_name="golden",
        base_image=alpha.BaseImage.from_ssm_parameter_name(AL2023),
        components=[alpha.ComponentConfiguration(component=component)],
    )
    alpha.ImagePipeline(
        stack,
        "Pipeline",
        recipe=recipe,
        infrastructure_configuration=early,
        workflows=[alpha.WorkflowConfiguration(workflow=workflow)],
    )
    alpha.Image(stack, "Image", recipe=recipe)  # its own infrastructure configuration: a late role
    group = logs.LogGroup.from_log_group_name(stack, "TheirLogs", "/aws/imagebuilder/team-builds")
    alpha.Image(stack, "Logged", recipe=recipe, log_group=group)
    cdk.Validations.of(stack).acknowledge(cdk.Acknowledgment(id="DataProtection-AUD1", reason="test stack"))
    assembly = app.synth()
    template = assembly.get_stack_by_name("Own").template
    return {
        "stack": stack,
        "template": template,
        "evaluator": PolicyEvaluator(template),
        "assembly": assembly,
    }


def _id(template: dict[str, Any], kind: str, prefix: str) -> str:
    (found,) = [k for k, r in template["Resources"].items() if r["Type"] == kind and k.startswith(prefix)]
    return found


@pytest.mark.parametrize("role", ["EarlyInstanceRole", "ImageInfrastructureConfigurationInstanceRole"])
def test_our_instance_roles_decrypt_components_of_an_own_key_on_both_sides(
    own_keys: dict[str, Any], role: str
) -> None:
    t, ev = own_keys["template"], own_keys["evaluator"]
    principal = ev.role_arn(_id(t, "AWS::IAM::Role", role))
    key = ev.key_arn(_id(t, "AWS::KMS::Key", "OwnKey"))
    via = {CONTEXT_KEY: COMPONENT_CONTEXT, "aws:CalledVia": ["imagebuilder.amazonaws.com"]}
    request = Request("kms:Decrypt", principal, key, via)
    assert ev.decide(request).allowed and ev.identity_allows(request)
    assert not ev.decide(Request("kms:Decrypt", principal, key, {CONTEXT_KEY: COMPONENT_CONTEXT})).allowed
    assert not ev.decide(
        Request("kms:Decrypt", principal, key, {**via, CONTEXT_KEY: WORKFLOW_CONTEXT})
    ).allowed


def test_our_execution_role_runs_workflows_of_an_own_key_on_both_sides(own_keys: dict[str, Any]) -> None:
    t, ev = own_keys["template"], own_keys["evaluator"]
    principal = ev.role_arn(_id(t, "AWS::IAM::Role", "PipelineExecutionRole"))
    key = ev.key_arn(_id(t, "AWS::KMS::Key", "OwnKey"))
    for action in ("kms:Decrypt", "kms:GenerateDataKey"):
        request = Request(action, principal, key, {CONTEXT_KEY: WORKFLOW_CONTEXT})
        assert ev.decide(request).allowed and ev.identity_allows(request), action
        assert not ev.decide(Request(action, principal, key, {CONTEXT_KEY: COMPONENT_CONTEXT})).allowed


def test_the_owner_of_an_imported_own_key_is_told_what_to_add(own_keys: dict[str, Any]) -> None:
    statements = owner_report(own_keys["stack"], "Own/Imported", own_keys["assembly"])
    (decrypt,) = [s for s in statements if s["Sid"] == "AllowImageBuilderComponentDecrypt"]
    assert len(decrypt["Principal"]["AWS"]) == 3  # each of our instance roles, made before or after
    assert decrypt["Action"] == "kms:Decrypt"


def test_alpha_images_and_pipelines_log_to_encrypted_retained_groups(own_keys: dict[str, Any]) -> None:
    t = own_keys["template"]
    key = {"Fn::GetAtt": [_id(t, "AWS::KMS::Key", "Key"), "Arn"]}
    pipeline = t["Resources"][_id(t, "AWS::ImageBuilder::ImagePipeline", "Pipeline")]["Properties"]
    groups = {prop: t["Resources"][ref["Ref"]] for prop, ref in pipeline["LoggingConfiguration"].items()}
    assert set(groups) == {"ImageLogGroupName", "PipelineLogGroupName"}
    name = pipeline["Name"]
    assert groups["ImageLogGroupName"]["Properties"]["LogGroupName"] == f"/aws/imagebuilder/{name}"
    assert (
        groups["PipelineLogGroupName"]["Properties"]["LogGroupName"] == f"/aws/imagebuilder/pipeline/{name}"
    )
    image = t["Resources"][_id(t, "AWS::ImageBuilder::Image", "Image")]["Properties"]
    group = t["Resources"][image["LoggingConfiguration"]["LogGroupName"]["Ref"]]
    assert group["Properties"]["LogGroupName"].startswith("/aws/imagebuilder/golden/")
    for log_group in [*groups.values(), group]:
        assert log_group["Properties"]["KmsKeyId"] == key
        assert log_group["Properties"]["RetentionInDays"] == 365
        assert log_group["DeletionPolicy"] == "Retain"


def test_a_log_group_the_user_gives_an_alpha_image_wins(own_keys: dict[str, Any]) -> None:
    t = own_keys["template"]
    image = t["Resources"][_id(t, "AWS::ImageBuilder::Image", "Logged")]["Properties"]
    assert image["LoggingConfiguration"] == {"LogGroupName": "/aws/imagebuilder/team-builds"}
    assert not [k for k in t["Resources"] if k.startswith("LoggedLogGroup")]


def test_the_stack_with_own_keys_passes_the_pack_but_for_the_owners_part(own_keys: dict[str, Any]) -> None:
    report = DataProtectionChecks().validate_scope(own_keys["stack"])
    others = [v for v in report.violations if not v.rule_name.startswith("DataProtection-GRANT4")]
    # The group the user gave "Logged" is outside the template: its key cannot be read, so IB10 warns.
    assert [(v.rule_name, v.severity, [r.construct_path for r in v.violating_resources]) for v in others] == [
        ("DataProtection-IB10[LogGroupName]", "warning", ["Own/Logged/Resource"])
    ]


def test_an_alias_given_to_an_alpha_workflow_is_our_error_naming_it() -> None:
    def build(stack: cdk.Stack) -> None:
        call(stack)
        alpha.Workflow(
            stack,
            "Workflow",
            workflow_type=alpha.WorkflowType.BUILD,
            data=alpha.WorkflowData.from_json_object(WORKFLOW),
            kms_key=kms.Alias.from_alias_name(stack, "Alias", "alias/builds"),
        )

    # The alpha constructor runs our injector from Node: jsii hands our ValueError back as a RuntimeError.
    our_error(
        build,
        "TestStack/Workflow",
        "kms_key is a KMS alias, not a key",
        "'alias/builds'",
        "import one by its key ARN",
        error=RuntimeError,
    )


def test_an_own_role_given_to_an_alpha_infrastructure_gets_no_grant_on_an_own_key() -> None:
    """Only roles made here get grants: a role the user brings is theirs to grant."""
    stack = make_stack()
    call(stack)
    own = iam.Role(stack, "OwnRole", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    alpha.InfrastructureConfiguration(stack, "Infrastructure", role=own)
    alpha_component(stack, kms_key=kms.Key(stack, "OwnKey"))
    resources = cdk.assertions.Template.from_stack(stack).to_json()["Resources"]
    statements = [
        statement
        for r in resources.values()
        if r["Type"] == "AWS::IAM::Policy"
        for statement in r["Properties"]["PolicyDocument"]["Statement"]
    ]
    own_key = {"Fn::GetAtt": [next(k for k in resources if k.startswith("OwnKey")), "Arn"]}
    assert statements and not [s for s in statements if s["Resource"] == own_key]


def test_the_log_bucket_given_is_used(own_keys: dict[str, Any]) -> None:
    stack = make_stack()
    key = ImageBuilderKey(stack, "Key")
    bucket = ImageBuilderLogBucket(stack, "Logs", key=key)
    apply_secure_defaults(stack, key=key, log_bucket=bucket, log_prefix="builds/")
    alpha.InfrastructureConfiguration(stack, "Infrastructure")
    stack.node.root.synth()  # type: ignore[attr-defined]  # the aspect sets the L1's logging
    cdk.assertions.Template.from_stack(stack).has_resource_properties(
        "AWS::ImageBuilder::InfrastructureConfiguration",
        {"Logging": {"S3Logs": {"S3BucketName": {"Ref": "Logs6819BB44"}, "S3KeyPrefix": "builds/"}}},
    )
