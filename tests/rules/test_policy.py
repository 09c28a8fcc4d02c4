"""The policy evaluator on its own: hand-written policies, each operator, allows, denies and near misses."""

from __future__ import annotations

import ast
import pathlib
from typing import Any

import pytest

from secure_imagebuilder.rules.engine import policy as policy_module
from secure_imagebuilder.rules.engine.evaluator import PolicyEvaluator
from secure_imagebuilder.rules.engine.policy import (
    ACCOUNT,
    Request,
    condition_holds,
    evaluate,
    wildcard_match,
)

ROLE = f"arn:aws:iam::{ACCOUNT}:role/Builder"
OTHER = "arn:aws:iam::444455556666:role/Copier"
KEY = f"arn:aws:kms:us-west-2:{ACCOUNT}:key/k1"


def ctx(**values: Any) -> dict[str, list[str]]:
    return {k.replace("__", ":").lower(): v if isinstance(v, list) else [v] for k, v in values.items()}


def test_the_module_imports_no_cdk() -> None:
    tree = ast.parse(pathlib.Path(policy_module.__file__).read_text())
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not {m for m in imported if m.split(".")[0] in ("aws_cdk", "constructs", "cdk_nag", "jsii")}


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b/x/y", True),
        ("arn:aws:s3:::b/?", "arn:aws:s3:::b/xy", False),
        ("kms:Get*", "kms:GetKeyPolicy", True),
        ("a[b]", "a[b]", True),  # brackets are not special in IAM
        ("a[b]", "ab", False),
    ],
)
def test_wildcards(pattern: str, value: str, expected: bool) -> None:
    assert wildcard_match(pattern, value) is expected


@pytest.mark.parametrize(
    ("operator", "expected", "context", "holds"),
    [
        ("StringEquals", "a", ctx(k="a"), True),
        ("StringEquals", "a", ctx(k="A"), False),
        ("StringEquals", "a", {}, False),
        ("StringNotEquals", "a", ctx(k="b"), True),
        ("StringNotEquals", "a", {}, True),
        ("StringEqualsIgnoreCase", "a", ctx(k="A"), True),
        ("StringLike", "arn:*:workflow/*", ctx(k="arn:x:workflow/w"), True),
        ("StringLike", "arn:*:workflow/*", ctx(k="arn:x:component/w"), False),
        ("StringNotLike", "arn:*", ctx(k="arn:x"), False),
        ("ArnLike", "arn:aws:imagebuilder:*:1:*", ctx(k="arn:aws:imagebuilder:r:1:image/x"), True),
        ("ArnEquals", "arn:aws:logs:r:1:log-group:g", ctx(k="arn:aws:logs:r:1:log-group:h"), False),
        ("ArnNotEquals", "arn:a", ctx(k="arn:b"), True),
        ("Bool", "true", ctx(k="TRUE"), True),
        ("Bool", "true", ctx(k="false"), False),
        ("Bool", True, ctx(k="true"), True),
        ("Null", "true", {}, True),
        ("Null", "true", ctx(k="x"), False),
        ("Null", "false", ctx(k="x"), True),
        ("StringEqualsIfExists", "a", {}, True),
        ("StringEqualsIfExists", "a", ctx(k="b"), False),
        ("ArnLikeIfExists", "arn:*", ctx(k="arn:x"), True),
        ("NumericLessThan", "10", ctx(k="9"), True),
        ("NumericGreaterThanEquals", "10", ctx(k="9"), False),
        ("ForAnyValue:StringEquals", "a", ctx(k=["b", "a"]), True),
        ("ForAnyValue:StringEquals", "a", {}, False),
        ("ForAllValues:StringEquals", ["a", "b"], ctx(k=["a", "b"]), True),
        ("ForAllValues:StringEquals", ["a"], ctx(k=["a", "c"]), False),
        ("ForAllValues:StringEquals", ["a"], {}, True),
        ("StringEquals", "a", ctx(k=["a", "b"]), False),  # multivalued key, single-valued operator
    ],
)
def test_each_operator(operator: str, expected: Any, context: dict[str, list[str]], holds: bool) -> None:
    assert condition_holds(operator, "k", expected, context) is holds


def test_condition_keys_match_case_insensitively() -> None:
    assert condition_holds(
        "StringEquals", "KMS:ViaService", "s3.r.amazonaws.com", ctx(kms__viaservice="s3.r.amazonaws.com")
    )


@pytest.mark.parametrize("operator", ["StringSoundsLike", "Foo:StringEquals", "NumericAbout"])
def test_unknown_operators_are_undecided_never_true_or_false(operator: str) -> None:
    assert condition_holds(operator, "k", "x", ctx(k="x")) is None


def test_date_and_ip_operators() -> None:
    now = ctx(aws__currenttime="2026-12-05T10:00:00Z")
    assert condition_holds("DateLessThan", "aws:CurrentTime", "2027-01-01T00:00:00Z", now) is True
    assert condition_holds("DateGreaterThan", "aws:CurrentTime", "2027-01-01T00:00:00Z", now) is False
    ip = ctx(aws__sourceip="10.0.1.5")
    assert condition_holds("IpAddress", "aws:SourceIp", "10.0.0.0/16", ip) is True
    assert condition_holds("NotIpAddress", "aws:SourceIp", "10.0.0.0/16", ip) is False


def test_derived_context() -> None:
    request = Request("kms:Decrypt", ROLE, KEY, {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::b"})
    full = request.full_context()
    assert full["aws:principalarn"] == [ROLE]
    assert full["kms:calleraccount"] == [ACCOUNT]
    assert full["kms:encryptioncontextkeys"] == ["aws:s3:arn"]
    service = Request("sns:Publish", "imagebuilder.amazonaws.com", "arn:aws:sns:r:1:t").full_context()
    assert service["aws:principalisawsservice"] == ["true"] and "aws:principalarn" not in service
    given = Request("kms:Decrypt", ROLE, KEY, {"kms:CallerAccount": "999999999999"}).full_context()
    assert given["kms:calleraccount"] == ["999999999999"]


def key_policy(*statements: dict[str, Any]) -> Any:
    return policy_module.policy("key policy", list(statements), resource_based=True)


def identity(*statements: dict[str, Any]) -> Any:
    return policy_module.policy("identity", list(statements))


ROOT_STATEMENT = {
    "Sid": "Root",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "kms:*",
    "Resource": "*",
}
ROLE_DECRYPT = {"Sid": "Role", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY}


def test_kms_same_account_needs_the_key_policy_delegation_and_iam() -> None:
    request = Request("kms:Decrypt", ROLE, KEY)
    assert evaluate(
        request,
        identity=[identity(ROLE_DECRYPT)],
        resource=key_policy(ROOT_STATEMENT),
        resource_account=ACCOUNT,
        kms_key=True,
    )
    # IAM alone: the key policy does not delegate to the account.
    assert not evaluate(
        request,
        identity=[identity(ROLE_DECRYPT)],
        resource=key_policy(),
        resource_account=ACCOUNT,
        kms_key=True,
    )
    # Key policy delegation alone: no identity policy.
    assert not evaluate(
        request, identity=[], resource=key_policy(ROOT_STATEMENT), resource_account=ACCOUNT, kms_key=True
    )


def test_kms_direct_key_policy_grant_needs_no_iam() -> None:
    direct = {"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "kms:Decrypt", "Resource": "*"}
    decision = evaluate(
        Request("kms:Decrypt", ROLE, KEY), resource=key_policy(direct), resource_account=ACCOUNT, kms_key=True
    )
    assert decision and decision.statements == ("key policy: statement 0",)


def test_cross_account_needs_both_sides() -> None:
    to_other = {
        "Sid": "Other",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
        "Action": "kms:Decrypt",
        "Resource": "*",
    }
    other_iam = identity({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY})
    request = Request("kms:Decrypt", OTHER, KEY)
    assert evaluate(
        request, identity=[other_iam], resource=key_policy(to_other), resource_account=ACCOUNT, kms_key=True
    )
    assert not evaluate(
        request, identity=[], resource=key_policy(to_other), resource_account=ACCOUNT, kms_key=True
    )
    assert not evaluate(
        request,
        identity=[other_iam],
        resource=key_policy(ROOT_STATEMENT),
        resource_account=ACCOUNT,
        kms_key=True,
    )
    # A bucket in another account with an unknown policy: denied.
    assert not evaluate(
        Request("s3:GetObject", OTHER, "arn:aws:s3:::b/k"), identity=[other_iam], resource_account=ACCOUNT
    )


def test_same_account_non_kms_either_side_suffices() -> None:
    put = {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"}
    request = Request("s3:PutObject", ROLE, "arn:aws:s3:::b/logs/x")
    assert evaluate(request, identity=[identity(put)])
    bucket = key_policy({**put, "Principal": {"AWS": ROLE}})
    assert evaluate(request, resource=bucket, resource_account=ACCOUNT)
    assert not evaluate(Request("s3:GetObject", ROLE, "arn:aws:s3:::b/logs/x"), identity=[identity(put)])


def test_explicit_deny_wins() -> None:
    deny = {
        "Sid": "NoTls",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    put = {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}
    plain = Request("s3:PutObject", ROLE, "arn:aws:s3:::b/x", {"aws:SecureTransport": "false"})
    decision = evaluate(plain, identity=[identity(put)], resource=key_policy(deny), resource_account=ACCOUNT)
    assert not decision and decision.statements == ("key policy: NoTls",)
    tls = Request("s3:PutObject", ROLE, "arn:aws:s3:::b/x", {"aws:SecureTransport": "true"})
    assert evaluate(tls, identity=[identity(put)], resource=key_policy(deny), resource_account=ACCOUNT)


def test_not_action_not_resource_not_principal() -> None:
    statement = {
        "Effect": "Allow",
        "NotAction": "kms:Schedule*",
        "NotResource": "arn:aws:kms:*:*:key/secret",
        "Principal": "*",
    }
    pol = key_policy(statement)
    assert evaluate(Request("kms:Decrypt", ROLE, KEY), resource=pol, resource_account=ACCOUNT, kms_key=True)
    assert not evaluate(
        Request("kms:ScheduleKeyDeletion", ROLE, KEY), resource=pol, resource_account=ACCOUNT, kms_key=True
    )
    secret = "arn:aws:kms:us-west-2:1:key/secret"
    assert not evaluate(
        Request("kms:Decrypt", ROLE, secret), resource=pol, resource_account=ACCOUNT, kms_key=True
    )
    deny_others = key_policy(
        {"Effect": "Deny", "NotPrincipal": {"AWS": ROLE}, "Action": "*", "Resource": "*"},
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
    )
    assert evaluate(
        Request("kms:Decrypt", ROLE, KEY), resource=deny_others, resource_account=ACCOUNT, kms_key=True
    )
    assert not evaluate(
        Request("kms:Decrypt", f"arn:aws:iam::{ACCOUNT}:role/X", KEY),
        resource=deny_others,
        resource_account=ACCOUNT,
        kms_key=True,
    )


def test_principal_star_with_conditions() -> None:
    star = {
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "kms:Decrypt",
        "Resource": "*",
        "Condition": {
            "StringEquals": {"kms:CallerAccount": ACCOUNT, "kms:ViaService": "ec2.us-west-2.amazonaws.com"},
            "ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/*"},
        },
    }
    slr = (
        f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    )
    via = {"kms:ViaService": "ec2.us-west-2.amazonaws.com"}
    pol = key_policy(star)
    assert evaluate(
        Request("kms:Decrypt", slr, KEY, via), resource=pol, resource_account=ACCOUNT, kms_key=True
    )
    assert not evaluate(
        Request("kms:Decrypt", slr, KEY), resource=pol, resource_account=ACCOUNT, kms_key=True
    )
    assert not evaluate(
        Request("kms:Decrypt", ROLE, KEY, via), resource=pol, resource_account=ACCOUNT, kms_key=True
    )
    other_slr = slr.replace(ACCOUNT, "444455556666")
    assert not evaluate(
        Request("kms:Decrypt", other_slr, KEY, via), resource=pol, resource_account=ACCOUNT, kms_key=True
    )


def test_service_principals_and_trust() -> None:
    template = {
        "Resources": {
            "Exec": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "imagebuilder.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                                "Condition": {
                                    "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
                                },
                            }
                        ]
                    }
                },
            }
        }
    }
    evaluator = PolicyEvaluator(template)
    ib = "imagebuilder.amazonaws.com"
    assert evaluator.trust_allows("Exec", Request("sts:AssumeRole", ib, "", {"aws:SourceAccount": ACCOUNT}))
    assert not evaluator.trust_allows(
        "Exec", Request("sts:AssumeRole", ib, "", {"aws:SourceAccount": "444455556666"})
    )
    assert not evaluator.trust_allows("Exec", Request("sts:AssumeRole", ib, "", {}))
    assert not evaluator.trust_allows(
        "Exec", Request("sts:AssumeRole", "ec2.amazonaws.com", "", {"aws:SourceAccount": ACCOUNT})
    )
    assert not evaluator.trust_allows(
        "Exec", Request("sts:AssumeRole", ROLE, "", {"aws:SourceAccount": ACCOUNT})
    )


def test_the_symbolic_view_of_intrinsics() -> None:
    template = {
        "Parameters": {"P": {"Type": "String", "Default": "d"}},
        "Resources": {
            "Key1": {"Type": "AWS::KMS::Key", "Properties": {}},
            "Bucket1": {"Type": "AWS::S3::Bucket", "Properties": {}},
            "Topic1": {"Type": "AWS::SNS::Topic", "Properties": {}},
            "Group1": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/aws/imagebuilder/x"}},
            "Recipe1": {
                "Type": "AWS::ImageBuilder::ContainerRecipe",
                "Properties": {"Name": "r", "Version": "1.0.0"},
            },
        },
    }
    r = PolicyEvaluator(template)
    assert r.resolve({"Fn::GetAtt": ["Key1", "Arn"]}) == f"arn:aws:kms:us-west-2:{ACCOUNT}:key/key1"
    assert r.resolve({"Ref": "Bucket1"}) == "bucket1"
    assert r.resolve({"Ref": "Topic1"}) == f"arn:aws:sns:us-west-2:{ACCOUNT}:Topic1"
    assert (
        r.resolve({"Fn::GetAtt": ["Group1", "Arn"]})
        == f"arn:aws:logs:us-west-2:{ACCOUNT}:log-group:/aws/imagebuilder/x:*"
    )
    assert (
        r.resolve({"Ref": "Recipe1"}) == f"arn:aws:imagebuilder:us-west-2:{ACCOUNT}:container-recipe/r/1.0.0"
    )
    assert r.resolve({"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket1}/${P}"}) == "arn:aws:s3:::bucket1/d"
    assert r.resolve({"Fn::Sub": ["${X}-${Key1.Arn}", {"X": {"Ref": "AWS::Region"}}]}).startswith(
        "us-west-2-arn:aws:kms"
    )
    assert r.resolve({"Fn::Select": [1, {"Fn::Split": ["/", "a/b/c"]}]}) == "b"
    assert r.resolve({"Fn::If": ["C", "a", "b"]}) == "a"  # each branch is an alternative; the first is "a"


def test_managed_policies_count_only_as_documented() -> None:
    template = {
        "Resources": {
            "R": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {"Statement": []},
                    "ManagedPolicyArns": [
                        {
                            "Fn::Join": [
                                "",
                                ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/Documented"],
                            ]
                        },
                        "arn:aws:iam::aws:policy/Unknown",
                    ],
                },
            }
        }
    }
    evaluator = PolicyEvaluator(
        template,
        managed_policies={"Documented": [{"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"}]},
    )
    role = evaluator.role_arn("R")
    assert evaluator.identity_allows(Request("sns:Publish", role, "arn:aws:sns:us-west-2:1:t"))
    assert not evaluator.identity_allows(Request("ssm:SendCommand", role, "*"))


def test_a_key_outside_the_template_is_not_judged_unless_its_policy_is_given() -> None:
    template = {
        "Resources": {
            "R": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {"Statement": []},
                    "Policies": [
                        {
                            "PolicyName": "p",
                            "PolicyDocument": {"Statement": [ROLE_DECRYPT | {"Resource": "*"}]},
                        }
                    ],
                },
            }
        }
    }
    imported = f"arn:aws:kms:us-west-2:{ACCOUNT}:key/imported"
    evaluator = PolicyEvaluator(template)
    request = Request("kms:Decrypt", evaluator.role_arn("R"), imported)
    assert not evaluator.decide(request)
    owned = PolicyEvaluator(template, external_resource_policies={imported: [ROOT_STATEMENT]})
    assert owned.decide(request)


@pytest.mark.parametrize("principal", [ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root"])
def test_an_account_principal_delegates_to_iam_and_labels_name_the_statement(principal: str) -> None:
    key = key_policy(
        {
            "Sid": "Account",
            "Effect": "Allow",
            "Principal": {"AWS": principal},
            "Action": "kms:*",
            "Resource": "*",
        }
    )
    allow = identity({"Sid": "RoleDecrypt", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY})
    decision = evaluate(
        Request("kms:Decrypt", ROLE, KEY),
        identity=[allow],
        resource=key,
        resource_account=ACCOUNT,
        kms_key=True,
    )
    assert decision.statements == ("key policy: Account", "identity: RoleDecrypt")
    other = Request("kms:Decrypt", "arn:aws:iam::444455556666:role/R", KEY)
    assert not evaluate(other, identity=[allow], resource=key, resource_account=ACCOUNT, kms_key=True)
