"""Rules on S3 buckets and bucket policies (R3)."""
