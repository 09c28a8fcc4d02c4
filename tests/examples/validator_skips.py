"""The one place where checks of the independent validators are skipped, each with its reason.

``tests/examples/test_examples.py`` passes these to cfn-lint and checkov; the README links this file.
An empty mapping is the goal: add an entry only with a reason a reviewer would accept.
"""

CFN_LINT_IGNORED: dict[str, str] = {}
"""cfn-lint rule id -> why it does not apply to our templates."""

CHECKOV_SKIPPED: dict[str, str] = {
    "CKV_AWS_18": (
        "S3 server access logging: the flagged buckets are themselves log buckets (Image Builder build logs, "
        "CloudTrail logs); an access-log target bucket cannot use SSE-KMS, so logging them would need an "
        "unencrypted bucket. ImageBuilderLogBucket(server_access_logs_bucket=...) turns it on when you "
        "have one. "
        "The same reason is written on the AwsSolutions-S1 acknowledgement in logs.py."
    ),
}
"""checkov check id -> why it does not apply to our templates."""
