"""AUD1: a stack with Image Builder resources has (or acknowledges having) a CloudTrail trail (R4, R16)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import (
    STACK_TYPE,
    Compliance,
    Level,
    Resource,
    Rule,
    RuleResult,
    Stack,
    Undecided,
)

TRAIL = "AWS::CloudTrail::Trail"
KMS = "kms.amazonaws.com"


def trail_present(resource: Resource, stack: Stack) -> RuleResult:
    """Reported on the stack: non-compliant when it holds Image Builder resources but no trail records KMS.

    A trail counts when it can exist (its ``Condition`` is not proven false) and, in every value its
    properties can deploy with, it logs (``IsLogging``) the management events of KMS, where Image Builder's
    ``Decrypt`` and ``GenerateDataKey`` calls are recorded: no event selector that drops management events,
    write-only selectors, or ``kms.amazonaws.com`` through ``ExcludeManagementEventSources`` or an advanced
    selector's ``eventSource``. A setting only known at deploy time, or an advanced selector on fields this
    rule does not read, leaves it undecided (when no other trail counts).
    """
    if not stack.has_imagebuilder:
        return Compliance.NOT_APPLICABLE
    unknown: list[Any] = []
    for trail in stack.resources:
        if trail.type != TRAIL or not v.may_exist(trail.condition, stack):
            continue
        settings = [alt.value for alt in v.resolved(dict(trail.props), stack, symbolic=False)]
        answers = [_records_kms(props) for props in settings]
        if all(answers):
            return Compliance.COMPLIANT
        if False not in answers:
            unknown.append(next(p for p, a in zip(settings, answers, strict=True) if a is None))
    if unknown:
        reason = "whether the trail records KMS's management events is only known at deploy time"
        return [Undecided("", v.first_unknown(unknown[0]), reason)]
    return Compliance.NON_COMPLIANT


def _records_kms(props: Any) -> bool | None:
    """Whether a trail with these (resolved) properties records KMS's management events (None: unknown)."""
    if not isinstance(props, Mapping):
        return None
    logging = v.truthy(props.get("IsLogging"))
    if logging is not True:
        return logging
    advanced = props.get("AdvancedEventSelectors")
    if advanced is not None:  # they replace EventSelectors
        return _any(_advanced(selector) for selector in advanced) if isinstance(advanced, list) else None
    basic = props.get("EventSelectors")
    if basic is None or basic == []:
        return True  # a trail with no selector records every management event
    return _any(_basic(selector) for selector in basic) if isinstance(basic, list) else None


def _any(verdicts: Iterable[bool | None]) -> bool | None:
    found = list(verdicts)
    return True if True in found else None if None in found else False


def _basic(selector: Any) -> bool | None:
    if not isinstance(selector, Mapping):
        return None
    included = v.truthy(selector.get("IncludeManagementEvents", True))
    kinds = selector.get("ReadWriteType", "All")
    excluded = selector.get("ExcludeManagementEventSources", [])
    if included is False or kinds == "WriteOnly" or (isinstance(excluded, list) and KMS in excluded):
        return False  # KMS's Decrypt and GenerateDataKey are read-only management events
    if included is None or kinds not in ("All", "ReadOnly") or not _texts(excluded):
        return None
    return True


def _advanced(selector: Any) -> bool | None:
    fields = selector.get("FieldSelectors") if isinstance(selector, Mapping) else None
    if not isinstance(fields, list) or not all(isinstance(f, Mapping) for f in fields):
        return None
    by_field = {str(f.get("Field")): f for f in fields}
    category = by_field.pop("eventCategory", {})
    if not _texts(category.get("Equals", [])):
        return None
    if "Management" not in category.get("Equals", []):
        return False
    source = by_field.pop("eventSource", None)
    if source is not None:
        if KMS in source.get("NotEquals", []) or ("Equals" in source and KMS not in source["Equals"]):
            return False
        if set(source) - {"Field", "Equals", "NotEquals"} or not _texts(source.get("NotEquals", [])):
            return None
    read_only = by_field.pop("readOnly", None)
    if read_only is not None and read_only.get("Equals") == ["false"]:
        return False
    if by_field or (read_only is not None and set(read_only) - {"Field", "Equals"}):
        return None  # a field this rule does not read may leave KMS's events out
    return True


def _texts(values: Any) -> bool:
    """A literal list of strings (an operator's values this rule can compare)."""
    return isinstance(values, list) and all(isinstance(item, str) for item in values)


RULE = Rule(
    id="AUD1",
    level=Level.WARNING,
    refs=("R4", "R16"),
    info="The stack holds Image Builder resources but no CloudTrail trail that records KMS's events.",
    explanation=(
        "R4/R16: record API activity (GenerateDataKey/Decrypt by imagebuilder.amazonaws.com) with a trail "
        "(ImageBuilderAuditTrail); if an organization or another stack's trail covers this account, "
        "acknowledge DataProtection-AUD1 on the stack."
    ),
    applies_to=(STACK_TYPE,),
    check=trail_present,
    unknown=(
        "A trail under a condition that depends on input counts; one proven never to deploy does not. "
        "IsLogging or event selectors only known at deploy time are an undecided warning."
    ),
)
