"""The rule engine of DataProtectionChecks, pure Python: never imports aws_cdk, constructs, cdk_nag, jsii.

What lives here: the model every rule reads (``model``: Resource, Stack, Rule, Finding), the
CloudFormation value helpers (``values``), acknowledgements (``acks``), readers of templates and cloud
assemblies (``assembly``), the engine (``engine.evaluate``), the ordered rule table (``table``), the IAM/KMS
policy evaluator (``policy``), the docs renderer (``docs``) and one rule per file under ``<area>/``.
It may import ``secure_imagebuilder.core.detect`` (pure Python) and nothing else of the library; the
front ends (``nag``, ``cli``, ``testing``) import it. tests/rules/test_engine.py enforces the boundary.
"""
