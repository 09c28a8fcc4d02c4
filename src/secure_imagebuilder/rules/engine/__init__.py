"""The engine of DataProtectionChecks: what every rule reads and how rules run. Pure Python.

``model`` (Resource, Stack, Rule, Finding), ``values`` (the value model: the one place that reads
CloudFormation intrinsics), ``policy`` (the IAM/KMS policy evaluator, which reads values through the
value model), ``run`` (``evaluate(stacks) -> findings``), ``assumptions`` (which condition or parameter
leads to a finding), ``acks`` (acknowledgements), ``templates`` (template files) and ``assembly``
(cloud assemblies). The checks live beside this package, one folder per service.
"""
