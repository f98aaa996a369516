"""``python -m ddbsql.spark``'s runner: DynamoDB-only SELECT and INSERT … SELECT run on
Spark, everything else in ddbsql, with the same results."""
from __future__ import annotations

import io

import pytest

from ddbsql.exec.clients import AwsOptions
from ddbsql.session.session import Session, SessionOptions

pytestmark = pytest.mark.e2e

HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"


def test_script_runs_dynamodb_statements_on_spark(spark, registration, dynamodb_local_endpoint, aws_credentials,
                                                  unique_table_name, tmp_path):
    from ddbsql.spark.run import SparkScriptRunner

    src, dst = unique_table_name("src"), unique_table_name("dst")
    aws = AwsOptions(region="us-east-1", endpoint_url=dynamodb_local_endpoint)
    metastore = str(tmp_path / "metastore.db")
    # as the spark runner opens it (local files allowed: the script sets ddbsql.reject.dir)
    session = Session(SessionOptions(aws=aws, metastore=metastore, allow_local_files=True))
    out, err = io.StringIO(), io.StringIO()
    runner = SparkScriptRunner(spark, registration, session, metastore, aws, out=out, err=err)
    script = f"""
    SET ddbsql.reject.dir={tmp_path / 'rejects'};
    CREATE EXTERNAL TABLE src (id string, n bigint) STORED BY {HANDLER}
      TBLPROPERTIES ('dynamodb.table.name'='{src}', 'ddbsql.create'='true', 'ddbsql.hash.key'='id');
    CREATE EXTERNAL TABLE dst (id string, n bigint) STORED BY {HANDLER}
      TBLPROPERTIES ('dynamodb.table.name'='{dst}', 'ddbsql.create'='true', 'ddbsql.hash.key'='id');
    INSERT INTO TABLE src SELECT concat('k', cast(i AS string)), i FROM (SELECT explode(sequence(1, 50)) AS i) t;
    INSERT OVERWRITE TABLE dst SELECT s.id, s.n * 2 FROM src s WHERE s.n > 10;
    SELECT count(*), sum(n) FROM dst;
    SELECT count(*) > 0 FROM dst;
    """
    try:
        runner.run_script(script)
        assert runner.on_spark == 3                      # the INSERT … SELECT from src and the SELECTs
        # printed as the ddbsql command line prints (Hive's text: true, not Python's True)
        assert out.getvalue().strip().splitlines()[-2:] == ["40\t2440", "true"]
        assert "40 written, 0 rejected" in err.getvalue()
        result = session.execute("SELECT count(*), sum(n) FROM dst")     # ddbsql's own answer agrees
        assert [tuple(r.values()) for b in result.batches for r in b.to_pylist()] == [(40, 2440)]
    finally:
        session.close()
