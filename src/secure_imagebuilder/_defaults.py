"""Secure defaults and service limits, as pure data, each cited by the recommendation it implements.

Code, tests and docs read these names so that they always agree on the numbers.
The R-numbers refer to ``shared/reference/README.md``.
"""

from __future__ import annotations

import aws_cdk as cdk

# --- KMS keys (R5, R15) -------------------------------------------------------------------------
KEY_ROTATION_ENABLED = True
"""R5: customer managed keys rotate their key material every year by default."""

KEY_REMOVAL_POLICY = cdk.RemovalPolicy.RETAIN
"""R15: deleting the key makes every workflow and component encrypted with it unusable."""

KEY_PENDING_WINDOW = cdk.Duration.days(30)
"""R15: if someone schedules deletion anyway, the longest window KMS allows to cancel it."""

# --- The encryption context Image Builder uses (R12) -------------------------------------------
ENCRYPTION_CONTEXT_KEY = "kms:EncryptionContext:aws:imagebuilder:arn"
"""R12: the condition key that carries the ARN of the Image Builder resource being encrypted."""

IMAGEBUILDER_SERVICE = "imagebuilder.amazonaws.com"

# --- Image Builder document limits (CloudFormation resource specification) -----------------------
MAX_INLINE_DOCUMENT_CHARS = 16_000
"""``Data`` of AWS::ImageBuilder::Component and AWS::ImageBuilder::Workflow: at most 16,000 characters."""

NAME_PATTERN = r"^[-_A-Za-z0-9][-_A-Za-z0-9 ]{1,126}[-_A-Za-z0-9]$"
"""Image Builder resource names: 3-128 characters, letters, digits, ``-``, ``_`` and inner spaces."""

SEMANTIC_VERSION_PATTERN = r"^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})$"
"""Image Builder semantic versions: ``major.minor.patch``, no leading zeros, no wildcard, no build."""

WORKFLOW_TYPES = ("BUILD", "TEST", "DISTRIBUTION")
COMPONENT_PLATFORMS = ("Linux", "Windows", "macOS")

# --- The version lock (immutable Image Builder versions) ---------------------------------------
VERSIONS_FILE_CONTEXT_KEY = "secure-imagebuilder:versions-file"
"""Context key naming the JSON file that remembers the content of each published version."""
