"""Rules on CloudTrail: the audit trail of Image Builder activity (R4, R16)."""
