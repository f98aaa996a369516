"""Hive's names for how a file table's rows are stored (SerDe, input and output format
classes) and the :class:`~ddbsql.catalog.model.FileFormat` each stands for.

The names are catalog facts: CREATE TABLE's clauses, SHOW CREATE TABLE, DESCRIBE and
the Glue Data Catalog's tables meet them (``ddbsql.files.registry`` builds its format
rules on them).
"""
from __future__ import annotations

from ..errors import SemanticError
from .model import FileFormat

LAZY_SIMPLE = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
OPEN_CSV = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
JSON_SERDES = ("org.apache.hive.hcatalog.data.JsonSerDe", "org.apache.hadoop.hive.serde2.JsonSerDe",
               "org.openx.data.jsonserde.JsonSerDe")
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
ORC_SERDE = "org.apache.hadoop.hive.ql.io.orc.OrcSerde"

TEXT_IO = ("org.apache.hadoop.mapred.TextInputFormat", "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat")
PARQUET_IO = ("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
              "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat")
ORC_IO = ("org.apache.hadoop.hive.ql.io.orc.OrcInputFormat", "org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat")

#: format -> (the SerDe Hive names for it, its input and output format classes)
HIVE_NAMES: dict[FileFormat, tuple[str, tuple[str, str]]] = {
    FileFormat.TEXT: (LAZY_SIMPLE, TEXT_IO), FileFormat.CSV: (OPEN_CSV, TEXT_IO),
    FileFormat.JSON: (JSON_SERDES[0], TEXT_IO), FileFormat.PARQUET: (PARQUET_SERDE, PARQUET_IO),
    FileFormat.ORC: (ORC_SERDE, ORC_IO)}
#: input format class -> format
FORMAT_OF_INPUT = {TEXT_IO[0]: FileFormat.TEXT, PARQUET_IO[0]: FileFormat.PARQUET, ORC_IO[0]: FileFormat.ORC}


def format_of_serde(serde: str | None) -> FileFormat:
    """The format a SerDe class reads; a :class:`SemanticError` for one ddbsql cannot read."""
    if serde is None or serde == LAZY_SIMPLE or serde.endswith(".LazySimpleSerDe"):
        return FileFormat.TEXT
    if serde == OPEN_CSV or serde.endswith(".OpenCSVSerde"):
        return FileFormat.CSV
    if serde in JSON_SERDES or serde.endswith("JsonSerDe") or serde.endswith("JsonSerde"):
        return FileFormat.JSON
    if serde == PARQUET_SERDE or serde.endswith("ParquetHiveSerDe"):
        return FileFormat.PARQUET
    if serde == ORC_SERDE or serde.endswith("OrcSerde"):
        return FileFormat.ORC
    raise SemanticError(f"ROW FORMAT SERDE '{serde}' is not supported (ddbsql reads LazySimpleSerDe, OpenCSVSerde, "
                        "the JSON SerDes, Parquet and ORC)")
