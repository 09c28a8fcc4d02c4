"""Tells CDK tokens from literal values, without a round trip to Node for Python strings.

``cdk.Token.is_unresolved`` is a jsii call (~0.3 ms each): validating a thousand components would
spend seconds on it. A token that reaches Python as a string is always encoded with the marker
``${Token[``, so strings are answered locally; every other value still asks the CDK.
"""

from __future__ import annotations

import aws_cdk as cdk

STRING_TOKEN_MARKER = "${Token["
LIST_TOKEN_MARKER = "#{Token["


def is_unresolved(value: object) -> bool:
    """Whether ``value`` is (or contains) an unresolved CDK token."""
    if isinstance(value, str):
        return STRING_TOKEN_MARKER in value
    return bool(cdk.Token.is_unresolved(value))


def is_list_token(value: object) -> bool:
    """Whether ``value`` is a list token (``Fn.split``, ``value_as_list``): a list of one encoded string."""
    return (
        isinstance(value, list)
        and len(value) == 1
        and isinstance(value[0], str)
        and value[0].startswith(LIST_TOKEN_MARKER)
    )
