"""The ordered rule table of DataProtectionChecks; each rule's spec lives in its own file. Pure Python.

Add a rule: write ``rules/<service>/<rule>.py`` with its check function and ``RULE = Rule(...)``, list the
module here and run ``make docs``; tests/rules/test_table.py pins ids and levels.
"""

from __future__ import annotations

from secure_imagebuilder.rules.cloudtrail import trail_present
from secure_imagebuilder.rules.engine.model import Rule
from secure_imagebuilder.rules.iam import (
    identity_encryption_context,
    imagebuilder_trust_scoped,
    no_wildcard_actions,
)
from secure_imagebuilder.rules.imagebuilder import (
    build_logs_encrypted,
    build_role_scoped,
    certificate_checks,
    distribution_kms_key,
    document_decrypt,
    document_kms_key,
    ebs_mapping_encrypted,
    encrypted_topic,
    imdsv2_required,
    logs_to_s3,
    no_document_auth_header,
    no_public_launch_permission,
    old_tls,
    outside_key,
    plain_http,
    workflow_execution_role,
    workflow_key_policy,
    workflow_role_policy,
)
from secure_imagebuilder.rules.kms import (
    key_policy_encryption_context,
    key_retained,
    no_public_principal,
    pending_window,
    rotation_enabled,
)
from secure_imagebuilder.rules.rolesanywhere import (
    rolesanywhere_trust_scoped,
    session_duration,
    session_scoped,
    trust_anchor_notifications,
)
from secure_imagebuilder.rules.s3 import bucket_requires_tls
from secure_imagebuilder.rules.sns import topic_requires_tls
from secure_imagebuilder.rules.template import (
    acknowledgement_reason,
    acknowledgement_rule,
    fips_endpoints,
    ignored_property,
    no_secrets,
    no_sensitive_data,
    no_url_credentials,
    unread,
)

PACK_NAME = "DataProtection"
FIPS_CONTEXT_KEY = "secure-imagebuilder:fips"

RULES: tuple[Rule, ...] = (
    document_kms_key.RULE,
    ebs_mapping_encrypted.RULE,
    distribution_kms_key.RULE,
    imdsv2_required.RULE,
    logs_to_s3.RULE,
    encrypted_topic.RULE,
    workflow_execution_role.RULE,
    no_public_launch_permission.RULE,
    build_role_scoped.RULE,
    build_logs_encrypted.RULE,
    workflow_key_policy.RULE,
    workflow_role_policy.RULE,
    document_decrypt.RULE,
    outside_key.RULE,
    rotation_enabled.RULE,
    key_retained.RULE,
    pending_window.RULE,
    no_public_principal.RULE,
    key_policy_encryption_context.RULE,
    identity_encryption_context.RULE,
    no_wildcard_actions.RULE,
    imagebuilder_trust_scoped.RULE,
    no_sensitive_data.RULE,
    no_url_credentials.RULE,
    no_document_auth_header.RULE,
    plain_http.RULE,
    certificate_checks.RULE,
    old_tls.RULE,
    ignored_property.RULE,
    unread.RULE,
    no_secrets.RULE,
    bucket_requires_tls.RULE,
    topic_requires_tls.RULE,
    trail_present.RULE,
    fips_endpoints.RULE,
    session_duration.RULE,
    trust_anchor_notifications.RULE,
    rolesanywhere_trust_scoped.RULE,
    session_scoped.RULE,
    acknowledgement_reason.RULE,
    acknowledgement_rule.RULE,
)
