"""TLS1: S3 buckets deny requests without TLS and below TLS 1.2 (R3)."""

from __future__ import annotations

from typing import Any

from secure_imagebuilder.core.thresholds import MIN_TLS_VERSION as MIN_TLS
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Compliance, Level, Resource, Rule, RuleResult, Stack


def _denies(documents: list[Any], key: str, operators: tuple[str, ...], accept: Any) -> bool:
    for document in documents:
        for statement in v.statements(document):
            if v.is_allow(statement):
                continue
            for operator, value in v.condition_keys(statement).get(key, []):
                if operator.lower() in operators and accept(value):
                    return True
    return False


def _is_false(value: Any) -> bool:
    return any(v.truthy(item) is False for item in v.as_list(value))


def _tls_at_least(value: Any) -> bool:
    for item in v.as_list(value):
        try:
            if float(item) >= MIN_TLS:
                return True
        except (TypeError, ValueError):
            continue
    return False


def tls_findings(documents: list[Any]) -> list[str]:
    """``SecureTransport`` and/or ``TlsVersion`` for what the bucket policy documents fail to deny."""
    findings = []
    if not _denies(documents, "aws:securetransport", ("bool", "boolifexists"), _is_false):
        findings.append("SecureTransport")
    if not _denies(documents, "s3:tlsversion", ("numericlessthan",), _tls_at_least):
        findings.append("TlsVersion")
    return findings


def bucket_requires_tls(resource: Resource, stack: Stack) -> RuleResult:
    """Findings ``SecureTransport``/``TlsVersion`` on the bucket, read from its bucket policies.

    A bucket policy for a bucket outside the stack is checked on the policy resource itself.
    """
    if resource.type == "AWS::S3::BucketPolicy":
        if stack.target(v.get(resource.props, "Bucket")) is not None:
            return Compliance.NOT_APPLICABLE
        return tls_findings([v.get(resource.props, "PolicyDocument")])
    return tls_findings(stack.bucket_policies.get(resource.logical_id or "", []))


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
)
