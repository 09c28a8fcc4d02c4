"""IB5: build logs go to an S3 bucket you own (R4, R17)."""

from __future__ import annotations

from cdk_nag import NagRuleCompliance

from secure_imagebuilder.nag import _values as v
from secure_imagebuilder.nag._model import Resource, RuleResult, StackView


def logs_to_s3(resource: Resource, stack: StackView) -> RuleResult:
    """Non-compliant unless ``Logging.S3Logs.S3BucketName`` is set."""
    bucket = v.get(resource.props, "Logging", "S3Logs", "S3BucketName")
    if bucket is None or bucket == "":
        return NagRuleCompliance.NON_COMPLIANT
    return NagRuleCompliance.COMPLIANT
