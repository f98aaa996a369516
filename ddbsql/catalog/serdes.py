"""Hive's names for how a file table's rows are stored (SerDe, input and output format
classes) and the ddbsql file format each stands for (see ``FileStorage.format``).

One table for the places that meet these names: CREATE TABLE's ROW FORMAT / STORED AS
clauses, SHOW CREATE TABLE, DESCRIBE FORMATTED and Glue Data Catalog tables.
"""
from __future__ import annotations

from ..errors import SemanticError

LAZY_SIMPLE = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
OPEN_CSV = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
JSON_SERDES = ("org.apache.hive.hcatalog.data.JsonSerDe", "org.apache.hadoop.hive.serde2.JsonSerDe",
               "org.openx.data.jsonserde.JsonSerDe")
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
ORC_SERDE = "org.apache.hadoop.hive.ql.io.orc.OrcSerde"

#: input format class -> format
INPUT_FORMATS = {"org.apache.hadoop.mapred.TextInputFormat": "text",
                 "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat": "parquet",
                 "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat": "orc"}
#: format -> (input format class, output format class)
IO_FORMATS = {
    "text": ("org.apache.hadoop.mapred.TextInputFormat", "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"),
    "parquet": ("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"),
    "orc": ("org.apache.hadoop.hive.ql.io.orc.OrcInputFormat", "org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat"),
}
#: format -> the SerDe Hive uses for it
SERDE_OF = {"text": LAZY_SIMPLE, "csv": OPEN_CSV, "json": JSON_SERDES[0], "parquet": PARQUET_SERDE,
            "orc": ORC_SERDE}


def format_of_serde(serde: str | None) -> str:
    """The file format a SerDe class reads; a :class:`SemanticError` for one ddbsql cannot read."""
    if serde is None or serde == LAZY_SIMPLE or serde.endswith(".LazySimpleSerDe"):
        return "text"
    if serde == OPEN_CSV or serde.endswith(".OpenCSVSerde"):
        return "csv"
    if serde in JSON_SERDES or serde.endswith("JsonSerDe") or serde.endswith("JsonSerde"):
        return "json"
    if serde == PARQUET_SERDE or serde.endswith("ParquetHiveSerDe"):
        return "parquet"
    if serde == ORC_SERDE or serde.endswith("OrcSerde"):
        return "orc"
    raise SemanticError(f"ROW FORMAT SERDE '{serde}' is not supported (ddbsql reads LazySimpleSerDe, OpenCSVSerde, "
                        "the JSON SerDes, Parquet and ORC)")
