"""Parsing the partition statements sqlglot does not know."""
import pytest

from ddbsql.errors import ParseError
from ddbsql.sql.table_names import TableName
from ddbsql.sql.partitions import (AddPartitions, DropPartitions, PartitionSpec, RepairTable, ShowPartitions,
                                   parse_partition_statement)


def test_msck_forms():
    assert parse_partition_statement("MSCK REPAIR TABLE db.t") == RepairTable(TableName("t", "db"), "add")
    assert parse_partition_statement("msck table `T` sync partitions").mode == "sync"
    with pytest.raises(ParseError, match="MSCK"):
        parse_partition_statement("MSCK REPAIR t")


def test_add_drop_show_partitions():
    add = parse_partition_statement(
        "ALTER TABLE t ADD IF NOT EXISTS PARTITION (dt='2024-01-01', h=1) LOCATION 's3://b/x' PARTITION (dt=\"a\\'b\", h=2)")
    assert add == AddPartitions(TableName("t"), (
        (PartitionSpec((("dt", "2024-01-01"), ("h", "1"))), "s3://b/x"),
        (PartitionSpec((("dt", "a'b"), ("h", "2"))), None)), True)
    drop = parse_partition_statement("ALTER TABLE t DROP IF EXISTS PARTITION (dt='a'), PARTITION (dt='b')")
    assert drop == DropPartitions(TableName("t"), (PartitionSpec((("dt", "a"),)),
                                                        PartitionSpec((("dt", "b"),))), True)
    show = parse_partition_statement("SHOW PARTITIONS db.t PARTITION (dt='a')")
    assert show == ShowPartitions(TableName("t", "db"), PartitionSpec((("dt", "a"),)))
    assert parse_partition_statement("ALTER TABLE t SET TBLPROPERTIES ('a'='b')") is None
    assert parse_partition_statement("SELECT 1") is None
    with pytest.raises(ParseError, match="needs a value"):
        parse_partition_statement("ALTER TABLE t ADD PARTITION (dt)")
