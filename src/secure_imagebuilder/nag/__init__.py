"""The CDK policy-validation plugin (cdk-nag 3 shape) over the rule engine: ``DataProtectionChecks``.

``Validations.of(app).add_plugins(DataProtectionChecks(app))``; rules in docs/rules.md. This package
holds only the adapter: it imports ``aws_cdk`` and ``secure_imagebuilder.rules``, never a construct.
"""

from secure_imagebuilder.nag.pack import DataProtectionChecks
from secure_imagebuilder.rules.table import FIPS_CONTEXT_KEY, PACK_NAME, RULES

__all__ = ["FIPS_CONTEXT_KEY", "PACK_NAME", "RULES", "DataProtectionChecks"]
