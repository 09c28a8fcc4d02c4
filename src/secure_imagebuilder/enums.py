"""The closed choices of Image Builder props as enums (the props take these, not strings)."""

from __future__ import annotations

import enum


class Platform(enum.StrEnum):
    """The operating system family a component runs on (``AWS::ImageBuilder::Component`` ``Platform``)."""

    LINUX = "Linux"
    WINDOWS = "Windows"
    MACOS = "macOS"


class WorkflowType(enum.StrEnum):
    """The phase a workflow runs in (``AWS::ImageBuilder::Workflow`` ``Type``)."""

    BUILD = "BUILD"
    TEST = "TEST"
    DISTRIBUTION = "DISTRIBUTION"
