"""RA2: trust anchors notify before CA and end-entity certificates expire (R19)."""

from __future__ import annotations

from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack, Undecided

EVENTS = ("CA_CERTIFICATE_EXPIRY", "END_ENTITY_CERTIFICATE_EXPIRY")


def trust_anchor_notifications(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per expiry event whose ``NotificationSettings`` entry can deploy with ``Enabled: false``.

    Without the property (or without an entry for an event) IAM Roles Anywhere applies its default
    settings, configured by ``rolesanywhere.amazonaws.com``: notifications on, 45 days ahead (Roles Anywhere
    user guide, "Customize notification settings"; API reference, ``NotificationSettingDetail``).
    """
    found: dict[str, str | Undecided] = {}
    for settings in v.reach(resource.props, "NotificationSettings", stack=stack):
        if isinstance(settings, v.Unknown):  # settings only known at deploy time may turn either off
            for event in EVENTS:
                found.setdefault(event, Undecided(event, settings))
        for setting in v.as_list(settings) if isinstance(settings, list) else []:
            for entry in v.alternatives(setting, stack):
                for event in v.reach(entry, "Event", stack=stack):
                    for flag in v.reach(entry, "Enabled", stack=stack):
                        _judge(event, flag, found)
    return [found[event] for event in EVENTS if event in found]


def _judge(event: object, flag: object, found: dict[str, str | Undecided]) -> None:
    """Record what one entry's ``Enabled`` does to its event (one only known at deploy time: either)."""
    targets = EVENTS if isinstance(event, v.Unknown) else (event,) if event in EVENTS else ()
    for target in targets:
        if v.truthy(flag) is False:
            if isinstance(event, v.Unknown):
                found.setdefault(target, Undecided(target, event))
            else:
                found[target] = target
        elif flag is not v.ABSENT and v.truthy(flag) is None:
            found.setdefault(target, Undecided(target, flag))


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
    unknown=(
        "An Enabled flag, an event or settings only known at deploy time are an undecided warning naming "
        "each event they may turn off."
    ),
)
