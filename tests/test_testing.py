"""secure_imagebuilder.testing: assert_compliant and the normalized snapshot, as users call them."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3_assets as assets

from conftest import REPO, make_app
from secure_imagebuilder import EncryptedComponent, ImageBuilderKey, Platform
from secure_imagebuilder.testing import ASSET_HASH_PLACEHOLDER, assert_compliant, normalized_template

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


@pytest.fixture(scope="module")
def stacks() -> dict[str, cdk.Stack]:
    """One app: a compliant stack, a broken one, and the same breakage acknowledged with a reason."""
    app = make_app()
    good = cdk.Stack(app, "Good")
    key = ImageBuilderKey(good, "Key")
    EncryptedComponent(
        good, "Hello", key=key, name="hello", version="1.0.0", platform=Platform.LINUX, data=DOC
    )
    assets.Asset(good, "Doc", path=str(REPO / "README.md"))
    bad = cdk.Stack(app, "Bad")
    kms.Key(bad, "Key", removal_policy=cdk.RemovalPolicy.DESTROY)
    acked = cdk.Stack(app, "Acked")
    kms.Key(acked, "Key", enable_key_rotation=True, removal_policy=cdk.RemovalPolicy.DESTROY)
    cdk.Validations.of(acked).acknowledge(cdk.Acknowledgment(id="DataProtection-KMS2", reason="scratch key"))
    return {"good": good, "bad": bad, "acked": acked}


def test_a_compliant_stack_passes(stacks: dict[str, cdk.Stack]) -> None:
    assert_compliant(stacks["good"])
    assert_compliant(stacks["good"].node.find_child("Key"))  # any construct, not only stacks


def test_findings_are_listed_with_rule_id_path_and_fix(stacks: dict[str, cdk.Stack]) -> None:
    with pytest.raises(AssertionError) as raised:
        assert_compliant(stacks["bad"])
    message = str(raised.value)
    assert message.startswith("3 DataProtectionChecks finding(s) under Bad:")
    assert "- DataProtection-KMS1 at Bad/Key/Resource: The symmetric KMS key does not rotate" in message
    assert "fix: R5: set EnableKeyRotation: true" in message
    assert "DataProtection-KMS2[DeletionPolicy] at Bad/Key/Resource" in message


def test_acknowledged_findings_pass(stacks: dict[str, cdk.Stack]) -> None:
    assert_compliant(stacks["acked"])


def test_warnings_fail_only_when_asked(stacks: dict[str, cdk.Stack]) -> None:
    assert_compliant(stacks["good"])  # the stack has no trail: AUD1 is a warning
    with pytest.raises(AssertionError, match="DataProtection-AUD1 at Good"):
        assert_compliant(stacks["good"], warnings=True)


def test_normalized_template_masks_run_dependent_values(stacks: dict[str, cdk.Stack]) -> None:
    template = normalized_template(stacks["good"])
    assert "BootstrapVersion" not in template.get("Parameters", {})
    assert "Rules" not in template
    text = json.dumps(template)
    assert ASSET_HASH_PLACEHOLDER in text or "Doc" not in text
    assert template["Resources"]  # the resources themselves are kept


def test_the_syrupy_extension_serializes_a_stack(stacks: dict[str, cdk.Stack]) -> None:
    from secure_imagebuilder.testing import TemplateSnapshotExtension

    serialized = TemplateSnapshotExtension().serialize(stacks["good"])
    assert json.loads(serialized) == normalized_template(stacks["good"])
