"""IAM Roles Anywhere: ``RolesAnywhereAccess`` (``access``) and its certificate checks (``certificates``).

Imports ``core`` only; nothing in the Image Builder constructs depends on it.
"""
