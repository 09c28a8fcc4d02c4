"""The synth path: the pack as a validation plugin of ``app.synth()``, against ``validate_scope``."""

from __future__ import annotations

import re

import aws_cdk as cdk
import pytest

from conftest import make_app, make_stack
from secure_imagebuilder.nag import DataProtectionChecks

from . import broken_app, test_content, test_ib, test_kms_iam, test_tls_audit_ra
from ._helpers import findings, raw


class Recording(DataProtectionChecks):
    """The pack, keeping the report it hands to the CDK."""

    report: cdk.PolicyValidationPluginReport | None = None

    def validate(self, context: cdk.IPolicyValidationContext) -> cdk.PolicyValidationPluginReport:
        self.report = super().validate(context)
        return self.report


def synth_report(app: cdk.App) -> tuple[dict[str, set[str]], str]:
    pack = Recording(app)
    cdk.Validations.of(app).add_plugins(pack)
    message = ""
    try:
        app.synth()
    except Exception as error:
        message = str(error)
    assert pack.report is not None, "the CDK did not call validate()"
    return findings(pack.report), message


def test_broken_app_fails_synthesis_with_the_expected_ids() -> None:
    app = make_app()
    broken_app.build(app)
    fired, message = synth_report(app)
    assert "ValidationFailed" in message
    for rule_id, path in broken_app.EXPECTED.items():
        assert rule_id in fired[path], (rule_id, path)
        assert rule_id in message
    reported = {(path, rule_id) for path, ids in fired.items() for rule_id in ids}
    assert reported == {(path, rule_id) for rule_id, path in broken_app.EXPECTED.items()}


def test_broken_app_with_aws_solutions_too() -> None:
    from cdk_nag import AwsSolutionsChecks

    app = make_app()
    broken_app.build(app)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(), DataProtectionChecks(app))
    with pytest.raises(Exception, match=re.escape("DataProtection-IB1")):
        app.synth()


def test_tree_and_synth_modes_agree() -> None:
    def build() -> cdk.App:
        app = make_app()
        for name, module in [
            ("IB", test_ib),
            ("KI", test_kms_iam),
            ("Content", test_content),
            ("Tls", test_tls_audit_ra),
        ]:
            module.build(make_stack(app, name=name))
        return app

    tree = findings(DataProtectionChecks().validate_scope(build()))
    synth, _ = synth_report(build())
    assert dict(synth) == dict(tree)
    assert len(tree) > 70


@pytest.fixture(scope="module")
def acknowledged() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    def build() -> cdk.App:
        app = make_app()
        stack = make_stack(app, name="Ack")
        cdk.Validations.of(stack).acknowledge(
            cdk.Acknowledgment(id="DataProtection-AUD1", reason="org trail")
        )
        whole = raw(stack, "WholeRule", "AWS::KMS::Key", {"EnableKeyRotation": True})
        cdk.Validations.of(whole).acknowledge(cdk.Acknowledgment(id="DataProtection-KMS2", reason="test key"))
        one = raw(stack, "OneFinding", "AWS::KMS::Key", {"EnableKeyRotation": True})
        cdk.Validations.of(one).acknowledge(
            cdk.Acknowledgment(id="DataProtection-KMS2[DeletionPolicy]", reason="replaced, never deleted")
        )
        parent = cdk.Stack(app, "Parent")
        group = cdk.Resource(parent, "Group")
        raw(group, "Key", "AWS::KMS::Key", {"EnableKeyRotation": False})  # type: ignore[arg-type]
        cdk.Validations.of(group).acknowledge(
            cdk.Acknowledgment(id="DataProtection-KMS1", reason="HMAC-only")
        )
        cdk.Validations.of(app).acknowledge(cdk.Acknowledgment(id="DataProtection-KMS3", reason="app-wide"))
        raw(parent, "ShortWindow", "AWS::KMS::Key", {"EnableKeyRotation": True, "PendingWindowInDays": 7})
        return app

    return findings(DataProtectionChecks().validate_scope(build())), synth_report(build())[0]


@pytest.mark.parametrize("mode", [0, 1], ids=["validate_scope", "synth"])
def test_acknowledgements(acknowledged: tuple[dict[str, set[str]], dict[str, set[str]]], mode: int) -> None:
    fired = acknowledged[mode]
    assert "Ack" not in fired  # AUD1 acknowledged on the stack (no Image Builder here anyway)
    assert "Ack/WholeRule" not in fired
    assert fired["Ack/OneFinding"] == {"DataProtection-KMS2[UpdateReplacePolicy]"}
    assert "DataProtection-KMS1" not in fired["Parent/Group/Key"]
    assert "DataProtection-KMS3" not in fired["Parent/ShortWindow"]
    assert fired["Parent/ShortWindow"] == {
        "DataProtection-KMS2[DeletionPolicy]",
        "DataProtection-KMS2[UpdateReplacePolicy]",
    }


def test_nested_stacks_are_checked_in_both_modes() -> None:
    def build() -> cdk.App:
        app = make_app()
        nested = cdk.NestedStack(make_stack(app, name="Outer"), "Inner")
        raw(nested, "Component", "AWS::ImageBuilder::Component", {"Name": "c"})
        return app

    tree = findings(DataProtectionChecks().validate_scope(build()))
    synth, _ = synth_report(build())
    for fired in (tree, synth):
        assert "DataProtection-IB1" in fired["Outer/Inner/Component"]
        assert "DataProtection-AUD1" in fired["Outer/Inner"]


def test_overrides_are_seen_when_synthesizing() -> None:
    app = make_app()
    component = raw(make_stack(app, name="Override"), "C", "AWS::ImageBuilder::Component", {"Name": "c"})
    component.add_property_override("KmsKeyId", "alias/aws/imagebuilder")
    component.add_property_override("Description", "ops@example.com")
    synth, _ = synth_report(app)
    assert {"DataProtection-IB1", "DataProtection-SD1[Description]"} <= synth["Override/C"]


def test_validate_scope_on_a_sub_tree_skips_stack_wide_rules() -> None:
    stack = make_stack(name="Sub")
    group = cdk.Resource(stack, "Group")
    raw(group, "Component", "AWS::ImageBuilder::Component", {"Name": "c"})  # type: ignore[arg-type]
    fired = findings(DataProtectionChecks().validate_scope(group))
    assert dict(fired) == {"Sub/Group/Component": {"DataProtection-IB1"}}  # no AUD1 on the stack


def test_an_acknowledgement_that_names_no_rule_is_a_warning_with_the_closest_id() -> None:
    stack = make_stack(name="Typo")
    key = cdk.aws_kms.Key(stack, "Key", enable_key_rotation=True, removal_policy=cdk.RemovalPolicy.DESTROY)
    cdk.Validations.of(key).acknowledge(cdk.Acknowledgment(id="DataProtection-KMS02", reason="typo"))
    cdk.Validations.of(stack).acknowledge(cdk.Acknowledgment(id="AwsSolutions-IAM5", reason="not ours"))
    report = DataProtectionChecks().validate_scope(stack)
    (warning,) = [v for v in report.violations if v.rule_name.startswith("DataProtection-ACK2")]
    assert warning.rule_name == "DataProtection-ACK2[DataProtection-KMS02]"
    assert warning.severity == "warning"
    assert "names no rule: did you mean DataProtection-KMS2?" in warning.description
    assert "written at: Typo/Key" in warning.description
    # the typo silenced nothing: KMS2 still fires
    assert any(v.rule_name.startswith("DataProtection-KMS2") for v in report.violations)


def test_an_acknowledgement_without_a_reason_silences_nothing_and_says_where_it_was_written() -> None:
    stack = make_stack(name="NoReason")
    key = cdk.aws_kms.Key(stack, "Key", enable_key_rotation=True, removal_policy=cdk.RemovalPolicy.DESTROY)
    cdk.Validations.of(key).acknowledge(cdk.Acknowledgment(id="DataProtection-KMS2", reason="  "))
    report = DataProtectionChecks().validate_scope(stack)
    assert not report.success
    (warning,) = [v for v in report.violations if v.rule_name.startswith("DataProtection-ACK1")]
    assert warning.rule_name == "DataProtection-ACK1[DataProtection-KMS2]"
    assert warning.severity == "warning"
    assert "Written without a reason at: NoReason/Key" in warning.description
    assert any(v.rule_name.startswith("DataProtection-KMS2") for v in report.violations)


@pytest.mark.parametrize("value", ["1", "yes", ["true"], 1])
def test_a_fips_context_that_is_not_true_or_false_fails_synthesis_with_our_message(value: object) -> None:
    app = make_app(context={"secure-imagebuilder:fips": value})
    cdk.Validations.of(app).add_plugins(DataProtectionChecks(app))
    cdk.aws_sns.Topic(cdk.Stack(app, "Fips"), "Topic", enforce_ssl=True)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    with pytest.raises(
        ValueError, match=r"context secure-imagebuilder:fips: got .*; set it to true or false"
    ):
        DataProtectionChecks().validate_scope(
            cdk.Stack(make_app(context={"secure-imagebuilder:fips": value}), "S")
        )
