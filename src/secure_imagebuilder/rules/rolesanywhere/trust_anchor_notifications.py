"""RA2: trust anchors notify before CA and end-entity certificates expire (R19)."""

from __future__ import annotations

from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack

EVENTS = ("CA_CERTIFICATE_EXPIRY", "END_ENTITY_CERTIFICATE_EXPIRY")


def trust_anchor_notifications(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per expiry event whose ``NotificationSettings`` entry can deploy with ``Enabled: false``.

    Without the property (or without an entry for an event) IAM Roles Anywhere applies its default
    settings, configured by ``rolesanywhere.amazonaws.com``: notifications on, 45 days ahead (Roles Anywhere
    user guide, "Customize notification settings"; API reference, ``NotificationSettingDetail``).
    """
    disabled: list[str] = []
    for settings in v.reach(resource.props, "NotificationSettings", parameters=stack.parameters):
        for setting in v.as_list(settings) if isinstance(settings, list) else []:
            for entry in v.alternatives(setting, stack.parameters):
                event = v.get(entry, "Event")
                flags = v.reach(entry, "Enabled", parameters=stack.parameters)
                if isinstance(event, str) and any(v.truthy(flag) is False for flag in flags):
                    disabled.append(event)
    return [event for event in EVENTS if event in disabled]


RULE = Rule(
    id="RA2",
    level=Level.ERROR,
    refs=("R19",),
    info="The trust anchor turns off the notification for CA or end-entity certificate expiry.",
    explanation=(
        "R19: leave NotificationSettings unset (the service notifies 45 days ahead) or set Enabled: true "
        "for CA_CERTIFICATE_EXPIRY and END_ENTITY_CERTIFICATE_EXPIRY, so certificates are rotated before "
        "they expire."
    ),
    applies_to=("AWS::RolesAnywhere::TrustAnchor",),
    check=trust_anchor_notifications,
)
