"""SerDe clauses: ROW FORMAT …, STORED AS … and ``"ddbsql.format"`` read into a file
table's storage, and the storage written back as SHOW CREATE TABLE and DESCRIBE show it."""
from __future__ import annotations

import dataclasses

from sqlglot import exp

from ..catalog.model import FILE_FORMATS, FileFormat, TableDef
from ..errors import ConfigError, SemanticError
from .formats.text_values import hive_separator
from .registry import INPUT_FORMATS, LAZY_SIMPLE, STORED_AS, format_of_serde, rules_of


def literal_text(node) -> str | None:
    if node is None:
        return None
    if isinstance(node, exp.Literal):
        return node.this
    return node.name if hasattr(node, "name") else str(node)


def _serde_properties(node) -> dict[str, str]:
    props: dict[str, str] = {}
    serde_props = node.args.get("serde_properties") if node is not None else None
    for prop in serde_props.expressions if serde_props is not None else []:
        props[prop.name] = literal_text(prop.args.get("value")) or ""
    return props


def _delimited(node: exp.RowFormatDelimitedProperty) -> dict[str, str]:
    props: dict[str, str] = {}
    for arg, key in (("fields", "field.delim"), ("escaped", "escape.delim"), ("collection_items", "colelction.delim"),
                     ("map_keys", "mapkey.delim"), ("lines", "line.delim"), ("null", "serialization.null.format")):
        value = literal_text(node.args.get(arg))
        if value is not None:
            props[key] = value
    if "field.delim" in props:
        props["serialization.format"] = props["field.delim"]
    return props


@dataclasses.dataclass
class StorageClauses:
    """What CREATE TABLE / INSERT … DIRECTORY said about the files."""

    format: FileFormat = FileFormat.TEXT
    serde: str | None = None
    serde_properties: dict[str, str] = dataclasses.field(default_factory=dict)
    input_format: str | None = None
    output_format: str | None = None


def storage_clauses(row_format, stored, table_props: dict[str, str] | None = None) -> StorageClauses:
    """Interpret ROW FORMAT …, STORED AS … and TBLPROPERTIES ("ddbsql.format")."""
    clauses = StorageClauses()
    serde_format = None
    if isinstance(row_format, exp.RowFormatDelimitedProperty):
        clauses.serde = LAZY_SIMPLE
        clauses.serde_properties.update(_delimited(row_format))
    elif isinstance(row_format, exp.RowFormatSerdeProperty):
        clauses.serde = literal_text(row_format.this)
        clauses.serde_properties.update(_serde_properties(row_format))
        serde_format = format_of_serde(clauses.serde)
    stored_format = None
    if isinstance(stored, exp.FileFormatProperty):
        value = stored.this
        if isinstance(value, exp.InputOutputFormat):
            clauses.input_format = literal_text(value.args.get("input_format"))
            clauses.output_format = literal_text(value.args.get("output_format"))
            stored_format = INPUT_FORMATS.get(clauses.input_format or "")
            if stored_format is None:
                raise SemanticError(f"INPUTFORMAT '{clauses.input_format}' is not supported (ddbsql reads text, "
                                    "Parquet and ORC)")
        else:
            name = (value.name if hasattr(value, "name") else str(value)).upper()
            stored_format = STORED_AS.get(name)
            if stored_format is None:
                raise SemanticError(f"STORED AS {name} is not supported (use TEXTFILE, PARQUET, ORC, JSONFILE, "
                                    "DYNAMODB_EXPORT or EMR_DYNAMODB_EXPORT)")
    if stored_format in (None, FileFormat.TEXT):
        clauses.format = serde_format or FileFormat.TEXT
    else:
        clauses.format = stored_format
    explicit = (table_props or {}).get("ddbsql.format")
    if explicit:
        if explicit.lower() not in FILE_FORMATS:
            raise ConfigError(f'"ddbsql.format"="{explicit}": use one of {", ".join(FILE_FORMATS)}')
        clauses.format = FileFormat(explicit.lower())
    if clauses.format == FileFormat.TEXT:
        line = clauses.serde_properties.get("line.delim")
        if line is not None and _line_separator(line) != "\n":
            raise SemanticError("LINES TERMINATED BY supports only '\\n' (as in Hive)")
    return clauses


def _line_separator(value: str) -> str:
    return hive_separator(value, "\n")


# --------------------------------------------------------------------------- describing

def _escaped(text: str) -> str:
    out = []
    for c in text:
        if c == "\\":
            out.append("\\\\")
        elif c == "'":
            out.append("\\'")
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return "".join(out)


def show_create_lines(table: TableDef) -> list[str]:
    """The storage clauses of SHOW CREATE TABLE for a file table."""
    storage = table.storage
    lines = []
    if storage.partition_columns:
        cols = ",\n".join(f"  `{c.spelling or c.name}` {c.type}" for c in table.partition_columns)
        lines += ["PARTITIONED BY (", cols + ")"]
    props = storage.serde_properties
    rules = rules_of(storage.format)
    if storage.format == FileFormat.TEXT and (storage.serde in (None, LAZY_SIMPLE)):
        clauses = []
        for key, words in (("field.delim", "FIELDS TERMINATED BY"), ("escape.delim", "ESCAPED BY"),
                           ("colelction.delim", "COLLECTION ITEMS TERMINATED BY"),
                           ("mapkey.delim", "MAP KEYS TERMINATED BY"), ("line.delim", "LINES TERMINATED BY"),
                           ("serialization.null.format", "NULL DEFINED AS")):
            if key in props:
                clauses.append(f"  {words} '{_escaped(props[key])}'")
        if clauses:
            lines += ["ROW FORMAT DELIMITED"] + clauses
    elif rules.lines and storage.serde:
        lines += ["ROW FORMAT SERDE", f"  '{storage.serde}'"]
        if props:
            pairs = ",\n".join(f"  '{_escaped(k)}'='{_escaped(v)}'" for k, v in props.items())
            lines += ["WITH SERDEPROPERTIES (", pairs + ")"]
    if storage.input_format and rules.prints_io_formats:
        lines += ["STORED AS INPUTFORMAT", f"  '{storage.input_format}'", "OUTPUTFORMAT",
                  f"  '{storage.output_format or rules.io_formats[1]}'"]
    else:
        lines.append(f"STORED AS {rules.stored_as}")
    if not storage.managed:
        lines += ["LOCATION", f"  '{_escaped(storage.location)}'"]
    return lines


def describe_partition_rows(table: TableDef) -> list[tuple[str, str, str]]:
    """DESCRIBE's ``# Partition Information`` section (none for an unpartitioned table)."""
    if table.storage is None or not table.storage.partition_columns:
        return []
    rows = [("", "", ""), ("# Partition Information", "", ""), ("# col_name", "data_type", "comment"), ("", "", "")]
    rows += [(c.name, str(c.type), c.comment or "") for c in table.partition_columns]
    return rows


def describe_storage_rows(table: TableDef) -> list[tuple[str, str, str]]:
    """DESCRIBE FORMATTED's location and ``# Storage Information`` of a file table."""
    storage = table.storage
    rules = rules_of(storage.format)
    input_format, output_format = rules.io_formats or (None, None)
    rows = [("Location:", storage.location, "")]
    rows += [("", "", ""), ("# Storage Information", "", "")]
    rows.append(("SerDe Library:", storage.serde or rules.serde or f"ddbsql {storage.format}", ""))
    rows.append(("InputFormat:", storage.input_format or input_format or f"ddbsql {storage.format}", ""))
    rows.append(("OutputFormat:", storage.output_format or output_format or f"ddbsql {storage.format}", ""))
    rows.append(("Format:", storage.format, "ddbsql"))
    rows += [("Compressed:", "No", ""), ("Num Buckets:", "-1", ""), ("Bucket Columns:", "[]", ""),
             ("Sort Columns:", "[]", "")]
    if storage.serde_properties:
        rows.append(("Storage Desc Params:", "", ""))
        rows += [("", k, _escaped(v)) for k, v in sorted(storage.serde_properties.items())]
    if storage.partition_columns:
        rows.append(("Partitions:", str(len(storage.partitions)), "registered"))
    return rows
