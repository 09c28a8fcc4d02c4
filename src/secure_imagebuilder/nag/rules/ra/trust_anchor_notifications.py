"""RA2: trust anchors notify before CA and end-entity certificates expire (R19)."""

from __future__ import annotations

from secure_imagebuilder.nag import _values as v
from secure_imagebuilder.nag._model import Resource, RuleResult, StackView

EVENTS = ("CA_CERTIFICATE_EXPIRY", "END_ENTITY_CERTIFICATE_EXPIRY")


def trust_anchor_notifications(resource: Resource, stack: StackView) -> RuleResult:
    """One finding per expiry event without an explicit enabled ``NotificationSettings`` entry."""
    settings = v.get(resource.props, "NotificationSettings")
    if settings is not None and not isinstance(settings, list):
        return []  # a token: the settings are decided at deploy time
    enabled = set()
    for setting in v.as_list(settings):
        event, flag = v.get(setting, "Event"), v.get(setting, "Enabled")
        if isinstance(event, str) and flag is not None and v.truthy(flag) is not False:
            enabled.add(event)
    return [event for event in EVENTS if event not in enabled]
