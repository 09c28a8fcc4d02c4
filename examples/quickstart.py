"""Quick start: a customer managed key, the workflow execution role, an encrypted workflow and component."""

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from secure_imagebuilder import (
    EncryptedComponent,
    EncryptedWorkflow,
    ImageBuilderKey,
    Platform,
    WorkflowExecutionRole,
    WorkflowType,
)
from secure_imagebuilder.nag import DataProtectionChecks

WORKFLOW_YAML = """\
name: sample-encrypted-workflow
description: Launches a build instance and waits for the SSM agent.
schemaVersion: 1.0
steps:
  - name: LaunchBuildInstance
    action: LaunchInstance
    onFailure: Abort
    inputs:
      waitFor: ssmAgent
"""

COMPONENT_YAML = """\
name: hello
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: SayHello
        action: ExecuteBash
        inputs:
          commands: ["echo hello"]
"""


def build(app: cdk.App, env: cdk.Environment | None = None) -> list[cdk.Stack]:
    """The four core constructs in one stack.

    ``env`` pins the stack's account and Region (default: environment-agnostic).
    """
    stack = cdk.Stack(app, "QuickStart", env=env)
    key = ImageBuilderKey(stack, "Key", alias="alias/imagebuilder-quickstart")
    WorkflowExecutionRole(stack, "ExecRole", key=key)
    EncryptedWorkflow(
        stack,
        "Build",
        key=key,
        name="sample-encrypted-workflow",
        version="1.0.0",
        workflow_type=WorkflowType.BUILD,
        data=WORKFLOW_YAML,
    )
    EncryptedComponent(
        stack, "Hello", key=key, name="hello", version="1.0.0", platform=Platform.LINUX, data=COMPONENT_YAML
    )
    # One trail per account is the norm (R4); an account without one adds ImageBuilderAuditTrail.
    cdk.Validations.of(stack).acknowledge(
        cdk.Acknowledgment(id="DataProtection-AUD1", reason="The organization trail records these events.")
    )
    return [stack]


if __name__ == "__main__":
    app = cdk.App()
    build(app)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(), DataProtectionChecks(app))
    app.synth()
