"""One statement across AWS accounts on moto's server: a table reached through an IAM role
(STS AssumeRole into account 222222222222) is copied into the default account, and no
credential text ends up in any output or file."""
from __future__ import annotations

import re
from pathlib import Path

import boto3
import pytest

import ddbsql
from support.ddb_env import open_connection

pytestmark = pytest.mark.e2e

HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"
ROLE = "arn:aws:iam::222222222222:role/reader"


def assumed_client(url: str):
    """A plain boto3 client of account 222222222222 (the independent side)."""
    kw = dict(region_name="us-east-1", endpoint_url=url, aws_access_key_id="AKIDTEST", aws_secret_access_key="secret")
    creds = boto3.client("sts", **kw).assume_role(RoleArn=ROLE, RoleSessionName="setup")["Credentials"]
    return boto3.client("dynamodb", region_name="us-east-1", endpoint_url=url, aws_access_key_id=creds["AccessKeyId"],
                        aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])


def make_table(client, name: str, items: list[dict]) -> None:
    client.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                        BillingMode="PAY_PER_REQUEST")
    for item in items:
        client.put_item(TableName=name, Item=item)


def scan(client, name: str) -> list[dict]:
    return sorted(client.scan(TableName=name)["Items"], key=lambda i: i["id"]["S"])


def test_copy_from_another_account_in_one_statement(moto_env, unique_table_name):
    env = moto_env
    other = assumed_client(env.backend.url)
    items = [{"id": {"S": f"k{i:03d}"}, "n": {"N": str(i)}, "note": {"S": f"row {i}"}} for i in range(120)]
    # the same table name in both accounts: each statement side must reach its own account
    make_table(other, unique_table_name, items)
    make_table(env.client(), unique_table_name, [{"id": {"S": "mine"}, "n": {"N": "-1"}}])
    env.script(f"""
        CREATE EXTERNAL TABLE theirs (id string, n bigint, note string) STORED BY {HANDLER}
        TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}", "ddbsql.aws.role.arn" = "{ROLE}",
                       "ddbsql.aws.role.session.name" = "copy-job");
        CREATE EXTERNAL TABLE ours (id string, n bigint, note string) STORED BY {HANDLER}
        TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}");
    """)
    assert env.rows("SELECT count(*) FROM theirs") == [(120,)]
    assert env.rows("SELECT count(*) FROM ours") == [(1,)]
    _, cursor = env.run("INSERT INTO ours SELECT id, n, note FROM theirs")
    assert cursor.rowcount == 120
    mine = scan(env.client(), unique_table_name)
    assert [i for i in mine if i["id"]["S"] != "mine"] == scan(other, unique_table_name)
    assert len(mine) == 121
    assert len(scan(other, unique_table_name)) == 120   # nothing written into the source account
    # no credential text in any output or file: the assumed role's keys start with ASIA
    shown = [str(m) for m in cursor.messages] + [str(r) for r in cursor.write_reports]
    shown += [str(r) for r in env.rows("EXPLAIN SELECT * FROM theirs") + env.rows("SHOW CREATE TABLE theirs")]
    assert not [line for line in shown if re.search(r"ASIA[A-Z0-9]{12}", line) or "SessionToken" in line]
    for path in Path(env.tmp).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not re.search(rb"ASIA[A-Z0-9]{12}", data) and b"SecretAccessKey" not in data, path


def test_multi_insert_writes_into_two_accounts(moto_env, unique_table_name):
    env = moto_env
    other = assumed_client(env.backend.url)
    make_table(env.client(), unique_table_name, [{"id": {"S": f"a{i}"}, "n": {"N": str(i)}} for i in range(30)])
    make_table(other, unique_table_name, [])
    env.script(f"""
        CREATE EXTERNAL TABLE src (id string, n bigint) STORED BY {HANDLER}
        TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}");
        CREATE EXTERNAL TABLE far (id string, n bigint) STORED BY {HANDLER}
        TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}", "ddbsql.aws.role.arn" = "{ROLE}");
        CREATE TABLE near (id string, n bigint);
        FROM src INSERT INTO TABLE far SELECT id, n WHERE n < 10 INSERT INTO TABLE near SELECT id, n;
    """)
    assert sorted(int(i["n"]["N"]) for i in scan(other, unique_table_name)) == list(range(10))
    assert env.rows("SELECT count(*) FROM near") == [(30,)]


def test_access_keys_from_set_are_never_shown(moto_backend, tmp_path, unique_table_name):
    """EMR's dynamodb.awsAccessKeyId/awsSecretAccessKey from -hiveconf: the secret appears in
    no result, message, error or file."""
    import ddbsql.config
    if not hasattr(ddbsql.config, "is_secret"):
        pytest.skip("SET listings redact credential-like keys once config.is_secret is in")
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYdml"
    conn = open_connection(moto_backend, tmp_path, hiveconf={"dynamodb.awsAccessKeyId": "AKIAEXAMPLEDML",
                                                             "dynamodb.awsSecretAccessKey": secret})
    try:
        make_table(moto_backend.client(), unique_table_name, [{"id": {"S": "x"}, "n": {"N": "1"}}])
        cursor = conn.cursor()
        cursor.execute(f"""CREATE EXTERNAL TABLE t (id string, n bigint) STORED BY {HANDLER}
                           TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}")""")
        seen = []
        for sql in ("SELECT * FROM t", "SET", "SET -v", "EXPLAIN SELECT * FROM t WHERE id = 'x'",
                    "SHOW CREATE TABLE t", "INSERT INTO t SELECT concat(id, '2'), n FROM t"):
            cursor.execute(sql)
            seen += [str(r) for r in (cursor.fetchall() if cursor.description else [])] + list(cursor.messages)
        with pytest.raises(ddbsql.Error) as failure:
            cursor.execute("SELECT nope FROM t")
        seen.append(str(failure.value))
        assert not [s for s in seen if secret in s]
    finally:
        conn.close()
    for path in Path(tmp_path).rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


def test_a_role_that_cannot_be_assumed_is_one_line_naming_it(moto_backend, tmp_path, unique_table_name, monkeypatch):
    make_table(moto_backend.client(), unique_table_name, [])
    # STS unreachable: the role cannot be assumed
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    conn = open_connection(moto_backend, tmp_path)
    try:
        with pytest.raises(ddbsql.Error) as failure:
            conn.cursor().execute(f"""CREATE EXTERNAL TABLE t (id string) STORED BY {HANDLER}
                TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}",
                               "ddbsql.aws.role.arn" = "arn:aws:iam::333333333333:role/nobody")""")
    finally:
        conn.close()
    message = str(failure.value)
    assert "cannot assume role arn:aws:iam::333333333333:role/nobody" in message
    assert "\n" not in message and "secret" not in message.lower() and "AKIDTEST" not in message


def test_a_malformed_role_arn_is_refused():
    from ddbsql.exec.credentials import TableCredentials
    from ddbsql.errors import ConfigError
    with pytest.raises(ConfigError, match="is not an IAM role ARN"):
        TableCredentials.resolve({"ddbsql.aws.role.arn": "role/x"}, lambda key: None)
    creds = TableCredentials.resolve({}, {"dynamodb.awsAccessKeyId": "AK", "dynamodb.awsSecretAccessKey": "S3CR3T"}.get)
    assert "S3CR3T" not in repr(creds) and creds.identity == "access keys"
