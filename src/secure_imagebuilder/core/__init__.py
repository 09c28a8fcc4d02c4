"""The plumbing every construct shares: one module per concern, no construct in here.

Pure Python (no ``aws_cdk``, ``constructs`` or ``jsii``; the rule engine and the scanner import them):
``defaults`` (secure defaults and limits, cited by R-number), ``detect`` (the one detector of sensitive
data, URL credentials, secrets and private keys), ``redact``.
CDK-aware: ``tokens`` (token checks without a jsii round trip), ``validation`` (collect problems and
raise once), ``permissions`` (action lists and conditions of every grant), ``documents`` (loading
component and workflow documents), ``versions`` (the version lock), ``versioned`` (the base of the
versioned resources), ``checks`` (synth-time checks shared by several constructs).

This package imports nothing from the constructs, ``rules`` or ``nag``: dependencies point into it.
"""
