"""Acknowledgements, wherever they were written: CDK metadata and the template's own metadata. Pure Python.

- ``Validations.of(construct).acknowledge(Acknowledgment(id=..., reason=...))`` records
  ``aws:cdk:acknowledged-rules`` metadata (``{"Annotation::<id>": reason}``) that the cloud assembly keeps;
- ``Metadata.cdk_nag.rules_to_suppress: [{id, reason}]`` in a template (what cdk-nag's
  ``writeSuppressionsToCloudFormation`` and ``core.suppressions.acknowledge`` write) travels with the
  template, so the scanner honours it too.

An acknowledgement needs a reason, as cdk-nag requires: one written without a reason (or with only
spaces) is kept with the reason ``None``. It silences nothing, and rule ACK1 reports where it was written.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any

# `Annotation::` is written by aws-cdk-lib >= 2.262.1 (`annotation::` before); a plugin-namespaced id
# (`DataProtectionChecks::DataProtection-IB1`) is accepted as well.
# `cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY`, spelled out: reading the static costs a jsii round trip.
METADATA_KEY = "aws:cdk:acknowledged-rules"
_PREFIX = re.compile(r"^(?:annotation|[A-Za-z0-9-]*checks)::", re.IGNORECASE)

Acks = Mapping[str, "str | None"]
"""Rule id -> reason; ``None`` for an acknowledgement written without a reason (it silences nothing)."""


def reason_of(value: Any) -> str | None:
    """The reason of an acknowledgement, or ``None`` when it has none (missing, empty, only spaces)."""
    return value.strip() if isinstance(value, str) and value.strip() else None


def acknowledged(entries: Iterable[Any]) -> dict[str, str | None]:
    """Rule id -> reason of the acknowledgements in CDK metadata entries (dicts or jsii ``MetadataEntry``)."""
    found: dict[str, str | None] = {}
    for entry in entries:
        if isinstance(entry, Mapping):
            entry_type, data = entry.get("type"), entry.get("data")
        else:
            entry_type, data = getattr(entry, "type", None), getattr(entry, "data", None)
        if entry_type == METADATA_KEY and isinstance(data, Mapping):
            for key, reason in data.items():
                found[_PREFIX.sub("", str(key))] = reason_of(reason)
    return found


def in_template(metadata: Any) -> dict[str, str | None]:
    """Rule id -> reason from a resource's (or the template's) ``Metadata.cdk_nag.rules_to_suppress``."""
    block = metadata.get("cdk_nag") if isinstance(metadata, Mapping) else None
    rules = block.get("rules_to_suppress") if isinstance(block, Mapping) else None
    found: dict[str, str | None] = {}
    for rule in rules if isinstance(rules, list) else []:
        if isinstance(rule, Mapping) and isinstance(rule.get("id"), str):
            found[rule["id"]] = reason_of(rule.get("reason"))
    return found


def base_rule_id(rule_id: str) -> str:
    """``DataProtection-KMS2`` for ``DataProtection-KMS2[DeletionPolicy]``."""
    return rule_id.split("[", 1)[0]


def unknown(acknowledged: Iterable[str], rule_ids: Iterable[str], pack_name: str) -> dict[str, str | None]:
    """Acknowledged ids of ``pack_name`` that name no rule, each with the closest real rule id (or ``None``).

    Such an acknowledgement silences nothing (``DataProtection-IB01`` for ``DataProtection-IB1``), so the
    front ends warn about it instead of letting it match nothing in silence.
    """
    known = [f"{pack_name}-{rule_id}" for rule_id in rule_ids]
    found: dict[str, str | None] = {}
    for ack in acknowledged:
        if not ack.startswith(f"{pack_name}-"):
            continue
        base = base_rule_id(ack).removesuffix("-RuleError")
        if base not in known:
            close = difflib.get_close_matches(base, known, n=1)
            found[ack] = close[0] if close else None
    return found
