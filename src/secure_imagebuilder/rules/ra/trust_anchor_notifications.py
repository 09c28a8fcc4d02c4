"""RA2: trust anchors notify before CA and end-entity certificates expire (R19)."""

from __future__ import annotations

from secure_imagebuilder.rules import values as v
from secure_imagebuilder.rules.model import Level, Resource, Rule, RuleResult, Stack

EVENTS = ("CA_CERTIFICATE_EXPIRY", "END_ENTITY_CERTIFICATE_EXPIRY")


def trust_anchor_notifications(resource: Resource, stack: Stack) -> RuleResult:
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


RULE = Rule(
    id="RA2",
    level=Level.ERROR,
    refs=("R19",),
    info="The trust anchor does not enable notifications for CA or end-entity certificate expiry.",
    explanation=(
        "R19: add NotificationSettings with Enabled: true for CA_CERTIFICATE_EXPIRY and "
        "END_ENTITY_CERTIFICATE_EXPIRY so certificates are rotated before they expire."
    ),
    applies_to=("AWS::RolesAnywhere::TrustAnchor",),
    check=trust_anchor_notifications,
)
