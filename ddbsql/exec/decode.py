"""DynamoDB items (low-level client form) to Arrow, with Hive's reading rules.

:func:`decode_page` is the one place a page of DynamoDB items becomes an Arrow
record batch.  Values that do not fit their column read as NULL, as they do under
EMR Hive's DynamoDB storage handler; each is counted in a :class:`DecodeWarnings`
under the column's name and a short, low-cardinality reason.

Nothing here goes through ``float`` unless the column is ``float``/``double``:
DynamoDB numbers carry up to 38 significant digits, and integer and decimal
columns are decoded exactly through :class:`decimal.Decimal`.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import json
import threading
from collections import Counter
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any, Callable, Sequence

import pyarrow as pa

from ..catalog.binding import ColumnBinding, TimeEncoding
from ..errors import TypeMappingError
from ..types import HiveType
from .raw_values import attribute_json

__all__ = ["DecodeWarnings", "decode_page", "connector_json"]


class DecodeWarnings:
    """Thread-safe count of values read as NULL because they did not fit their column.

    Keyed by ``(column name, reason)``; one instance is shared by all the scan
    workers of a statement.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str], int] = {}

    def add(self, column: str, reason: str, n: int = 1) -> None:
        """Count ``n`` more values of ``column`` read as NULL for ``reason``."""
        key = (column, reason)
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + n

    def items(self) -> list[tuple[str, str, int]]:
        """``(column, reason, count)`` triples, sorted by column then reason."""
        with self._lock:
            return sorted((column, reason, n) for (column, reason), n in self._counts.items())

    def total(self) -> int:
        """How many values were read as NULL, over all columns and reasons."""
        with self._lock:
            return sum(self._counts.values())


class _Mismatch(Exception):
    """The attribute value cannot be read as the column's type; it becomes NULL."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


#: ``report(reason)`` counts one nested value (element, map value, struct field)
#: that read as NULL; the value around it is kept.
Report = Callable[[str], None]
#: Decodes one non-NULL attribute value, or raises :class:`_Mismatch`.
Decoder = Callable[[dict, Report], Any]

_INT_RANGES = {
    "tinyint": (-(2 ** 7), 2 ** 7 - 1),
    "smallint": (-(2 ** 15), 2 ** 15 - 1),
    "int": (-(2 ** 31), 2 ** 31 - 1),
    "bigint": (-(2 ** 63), 2 ** 63 - 1),
}
_SET_ELEMENT_TAGS = (("SS", "S"), ("NS", "N"), ("BS", "B"))
# Quantizing a DynamoDB number (exponent up to +125) to scale 38 needs ~165 digits;
# the default context (28 digits) would raise instead of telling us it overflows.
_WIDE = Context(prec=400, rounding=ROUND_HALF_UP, Emax=999_999, Emin=-999_999)
_EPOCH = dt.datetime(1970, 1, 1)
_MICROS = Decimal(1_000_000)


def decode_page(items: list[dict], bindings: Sequence[ColumnBinding],
                warnings: DecodeWarnings | None = None) -> pa.RecordBatch:
    """Turn one page of low-level DynamoDB items into a record batch.

    The batch has one nullable field per binding, named ``binding.name`` and typed
    ``binding.hive_type.to_arrow()``, and one row per item, in order.  A missing
    attribute or a DynamoDB NULL reads as NULL silently; a value that does not fit
    the column reads as NULL and is counted in ``warnings``.  Raises
    :class:`TypeMappingError` only for a binding whose Hive type has no decoder.
    """
    fields = []
    arrays = []
    for binding in bindings:
        arrow_type = binding.hive_type.to_arrow()
        counts: Counter[str] = Counter()
        if binding.raw:
            attribute = binding.attribute
            values = [attribute_json(item.get(attribute)) for item in items]
        elif binding.is_item:
            values = [_item_entries(item) for item in items]
        elif binding.ddb_type == "TEXT":
            values = _decode_column(items, binding.attribute, _decode_text, _counter(counts))
        else:
            values = _decode_column(items, binding.attribute, column_decoder(binding), _counter(counts))
        if warnings is not None:
            for reason, n in counts.items():
                warnings.add(binding.name, reason, n)
        fields.append(pa.field(binding.name, arrow_type, nullable=True))
        arrays.append(pa.array(values, type=arrow_type))
    return pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields))


def _counter(counts: Counter) -> Report:
    def report(reason: str) -> None:
        counts[reason] += 1
    return report


def _decode_column(items: list[dict], attribute: str, decode: Decoder, report: Report) -> list:
    out: list = []
    append = out.append
    for item in items:
        av = item.get(attribute)
        if av is None or "NULL" in av:
            append(None)
            continue
        try:
            append(decode(av, report))
        except _Mismatch as exc:
            report(exc.reason)
            append(None)
    return out


def _nested(av: dict, decode: Decoder, report: Report, where: str) -> Any:
    """One element of a list, map or struct: NULL on mismatch, reported with ``where``."""
    if "NULL" in av:
        return None
    try:
        return decode(av, report)
    except _Mismatch as exc:
        report(f"{where}: {exc.reason}")
        return None


def _found(av: Any) -> str:
    if isinstance(av, dict) and av:
        return next(iter(av))
    return "nothing"


def _mismatch(want: str, av: dict) -> _Mismatch:
    return _Mismatch(f"expected {want}, found {_found(av)}")


# --- decoders by Hive type -------------------------------------------------------

def column_decoder(binding: ColumnBinding) -> Decoder:
    """The decoder of a top-level column: by its Hive type, except that a timestamp or
    date column declared ``epoch_millis`` reads N as milliseconds."""
    if binding.time_encoding is TimeEncoding.EPOCH_MILLIS:
        return _decode_timestamp_millis if binding.hive_type.name == "timestamp" else _decode_date_millis
    return _decoder(binding.hive_type)


@functools.lru_cache(maxsize=None)
def _decoder(hive_type: HiveType) -> Decoder:
    """The decoder for values of ``hive_type`` (cached: types are few, pages many)."""
    name = hive_type.name
    if name in ("string", "varchar", "char"):
        return _decode_string
    if name in _INT_RANGES:
        return _integer_decoder(name)
    if name in ("float", "double"):
        return _decode_double
    if name == "decimal":
        return _decimal_decoder(hive_type)
    if name == "boolean":
        return _decode_boolean
    if name == "binary":
        return _decode_binary
    if name == "timestamp":
        return _decode_timestamp
    if name == "date":
        return _decode_date
    if name == "array":
        return _array_decoder(hive_type)
    if name == "map":
        return _map_decoder(hive_type)
    if name == "struct":
        return _struct_decoder(hive_type)
    raise TypeMappingError(f"cannot read DynamoDB values as Hive type '{hive_type}'")


def _decode_string(av: dict, report: Report) -> str:
    value = av.get("S")
    if value is None:
        raise _mismatch("S", av)
    return value


def _decode_text(av: dict, report: Report) -> str:
    """Any value as text (a ``TEXT``-bound column): S as is, N's digits, BOOL as
    ``true``/``false``, anything else as the whole-item column's JSON."""
    if "S" in av:
        return av["S"]
    if "N" in av:
        return av["N"]
    if "BOOL" in av:
        return "true" if av["BOOL"] else "false"
    return connector_json(av)


def _parse_number(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except (InvalidOperation, TypeError, ValueError):
        raise _Mismatch("invalid number") from None
    if not value.is_finite():
        raise _Mismatch("invalid number")
    return value


def _integer_decoder(name: str) -> Decoder:
    low, high = _INT_RANGES[name]
    fractional = f"fractional value for {name}"
    out_of_range = f"out of range for {name}"

    def decode(av: dict, report: Report) -> int:
        text = av.get("N")
        if text is None:
            raise _mismatch("N", av)
        try:
            value = int(text)
        except (TypeError, ValueError):
            # Exponent or fraction ("1E+3", "2.0"): exact via Decimal, never float.
            number = _parse_number(text)
            if number != number.to_integral_value():
                raise _Mismatch(fractional) from None
            value = int(number)
        if not low <= value <= high:
            raise _Mismatch(out_of_range)
        return value

    return decode


def _decode_double(av: dict, report: Report) -> float:
    text = av.get("N")
    if text is None:
        raise _mismatch("N", av)
    # float(str) is correctly rounded, so it equals float(Decimal(text)) without the detour.
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise _Mismatch("invalid number") from None
    if value != value:
        raise _Mismatch("invalid number")
    return value


def _decimal_decoder(hive_type: HiveType) -> Decoder:
    precision, scale = hive_type.params
    quantum = Decimal((0, (1,), -scale))
    overflow = f"overflows {hive_type}"

    def decode(av: dict, report: Report) -> Decimal:
        text = av.get("N")
        if text is None:
            raise _mismatch("N", av)
        number = _parse_number(text)
        # Hive's HiveDecimal rule: round half up to the scale, NULL if too many digits.
        try:
            value = number.quantize(quantum, rounding=ROUND_HALF_UP, context=_WIDE)
        except InvalidOperation:
            raise _Mismatch(overflow) from None
        if len(value.as_tuple().digits) > precision:
            raise _Mismatch(overflow)
        return value

    return decode


def _decode_boolean(av: dict, report: Report) -> bool:
    value = av.get("BOOL")
    if value is not None:
        return bool(value)
    text = av.get("N")
    if text is not None:
        # AWS Data Pipeline exports wrote booleans as the numbers 0 and 1.
        number = _parse_number(text)
        if number == 0:
            return False
        if number == 1:
            return True
        raise _Mismatch("N other than 0 or 1 for boolean")
    raise _mismatch("BOOL", av)


def _decode_binary(av: dict, report: Report) -> bytes:
    value = av.get("B")
    if value is None:
        raise _mismatch("B", av)
    return _as_bytes(value)


def _as_bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        # The low-level client decodes base64 itself; a str here is still encoded.
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise _Mismatch("invalid base64 in B") from None
    inner = getattr(value, "value", None)  # boto3.dynamodb.types.Binary
    if isinstance(inner, (bytes, bytearray)):
        return bytes(inner)
    raise _Mismatch("invalid B value")


def _epoch_datetime(text: str, per_second: Decimal = Decimal(1)) -> dt.datetime:
    """The UTC moment ``text`` units after the epoch, ``per_second`` units a second."""
    seconds = _parse_number(text) / per_second if per_second != 1 else _parse_number(text)
    try:
        micros = int((seconds * _MICROS).to_integral_value(ROUND_HALF_EVEN))
        return _EPOCH + dt.timedelta(microseconds=micros)
    except (OverflowError, InvalidOperation):
        raise _Mismatch("epoch seconds out of range") from None


def _parse_iso_datetime(text: str, reason: str) -> dt.datetime:
    # Python 3.10's fromisoformat does not know the "Z" suffix.
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    try:
        return dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise _Mismatch(reason) from None


def _decode_timestamp(av: dict, report: Report) -> dt.datetime:
    """S holding ISO-8601 text (an offset is converted to UTC), or N epoch seconds (UTC)."""
    text = av.get("S")
    if text is not None:
        value = _parse_iso_datetime(text, "invalid ISO-8601 timestamp")
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value
    text = av.get("N")
    if text is not None:
        return _epoch_datetime(text)
    raise _mismatch("S or N", av)


def _decode_date(av: dict, report: Report) -> dt.date:
    """S holding an ISO-8601 date or timestamp (its written date), or N epoch seconds."""
    text = av.get("S")
    if text is not None:
        if len(text) == 10:
            try:
                return dt.date.fromisoformat(text)
            except (TypeError, ValueError):
                raise _Mismatch("invalid ISO-8601 date") from None
        return _parse_iso_datetime(text, "invalid ISO-8601 date").date()
    text = av.get("N")
    if text is not None:
        return _epoch_datetime(text).date()
    raise _mismatch("S or N", av)


_MILLIS = Decimal(1000)


def _decode_timestamp_millis(av: dict, report: Report) -> dt.datetime:
    """N epoch milliseconds (UTC); S holding ISO-8601 text as :func:`_decode_timestamp`."""
    text = av.get("N")
    if text is not None:
        return _epoch_datetime(text, _MILLIS)
    return _decode_timestamp(av, report)


def _decode_date_millis(av: dict, report: Report) -> dt.date:
    text = av.get("N")
    if text is not None:
        return _epoch_datetime(text, _MILLIS).date()
    return _decode_date(av, report)


def _array_decoder(hive_type: HiveType) -> Decoder:
    element = _decoder(hive_type.params[0])

    def decode(av: dict, report: Report) -> list:
        values = av.get("L")
        if values is None:
            values = _set_as_list(av)
        return [_nested(v, element, report, "array element") for v in values]

    return decode


def _set_as_list(av: dict) -> list[dict]:
    """A string, number or binary set as the list of attribute values it holds, in order."""
    for set_tag, tag in _SET_ELEMENT_TAGS:
        members = av.get(set_tag)
        if members is not None:
            return [{tag: m} for m in members]
    raise _mismatch("L, SS, NS or BS", av)


def _map_decoder(hive_type: HiveType) -> Decoder:
    key_type, value_type = hive_type.params
    read_key = _key_reader(key_type)
    value = _decoder(value_type)

    def decode(av: dict, report: Report) -> list[tuple]:
        members = av.get("M")
        if members is None:
            raise _mismatch("M", av)
        entries = []
        for name, member in members.items():
            if read_key is None:
                key = name
            else:
                try:
                    key = read_key(name)
                except _Mismatch as exc:
                    # An Arrow map key cannot be NULL, so the entry is dropped.
                    report(f"map key: {exc.reason}")
                    continue
            entries.append((key, _nested(member, value, report, "map value")))
        return entries

    return decode


def _ignore(reason: str) -> None:
    pass


def _key_reader(key_type: HiveType) -> Callable[[str], Any] | None:
    """How to read a map key (always text in DynamoDB) as ``key_type``; None: as is."""
    name = key_type.name
    if name in ("string", "varchar", "char"):
        return None
    if name == "boolean":
        def read_boolean(text: str) -> bool:
            folded = text.lower()
            if folded in ("true", "false"):
                return folded == "true"
            raise _Mismatch("not a boolean")
        return read_boolean
    if name == "binary":
        return lambda text: text.encode("utf-8")
    tag = "S" if name in ("timestamp", "date") else "N"
    decode = _decoder(key_type)
    return lambda text: decode({tag: text}, _ignore)


def _struct_decoder(hive_type: HiveType) -> Decoder:
    fields = [(name, _decoder(t), f"struct field '{name}'") for name, t in hive_type.params]

    def decode(av: dict, report: Report) -> dict:
        members = av.get("M")
        if members is None:
            raise _mismatch("M", av)
        out = {}
        folded = None
        for name, field_decoder, where in fields:
            member = members.get(name)
            if member is None:
                if folded is None:
                    folded = _fold_case(members)
                member = folded.get(name.lower())
            out[name] = None if member is None else _nested(member, field_decoder, report, where)
        return out

    return decode


def _fold_case(members: dict) -> dict:
    """Members keyed by lower-case name; on a clash the first in item order wins."""
    folded: dict = {}
    for name, member in members.items():
        folded.setdefault(name.lower(), member)
    return folded


# --- the whole-item column -------------------------------------------------------

def _item_entries(item: dict) -> list[tuple[str, str]]:
    return [(name, connector_json(av)) for name, av in item.items()]


def connector_json(av: dict) -> str:
    """One attribute value as the EMR DynamoDB connector writes it in the item column.

    That is Gson's serialization of an AWS SDK v1 ``AttributeValue`` with HTML escaping
    off: compact JSON, one key among ``s n b sS nS bS m l nULLValue bOOL``, binary
    as base64 text, non-ASCII characters unescaped.
    """
    text = json.dumps(_connector_form(av), ensure_ascii=False, separators=(",", ":"))
    # Gson escapes the two JavaScript line terminators even with HTML escaping off.
    if "\u2028" in text or "\u2029" in text:
        text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return text


def _connector_form(av: dict) -> dict:
    for tag, value in av.items():
        if tag == "S":
            return {"s": value}
        if tag == "N":
            return {"n": value}
        if tag == "B":
            return {"b": _base64(value)}
        if tag == "BOOL":
            return {"bOOL": bool(value)}
        if tag == "NULL":
            return {"nULLValue": True}
        if tag == "M":
            return {"m": {name: _connector_form(v) for name, v in value.items()}}
        if tag == "L":
            return {"l": [_connector_form(v) for v in value]}
        if tag == "SS":
            return {"sS": list(value)}
        if tag == "NS":
            return {"nS": list(value)}
        if tag == "BS":
            return {"bS": [_base64(v) for v in value]}
    return {}


def _base64(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return base64.b64encode(_as_bytes(value)).decode("ascii")
    except _Mismatch:
        return ""
