"""Writing through format ddbsql: the aggregate rate across tasks holds the table's
budget (measured from outside by counting the table's items), and every row is
written or rejected, in one job report."""
from __future__ import annotations

import json
import time

import boto3
import pytest
from support.rates import Sampler, create_provisioned, steady_rate

pytestmark = pytest.mark.e2e

TOTAL = 1500
BAD = 3                     # rows whose key is NULL (every 500th, from 7): rejected


@pytest.fixture
def client(dynamodb_local_endpoint, aws_credentials):
    return boto3.client("dynamodb", endpoint_url=dynamodb_local_endpoint, region_name="us-east-1")


def source(spark, total: int = TOTAL):
    """``total`` rows in 2 partitions (2 tasks at once on local[2]); every 500th key is NULL."""
    return spark.range(0, total, 1, 2).selectExpr(
        "CASE WHEN id % 500 = 7 THEN NULL ELSE concat('k', CAST(id AS string)) END AS id", "id AS n",
        "repeat('x', 100) AS body")


def write(spark, name: str, endpoint: str, tmp_path, **options) -> dict:
    report = tmp_path / "report.json"
    (source(spark).write.format("ddbsql").mode("append")
     .option("columns", "id string, n bigint, body string").option("dynamodb.table.name", name)
     .option("endpoint", endpoint).option("region", "us-east-1")
     .option("dynamodb.throughput.write.percent", "1.0").option("ddbsql.reject.dir", str(tmp_path / "rejects"))
     .option("report", str(report)).options(**options).save())
    return json.loads(report.read_text())


@pytest.mark.parametrize("budget", ["shared", "split"])
def test_write_holds_the_budget_and_counts_add_up(spark, registration, client, dynamodb_local_endpoint,
                                                  unique_table_name, tmp_path, capsys, budget):
    create_provisioned(client, unique_table_name, rcu=1000, wcu=100)                 # 100 WCU x 1.0 = 100 WCU/s for the job
    options = {"budget": "split", "tasks": "2"} if budget == "split" else {}
    sampler = Sampler(client, unique_table_name)
    sampler.start()
    started = time.monotonic()
    report = write(spark, unique_table_name, dynamodb_local_endpoint, tmp_path, **options)
    elapsed = time.monotonic() - started
    sampler.stop.set()
    sampler.join()
    sampler.sample()
    good = TOTAL - BAD
    steady = steady_rate(sampler.samples, good)
    with capsys.disabled():
        print(f"\n[spark write, budget={budget}] {good} items of ~130 B (1 WCU each), 2 tasks on local[2], "
              f"budget 100 WCU/s: steady {steady:.1f} items/s (outside count), job {report['rate']:.1f} WCU/s "
              f"over {report['wall_seconds']:.1f} s of task time, {elapsed:.1f} s with Spark's overhead; "
              f"per-task budgets {[t['budget'] for t in report['task_reports']]}; {report['summary']}")
    # the outside view: items appear at the budget rate
    assert steady == pytest.approx(100, rel=0.10)
    assert report["rate"] == pytest.approx(100, rel=0.10)
    # every row is accounted for, across tasks
    assert report["status"] == "committed" and report["tasks"] == 2
    assert report["rows"] == TOTAL
    assert report["written"] == good and report["rejected"] == BAD
    assert report["written"] + report["rejected"] + report["skipped"] + report["duplicates"] == report["rows"]
    assert sum(t["rows"] for t in report["task_reports"]) == TOTAL
    assert sampler.samples[-1][1] == good
    lines = [json.loads(line) for line in open(report["reject_file"], encoding="utf-8")]
    assert len(lines) == BAD and all("missing key attribute" in line["reason"] for line in lines)
    assert report["consumed"] == pytest.approx(good, rel=0.01)
    if budget == "shared":
        assert report["rules"] == ["shared"]
        assert registration.reports[-1]["summary"] == report["summary"]
    else:
        assert report["rules"] == ["split 1/2"]
        assert [t["budget"] for t in report["task_reports"]] == [50.0, 50.0]


def test_write_without_coordinator_or_tasks_is_refused(spark, registration, client, dynamodb_local_endpoint,
                                                       unique_table_name, tmp_path):
    create_provisioned(client, unique_table_name, rcu=1000, wcu=100)
    with pytest.raises(Exception, match="option tasks=N"):
        write(spark, unique_table_name, dynamodb_local_endpoint, tmp_path, budget="split")
