"""What reports never print: the value of a ``NoEcho`` parameter, and any text a secret rule would flag.

Every message built from template values (what a rule could not read, which parameter value leads to a
finding, a rule's crash) goes through :func:`redacted` before any front end prints it, in every format
and in the cdk-nag report. Pure Python.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from secure_imagebuilder.core import detect
from secure_imagebuilder.rules.engine import values as v

HIDDEN = "(hidden)"


def is_secret(text: str) -> bool:
    """Whether ``text`` holds what SEC1, SD1 or URL1 would report as a credential."""
    return bool(
        detect.secret_kinds(text)
        or detect.url_credential_kinds(text)
        or detect.has_auth_header(text)
        or detect.ACCESS_KEY_ID.search(text)
    )


def no_echo_values(parameters: Mapping[str, Any]) -> Iterator[str]:
    """The text of every ``Default`` and ``AllowedValues`` entry of the ``NoEcho`` parameters."""
    for parameter in parameters.values():
        if isinstance(parameter, Mapping) and v.truthy(parameter.get("NoEcho")) is True:
            for option in v.parameter_options(parameter):
                for item in v.as_list(option):
                    if isinstance(item, str | int | float) and str(item):
                        yield str(item)


def is_no_echo(parameters: Mapping[str, Any], name: str) -> bool:
    """Whether parameter ``name`` is declared ``NoEcho: true``."""
    return v.truthy(v.get(parameters.get(name), "NoEcho")) is True


def redacted(text: str, stack: Any = None) -> str:
    """``text`` with the ``NoEcho`` values of ``stack`` replaced; hidden whole if it holds a secret."""
    for value in sorted(no_echo_values(getattr(stack, "parameters", {}) or {}), key=len, reverse=True):
        text = text.replace(value, HIDDEN)
    return f"{HIDDEN} (it holds a credential)" if is_secret(text) else text
