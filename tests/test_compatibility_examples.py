"""docs/hive-compatibility.md tells the truth: the example of every row of its Statements,
Command line and Semantics tables runs here.

- Statements: rows marked supported or differs must succeed; rows marked not supported
  must fail with the message their notes quote (``Fails with `…```).
- Command line: the example is a command line, run through the command line's ``main()``
  in this process; the notes give its exit status (``exits N``), pieces of its output,
  as whole words (``prints `…```, ``does not print `…```) or, for rows not supported,
  its error.
- Semantics: the statements run on a connection; the notes quote the last statement's
  result as the command line prints it (``gives `…```) or its error (``Fails with `…```).

Statements run on moto (they use S3 too); command lines and semantics on moto and on
DynamoDB Local.
"""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import boto3
import pytest

import ddbsql
from ddbsql.cli.main import main
from ddbsql.cli.output import render_value_hive
from support.ddb_env import open_connection

DOC = Path(__file__).resolve().parents[1] / "docs" / "hive-compatibility.md"
BUCKET = "my-bucket"
DYNAMODB_TABLE = "DocOrders"
SESSIONS_TABLE = "DocSessions"
SCRIPT = "SELECT 'from the script';\n"
WORLD = """
CREATE EXTERNAL TABLE orders (id string, amount bigint)
STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
TBLPROPERTIES ("dynamodb.table.name" = "DocOrders", "dynamodb.column.mapping" = "id:id,amount:amount");
CREATE TABLE customers (id string, name string);
INSERT INTO customers VALUES ('o1', 'Ann'), ('o2', 'Bob');
"""
#: the statuses of the legend; the Command line table's "yes" is not one of them
STATUSES = ("supported", "differs", "not supported")
FAILS = r"Fails with `([^`]+)`"


def _cells(line: str) -> list[str]:
    """The cells of a markdown table row (``\\|`` is a literal bar)."""
    parts = re.split(r"(?<!\\)\|", line.strip().strip("|"))
    return [p.strip().replace("\\|", "|") for p in parts]


def _rows(title: str) -> list[tuple[str, str, str, str]]:
    """The rows of the table in the section called ``title``: feature, status, example, notes."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header = _cells(lines[0])
    assert header[1:] == ["Status", "Example", "Notes"], title
    return [tuple(_cells(line)) for line in lines[2:]]


STATEMENT_ROWS = _rows("Statements")
COMMAND_LINE_ROWS = _rows("Command line and commands")
SEMANTICS_ROWS = _rows("Semantics")


def _code(cell: str) -> str:
    """The text of a cell that is one code span (`…` or `` … `` when it holds a backtick)."""
    match = re.fullmatch(r"``\s(.+)\s``|`([^`]+)`", cell)
    assert match, f"the example must be one code span: {cell!r}"
    return match.group(1) or match.group(2)


def _statements(cell: str) -> list[str]:
    return [s.strip() for s in _code(cell).split(";") if s.strip()]


def _ids(rows) -> list[str]:
    return [r[0][:60] for r in rows]


def _spaced(text: str) -> str:
    """Text with each run of white space as one space (tabs in output, spaces in the notes)."""
    return " ".join(text.split())


def _printed(piece: str, output: str) -> bool:
    """Whether ``output`` holds ``piece`` as whole words (``6`` is not found in ``0.006``)."""
    return re.search(r"(?<!\S)" + re.escape(_spaced(piece)) + r"(?!\S)", _spaced(output)) is not None


@pytest.mark.parametrize("title,rows", [("Statements", STATEMENT_ROWS), ("Command line", COMMAND_LINE_ROWS),
                                        ("Semantics", SEMANTICS_ROWS)])
def test_every_row_has_an_example_and_a_known_status(title, rows):
    assert rows, title
    for feature, status, example, notes in rows:
        assert status in STATUSES, feature
        assert _code(example), feature
        if status == "not supported":
            assert re.search(FAILS, notes), f"{feature}: quote the error (Fails with `…`)"
        if title == "Command line":
            assert re.search(r"exits \d+", notes), f"{feature}: give the example's exit status"
            assert _code(example).startswith("ddbsql"), feature
        if title == "Semantics":
            assert re.search(FAILS, notes) or re.search(r"gives `[^`]+`", notes), \
                f"{feature}: quote the result (gives `…`) or the error (Fails with `…`)"


def _open_world(backend, tmp_path):
    """The DynamoDB tables the examples read, on ``backend``, and a connection on which
    the tables of :data:`WORLD` are defined."""
    client = backend.client()
    tables = [(DYNAMODB_TABLE, None), (SESSIONS_TABLE, "expires")]
    for name, ttl in tables:
        try:  # the server outlives the test: the table may be there from an earlier one
            client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
        except client.exceptions.ResourceInUseException:
            continue
        client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
        if ttl:
            client.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True,
                                                                                "AttributeName": ttl})
    for i, amount in enumerate((5, 12, 30), 1):
        client.put_item(TableName=DYNAMODB_TABLE, Item={"id": {"S": f"o{i}"}, "amount": {"N": str(amount)}})
    # one item expired long ago, one that expires in the year 2286
    for key, expires in (("s1", 1), ("s2", 9999999999)):
        client.put_item(TableName=SESSIONS_TABLE, Item={"id": {"S": key}, "expires": {"N": str(expires)}})
    conn = open_connection(backend, tmp_path)
    conn.cursor().executescript(WORLD)
    return conn


@pytest.fixture
def world(moto_backend, tmp_path):
    """The Statements table's world, on moto (its examples also use S3)."""
    s3 = boto3.client("s3", endpoint_url=moto_backend.url, region_name="us-east-1",
                      aws_access_key_id="AKIDTEST", aws_secret_access_key="secret")
    try:
        s3.create_bucket(Bucket=BUCKET)
    except (s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists):
        pass
    conn = _open_world(moto_backend, tmp_path)
    yield conn
    conn.close()


@pytest.fixture
def dynamodb_world(ddb_backend, tmp_path):
    """The same DynamoDB world on each server: moto, then DynamoDB Local."""
    conn = _open_world(ddb_backend, tmp_path)
    yield conn
    conn.close()


def _fails_as_quoted(cursor, statements: list[str], expected: str) -> None:
    for statement in statements[:-1]:
        cursor.execute(statement)
    with pytest.raises(ddbsql.Error) as failure:
        cursor.execute(statements[-1])
        if cursor.description:
            cursor.fetchall()
    assert expected in str(failure.value)


@pytest.mark.parametrize("feature,status,example,notes", STATEMENT_ROWS, ids=_ids(STATEMENT_ROWS))
def test_the_example_does_what_the_row_says(world, feature, status, example, notes):
    statements = _statements(example)
    cursor = world.cursor()
    if status == "not supported":
        _fails_as_quoted(cursor, statements, re.search(FAILS, notes).group(1))
        return
    for statement in statements:
        cursor.execute(statement)
        if cursor.description:
            cursor.fetchall()


@pytest.mark.parametrize("feature,status,example,notes", SEMANTICS_ROWS, ids=_ids(SEMANTICS_ROWS))
def test_the_semantics_example_gives_the_quoted_result(dynamodb_world, feature, status, example, notes):
    statements = _statements(example)
    cursor = dynamodb_world.cursor()
    failure = re.search(FAILS, notes)
    if failure:
        _fails_as_quoted(cursor, statements, failure.group(1))
        return
    for statement in statements:
        cursor.execute(statement)
    table = cursor.fetch_arrow_table()
    rows = _as_printed(table)
    assert len(rows) == 1, f"{feature}: the example must give one row, got {rows}"
    assert _spaced(" ".join(rows[0])) == _spaced(re.search(r"gives `([^`]+)`", notes).group(1))


def _as_printed(table) -> list[list[str]]:
    """The rows of an Arrow table as the command line prints their values."""
    columns = [[render_value_hive(v, field.type) for v in table.column(i).to_pylist()]
               for i, field in enumerate(table.schema)]
    return [list(row) for row in zip(*columns)]


@pytest.fixture
def command_line(dynamodb_world, ddb_backend, tmp_path, monkeypatch, capfd):
    """Run a documented command line through ``main()`` in a folder holding script.sql,
    against the world's endpoint and metastore: (exit status, stdout + stderr)."""
    dynamodb_world.close()  # the command line opens its own connection on the same files
    (tmp_path / "script.sql").write_text(SCRIPT)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DDBSQL_HOME", str(tmp_path / "home"))
    connection = ["--endpoint-url", ddb_backend.url, "--region", "us-east-1",
                  "--metastore", str(tmp_path / "metastore.db")]

    def run(line: str) -> tuple[int, str]:
        argv = shlex.split(line)
        assert argv[0] == "ddbsql", line
        capfd.readouterr()
        try:
            status = main(argv[1:] + connection)
        except SystemExit as exit_:  # argparse: --help, usage errors
            status = exit_.code
        out, err = capfd.readouterr()
        return status, out + err

    return run


@pytest.mark.parametrize("feature,status,example,notes", COMMAND_LINE_ROWS, ids=_ids(COMMAND_LINE_ROWS))
def test_the_command_line_example_does_what_the_row_says(command_line, feature, status, example, notes):
    exit_status, output = command_line(_code(example))
    assert exit_status == int(re.search(r"exits (\d+)", notes).group(1)), output
    failure = re.search(FAILS, notes)
    if status == "not supported":
        assert exit_status != 0
    wanted = re.findall(r"prints `([^`]+)`(?: and `([^`]+)`)?", notes)
    wanted = [piece for pair in wanted for piece in pair if piece] + ([failure.group(1)] if failure else [])
    assert wanted or status == "not supported", f"{feature}: quote what the example prints"
    for piece in wanted:
        assert _printed(piece, output), f"{feature}: {piece!r} not in {output!r}"
    for piece in re.findall(r"does not print `([^`]+)`", notes):
        assert not _printed(piece, output), f"{feature}: {piece!r} in {output!r}"
