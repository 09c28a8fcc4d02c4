"""Rules on SNS topics and topic policies (R3)."""
