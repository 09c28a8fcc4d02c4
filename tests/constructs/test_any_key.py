"""Every ``key`` prop takes any ``kms.IKey``: an ``ImageBuilderKey`` is a ``kms.Key``; a user's own
``kms.Key`` gets both grant sides; an imported key is owned elsewhere: it gets the identity side, and
``cdk synth`` prints the rest for its owner, once per key.
"""

from __future__ import annotations

import pytest
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Match, Template
from test_documents import COMPONENT, WORKFLOW_YAML

from conftest import make_stack, owner_report
from policy_eval import ACCOUNT, PolicyEvaluator, Request
from secure_imagebuilder import (
    BuildInstanceRole,
    EncryptedComponent,
    EncryptedWorkflow,
    ImageBuilderKey,
    ImageBuilderNotificationTopic,
    Platform,
    WorkflowExecutionRole,
    WorkflowType,
)

WORKFLOW = f"arn:aws:imagebuilder:us-west-2:{ACCOUNT}:workflow/build/build-wf/1.0.0/1"
COMPONENT_ARN = f"arn:aws:imagebuilder:us-west-2:{ACCOUNT}:component/hello/1.0.0/1"
IMPORTED = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture(scope="module")
def own_key() -> PolicyEvaluator:
    """A user's own kms.Key given to the role, the workflow and the component."""
    stack = make_stack()
    key = kms.Key(stack, "MyKey", enable_key_rotation=True)
    WorkflowExecutionRole(stack, "ExecRole", key=key)
    BuildInstanceRole(stack, "InstanceRole", key=key)
    EncryptedWorkflow(
        stack,
        "Wf",
        key=key,
        name="build-wf",
        version="1.0.0",
        workflow_type=WorkflowType.BUILD,
        data=WORKFLOW_YAML,
    )
    EncryptedComponent(
        stack, "Hello", key=key, name="hello", version="1.0.0", platform=Platform.LINUX, data=COMPONENT
    )
    return PolicyEvaluator(Template.from_stack(stack).to_json())


def _lid(evaluator: PolicyEvaluator, prefix: str) -> str:
    (found,) = [x for x in evaluator.stack.resource_types if x.startswith(prefix) and "Policy" not in x]
    return found


@pytest.mark.parametrize(
    ("role", "action", "context", "allowed"),
    [
        ("ExecRole", "kms:GenerateDataKey", WORKFLOW, True),
        ("ExecRole", "kms:Decrypt", WORKFLOW, True),
        ("ExecRole", "kms:Decrypt", COMPONENT_ARN, False),
        ("InstanceRole", "kms:Decrypt", COMPONENT_ARN, True),
        ("InstanceRole", "kms:Decrypt", WORKFLOW, False),
    ],
)
def test_a_users_own_key_gets_the_scoped_statements_on_both_sides(
    own_key: PolicyEvaluator, role: str, action: str, context: str, allowed: bool
) -> None:
    request = Request(
        action=action,
        principal=own_key.role_arn(_lid(own_key, role)),
        resource=own_key.key_arn(_lid(own_key, "MyKey")),
        context={
            "kms:EncryptionContext:aws:imagebuilder:arn": context,
            "aws:CalledVia": ["imagebuilder.amazonaws.com"],
        },
    )
    # Each side on its own: the key policy (R13) and the role's own policy (R14).
    assert own_key.kms_allows(_lid(own_key, "MyKey"), request) is allowed
    assert own_key.identity_allows(request) is allowed


def test_the_workflow_and_component_are_encrypted_with_the_users_key(own_key: PolicyEvaluator) -> None:
    key_ref = {"Fn::GetAtt": [_lid(own_key, "MyKey"), "Arn"]}
    for resource in own_key.stack.resources:
        if resource.type in ("AWS::ImageBuilder::Workflow", "AWS::ImageBuilder::Component"):
            assert resource.props["KmsKeyId"] == key_ref


def test_an_image_builder_key_is_a_kms_key_for_any_cdk_l2() -> None:
    stack = make_stack()
    key = ImageBuilderKey(stack, "Key")
    assert isinstance(key, kms.Key)
    s3.Bucket(stack, "Bucket", encryption_key=key)
    sns.Topic(stack, "Topic", master_key=key)
    template = Template.from_stack(stack)
    (key_id,) = template.find_resources("AWS::KMS::Key")
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"KMSMasterKeyID": {"Fn::GetAtt": [key_id, "Arn"]}}}
                ]
            }
        },
    )
    template.has_resource_properties("AWS::SNS::Topic", {"KmsMasterKeyId": {"Fn::GetAtt": [key_id, "Arn"]}})


def test_a_grant_reports_both_sides() -> None:
    stack = make_stack()
    key = ImageBuilderKey(stack, "Key")
    role = WorkflowExecutionRole(stack, "Role")
    grant = key.grant_workflow_execution(role)
    assert grant.success
    ((identity,), (key_policy,)) = grant.principal_statements, grant.resource_statements
    assert identity.sid is None and key_policy.sid == "AllowImageBuilderWorkflowExecutionRole"
    assert stack.resolve(identity.conditions) == stack.resolve(key_policy.conditions) != {}
    assert stack.resolve(key_policy.to_statement_json())["Principal"] == {"AWS": stack.resolve(role.role_arn)}


def test_an_imported_cdk_key_gets_the_identity_side_and_its_owner_one_report() -> None:
    stack = make_stack()
    key = kms.Key.from_key_arn(stack, "Imported", IMPORTED)
    WorkflowExecutionRole(stack, "Role", key=key)
    WorkflowExecutionRole(stack, "Other", key=key)
    ImageBuilderNotificationTopic(stack, "Topic", key=key)
    Template.from_stack(stack).has_resource_properties(
        "AWS::IAM::Policy",
        {"PolicyDocument": {"Statement": Match.array_with([Match.object_like({"Resource": IMPORTED})])}},
    )
    workflow, topic = owner_report(stack, "TestStack/Imported")
    # One statement per kind of grant: later grantees join its principals, rendered for the owner.
    assert workflow["Sid"] == "AllowImageBuilderWorkflowExecutionRole"
    assert workflow["Principal"]["AWS"] == [
        f"${{{stack.get_logical_id(role.node.default_child)}.Arn}}"  # type: ignore[arg-type]
        for role in (stack.node.find_child("Role"), stack.node.find_child("Other"))
    ]
    assert topic["Sid"] == "AllowImageBuilderServiceLinkedRoleToPublish"


def test_from_key_arn_is_a_checked_cdk_import() -> None:
    stack = make_stack()
    key = ImageBuilderKey.from_key_arn(stack, "Key", IMPORTED)
    assert not isinstance(key, kms.Key) and key.key_arn == IMPORTED and key.node.path == "TestStack/Key"
    WorkflowExecutionRole(stack, "Exec", key=key)
    ImageBuilderNotificationTopic(stack, "Topic", key=key)
    BuildInstanceRole(stack, "Instance", key=key)
    assert [s["Sid"] for s in owner_report(stack, "TestStack/Key")] == [
        "AllowImageBuilderWorkflowExecutionRole",
        "AllowImageBuilderServiceLinkedRoleToPublish",
        "AllowImageBuilderComponentDecrypt",
    ]
