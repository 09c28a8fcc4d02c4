"""The adversary's questions (``rules.engine.access``), each with the policies that pass and fail it.

Policies here are already resolved (the evaluator's input): these tests pin how each question builds
the adversary's requests, apart from how templates are read.
"""

from __future__ import annotations

from typing import Any

import pytest

from secure_imagebuilder.rules.engine import access
from secure_imagebuilder.rules.engine import policy as p
from secure_imagebuilder.rules.engine import values as v

ACCOUNT = p.ACCOUNT
KEY = f"arn:aws:kms:us-west-2:{ACCOUNT}:key/k"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/exec"
IB = "kms:EncryptionContext:aws:imagebuilder:arn"
OWN_WORKFLOWS = f"arn:aws:imagebuilder:*:{ACCOUNT}:workflow/*"


def document(*statements: dict[str, Any], resource_based: bool = True) -> p.Policy:
    labelled = [{**s, p.LABEL: s.get("Sid", f"S{i}")} for i, s in enumerate(statements)]
    return p.policy(
        "key policy" if resource_based else "identity policy", labelled, resource_based=resource_based
    )


def labels(exposures: list[access.Exposure]) -> dict[str, p.Tri]:
    return {e.label: e.allowed for e in exposures}


def anyone(**extra: Any) -> dict[str, Any]:
    return {
        "Sid": "Anyone",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "kms:Decrypt",
        "Resource": "*",
        **extra,
    }


# --- outside_use (KMS4) --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "public"),
    [
        ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin"}}, True),
        ({"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/*"}}, False),
        ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::444455556666:role/*"}}, True),
        ({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::444455556666:role/Copier"}}, False),
        ({"StringLike": {"aws:PrincipalAccount": "4444*"}}, True),
        ({"StringEquals": {"aws:PrincipalAccount": "444455556666"}}, False),
        ({"StringLike": {"kms:CallerAccount": "?" * 12}}, True),
        ({"StringEquals": {"aws:SourceAccount": ACCOUNT}}, False),
        ({"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}}, True),
        ({"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}, False),
        ({"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}, True),
        ({"Null": {"aws:PrincipalOrgID": "true"}}, True),
        ({"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}, False),
        ({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/*"}}, False),
        ({"ForAllValues:StringEquals": {"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/"}}, True),
        ({"StringEquals": {"kms:ViaService": "ec2.us-west-2.amazonaws.com"}}, True),
        (
            {"StringEquals": {"kms:ViaService": "ec2.us-west-2.amazonaws.com", "kms:CallerAccount": ACCOUNT}},
            False,
        ),
        ({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, True),
        ({"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}, True),
    ],
)
def test_who_outside_the_account_can_use_the_key(condition: dict[str, Any], public: bool) -> None:
    found = labels(access.outside_use(document(anyone(Condition=condition)), KEY))
    assert found == ({"Anyone": True} if public else {})


def test_the_adversary_dodges_a_deny_whose_condition_they_control() -> None:
    tls = {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}
    policy = document(anyone(), {**tls, "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
    assert labels(access.outside_use(policy, KEY)) == {"Anyone": True}
    newer = {**tls, "Condition": {"NumericLessThan": {"kms:RecipientAttestation:ImageSha384Age": "5"}}}
    assert labels(access.outside_use(document(anyone(), newer), KEY)) == {"Anyone": True}


def test_a_deny_for_every_other_account_closes_the_key() -> None:
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "*",
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:PrincipalAccount": ACCOUNT}},
    }
    assert labels(access.outside_use(document(anyone(), deny), KEY)) == {}


def test_a_statement_for_another_key_or_action_does_not_open_this_one() -> None:
    assert labels(access.outside_use(document(anyone(Resource=KEY + "-other")), KEY)) == {}
    assert labels(access.outside_use(document(anyone(Resource=KEY)), KEY)) == {"Anyone": True}
    assert labels(access.outside_use(document(anyone(Action="s3:GetObject")), KEY)) == {}


def test_only_statements_that_open_the_key_are_named() -> None:
    named = {
        "Sid": "Named",
        "Effect": "Allow",
        "Principal": {"AWS": ROLE},
        "Action": "kms:*",
        "Resource": "*",
    }
    scoped = anyone(Sid="Scoped", Condition={"StringEquals": {"aws:PrincipalAccount": ACCOUNT}})
    found = labels(access.outside_use(document(named, scoped, anyone()), KEY))
    assert found == {"Anyone": True}


@pytest.mark.parametrize(
    "principal",
    [
        "*",
        {"AWS": "*"},
        {"AWS": [ROLE, "*"]},
        v.Unknown("x", "an intrinsic the model does not read", specific=False),
    ],
)
def test_anyone_in_any_shape(principal: Any) -> None:
    found = labels(access.outside_use(document(anyone(Principal=principal)), KEY))
    assert found and set(found.values()) <= {True, None}


def test_not_principal_with_allow_is_anyone_but_them() -> None:
    statement = {
        "Sid": "All",
        "Effect": "Allow",
        "NotPrincipal": {"AWS": ROLE},
        "Action": "kms:*",
        "Resource": "*",
    }
    assert labels(access.outside_use(document(statement), KEY)) == {"All": True}


def test_a_deploy_time_account_is_one_account_the_adversary_is_not() -> None:
    param = v.Unknown({"Ref": "Trusted"}, "parameter Trusted has no Default", v.HOLE)
    condition = {"StringEquals": {"aws:PrincipalAccount": param}}
    assert labels(access.outside_use(document(anyone(Condition=condition)), KEY)) == {}


def test_an_unreadable_statement_or_too_many_combinations_is_undecided() -> None:
    unreadable = p.policy("key policy", [v.Unknown("x", "not read", specific=False)], resource_based=True)  # type: ignore[list-item]
    assert labels(access.outside_use(unreadable, KEY)) == {"Unreadable": None}
    many = {f"aws:RequestTag/k{i}": f"v{i}" for i in range(9)}
    assert labels(access.outside_use(document(anyone(Condition={"StringEquals": many})), KEY)) == {
        "Anyone": None
    }


# --- decrypt_outside_context (KMS5, IAM1) --------------------------------------------------------------


def grant(**changes: Any) -> dict[str, Any]:
    statement = {
        "Sid": "Grant",
        "Effect": "Allow",
        "Principal": {"AWS": ROLE},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": "*",
        "Condition": {"StringLike": {IB: OWN_WORKFLOWS}},
    }
    statement.update(changes)
    return statement


def outside(statement: dict[str, Any], *, resource_based: bool = True) -> dict[str, p.Tri]:
    policy = document(statement, resource_based=resource_based)
    return labels(access.decrypt_outside_context(policy, resource=KEY, resource_based=resource_based))


@pytest.mark.parametrize(
    ("condition", "exposed"),
    [
        ({"StringLike": {IB: OWN_WORKFLOWS}}, False),
        ({"StringLike": {IB: f"arn:aws:imagebuilder:*:{ACCOUNT}:*"}}, False),
        ({"StringLike": {IB: "arn:aws:imagebuilder:*:*:workflow/*"}}, True),
        ({"StringLike": {IB: "*"}}, True),
        ({"StringLikeIfExists": {IB: OWN_WORKFLOWS}}, True),
        ({"Null": {IB: "false"}}, True),
        ({"StringLike": {"kms:ViaService": "*"}}, True),
        ({"StringEquals": {"kms:ViaService": "imagebuilder.us-west-2.amazonaws.com"}}, True),
        ({"StringEquals": {"kms:ViaService": "sns.us-west-2.amazonaws.com"}}, False),
        ({"StringLike": {"kms:ViaService": "ec2.*.amazonaws.com"}}, False),
        ({"ForAnyValue:StringEquals": {"aws:CalledVia": "imagebuilder.amazonaws.com"}}, True),
        ({"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:*:*:*"}}, False),
        ({"StringEquals": {"kms:EncryptionContextKeys": "aws:imagebuilder:arn"}}, True),
        ({"Bool": {"aws:SecureTransport": "true"}}, True),
    ],
)
def test_data_keys_outside_this_accounts_image_builder_context(
    condition: dict[str, Any], exposed: bool
) -> None:
    assert outside(grant(Condition=condition)) == ({"Grant": True} if exposed else {})


@pytest.mark.parametrize(
    ("principal", "exposed"),
    [
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, False),
        ({"AWS": ACCOUNT}, False),
        ({"AWS": [f"arn:aws:iam::{ACCOUNT}:root", ROLE]}, True),
        ({"Service": "imagebuilder.amazonaws.com"}, True),
        ("*", True),
        ({"AWS": "*"}, True),
        ({"Federated": "cognito-identity.amazonaws.com"}, False),
    ],
)
def test_every_grantee_but_the_account_root_is_asked(principal: Any, exposed: bool) -> None:
    assert outside(grant(Principal=principal, Condition=None)) == ({"Grant": True} if exposed else {})


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
        {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/*"}},
    ],
)
def test_an_organization_wide_grant_is_asked_as_a_member(condition: dict[str, Any]) -> None:
    assert outside(grant(Principal="*", Condition=condition)) == {"Grant": True}
    scoped = {**condition, "StringLike": {IB: OWN_WORKFLOWS}}
    assert outside(grant(Principal="*", Condition=scoped)) == {}


def test_a_star_principal_limited_to_a_role_asks_that_role() -> None:
    slr = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/imagebuilder.amazonaws.com/ServiceRole"
    statement = grant(Principal="*", Condition={"ArnEquals": {"aws:PrincipalArn": slr}})
    assert outside(statement) == {"Grant": True}
    scoped = {"ArnEquals": {"aws:PrincipalArn": slr}, "StringLike": {IB: OWN_WORKFLOWS}}
    assert outside(grant(Principal="*", Condition=scoped)) == {}


@pytest.mark.parametrize(
    ("actions", "exposed"),
    [
        ("kms:Encrypt", False),
        ("kms:De*", True),
        ("kms:GenerateDataKey*", True),
        ("*", True),
        ("kms:ReEncrypt*", True),
    ],
)
def test_only_data_key_actions_count(actions: str, exposed: bool) -> None:
    assert outside(grant(Action=actions, Condition=None)) == ({"Grant": True} if exposed else {})


def test_not_action_and_not_resource_are_read_as_iam_reads_them() -> None:
    statement = {k: val for k, val in grant(Condition=None).items() if k != "Action"}
    assert outside({**statement, "NotAction": "kms:Encrypt"}) == {"Grant": True}
    assert outside({**statement, "NotAction": "kms:*"}) == {}
    identity = {"Sid": "Grant", "Effect": "Allow", "Action": "kms:Decrypt"}
    assert outside({**identity, "NotResource": "arn:aws:s3:::*"}, resource_based=False) == {"Grant": True}
    assert outside({**identity, "NotResource": KEY}, resource_based=False) == {}


def test_a_deny_of_the_same_policy_keeps_the_grant_in_context() -> None:
    unscoped = grant(Condition=None)
    deny = {
        "Sid": "OnlyOurs",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "kms:*",
        "Resource": "*",
        "Condition": {"StringNotLike": {IB: OWN_WORKFLOWS}},
    }
    found = labels(
        access.decrypt_outside_context(document(unscoped, deny), resource=KEY, resource_based=True)
    )
    assert found == {}


def test_an_identity_grant_is_asked_for_its_holder() -> None:
    statement = {
        "Sid": "Grant",
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": KEY,
        "Condition": {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::999999999999:role/nobody"}},
    }
    assert outside(statement, resource_based=False) == {}
    exposed = access.decrypt_outside_context(
        document({**statement, "Condition": {"ArnEquals": {"aws:PrincipalArn": ROLE}}}, resource_based=False),
        resource=KEY,
        resource_based=False,
        holder=ROLE,
    )
    assert labels(exposed) == {"Grant": True}


# --- confused_deputy (IAM3, RA3) -----------------------------------------------------------------------

ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/r"


def trust(service: str, condition: dict[str, Any] | None = None) -> p.Policy:
    statement: dict[str, Any] = {"Sid": "Trust", "Effect": "Allow", "Principal": {"Service": service}}
    statement["Action"] = "sts:AssumeRole"
    if condition:
        statement["Condition"] = condition
    return document(statement)


@pytest.mark.parametrize(
    ("condition", "exposed"),
    [
        (None, True),
        ({"StringEquals": {"aws:SourceAccount": ACCOUNT}}, False),
        ({"StringLike": {"aws:SourceAccount": "*"}}, True),
        ({"StringNotEquals": {"aws:SourceAccount": "444455556666"}}, True),
        ({"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}}, True),
        ({"ArnLike": {"aws:SourceArn": f"arn:aws:imagebuilder:*:{ACCOUNT}:*"}}, False),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:imagebuilder:*:*:*"}}, True),
    ],
)
def test_image_builder_acting_for_another_account(condition: dict[str, Any] | None, exposed: bool) -> None:
    found = labels(
        access.confused_deputy(
            trust("imagebuilder.amazonaws.com", condition), ROLE_ARN, "imagebuilder.amazonaws.com"
        )
    )
    assert found == ({"Trust": True} if exposed else {})


def test_a_trust_for_another_service_is_not_this_question() -> None:
    assert access.confused_deputy(trust("ec2.amazonaws.com"), ROLE_ARN, "imagebuilder.amazonaws.com") == []


ANCHOR = f"arn:aws:rolesanywhere:us-west-2:{ACCOUNT}:trust-anchor/a1"


@pytest.mark.parametrize(
    ("condition", "named", "exposed"),
    [
        ({"ArnEquals": {"aws:SourceArn": ANCHOR}}, [], False),
        ({"ArnLike": {"aws:SourceArn": f"arn:aws:rolesanywhere:*:{ACCOUNT}:trust-anchor/*"}}, [], True),
        ({"StringEquals": {"aws:SourceAccount": ACCOUNT}}, [], True),
        ({"ArnEquals": {"aws:SourceArn": ANCHOR}}, [ANCHOR], False),
    ],
)
def test_roles_anywhere_for_an_anchor_the_policy_does_not_name(
    condition: dict[str, Any], named: list[str], exposed: bool
) -> None:
    policy = trust("rolesanywhere.amazonaws.com", condition)
    found = access.confused_deputy(
        policy, ROLE_ARN, "rolesanywhere.amazonaws.com", named=named, own_account=True
    )
    assert labels(found) == ({"Trust": True} if exposed else {})


# --- principals_named ----------------------------------------------------------------------------------


def test_the_principals_a_policy_lets_in_are_asked_too() -> None:
    statements = [
        {"Effect": "Allow", "Principal": {"AWS": [ROLE, f"arn:aws:iam::{ACCOUNT}:root", "*"]}, "Action": "*"},
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "*",
            "Condition": {"StringNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ci-*"}},
        },
        {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "*"},
    ]
    found = access.principals_named([p.policy("bucket", statements, resource_based=True)])
    assert found == sorted(
        {access.INSIDER, ROLE, "arn:aws:iam::witness:role/ci-witness", "sns.amazonaws.com"}
    )
