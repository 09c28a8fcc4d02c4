"""The CDK policy-validation plugin (cdk-nag 3 shape) over the rule engine: ``DataProtectionChecks``.

``Validations.of(app).add_plugins(DataProtectionChecks(app))``; rules in docs/rules.md. This package
holds only the adapter: it imports ``aws_cdk`` and ``secure_imagebuilder.rules``, never a construct.
Without the ``cdk`` extra the import is an ``ImportError`` naming the extra.
"""

from secure_imagebuilder import _missing_extra
from secure_imagebuilder.rules.table import FIPS_CONTEXT_KEY, PACK_NAME, RULES

try:
    from secure_imagebuilder.nag.pack import DataProtectionChecks
except ModuleNotFoundError as error:
    clear = _missing_extra(error, "secure_imagebuilder.nag")
    if clear is None:
        raise
    raise clear from error

__all__ = ["FIPS_CONTEXT_KEY", "PACK_NAME", "RULES", "DataProtectionChecks"]
