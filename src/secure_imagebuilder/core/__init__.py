"""The plumbing every construct shares: one module per concern, no construct in here.

Pure Python (no ``aws_cdk``, ``constructs`` or ``jsii``; the rule engine and the scanner import them):
``thresholds`` (every number constructs and rules enforce), ``detect`` (the one detector of sensitive
data, URL credentials, secrets and private keys).
CDK-aware: ``defaults`` (secure defaults, cited by R-number), ``tokens`` (token checks without a jsii
round trip), ``validation`` (collect problems and raise once), ``permissions`` (action lists and
conditions of every grant), ``keys`` (grants on any key, reports for a key's owner), ``documents``
(loading component and workflow documents), ``versions`` (the version lock), ``versioned`` (what the
versioned resources share), ``cdk_types`` (CDK types in props), ``suppressions`` (deliberate exceptions
in the template), ``checks`` (synth-time checks shared by several constructs).

This package imports nothing from the constructs, ``rules`` or ``nag``: dependencies point into it.
"""
