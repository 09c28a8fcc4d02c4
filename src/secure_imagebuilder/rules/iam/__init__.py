"""Rules of the IAM area."""
