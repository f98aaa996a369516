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
