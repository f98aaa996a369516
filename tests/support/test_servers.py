"""The local servers the suite runs against answer real HTTP requests."""
from __future__ import annotations

import os
import re
import socket
import sys
import urllib.parse

import boto3
import pytest

from ddbsql.errors import ConfigError
from ddbsql.exec.local_endpoint import LocalEndpoint
from support.dynamodb_local import default_cache_dir, missing_tools
from support.servers import start_moto

CREDS = {"aws_access_key_id": "AKIDTEST", "aws_secret_access_key": "secret",
         "region_name": "us-east-1"}


def _port_of(url: str) -> int:
    parsed = urllib.parse.urlsplit(url)
    assert parsed.scheme == "http"
    assert parsed.hostname == "127.0.0.1"
    return parsed.port


def _accepts_connections(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _create_table(client, name: str) -> None:
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"}],
        BillingMode="PAY_PER_REQUEST",
    )
    client.get_waiter("table_exists").wait(TableName=name,
                                           WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})


# -- both backends ---------------------------------------------------------------------

def test_backend_create_put_scan(ddb_backend, unique_table_name):
    client = ddb_backend.client()
    _port_of(ddb_backend.url)
    _create_table(client, unique_table_name)
    items = [{"pk": {"S": "a"}, "sk": {"N": str(i)}, "v": {"S": f"value {i}"}} for i in range(3)]
    for item in items:
        client.put_item(TableName=unique_table_name, Item=item)

    scanned = client.scan(TableName=unique_table_name, ConsistentRead=True)["Items"]

    assert sorted(scanned, key=lambda it: int(it["sk"]["N"])) == items
    listed = [name for page in client.get_paginator("list_tables").paginate() for name in page["TableNames"]]
    assert unique_table_name in listed
    client.delete_table(TableName=unique_table_name)


def test_backend_rejects_invalid_table_name(ddb_backend):
    client = ddb_backend.client()
    with pytest.raises(client.exceptions.ClientError) as info:
        client.describe_table(TableName="no spaces allowed")
    assert info.value.response["Error"]["Code"] in {"ValidationException",
                                                    "ResourceNotFoundException"}


def test_backend_env_credentials(ddb_backend):
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIDTEST"
    assert os.environ["AWS_SECRET_ACCESS_KEY"] == "secret"
    # A client built purely from the environment works too.
    client = boto3.client("dynamodb", endpoint_url=ddb_backend.url)
    assert "TableNames" in client.list_tables()


def test_moto_backend(moto_backend, unique_table_name):
    assert moto_backend.name == "moto"
    client = moto_backend.client(region="eu-west-1")
    _create_table(client, unique_table_name)
    assert client.describe_table(TableName=unique_table_name)["Table"]["TableName"] \
        == unique_table_name


# -- environment and helpers -----------------------------------------------------------

def test_session_ignores_real_aws_config():
    for var in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        path = os.environ[var]
        assert os.path.getsize(path) == 0
        assert not path.startswith(os.path.expanduser("~/.aws"))
    assert os.environ["AWS_EC2_METADATA_DISABLED"] == "true"
    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        assert var not in os.environ


def test_unique_table_name(unique_table_name):
    names = {str(unique_table_name), unique_table_name(), unique_table_name("orders"),
             unique_table_name("weird name/with:chars")}
    assert len(names) == 4
    for name in names:
        assert re.fullmatch(r"[A-Za-z0-9_.-]{3,255}", name), name


@pytest.mark.parametrize("param", ["x" * 300, "a[b]"])
def test_unique_table_name_long_and_odd_test_names(unique_table_name, param):
    assert re.fullmatch(r"[A-Za-z0-9_.-]{3,255}", unique_table_name)


def test_dynamodb_local_cache_dir_default(monkeypatch, tmp_path):
    monkeypatch.setenv("DDBSQL_CACHE_DIR", str(tmp_path))
    assert default_cache_dir() == tmp_path / "dynamodb-local-2.9.30"
    monkeypatch.delenv("DDBSQL_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert str(default_cache_dir()) == \
        os.path.expanduser("~/.cache/ddbsql/dynamodb-local-2.9.30")


def test_missing_tools_reports_java_and_npm(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert missing_tools(tmp_path / "empty-cache") == ["java", "npm"]


# -- LocalEndpoint ---------------------------------------------------------------------

def test_moto_endpoint_fixture_is_served(moto_endpoint):
    assert _accepts_connections(_port_of(moto_endpoint))


def test_local_endpoint_serves_dynamodb_and_s3(unique_table_name):
    with LocalEndpoint() as endpoint:
        ddb = boto3.client("dynamodb", endpoint_url=endpoint.url, **CREDS)
        _create_table(ddb, unique_table_name)
        ddb.put_item(TableName=unique_table_name, Item={"pk": {"S": "k"}, "sk": {"N": "1"}})
        assert ddb.scan(TableName=unique_table_name)["Count"] == 1

        s3 = boto3.client("s3", endpoint_url=endpoint.url, **CREDS)
        bucket = unique_table_name.lower().replace("_", "-")[:63].strip("-.")
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="dir/object.json", Body=b'{"a": 1}')
        assert s3.get_object(Bucket=bucket, Key="dir/object.json")["Body"].read() == b'{"a": 1}'
        assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] \
            == ["dir/object.json"]


def test_local_endpoint_port_zero_gets_real_port():
    endpoint = LocalEndpoint(port=0)
    with pytest.raises(RuntimeError):
        endpoint.url
    endpoint.start()
    try:
        port = _port_of(endpoint.url)
        assert port == endpoint.port and port > 0
        assert _accepts_connections(port)
    finally:
        endpoint.stop()
    assert not endpoint.running
    assert not _accepts_connections(port)


def test_two_local_endpoints_at_once():
    first, second = start_moto(), start_moto()
    try:
        assert first.port != second.port
        for endpoint in (first, second):
            client = boto3.client("dynamodb", endpoint_url=endpoint.url, **CREDS)
            assert "TableNames" in client.list_tables()
    finally:
        first.stop()
        second.stop()


def test_local_endpoint_busy_port_raises_config_error():
    with LocalEndpoint() as endpoint:
        with pytest.raises(ConfigError, match="cannot start local endpoint"):
            LocalEndpoint(port=endpoint.port).start()


def test_local_endpoint_prints_nothing_to_stdout(capfd):
    with LocalEndpoint() as endpoint:
        boto3.client("dynamodb", endpoint_url=endpoint.url, **CREDS).list_tables()
    captured = capfd.readouterr()
    assert captured.out == ""
    assert "HTTP/1.1" not in captured.err  # no Werkzeug request log lines


def test_local_endpoint_without_moto(monkeypatch):
    monkeypatch.setitem(sys.modules, "moto.server", None)  # makes the import fail
    with pytest.raises(ConfigError, match=re.escape("pip install 'ddbsql[local]'")):
        LocalEndpoint().start()
