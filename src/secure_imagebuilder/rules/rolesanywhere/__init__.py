"""Rules on IAM Roles Anywhere profiles, trust anchors and the roles they vend (R1, R19)."""
