"""Benchmarks: each prints ddbsql's figure next to a baseline measured in the same run."""
