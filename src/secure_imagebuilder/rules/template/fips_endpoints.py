"""FIPS1: with `secure-imagebuilder:fips` set, AWS endpoints named in resources are FIPS endpoints (R7)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from secure_imagebuilder.core import detect
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Compliance, Level, Resource, Rule, RuleResult, Stack
from secure_imagebuilder.rules.template.no_sensitive_data import finding_name

# CloudFormation itself reads nested templates; the URL is not an endpoint your workload calls.
IGNORED = {("AWS::CloudFormation::Stack", "templateurl")}


def endpoint_strings(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """``(nearest key, text)`` for every URL in ``value`` and every host name under an ``*Endpoint*`` key."""
    if isinstance(value, list):
        for item in value:
            yield from endpoint_strings(item, key)
        return
    if isinstance(value, dict) and v.intrinsic(value) is None:
        for child_key, child in value.items():
            yield from endpoint_strings(child, str(child_key))
        return
    for text in v.strings(value):
        for url in detect.urls(text):
            yield key, url
        if "endpoint" in key.lower() and "://" not in text:
            for word in re.split(r"[\s,;\"']+", text):
                if word:
                    yield key, word


def fips_endpoints(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per property naming a non-FIPS ``*.amazonaws.com`` URL or ``*Endpoint*`` host."""
    if not stack.fips:
        return Compliance.NOT_APPLICABLE
    findings = []
    for key, value in resource.props.items():
        if (resource.type, str(key).lower()) in IGNORED:
            continue
        for _, text in endpoint_strings(value, str(key)):
            host = detect.aws_host(text)
            # A bare `<service>.amazonaws.com` without a scheme is a service principal, not an endpoint.
            min_dots = 2 if "://" in text else 3
            if host is not None and host.count(".") >= min_dots and not detect.is_fips_host(host):
                findings.append(finding_name(str(key)))
                break
    return findings


RULE = Rule(
    id="FIPS1",
    level=Level.ERROR,
    refs=("R7",),
    info=(
        "With the context key secure-imagebuilder:fips true, a property names an AWS endpoint that is not "
        "a FIPS endpoint."
    ),
    explanation="R7: use the <service>-fips.<region>.amazonaws.com endpoint (AWS FIPS endpoint list).",
    applies_to=None,
    check=fips_endpoints,
)
