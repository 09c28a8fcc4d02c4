"""The rule table: ids and levels pinned, R-numbers cited, docs/rules.md in sync, rules total on tokens."""

from __future__ import annotations

import itertools
import pathlib
import re
from typing import Any

import pytest

from secure_imagebuilder.rules import docs
from secure_imagebuilder.rules.engine.model import Compliance, Level, Resource, Stack
from secure_imagebuilder.rules.table import RULES

REPO = pathlib.Path(__file__).resolve().parents[2]
ERROR, WARN, INFO = Level.ERROR, Level.WARNING, Level.INFO

MANIFEST = {
    "IB1": ERROR, "IB2": ERROR, "IB3": ERROR, "IB4": ERROR, "IB5": ERROR, "IB6": ERROR, "IB7": ERROR,
    "IB8": ERROR, "IB9": ERROR, "IB10": ERROR,
    "KMS1": ERROR, "KMS2": ERROR, "KMS3": ERROR, "KMS4": ERROR, "KMS5": ERROR,
    "IAM1": ERROR, "IAM2": ERROR, "IAM3": ERROR,
    "SD1": ERROR, "URL1": ERROR, "URL2": ERROR, "SEC1": ERROR,
    "DOC1": ERROR, "DOC2": ERROR, "DOC3": ERROR, "CFN1": ERROR, "CFN2": WARN,
    "GRANT1": ERROR, "GRANT2": ERROR, "GRANT3": ERROR, "GRANT4": INFO,
    "TLS1": ERROR, "TLS2": ERROR, "AUD1": WARN, "FIPS1": ERROR,
    "RA1": ERROR, "RA2": ERROR, "RA3": ERROR, "RA4": ERROR,
    "ACK1": WARN, "ACK2": WARN,
}  # fmt: skip


# The checks live one folder per service (plus the template-wide rules); the engine holds no rule.
CHECK_FOLDERS = {"cloudtrail", "iam", "imagebuilder", "kms", "rolesanywhere", "s3", "sns", "template"}


def test_manifest_pins_ids_and_levels() -> None:
    assert {rule.id: rule.level for rule in RULES} == MANIFEST
    assert len({rule.id for rule in RULES}) == len(RULES)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_cites_guidance_and_a_fix(rule: Any) -> None:
    assert rule.refs and all(re.fullmatch(r"R\d+", ref) for ref in rule.refs)
    assert any(ref in rule.explanation for ref in rule.refs), "the explanation cites its R-number"
    assert rule.info.endswith(".") and rule.check.__doc__
    package, _, _ = rule.check.__module__.rpartition(".")
    assert package.removeprefix("secure_imagebuilder.rules.") in CHECK_FOLDERS, "one folder per service"


def test_docs_are_in_sync() -> None:
    reports = (REPO / "docs" / "corpus.md", REPO / "docs" / "corpus-public.md")
    assert (REPO / "docs" / "rules.md").read_text() == docs.render(docs.measured(*reports)), "make docs"


def test_readme_links_the_rules() -> None:
    readme = (REPO / "README.md").read_text()
    assert "(docs/rules.md)" in readme


# Every way a value can be unknown or odd at synth time, in every position a rule reads.
ODD: list[Any] = [
    None, "", "*", 0, -1.8881545897087626e289, True, [], {}, [None], [{}],
    {"Ref": "Param"}, {"Ref": "AWS::URLSuffix"}, {"Fn::GetAtt": ["Key", "Arn"]}, {"Fn::GetAtt": "Key.Arn"},
    {"Fn::Join": ["", ["arn:aws:kms:", {"Ref": "AWS::Region"}, ":alias/aws/x"]]},
    {"Fn::Join": [{"Ref": "S"}, {"Ref": "L"}]},
    {"Fn::Sub": "https://${User}:${Pass}@host"}, {"Fn::Sub": ["${A}", {"A": {"Ref": "B"}}]},
    {"Fn::If": ["C", {"Ref": "A"}, {"Ref": "AWS::NoValue"}]}, {"Fn::ImportValue": "Exported"},
    {"Fn::Select": [0, {"Fn::GetAZs": ""}]}, {"Statement": {"Ref": "P"}}, {"Statement": [{"Condition": "x"}]},
]  # fmt: skip
PROPERTIES = [
    "KmsKeyId", "KeyPolicy", "PolicyDocument", "Policies", "AssumeRolePolicyDocument", "BlockDeviceMappings",
    "InstanceConfiguration", "Distributions", "InstanceMetadataOptions", "Logging", "SnsTopicArn",
    "Workflows", "ExecutionRole", "EnableKeyRotation", "KeySpec", "PendingWindowInDays", "Tags", "Name",
    "Description", "Data",
    "Uri", "Bucket", "Topics", "DurationSeconds", "NotificationSettings", "ServiceEndpoint",
]  # fmt: skip


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rules_never_crash_on_tokens(rule: Any) -> None:
    types = rule.applies_to or ("AWS::SSM::Parameter", "Stack")
    for resource_type, value in itertools.product(types, ODD):
        props = {name: value for name in PROPERTIES}
        key = Resource(type="AWS::KMS::Key", props={"KeyPolicy": value}, logical_id="Key")
        resource = Resource(
            type=resource_type, props=props, logical_id="Key" if resource_type == "AWS::KMS::Key" else "R"
        )
        stack = Stack(path="S", resources=[key, resource], fips=True)
        result = rule.check(resource, stack)
        assert isinstance(result, list) or isinstance(result, Compliance)
