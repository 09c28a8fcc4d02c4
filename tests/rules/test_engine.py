"""The pure-Python rule engine: its import boundary, rule crashes, acknowledgements from templates."""

from __future__ import annotations

import subprocess
import sys

from secure_imagebuilder.rules.engine import assembly
from secure_imagebuilder.rules.engine.model import Compliance, Level, Resource, Rule, RuleResult, Stack
from secure_imagebuilder.rules.engine.run import Engine, evaluate

FORBIDDEN = ("aws_cdk", "jsii", "cdk_nag", "constructs")


def test_rules_import_no_cdk_module() -> None:
    code = (
        "import sys\n"
        "import secure_imagebuilder.rules.table, secure_imagebuilder.rules.engine\n"
        "import secure_imagebuilder.rules.engine.assembly, secure_imagebuilder.rules.docs\n"
        "import secure_imagebuilder.rules.engine.policy\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"


def _crash(resource: Resource, stack: Stack) -> RuleResult:
    """Always raises."""
    raise KeyError("surprise")


def _flag(resource: Resource, stack: Stack) -> RuleResult:
    """Always non-compliant."""
    return Compliance.NON_COMPLIANT


def _rule(rule_id: str, check: object) -> Rule:
    return Rule(rule_id, Level.ERROR, ("R1",), "x.", "R1: y.", ("AWS::SNS::Topic",), check, "z.")  # type: ignore[arg-type]


def test_a_crashing_rule_is_a_rule_error_that_fails_the_gate() -> None:
    stack = Stack(path="S", resources=[Resource(type="AWS::SNS::Topic", props={}, logical_id="T")])
    (finding,) = Engine((_rule("X1", _crash),), "Pack").evaluate([stack])
    assert finding.rule_id == "Pack-X1-RuleError"
    assert finding.level == Level.ERROR
    assert finding.error == "KeyError: 'surprise'"
    assert finding.acknowledged is None


def test_a_rule_error_is_acknowledged_only_by_its_own_id_with_a_reason() -> None:
    def stack(acks: dict[str, str | None]) -> Stack:
        topic = Resource(type="AWS::SNS::Topic", props={}, logical_id="T", acks=acks)
        return Stack(path="S", resources=[topic])

    engine = Engine((_rule("X1", _crash),), "Pack")
    (by_id,) = engine.evaluate([stack({"Pack-X1-RuleError": "known bug #12"})])
    assert by_id.acknowledged == "known bug #12"
    (by_rule,) = engine.evaluate([stack({"Pack-X1": "accepted"})])
    assert by_rule.acknowledged is None
    (no_reason,) = engine.evaluate([stack({"Pack-X1-RuleError": None})])
    assert no_reason.acknowledged is None


def test_a_secret_in_a_crash_message_is_never_printed() -> None:
    def crash(resource: Resource, stack: Stack) -> RuleResult:
        raise ValueError("-----BEGIN RSA PRIVATE KEY-----\nMIIE")

    stack = Stack(path="S", resources=[Resource(type="AWS::SNS::Topic", props={}, logical_id="T")])
    (finding,) = Engine((_rule("X1", crash),), "Pack").evaluate([stack])
    assert "PRIVATE KEY" not in (finding.error or "") and "MIIE" not in (finding.error or "")


def test_acknowledgements_in_the_template_are_honoured_with_their_reason() -> None:
    template = {
        "Resources": {
            "T": {
                "Type": "AWS::SNS::Topic",
                "Metadata": {"cdk_nag": {"rules_to_suppress": [{"id": "Pack-X1", "reason": "shared topic"}]}},
            },
            "U": {"Type": "AWS::SNS::Topic"},
        }
    }
    stack = assembly.stack_from_template(template, path="S")
    findings = Engine((_rule("X1", _flag),), "Pack").evaluate([stack])
    assert [(f.resource.logical_id, f.acknowledged) for f in findings] == [("T", "shared topic"), ("U", None)]


def test_an_acknowledgement_reaches_every_resource_below_its_construct_path() -> None:
    template = {"Resources": {"T": {"Type": "AWS::SNS::Topic"}, "U": {"Type": "AWS::SNS::Topic"}}}
    stack = assembly.stack_from_template(
        template,
        path="S",
        construct_paths={"T": "S/Group/T/Resource", "U": "S/Other/Resource"},
        path_acks={"S/Group": {"Pack-X1": "why"}},
    )
    findings = Engine((_rule("X1", _flag),), "Pack").evaluate([stack])
    assert {f.resource.logical_id: f.acknowledged for f in findings} == {"T": "why", "U": None}


def test_the_pack_runs_on_a_plain_template() -> None:
    template = {"Resources": {"Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {}}}}}
    ids = {f.rule_id for f in evaluate([assembly.stack_from_template(template, path="S")])}
    assert {"DataProtection-KMS1", "DataProtection-KMS2[DeletionPolicy]"} <= ids


def test_statement_finding_ids_do_not_depend_on_order() -> None:
    admin = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    read = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}

    def ids(statements: list[dict[str, str]]) -> set[str]:
        document = {"Version": "2012-10-17", "Statement": statements}
        policy = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": document}}
        stack = assembly.stack_from_template({"Resources": {"P": policy}}, path="S")
        return {f.rule_id for f in evaluate([stack]) if f.rule.id == "IAM2"}

    assert ids([admin]) == ids([read, admin]) == {"DataProtection-IAM2[Statement-1676d2f7]"}
    assert ids([{**admin, "Sid": "Admin"}]) == {"DataProtection-IAM2[Admin]"}
