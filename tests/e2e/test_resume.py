"""Resumable writes, for real: the ``ddbsql`` command copies 3 000 rows into a provisioned
DynamoDB Local table at 200 WCU/s, is killed with SIGKILL when an independent boto3
count shows about half of them in the target, and is run again with resume.

What is checked (see docs/throughput-and-writes.md, "Resuming an interrupted write"):
every source row ends in the target once, with its values; the resumed run reports
``N`` rows already written and loads ``M`` rows with ``N + M = 3000`` exactly; ``N`` is at
most what the target held after the kill and at least that minus the rows the killed run
may have had acknowledged but not yet committed to its checkpoint (two checkpoint
intervals at the budget, plus the batches in flight).
"""
from __future__ import annotations

import re
import signal
import time
import types
from pathlib import Path

import boto3
import pytest
from support.cli_process import cli
from support.rates import count_items, scan_all

from ddbsql.catalog.jobs import JobRecord, JobStore
from ddbsql.catalog.store import Metastore
from ddbsql.config import Settings
from ddbsql.session.writing.job_runs import CHECKPOINT_SECONDS, job_id, statement_identity
from ddbsql.sql.statements import parse_statement

pytestmark = pytest.mark.e2e

HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"
TOTAL = 3000
RATE = 200                      # WCU/s: items are small, 1 WCU each
WORKERS = 4
#: acknowledged rows a kill -9 may lose from the checkpoint: two commit intervals' worth at
#: the budget (a commit can be under way), plus every worker's batch in flight
WINDOW = int(2 * CHECKPOINT_SECONDS * RATE) + WORKERS * 25


@pytest.fixture
def world(dynamodb_local_endpoint, aws_credentials, tmp_path, unique_table_name):
    """A 3 000-item source (1 KB of padding each, so Scan pages stay small, about 80
    items, under a 40 RCU/s read budget), a provisioned target, and the Hive tables over them."""
    client = boto3.client("dynamodb", endpoint_url=dynamodb_local_endpoint, region_name="us-east-1")
    src, dst = unique_table_name("src"), unique_table_name("dst")
    for name, throughput in ((src, None), (dst, {"ReadCapacityUnits": 100, "WriteCapacityUnits": 100})):
        extra = {"ProvisionedThroughput": throughput} if throughput else {"BillingMode": "PAY_PER_REQUEST"}
        client.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], **extra)
        client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    pad = "x" * 1000
    for start in range(0, TOTAL, 25):
        request = {src: [{"PutRequest": {"Item": {"id": {"S": f"k{i:05d}"}, "n": {"N": str(i)}, "pad": {"S": pad}}}}
                         for i in range(start, start + 25)]}
        while request:
            request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
    setup = tmp_path / "setup.sql"
    setup.write_text(f"""
        CREATE EXTERNAL TABLE src (id string, n bigint, pad string) STORED BY {HANDLER}
          TBLPROPERTIES ("dynamodb.table.name" = "{src}", "dynamodb.column.mapping" = "id:id,n:n,pad:pad");
        CREATE EXTERNAL TABLE dst (id string, n bigint, label string) STORED BY {HANDLER}
          TBLPROPERTIES ("dynamodb.table.name" = "{dst}", "dynamodb.column.mapping" = "id:id,n:n,label:label");
        CREATE TABLE labels (k int, label string);
        INSERT INTO TABLE labels VALUES (0, 'zero'), (1, 'one'), (2, 'two');
    """)
    result = cli("-f", str(setup), cwd=tmp_path, endpoint=dynamodb_local_endpoint)
    assert result.returncode == 0, result.stderr
    return client, dst, tmp_path, dynamodb_local_endpoint


def job_script(tmp_path: Path, insert: str, read_rate: int = 400) -> Path:
    path = tmp_path / "job.sql"
    path.write_text(f"""
        SET dynamodb.throughput.write = {RATE};
        SET dynamodb.throughput.write.percent = 1.0;
        SET dynamodb.throughput.read = {read_rate};
        SET dynamodb.throughput.read.percent = 1.0;
        SET dynamodb.scan.segments = 4;
        SET ddbsql.write.workers = {WORKERS};
        {insert};
    """)
    return path


def kill_half_way(world, script: Path) -> int:
    """Run the job, SIGKILL it once about half the rows are in the target; the target's
    count once it has settled."""
    client, dst, tmp_path, endpoint = world
    proc = cli("-f", str(script), cwd=tmp_path, endpoint=endpoint, wait=False)
    try:
        deadline = time.monotonic() + 60
        while count_items(client, dst, consistent=True) < TOTAL // 2:
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
    time.sleep(0.5)                     # requests the server had accepted complete anyway
    present = count_items(client, dst, consistent=True)
    assert TOTAL // 4 < present < TOTAL, present
    return present


def check_target(world, label_of) -> None:
    client, dst, _, _ = world
    items = scan_all(client, dst)
    assert len(items) == TOTAL
    got = {i["id"]["S"]: (int(i["n"]["N"]), i["label"]["S"]) for i in items}
    assert got == {f"k{i:05d}": (2 * i, label_of(i)) for i in range(TOTAL)}


def resumed_counts(stderr: str) -> tuple[int, int, int]:
    """(already written, not read again, loaded now) from the resumed run's report."""
    already = re.search(r"Job \w+: (\d+) row\(s\) already written by the interrupted run", stderr)
    unread = re.search(r"\((\d+) of them not read again", stderr)
    loaded = re.search(r"Loaded (\d+) row\(s\) into default\.dst", stderr)
    assert already and loaded, stderr
    return int(already.group(1)), int(unread.group(1)) if unread else 0, int(loaded.group(1))


def test_general_query_resumed_with_set_writes_every_row_once(world):
    """A join with a local table (not a straight copy): acknowledged keys are skipped."""
    _, _, tmp_path, endpoint = world
    script = job_script(tmp_path, "INSERT INTO TABLE dst SELECT s.id, s.n * 2, l.label FROM src s "
                                  "JOIN labels l ON s.n % 3 = l.k")
    present = kill_half_way(world, script)

    result = cli("-hiveconf", "ddbsql.job.resume=true", "-f", str(script), cwd=tmp_path, endpoint=endpoint)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Resuming job" in result.stderr
    already, unread, loaded = resumed_counts(result.stderr)
    assert already + loaded == TOTAL
    assert unread == 0
    assert present - WINDOW <= already <= present
    check_target(world, lambda i: ("zero", "one", "two")[i % 3])

    # done: the job is listed as such, its checkpoint file is gone, a new run starts afresh
    jobs = cli("--jobs", cwd=tmp_path, endpoint=endpoint)
    assert re.search(r"\tdone\t2\t", jobs.stdout), jobs.stdout
    assert not list((tmp_path / "jobs").glob("*.sqlite"))


def test_straight_copy_resumed_with_resume_option_restarts_segments_from_checkpoints(world):
    """A straight copy: Scan segments restart from their checkpointed positions."""
    client, dst, tmp_path, endpoint = world
    script = job_script(tmp_path, "INSERT INTO TABLE dst SELECT id, n * 2, concat('v', cast(n AS string)) "
                                  "FROM src WHERE n >= 0", read_rate=40)
    present = kill_half_way(world, script)

    jobs = cli("--jobs", cwd=tmp_path, endpoint=endpoint)
    running = [line.split("\t") for line in jobs.stdout.splitlines() if "\trunning\t" in line]
    assert len(running) == 1, jobs.stdout
    job = running[0][0]

    # without resume the statement would start afresh; --resume continues it
    result = cli("--resume", job[:8], cwd=tmp_path, endpoint=endpoint)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert f"Resuming job {job}" in result.stderr
    already, unread, loaded = resumed_counts(result.stderr)
    assert already + loaded == TOTAL
    assert present - WINDOW <= already <= present
    assert unread > 0, "no Scan page had been checkpointed as done"
    assert unread <= already
    read_again = re.search(r"from (\d+) input row\(s\)", result.stderr)
    assert int(read_again.group(1)) == TOTAL - unread
    check_target(world, lambda i: f"v{i}")

    again = cli("--resume", job, cwd=tmp_path, endpoint=endpoint)
    assert again.returncode == 1 and "is done: there is nothing to resume" in again.stderr


def test_rerun_without_resume_supersedes_the_checkpoint(world):
    """Without resume, an unfinished job's statement starts afresh and says so."""
    _, _, tmp_path, endpoint = world
    store_dir = tmp_path / "jobs"
    script = tmp_path / "small.sql"
    script.write_text("INSERT INTO TABLE dst SELECT id, n * 2, 'x' FROM src WHERE n < 10")
    # an unfinished job of this statement, as a crash on another machine would leave it
    Metastore(tmp_path / "metastore.db").close()
    store = JobStore(tmp_path / "metastore.db")
    text = script.read_text()
    jid = job_id(types.SimpleNamespace(database="default", settings=Settings()), text, ["default.dst"],
                 statement_identity(parse_statement(text).tree))
    record = store.start(JobRecord(jid, statement=script.read_text(), database="default", settings={},
                                   targets=["default.dst"]))
    store.open_checkpoint(jid, fresh=True).close()
    record.host = "another-host"
    store.save(record)
    store.close()
    result = cli("-f", str(script), cwd=tmp_path, endpoint=endpoint)
    assert result.returncode == 0, result.stderr
    assert f"an unfinished run of this statement (job {jid}, running" in result.stderr
    assert "Loaded 10 row(s)" in result.stderr
    assert not list(store_dir.glob("*.sqlite"))
