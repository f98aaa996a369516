"""End-to-end fixtures: a ddbsql connection on each DynamoDB backend (see support.ddb_env)."""
from __future__ import annotations

import pytest

from support.ddb_env import Env, open_connection


@pytest.fixture
def env(ddb_backend, tmp_path):
    """Runs once against moto and once against DynamoDB Local."""
    conn = open_connection(ddb_backend, tmp_path)
    yield Env(ddb_backend, conn, tmp_path)
    conn.close()


@pytest.fixture
def moto_env(moto_backend, tmp_path):
    """moto only: for checks where the two servers cannot differ."""
    conn = open_connection(moto_backend, tmp_path)
    yield Env(moto_backend, conn, tmp_path)
    conn.close()


@pytest.fixture
def proxied_env(dynamodb_local_endpoint, aws_credentials, tmp_path):
    """DynamoDB Local behind the request-counting proxy: ``(proxy, env)``; ``proxy.count("request",
    "UpdateItem")`` tells how many requests of an operation ddbsql sent."""
    from support.ddb_proxy import DynamoDBProxy
    from support.ddb_env import Upstream
    proxy = DynamoDBProxy(dynamodb_local_endpoint).start()
    backend = Upstream(proxy.url)
    conn = open_connection(backend, tmp_path)
    yield proxy, Env(backend, conn, tmp_path)
    conn.close()
    proxy.stop()
