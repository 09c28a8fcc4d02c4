"""Acknowledgements recorded by ``Validations.of(construct).acknowledge(...)``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

# `Annotation::` is written by aws-cdk-lib >= 2.262.1 (`annotation::` before); a plugin-namespaced id
# (`DataProtectionChecks::DataProtection-IB1`) is accepted as well.
# `cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY`, spelled out: reading the static costs a jsii round trip.
METADATA_KEY = "aws:cdk:acknowledged-rules"
_PREFIX = re.compile(r"^(?:annotation|[A-Za-z0-9-]*checks)::", re.IGNORECASE)


def acknowledged_ids(entries: Iterable[Any]) -> set[str]:
    """Rule ids acknowledged by metadata entries (dicts from a manifest or jsii ``MetadataEntry``)."""
    ids: set[str] = set()
    for entry in entries:
        if isinstance(entry, Mapping):
            entry_type, data = entry.get("type"), entry.get("data")
        else:
            entry_type, data = getattr(entry, "type", None), getattr(entry, "data", None)
        if entry_type == METADATA_KEY and isinstance(data, Mapping):
            ids.update(_PREFIX.sub("", str(key)) for key in data)
    return ids


def base_rule_id(rule_id: str) -> str:
    """``DataProtection-KMS2`` for ``DataProtection-KMS2[DeletionPolicy]``."""
    return rule_id.split("[", 1)[0]
