"""Processes and threads on one metastore: catalog writes are atomic, the local table
warehouse is shared within a process, and a second process waits, then gets a clear
OperationalError."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

import ddbsql

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]

CREATOR = textwrap.dedent("""
    import sys, time
    import ddbsql
    metastore, endpoint, table, start, tables = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
    connection = ddbsql.connect(metastore=metastore, endpoint_url=endpoint, region="us-east-1")
    cursor = connection.cursor()
    while time.time() < start:
        time.sleep(0.001)
    cursor.execute("CREATE DATABASE IF NOT EXISTS race")
    for i in range(tables):
        # DescribeTable runs between the existence check and the write: a wide window
        cursor.execute(f\"\"\"CREATE EXTERNAL TABLE IF NOT EXISTS race.t{i} (id string)
            STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
            TBLPROPERTIES ('dynamodb.table.name'='{table}')\"\"\")
        cursor.execute(f"CREATE TABLE IF NOT EXISTS race.f{i} (a string) STORED AS TEXTFILE")
    connection.close()
""")


def python(*args: str, timeout: float = 120) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_processes_creating_the_same_tables_if_not_exists_all_succeed(tmp_path, moto_backend, unique_table_name):
    client = moto_backend.client()
    client.create_table(TableName=unique_table_name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                        BillingMode="PAY_PER_REQUEST")
    metastore = tmp_path / "metastore.db"
    ddbsql.connect(metastore=metastore, region="us-east-1").close()
    start = time.time() + 5          # every process is up and connected by then
    processes = [python(CREATOR, str(metastore), moto_backend.url, unique_table_name, str(start), "25")
                 for _ in range(4)]
    outcomes = [p.communicate(timeout=120) for p in processes]
    for process, (_, err) in zip(processes, outcomes):
        assert process.returncode == 0, err
    with ddbsql.connect(metastore=metastore, region="us-east-1") as connection:
        cursor = connection.cursor()
        cursor.execute("SHOW TABLES IN race")
        assert sorted(r[0] for r in cursor.fetchall()) == sorted([f"t{i}" for i in range(25)] +
                                                                  [f"f{i}" for i in range(25)])


def test_threads_with_their_own_connections_share_local_tables(tmp_path):
    metastore = tmp_path / "metastore.db"
    with ddbsql.connect(metastore=metastore, region="us-east-1") as setup:
        setup.cursor().execute("CREATE TABLE shared AS SELECT explode(sequence(1, 100)) AS n")
    failures: list[BaseException] = []
    sums: list[int] = []

    def work(index: int) -> None:
        try:
            with ddbsql.connect(metastore=metastore, region="us-east-1") as connection:
                cursor = connection.cursor()
                cursor.execute(f"CREATE TABLE own{index} (a int)")
                cursor.execute(f"INSERT INTO TABLE own{index} VALUES ({index})")
                for _ in range(5):
                    cursor.execute(f"SELECT sum(n) + max(a) FROM shared, own{index}")
                    sums.append(cursor.fetchall()[0][0] - index)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    assert sums == [5050] * 40


def test_one_connection_used_from_threads_in_turn(tmp_path):
    with ddbsql.connect(metastore=tmp_path / "metastore.db", region="us-east-1") as connection:
        connection.cursor().execute("CREATE TABLE t AS SELECT 1 AS a")
        lock = threading.Lock()
        results = []

        def work():
            with lock:
                cursor = connection.cursor()
                cursor.execute("SELECT a FROM t")
                results.append(cursor.fetchall())

        threads = [threading.Thread(target=work) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert results == [[(1,)]] * 6


SECOND = textwrap.dedent("""
    import sys
    import ddbsql
    connection = ddbsql.connect(metastore=sys.argv[1], region="us-east-1",
                                hiveconf={"ddbsql.warehouse.wait.seconds": "1"})
    try:
        connection.cursor().execute("SELECT count(*) FROM t")
        print("ok")
    except ddbsql.Error as exc:
        print(type(exc).__name__, exc)
""")


def test_a_second_process_waits_then_gets_a_clear_operational_error(tmp_path):
    metastore = tmp_path / "metastore.db"
    first = ddbsql.connect(metastore=metastore, region="us-east-1")
    first.cursor().execute("CREATE TABLE t AS SELECT 1 AS a")      # holds the warehouse
    out, err = python(SECOND, str(metastore)).communicate(timeout=120)
    assert out.startswith("OperationalError Unavailable: the local table warehouse"), out + err
    assert "in use by another ddbsql process (waited 1 s)" in out
    first.close()
    out, err = python(SECOND, str(metastore)).communicate(timeout=120)
    assert out.strip() == "ok", out + err
