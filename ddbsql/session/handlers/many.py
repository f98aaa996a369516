"""``executemany`` as one statement: the parameter rows become one Arrow table.

``INSERT INTO t [(cols)] VALUES (…)`` with one row of values holding placeholders runs
as ``INSERT INTO t SELECT … FROM <parameter rows>``: one write, one job record, one
report, and the writer's batching, instead of one statement per parameter row.  Every
placeholder becomes a column of the parameter table, typed from its values as the
single-row binding types them (see :func:`ddbsql.sql.parameters.literal`).

Anything else (other statements, INSERT OVERWRITE, several VALUES rows, values Arrow
cannot hold in one column) is not batched: :func:`execute_many` returns None and the
caller runs the statement once per row.
"""
from __future__ import annotations

import datetime
import decimal
import hashlib
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import pyarrow as pa
from sqlglot import exp

from ...errors import ParseError
from ...sql.statements import SqlStatement, parse_statement
from ...sql.parameters import number_qmarks
from ...sql.substitute import substitute_mapped
from .insert import run_insert_statement
from ..binding.registered import PRIVATE_PREFIX
from ..result import Result

if TYPE_CHECKING:
    from ..session import Session


def execute_many(session: "Session", text: str, rows: Sequence[Sequence[Any] | Mapping[str, Any]]) -> Result | None:
    """Run ``text`` once over all parameter ``rows``, or return None when it cannot be batched."""
    if not rows:
        return None
    positional = not isinstance(rows[0], Mapping)
    if any(isinstance(row, Mapping) == positional for row in rows):
        raise ParseError("executemany needs every parameter row to be a sequence, or every row a mapping")
    substitution = substitute_mapped(text, session.settings.lookup, allow_env=session.options.allow_env)
    substituted = number_qmarks(substitution.text) if positional else substitution.text
    statement = parse_statement(substituted)
    insert = _batchable(statement)
    if insert is None:
        return None
    names = _placeholder_names(insert)
    table = parameter_table(names, rows, positional)
    if table is None:
        return None
    source = f"{PRIVATE_PREFIX}rows_{_digest(table)}"
    tree = _from_source(insert, source)
    session.begin_statement()
    session.registry.register(source, table, private=True)
    try:
        result = run_insert_statement(session, tree, statement.text)
    finally:
        session.registry.unregister(source)
    result.messages[:0] = [f"WARNING: variable ${{{name}}} is not defined; left as written"
                           for name in substitution.undefined]
    return result


def _batchable(statement) -> exp.Insert | None:
    if not isinstance(statement, SqlStatement) or not isinstance(statement.tree, exp.Insert):
        return None
    insert = statement.tree
    values = insert.expression
    if insert.args.get("overwrite") or not isinstance(values, exp.Values) or len(values.expressions) != 1:
        return None
    if not any(True for _ in values.find_all(exp.Placeholder)):
        return None
    if any(True for _ in insert.this.find_all(exp.Placeholder)):
        return None
    return insert


def _placeholder_names(insert: exp.Insert) -> list[str]:
    names: list[str] = []
    for node in insert.expression.find_all(exp.Placeholder):
        name = str(node.this or "")
        if not name:
            raise ParseError("'?' placeholders need sequences of parameters, not mappings")
        if name not in names:
            names.append(name)
    return names


def _from_source(insert: exp.Insert, source: str) -> exp.Insert:
    """``insert`` with its VALUES row read from ``source``: each placeholder a column of it."""
    insert = insert.copy()
    row = insert.expression.expressions[0]
    for node in list(row.find_all(exp.Placeholder)):
        node.replace(exp.column(_column_name(str(node.this)), quoted=True))
    items = row.expressions if isinstance(row, exp.Tuple) else [row]
    select = exp.select(*[item.copy() for item in items]).from_(exp.Table(this=exp.to_identifier(source)))
    insert.set("expression", select)
    return insert


def _column_name(placeholder: str) -> str:
    return placeholder.lower()


def parameter_table(names: list[str], rows: Sequence, positional: bool) -> pa.Table | None:
    """The parameter rows as an Arrow table with one column per placeholder name (lower
    case), or None when a column's values cannot share one Arrow type."""
    columns: list[list] = [[] for _ in names]
    for number, row in enumerate(rows, 1):
        if positional:
            if isinstance(row, (str, bytes, bytearray)) or not hasattr(row, "__len__"):
                raise ParseError(f"parameter row {number} must be a sequence, not {type(row).__name__}")
            if len(row) != len(names):
                raise ParseError(f"parameter row {number}: the statement has {len(names)} placeholder(s) but "
                                 f"{len(row)} parameter(s) were given")
            values = list(row)
        else:
            missing = [n for n in names if n not in row]
            if missing:
                raise ParseError(f"parameter row {number}: no value for parameter :{missing[0]}")
            values = [row[n] for n in names]
        for column, value in zip(columns, values):
            column.append(value)
    arrays = []
    for values in columns:
        array = _array(values)
        if array is None:
            return None
        arrays.append(array)
    return pa.table(arrays, names=[_column_name(n) for n in names])


def _array(values: list) -> pa.Array | None:
    """One column of parameter values, typed as :func:`~ddbsql.sql.parameters.literal` types a value."""
    kinds = {_kind(v) for v in values if v is not None}
    if len(kinds) > 1 and kinds not in ({"int", "float"}, {"int", "decimal"}) or None in kinds:
        return None
    if kinds == {"datetime"}:
        values = [v.astimezone(datetime.timezone.utc).replace(tzinfo=None) if v is not None and v.tzinfo else v
                  for v in values]
    if kinds == {"bytes"}:
        values = [bytes(v) if v is not None else None for v in values]
    if kinds == {"int", "float"}:
        values = [float(v) if v is not None else None for v in values]
    if kinds == {"int", "decimal"}:
        values = [decimal.Decimal(v) if v is not None else None for v in values]
    if kinds == {"decimal"} and any(v is not None and not v.is_finite() for v in values):
        return None  # the single-row path reports it
    try:
        array = pa.array(values) if kinds else pa.nulls(len(values))
    except (pa.ArrowException, OverflowError, TypeError, ValueError):
        if kinds == {"int"}:  # beyond 64 bits: an exact decimal, as the literal would be
            return _array([decimal.Decimal(v) if v is not None else None for v in values])
        return None
    if pa.types.is_decimal(array.type) and array.type.precision > 38:
        return None
    return array


def _kind(value) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, decimal.Decimal):
        return "decimal"
    if isinstance(value, str):
        return "str"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "bytes"
    if isinstance(value, datetime.datetime):
        return "datetime"
    if isinstance(value, datetime.date):
        return "date"
    return None  # lists, mappings and the like: bound one row at a time


def _digest(table: pa.Table) -> str:
    """A digest of the parameter rows: it names their source, so a resumable job's identity
    (its statement with parameters bound) differs when the rows do."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()[:16]
