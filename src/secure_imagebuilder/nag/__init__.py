"""cdk-nag v3 pack for the EC2 Image Builder and IAM Roles Anywhere data-protection guidance.

``Validations.of(app).add_plugins(DataProtectionChecks(app))``; rules in docs/rules.md.
"""

from secure_imagebuilder.nag.pack import DataProtectionChecks
from secure_imagebuilder.rules.table import FIPS_CONTEXT_KEY, PACK_NAME, RULES

__all__ = ["FIPS_CONTEXT_KEY", "PACK_NAME", "RULES", "DataProtectionChecks"]
