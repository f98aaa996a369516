"""UPDATE jobs resumed for real: the ``ddbsql`` command adds 1 to every item of a
provisioned DynamoDB Local table at 200 WCU/s, is killed with SIGKILL when an independent
boto3 scan shows about half the items changed, and is run again with resume.

What is checked (see docs/usage.md, "Resuming an interrupted UPDATE, DELETE or MERGE"):
every item ends changed exactly once (``amount = orig + 1``), although the statement is
not idempotent; the resumed run names exactly the items the killed run had changed as
already changed (acknowledged, or in flight and showing their after-image) and changes
the others; the job record holds no credentials.
"""
from __future__ import annotations

import re
import signal
import time

import boto3
import pytest
from support.cli_process import cli
from support.rates import scan_all

pytestmark = pytest.mark.e2e

HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"
TOTAL = 2000
RATE = 200
SECRET = "wJalrXUtnFEMIK7MDENGbPxRfiCYzzSECRETKEY"


def changed(client, table: str) -> int:
    return sum(1 for i in scan_all(client, table) if i["amount"]["N"] != i["orig"]["N"])


@pytest.fixture
def world(dynamodb_local_endpoint, aws_credentials, tmp_path, unique_table_name):
    client = boto3.client("dynamodb", endpoint_url=dynamodb_local_endpoint, region_name="us-east-1")
    name = unique_table_name("acct")
    client.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                        ProvisionedThroughput={"ReadCapacityUnits": 100, "WriteCapacityUnits": 100})
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    for start in range(0, TOTAL, 25):
        request = {name: [{"PutRequest": {"Item": {"id": {"S": f"k{i:05d}"}, "amount": {"N": f"{i}.25"},
                                                   "orig": {"N": f"{i}.25"}}}} for i in range(start, start + 25)]}
        while request:
            request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
    setup = tmp_path / "setup.sql"
    setup.write_text(f"""CREATE EXTERNAL TABLE acct (id string, amount decimal(20,2), orig decimal(20,2))
                         STORED BY {HANDLER} TBLPROPERTIES ("dynamodb.table.name" = "{name}")""")
    result = cli("-f", str(setup), cwd=tmp_path, endpoint=dynamodb_local_endpoint)
    assert result.returncode == 0, result.stderr
    script = tmp_path / "job.sql"
    script.write_text(f"""
        SET dynamodb.awsAccessKeyId = AKIAEXAMPLEDMLRESUME;
        SET dynamodb.awsSecretAccessKey = {SECRET};
        SET dynamodb.throughput.write = {RATE};
        SET dynamodb.throughput.write.percent = 1.0;
        SET dynamodb.throughput.read = 400;
        SET ddbsql.write.workers = 4;
        UPDATE acct SET amount = amount + 1 WHERE amount >= 0;
    """)
    return client, name, tmp_path, dynamodb_local_endpoint, script


def test_a_killed_update_resumed_changes_every_item_exactly_once(world):
    client, name, tmp_path, endpoint, script = world
    proc = cli("-f", str(script), cwd=tmp_path, endpoint=endpoint, wait=False)
    try:
        deadline = time.monotonic() + 60
        while changed(client, name) < TOTAL // 2:
            assert proc.poll() is None, f"the job ended before it was killed: {proc.communicate()[1]}"
            assert time.monotonic() < deadline, "the job made no progress"
            time.sleep(0.2)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    time.sleep(0.5)                      # requests the server had accepted complete anyway
    before = changed(client, name)
    assert TOTAL // 4 < before < TOTAL, before

    jobs = cli("--jobs", cwd=tmp_path, endpoint=endpoint)
    running = [line.split("\t") for line in jobs.stdout.splitlines() if "\trunning\t" in line]
    assert len(running) == 1, jobs.stdout
    job = running[0][0]

    result = cli("--resume", job[:8], cwd=tmp_path, endpoint=endpoint)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and f"Resuming job {job}" in result.stderr
    already = int(re.search(r"Job \w+: (\d+) item\(s\) already changed by the interrupted run", result.stderr).group(1))
    updated = int(re.search(r"Updated (\d+) item\(s\) of default\.acct", result.stderr).group(1))
    assert already == before and already + updated == TOTAL, result.stderr
    items = scan_all(client, name)
    assert len(items) == TOTAL
    wrong = [i for i in items if float(i["amount"]["N"]) != float(i["orig"]["N"]) + 1]
    assert not wrong, wrong[:5]

    jobs = cli("--jobs", cwd=tmp_path, endpoint=endpoint)
    assert re.search(rf"{job}\tdone\t2\t", jobs.stdout), jobs.stdout
    assert not list((tmp_path / "jobs").glob("*.sqlite"))
    for path in [tmp_path / "metastore.db", *tmp_path.rglob("*.sqlite")]:
        assert SECRET.encode() not in path.read_bytes()
