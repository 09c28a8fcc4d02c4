"""The two pipelines the construct tests read: one AMI pipeline with every option on (workflows,
CloudWatch logs, distribution to other accounts, endpoints, audit trail) and one container pipeline.

Each is built from its pieces, as a user builds it (recipe, infrastructure, distribution, then the
pipeline), synthesized once per test session (``functools.cache``) and shared by the test modules of the
pieces it is made of (tests/constructs/test_recipe.py, test_infrastructure.py, test_logs.py, ...).
"""

from __future__ import annotations

import functools
from typing import Any

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk.assertions import Match, Template

from conftest import make_stack
from policy_eval import ACCOUNT, REGION, PolicyEvaluator
from secure_imagebuilder import (
    EncryptedComponent,
    EncryptedContainerRecipe,
    EncryptedImageRecipe,
    EncryptedWorkflow,
    ImageBuilderAuditTrail,
    ImageBuilderKey,
    ImageBuilderNotificationTopic,
    ImageBuilderVpcEndpoints,
    Platform,
    SecureDistributionConfiguration,
    SecureImagePipeline,
    SecureInfrastructureConfiguration,
    WorkflowType,
    aws_managed_component,
    aws_managed_image,
)

TARGETS = ["444455556666", "777788889999"]
LAUNCHER = "123456789012"
COMPONENT_YAML = "schemaVersion: 1.0\nphases:\n  - name: build\n    steps: []\n"
WORKFLOW_YAML = "schemaVersion: 1.0\nsteps:\n  - name: Launch\n    action: LaunchInstance\n"
COMPONENT_CONTEXT = f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:component/harden/1.0.0/1"
SNS_SLR = (
    f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/imagebuilder.amazonaws.com/AWSServiceRoleForImageBuilder"
)
CROSS_ROLE = "EC2ImageBuilderDistributionCrossAccountRole"
ASG_SLR = (
    f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
)


def _vpc(stack: Any) -> ec2.Vpc:
    return ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1, restrict_default_security_group=False)


@functools.cache
def pipeline_template() -> Template:
    """The AMI pipeline with every option on."""
    stack = make_stack()
    key = ImageBuilderKey(stack, "Key")
    harden = EncryptedComponent(
        stack, "Harden", key=key, name="harden", version="1.0.0", platform=Platform.LINUX, data=COMPONENT_YAML
    )
    workflow = EncryptedWorkflow(
        stack,
        "Build",
        key=key,
        name="build",
        version="1.0.0",
        workflow_type=WorkflowType.BUILD,
        data=WORKFLOW_YAML,
    )
    vpc = _vpc(stack)
    recipe = EncryptedImageRecipe(
        stack,
        "Recipe",
        key=key,
        name="golden",
        version="1.0.x",
        parent_image=aws_managed_image(stack, "amazon-linux-2023-x86"),
        components=[aws_managed_component(stack, "update-linux"), harden],
    )
    infrastructure = SecureInfrastructureConfiguration(
        stack,
        "Infrastructure",
        key=key,
        name="golden",
        vpc=vpc,
        notification_topic=ImageBuilderNotificationTopic(stack, "Notifications", key=key),
    )
    distribution = SecureDistributionConfiguration(
        stack,
        "Distribution",
        key=key,
        name="golden",
        target_account_ids=TARGETS,
        launch_permission_account_ids=[LAUNCHER],
        grant_auto_scaling=True,
    )
    ImageBuilderVpcEndpoints(stack, "Endpoints", vpc=vpc, clients=[infrastructure.security_group])
    ImageBuilderAuditTrail(stack, "AuditTrail", key=key)
    SecureImagePipeline(
        stack,
        "Pipeline",
        name="golden",
        recipe=recipe,
        infrastructure=infrastructure,
        distribution=distribution,
        workflows=[workflow],
        cloudwatch_logs=True,
        schedule=events.Schedule.cron(minute="0", hour="4", week_day="MON"),
        tags={"project": "golden-images"},
    )
    return Template.from_stack(stack)


@functools.cache
def pipeline_evaluator() -> PolicyEvaluator:
    """The policy evaluator over the AMI pipeline's template."""
    return PolicyEvaluator(pipeline_template().to_json())


def only(template: Template, kind: str, prefix: str = "") -> tuple[str, dict[str, Any]]:
    found = [(k, v) for k, v in template.find_resources(kind).items() if k.startswith(prefix)]
    assert len(found) == 1, [k for k, _ in found]
    return found[0]


def key_statements(template: Template) -> dict[str, dict[str, Any]]:
    _, key = only(template, "AWS::KMS::Key")
    return {s["Sid"]: s for s in key["Properties"]["KeyPolicy"]["Statement"]}


KEY_ARN = {"Fn::GetAtt": [Match.string_like_regexp("^Key"), "Arn"]}


@functools.cache
def container_template() -> Template:
    """The container pipeline (no notification topic)."""
    stack = make_stack()
    key = ImageBuilderKey(stack, "Key")
    harden = EncryptedComponent(
        stack, "Harden", key=key, name="harden", version="1.0.0", platform=Platform.LINUX, data=COMPONENT_YAML
    )
    recipe = EncryptedContainerRecipe(
        stack,
        "Recipe",
        key=key,
        name="containers",
        version="1.0.x",
        parent_image="public.ecr.aws/amazonlinux/amazonlinux:2023",
        components=[harden],
    )
    infrastructure = SecureInfrastructureConfiguration(
        stack,
        "Infrastructure",
        key=key,
        name="containers",
        vpc=_vpc(stack),
        container=True,
        container_repository=recipe.repository,
    )
    SecureImagePipeline(stack, "Pipeline", name="containers", recipe=recipe, infrastructure=infrastructure)
    return Template.from_stack(stack)
