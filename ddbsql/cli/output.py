"""Result rendering for the command line: Hive CLI text and other formats.

:func:`render_value_hive` prints one value as the Hive CLI prints it (Hive's
``DelimitedJSONSerDe``: primitives as text, ``NULL`` for a top-level null, and
complex values in the JSON-like form of Hive's ``SerDeUtils.getJSONString``).
:func:`make_writer` builds a :class:`ResultWriter` for one of :data:`FORMATS`;
:func:`format_describe` lays out ``DESCRIBE`` rows as Hive's
``MetaDataFormatUtils`` does.

Writers never close the stream they are given (it is usually ``sys.stdout``);
:meth:`ResultWriter.close` finishes the output and flushes the stream.
"""
from __future__ import annotations

import base64
import csv
import datetime
import decimal
import json
import math
import re
import unicodedata
from typing import Any, Callable, Protocol, TextIO

import pyarrow as pa

from ..javatext import double_text, float_text

__all__ = ["FORMATS", "ResultWriter", "format_describe", "java_double_str",
           "make_writer", "render_value_hive"]

#: Output format names accepted by :func:`make_writer`.
FORMATS = ("tsv", "csv", "json", "table", "vertical")

#: Hive's column width in DESCRIBE output (``MetaDataFormatUtils.ALIGNMENT``).
DESCRIBE_ALIGNMENT = 20


# --------------------------------------------------------------------------- values

def _base_type(arrow_type: pa.DataType | None) -> pa.DataType | None:
    """The value type behind dictionary and extension types."""
    while arrow_type is not None:
        if pa.types.is_dictionary(arrow_type):
            arrow_type = arrow_type.value_type
        elif isinstance(arrow_type, pa.ExtensionType):
            arrow_type = arrow_type.storage_type
        else:
            break
    return arrow_type


def _is_list(t: pa.DataType | None) -> bool:
    return t is not None and (pa.types.is_list(t) or pa.types.is_large_list(t)
                              or pa.types.is_fixed_size_list(t)
                              or getattr(pa.types, "is_list_view", lambda _t: False)(t)
                              or getattr(pa.types, "is_large_list_view", lambda _t: False)(t))


def _is_single(t: pa.DataType | None) -> bool:
    return t is not None and (pa.types.is_float32(t) or pa.types.is_float16(t))


def _is_numeric(t: pa.DataType | None) -> bool:
    t = _base_type(t)
    return t is not None and (pa.types.is_integer(t) or pa.types.is_floating(t)
                              or pa.types.is_decimal(t))


def java_double_str(x: float, single: bool = False) -> str:
    """``x`` as Java's ``Double.toString`` (``Float.toString`` when ``single``) prints it."""
    return float_text(x) if single else double_text(x)


def _decimal_str(value: decimal.Decimal) -> str:
    """Plain digits, no exponent, scale kept (``1E+3`` -> ``1000``, ``12.50`` -> ``12.50``)."""
    return format(value, "f")


def _date_str(value: datetime.date) -> str:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def _nanos(value: datetime.datetime | datetime.time) -> int:
    """Fraction of the second in nanoseconds (pandas ``Timestamp`` carries nanoseconds)."""
    return value.microsecond * 1000 + int(getattr(value, "nanosecond", 0) or 0)


def _fraction(nanos: int) -> str:
    return "." + f"{nanos:09d}".rstrip("0") if nanos else ""


def _timestamp_str(value: datetime.datetime, sep: str = " ") -> str:
    """``YYYY-MM-DD HH:MM:SS[.fff]`` with trailing zeros of the fraction dropped (Hive)."""
    return (f"{_date_str(value)}{sep}{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
            + _fraction(_nanos(value)))


def _time_str(value: datetime.time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}" + _fraction(_nanos(value))


def _bytes_str(value: bytes | bytearray | memoryview) -> str:
    return bytes(value).decode("utf-8", errors="replace")


def _primitive_text(value: Any, arrow_type: pa.DataType | None) -> str:
    """Hive text of one non-null primitive value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return java_double_str(value, single=_is_single(_base_type(arrow_type)))
    if isinstance(value, decimal.Decimal):
        return _decimal_str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _bytes_str(value)
    if isinstance(value, datetime.datetime):  # before date: datetime is a date
        return _timestamp_str(value)
    if isinstance(value, datetime.date):
        return _date_str(value)
    if isinstance(value, datetime.time):
        return _time_str(value)
    if type(value).__name__ == "MonthDayNano":
        return _interval_str(value)
    return str(value)


_NANOS_PER_DAY = 86_400 * 10 ** 9


def _interval_str(value) -> str:
    """Hive's text of an interval: year-month ``y-m``, day-time ``d hh:mm:ss.nnnnnnnnn``
    (an interval with months and nothing else is a year-month one)."""
    if value.months and not value.days and not value.nanoseconds:
        sign = "-" if value.months < 0 else ""
        years, months = divmod(abs(value.months), 12)
        return f"{sign}{years}-{months}"
    total = value.days * _NANOS_PER_DAY + value.nanoseconds
    sign = "-" if total < 0 else ""
    days, rest = divmod(abs(total), _NANOS_PER_DAY)
    seconds, nanos = divmod(rest, 10 ** 9)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    return f"{sign}{days} {hours:02d}:{minutes:02d}:{seconds:02d}.{nanos:09d}"


_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n",
                 "\r": "\\r", "\t": "\\t"}
_JSON_ESCAPES.update({chr(c): f"\\u{c:04x}" for c in range(0x20) if chr(c) not in _JSON_ESCAPES})
_JSON_ESCAPE_TABLE = str.maketrans(_JSON_ESCAPES)


def _hive_quote(text: str) -> str:
    """A string quoted as Hive's ``SerDeUtils.escapeString`` does."""
    return '"' + text.translate(_JSON_ESCAPE_TABLE) + '"'


def _hive_nested(value: Any, arrow_type: pa.DataType | None) -> str:
    """Hive's ``SerDeUtils.buildJSONString`` for a value inside (or being) a complex value."""
    if value is None:
        return "null"
    t = _base_type(arrow_type)
    if t is not None and pa.types.is_map(t):
        items = value.items() if isinstance(value, dict) else value
        return "{" + ",".join(_hive_nested(k, t.key_type) + ":" + _hive_nested(v, t.item_type)
                              for k, v in items) + "}"
    if t is not None and pa.types.is_struct(t):
        parts = []
        for i in range(t.num_fields):
            field = t.field(i)
            parts.append(f'"{field.name}":' + _hive_nested(value.get(field.name), field.type))
        return "{" + ",".join(parts) + "}"
    if _is_list(t):
        return "[" + ",".join(_hive_nested(v, t.value_type) for v in value) + "]"
    # No Arrow type to guide us: go by the Python value.
    if t is None and isinstance(value, dict):
        return "{" + ",".join(_hive_quote(str(k)) + ":" + _hive_nested(v, None)
                              for k, v in value.items()) + "}"
    if t is None and isinstance(value, (list, tuple)):
        return "[" + ",".join(_hive_nested(v, None) for v in value) + "]"
    # Primitives inside a complex value: strings, dates and timestamps are quoted;
    # binary is raw text, unquoted, as Hive prints it.
    if isinstance(value, str):
        return _hive_quote(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return '"' + _primitive_text(value, t) + '"'
    return _primitive_text(value, t)


def render_value_hive(value: Any, arrow_type: pa.DataType) -> str:
    """The Hive CLI text of one value, as produced by pyarrow's ``to_pylist()``.

    NULL is ``NULL``; booleans ``true``/``false``; doubles as Java prints them;
    decimals as plain digits with their scale; binary as raw UTF-8 text; dates
    ``YYYY-MM-DD``; timestamps ``YYYY-MM-DD HH:MM:SS[.fff]``; arrays, maps and
    structs as Hive's JSON-like text (``["a","b"]``, ``{"k":1}``, ``{"a":1,"b":"x"}``)
    with ``null`` for nulls inside them.
    """
    if value is None:
        return "NULL"
    t = _base_type(arrow_type)
    if (t is not None and (pa.types.is_map(t) or pa.types.is_struct(t) or _is_list(t))) \
            or (t is None and isinstance(value, (list, tuple, dict))):
        return _hive_nested(value, t)
    return _primitive_text(value, t)


# --------------------------------------------------------------------------- JSON values

def _json_text(value: Any, arrow_type: pa.DataType | None) -> str:
    """One value as JSON text: numbers stay numbers, decimals exact, bytes base64."""
    if value is None:
        return "null"
    t = _base_type(arrow_type)
    if t is not None and pa.types.is_map(t):
        items = value.items() if isinstance(value, dict) else value
        return "{" + ",".join(_json_key(k, t.key_type) + ":" + _json_text(v, t.item_type)
                              for k, v in items) + "}"
    if t is not None and pa.types.is_struct(t):
        return "{" + ",".join(
            json.dumps(t.field(i).name, ensure_ascii=False) + ":"
            + _json_text(value.get(t.field(i).name), t.field(i).type)
            for i in range(t.num_fields)) + "}"
    if _is_list(t):
        return "[" + ",".join(_json_text(v, t.value_type) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(_json_key(k, None) + ":" + _json_text(v, None)
                              for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_json_text(v, None) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            # Not representable as a JSON number: Java's names, as strings.
            return '"' + java_double_str(value) + '"'
        return java_double_str(value, single=_is_single(t))
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            return '"' + str(value) + '"'
        return _decimal_str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return '"' + base64.b64encode(bytes(value)).decode("ascii") + '"'
    if isinstance(value, datetime.datetime):
        text = _timestamp_str(value, sep="T")
        offset = value.utcoffset()
        if offset is not None:
            text += _iso_offset(offset)
        return '"' + text + '"'
    if isinstance(value, datetime.date):
        return '"' + _date_str(value) + '"'
    if isinstance(value, datetime.time):
        return '"' + _time_str(value) + '"'
    return json.dumps(str(value), ensure_ascii=False)


def _iso_offset(offset: datetime.timedelta) -> str:
    if not offset:
        return "Z"
    total = int(offset.total_seconds())
    sign = "-" if total < 0 else "+"
    hours, rest = divmod(abs(total), 3600)
    return f"{sign}{hours:02d}:{rest // 60:02d}"


def _json_key(key: Any, arrow_type: pa.DataType | None) -> str:
    """A map key as a JSON object key (JSON keys are strings)."""
    if isinstance(key, str):
        return json.dumps(key, ensure_ascii=False)
    if isinstance(key, (bytes, bytearray, memoryview)):
        return '"' + base64.b64encode(bytes(key)).decode("ascii") + '"'
    return json.dumps("null" if key is None else render_value_hive(key, arrow_type),
                      ensure_ascii=False)


# --------------------------------------------------------------------------- display width

def _char_width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes (wide East Asian characters count 2)."""
    if text.isascii():
        return len(text)
    return sum(_char_width(ch) for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _one_line(text: str) -> str:
    """Control characters shown as escapes, so a table cell stays on one line."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(
        m.group(0), f"\\x{ord(m.group(0)):02x}"), text)


# --------------------------------------------------------------------------- writers

class ResultWriter(Protocol):
    """Writes a query result: optionally a header, then batches, then ``close()``."""

    def write_header(self, names: list[str]) -> None: ...

    def write_batch(self, batch: pa.RecordBatch) -> None: ...

    def close(self) -> None: ...


class _WriterBase:
    """Column names, header-once logic and close-once logic shared by the writers.

    ``write_header`` gives the column names (and writes the header when the format
    has one and ``header`` is set).  A writer that gets a batch before any
    ``write_header`` takes the names from the batch's schema.
    """

    def __init__(self, stream: TextIO, *, header: bool, null_text: str) -> None:
        self.stream = stream
        self.header = header
        self.null_text = null_text
        self.names: list[str] | None = None
        self.closed = False

    def write_header(self, names: list[str]) -> None:
        if self.names is not None:
            return
        self.names = list(names)
        self._start()

    def _start(self) -> None:
        """Called once, when the column names are known."""

    def write_batch(self, batch: pa.RecordBatch) -> None:
        if self.names is None:
            self.write_header(batch.schema.names)
        if batch.num_rows == 0:
            return
        self._rows(batch)

    def _rows(self, batch: pa.RecordBatch) -> None:
        raise NotImplementedError

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._finish()
        flush = getattr(self.stream, "flush", None)
        if flush is not None:
            flush()

    def _finish(self) -> None:
        """Called once, from ``close``."""

    def _text_columns(self, batch: pa.RecordBatch) -> list[list[str]]:
        """Each column's values as Hive text, NULL as ``null_text``."""
        out = []
        for column, field in zip(batch.columns, batch.schema):
            out.append([self.null_text if v is None else render_value_hive(v, field.type)
                        for v in column.to_pylist()])
        return out


class _TsvWriter(_WriterBase):
    """Hive CLI default: tab separated, values as Hive prints them."""

    def _start(self) -> None:
        if self.header and self.names:
            self.stream.write("\t".join(self.names) + "\n")

    def _rows(self, batch: pa.RecordBatch) -> None:
        columns = self._text_columns(batch)
        self.stream.write("".join("\t".join(row) + "\n" for row in zip(*columns)))


class _CsvWriter(_WriterBase):
    """RFC 4180: minimal quoting, ``\\r\\n`` line ends, NULL as an empty field."""

    def __init__(self, stream: TextIO, *, header: bool, null_text: str) -> None:
        super().__init__(stream, header=header, null_text=null_text)
        self.csv = csv.writer(stream, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)

    def _start(self) -> None:
        if self.header and self.names:
            self.csv.writerow(self.names)

    def _rows(self, batch: pa.RecordBatch) -> None:
        columns = []
        for column, field in zip(batch.columns, batch.schema):
            columns.append(["" if v is None else render_value_hive(v, field.type)
                            for v in column.to_pylist()])
        self.csv.writerows(zip(*columns))


class _JsonWriter(_WriterBase):
    """JSON lines: one object per row, keys the column names, values native JSON."""

    def _rows(self, batch: pa.RecordBatch) -> None:
        assert self.names is not None
        keys = [json.dumps(name, ensure_ascii=False) + ":" for name in self.names]
        columns = [[_json_text(v, field.type) for v in column.to_pylist()]
                   for column, field in zip(batch.columns, batch.schema)]
        self.stream.write("".join(
            "{" + ",".join(k + v for k, v in zip(keys, row)) + "}\n" for row in zip(*columns)))


class _TableWriter(_WriterBase):
    """Aligned box table (``+---+`` borders); rows are buffered until ``close``."""

    def __init__(self, stream: TextIO, *, header: bool, null_text: str) -> None:
        super().__init__(stream, header=header, null_text=null_text)
        self.rows: list[tuple[str, ...]] = []
        self.right: list[bool] | None = None

    def _rows(self, batch: pa.RecordBatch) -> None:
        if self.right is None:
            self.right = [_is_numeric(field.type) for field in batch.schema]
        columns = [[_one_line(text) for text in column] for column in self._text_columns(batch)]
        self.rows.extend(zip(*columns))

    def _finish(self) -> None:
        names = [_one_line(n) for n in (self.names or [])]
        if not names:
            return
        right = self.right or [False] * len(names)
        widths = [display_width(n) if self.header else 0 for n in names]
        for row in self.rows:
            for i, cell in enumerate(row):
                widths[i] = max(widths[i], display_width(cell))
        rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+\n"
        out = [rule]
        if self.header:
            out.append("|" + "|".join(f" {_pad(n, w)} " for n, w in zip(names, widths)) + "|\n")
            out.append(rule)
        for row in self.rows:
            out.append("|" + "|".join(f" {_pad(c, w, r)} "
                                      for c, w, r in zip(row, widths, right)) + "|\n")
        if self.rows:
            out.append(rule)
        self.stream.write("".join(out))
        self.rows = []


class _VerticalWriter(_WriterBase):
    """One block per row, as MySQL's ``\\G``: a star line, then ``name: value`` lines."""

    STARS = "*" * 27

    def __init__(self, stream: TextIO, *, header: bool, null_text: str) -> None:
        super().__init__(stream, header=header, null_text=null_text)
        self.count = 0

    def _rows(self, batch: pa.RecordBatch) -> None:
        assert self.names is not None
        width = max((display_width(n) for n in self.names), default=0)
        labels = [_pad(n, width, right=True) + ": " for n in self.names]
        out = []
        for row in zip(*self._text_columns(batch)):
            self.count += 1
            out.append(f"{self.STARS} {self.count}. row {self.STARS}\n")
            out.extend(label + value + "\n" for label, value in zip(labels, row))
        self.stream.write("".join(out))


_WRITERS: dict[str, Callable[..., _WriterBase]] = {
    "tsv": _TsvWriter, "csv": _CsvWriter, "json": _JsonWriter,
    "table": _TableWriter, "vertical": _VerticalWriter,
}


def make_writer(fmt: str, stream: TextIO, *, header: bool,
                null_text: str = "NULL") -> ResultWriter:
    """A :class:`ResultWriter` writing format ``fmt`` (one of :data:`FORMATS`) to ``stream``.

    ``header``: write the column names first (tsv, csv, table; json and vertical
    always name the columns).  ``null_text``: how tsv, table and vertical show a
    top-level NULL (csv writes an empty field, json ``null``).
    """
    key = fmt.strip().lower() if isinstance(fmt, str) else fmt
    if key not in _WRITERS:
        raise ValueError(f"unknown output format {fmt!r}; valid formats: {', '.join(FORMATS)}")
    return _WRITERS[key](stream, header=header, null_text=null_text)


# --------------------------------------------------------------------------- DESCRIBE

def _java_len(text: str) -> int:
    """``String.length()`` in Java: UTF-16 code units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _ljust20(text: str) -> str:
    """Java's ``String.format("%-20s", text)``."""
    return text + " " * max(0, DESCRIBE_ALIGNMENT - _java_len(text))


def format_describe(rows: list[tuple[str, str, str]]) -> list[str]:
    """Hive CLI ``DESCRIBE`` lines for ``(name, type, comment)`` rows.

    Each field is left-justified to 20 characters (longer fields are not cut) and
    the fields are joined by a tab, as ``MetaDataFormatUtils.formatWithIndentation``
    prints them.  A comment with line breaks continues on further lines, indented
    past the name and type columns.
    """
    lines = []
    for row in rows:
        name, type_text, comment = (list(row) + ["", "", ""])[:3]
        name = "" if name is None else str(name)
        type_text = "" if type_text is None else str(type_text)
        comment = "" if comment is None else str(comment)
        segments = re.split(r"\n|\r|\r\n", comment)
        while len(segments) > 1 and segments[-1] == "":  # Java's split drops trailing empties
            segments.pop()
        lines.append(f"{_ljust20(name)}\t{_ljust20(type_text)}\t{_ljust20(segments[0])}")
        name_width = max(DESCRIBE_ALIGNMENT, _java_len(name))
        type_width = max(DESCRIBE_ALIGNMENT, _java_len(type_text))
        for segment in segments[1:]:
            lines.append(f"{' ' * name_width}\t{' ' * type_width}\t{_ljust20(segment)}")
    return lines
