"""Starting the in-process moto server used by the test suite."""
from __future__ import annotations

from ddbsql.exec.local_endpoint import LocalEndpoint


def start_moto(host: str = "127.0.0.1", port: int = 0) -> LocalEndpoint:
    """Start and return a :class:`LocalEndpoint` (moto: DynamoDB + S3) on a free port."""
    return LocalEndpoint(host=host, port=port).start()
