"""Synth-time checks shared by the pipeline's pieces: account ids, tags and names (R8)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from secure_imagebuilder.core import defaults, tokens
from secure_imagebuilder.core.validation import ValidationProblems


def validate_account_ids(problems: ValidationProblems, what: str, account_ids: Iterable[str]) -> list[str]:
    """Every id is 12 digits (tokens are skipped); returns the ids, duplicates removed, in order."""
    seen: list[str] = []
    for account_id in account_ids:
        if not tokens.is_unresolved(account_id) and not re.match(defaults.ACCOUNT_ID_PATTERN, account_id):
            problems.add(
                f"{what} must be 12-digit AWS account ids", account_id, "write the id with all 12 digits"
            )
        if account_id not in seen:
            seen.append(account_id)
    return seen


def validate_free_text(problems: ValidationProblems, what: str, value: str | None) -> None:
    """R8: no e-mail address or account number in a tag, name or description."""
    if value is None or tokens.is_unresolved(value):
        return
    for pattern, kind in defaults.SENSITIVE_TAG_PATTERNS:
        if re.search(pattern, value):
            problems.add(
                f"{what} contains {kind}, which never belongs in tags or names (R8)",
                value,
                "keep sensitive data out of tags and free-form fields; they appear in billing and logs",
            )


def validate_tags(problems: ValidationProblems, tags: Mapping[str, str] | None) -> None:
    """R8: tag keys and values carry no e-mail address or account number."""
    for tag_key, tag_value in (tags or {}).items():
        validate_free_text(problems, f"the tag key {tag_key!r}", tag_key)
        validate_free_text(problems, f"the tag {tag_key!r}", tag_value)
