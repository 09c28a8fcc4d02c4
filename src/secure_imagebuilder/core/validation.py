"""One place that formats synth-time errors for bad input.

Constructs collect every problem first and raise once, so a user fixes all of them in one pass.
Messages are lowercase, name the construct path, show the bad value and say the fix.
"""

from __future__ import annotations

from constructs import IConstruct

MAX_SHOWN = 80


def shown(value: object) -> str:
    """``repr(value)`` for a message: credentials redacted, at most ``MAX_SHOWN`` characters."""
    from secure_imagebuilder.core import detect  # pure Python; imported here to keep this module light

    text = repr(value)
    if text.startswith("<") and " object at 0x" in text:
        return f"a {type(value).__name__}"  # a jsii or other object: its type, not its memory address
    if (
        detect.ACCESS_KEY_ID.search(text)
        or detect.secret_kinds(text)
        or (isinstance(value, str) and detect.url_credential_kinds(value))
    ):
        return f"<redacted: {len(text)} characters that look like a credential>"
    if len(text) > MAX_SHOWN:
        return f"{text[: MAX_SHOWN - 20]}... ({len(text)} characters)"
    return text


class ValidationProblems:
    """Collects the problems found in one construct's input and raises them together."""

    def __init__(self, scope: IConstruct | None, child_id: str | None = None) -> None:
        """Start an empty list of problems for ``scope`` (its path prefixes every message).

        ``child_id`` names a construct not created yet (checked before CDK's own constructor runs, whose
        errors would not name it): the path is then ``<scope path>/<child_id>``. Without a scope (a
        function given no construct), ``child_id`` is the function's name and prefixes the messages.
        """
        self._scope = scope  # the path is read only when there is an error: it costs a jsii call
        self._child_id = child_id
        self._problems: list[str] = []

    def add(self, what: str, value: object, fix: str) -> None:
        """Record that ``value`` is wrong because of ``what``; ``fix`` tells the user what to do.

        The value is shown shortened (``MAX_SHOWN`` characters) and never repeats a credential.
        """
        self._problems.append(f"{what}: got {shown(value)}; {fix}")

    def __bool__(self) -> bool:
        """Tell whether any problem was recorded."""
        return bool(self._problems)

    def __len__(self) -> int:
        """How many problems were recorded (a check can tell whether it added any)."""
        return len(self._problems)

    def raise_if_any(self) -> None:
        """Raise one ``ValueError`` listing every recorded problem, or do nothing if there is none."""
        if not self._problems:
            return
        path = self._scope.node.path if self._scope is not None else ""
        if self._child_id is not None:
            path = f"{path}/{self._child_id}".lstrip("/")
        if len(self._problems) == 1:
            raise ValueError(f"{path}: {self._problems[0]}")
        lines = "\n".join(f"  - {problem}" for problem in self._problems)
        raise ValueError(f"{path}: {len(self._problems)} problems:\n{lines}")
