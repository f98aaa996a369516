"""Spark fixtures: one ``local[2]`` SparkSession for the whole run, format ``ddbsql``
registered with its budget coordinator, and a counting HTTP proxy in front of DynamoDB
Local (what Spark's tasks send is counted on the wire, not inside ddbsql).

Skipped when pyspark or java is missing (``DDBSQL_REQUIRE_SPARK=1`` fails instead).
"""
from __future__ import annotations

import collections
import http.client
import os
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

TEST_ACCESS_KEY, TEST_SECRET_KEY, TEST_REGION = "AKIDTEST", "secret", "us-east-1"


def _missing() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'ddbsql[spark]')"
    if shutil.which("java") is None:
        return "java is not on PATH (Spark needs it)"
    return None


@pytest.fixture(scope="session")
def spark():
    reason = _missing()
    if reason:
        if os.environ.get("DDBSQL_REQUIRE_SPARK", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    import ddbsql.spark

    # Spark's Python workers inherit the environment of the JVM, started here: the
    # dummy credentials every test uses must be in it from the start.
    dummy = {"AWS_ACCESS_KEY_ID": TEST_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": TEST_SECRET_KEY,
             "AWS_DEFAULT_REGION": TEST_REGION}
    saved = {k: os.environ.get(k) for k in dummy}
    os.environ.update(dummy)
    session = ddbsql.spark.local_session("local[2]", "ddbsql-tests")
    try:
        yield session
    finally:
        session.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def registration(spark):
    """Format ddbsql with the budget coordinator and filter pushdown."""
    import ddbsql.spark

    registration = ddbsql.spark.register(spark, filter_pushdown=True)
    yield registration
    registration.close()


class CountingProxy:
    """Forwards HTTP requests to ``upstream`` and counts them by ``X-Amz-Target``
    operation (``Scan``, ``Query``, ``GetItem``…): ``counts``, a Counter."""

    def __init__(self, upstream: str):
        target = urlsplit(upstream)
        self.counts: collections.Counter = collections.Counter()
        lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                operation = (self.headers.get("X-Amz-Target") or "").rpartition(".")[2]
                with lock:
                    proxy.counts[operation] += 1
                upstream_conn = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                    upstream_conn.request("POST", self.path, body=body, headers=headers)
                    response = upstream_conn.getresponse()
                    data = response.read()
                finally:
                    upstream_conn.close()
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def reset(self) -> None:
        self.counts.clear()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def proxy(dynamodb_local_endpoint):
    counting = CountingProxy(dynamodb_local_endpoint)
    yield counting
    counting.close()
