"""Every way SQL could reach the file system, the network or the environment, tried
through the DB-API with its defaults (no shell, no local files) and, where it matters,
with local files allowed as the command line has them."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

import ddbsql
from ddbsql.catalog.names import check_name
from ddbsql.errors import CatalogError

pytestmark = pytest.mark.e2e


def connect(backend, tmp: Path, **kwargs) -> ddbsql.Connection:
    return ddbsql.connect(endpoint_url=backend.url, region="us-east-1", metastore=tmp / "ms" / "metastore.db",
                          **kwargs)


def run(connection, sql: str, parameters=None) -> list[tuple]:
    cursor = connection.cursor()
    cursor.execute(sql, parameters)
    return cursor.fetchall() if cursor.description else []


# -- names ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["..", ".", "/tmp/x/victim", "../../../escdb", "a b", "a/b", "a-b", "", "x" * 129,
                                  "é", "a\x00b"])
def test_hive_name_rule_refuses(name):
    with pytest.raises(CatalogError, match="invalid table name"):
        check_name(name)


@pytest.mark.parametrize("name", ["t", "T1", "_x", "9lives", "a_b_c", "x" * 128])
def test_hive_name_rule_accepts(name):
    assert check_name(name) == name.lower()


def test_a_dot_dot_table_cannot_delete_other_tables_files(moto_backend, tmp_path):
    with connect(moto_backend, tmp_path) as connection:
        run(connection, "CREATE TABLE keep (a string) STORED AS TEXTFILE")
        run(connection, "INSERT INTO TABLE keep VALUES ('precious')")
        files = tmp_path / "ms" / "files"
        assert any(files.rglob("*")), "the sibling table has files"
        with pytest.raises(ddbsql.ProgrammingError, match="invalid table name"):
            run(connection, "CREATE TABLE `..` (a string) STORED AS TEXTFILE")
        run(connection, "DROP TABLE IF EXISTS `..`")
        assert run(connection, "SELECT a FROM keep") == [("precious",)]


def test_a_path_as_table_name_is_refused_and_the_victim_untouched(moto_backend, tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "data.txt").write_text("mine\n")
    with connect(moto_backend, tmp_path) as connection:
        for statement in (f"CREATE TABLE `{victim}` (a string) STORED AS TEXTFILE",
                          f"CREATE TABLE `{victim}` (a string)"):
            with pytest.raises(ddbsql.ProgrammingError, match="invalid table name"):
                run(connection, statement)
        for statement in (f"INSERT OVERWRITE TABLE `{victim}` SELECT 'x'", f"SELECT * FROM `{victim}`"):
            with pytest.raises(ddbsql.Error):
                run(connection, statement)
        run(connection, f"DROP TABLE IF EXISTS `{victim}`")
    assert (victim / "data.txt").read_text() == "mine\n"


def test_a_database_name_cannot_leave_the_warehouse(moto_backend, tmp_path):
    with connect(moto_backend, tmp_path) as connection:
        with pytest.raises(ddbsql.ProgrammingError, match="invalid database name"):
            run(connection, "CREATE DATABASE `../../../escdb`")
        assert run(connection, "SHOW DATABASES") == [("default",), ("dynamodb",)]   # dynamodb: built in
    assert not any("escdb" in p.name for p in tmp_path.rglob("*"))


def test_drop_of_a_tampered_managed_table_leaves_foreign_files(moto_backend, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    with connect(moto_backend, tmp_path) as connection:
        run(connection, "CREATE TABLE t (a string) STORED AS TEXTFILE")
        run(connection, "CREATE TABLE keep (a string) STORED AS TEXTFILE")
        run(connection, "INSERT INTO TABLE keep VALUES ('precious')")
    db = sqlite3.connect(tmp_path / "ms" / "metastore.db")
    definition = json.loads(db.execute("SELECT definition FROM tables WHERE name = 't'").fetchone()[0])
    definition["storage"]["location"] = str(outside)
    with db:
        db.execute("UPDATE tables SET definition = ? WHERE name = 't'", (json.dumps(definition),))
        definition["name"] = ".."
        definition["storage"]["location"] = str(tmp_path / "ms" / "files" / "default.db" / "..")
        db.execute("INSERT INTO tables VALUES ('default', '..', ?)", (json.dumps(definition),))
    db.close()
    with connect(moto_backend, tmp_path) as connection:
        for name in ("t", "`..`"):
            with pytest.raises(ddbsql.Error):
                run(connection, f"DROP TABLE {name}")
        with pytest.raises(ddbsql.Error):
            run(connection, "INSERT OVERWRITE TABLE t SELECT 'x'")
        assert run(connection, "SELECT a FROM keep") == [("precious",)]
    assert (outside / "keep.txt").read_text() == "keep"


def test_local_paths_and_reject_folder_need_local_files(moto_backend, tmp_path):
    with connect(moto_backend, tmp_path) as connection:
        for statement in (f"CREATE EXTERNAL TABLE x (a string) LOCATION '{tmp_path}'",
                          f"INSERT OVERWRITE LOCAL DIRECTORY '{tmp_path / 'out'}' SELECT 1",
                          f"SET ddbsql.reject.dir={tmp_path / 'rej'}"):
            with pytest.raises(ddbsql.ProgrammingError, match="local files are not allowed"):
                run(connection, statement)
    assert not (tmp_path / "out").exists()


# -- DuckDB's own reach -----------------------------------------------------------------

READERS = ["SELECT * FROM read_text('/etc/passwd')",
           "SELECT * FROM read_blob('/proc/self/environ')",
           "SELECT * FROM read_csv('/etc/passwd')",
           "SELECT * FROM sniff_csv('/etc/passwd')",
           "SELECT * FROM read_json('/etc/hostname')",
           "SELECT * FROM read_parquet('/tmp/*.parquet')",
           "SELECT * FROM glob('/etc/*')",
           "SELECT * FROM '/etc/passwd'",
           "SELECT * FROM read_text('http://127.0.0.1:9/x')",
           "SELECT * FROM read_text('s3://bucket/key')",
           "SELECT * FROM read_text('{warehouse}')"]


@pytest.mark.parametrize("allow_local_files", [False, True], ids=["dbapi-defaults", "local-files-allowed"])
def test_duckdb_reaches_no_file_and_no_network(moto_backend, tmp_path, allow_local_files):
    with connect(moto_backend, tmp_path, allow_local_files=allow_local_files) as connection:
        run(connection, "CREATE TABLE t (a int)")  # the warehouse file exists
        warehouse = tmp_path / "ms" / "warehouse.duckdb"
        assert warehouse.exists()
        for statement in READERS:
            with pytest.raises(ddbsql.DatabaseError) as caught:
                run(connection, statement.format(warehouse=warehouse))
            assert "root:" not in str(caught.value)
        for statement in ("ATTACH '/tmp/x.duckdb' AS x", "INSTALL httpfs", "LOAD httpfs", "COPY t TO '/tmp/t.csv'",
                          "PRAGMA enable_external_access", "SELECT getenv('HOME')"):
            with pytest.raises(ddbsql.Error):
                run(connection, statement)


def test_environment_substitution_is_opt_in(moto_backend, tmp_path, monkeypatch):
    monkeypatch.setenv("DDBSQL_SANDBOX_PROBE", "from-env")
    with connect(moto_backend, tmp_path) as connection:
        with pytest.raises(ddbsql.ProgrammingError, match="environment variables are not available"):
            run(connection, "SELECT '${env:DDBSQL_SANDBOX_PROBE}'")
        with pytest.raises(ddbsql.ProgrammingError, match="environment variables"):
            run(connection, "SELECT '${env:AWS_SECRET_ACCESS_KEY}'")
    with connect(moto_backend, tmp_path, allow_env=True) as connection:
        assert run(connection, "SELECT '${env:DDBSQL_SANDBOX_PROBE}'") == [("from-env",)]


def test_file_tables_still_read_and_write_with_duckdb_closed(moto_backend, tmp_path):
    data = tmp_path / "ext"
    data.mkdir()
    (data / "part-0").write_text("1,one\n2,two\n")
    with connect(moto_backend, tmp_path, allow_local_files=True) as connection:
        run(connection, f"CREATE EXTERNAL TABLE e (a int, s string) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' "
                        f"LOCATION '{data}'")
        run(connection, "CREATE TABLE p STORED AS PARQUET AS SELECT a, s FROM e")
        assert run(connection, "SELECT a, s FROM p ORDER BY a") == [(1, "one"), (2, "two")]
        run(connection, f"LOAD DATA LOCAL INPATH '{data / 'part-0'}' INTO TABLE e")
        assert run(connection, "SELECT count(*) FROM e") == [(4,)]


# -- secrets ----------------------------------------------------------------------------

SECRET = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY"
TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN"
SECRETS = {"dynamodb.awsAccessKeyId": "AKIAEXAMPLEACCESSKEY", "dynamodb.awsSecretAccessKey": SECRET,
           "fs.s3.awsSessionToken": TOKEN, "my.password": "hunter2-hunter2", "db.credentials": "user:pa55word"}


def _everything_on_disk(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


def test_secrets_are_never_stored_nor_printed(moto_backend, tmp_path, unique_table_name):
    client = moto_backend.client()
    client.create_table(TableName=unique_table_name, KeySchema=[{"AttributeName": "a", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "N"}],
                        BillingMode="PAY_PER_REQUEST")
    with connect(moto_backend, tmp_path, hiveconf=SECRETS) as connection:
        listing = "\n".join(r[0] for r in run(connection, "SET -v") + run(connection, "SET"))
        assert "dynamodb.awsSecretAccessKey=********" in listing
        one = run(connection, "SET dynamodb.awsSecretAccessKey")
        assert one == [("dynamodb.awsSecretAccessKey=********",)]
        run(connection, "SET hive.session.token=abcdefgh-token-value")
        cursor = connection.cursor()
        cursor.execute(f"""CREATE EXTERNAL TABLE d (a bigint, s string)
            STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
            TBLPROPERTIES ("dynamodb.table.name"="{unique_table_name}", "dynamodb.column.mapping"="a:a,s:s",
                           "dynamodb.awsSecretAccessKey"="{SECRET}")""")
        assert any("not stored" in m for m in cursor.messages)
        assert ("dynamodb.awssecretaccesskey",) not in [r[:1] for r in run(connection, "SHOW TBLPROPERTIES d")]
        run(connection, "ALTER TABLE d SET TBLPROPERTIES ('my.password'='hunter2-hunter2')")
        shown = "\n".join(str(r) for r in run(connection, "SHOW CREATE TABLE d")
                           + run(connection, "DESCRIBE FORMATTED d"))
        assert SECRET not in shown and "hunter2" not in shown
        run(connection, "INSERT INTO TABLE d SELECT 1, '${hiveconf:dynamodb.awsSecretAccessKey}'")
        explained = run(connection, "EXPLAIN SELECT '${hiveconf:dynamodb.awsSecretAccessKey}' FROM d")
        assert SECRET not in str(explained) and "********" in str(explained)
        with pytest.raises(ddbsql.Error) as caught:
            run(connection, "SELECT ${hiveconf:dynamodb.awsSecretAccessKey} FROM d")
        assert SECRET[:12] not in str(caught.value)
        jobs = connection.session.metastore.jobs().jobs()
        assert jobs and all(not any(k in j.settings for k in SECRETS) for j in jobs)
    stored = _everything_on_disk(tmp_path / "ms")
    for value in list(SECRETS.values()) + ["abcdefgh-token-value"]:
        assert value.encode() not in stored, value
