"""timestamp and date columns on DynamoDB tables, on a real endpoint: the stored forms, exact
round trips, and bad stored values read as NULL with a per-column warning."""
from __future__ import annotations

import datetime as dt

import pytest

import ddbsql

pytestmark = pytest.mark.e2e

HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"


def test_timestamps_and_dates_written_and_read_exactly(env, unique_table_name):
    env.create_ddb_table(unique_table_name, ("id", "S"))
    env.run(f"""CREATE EXTERNAL TABLE ev (id string, at timestamp, day date, seen timestamp, born date)
                STORED BY {HANDLER}
                TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}",
                               "ddbsql.time.encoding" = "seen:epoch_millis,born:epoch_seconds")""")
    env.run("""INSERT INTO ev VALUES
               ('a', TIMESTAMP '2024-02-29 23:59:59.123456', DATE '2024-02-29',
                TIMESTAMP '2024-01-01 00:00:00.25', DATE '1969-12-31'),
               ('b', NULL, NULL, TIMESTAMP '1970-01-01 00:00:00', DATE '2000-01-01')""")
    items = {i["id"]["S"]: i for i in env.scan_items(unique_table_name)}
    assert items["a"] == {"id": {"S": "a"}, "at": {"S": "2024-02-29T23:59:59.123456"}, "day": {"S": "2024-02-29"},
                          "seen": {"N": "1704067200250"}, "born": {"N": "-86400"}}
    assert items["b"] == {"id": {"S": "b"}, "seen": {"N": "0"}, "born": {"N": "946684800"}}
    rows = env.rows("SELECT id, at, day, seen, born FROM ev ORDER BY id")
    assert rows == [("a", dt.datetime(2024, 2, 29, 23, 59, 59, 123456), dt.date(2024, 2, 29),
                     dt.datetime(2024, 1, 1, 0, 0, 0, 250000), dt.date(1969, 12, 31)),
                    ("b", None, None, dt.datetime(1970, 1, 1), dt.date(2000, 1, 1))]
    # Hive's date functions work on them
    assert env.rows("SELECT year(at), datediff(day, born) FROM ev WHERE id = 'a'") == [(2024, 19783)]


def test_bad_stored_values_read_as_null_with_a_warning(env, unique_table_name):
    env.create_ddb_table(unique_table_name, ("id", "S"))
    env.put_items(unique_table_name, [{"id": {"S": "ok"}, "at": {"N": "1700000000000"}},
                                      {"id": {"S": "text"}, "at": {"S": "next tuesday"}},
                                      {"id": {"S": "bool"}, "at": {"BOOL": True}}])
    env.run(f"""CREATE EXTERNAL TABLE ev (id string, at timestamp) STORED BY {HANDLER}
                TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}",
                               "ddbsql.time.encoding" = "at:epoch_millis")""")
    rows, cursor = env.run("SELECT id, at FROM ev ORDER BY id")
    assert rows == [("bool", None), ("ok", dt.datetime(2023, 11, 14, 22, 13, 20)), ("text", None)]
    assert any("ev.at: 1 value(s) read as NULL" in m and "ISO-8601" in m for m in cursor.messages), cursor.messages
    assert any("ev.at: 1 value(s) read as NULL" in m and "BOOL" in m for m in cursor.messages), cursor.messages


def test_time_columns_cannot_be_created_as_keys(env, unique_table_name):
    with pytest.raises(ddbsql.ProgrammingError, match="must be a string, number or binary column"):
        env.run(f"""CREATE EXTERNAL TABLE ev (at timestamp) STORED BY {HANDLER}
                    TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}", "ddbsql.create" = "true",
                                   "ddbsql.hash.key" = "at")""")
