"""Synth-time checks shared by the pipeline's pieces: account ids, tags and names (R8)."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence

import aws_cdk as cdk

from secure_imagebuilder.core import defaults, thresholds, tokens
from secure_imagebuilder.core.validation import ValidationProblems

_KIND_NAMES = {
    "email": "an e-mail address",
    "account-id": "an account number",
    "access-key-id": "an access key id",
    "secret-access-key": "a secret access key",
    "private-key": "private key material",
}


def validate_account_ids(problems: ValidationProblems, what: str, account_ids: Iterable[str]) -> list[str]:
    """Every id is 12 digits (tokens are skipped); returns the ids, duplicates removed, in order."""
    seen: list[str] = []
    for account_id in string_list(problems, what, account_ids):
        if not tokens.is_unresolved(account_id) and not re.match(defaults.ACCOUNT_ID_PATTERN, account_id):
            problems.add(
                f"{what} must be 12-digit AWS account ids", account_id, "write the id with all 12 digits"
            )
        if account_id not in seen:
            seen.append(account_id)
    return seen


def string_list(problems: ValidationProblems, what: str, value: Iterable[str] | None) -> list[str]:
    """The strings of a list prop; a bare string or a non-string item is our error.

    A bare string would otherwise be exploded into one-letter entries. A list token (``Fn.split``,
    ``value_as_list``) is a list holding one encoded string and passes as is.
    """
    if value is None:
        return []
    if isinstance(value, str):
        if tokens.is_unresolved(value):
            return [value]
        problems.add(
            f"{what} must be a list of strings, not one string", value, f"wrap it in a list: [{value!r}]"
        )
        return [value]
    if not isinstance(value, Iterable) or isinstance(value, Mapping):
        problems.add(f"{what} must be a list of strings", value, f"pass {what} as a list, e.g. ['...']")
        return []
    items = list(value)
    for item in items:
        if not isinstance(item, str):
            problems.add(f"{what} must hold strings only", item, "pass each entry as text")
    return [item for item in items if isinstance(item, str)]


def validate_free_text(problems: ValidationProblems, what: str, value: str | None) -> None:
    """R8: no e-mail address, account number, access key id or secret in a tag, name or description.

    The same detector as rule SD1 (``core.detect``), so a value the constructs accept is one the pack
    accepts too (tests/core/test_one_detector.py runs one table against both). Anything but text (or a
    string token) is our error, before the L1's own type check (whose error names no construct).
    """
    if value is None:
        return
    if not isinstance(value, str):
        problems.add(f"{what} must be text", value, f"pass {what} as a string")
        return
    if tokens.is_unresolved(value):
        return
    from secure_imagebuilder.core import detect  # its patterns compile on first use, not at every import

    for kind in detect.sensitive_kinds(value):
        problems.add(
            f"{what} contains {_KIND_NAMES.get(kind, kind)}, which never belongs in tags or names (R8)",
            value,
            "keep sensitive data out of tags and free-form fields; they appear in billing and logs",
        )


def validate_log_prefix(problems: ValidationProblems, prefix: object) -> None:
    """A build-log key prefix (R17): text, not empty and not starting with ``/``.

    Without a prefix the logs land at the bucket root, and the instance role's write (scoped to the
    prefix) would cover every object of the bucket; a leading ``/`` makes keys that start with ``//``.
    """
    if isinstance(prefix, str) and tokens.is_unresolved(prefix):
        return
    if not isinstance(prefix, str) or not prefix.strip("/") or prefix.startswith("/"):
        problems.add(
            "log_prefix must be a key prefix such as 'imagebuilder/' (not empty, no leading '/')",
            prefix,
            f"leave it unset ({defaults.LOG_PREFIX!r}) or pass e.g. 'builds/images/'",
        )


def validate_tags(problems: ValidationProblems, tags: Mapping[str, str] | None) -> None:
    """R8: tag keys and values carry no e-mail address or account number."""
    if tags is not None and not isinstance(tags, Mapping):
        problems.add("tags must be a mapping of tag keys to values", tags, "pass e.g. {'project': 'images'}")
        return
    for tag_key, tag_value in (tags or {}).items():
        validate_free_text(problems, f"the tag key {tag_key!r}", tag_key)
        validate_free_text(problems, f"the tag {tag_key!r}", tag_value)


# IAM's own limits (CreateRole, IAM API Reference), checked before CDK's, whose errors name no construct.
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}\Z")


def validate_role_props(
    problems: ValidationProblems,
    *,
    role_name: object = None,
    description: object = None,
    max_session_duration: object = None,
) -> None:
    """The IAM role props we pass through to ``iam.Role``: name, description and session length."""
    if role_name is not None and not tokens.is_unresolved(role_name):
        if not isinstance(role_name, str) or not _ROLE_NAME.match(role_name):
            problems.add(
                "role_name must be 1-64 letters, digits or + = , . @ _ -",
                role_name,
                "use a shorter name without spaces, or leave it unset for a generated name",
            )
    if description is not None and not tokens.is_unresolved(description):
        if not isinstance(description, str) or len(description) > 1000:
            problems.add("description must be text of at most 1000 characters", description, "shorten it")
    if max_session_duration is None:
        return
    if not isinstance(max_session_duration, cdk.Duration):
        problems.add(
            "max_session_duration must be a Duration",
            max_session_duration,
            "pass max_session_duration=Duration.hours(1)",
        )
    elif not max_session_duration.is_unresolved():
        seconds = max_session_duration.to_seconds()
        if not thresholds.within(seconds, thresholds.IAM_ROLE_SESSION_SECONDS):
            problems.add(
                "max_session_duration must be 1 to 12 hours (the IAM limits)",
                max_session_duration.to_human_string(),
                "leave it unset (1 hour) or pick a value in the range",
            )


def is_a(value: object, module: str, name: str) -> bool:
    """``isinstance(value, <module>.<name>)`` without importing ``module``: unimported, nothing is one.

    ``aws_ec2``, ``aws_events`` and ``aws_logs`` take a tenth of a second each to import; apps that pass
    their types have imported them already.
    """
    loaded = sys.modules.get(module)
    return loaded is not None and isinstance(value, getattr(loaded, name))


# What a CDK-typed prop must be, checked before jsii sees it (jsii's own type errors name no construct).
# jsii interfaces cannot be checked with isinstance: a member only they have stands for them.
_KINDS: dict[str, tuple[Callable[[object], bool], str, str]] = {
    "vpc": (
        lambda v: hasattr(v, "vpc_id") and hasattr(v, "select_subnets"),
        "an ec2.IVpc",
        "pass ec2.Vpc(...) or ec2.Vpc.from_lookup(...)",
    ),
    "bucket": (
        lambda v: hasattr(v, "bucket_arn"),
        "an s3.IBucket",
        "pass an s3.Bucket, or s3.Bucket.from_bucket_attributes(...)",
    ),
    "topic": (
        lambda v: hasattr(v, "topic_arn"),
        "an sns.ITopic",
        "pass an sns.Topic (ImageBuilderNotificationTopic)",
    ),
    "peer": (
        lambda v: hasattr(v, "to_egress_rule_config"),
        "an ec2.IPeer",
        "pass e.g. ec2.Peer.ipv4('10.0.0.0/8') or ec2.Peer.prefix_list(...)",
    ),
    "connectables": (
        lambda v: (
            isinstance(v, Sequence) and not isinstance(v, str) and all(hasattr(c, "connections") for c in v)
        ),
        "a list of ec2.IConnectable",
        "pass e.g. [security_group]",
    ),
    "subnets": (
        lambda v: is_a(v, "aws_cdk.aws_ec2", "SubnetSelection"),
        "an ec2.SubnetSelection",
        "pass ec2.SubnetSelection(subnet_type=...)",
    ),
    # No resource of this library keeps a snapshot: CDK's own error for SNAPSHOT names no construct.
    "removal_policy": (
        lambda v: isinstance(v, cdk.RemovalPolicy) and v != cdk.RemovalPolicy.SNAPSHOT,
        "a cdk.RemovalPolicy other than SNAPSHOT (no resource here keeps a snapshot)",
        "pass cdk.RemovalPolicy.RETAIN or DESTROY",
    ),
    "retention": (
        lambda v: is_a(v, "aws_cdk.aws_logs", "RetentionDays"),
        "a logs.RetentionDays",
        "pass e.g. logs.RetentionDays.ONE_YEAR",
    ),
    "log_group": (
        lambda v: hasattr(v, "log_group_arn") and hasattr(v, "grant_write"),
        "a logs.ILogGroup",
        "pass an ImageBuilderLogGroup, or logs.LogGroup.from_log_group_name(...)",
    ),
    "duration": (lambda v: isinstance(v, cdk.Duration), "a cdk.Duration", "pass e.g. Duration.minutes(90)"),
    "bool": (lambda v: isinstance(v, bool), "True or False", "pass a bool"),
    "int": (lambda v: isinstance(v, int) and not isinstance(v, bool), "a whole number", "pass e.g. 5"),
    "repository": (
        lambda v: hasattr(v, "repository_name") and hasattr(v, "grant_pull_push"),
        "an ecr.IRepository",
        "pass an ecr.Repository, or ecr.Repository.from_repository_name(...)",
    ),
    "role": (
        lambda v: hasattr(v, "role_arn"),
        "an iam.IRole",
        "pass an iam.Role, or iam.Role.from_role_arn(...)",
    ),
}


def require_kinds(problems: ValidationProblems, **props: tuple[object, str]) -> None:
    """Each ``prop=(value, kind)`` given (not ``None``, not a token) is of its ``_KINDS`` kind."""
    for prop, (value, kind) in props.items():
        if value is None or (isinstance(value, str | int | float) and tokens.is_unresolved(value)):
            continue  # a parameter or import: its kind is CloudFormation's to check
        accepts, expected, fix = _KINDS[kind]
        if not accepts(value):
            problems.add(f"{prop} must be {expected}", value, fix)
