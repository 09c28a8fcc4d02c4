"""IAM Roles Anywhere for workloads outside AWS, such as on-premises build hosts that push to Image Builder.

aws-cdk has no L2 for Roles Anywhere; this module wraps the L1 resources with the defaults of
``rolesanywhere-security.txt`` (R19) and checks the certificate inputs at synth time.
"""

from __future__ import annotations

import datetime
import pathlib
from collections.abc import Mapping, Sequence

import aws_cdk as cdk
from aws_cdk import aws_acmpca as acmpca
from aws_cdk import aws_iam as iam
from aws_cdk import aws_rolesanywhere as rolesanywhere
from constructs import Construct

from secure_imagebuilder.core import thresholds, tokens
from secure_imagebuilder.core.thresholds import MAX_ROLES_ANYWHERE_SESSION_SECONDS as MAX_SESSION_SECONDS
from secure_imagebuilder.core.validation import ValidationProblems
from secure_imagebuilder.rolesanywhere import certificates, sessions

# Secure defaults (R1, R19), in one place so code, tests and docs read the same numbers.
DEFAULT_SESSION_DURATION = cdk.Duration.seconds(MAX_SESSION_SECONDS)
MIN_SESSION_DURATION = cdk.Duration.seconds(thresholds.ROLES_ANYWHERE_SESSION_SECONDS[0])
MAX_SESSION_DURATION = cdk.Duration.seconds(thresholds.ROLES_ANYWHERE_SESSION_SECONDS[1])
DEFAULT_EXPIRY_NOTIFICATION_THRESHOLD = cdk.Duration.days(
    thresholds.ROLES_ANYWHERE_EXPIRY_NOTIFICATION_DEFAULT_DAYS
)
SERVICE_PRINCIPAL = "rolesanywhere.amazonaws.com"
TRUST_ACTIONS = ("sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity")
EXPIRY_EVENTS = ("CA_CERTIFICATE_EXPIRY", "END_ENTITY_CERTIFICATE_EXPIRY")
# Relative distinguished names the default attribute mapping puts into aws:PrincipalTag/x509Subject/<RDN>
# and aws:PrincipalTag/x509Issuer/<RDN> (IAM Roles Anywhere user guide, "Mapping identities").
CERTIFICATE_NAME_FIELDS = ("C", "CN", "L", "O", "OU", "ST")

CertificateSource = pathlib.Path | str


def _trust_statement(
    trust_anchor_arn: str,
    allowed_subjects: Mapping[str, Sequence[str]] | None,
    allowed_issuers: Mapping[str, Sequence[str]] | None,
) -> iam.PolicyStatement:
    """Build the one trust statement a role needs: the service, for this trust anchor and certificates."""
    string_equals: dict[str, str | list[str]] = {}
    for field, names in (("x509Subject", allowed_subjects), ("x509Issuer", allowed_issuers)):
        for rdn, values in (names or {}).items():
            string_equals[f"aws:PrincipalTag/{field}/{rdn}"] = values[0] if len(values) == 1 else list(values)
    conditions: dict[str, object] = {"ArnEquals": {"aws:SourceArn": trust_anchor_arn}}
    if string_equals:
        conditions["StringEquals"] = string_equals
    return iam.PolicyStatement(
        actions=list(TRUST_ACTIONS),
        principals=[iam.ServicePrincipal(SERVICE_PRINCIPAL)],
        conditions=conditions,
    )


class _RolesAnywherePrincipal(iam.ServicePrincipal):
    """``rolesanywhere.amazonaws.com`` that writes exactly one trust statement into a new role.

    ``iam.Role(assumed_by=...)`` would otherwise add a bare ``sts:AssumeRole`` statement without
    conditions; this principal contributes the full, conditioned statement instead.
    """

    def __init__(self, statement: iam.PolicyStatement) -> None:
        super().__init__(SERVICE_PRINCIPAL)
        self._statement = statement

    def add_to_assume_role_policy(self, document: iam.PolicyDocument) -> None:
        """Add the conditioned trust statement (called by ``iam.Role`` when it builds its trust policy)."""
        document.add_statements(self._statement)


def _read_source(
    value: CertificateSource, prop: str, problems: ValidationProblems
) -> tuple[bytes, str] | None:
    """Bytes of a ``Path`` (file) or ``str`` (PEM text), and a description safe to show in errors."""
    if isinstance(value, pathlib.Path):
        try:
            return value.read_bytes(), str(value)
        except OSError as error:
            problems.add(
                f"{prop} file cannot be read ({error.strerror or error})",
                str(value),
                "pass the path of an existing pem file",
            )
            return None
    if not isinstance(value, str):
        problems.add(
            f"{prop} must be a pathlib.Path or pem text",
            type(value).__name__,
            "pass pathlib.Path('ca.pem') or the pem text as a str",
        )
        return None
    data = value.encode()
    return data, certificates.summarize(data)


class RolesAnywhereAccess(Construct):
    """Temporary AWS credentials for hosts outside AWS that hold an X.509 certificate (R19, R1).

    Creates:

    - ``AWS::RolesAnywhere::TrustAnchor`` (id ``Resource``): your CA certificate bundle or an AWS Private
      CA, enabled, with expiry notifications on for the CA and for end-entity certificates.
    - ``AWS::RolesAnywhere::CRL`` (id ``Crl``), only when ``crl`` is given, bound to the trust anchor.
    - ``AWS::IAM::Role`` (id ``Role``), unless ``role`` is given: trusted only by
      ``rolesanywhere.amazonaws.com`` (``sts:AssumeRole``, ``sts:TagSession``, ``sts:SetSourceIdentity``)
      on condition ``ArnEquals aws:SourceArn`` = this trust anchor, optionally narrowed to certificate
      subjects and issuers. It has no permissions: grant them with the usual ``grant_*`` methods.
    - ``AWS::RolesAnywhere::Profile`` (id ``Profile``): enabled, sessions of 1 hour by default, for the role.

    Implements R19 (asymmetric keys that stay with the customer: certificate inputs are validated with
    ``cryptography`` and anything containing private key material is refused, so a private key never
    enters the app or the template; requests are SigV4-signed by the AWS signing helper) and R1 (least
    privilege: one role, one trust anchor, short sessions, optional session policies and subject
    narrowing).

    Sessions are scoped by default (R1, rule RA4): the new role holds nothing until you grant to it, and
    a role (new or given, attached now or later in the app) that holds a broad AWS managed policy
    (``AdministratorAccess``, ``PowerUserAccess``, ``ReadOnlyAccess``, ``AmazonS3FullAccess``, ...:
    ``core.thresholds.BROAD_MANAGED_POLICIES``) fails the synth with our error unless ``session_policy``
    or ``session_managed_policies`` scopes the sessions. An imported role's policies cannot be read here:
    scope its sessions yourself (the pack reports it as undecided).

    A ``role`` passed in: if it is an ``iam.Role`` defined in the same stack, the trust statement above
    is added to its trust policy (its other statements stay). An imported role's trust policy cannot be
    changed by CloudFormation: add the statement yourself (a synth warning says so). Its maximum session
    duration must be at least ``session_duration``.

    :param scope: the parent construct.
    :param id: the construct id.
    :param certificate_bundle: the public CA certificate(s) your hosts' certificates chain to, as a
        ``pathlib.Path`` to a PEM file or as PEM text. Several certificates (root and intermediates) are
        allowed. Each must parse as X.509, be valid now and have the CA basic constraint; the whole must
        stay within 8000 characters. Give exactly one of ``certificate_bundle`` and ``acm_pca``.
        Default: - none; then ``acm_pca`` is required.
    :param acm_pca: an AWS Private CA whose root certificate is the trust anchor.
        Default: - none; then ``certificate_bundle`` is required.
    :param crl: a certificate revocation list published by a CA of the bundle, as a ``pathlib.Path`` to a
        PEM or DER file or as PEM text; imported as PEM. With ``certificate_bundle`` its signature is checked
        against the bundle. Default: - no CRL; revoked certificates keep working until they expire.
    :param role: the role the hosts get. Default: - a new role with the trust statement and no permissions.
    :param allowed_subjects: subject RDN -> accepted values, e.g. ``{"CN": ["build-host-1"]}``; becomes
        ``StringEquals aws:PrincipalTag/x509Subject/<RDN>`` in the trust statement. RDNs: C, CN, L, O, OU,
        ST. Default: - any certificate issued by the trust anchor's CA.
    :param allowed_issuers: issuer RDN -> accepted values, as ``allowed_subjects`` but for
        ``aws:PrincipalTag/x509Issuer/<RDN>``. Default: - any issuer the trust anchor accepts.
    :param session_duration: how long vended credentials stay valid, 15 minutes to 12 hours. A new role
        gets a maximum session duration to match when this is over 1 hour. Default: - 1 hour.
    :param require_instance_properties: whether ``CreateSession`` requests must carry instance
        properties. Default: - false.
    :param accept_role_session_name: whether hosts may pick their own role session name.
        Default: - false; the session name is the certificate serial number.
    :param session_policy: a policy that further limits the vended credentials (an identity policy
        without principals). Default: - none; the role's own policies apply.
    :param session_managed_policies: managed policies that further limit the vended credentials (the
        profile's ``ManagedPolicyArns``, at most 50; a session gets what both the role and these allow).
        None of the broad AWS managed ones, which scope nothing (R1). Default: - none; the role's own
        policies apply.
    :param attribute_mappings: certificate field (``x509Subject``, ``x509Issuer``, ``x509SAN``) ->
        the specifiers whose values become session tags, e.g. ``{"x509Subject": ["CN", "OU"]}``; a field
        left out keeps the service's mapping. Every RDN ``allowed_subjects``/``allowed_issuers`` reads must
        stay mapped (R1, R19). Default: - the service's mapping: every subject and issuer RDN, and the
        first DNS name, directory name and URI of the subject alternative name.
    :param expiry_notification_threshold: how long before a CA or end-entity certificate expires the
        service notifies (EventBridge, Health Dashboard, CloudWatch metrics), in whole days, 1 to 360.
        Default: - 45 days.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        certificate_bundle: CertificateSource | None = None,
        acm_pca: acmpca.ICertificateAuthority | None = None,
        crl: CertificateSource | None = None,
        role: iam.IRole | None = None,
        allowed_subjects: Mapping[str, Sequence[str]] | None = None,
        allowed_issuers: Mapping[str, Sequence[str]] | None = None,
        session_duration: cdk.Duration | None = None,
        require_instance_properties: bool | None = None,
        accept_role_session_name: bool | None = None,
        session_policy: iam.PolicyDocument | None = None,
        session_managed_policies: Sequence[iam.IManagedPolicy] | None = None,
        attribute_mappings: Mapping[str, Sequence[str]] | None = None,
        expiry_notification_threshold: cdk.Duration | None = None,
    ) -> None:
        super().__init__(scope, id)
        self._check_types(session_duration, expiry_notification_threshold, allowed_subjects, allowed_issuers)
        self._check_objects(session_policy, role)
        session_duration = session_duration or DEFAULT_SESSION_DURATION
        self._warn_when_the_pack_rejects(session_duration)
        threshold = expiry_notification_threshold or DEFAULT_EXPIRY_NOTIFICATION_THRESHOLD
        problems = ValidationProblems(self)
        bundle_pem, crl_pem = self._validate_sources(certificate_bundle, acm_pca, crl, problems)
        self._validate_names("allowed_subjects", allowed_subjects, problems)
        self._validate_names("allowed_issuers", allowed_issuers, problems)
        self._validate_session(session_duration, session_policy, problems)
        session_arns = sessions.session_policy_arns(problems, session_managed_policies)
        sessions.validate_attribute_mappings(
            problems, attribute_mappings, {"x509Subject": allowed_subjects, "x509Issuer": allowed_issuers}
        )
        threshold_days = self._validate_threshold(threshold, problems)
        if isinstance(role, iam.Role) and cdk.Stack.of(role) is not cdk.Stack.of(self):
            problems.add(
                "role is defined in another stack; its trust policy would reference this trust anchor "
                "and this profile the role, a cycle between the stacks",
                role.node.path,
                "define the role in the same stack as this construct, or leave role unset",
            )
        problems.raise_if_any()

        base_name = cdk.Names.unique_id(self)[:230]
        trust_anchor = self._trust_anchor(base_name, bundle_pem, acm_pca, threshold_days)
        self.trust_anchor_arn: str = trust_anchor.attr_trust_anchor_arn
        """The ARN of the trust anchor (``--trust-anchor-arn`` of the signing helper)."""
        self.trust_anchor_id: str = trust_anchor.attr_trust_anchor_id
        """The id of the trust anchor."""

        if crl_pem is not None:
            self._crl(base_name, crl_pem)

        statement = _trust_statement(self.trust_anchor_arn, allowed_subjects, allowed_issuers)
        role = self._trusted_role(role, statement, session_duration)
        self.role: iam.IRole = role
        """The role the hosts get credentials for."""
        sessions.add_session_scope(self, role, scoped=session_policy is not None or bool(session_arns))

        profile = rolesanywhere.CfnProfile(
            self,
            "Profile",
            name=f"{base_name}-profile",
            role_arns=[role.role_arn],
            enabled=True,
            duration_seconds=session_duration.to_seconds(),
            require_instance_properties=bool(require_instance_properties),
            accept_role_session_name=bool(accept_role_session_name),
            session_policy=(
                cdk.Stack.of(self).to_json_string(session_policy) if session_policy is not None else None
            ),
            managed_policy_arns=session_arns or None,
            attribute_mappings=sessions.attribute_mapping_properties(attribute_mappings),
        )
        self.profile_arn: str = profile.attr_profile_arn
        """The ARN of the profile (``--profile-arn`` of the signing helper)."""
        self.profile_id: str = profile.attr_profile_id
        """The id of the profile."""

    def _crl(self, base_name: str, crl_pem: str) -> rolesanywhere.CfnCRL:
        """``[Crl]``: the revocation list, bound to the trust anchor and enabled (R19)."""
        return rolesanywhere.CfnCRL(
            self,
            "Crl",
            name=f"{base_name}-crl",
            crl_data=crl_pem,
            trust_anchor_arn=self.trust_anchor_arn,
            enabled=True,
        )

    def _trust_anchor(
        self,
        base_name: str,
        bundle_pem: str | None,
        acm_pca: acmpca.ICertificateAuthority | None,
        threshold_days: int,
    ) -> rolesanywhere.CfnTrustAnchor:
        """The trust anchor: the CA bundle or the Private CA, enabled, expiry notifications on (R19)."""
        source = (
            rolesanywhere.CfnTrustAnchor.SourceProperty(
                source_type="CERTIFICATE_BUNDLE",
                source_data=rolesanywhere.CfnTrustAnchor.SourceDataProperty(x509_certificate_data=bundle_pem),
            )
            if acm_pca is None
            else rolesanywhere.CfnTrustAnchor.SourceProperty(
                source_type="AWS_ACM_PCA",
                source_data=rolesanywhere.CfnTrustAnchor.SourceDataProperty(
                    acm_pca_arn=acm_pca.certificate_authority_arn
                ),
            )
        )
        trust_anchor = rolesanywhere.CfnTrustAnchor(
            self,
            "Resource",
            name=f"{base_name}-trust-anchor",
            source=source,
            enabled=True,
            notification_settings=[
                rolesanywhere.CfnTrustAnchor.NotificationSettingProperty(
                    event=event, enabled=True, threshold=threshold_days, channel="ALL"
                )
                for event in EXPIRY_EVENTS
            ],
        )
        return trust_anchor

    def _trusted_role(
        self, role: iam.IRole | None, statement: iam.PolicyStatement, session_duration: cdk.Duration
    ) -> iam.IRole:
        """A new role trusted by this trust anchor only, or the given role with the statement added (R1)."""
        if role is None:
            role = iam.Role(
                self,
                "Role",
                assumed_by=_RolesAnywherePrincipal(statement),
                description="Assumed via IAM Roles Anywhere by hosts with a certificate of its trust anchor",
                # the role's maximum (default 1 hour) must not cut the profile's sessions short
                max_session_duration=(
                    session_duration
                    if not session_duration.is_unresolved()
                    and session_duration.to_seconds() > DEFAULT_SESSION_DURATION.to_seconds()
                    else None
                ),
            )
        elif isinstance(role, iam.Role) and role.assume_role_policy is not None:
            role.assume_role_policy.add_statements(statement)
        else:
            cdk.Annotations.of(self).add_warning_v2(
                "secure-imagebuilder:rolesAnywhereImportedRole",
                f"the trust policy of imported role {role.node.path} cannot be changed from this app: "
                f"let {SERVICE_PRINCIPAL} assume it with {', '.join(TRUST_ACTIONS)} on condition "
                "ArnEquals aws:SourceArn = this trust anchor's arn",
            )
        return role

    def _warn_when_the_pack_rejects(self, session_duration: cdk.Duration) -> None:
        """Sessions the service allows (up to 12 hours) but rule RA1 reports: say so at construction."""
        if not session_duration.is_unresolved() and session_duration.to_seconds() > MAX_SESSION_SECONDS:
            cdk.Annotations.of(self).add_warning_v2(
                "secure-imagebuilder:sessionLongerThanPack",
                f"session_duration of {session_duration.to_human_string()}: DataProtection-RA1 reports "
                f"sessions longer than {MAX_SESSION_SECONDS // 60} minutes (R1, R19); acknowledge the rule "
                "with a reason if a job needs them",
            )

    # -- validation -------------------------------------------------------------------------------

    def _check_types(
        self, session_duration: object, threshold: object, subjects: object, issuers: object
    ) -> None:
        """Our error for a duration or name map of the wrong kind, before any other check reads it."""
        problems = ValidationProblems(self)
        for prop, value in (
            ("session_duration", session_duration),
            ("expiry_notification_threshold", threshold),
        ):
            if value is not None and not isinstance(value, cdk.Duration):
                problems.add(f"{prop} must be a Duration", value, f"pass {prop}=Duration.hours(1) or similar")
        for prop, value in (("allowed_subjects", subjects), ("allowed_issuers", issuers)):
            if value is not None and not isinstance(value, Mapping):
                problems.add(
                    f"{prop} must map certificate name fields to lists of values",
                    value,
                    f'write e.g. {prop}={{"CN": ["build-host-1"]}}',
                )
        problems.raise_if_any()

    def _check_objects(self, policy: object, role: object) -> None:
        """Our error for a session policy or role of the wrong kind."""
        problems = ValidationProblems(self)
        if policy is not None and not isinstance(policy, iam.PolicyDocument):
            problems.add(
                "session_policy must be an iam.PolicyDocument",
                policy,
                "pass iam.PolicyDocument.from_json(...) or iam.PolicyDocument(statements=[...])",
            )
        if role is not None and not hasattr(role, "role_arn"):  # iam.IRole (a jsii interface: no isinstance)
            problems.add(
                "role must be an IAM role",
                role,
                "pass an iam.Role of this stack, or leave role unset to let this construct create it",
            )
        problems.raise_if_any()

    def _validate_sources(
        self,
        certificate_bundle: CertificateSource | None,
        acm_pca: acmpca.ICertificateAuthority | None,
        crl: CertificateSource | None,
        problems: ValidationProblems,
    ) -> tuple[str, str | None]:
        """Check the trust anchor source and the CRL; return the PEM that goes into the template."""
        if (certificate_bundle is None) == (acm_pca is None):
            given = "both" if acm_pca is not None else "neither"
            problems.add(
                "exactly one of certificate_bundle and acm_pca is required",
                given,
                "pass certificate_bundle=Path('ca.pem') for your own ca, or acm_pca= for an aws private ca",
            )
        bundle_pem = ""
        issuers = None
        if isinstance(certificate_bundle, str) and tokens.is_unresolved(certificate_bundle):
            bundle_pem = certificate_bundle  # checked by the service at deploy time
        elif certificate_bundle is not None:
            read = _read_source(certificate_bundle, "certificate_bundle", problems)
            if read is not None:
                data, shown = read
                bundle, findings = certificates.load_ca_bundle(data)
                for finding in findings:
                    problems.add(f"certificate_bundle {finding.what}", shown, finding.fix)
                if bundle is not None:
                    bundle_pem, issuers = bundle.pem, bundle.certificates
        crl_pem = None
        if isinstance(crl, str) and tokens.is_unresolved(crl):
            crl_pem = crl
        elif crl is not None:
            read = _read_source(crl, "crl", problems)
            if read is not None:
                data, shown = read
                loaded, findings = certificates.load_crl(data, issuers=issuers)
                for finding in findings:
                    problems.add(f"crl {finding.what}", shown, finding.fix)
                if loaded is not None:
                    crl_pem = loaded.pem
                    next_update = loaded.crl.next_update_utc
                    if next_update is not None and next_update < datetime.datetime.now(datetime.UTC):
                        cdk.Annotations.of(self).add_warning_v2(
                            "secure-imagebuilder:rolesAnywhereStaleCrl",
                            f"crl {shown} was due for an update on {next_update:%Y-%m-%d}: "
                            "pass the latest crl your ca published",
                        )
        return bundle_pem, crl_pem

    @staticmethod
    def _validate_names(
        prop: str, names: Mapping[str, Sequence[str]] | None, problems: ValidationProblems
    ) -> None:
        """Check certificate-name narrowing: known RDNs, each with a non-empty list of non-empty values."""
        for rdn, values in (names or {}).items():
            if rdn not in CERTIFICATE_NAME_FIELDS:
                problems.add(
                    f"{prop} has an unknown relative distinguished name",
                    rdn,
                    f"use one of {', '.join(CERTIFICATE_NAME_FIELDS)} (case-sensitive)",
                )
            if isinstance(values, str) or not values or not all(isinstance(v, str) and v for v in values):
                problems.add(
                    f"{prop}[{rdn!r}] must be a non-empty list of non-empty strings",
                    values,
                    f'write e.g. {{"{rdn}": ["build-host-1"]}}',
                )

    @staticmethod
    def _validate_session(
        session_duration: cdk.Duration,
        session_policy: iam.PolicyDocument | None,
        problems: ValidationProblems,
    ) -> None:
        """Check the session duration range and that the session policy is a valid identity policy."""
        if not session_duration.is_unresolved():
            seconds = session_duration.to_seconds(integral=False)
            low, high = MIN_SESSION_DURATION.to_seconds(), MAX_SESSION_DURATION.to_seconds()
            if not low <= seconds <= high or seconds != int(seconds):
                problems.add(
                    "session_duration is out of range",
                    session_duration.to_human_string(),
                    f"pass whole seconds from {MIN_SESSION_DURATION.to_human_string()} to "
                    f"{MAX_SESSION_DURATION.to_human_string()} (the service's limits)",
                )
        if session_policy is not None:
            if session_policy.is_empty:
                problems.add(
                    "session_policy has no statements",
                    "empty PolicyDocument",
                    "add the statements that limit the session, or leave session_policy unset",
                )
            for error in session_policy.validate_for_identity_policy():
                problems.add(
                    "session_policy is not a valid identity policy",
                    error,
                    "remove principals and give every statement actions and resources",
                )

    @staticmethod
    def _validate_threshold(threshold: cdk.Duration, problems: ValidationProblems) -> int:
        """Check the notification threshold is whole days in 1..360; return the days."""
        if threshold.is_unresolved():
            problems.add(
                "expiry_notification_threshold must be a literal duration",
                "token",
                "pass e.g. Duration.days(45)",
            )
            return 0
        days = threshold.to_seconds(integral=False) / 86_400
        if days != int(days) or not thresholds.within(
            days, thresholds.ROLES_ANYWHERE_EXPIRY_NOTIFICATION_DAYS
        ):
            problems.add(
                "expiry_notification_threshold must be whole days from 1 to 360",
                threshold.to_human_string(),
                "pass e.g. Duration.days(45)",
            )
        return int(days)
