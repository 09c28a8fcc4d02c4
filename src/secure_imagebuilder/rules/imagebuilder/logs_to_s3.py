"""IB5: build logs go to an S3 bucket you own (R4, R17)."""

from __future__ import annotations

from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import (
    Compliance,
    Level,
    Resource,
    Rule,
    RuleResult,
    Stack,
    Undecided,
)


def logs_to_s3(resource: Resource, stack: Stack) -> RuleResult:
    """Non-compliant when ``Logging.S3Logs.S3BucketName`` can deploy unset or empty."""
    unread = []
    for bucket in v.reach(resource.props, "Logging", "S3Logs", "S3BucketName", stack=stack):
        if bucket is v.ABSENT or bucket == "":
            return Compliance.NON_COMPLIANT
        if isinstance(bucket, v.Unknown) and not bucket.specific:
            unread.append(bucket)
    return [Undecided("", unread[0])] if unread else Compliance.COMPLIANT


RULE = Rule(
    id="IB5",
    level=Level.ERROR,
    refs=("R4", "R17"),
    info="The infrastructure configuration does not send build logs to an S3 bucket.",
    explanation=(
        "R17: Image Builder keeps no logs; set Logging.S3Logs.S3BucketName to a bucket you own "
        "(ImageBuilderLogBucket) so build activity stays auditable."
    ),
    applies_to=("AWS::ImageBuilder::InfrastructureConfiguration",),
    check=logs_to_s3,
    unknown=(
        "A bucket name only known at deploy time names a bucket: compliant; a value the model cannot read "
        "is an undecided warning."
    ),
)
