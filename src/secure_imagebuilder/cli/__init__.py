"""The ``secure-imagebuilder`` console script: the rule table of DataProtectionChecks over any template.

``secure-imagebuilder scan PATH... [--format text|json|sarif|junit] [--output FILE] [--fips]`` reads
CloudFormation templates (JSON, or YAML with short-form tags) and cloud assemblies (``cdk.out``), runs
``secure_imagebuilder.rules`` on them and reports in the format CI wants. Pure Python: this package
imports neither ``aws_cdk`` nor ``jsii`` (tests/cli checks it), so it runs without Node.
"""
