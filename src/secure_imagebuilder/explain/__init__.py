"""Who can use each KMS key of a stack, by which path, under which conditions; the R1-R19 evidence.

``answer.explain(stack, findings)`` is the entry point: ``encrypted`` finds the keys and what they encrypt,
``principals`` the candidates, ``paths`` evaluates them with the rules' evaluator, ``flags`` places the
pack's findings, ``words`` puts conditions in words; ``evidence`` builds the report of ``report``.
Pure Python: never imports aws_cdk, constructs, cdk_nag or jsii (``explain`` and ``report`` run without Node).
"""
