"""The policy evaluator, re-exported from the library, and a view of a template's resolved values for tests.

``TemplateView`` is how the tests read a synthesized template the way the evaluator does: each value's
first alternative in the value model's symbolic view (one account, one Region), each resource's ARN.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from secure_imagebuilder.rules.common import symbolic_arn
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.evaluator import PolicyEvaluator, as_stack
from secure_imagebuilder.rules.engine.policy import ACCOUNT, PARTITION, REGION, Decision, Request


class TemplateView:
    """A synthesized template with its intrinsics resolved in the evaluator's symbolic view."""

    account, region, partition = ACCOUNT, REGION, PARTITION

    def __init__(self, template: Mapping[str, Any]) -> None:
        self.template = template
        self.stack = as_stack(template)
        self.resources: dict[str, Any] = dict(template.get("Resources", {}))

    def arn(self, logical_id: str) -> str:
        """The ARN a resource of the template has in the evaluator's view."""
        return symbolic_arn(self.stack, logical_id)

    def resolve(self, value: Any) -> Any:
        """The first fully resolved alternative of ``value``."""
        found = v.resolved(value, self.stack)
        return found[0].value if found else None

    def of_type(self, kind: str) -> dict[str, Any]:
        """The resolved resources of one type, by logical id."""
        return {lid: self.resolve(res) for lid, res in self.resources.items() if res.get("Type") == kind}


__all__ = ["ACCOUNT", "PARTITION", "REGION", "Decision", "PolicyEvaluator", "Request", "TemplateView"]
