"""Secure standalone: every public construct, built with only its required props in a stack of its own,
passes AwsSolutionsChecks and DataProtectionChecks at synth, in an environment-agnostic stack and in a
stack with an account and Region, with no acknowledgement but AUD1 (one trail per account is the norm).

Each environment is one app with a stack per construct, synthesized once with both packs registered as
validation plugins, as ``cdk synth`` runs them; each construct's test then reads its own stack's findings.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_s3 as s3
from cdk_nag import AwsSolutionsChecks
from constructs import Construct

import secure_imagebuilder as sib
from conftest import make_app
from pki import issue
from secure_imagebuilder.nag import DataProtectionChecks

COMPONENT = """\
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Hi
        action: ExecuteBash
        inputs:
          commands: [echo hi]
"""
WORKFLOW = """\
schemaVersion: 1.0
steps:
  - name: Launch
    action: LaunchInstance
    onFailure: Abort
    inputs:
      waitFor: ssmAgent
"""
SENTINEL = "Sentinel"
ENVIRONMENTS = {
    "env-agnostic": None,
    "account-and-region": cdk.Environment(account="111122223333", region="us-east-1"),
}


def _vpc(stack: cdk.Stack) -> ec2.Vpc:
    """The user's VPC, itself compliant: private subnets and flow logs to an encrypted log group."""
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=1, restrict_default_security_group=False)
    logs = sib.ImageBuilderLogGroup(
        stack, "FlowLogs", key=sib.ImageBuilderKey(stack, "VpcKey"), log_group_name="/vpc"
    )
    vpc.add_flow_log("FlowLog", destination=ec2.FlowLogDestination.to_cloud_watch_logs(logs))
    return vpc


def _key(stack: cdk.Stack) -> sib.ImageBuilderKey:
    return sib.ImageBuilderKey(stack, "Key")


def _recipe(stack: cdk.Stack) -> sib.EncryptedImageRecipe:
    return sib.EncryptedImageRecipe(
        stack,
        "Recipe",
        key=_key(stack),
        name="recipe",
        version="1.0.x",
        parent_image=sib.aws_managed_image(stack, "amazon-linux-2023-x86"),
        components=[sib.aws_managed_component(stack, "update-linux")],
    )


def _infrastructure(stack: cdk.Stack, key: Any = None) -> sib.SecureInfrastructureConfiguration:
    key = key or _key(stack)
    return sib.SecureInfrastructureConfiguration(
        stack, "Infrastructure", key=key, name="infra", vpc=_vpc(stack)
    )


def _image(stack: cdk.Stack) -> sib.SecureImage:
    recipe = _recipe(stack)
    infrastructure = _infrastructure(stack, recipe.key)
    return sib.SecureImage(stack, "Construct", recipe=recipe, infrastructure=infrastructure)


def _pipeline(stack: cdk.Stack) -> sib.SecureImagePipeline:
    recipe = _recipe(stack)
    infrastructure = _infrastructure(stack, recipe.key)
    return sib.SecureImagePipeline(
        stack, "Construct", name="pipeline", recipe=recipe, infrastructure=infrastructure
    )


# Each public construct with its required props only (a value for each, nothing optional).
CASES: dict[str, Callable[[cdk.Stack], Construct]] = {
    "BuildInstanceRole": lambda s: sib.BuildInstanceRole(s, "Construct", key=_key(s)),
    "EncryptedComponent": lambda s: sib.EncryptedComponent(
        s,
        "Construct",
        key=_key(s),
        name="component",
        version="1.0.0",
        platform=sib.Platform.LINUX,
        data=COMPONENT,
    ),
    "EncryptedContainerRecipe": lambda s: sib.EncryptedContainerRecipe(
        s,
        "Construct",
        key=_key(s),
        name="container",
        version="1.0.x",
        parent_image="public.ecr.aws/amazonlinux/amazonlinux:2023",
        components=[sib.aws_managed_component(s, "update-linux")],
    ),
    "EncryptedImageRecipe": _recipe,
    "EncryptedWorkflow": lambda s: sib.EncryptedWorkflow(
        s,
        "Construct",
        key=_key(s),
        name="workflow",
        version="1.0.0",
        workflow_type=sib.WorkflowType.BUILD,
        data=WORKFLOW,
    ),
    "ImageBuilderAuditTrail": lambda s: sib.ImageBuilderAuditTrail(s, "Construct", key=_key(s)),
    "ImageBuilderKey": lambda s: sib.ImageBuilderKey(s, "Construct"),
    "ImageBuilderLogBucket": lambda s: sib.ImageBuilderLogBucket(s, "Construct", key=_key(s)),
    "ImageBuilderLogGroup": lambda s: sib.ImageBuilderLogGroup(
        s, "Construct", key=_key(s), log_group_name="/ib"
    ),
    "ImageBuilderNotificationTopic": lambda s: sib.ImageBuilderNotificationTopic(s, "Construct", key=_key(s)),
    "ImageBuilderVpcEndpoints": lambda s: sib.ImageBuilderVpcEndpoints(s, "Construct", vpc=_vpc(s)),
    "LifecycleExecutionRole": lambda s: sib.LifecycleExecutionRole(s, "Construct"),
    "RolesAnywhereAccess": lambda s: sib.RolesAnywhereAccess(
        s, "Construct", certificate_bundle=issue("build-hosts").pem.decode()
    ),
    "SecureDistributionConfiguration": lambda s: sib.SecureDistributionConfiguration(
        s, "Construct", key=_key(s), name="distribution"
    ),
    "SecureImage": _image,
    "SecureImagePipeline": _pipeline,
    "SecureInfrastructureConfiguration": lambda s: _infrastructure(s),
    # A lifecycle policy needs a selection: recipes or resource tags, one of them (its docstring).
    "SecureLifecyclePolicy": lambda s: sib.SecureLifecyclePolicy(
        s, "Construct", name="lifecycle", resource_tags={"images": "golden"}
    ),
    "WorkflowExecutionRole": lambda s: sib.WorkflowExecutionRole(s, "Construct"),
}


def test_every_public_construct_has_a_case() -> None:
    public = {
        name
        for name in sib.__all__
        if isinstance(value := getattr(sib, name), type) and issubclass(value, Construct)
    }
    assert public == set(CASES)


class Synth:
    """One environment's app: a stack per construct, synthesized once with both packs as plugins.

    The CDK writes every plugin's findings (errors and warnings) to ``validation-report.json`` in the
    cloud assembly: each construct's test reads its own stack's. A ``Sentinel`` stack holds a plain
    ``s3.Bucket`` that both packs report, so the report proves they ran (a clean report is empty).
    """

    def __init__(self, env: cdk.Environment | None) -> None:
        self.app = make_app()
        for name, build in CASES.items():
            stack = cdk.Stack(self.app, name, env=env)
            build(stack)
            cdk.Validations.of(stack).acknowledge(
                cdk.Acknowledgment(
                    id="DataProtection-AUD1", reason="The organization trail records these events."
                )
            )
        s3.Bucket(cdk.Stack(self.app, SENTINEL, env=env), "Bucket")
        cdk.Validations.of(self.app).add_plugins(AwsSolutionsChecks(), DataProtectionChecks(self.app))
        try:
            self.app.synth()
            self.error: str | None = None
        except RuntimeError as error:  # ValidationFailed: an unacknowledged error finding
            self.error = str(error)
        report = json.loads((pathlib.Path(self.app.outdir) / "validation-report.json").read_text())
        self.plugins = {plugin["pluginName"] for plugin in report["pluginReports"]}
        self.violations = [
            (violation["ruleName"], violation["severity"], construct["constructPath"])
            for plugin in report["pluginReports"]
            for violation in plugin["violations"]
            for construct in violation["violatingConstructs"]
        ]

    def findings(self, name: str) -> list[str]:
        """Every finding of both packs, of any severity, on one construct's stack."""
        return sorted(
            f"{rule} ({severity}) at {path}"
            for rule, severity, path in self.violations
            if path.startswith(f"{name}/")
        )


@pytest.fixture(scope="module", params=list(ENVIRONMENTS), ids=list(ENVIRONMENTS))
def synth(request: pytest.FixtureRequest) -> Synth:
    return Synth(ENVIRONMENTS[request.param])


def test_the_app_is_synthesized_with_both_packs_and_only_the_sentinel_fails(synth: Synth) -> None:
    assert synth.plugins == {"AwsSolutions", "DataProtectionChecks"}
    assert synth.error is not None and "ValidationFailed" in synth.error
    assert {path.split("/")[0] for _, _, path in synth.violations} == {SENTINEL}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_construct_passes_both_packs_on_its_own(synth: Synth, name: str) -> None:
    assert synth.findings(name) == []
