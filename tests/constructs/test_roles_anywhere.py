"""RolesAnywhereAccess: template intent, every validation branch, and no private key anywhere (R19).

Certificates, CRLs and keys are generated at test time into ``tmp_path`` with ``cryptography``
(EC P-256: fast); nothing with a private key is committed. Template tests share one app synthesized once.
"""

from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
import pytest
import yaml
from aws_cdk import aws_acmpca as acmpca
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Match, Template
from aws_cdk.cx_api import SynthesisMessageLevel
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from conftest import REPO, make_app, make_stack
from pki import DAY, NOW, Issued
from pki import crl as _crl
from pki import issue as _issue
from pki import name as _name
from secure_imagebuilder.rolesanywhere import certificates
from secure_imagebuilder.rolesanywhere.access import RolesAnywhereAccess

PCA_ARN = "arn:aws:acm-pca:us-west-2:111122223333:certificate-authority/11111111-2222-3333-4444-555555555555"
IMPORTED_ROLE_ARN = "arn:aws:iam::111122223333:role/existing-build-host-role"
TRUST_ANCHOR = "Resource"


def _key_pem(
    key: ec.EllipticCurvePrivateKey, fmt: serialization.PrivateFormat, password: bytes | None
) -> bytes:
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, fmt, encryption)


def _armour(label: str, body: str) -> bytes:
    """A PEM block built at run time, so this file never holds a literal private-key header."""
    dashes = "-" * 5
    return f"{dashes}BEGIN {label}{dashes}\n{body}\n{dashes}END {label}{dashes}\n".encode()


@dataclass(frozen=True)
class Pki:
    root: Issued
    intermediate: Issued
    leaf: Issued
    expired: Issued
    other_ca: Issued
    dir: pathlib.Path

    def write(self, name: str, data: bytes) -> pathlib.Path:
        path = self.dir / name
        path.write_bytes(data)
        return path


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    root = _issue("Test Root CA")
    return Pki(
        root=root,
        intermediate=_issue("Test Issuing CA", issuer=root),
        leaf=_issue("build-host-1", issuer=root, ca=False),
        expired=_issue("Expired CA", not_before=NOW - 400 * DAY, not_after=NOW - DAY),
        other_ca=_issue("Other CA"),
        dir=tmp_path_factory.mktemp("pki"),
    )


# --- template intent: one app, one synth -----------------------------------------------------------


@dataclass(frozen=True)
class Synth:
    templates: dict[str, Template]
    raw: dict[str, dict[str, Any]]
    warnings: dict[str, list[str]]


@pytest.fixture(scope="module")
def synth(pki: Pki) -> Synth:
    app = make_app()
    stacks: dict[str, cdk.Stack] = {}

    def new(name: str) -> cdk.Stack:
        stacks[name] = make_stack(app, name=name)
        return stacks[name]

    RolesAnywhereAccess(
        new("Defaults"),
        "OnPrem",
        certificate_bundle=pki.write("bundle.pem", pki.root.pem + pki.intermediate.pem),
    )

    custom = new("Custom")
    RolesAnywhereAccess(
        custom,
        "OnPrem",
        certificate_bundle=pki.root.pem.decode(),
        crl=pki.write("root.crl.pem", _crl(pki.root)),
        allowed_subjects={"CN": ["build-host-1", "build-host-2"], "OU": ["builds"]},
        allowed_issuers={"CN": ["Test Root CA"]},
        session_duration=cdk.Duration.hours(12),
        require_instance_properties=True,
        accept_role_session_name=True,
        session_policy=iam.PolicyDocument(
            statements=[iam.PolicyStatement(actions=["imagebuilder:GetImage"], resources=["*"])]
        ),
        expiry_notification_threshold=cdk.Duration.days(30),
    )

    pca = new("Pca")
    own_role = iam.Role(pca, "OwnRole", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    RolesAnywhereAccess(
        pca,
        "OnPrem",
        acm_pca=acmpca.CertificateAuthority.from_certificate_authority_arn(pca, "Ca", PCA_ARN),
        role=own_role,
    )

    imported = new("Imported")
    RolesAnywhereAccess(
        imported,
        "OnPrem",
        certificate_bundle=pki.root.pem.decode(),
        crl=pki.write("stale.crl.pem", _crl(pki.root, next_update=NOW - DAY)),
        role=iam.Role.from_role_arn(imported, "Existing", IMPORTED_ROLE_ARN),
    )

    assembly = app.synth()
    raw = {name: assembly.get_stack_by_name(stack.stack_name).template for name, stack in stacks.items()}
    warnings = {
        name: [
            str(message.entry.data)
            for message in assembly.get_stack_artifact(stack.artifact_id).messages
            if message.level == SynthesisMessageLevel.WARNING
        ]
        for name, stack in stacks.items()
    }
    return Synth({name: Template.from_json(t) for name, t in raw.items()}, raw, warnings)


def _logical_id(template: dict[str, Any], resource_type: str) -> str:
    (logical_id,) = [str(k) for k, v in template["Resources"].items() if v["Type"] == resource_type]
    return logical_id


def _trust_statements(template: dict[str, Any], logical_id: str) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = template["Resources"][logical_id]["Properties"][
        "AssumeRolePolicyDocument"
    ]["Statement"]
    return statements


def test_defaults_create_trust_anchor_profile_and_role(synth: Synth, pki: Pki) -> None:
    template, raw = synth.templates["Defaults"], synth.raw["Defaults"]
    anchor = _logical_id(raw, "AWS::RolesAnywhere::TrustAnchor")
    role = _logical_id(raw, "AWS::IAM::Role")
    template.resource_count_is("AWS::RolesAnywhere::TrustAnchor", 1)
    template.resource_count_is("AWS::RolesAnywhere::Profile", 1)
    template.resource_count_is("AWS::RolesAnywhere::CRL", 0)
    template.resource_count_is("AWS::IAM::Role", 1)
    template.resource_count_is("AWS::IAM::Policy", 0)
    template.has_resource_properties(
        "AWS::RolesAnywhere::TrustAnchor",
        {
            "Enabled": True,
            "Source": {
                "SourceType": "CERTIFICATE_BUNDLE",
                "SourceData": {"X509CertificateData": (pki.root.pem + pki.intermediate.pem).decode()},
            },
            "NotificationSettings": [
                {"Event": "CA_CERTIFICATE_EXPIRY", "Enabled": True, "Threshold": 45, "Channel": "ALL"},
                {
                    "Event": "END_ENTITY_CERTIFICATE_EXPIRY",
                    "Enabled": True,
                    "Threshold": 45,
                    "Channel": "ALL",
                },
            ],
        },
    )
    template.has_resource_properties(
        "AWS::RolesAnywhere::Profile",
        {
            "Enabled": True,
            "DurationSeconds": 3600,
            "RequireInstanceProperties": False,
            "AcceptRoleSessionName": False,
            "RoleArns": [{"Fn::GetAtt": [role, "Arn"]}],
            "SessionPolicy": Match.absent(),
            "ManagedPolicyArns": Match.absent(),
        },
    )
    assert _trust_statements(raw, role) == [
        {
            "Action": ["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"],
            "Condition": {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [anchor, "TrustAnchorArn"]}}},
            "Effect": "Allow",
            "Principal": {"Service": "rolesanywhere.amazonaws.com"},
        }
    ]
    role_props = raw["Resources"][role]["Properties"]
    assert "MaxSessionDuration" not in role_props
    assert "Policies" not in role_props and "ManagedPolicyArns" not in role_props
    assert synth.warnings["Defaults"] == []


def test_resource_names_fit_the_service_pattern(synth: Synth) -> None:
    for raw in synth.raw.values():
        for resource in raw["Resources"].values():
            if resource["Type"].startswith("AWS::RolesAnywhere::"):
                name = resource["Properties"]["Name"]
                assert 1 <= len(name) <= 255
                assert all(c.isalnum() or c in " -_" for c in name), name


def test_custom_props_reach_the_template(synth: Synth) -> None:
    template, raw = synth.templates["Custom"], synth.raw["Custom"]
    anchor = _logical_id(raw, "AWS::RolesAnywhere::TrustAnchor")
    role = _logical_id(raw, "AWS::IAM::Role")
    template.has_resource_properties(
        "AWS::RolesAnywhere::Profile",
        {
            "DurationSeconds": 43200,
            "RequireInstanceProperties": True,
            "AcceptRoleSessionName": True,
        },
    )
    template.has_resource_properties(
        "AWS::RolesAnywhere::TrustAnchor",
        {
            "NotificationSettings": Match.array_with(
                [Match.object_like({"Event": "CA_CERTIFICATE_EXPIRY", "Threshold": 30})]
            )
        },
    )
    template.has_resource_properties("AWS::IAM::Role", {"MaxSessionDuration": 43200})
    (statement,) = _trust_statements(raw, role)
    assert statement["Condition"] == {
        "ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [anchor, "TrustAnchorArn"]}},
        "StringEquals": {
            "aws:PrincipalTag/x509Subject/CN": ["build-host-1", "build-host-2"],
            "aws:PrincipalTag/x509Subject/OU": "builds",
            "aws:PrincipalTag/x509Issuer/CN": "Test Root CA",
        },
    }
    profile = raw["Resources"][_logical_id(raw, "AWS::RolesAnywhere::Profile")]["Properties"]
    assert json.loads(profile["SessionPolicy"]) == {
        "Version": "2012-10-17",
        "Statement": [{"Action": "imagebuilder:GetImage", "Effect": "Allow", "Resource": "*"}],
    }


def test_crl_is_imported_as_pem_for_the_trust_anchor(synth: Synth, pki: Pki) -> None:
    raw = synth.raw["Custom"]
    anchor = _logical_id(raw, "AWS::RolesAnywhere::TrustAnchor")
    synth.templates["Custom"].has_resource_properties(
        "AWS::RolesAnywhere::CRL",
        {
            "CrlData": Match.string_like_regexp(r"^-----BEGIN X509 CRL-----\n"),
            "TrustAnchorArn": {"Fn::GetAtt": [anchor, "TrustAnchorArn"]},
            "Enabled": True,
        },
    )
    crl = raw["Resources"][_logical_id(raw, "AWS::RolesAnywhere::CRL")]["Properties"]["CrlData"]
    assert x509.load_pem_x509_crl(crl.encode()).is_signature_valid(pki.root.key.public_key())


def test_acm_pca_source_and_own_role_gets_the_trust_statement(synth: Synth) -> None:
    template, raw = synth.templates["Pca"], synth.raw["Pca"]
    template.has_resource_properties(
        "AWS::RolesAnywhere::TrustAnchor",
        {"Source": {"SourceType": "AWS_ACM_PCA", "SourceData": {"AcmPcaArn": PCA_ARN}}},
    )
    template.resource_count_is("AWS::IAM::Role", 1)  # the caller's, no new one
    role = _logical_id(raw, "AWS::IAM::Role")
    assert role.startswith("OwnRole")
    statements = _trust_statements(raw, role)
    assert statements[0]["Principal"] == {"Service": "ec2.amazonaws.com"}  # the caller's stays
    assert statements[1]["Principal"] == {"Service": "rolesanywhere.amazonaws.com"}
    assert statements[1]["Action"] == ["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"]
    assert list(statements[1]["Condition"]) == ["ArnEquals"]
    template.has_resource_properties(
        "AWS::RolesAnywhere::Profile", {"RoleArns": [{"Fn::GetAtt": [role, "Arn"]}]}
    )


def test_imported_role_is_used_and_its_trust_policy_is_left_to_the_user(synth: Synth) -> None:
    template = synth.templates["Imported"]
    template.resource_count_is("AWS::IAM::Role", 0)
    template.has_resource_properties(
        "AWS::RolesAnywhere::Profile",
        {"RoleArns": [Match.any_value()]},
    )
    profile = synth.raw["Imported"]["Resources"][
        _logical_id(synth.raw["Imported"], "AWS::RolesAnywhere::Profile")
    ]["Properties"]
    assert IMPORTED_ROLE_ARN.split(":role/")[1] in json.dumps(profile["RoleArns"])
    warnings = synth.warnings["Imported"]
    assert any("trust policy of imported role" in w and "sts:SetSourceIdentity" in w for w in warnings)


def test_stale_crl_is_a_warning(synth: Synth) -> None:
    assert any("was due for an update" in w for w in synth.warnings["Imported"])


def test_no_private_key_material_in_any_template(synth: Synth) -> None:
    for raw in synth.raw.values():
        assert "PRIVATE KEY" not in json.dumps(raw)


# --- validation: every branch raises once, lowercase, naming the construct path -------------------


def _raises(match: str, **props: Any) -> str:
    with pytest.raises(ValueError, match=match) as error:
        RolesAnywhereAccess(make_stack(), "OnPrem", **props)
    message = str(error.value)
    assert message.startswith("TestStack/OnPrem: ")
    return message


def test_expired_ca_is_refused(pki: Pki) -> None:
    message = _raises(
        r"expired on \d{4}-\d\d-\d\d", certificate_bundle=pki.write("expired.pem", pki.expired.pem)
    )
    assert "CN=Expired CA" in message and "renew the ca certificate" in message


def test_not_yet_valid_ca_is_refused(pki: Pki) -> None:
    future = _issue("Future CA", not_before=NOW + 10 * DAY)
    _raises("is not valid before", certificate_bundle=future.pem.decode())


def test_leaf_certificate_without_ca_flag_is_refused(pki: Pki) -> None:
    message = _raises(
        r"is not a ca certificate \(basic constraints ca=true is not set\)",
        certificate_bundle=pki.write("leaf.pem", pki.leaf.pem),
    )
    assert "CN=build-host-1" in message and "not an end-entity certificate" in message


def test_certificate_without_basic_constraints_is_refused() -> None:
    _raises("is not a ca certificate", certificate_bundle=_issue("No Constraints", ca=None).pem.decode())


def test_ca_without_key_cert_sign_usage_is_refused() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("Odd CA"))
        .issuer_name(_name("Odd CA"))
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(NOW - DAY)
        .not_valid_after(NOW + DAY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(key, hashes.SHA256())
    )
    _raises("without keyCertSign", certificate_bundle=cert.public_bytes(serialization.Encoding.PEM).decode())


KEY_FORMATS = {
    "pkcs8": (serialization.PrivateFormat.PKCS8, None, "an unencrypted ec private key"),
    "traditional": (serialization.PrivateFormat.TraditionalOpenSSL, None, "an unencrypted ec private key"),
    "encrypted-pkcs8": (serialization.PrivateFormat.PKCS8, b"secret", "an encrypted private key"),
    "openssh": (serialization.PrivateFormat.OpenSSH, None, "an unencrypted ec private key"),
}


@pytest.mark.parametrize("fmt", sorted(KEY_FORMATS))
def test_file_with_a_private_key_is_refused_without_echoing_it(pki: Pki, fmt: str) -> None:
    private_format, password, kind = KEY_FORMATS[fmt]
    key_pem = _key_pem(pki.root.key, private_format, password)
    path = pki.write(f"with-key-{fmt}.pem", pki.root.pem + key_pem)
    message = _raises("keep private keys out of the app and out of source control", certificate_bundle=path)
    assert kind in message and str(path) in message and "R19" in message
    for line in key_pem.decode().splitlines()[1:-1]:
        assert line not in message


def test_pem_text_with_a_private_key_is_refused_without_echoing_it(pki: Pki) -> None:
    key_pem = _key_pem(pki.root.key, serialization.PrivateFormat.PKCS8, None)
    message = _raises(
        "contains an unencrypted ec private key", certificate_bundle=(pki.root.pem + key_pem).decode()
    )
    assert "<pem text with 2 block(s): CERTIFICATE, PRIVATE KEY>" in message
    assert key_pem.decode().splitlines()[1] not in message


@pytest.mark.parametrize("prefix", ["\ufeff", "\u200b", "  \ufeff"])
def test_a_private_key_behind_a_byte_order_mark_is_refused(pki: Pki, prefix: str) -> None:
    key_pem = _key_pem(pki.root.key, serialization.PrivateFormat.PKCS8, None)
    _raises("contains an unencrypted ec private key", certificate_bundle=prefix + key_pem.decode())


@pytest.mark.parametrize("label", ["RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "PGP PRIVATE KEY BLOCK"])
def test_unparseable_private_key_block_is_refused(pki: Pki, label: str) -> None:
    junk = _armour(label, "bm90IGEga2V5IGJ1dCBzdGlsbCByZWZ1c2Vk")
    message = _raises("keep private keys out", certificate_bundle=(pki.root.pem + junk).decode())
    assert f"a private key block ('{label}')" in message or "encrypted private key" in message
    assert "bm90IGEga2V5" not in message


def test_der_private_key_file_is_refused(pki: Pki) -> None:
    der = pki.root.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _raises("contains a der-encoded private key", certificate_bundle=pki.write("key.der", der))


def test_putty_key_marker_is_refused(pki: Pki) -> None:
    text = pki.root.pem.decode() + "PuTTY-User-Key-File-" + "3: ecdsa-sha2-nistp256\n"
    _raises("contains a PuTTY private key", certificate_bundle=text)


def test_empty_file_is_refused(pki: Pki) -> None:
    message = _raises("certificate_bundle is empty", certificate_bundle=pki.write("empty.pem", b""))
    assert "'CERTIFICATE' pem blocks" in message


def test_missing_file_is_refused(pki: Pki) -> None:
    _raises("certificate_bundle file cannot be read", certificate_bundle=pki.dir / "missing.pem")


def test_text_without_pem_blocks_is_refused() -> None:
    message = _raises("contains no 'CERTIFICATE' pem block", certificate_bundle="ca.pem")
    assert "pathlib.Path" in message


def test_bytes_are_refused_with_a_hint(pki: Pki) -> None:
    _raises("certificate_bundle must be a pathlib.Path or pem text: got 'bytes'", certificate_bundle=b"x")


def test_der_certificate_is_refused_with_conversion_hint(pki: Pki) -> None:
    der = pki.root.cert.public_bytes(serialization.Encoding.DER)
    _raises("is der-encoded, not pem.*openssl x509 -inform der", certificate_bundle=pki.write("ca.der", der))


def test_corrupt_certificate_and_foreign_block_are_refused(pki: Pki) -> None:
    text = _armour("CERTIFICATE", "AAAA").decode() + _armour("PUBLIC KEY", "AAAA").decode()
    message = _raises("2 problems", certificate_bundle=text)
    assert "block 1 does not parse as an x.509 certificate" in message
    assert "block 2 is a 'PUBLIC KEY' block" in message


def test_bundle_over_the_service_limit_is_refused(pki: Pki) -> None:
    cas = b"".join(_issue(f"CA {i}").pem for i in range(20))
    _raises("over the service limit of 8000", certificate_bundle=cas.decode())


def test_neither_or_both_sources_are_refused(pki: Pki) -> None:
    _raises("exactly one of certificate_bundle and acm_pca is required: got 'neither'")
    stack = make_stack()
    pca = acmpca.CertificateAuthority.from_certificate_authority_arn(stack, "Ca", PCA_ARN)
    with pytest.raises(ValueError, match="got 'both'"):
        RolesAnywhereAccess(stack, "OnPrem", certificate_bundle=pki.root.pem.decode(), acm_pca=pca)


def test_crl_problems_are_refused(pki: Pki) -> None:
    bundle = pki.root.pem.decode()
    _raises(
        "crl does not parse as an x.509 crl",
        certificate_bundle=bundle,
        crl=_armour("X509 CRL", "AAAA").decode(),
    )
    _raises("crl is empty", certificate_bundle=bundle, crl=pki.write("empty.crl", b""))
    _raises(
        "crl is issued by CN=Other CA, not by a ca of the certificate bundle",
        certificate_bundle=bundle,
        crl=_crl(pki.other_ca).decode(),
    )
    key_pem = _key_pem(pki.root.key, serialization.PrivateFormat.PKCS8, None)
    _raises(
        "crl contains an unencrypted ec private key",
        certificate_bundle=bundle,
        crl=(_crl(pki.root) + key_pem).decode(),
    )


def test_crl_with_a_forged_signature_is_refused(pki: Pki) -> None:
    impostor = Issued(pki.root.cert, pki.other_ca.key)  # same issuer name, wrong key
    _raises(
        "crl signature does not verify", certificate_bundle=pki.root.pem.decode(), crl=_crl(impostor).decode()
    )


def test_der_crl_is_accepted_and_imported_as_pem(pki: Pki) -> None:
    der = x509.load_pem_x509_crl(_crl(pki.root)).public_bytes(serialization.Encoding.DER)
    loaded, findings = certificates.load_crl(der, issuers=[pki.root.cert])
    assert findings == [] and loaded is not None
    assert loaded.pem.startswith("-----BEGIN X509 CRL-----\n")


@pytest.mark.parametrize(
    ("duration", "shown"),
    [(cdk.Duration.minutes(14), "14 minutes"), (cdk.Duration.hours(13), "13 hours")],
)
def test_session_duration_out_of_range_is_refused(pki: Pki, duration: cdk.Duration, shown: str) -> None:
    _raises(
        f"session_duration is out of range: got '{shown}'; pass whole seconds from 15 minutes to 12 hours",
        certificate_bundle=pki.root.pem.decode(),
        session_duration=duration,
    )


def test_session_duration_limits_are_accepted(pki: Pki) -> None:
    for duration in (cdk.Duration.minutes(15), cdk.Duration.hours(12)):
        RolesAnywhereAccess(
            make_stack(), "OnPrem", certificate_bundle=pki.root.pem.decode(), session_duration=duration
        )


@pytest.mark.parametrize("threshold", [cdk.Duration.days(0), cdk.Duration.days(361), cdk.Duration.hours(36)])
def test_expiry_notification_threshold_is_whole_days_1_to_360(pki: Pki, threshold: cdk.Duration) -> None:
    _raises(
        "expiry_notification_threshold must be whole days from 1 to 360",
        certificate_bundle=pki.root.pem.decode(),
        expiry_notification_threshold=threshold,
    )


def test_bad_certificate_name_narrowing_is_refused(pki: Pki) -> None:
    message = _raises(
        "3 problems",
        certificate_bundle=pki.root.pem.decode(),
        allowed_subjects={"cn": ["build-host-1"], "CN": "build-host-1"},
        allowed_issuers={"O": []},
    )
    assert "allowed_subjects has an unknown relative distinguished name: got 'cn'" in message
    assert "allowed_subjects['CN'] must be a non-empty list of non-empty strings" in message
    assert "allowed_issuers['O'] must be a non-empty list" in message


def test_invalid_session_policy_is_refused(pki: Pki) -> None:
    _raises(
        "session_policy has no statements",
        certificate_bundle=pki.root.pem.decode(),
        session_policy=iam.PolicyDocument(),
    )
    with_principal = iam.PolicyDocument(
        statements=[
            iam.PolicyStatement(actions=["s3:GetObject"], resources=["*"], principals=[iam.AnyPrincipal()])
        ]
    )
    _raises(
        "session_policy is not a valid identity policy",
        certificate_bundle=pki.root.pem.decode(),
        session_policy=with_principal,
    )


def test_role_from_another_stack_is_refused(pki: Pki) -> None:
    app = make_app()
    role = iam.Role(make_stack(app, name="Roles"), "Role", assumed_by=iam.AccountRootPrincipal())
    with pytest.raises(ValueError, match=r"role is defined in another stack.*got 'Roles/Role'"):
        RolesAnywhereAccess(make_stack(app), "OnPrem", certificate_bundle=pki.root.pem.decode(), role=role)


def test_all_problems_are_reported_at_once(pki: Pki) -> None:
    message = _raises(
        "4 problems",
        certificate_bundle=pki.write("leaf-again.pem", pki.leaf.pem),
        session_duration=cdk.Duration.hours(24),
        allowed_subjects={"XX": ["a"]},
        expiry_notification_threshold=cdk.Duration.days(400),
    )
    assert message.count("\n  - ") == 4


def test_unresolved_bundle_is_passed_through(pki: Pki) -> None:
    stack = make_stack()
    token = cdk.Fn.import_value("CaBundle")
    RolesAnywhereAccess(stack, "OnPrem", certificate_bundle=token)
    Template.from_stack(stack).has_resource_properties(
        "AWS::RolesAnywhere::TrustAnchor",
        {
            "Source": {
                "SourceType": "CERTIFICATE_BUNDLE",
                "SourceData": {"X509CertificateData": {"Fn::ImportValue": "CaBundle"}},
            }
        },
    )


# --- what is committed: public certificates only, and the hook that keeps it so --------------------


def test_example_certificates_are_public_and_long_lived() -> None:
    certs = REPO / "examples" / "certs"
    files = sorted(p for p in certs.iterdir() if p.suffix == ".pem")
    assert files, "examples/certs has no pem files"
    for path in files:
        assert certificates.private_key_findings(path.read_bytes()) == [], path
    bundle, findings = certificates.load_ca_bundle((certs / "build-hosts-ca.pem").read_bytes())
    assert findings == [] and bundle is not None
    (ca,) = bundle.certificates
    # the example's snapshot depends on this certificate: renew it well before it expires
    assert ca.not_valid_after_utc - NOW > 2 * 365 * DAY
    loaded, findings = certificates.load_crl((certs / "build-hosts-ca.crl.pem").read_bytes(), issuers=[ca])
    assert findings == [] and loaded is not None


def test_pre_commit_config_detects_private_keys() -> None:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"]: repo for repo in config["repos"] for hook in repo["hooks"]}
    assert hooks["detect-private-key"]["repo"] == "https://github.com/pre-commit/pre-commit-hooks"
    assert hooks["detect-private-key"]["rev"].startswith("v")


def test_a_session_the_pack_rejects_is_a_warning_naming_ra1() -> None:
    from aws_cdk.assertions import Annotations, Match

    stack = make_stack()
    pca = acmpca.CertificateAuthority.from_certificate_authority_arn(stack, "Pca", PCA_ARN)
    RolesAnywhereAccess(stack, "Long", acm_pca=pca, session_duration=cdk.Duration.hours(12))
    RolesAnywhereAccess(stack, "Short", acm_pca=pca)
    warnings = Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp("DataProtection-RA1"))
    assert [w.id for w in warnings] == ["/TestStack/Long"]
