"""Policy conditions, ARNs and services in words, for a reviewer. Pure Python.

``StringLike kms:EncryptionContext:aws:imagebuilder:arn = arn:aws:imagebuilder:*:111122223333:workflow/*``
reads "only with encryption context aws:imagebuilder:arn = a workflow of account 111122223333". Values are
the evaluator's (the value model's symbolic view: one account, one Region); a value only known at deploy
time says so. Operators keep their IAM meaning: a negated operator reads "other than", ``...IfExists``
adds "or without it".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from secure_imagebuilder.rules.engine import values as v

_SERVICES = {
    "imagebuilder": "Image Builder",
    "sns": "SNS",
    "s3": "S3",
    "ec2": "EC2",
    "logs": "CloudWatch Logs",
    "cloudtrail": "CloudTrail",
    "ecr": "ECR",
    "sqs": "SQS",
    "secretsmanager": "Secrets Manager",
    "lambda": "Lambda",
    "ssm": "Systems Manager",
    "kms": "KMS",
}
_KINDS = {
    "workflow": "workflow",
    "component": "component",
    "container-recipe": "container recipe",
    "image-recipe": "image recipe",
    "image-pipeline": "image pipeline",
    "image": "image",
    "*": "Image Builder resource",
}
_NEGATED = ("StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike")
_CONTEXT = "kms:encryptioncontext:"


def service(name: str) -> str:
    """A service principal in words: ``sns.us-west-2.amazonaws.com`` -> "SNS in us-west-2"."""
    parts = name.split(".")
    known = _SERVICES.get(parts[0], parts[0])
    if len(parts) == 4 and parts[2] == "amazonaws":
        return f"{known} in {'any Region' if parts[1] == '*' else parts[1]}"
    return known if name.endswith("amazonaws.com") or parts[0] in _SERVICES else name


def value(item: Any) -> str:
    """One compared value in words: an ARN by what it names, anything else as written."""
    if isinstance(item, v.Unknown):
        return f"a value only known at deploy time ({item.reason})"
    if isinstance(item, bool):
        return str(item).lower()
    if not isinstance(item, str):
        return v.describe(item)
    parts = item.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return item
    _, _, kind, region, account, resource = parts
    named = _ARN_WORDS.get(kind)
    return named(region, account, resource) if named else item


def _of(account: str) -> str:
    return "of any account" if account in ("*", "") else f"of account {account}"


def _in(region: str) -> str:
    return "" if region in ("*", "") else f" in {region}"


def _imagebuilder(region: str, account: str, resource: str) -> str:
    kind, _, rest = resource.partition("/")
    name = _KINDS.get(kind, kind)
    if rest in ("", "*"):
        return f"a{'n' if name[0] in 'aeiouAEIOU' else ''} {name} {_of(account)}{_in(region)}"
    return f"{name} {rest} {_of(account)}{_in(region)}"


def _logs(region: str, account: str, resource: str) -> str:
    group = resource.removeprefix("log-group:").removesuffix(":*")
    return f"log group {group} {_of(account)}{_in(region)}"


def _s3(region: str, account: str, resource: str) -> str:
    bucket, _, key = resource.partition("/")
    return f"objects {resource} of bucket {bucket}" if key else f"bucket {bucket}"


def _iam(region: str, account: str, resource: str) -> str:
    if resource == "root":
        return f"account {account}"
    return f"{resource.replace('/', ' ', 1)} {_of(account)}"


def _other(kind: str) -> Any:
    def named(region: str, account: str, resource: str) -> str:
        return f"{_SERVICES.get(kind, kind)} {resource.replace('/', ' ', 1)} {_of(account)}{_in(region)}"

    return named


_ARN_WORDS = {
    "imagebuilder": _imagebuilder,
    "logs": _logs,
    "s3": _s3,
    "iam": _iam,
    "sts": _iam,
    "cloudtrail": _other("cloudtrail"),
    "sns": _other("sns"),
    "kms": _other("kms"),
}


def _values(expected: Any) -> str:
    return " or ".join(value(item) for item in v.as_list(expected)) or "nothing"


def _services(expected: Any) -> str:
    return " or ".join(service(i) if isinstance(i, str) else value(i) for i in v.as_list(expected))


def sentence(operator: str, key: str, expected: Any) -> str:
    """One ``operator: {key: expected}`` pair of a ``Condition`` block as a sentence."""
    quantifier, _, base = str(operator).rpartition(":")
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    negated = base in _NEGATED
    lowered = key.lower()
    if base == "Null":
        present = v.truthy(v.as_list(expected)[0] if v.as_list(expected) else None) is False
        text = f"only {'with' if present else 'without'} {key}"
    elif lowered.startswith(_CONTEXT) and lowered != "kms:encryptioncontextkeys":
        relation = "other than" if negated else "="
        text = f"only with encryption context {key[len(_CONTEXT) :]} {relation} {_values(expected)}"
    else:
        text = _keyed(lowered, key, expected, negated, quantifier, base)
    return f"{text}, or without it" if if_exists else text


def _keyed(lowered: str, key: str, expected: Any, negated: bool, quantifier: str, base: str) -> str:
    if negated:
        return f"only when {key} is other than {_values(expected)}"
    phrases = {
        "kms:viaservice": f"only through {_services(expected)} (kms:ViaService)",
        "aws:calledvia": f"only through {_services(expected)} (aws:CalledVia)",
        "aws:calledviafirst": f"only through {_services(expected)} first (aws:CalledViaFirst)",
        "aws:calledvialast": f"only through {_services(expected)} last (aws:CalledViaLast)",
        "kms:calleraccount": f"only by a caller of account {_values(expected)}",
        "aws:principalaccount": f"only by a principal of account {_values(expected)}",
        "aws:principalarn": f"only as {_values(expected)}",
        "aws:principalorgid": f"only by a principal of organization {_values(expected)}",
        "aws:sourceaccount": f"only on behalf of a resource of account {_values(expected)}",
        "aws:sourcearn": f"only on behalf of {_values(expected)}",
        "aws:securetransport": "only over TLS" if _true(expected) else "only without TLS",
        "kms:grantisforawsresource": (
            "only for grants to AWS services' resources (kms:GrantIsForAWSResource)"
            if _true(expected)
            else "only for grants that are not for AWS services' resources"
        ),
        "kms:encryptioncontextkeys": (
            f"only with encryption context keys {'among ' if quantifier == 'ForAllValues' else ''}"
            f"{_values(expected)}"
        ),
    }
    return phrases.get(lowered, f"only when {key} {base} {_values(expected)}")


def _true(expected: Any) -> bool:
    return all(v.truthy(item) is True for item in v.as_list(expected))


def conditions(condition: Any) -> list[str]:
    """Every pair of a statement's ``Condition`` block in words (all must hold)."""
    if condition is None:
        return []
    if not isinstance(condition, Mapping):
        return [f"only under conditions known at deploy time ({value(condition)})"]
    found = []
    for operator, pairs in condition.items():
        if not isinstance(pairs, Mapping):
            found.append(f"only under {operator} conditions known at deploy time")
            continue
        found.extend(sentence(str(operator), str(key), expected) for key, expected in pairs.items())
    return found
