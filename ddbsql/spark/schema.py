"""Hive column types as Spark types, and Arrow batches reshaped between the two.

Every Hive type a DynamoDB table may have has an exact Spark counterpart: numbers keep
their width, ``decimal(p,s)`` stays ``decimal(p,s)`` (DynamoDB's 38 digits are never
read through a float), ``binary`` stays bytes, and arrays, maps and structs nest.
"""
from __future__ import annotations

from typing import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from ..catalog.model import TableDef
from ..errors import ExecutionError, TypeMappingError
from ..types import HiveType

_SPARK_PRIMITIVES = {
    "string": "string", "varchar": "string", "char": "string", "tinyint": "tinyint", "smallint": "smallint",
    "int": "int", "bigint": "bigint", "float": "float", "double": "double", "boolean": "boolean",
    "binary": "binary",
}


def spark_type_ddl(hive_type: HiveType) -> str:
    """The Spark SQL DDL text of a Hive column type (``decimal(38,2)``, ``map<string,bigint>``)."""
    name = hive_type.name
    if name in _SPARK_PRIMITIVES:
        return _SPARK_PRIMITIVES[name]
    if name == "decimal":
        return f"decimal({hive_type.params[0]},{hive_type.params[1]})"
    if name == "array":
        return f"array<{spark_type_ddl(hive_type.params[0])}>"
    if name == "map":
        return f"map<{spark_type_ddl(hive_type.params[0])},{spark_type_ddl(hive_type.params[1])}>"
    if name == "struct":
        return "struct<" + ",".join(f"`{n}`:{spark_type_ddl(t)}" for n, t in hive_type.params) + ">"
    raise TypeMappingError(f"Hive type '{hive_type}' has no Spark form in a DynamoDB table")


def spark_schema_ddl(table: TableDef) -> str:
    """The Spark schema of a table, as DDL text: its columns in order, lower-case names."""
    return ", ".join(f"`{c.name}` {spark_type_ddl(c.type)}" for c in table.columns)


def conform(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """``batch`` with exactly ``schema``'s field names, types and nested field names.

    Columns are matched by position (the batch was decoded for these columns, in this
    order); only names and equivalent layouts change (``list<item>`` vs
    ``list<element>``), never values.
    """
    if batch.schema.equals(schema):
        return batch
    arrays = [column.cast(field.type) for column, field in zip(batch.columns, schema)]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def to_table_columns(batch: pa.RecordBatch, table: TableDef, names: Sequence[str] | None = None) -> pa.RecordBatch:
    """A batch of Spark rows as the table's columns: matched by name (case-insensitive),
    each cast to the column's Arrow type; columns the batch lacks are NULL.

    :class:`~ddbsql.errors.ExecutionError` for a value that does not fit its column
    (a cast would change it), naming the column.
    """
    by_name = {name.lower(): i for i, name in enumerate(names or batch.schema.names)}
    arrays, fields = [], []
    for column in table.columns:
        target = column.type.to_arrow()
        index = by_name.get(column.name)
        if index is None:
            array = pa.nulls(batch.num_rows, target)
        else:
            array = batch.column(index)
            if not array.type.equals(target):
                try:
                    array = pc.cast(array, target, safe=True)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                    raise ExecutionError(f"column '{column.name}' ({array.type}) does not convert to "
                                         f"{column.type} without changing values: {exc}") from None
        arrays.append(array)
        fields.append(pa.field(column.name, target))
    return pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields))
