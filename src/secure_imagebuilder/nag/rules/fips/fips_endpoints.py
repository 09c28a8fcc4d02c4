"""FIPS1: with `secure-imagebuilder:fips` set, AWS endpoints named in resources are FIPS endpoints (R7)."""

from __future__ import annotations

from cdk_nag import NagRuleCompliance

from secure_imagebuilder.core import detect
from secure_imagebuilder.nag._model import Resource, RuleResult, StackView
from secure_imagebuilder.nag.rules.sd.no_sensitive_data import finding_name

# CloudFormation itself reads nested templates; the URL is not an endpoint your workload calls.
IGNORED = {("AWS::CloudFormation::Stack", "templateurl")}


def fips_endpoints(resource: Resource, stack: StackView) -> RuleResult:
    """One finding per property naming a non-FIPS ``*.amazonaws.com`` URL or ``*Endpoint*`` host."""
    if not stack.fips:
        return NagRuleCompliance.NOT_APPLICABLE
    findings = []
    for key, value in resource.props.items():
        if (resource.type, str(key).lower()) in IGNORED:
            continue
        for _, text in detect.endpoint_strings(value, str(key)):
            host = detect.aws_host(text)
            # A bare `<service>.amazonaws.com` without a scheme is a service principal, not an endpoint.
            min_dots = 2 if "://" in text else 3
            if host is not None and host.count(".") >= min_dots and not detect.is_fips_host(host):
                findings.append(finding_name(str(key)))
                break
    return findings
