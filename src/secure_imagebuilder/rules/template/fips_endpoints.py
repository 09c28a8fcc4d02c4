"""FIPS1: with `secure-imagebuilder:fips` set, AWS endpoints named in resources are FIPS endpoints (R7)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from secure_imagebuilder.core import detect
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import (
    Compliance,
    Level,
    Resource,
    Rule,
    RuleResult,
    Stack,
    Violation,
)
from secure_imagebuilder.rules.template.fields import finding_name

# CloudFormation itself fetches these (nested templates, serverless applications): not endpoints your
# workload calls.
IGNORED = {
    ("AWS::CloudFormation::Stack", "templateurl"),
    ("AWS::CloudFormation::StackSet", "templateurl"),
    ("AWS::Serverless::Application", "location"),
}
# Download hosts with no FIPS endpoint at all (AWS FIPS endpoint list): asking for one cannot be met.
NO_FIPS_VARIANT = re.compile(r"(?i)^(?:awscli\.amazonaws\.com|(?:[a-z0-9-]+\.)*pki\.rds\.amazonaws\.com)$")


def endpoint_strings(value: Any, key: str, stack: Stack) -> Iterator[tuple[str, str]]:
    """``(nearest key, text)`` for every URL in ``value`` and every host name under an ``*Endpoint*`` key."""
    if isinstance(value, list):
        for item in value:
            yield from endpoint_strings(item, key, stack)
        return
    if v.is_literal_mapping(value):
        for child_key, child in value.items():
            yield from endpoint_strings(child, str(child_key), stack)
        return
    for text in v.texts(value, stack):
        for url in detect.urls(text):
            yield key, url
        if "endpoint" in key.lower() and "://" not in text:
            for word in re.split(r"[\s,;\"']+", text):
                if word:
                    yield key, word


def fips_endpoints(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per property naming a non-FIPS ``*.amazonaws.com`` host (the message names the hosts).

    URLs anywhere in a property and host names under an ``*Endpoint*`` key count; the locations
    CloudFormation fetches itself (``TemplateURL``, a serverless application's ``Location``) and download
    hosts that have no FIPS endpoint (``awscli.amazonaws.com``, ``truststore.pki.rds.amazonaws.com``) do not.
    """
    if not stack.fips:
        return Compliance.NOT_APPLICABLE
    hosts: dict[str, list[str]] = {}
    for key, value in resource.props.items():
        if (resource.type, str(key).lower()) in IGNORED:
            continue
        for _, written in endpoint_strings(value, str(key), stack):
            text = written.replace(v.HOLE, "TOKEN")  # a deploy-time label (a Region) keeps the host readable
            host = detect.aws_host(text)
            # A bare `<service>.amazonaws.com` without a scheme is a service principal, not an endpoint.
            min_dots = 2 if "://" in text else 3
            if (
                host is not None
                and host.count(".") >= min_dots
                and not detect.is_fips_host(host)
                and not NO_FIPS_VARIANT.match(host)
            ):
                found = hosts.setdefault(finding_name(str(key)), [])
                if host.replace("TOKEN", "*") not in found:
                    found.append(host.replace("TOKEN", "*"))
    return [Violation(name, f"Endpoint: {', '.join(found)}") for name, found in hosts.items()]


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
    unknown=(
        "Reads the text written in the template; a deploy-time part of a host (a Region) is a hole, and a "
        "host whose literal labels are not FIPS is reported."
    ),
)
