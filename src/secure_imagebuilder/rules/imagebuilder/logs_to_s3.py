"""IB5: build logs go to an S3 bucket you own (R4, R17)."""

from __future__ import annotations

from secure_imagebuilder.rules.common import judge_every_value
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack


def logs_to_s3(resource: Resource, stack: Stack) -> RuleResult:
    """Non-compliant when ``Logging.S3Logs.S3BucketName`` can deploy unset or empty."""
    buckets = v.reach(resource.props, "Logging", "S3Logs", "S3BucketName", stack=stack)
    return judge_every_value(buckets, _no_bucket)


def _no_bucket(bucket: object) -> bool | None:
    if bucket is v.ABSENT or bucket == "":
        return True
    # A bucket name only known at deploy time still names a bucket; only an unreadable one is undecided.
    return None if isinstance(bucket, v.Unknown) and not bucket.specific else False


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
