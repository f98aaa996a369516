"""Test-only helpers: local DynamoDB/S3 servers (moto and AWS DynamoDB Local)."""
