"""The numbers both the constructs and the rules enforce, each cited by R-number. Pure Python.

A construct refuses (or warns about) a value on the wrong side of a threshold at synth time; the rule of
the same R-number reports it in any template. Both import it from here, so they never disagree.
"""

from __future__ import annotations

MIN_PENDING_WINDOW_DAYS = 30
"""R15: a key scheduled for deletion waits the longest window KMS allows (KMS3)."""

MAX_ROLES_ANYWHERE_SESSION_SECONDS = 3600
"""R1, R19: Roles Anywhere sessions last at most one hour unless acknowledged (RA1)."""

MIN_TLS_VERSION = 1.2
"""R3: buckets refuse requests below TLS 1.2 (TLS1)."""
