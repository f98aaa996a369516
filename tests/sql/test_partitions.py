"""Parsing the partition statements sqlglot does not know."""
import pytest

from ddbsql.errors import ParseError
from ddbsql.sql import partitions as sp


def test_msck_forms():
    assert sp.parse_partition_statement("MSCK REPAIR TABLE db.t") == sp.RepairTable(sp.TableRef("t", "db"), "add")
    assert sp.parse_partition_statement("msck table `T` sync partitions").mode == "sync"
    with pytest.raises(ParseError, match="MSCK"):
        sp.parse_partition_statement("MSCK REPAIR t")


def test_add_drop_show_partitions():
    add = sp.parse_partition_statement(
        "ALTER TABLE t ADD IF NOT EXISTS PARTITION (dt='2024-01-01', h=1) LOCATION 's3://b/x' PARTITION (dt=\"a\\'b\", h=2)")
    assert add == sp.AddPartitions(sp.TableRef("t"), (
        (sp.PartitionSpec((("dt", "2024-01-01"), ("h", "1"))), "s3://b/x"),
        (sp.PartitionSpec((("dt", "a'b"), ("h", "2"))), None)), True)
    drop = sp.parse_partition_statement("ALTER TABLE t DROP IF EXISTS PARTITION (dt='a'), PARTITION (dt='b')")
    assert drop == sp.DropPartitions(sp.TableRef("t"), (sp.PartitionSpec((("dt", "a"),)),
                                                        sp.PartitionSpec((("dt", "b"),))), True)
    show = sp.parse_partition_statement("SHOW PARTITIONS db.t PARTITION (dt='a')")
    assert show == sp.ShowPartitions(sp.TableRef("t", "db"), sp.PartitionSpec((("dt", "a"),)))
    assert sp.parse_partition_statement("ALTER TABLE t SET TBLPROPERTIES ('a'='b')") is None
    assert sp.parse_partition_statement("SELECT 1") is None
    with pytest.raises(ParseError, match="needs a value"):
        sp.parse_partition_statement("ALTER TABLE t ADD PARTITION (dt)")
