"""The evidence an auditor reads for one stack: R1-R19 each with its status, key access, the flows allowed.

Each recommendation (docs/recommendations.md) is checked by the rules that cite it (``Rule.refs``), on the
same findings ``scan`` reports:

- ``violated``: an unacknowledged error finding of one of its rules;
- ``attention``: only warnings or infos remain open (an undecided value, a key outside the template);
- ``acknowledged``: every finding is acknowledged, each with its reason;
- ``met``: its rules checked these resources and found nothing;
- ``not applicable``: the stack has nothing its rules read;
- ``outside``: no template can show it (MFA, account-level services): what to do instead is said.

The flows are those of the flow matrix (``secure_imagebuilder.flows``, docs/flows.md): each one that
applies to the stack is allowed, denied or undecided by its policies, with its near misses.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from secure_imagebuilder.explain.model import StackAccess
from secure_imagebuilder.flows.check import Outcome, check
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Compliance, Finding, Level, Resource, Rule, Stack
from secure_imagebuilder.rules.engine.run import Engine
from secure_imagebuilder.rules.table import RULES

# R-number -> what it asks, short (docs/recommendations.md has the full text and the AWS sources).
RECOMMENDATIONS = {
    "R1": "least privilege; protect credentials",
    "R2": "MFA on every account",
    "R3": "TLS 1.2 or later to AWS resources",
    "R4": "API and user activity logged with CloudTrail",
    "R5": "AWS encryption and the default security controls",
    "R6": "managed security services (Macie, GuardDuty)",
    "R7": "FIPS 140-2 endpoints where required",
    "R8": "no sensitive data in tags or free-form fields",
    "R9": "no credentials in URLs",
    "R10": "components encrypted with a customer managed key",
    "R11": "workflows encrypted with a customer managed key the execution role can use",
    "R12": "the aws:imagebuilder:arn encryption context in every grant",
    "R13": "the key policy grants the workflow execution role",
    "R14": "the execution role's own policy grants the key",
    "R15": "keys not deleted or de-granted by accident",
    "R16": "the CloudTrail requests of workflows allowed exactly",
    "R17": "logs kept in storage you own",
    "R18": "HTTPS between networks; no direct connections between accounts",
    "R19": "Roles Anywhere: SigV4, keys kept by the customer and out of source control",
}
# What a template cannot show, and what to do instead.
OUTSIDE = {
    "R2": "account level, outside any template: enforce MFA with IAM Identity Center or an SCP",
    "R6": "account level: enable Macie and GuardDuty for the accounts that hold the log bucket",
    "R18": (
        "no rule of the pack reads it: Image Builder's own connections use HTTPS; keep builds in private "
        "subnets with VPC endpoints (ImageBuilderVpcEndpoints)"
    ),
}
STATUSES = ("violated", "attention", "acknowledged", "met", "not applicable", "outside")
MAX_LISTED = 12


@dataclass
class Status:
    """One recommendation on one stack."""

    number: str
    text: str
    status: str
    rules: list[str]
    met_by: list[str] = field(default_factory=list)  # logical ids (or "every resource (N)")
    open: list[Finding] = field(default_factory=list)
    acknowledged: list[Finding] = field(default_factory=list)
    note: str = ""


@dataclass
class Evidence:
    """One stack's report: the recommendations, who can use its keys, the documented flows."""

    stack: Stack
    access: StackAccess
    statuses: list[Status]
    flows: list[Outcome]


def evidence_of(stack: Stack, findings: Sequence[Finding], access: StackAccess) -> Evidence:
    """The report of one stack, from its findings (the same as ``scan``'s) and its explain answer."""
    statuses = [status(number, stack, findings) for number in RECOMMENDATIONS]
    return Evidence(stack, access, statuses, [o for o in check(stack) if o.applies])


def status(number: str, stack: Stack, findings: Sequence[Finding]) -> Status:
    """One recommendation's status on the stack."""
    rules = [rule for rule in RULES if number in rule.refs]
    found = Status(
        number, RECOMMENDATIONS[number], "outside", [r.id for r in rules], note=OUTSIDE.get(number, "")
    )
    if not rules:
        return found
    mine = [f for f in findings if number in f.rule.refs]
    found.open = [f for f in mine if f.acknowledged is None]
    found.acknowledged = [f for f in mine if f.acknowledged is not None]
    flagged = {f.resource.logical_id for f in mine}
    found.met_by = [name for name in checked(rules, stack) if name not in flagged]
    if any(f.level == Level.ERROR for f in found.open):
        found.status = "violated"
    elif found.open:
        found.status = "attention"
    elif found.acknowledged:
        found.status = "acknowledged"
    else:
        found.status = "met" if found.met_by else "not applicable"
    return found


def checked(rules: Sequence[Rule], stack: Stack) -> list[str]:
    """The resources (logical ids; the stack's name for stack-wide checks) the rules apply to."""
    engine = Engine(tuple(rules))
    names: dict[str, None] = {}
    everywhere = False
    for resource in _resources(stack):
        for rule in engine.rules_for(resource.type):
            if rule.applies_to is None:
                everywhere = True
            elif _applies(rule, resource, stack):
                names[resource.logical_id or stack.path] = None
    listed = list(names)
    if everywhere:
        listed.append(f"every resource of the template ({len(stack.resources)})")
    return listed


def _resources(stack: Stack) -> Iterator[Resource]:
    yield from (stack.itself, *stack.resources) if stack.whole else stack.resources


def _applies(rule: Rule, resource: Resource, stack: Stack) -> bool:
    if not v.may_exist(resource.condition, stack):
        return False
    try:
        return rule.check(resource, stack) != Compliance.NOT_APPLICABLE
    except Exception:  # the engine reports the crash as a RuleError finding; here it counts as checked
        return True
