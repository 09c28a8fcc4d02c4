"""The flow matrix: every call a build makes, as requests the policy evaluator decides. Pure Python.

``scene`` finds a template's pipeline parts, ``matrix`` holds the flows (docs/flows.md), ``check`` decides
them against a stack's policies.
"""
