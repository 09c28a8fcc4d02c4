"""The policy evaluator, re-exported from the library (``secure_imagebuilder.rules.engine.policy``)."""

from secure_imagebuilder.rules.engine.policy import (
    ACCOUNT,
    PARTITION,
    REGION,
    Decision,
    PolicyEvaluator,
    Request,
    TemplateResolver,
)

__all__ = ["ACCOUNT", "PARTITION", "REGION", "Decision", "PolicyEvaluator", "Request", "TemplateResolver"]
