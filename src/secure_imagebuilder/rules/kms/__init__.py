"""Rules of the KMS area."""
