"""TLS1: S3 buckets deny requests without TLS and below TLS 1.2 (R3)."""

from __future__ import annotations

from typing import Any

from secure_imagebuilder.core.thresholds import MIN_TLS_VERSION
from secure_imagebuilder.rules.common import denied_in_every_alternative, resource_document, symbolic_arn
from secure_imagebuilder.rules.engine import policy as p
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.access import principals_named
from secure_imagebuilder.rules.engine.model import (
    Compliance,
    Level,
    Resource,
    Rule,
    RuleResult,
    Stack,
    Undecided,
)

# Requests a client without TLS, or below TLS 1.2, could make: each must be explicitly denied.
_OLD_TLS = f"{MIN_TLS_VERSION - 0.1:.1f}"
_INSECURE = ({"aws:SecureTransport": "false"}, {"aws:SecureTransport": "true", "s3:TlsVersion": _OLD_TLS})
_FINDINGS = ("SecureTransport", "TlsVersion")


def tls_findings(documents: list[Any], bucket: str, stack: Stack) -> list[str | Undecided]:
    """``SecureTransport``/``TlsVersion`` for what the bucket policies do not explicitly deny.

    The requests (``s3:GetObject``, ``s3:PutObject``, ``s3:ListBucket`` by every principal the policies
    name, and by a role of this account) are evaluated against every alternative of every policy: each
    must be denied in every alternative.
    """
    sources = [resource_document("bucket policy", document, stack) for document in documents]
    objects = f"arn:{p.PARTITION}:s3:::{bucket}/witness-object"
    found: list[str | Undecided] = []
    principals = principals_named(policy for source in sources for policy in source.alternatives)
    for name, context in zip(_FINDINGS, _INSECURE, strict=True):
        requests = [
            p.Request(action, principal, resource, context)
            for principal in principals
            for action, resource in (
                ("s3:GetObject", objects),
                ("s3:PutObject", objects),
                ("s3:ListBucket", f"arn:{p.PARTITION}:s3:::{bucket}"),
            )
        ]
        denied = denied_in_every_alternative(sources, requests)
        if denied is False:
            found.append(name)
        elif denied is None:
            found.append(Undecided(name, reason="a Deny depends on a value only known at deploy time"))
    return found


def bucket_requires_tls(resource: Resource, stack: Stack) -> RuleResult:
    """Findings ``SecureTransport``/``TlsVersion`` on the bucket, read from its bucket policies.

    A bucket policy for a bucket outside the stack is checked on the policy resource itself.
    """
    if resource.type == "AWS::S3::BucketPolicy":
        if stack.target(v.get(resource.props, "Bucket")) is not None:
            return Compliance.NOT_APPLICABLE
        names = [n for n in v.resolved(v.get(resource.props, "Bucket"), stack) if isinstance(n.value, str)]
        bucket = names[0].value if names else "witness-bucket"
        return tls_findings([v.get(resource.props, "PolicyDocument")], bucket, stack)
    bucket = symbolic_arn(stack, str(resource.logical_id)).rsplit(":", 1)[-1]
    return tls_findings(stack.bucket_policies.get(resource.logical_id or "", []), bucket, stack)


RULE = Rule(
    id="TLS1",
    level=Level.ERROR,
    refs=("R3",),
    info=(
        "The S3 bucket policy does not deny requests without TLS (aws:SecureTransport) or below TLS 1.2 "
        "(s3:TlsVersion)."
    ),
    explanation=(
        "R3: set enforce_ssl=True and minimum_tls_version=1.2 on s3.Bucket, or add both Deny statements to "
        "the AWS::S3::BucketPolicy."
    ),
    applies_to=("AWS::S3::Bucket", "AWS::S3::BucketPolicy"),
    check=bucket_requires_tls,
    unknown="A Deny whose condition or resource is only known at deploy time is an undecided warning.",
)
