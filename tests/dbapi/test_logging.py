"""The ``ddbsql`` logger: statement messages for library users, one DEBUG line per
DynamoDB request (moto over HTTP), and sqlglot's logger left as the application set it."""
from __future__ import annotations

import logging

import pytest
from botocore.exceptions import ClientError

import ddbsql
from ddbsql.cli.main import main
from ddbsql.exec.retry import RetryPolicy

HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"


def test_sqlglot_logger_is_left_alone(tmp_path):
    logger = logging.getLogger("sqlglot")
    logger.setLevel(logging.INFO)
    try:
        with ddbsql.connect(metastore=tmp_path / "m.db", region="us-east-1") as conn:
            conn.cursor().execute("SELECT 1")
        assert logger.level == logging.INFO
    finally:
        logger.setLevel(logging.NOTSET)


def test_statement_messages_are_logged(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="ddbsql")
    with ddbsql.connect(metastore=tmp_path / "m.db", region="us-east-1") as conn:
        cursor = conn.cursor()
        cursor.execute("CREATE TABLE t (a int)")
        cursor.execute("INSERT INTO t VALUES (1), (2)")
        cursor.execute("SELECT '${undefined_thing}'")
        cursor.fetchall()
    records = [(r.name, r.levelname, r.getMessage()) for r in caplog.records if r.name == "ddbsql.statement"]
    assert ("ddbsql.statement", "INFO", "Loaded 2 row(s) into default.t") in records
    assert ("ddbsql.statement", "WARNING", "variable ${undefined_thing} is not defined; left as written") in records


@pytest.mark.e2e
def test_each_dynamodb_request_is_logged_at_debug(moto_backend, tmp_path, unique_table_name, caplog):
    client = moto_backend.client()
    client.create_table(TableName=unique_table_name, KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "N"}],
                        BillingMode="PAY_PER_REQUEST")
    caplog.set_level(logging.DEBUG, logger="ddbsql.requests")
    with ddbsql.connect(endpoint_url=moto_backend.url, region="us-east-1", metastore=tmp_path / "m.db",
                        hiveconf={"ddbsql.reject.dir": str(tmp_path / "r")}) as conn:
        cursor = conn.cursor()
        cursor.execute(f"CREATE EXTERNAL TABLE d (k bigint, v string) STORED BY {HANDLER} "
                       f"TBLPROPERTIES ('dynamodb.table.name' = '{unique_table_name}')")
        cursor.execute("INSERT INTO d VALUES (1, 'hunter2'), (2, 'b')")
        cursor.execute("SELECT count(*) FROM d")
        assert cursor.fetchall() == [(2,)]
    lines = [r.getMessage() for r in caplog.records if r.name == "ddbsql.requests"]
    assert any(line.startswith(f"DescribeTable {unique_table_name}: ") for line in lines), lines
    written = [line for line in lines if line.startswith(f"BatchWriteItem {unique_table_name}: ")]
    assert written and "capacity units" in written[0] and "0 retries, 0 throttled" in written[0]
    assert any(line.startswith(f"Scan {unique_table_name}") for line in lines), lines
    text = "\n".join(lines)
    for secret in ("AKIDTEST", "secret", "hunter2"):   # the test credentials and item values never appear
        assert secret not in text


def test_retries_and_throttles_are_logged(caplog):
    caplog.set_level(logging.DEBUG, logger="ddbsql.requests")
    calls = []

    def request():
        calls.append(1)
        if len(calls) == 1:
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"},
                               "ResponseMetadata": {"HTTPStatusCode": 400}}, "BatchWriteItem")
        return {"ConsumedCapacity": [{"TableName": "t", "CapacityUnits": 5.0}],
                "UnprocessedItems": {"t": [{"PutRequest": {}}, {"PutRequest": {}}]}}

    policy = RetryPolicy(sleep=lambda seconds: None, rng=lambda: 0.5)
    policy.call(request, what="BatchWriteItem t")
    lines = [r.getMessage() for r in caplog.records if r.name == "ddbsql.requests"]
    assert lines[0] == ("BatchWriteItem t: try 1 failed (ProvisionedThroughputExceededException: slow down); "
                        "retrying in 0.03 s")
    assert lines[1].startswith("BatchWriteItem t: ") and lines[1].endswith(
        " s, 5 capacity units, 1 retry, 1 throttled, 2 unprocessed")


@pytest.mark.e2e
def test_cli_debug_logs_requests_and_prints_messages_once(moto_backend, tmp_path, capsys, unique_table_name):
    client = moto_backend.client()
    client.create_table(TableName=unique_table_name, KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "N"}],
                        BillingMode="PAY_PER_REQUEST")
    script = (f"CREATE EXTERNAL TABLE d (k bigint) STORED BY {HANDLER} "
              f"TBLPROPERTIES ('dynamodb.table.name' = '{unique_table_name}'); "
              "INSERT INTO d VALUES (1); SELECT '${nope}' FROM d")
    common = ["--endpoint-url", moto_backend.url, "--region", "us-east-1", "--metastore", str(tmp_path / "m.db"),
              "-hiveconf", f"ddbsql.reject.dir={tmp_path / 'r'}"]
    assert main(common + ["--debug", "-e", script]) == 0
    err = capsys.readouterr().err
    assert f"DEBUG ddbsql.requests: BatchWriteItem {unique_table_name}: " in err
    assert err.count("variable ${nope} is not defined") == 1
    assert main(common + ["-e", "SELECT k FROM d"]) == 0
    assert "DEBUG" not in capsys.readouterr().err
    assert not logging.getLogger("ddbsql").handlers     # the command put the loggers back
