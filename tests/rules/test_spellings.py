"""Every rule decides the same whatever the spelling: a property-based test per rule (issue 20).

For each rule, a generator writes the value the rule decides on in every intrinsic form the value model
reads (``Ref`` to a parameter default, ``Fn::FindInMap`` with a literal or a dynamic key, ``Fn::If`` with
both branches or a condition proven constant, ``Fn::Sub`` in both forms, ``Fn::Join`` of pieces,
``Fn::Select`` from a list or from ``Fn::Split``, ``Fn::Base64``), nested several levels deep. Wrapped
around the violating literal the rule must still fire; wrapped around the compliant literal it must not.

ACK1 and ACK2 are not here: acknowledgements live in ``Metadata``, where CloudFormation evaluates no
intrinsic, so they are read as written (tests/rules/test_fail_closed.py covers them).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secure_imagebuilder.rules.engine import assembly, run
from secure_imagebuilder.rules.table import RULES

ACCOUNT = "111122223333"
IB_CONTEXT = "kms:EncryptionContext:aws:imagebuilder:arn"
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgwMbRvI0MBZhpF\n"


@dataclass
class Sections:
    """The template sections a spelling needs: parameters, mappings and conditions it introduces."""

    parameters: dict[str, Any] = field(default_factory=dict)
    mappings: dict[str, Any] = field(default_factory=dict)
    conditions: dict[str, Any] = field(
        default_factory=lambda: {
            "Open": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]},  # depends on the Region
            "Always": {"Fn::Equals": ["same", "same"]},
            "Never": {"Fn::Not": [{"Fn::Equals": ["same", "same"]}]},
        }
    )

    def name(self, prefix: str) -> str:
        return f"{prefix}{len(self.parameters) + len(self.mappings)}"


DECOY = "decoy-value-that-no-rule-reads"


def spell(draw: st.DrawFn, value: Any, sections: Sections, depth: int = 0) -> Any:
    """``value`` written in an intrinsic form chosen by Hypothesis (recursively, up to 3 levels)."""
    forms = ["literal", "if-both", "if-always", "if-never", "select"]
    if isinstance(value, str | int | float | bool) and not isinstance(value, bool):
        forms += ["parameter", "mapping", "mapping-dynamic"]
    if isinstance(value, str):
        forms += ["sub", "sub-map", "join"]
        if "," not in value and value:
            forms.append("split")
    form = draw(st.sampled_from(forms)) if depth < 3 else "literal"
    inner = lambda: spell(draw, value, sections, depth + 1)  # noqa: E731
    if form == "literal":
        return value
    if form == "if-both":
        return {"Fn::If": ["Open", inner(), inner()]}
    if form == "if-always":
        return {"Fn::If": ["Always", inner(), DECOY]}
    if form == "if-never":
        return {"Fn::If": ["Never", DECOY, inner()]}
    if form == "select":
        return {"Fn::Select": [1, [DECOY, inner()]]}
    if form == "parameter":
        name = sections.name("P")
        sections.parameters[name] = {"Type": "String", "Default": value}
        return {"Ref": name}
    if form in ("mapping", "mapping-dynamic"):
        name = sections.name("M")
        sections.mappings[name] = {"us-east-1": {"Value": value}, "eu-west-1": {"Value": value}}
        top = {"Ref": "AWS::Region"} if form == "mapping-dynamic" else "us-east-1"
        return {"Fn::FindInMap": [name, top, "Value"]}
    if form == "sub":
        name = sections.name("P")
        sections.parameters[name] = {"Type": "String", "Default": value}
        return {"Fn::Sub": "${" + name + "}"}
    if form == "sub-map":
        return {"Fn::Sub": ["${Inner}", {"Inner": inner()}]}
    if form == "join":
        cut = draw(st.integers(min_value=0, max_value=len(value)))
        head, tail = value[:cut], value[cut:]
        return {
            "Fn::Join": ["", [spell(draw, head, sections, depth + 1), spell(draw, tail, sections, depth + 1)]]
        }
    return {"Fn::Select": [0, {"Fn::Split": [",", inner()]}]}  # split


# --- one template per rule, around the value it decides on ---------------------------------------------

KEY = {
    "Type": "AWS::KMS::Key",
    "DeletionPolicy": "Retain",
    "UpdateReplacePolicy": "Retain",
    "Properties": {
        "EnableKeyRotation": True,
        "KeyPolicy": {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ]
        },
    },
}


def with_key(
    props: dict[str, Any] | None = None, statements: list[Any] | None = None, **top: Any
) -> dict[str, Any]:
    key = json.loads(json.dumps(KEY))
    key["Properties"].update(props or {})
    key["Properties"]["KeyPolicy"]["Statement"] += statements or []
    key.update(top)
    return key


def component(**props: Any) -> dict[str, Any]:
    base = {"Name": "c", "Version": "1.0.0", "Platform": "Linux", "Data": "schemaVersion: 1.0"}
    return {"Type": "AWS::ImageBuilder::Component", "Properties": {**base, **props}}


def used_key(*statements: Any) -> dict[str, Any]:
    """A key a component uses (KMS5 and IAM1 apply to it)."""
    return {
        "Key": with_key(statements=list(statements)),
        "C": component(KmsKeyId={"Fn::GetAtt": ["Key", "Arn"]}),
    }


def role(statement: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {"AssumeRolePolicyDocument": {"Statement": [statement]}, **props},
    }


def managed_policy(*statements: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {"PolicyDocument": {"Statement": list(statements)}},
    }


def build(
    exec_actions: Any = None, key_principal: Any = None, instance_key_actions: Any = None, key_id: Any = None
) -> dict[str, Any]:
    """A pipeline with a workflow and a component on one key, its execution and instance roles."""
    context = {"StringLike": {IB_CONTEXT: f"arn:aws:imagebuilder:*:{ACCOUNT}:*"}}
    key_statements = [
        {
            "Effect": "Allow",
            "Principal": {"AWS": key_principal or {"Fn::GetAtt": ["Exec", "Arn"]}},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": "*",
            "Condition": context,
        },
        {
            "Effect": "Allow",
            "Principal": {"AWS": {"Fn::GetAtt": ["Instance", "Arn"]}},
            "Action": instance_key_actions or "kms:Decrypt",
            "Resource": "*",
            "Condition": {
                **context,
                "ForAnyValue:StringEquals": {"aws:CalledVia": "imagebuilder.amazonaws.com"},
            },
        },
    ]
    arn = key_id or {"Fn::GetAtt": ["Key", "Arn"]}
    grant = lambda actions: managed_policy(  # noqa: E731
        {
            "Effect": "Allow",
            "Action": actions,
            "Resource": {"Fn::GetAtt": ["Key", "Arn"]},
            "Condition": context,
        }
    )
    trust = {
        "Effect": "Allow",
        "Principal": {"Service": ["imagebuilder.amazonaws.com", "ec2.amazonaws.com"]},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
    }
    key = with_key(statements=key_statements)
    # An administrator role, not the account root: the key policy alone must allow the execution role.
    key["Properties"]["KeyPolicy"]["Statement"][0]["Principal"] = {
        "AWS": f"arn:aws:iam::{ACCOUNT}:role/KeyAdmin"
    }
    key["Properties"]["KeyPolicy"]["Statement"][0]["Action"] = ["kms:Describe*", "kms:Put*"]
    return {
        "Key": key,
        "Workflow": {
            "Type": "AWS::ImageBuilder::Workflow",
            "Properties": {"Name": "w", "Version": "1.0.0", "Type": "BUILD", "Data": "x", "KmsKeyId": arn},
        },
        "C": component(KmsKeyId=arn),
        "ExecGrant": grant(exec_actions or ["kms:Decrypt", "kms:GenerateDataKey"]),
        "Exec": role(trust, ManagedPolicyArns=[{"Ref": "ExecGrant"}]),
        "InstanceGrant": grant("kms:Decrypt"),
        "Instance": role(trust, ManagedPolicyArns=[{"Ref": "InstanceGrant"}]),
        "Profile": {"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": [{"Ref": "Instance"}]}},
        "Infra": {
            "Type": "AWS::ImageBuilder::InfrastructureConfiguration",
            "Properties": {"InstanceProfileName": {"Ref": "Profile"}},
        },
        "Recipe": {
            "Type": "AWS::ImageBuilder::ImageRecipe",
            "Properties": {"Components": [{"ComponentArn": {"Ref": "C"}}]},
        },
        "Pipeline": {
            "Type": "AWS::ImageBuilder::ImagePipeline",
            "Properties": {
                "ExecutionRole": {"Fn::GetAtt": ["Exec", "Arn"]},
                "Workflows": [{"WorkflowArn": {"Fn::GetAtt": ["Workflow", "Arn"]}}],
                "ImageRecipeArn": {"Ref": "Recipe"},
                "InfrastructureConfigurationArn": {"Ref": "Infra"},
            },
        },
    }


def deny_without_tls(flag: Any, kind: str) -> dict[str, Any]:
    target = {"Ref": "T"}
    resources = {
        "S3": (
            "AWS::S3::Bucket",
            "AWS::S3::BucketPolicy",
            "Bucket",
            "s3:*",
            [{"Fn::Sub": "${T.Arn}/*"}, {"Fn::GetAtt": ["T", "Arn"]}],
        ),
        "SNS": ("AWS::SNS::Topic", "AWS::SNS::TopicPolicy", "Topics", "sns:Publish", target),
    }
    resource_type, policy_type, prop, action, resource = resources[kind]
    statements = [
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": action,
            "Resource": resource,
            "Condition": {"Bool": {"aws:SecureTransport": flag}},
        }
    ]
    if kind == "S3":
        statements.append(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": action,
                "Resource": resource,
                "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
            }
        )
    props = {"KmsMasterKeyId": {"Fn::GetAtt": ["Key", "Arn"]}} if kind == "SNS" else {}
    return {
        "Key": with_key(),
        "T": {"Type": resource_type, "Properties": props},
        "P": {
            "Type": policy_type,
            "Properties": {
                prop: target if kind == "S3" else [target],
                "PolicyDocument": {"Statement": statements},
            },
        },
    }


def build_role(statement: dict[str, Any]) -> dict[str, Any]:
    """A build instance role (in an infrastructure configuration's instance profile) with one statement."""
    trust = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    return {
        "R": role(trust, Policies=[{"PolicyName": "Build", "PolicyDocument": {"Statement": [statement]}}]),
        "Profile": {"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": [{"Ref": "R"}]}},
        "Infra": {
            "Type": "AWS::ImageBuilder::InfrastructureConfiguration",
            "Properties": {"Name": "i", "InstanceProfileName": {"Ref": "Profile"}},
        },
    }


def logged_image(name: Any) -> dict[str, Any]:
    """An image logging to the group named ``name``, and two groups: one without a key, one compliant."""
    return {
        "Key": with_key(),
        "Plain": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/aws/imagebuilder/plain"}},
        "Good": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {
                "LogGroupName": "/aws/imagebuilder/good",
                "KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]},
                "RetentionInDays": 365,
            },
        },
        "R": {
            "Type": "AWS::ImageBuilder::Image",
            "Properties": {
                "ImageRecipeArn": f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:image-recipe/r/1.0.0",
                "LoggingConfiguration": {"LogGroupName": name},
            },
        },
    }


def profile(action: Any) -> dict[str, Any]:
    """A Roles Anywhere profile without session policies, for a role allowed ``action`` on everything."""
    trust = {
        "Effect": "Allow",
        "Principal": {"Service": "rolesanywhere.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
    statement = {"Effect": "Allow", "Action": action, "Resource": "*"}
    return {
        "Role": role(trust, Policies=[{"PolicyName": "Work", "PolicyDocument": {"Statement": [statement]}}]),
        "R": {
            "Type": "AWS::RolesAnywhere::Profile",
            "Properties": {"Name": "p", "RoleArns": [{"Fn::GetAtt": ["Role", "Arn"]}]},
        },
    }


@dataclass(frozen=True)
class Case:
    """Where a rule reads its value, and a violating and a compliant literal for it."""

    resources: Callable[[Any], dict[str, Any]]
    bad: Any
    good: Any
    fips: bool = False


IB = "AWS::ImageBuilder::"
CASES: dict[str, Case] = {
    "IB1": Case(
        lambda x: {"R": component(KmsKeyId=x)},
        "alias/aws/imagebuilder",
        f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k",
    ),
    "IB2": Case(
        lambda x: {
            "R": {
                "Type": f"{IB}ImageRecipe",
                "Properties": {
                    "BlockDeviceMappings": [
                        {"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": True, "KmsKeyId": x}}
                    ]
                },
            }
        },
        "alias/aws/ebs",
        "alias/my-key",
    ),
    "IB3": Case(
        lambda x: {
            "R": {
                "Type": f"{IB}DistributionConfiguration",
                "Properties": {
                    "Distributions": [
                        {"Region": "us-east-1", "AmiDistributionConfiguration": {"KmsKeyId": x}}
                    ]
                },
            }
        },
        "alias/aws/ebs",
        "alias/my-key",
    ),
    "IB4": Case(
        lambda x: {
            "R": {
                "Type": f"{IB}InfrastructureConfiguration",
                "Properties": {
                    "InstanceMetadataOptions": {"HttpTokens": x},
                    "Logging": {"S3Logs": {"S3BucketName": "b"}},
                },
            }
        },
        "optional",
        "required",
    ),
    "IB5": Case(
        lambda x: {
            "R": {
                "Type": f"{IB}InfrastructureConfiguration",
                "Properties": {
                    "InstanceMetadataOptions": {"HttpTokens": "required"},
                    "Logging": {"S3Logs": {"S3BucketName": x}},
                },
            }
        },
        "",
        "build-logs",
    ),
    "IB6": Case(
        lambda x: {
            "T": {"Type": "AWS::SNS::Topic", "Properties": {"KmsMasterKeyId": x}},
            "R": {"Type": f"{IB}InfrastructureConfiguration", "Properties": {"SnsTopicArn": {"Ref": "T"}}},
        },
        "alias/aws/sns",
        "alias/my-key",
    ),
    "IB7": Case(
        lambda x: {
            "R": {
                "Type": f"{IB}Image",
                "Properties": {
                    "ExecutionRole": x,
                    "Workflows": [
                        {"WorkflowArn": "arn:aws:imagebuilder:us-east-1:aws:workflow/build/w/1.0.0"}
                    ],
                },
            }
        },
        "",
        f"arn:aws:iam::{ACCOUNT}:role/exec",
    ),
    "IB8": Case(
        lambda x: {
            "R": {
                "Type": f"{IB}DistributionConfiguration",
                "Properties": {
                    "Distributions": [
                        {
                            "Region": "us-east-1",
                            "AmiDistributionConfiguration": {
                                "KmsKeyId": "alias/my-key",
                                "LaunchPermissionConfiguration": {"UserGroups": [x]},
                            },
                        }
                    ]
                },
            }
        },
        "all",
        "",
    ),
    "IB9": Case(
        lambda x: build_role({"Effect": "Allow", "Action": "s3:GetObject", "Resource": x}),
        "arn:aws:s3:::*/*",
        "arn:aws:s3:::build-artifacts/components/*",
    ),
    "IB10": Case(logged_image, "/aws/imagebuilder/plain", "/aws/imagebuilder/good"),
    "RA4": Case(profile, "*", "ec2:DescribeInstances"),
    "KMS1": Case(lambda x: {"R": with_key({"EnableKeyRotation": x})}, "false", "true"),
    "KMS2": Case(lambda x: {"R": with_key(DeletionPolicy=x)}, "Delete", "Retain"),
    "KMS3": Case(lambda x: {"R": with_key({"PendingWindowInDays": x})}, 7, 30),
    "KMS4": Case(
        lambda x: {
            "R": with_key(
                statements=[
                    {"Effect": "Allow", "Principal": {"AWS": x}, "Action": "kms:Decrypt", "Resource": "*"}
                ]
            )
        },
        "*",
        f"arn:aws:iam::{ACCOUNT}:role/reader",
    ),
    "KMS5": Case(
        lambda x: (
            used_key(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/r"},
                    "Action": "kms:Decrypt",
                    "Resource": "*",
                    "Condition": {"StringLike": {IB_CONTEXT: x}},
                }
            )
            | {"R": used_key()["Key"]}
        ),
        "*",
        f"arn:aws:imagebuilder:*:{ACCOUNT}:workflow/*",
    ),
    "IAM1": Case(
        lambda x: used_key() | {"R": managed_policy({"Effect": "Allow", "Action": x, "Resource": "*"})},
        "kms:Decrypt",
        "s3:GetObject",
    ),
    "IAM2": Case(
        lambda x: {"R": managed_policy({"Effect": "Allow", "Action": x, "Resource": "*"})},
        "kms:*",
        "kms:Decrypt",
    ),
    "IAM3": Case(
        lambda x: {
            "R": role(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "imagebuilder.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringLike": {"aws:SourceAccount": x}},
                }
            )
        },
        "*",
        ACCOUNT,
    ),
    "RA1": Case(
        lambda x: {"R": {"Type": "AWS::RolesAnywhere::Profile", "Properties": {"DurationSeconds": x}}},
        43200,
        3600,
    ),
    "RA2": Case(
        lambda x: {
            "R": {
                "Type": "AWS::RolesAnywhere::TrustAnchor",
                "Properties": {"NotificationSettings": [{"Event": "CA_CERTIFICATE_EXPIRY", "Enabled": x}]},
            }
        },
        "false",
        "true",
    ),
    "RA3": Case(
        lambda x: {
            "R": role(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "rolesanywhere.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"ArnLike": {"aws:SourceArn": x}},
                }
            )
        },
        "arn:aws:rolesanywhere:*:*:trust-anchor/*",
        f"arn:aws:rolesanywhere:us-east-1:{ACCOUNT}:trust-anchor/a1",
    ),
    "SD1": Case(
        lambda x: {
            "R": {"Type": "AWS::SNS::Topic", "Properties": {"Tags": [{"Key": "contact", "Value": x}]}}
        },
        "ops@example.com",
        "platform",
    ),
    "SEC1": Case(
        lambda x: {"R": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": x}}},
        PEM,
        "hello",
    ),
    "URL1": Case(
        lambda x: {"R": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": x}}},
        "https://u:pw@h.example.com/x",
        "https://h.example.com/x",
    ),
    "URL2": Case(
        lambda x: {"R": component(Data=x)},
        "curl -u builder:hunter2 https://h.example.com",
        "curl https://h.example.com",
    ),
    "DOC1": Case(
        lambda x: {"R": component(Data=x)},
        "curl -O http://h.example.com/a.rpm",
        "curl -O https://h.example.com/a.rpm",
    ),
    "DOC2": Case(
        lambda x: {"R": component(Data=x)}, "curl -k https://h.example.com", "curl https://h.example.com"
    ),
    "DOC3": Case(
        lambda x: {"R": component(Data=x)},
        "curl --tlsv1.0 https://h.example.com",
        "curl --tlsv1.2 https://h.example.com",
    ),
    "CFN1": Case(
        lambda x: {
            "R": {
                "Type": f"{IB}DistributionConfiguration",
                "Properties": {"Distributions": [{"Region": "us-east-1", "AmiDistributionConfiguration": x}]},
            }
        },
        {"kmsKeyId": "alias/my-key"},
        {"KmsKeyId": "alias/my-key"},
    ),
    "FIPS1": Case(
        lambda x: {"R": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": x}}},
        "https://kms.us-east-1.amazonaws.com",
        "https://kms-fips.us-east-1.amazonaws.com",
        fips=True,
    ),
    "TLS1": Case(lambda x: deny_without_tls(x, "S3"), "true", "false"),
    "TLS2": Case(lambda x: deny_without_tls(x, "SNS"), "true", "false"),
    "AUD1": Case(
        lambda x: {
            "C": component(KmsKeyId="alias/my-key"),
            "Trail": {
                "Type": "AWS::CloudTrail::Trail",
                "Condition": "Audit",
                "Properties": {"IsLogging": True},
            },
            "__condition__": {"Fn::Equals": [x, "yes"]},
        },
        "no",
        "yes",
    ),
    "GRANT1": Case(
        lambda x: build(key_principal=x),
        f"arn:aws:iam::{ACCOUNT}:role/someone-else",
        {"Fn::GetAtt": ["Exec", "Arn"]},
    ),
    "GRANT2": Case(lambda x: build(exec_actions=x), "kms:Encrypt", "kms:*"),
    "GRANT3": Case(lambda x: build(instance_key_actions=x), "kms:Encrypt", "kms:Decrypt"),
    "GRANT4": Case(
        lambda x: build(key_id=x),
        f"arn:aws:kms:us-east-1:{ACCOUNT}:key/elsewhere",
        {"Fn::GetAtt": ["Key", "Arn"]},
    ),
}
SKIPPED = {"ACK1", "ACK2", "CFN2"}  # CFN2 reports template structure, not a value


def test_every_rule_has_a_spelling_case() -> None:
    assert {rule.id for rule in RULES} == set(CASES) | SKIPPED


def fires(rule_id: str, case: Case, value: Any, sections: Sections) -> bool:
    resources = case.resources(value)
    conditions = dict(sections.conditions)
    if "__condition__" in resources:
        conditions["Audit"] = resources.pop("__condition__")
    template = {
        "Parameters": sections.parameters,
        "Mappings": sections.mappings,
        "Conditions": conditions,
        "Resources": resources,
    }
    stack = assembly.stack_from_template(template, path="S", fips=case.fips)
    found = [f for f in run.evaluate([stack]) if f.rule.id == rule_id]
    assert not any(f.error for f in found), [f.error for f in found]
    return bool(found)


@pytest.mark.parametrize("rule_id", sorted(CASES))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_rule_decides_the_same_in_every_spelling(rule_id: str, data: st.DataObject) -> None:
    case = CASES[rule_id]
    bad, good = Sections(), Sections()
    assert fires(rule_id, case, spell(data.draw, case.bad, bad), bad), "the violation passed in this spelling"
    assert not fires(rule_id, case, spell(data.draw, case.good, good), good), "a false alarm in this spelling"
