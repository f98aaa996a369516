"""Turning a DynamoDB table definition's TBLPROPERTIES into column bindings, and checking them.

Follows the EMR DynamoDB connector: ``dynamodb.column.mapping`` is
``hive_column:DynamoDBAttribute,…``; ``dynamodb.type.mapping`` overrides the DynamoDB
type of a column (``col:SS``); a ``map<string,string>`` column absent from the mapping
holds the whole item.  Unlike the connector, a column missing from the mapping is bound
to an attribute spelled as the column was in the CREATE statement.
"""
from __future__ import annotations

import re

from ..errors import CatalogError, TypeMappingError
from ..types import ITEM_MAP, HiveType
from .binding import ColumnBinding, TimeEncoding
from .facts import TableFacts
from .model import TableDef

TABLE_NAME = "dynamodb.table.name"
COLUMN_MAPPING = "dynamodb.column.mapping"
TYPE_MAPPING = "dynamodb.type.mapping"
NULL_SERIALIZATION = "dynamodb.null.serialization"
REGION = "dynamodb.region"
ENDPOINT = "dynamodb.endpoint"
#: ``column:encoding,…`` for timestamp/date columns: iso8601 (S, the default),
#: epoch_seconds or epoch_millis (N)
TIME_ENCODING = "ddbsql.time.encoding"
#: per-table credentials (see exec/credentials.py)
ROLE_ARN = "ddbsql.aws.role.arn"
EXTERNAL_ID = "ddbsql.aws.external.id"
ROLE_SESSION_NAME = "ddbsql.aws.role.session.name"
PROFILE = "ddbsql.aws.profile"

#: Every TBLPROPERTIES key the storage handler documents, plus ddbsql's own.
KNOWN_PROPERTIES = (
    TABLE_NAME, COLUMN_MAPPING, TYPE_MAPPING, NULL_SERIALIZATION, REGION, ENDPOINT,
    "dynamodb.throughput.read", "dynamodb.throughput.read.percent",
    "dynamodb.throughput.write", "dynamodb.throughput.write.percent",
    "dynamodb.consistent.read", "dynamodb.scan.segments", "dynamodb.filter.pushdown",
    "dynamodb.deletion.mode", "dynamodb.max.map.tasks", "dynamodb.version",
    "ddbsql.create", "ddbsql.hash.key", "ddbsql.range.key", "ddbsql.billing.mode",
    "ddbsql.read.capacity", "ddbsql.write.capacity", "ddbsql.write.mode", "ddbsql.write.version.column",
    TIME_ENCODING, "ddbsql.read.skip.expired", "ddbsql.write.atomic", ROLE_ARN, EXTERNAL_ID, ROLE_SESSION_NAME, PROFILE,
)

_VALID_TABLE_NAME = re.compile(r"^[A-Za-z0-9_.\-]{3,255}$")
_SET_ELEMENT = {"SS": ("string", "varchar", "char"), "NS": ("tinyint", "smallint", "int", "bigint", "float",
                                                               "double", "decimal"), "BS": ("binary",)}
_COMPATIBLE_KEY = {"S": ("string", "varchar", "char"), "B": ("binary",),
                   "N": ("tinyint", "smallint", "int", "bigint", "float", "double", "decimal")}


def check_table_name(name: str) -> str:
    """Return ``name`` if DynamoDB accepts it as a table name, else a clear error."""
    if _VALID_TABLE_NAME.match(name):
        return name
    hint = ""
    if re.search(r"(?<!\$)\{(hiveconf|hivevar|env|system):", name):
        hint = " (a variable reference is missing its '$': write ${hiveconf:x})"
    elif "${" in name:
        hint = " (it contains an undefined variable; pass it with -hiveconf or -hivevar)"
    raise CatalogError(
        f"invalid DynamoDB table name '{name}': 3-255 characters of a-z, A-Z, 0-9, '_', '-', '.'{hint}")


def default_ddb_type(hive_type: HiveType) -> str:
    """The DynamoDB type a Hive type is written as, per the connector; error if none."""
    name = hive_type.name
    if name in ("string", "varchar", "char", "timestamp", "date"):
        return "S"
    if hive_type.is_numeric:
        return "N"
    if name == "binary":
        return "B"
    if name == "boolean":
        return "BOOL"
    if name == "array":
        return "L"
    if name in ("map", "struct"):
        return "M"
    raise TypeMappingError(
        f"Hive type '{hive_type}' has no DynamoDB form (use string, bigint, int, double, decimal, "
        "boolean, binary, timestamp, date, array, map or struct)")


def _parse_pairs(text: str, what: str) -> list[tuple[str, str]]:
    pairs = []
    for part in text.split(","):
        if not part.strip():
            continue
        left, sep, right = part.partition(":")
        if not sep or not left.strip() or not right.strip():
            raise CatalogError(f"{what}: expected 'hive_column:value' pairs separated by commas, got '{part.strip()}'")
        pairs.append((left.strip(), right.strip()))
    return pairs


def bindings_for(table: TableDef) -> list[ColumnBinding]:
    """The binding of every column of a DynamoDB table, in column order.

    Raises :class:`CatalogError` / :class:`TypeMappingError` for mappings that name
    unknown columns, map two columns to one attribute, or pair incompatible types.
    """
    props = table.properties
    columns = {c.name: c for c in table.columns}
    mapping: dict[str, str] = {}
    for hive_col, attribute in _parse_pairs(props.get(COLUMN_MAPPING, ""), COLUMN_MAPPING):
        col = hive_col.lower()
        if col not in columns:
            raise CatalogError(f"{COLUMN_MAPPING} names column '{hive_col}', which the table does not have "
                               f"(columns: {', '.join(columns)})")
        mapping[col] = attribute
    type_overrides = {c.lower(): t.upper() for c, t in _parse_pairs(props.get(TYPE_MAPPING, ""), TYPE_MAPPING)}
    for col in type_overrides:
        if col not in columns:
            raise CatalogError(f"{TYPE_MAPPING} names column '{col}', which the table does not have")
    encodings = _time_encodings(props.get(TIME_ENCODING, ""), columns)

    bindings = []
    seen: dict[str, str] = {}
    for column in table.columns:
        override = type_overrides.get(column.name)
        if column.name not in mapping and column.type == ITEM_MAP and override in (None, "ITEM"):
            bindings.append(ColumnBinding(column.name, column.type, None, "ITEM"))
            continue
        attribute = mapping.get(column.name, column.spelling or column.name)
        if attribute in seen:
            raise CatalogError(f"columns '{seen[attribute]}' and '{column.name}' both map to DynamoDB "
                               f"attribute '{attribute}'")
        seen[attribute] = column.name
        encoding = None
        if column.type.name in ("timestamp", "date"):
            encoding = _time_encoding_of(column.name, encodings.get(column.name), override)
            override = encoding.ddb_type
        ddb_type = override or default_ddb_type(column.type)
        _check_override(column.name, column.type, ddb_type)
        bindings.append(ColumnBinding(column.name, column.type, attribute, ddb_type, encoding))
    if sum(b.is_item for b in bindings) > 1:
        raise CatalogError("only one whole-item column (map<string,string> without a mapping) is allowed")
    return bindings


def _time_encodings(text: str, columns: dict) -> dict[str, TimeEncoding]:
    """The ``ddbsql.time.encoding`` property: encoding per timestamp/date column."""
    known = ", ".join(e.value for e in TimeEncoding)
    out = {}
    for col, value in _parse_pairs(text, TIME_ENCODING):
        column = columns.get(col.lower())
        if column is None:
            raise CatalogError(f"{TIME_ENCODING} names column '{col}', which the table does not have")
        if column.type.name not in ("timestamp", "date"):
            raise CatalogError(f"{TIME_ENCODING} names column '{col}', which is {column.type}, "
                               "not a timestamp or date")
        try:
            out[col.lower()] = TimeEncoding(value.lower())
        except ValueError:
            raise CatalogError(f"{TIME_ENCODING}: '{value}' for column '{col}' is not one of {known}") from None
    return out


def _time_encoding_of(column: str, declared: TimeEncoding | None, type_override: str | None) -> TimeEncoding:
    """A timestamp/date column's encoding: declared, else from ``dynamodb.type.mapping``
    (N: epoch seconds), else ISO-8601 text."""
    if declared is None:
        if type_override == "N":
            return TimeEncoding.EPOCH_SECONDS
        if type_override in (None, "S"):
            return TimeEncoding.ISO8601
        raise TypeMappingError(f"column '{column}' (a timestamp or date) can be stored as S or N, "
                               f"not {type_override}")
    if type_override is not None and type_override != declared.ddb_type:
        raise TypeMappingError(f"column '{column}': {TIME_ENCODING} {declared.value} is stored as "
                               f"{declared.ddb_type}, but {TYPE_MAPPING} says {type_override}")
    return declared


def _check_override(column: str, hive_type: HiveType, ddb_type: str) -> None:
    default = default_ddb_type(hive_type)
    if ddb_type == default:
        return
    if hive_type.name in ("timestamp", "date") and ddb_type == "N":
        return
    if ddb_type in _SET_ELEMENT and hive_type.name == "array" and hive_type.params[0].name in _SET_ELEMENT[ddb_type]:
        return
    if ddb_type == "M" and hive_type == ITEM_MAP:
        return
    if ddb_type == "TEXT" and hive_type.name == "string":
        return
    raise TypeMappingError(f"column '{column}' of type {hive_type} cannot be stored as DynamoDB type {ddb_type}")


def check_against_table(table: TableDef, bindings: list[ColumnBinding], facts: TableFacts) -> list[str]:
    """Errors for mappings that contradict the DynamoDB key schema; returns warnings.

    A key attribute bound to a column of an incompatible type is an error (every
    read would be NULL and every write rejected).  An unmapped key attribute is a
    warning: reads work, writes will be rejected.
    """
    warnings = []
    by_attribute = {b.attribute: b for b in bindings if b.attribute}
    has_item = any(b.is_item for b in bindings)
    for role, attribute in (("hash", facts.hash_key), ("range", facts.range_key)):
        if attribute is None:
            continue
        binding = by_attribute.get(attribute)
        ddb_type = facts.attribute_types.get(attribute)
        if binding is None:
            if not has_item:
                warnings.append(f"{table.name}: the {role} key attribute '{attribute}' of DynamoDB table "
                                f"'{facts.table_name}' is not mapped to any column; INSERTs into this table "
                                f"will be rejected")
            continue
        if ddb_type and binding.hive_type.name not in _COMPATIBLE_KEY.get(ddb_type, ()):
            raise TypeMappingError(
                f"column '{binding.name}' is {binding.hive_type} but the {role} key attribute '{attribute}' of "
                f"DynamoDB table '{facts.table_name}' has type {ddb_type}")
    return warnings
