"""Arrow rows to DynamoDB items (low-level client form), with the Hive connector's rules.

:func:`encode_batch` turns each row of a record batch into an item ready for a
``PutRequest``.  A row that cannot be written (a value DynamoDB cannot hold, a
missing or empty key, an item over 400 KB) is returned as a reject with a reason;
data problems never raise.
"""
from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import functools
import json
import math
import struct
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterable, Sequence

import pyarrow as pa

from ..catalog.binding import ColumnBinding, TimeEncoding
from ..errors import TypeMappingError
from ..types import INTEGERS, HiveType

__all__ = ["MAX_ITEM_BYTES", "Reject", "encode_batch", "item_size", "parse_item_value", "attribute_from_json"]

#: DynamoDB's largest item, attribute names included.
MAX_ITEM_BYTES = 400 * 1024
#: DynamoDB numbers hold at most this many significant digits ...
MAX_DIGITS = 38
#: ... with a magnitude between 1E-130 and 9.99...E+125, i.e. these adjusted exponents.
_MIN_ADJUSTED, _MAX_ADJUSTED = -130, 125
_NOT_FINITE = "DynamoDB numbers cannot be NaN or Infinity"
_EPOCH = dt.datetime(1970, 1, 1)


@dataclasses.dataclass
class Reject:
    """A row that was not written: its index in the batch and why."""

    row: int
    reason: str


class _Unencodable(ValueError):
    """A value DynamoDB cannot store; the row is rejected with ``reason``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


#: Encodes one non-NULL Python value; returns the attribute value, or None when the
#: value has no DynamoDB form and is written as absent (an empty set).
Encoder = Callable[[Any], "dict | None"]


def _null() -> dict:
    return {"NULL": True}


def encode_batch(batch: pa.RecordBatch, bindings: Sequence[ColumnBinding], *,
                 key_attributes: Sequence[str], null_serialization: bool = False,
                 ) -> tuple[list[dict], list[tuple[int, dict | None, str]]]:
    """Encode every row of ``batch`` as a DynamoDB item.

    Column ``i`` of the batch holds the values of ``bindings[i]``.  Returns
    ``(items, rejects)``: the items in row order, and for each row not written
    ``(row index, the item as far as it was built or None, reason)``.

    A NULL value leaves its attribute out, or writes DynamoDB NULL when
    ``null_serialization`` is set.  The whole-item (``ITEM``) column supplies every
    attribute it holds; explicitly bound columns with a value override it.  Raises
    ``ValueError`` if the batch and bindings disagree in width, and
    :class:`TypeMappingError` for a binding with no DynamoDB form.
    """
    if batch.num_columns != len(bindings):
        raise ValueError(f"batch has {batch.num_columns} columns for {len(bindings)} bindings")
    for binding in bindings:
        if binding.attribute is None and not binding.is_item:
            raise ValueError(f"column '{binding.name}' is bound to no attribute")
    encoders = [None if b.is_item else _column_encoder(b, null_serialization) for b in bindings]
    columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
    # Item columns first, so that explicitly bound columns override what they hold.
    order = sorted(range(len(bindings)), key=lambda i: not bindings[i].is_item)

    items: list[dict] = []
    rejects: list[tuple[int, dict | None, str]] = []
    for row in range(batch.num_rows):
        item: dict = {}
        try:
            for i in order:
                _put(item, bindings[i], encoders[i], columns[i][row], null_serialization)
            _check_item(item, key_attributes)
        except _Unencodable as exc:
            rejects.append((row, item or None, exc.reason))
            continue
        items.append(item)
    return items, rejects


def _put(item: dict, binding: ColumnBinding, encoder: Encoder | None, value: Any,
         null_serialization: bool) -> None:
    """Add one column's value to ``item``."""
    if binding.is_item:
        if value is not None:
            item.update(_item_attributes(binding.name, value))
        return
    av = None
    if value is not None:
        try:
            av = encoder(value)
        except _Unencodable as exc:
            raise _Unencodable(f"column '{binding.name}': {exc.reason}") from None
        except (TypeError, ValueError, ArithmeticError) as exc:
            shown = repr(value)
            if len(shown) > 60:
                shown = shown[:57] + "..."
            raise _Unencodable(f"column '{binding.name}': cannot encode {shown} ({exc})") from None
    if av is not None:
        item[binding.attribute] = av
    elif null_serialization:
        item[binding.attribute] = _null()


def _check_item(item: dict, key_attributes: Sequence[str]) -> None:
    for key in key_attributes:
        av = item.get(key)
        if av is None or "NULL" in av:
            raise _Unencodable(f"missing key attribute '{key}'")
        if av.get("S") == "":
            raise _Unencodable(f"empty string in key attribute '{key}'")
        if av.get("B") == b"":
            raise _Unencodable(f"empty binary value in key attribute '{key}'")
    size = item_size(item)
    if size > MAX_ITEM_BYTES:
        raise _Unencodable(f"item is {size} bytes, over DynamoDB's 400 KB limit")


# --- item size ----------------------------------------------------------------------

def item_size(item: dict) -> int:
    """The item's size in bytes by DynamoDB's documented rules.

    Per attribute: UTF-8 length of the name plus the value's size.  S: UTF-8 length;
    N: 1 byte per two significant digits (rounded up) plus 1; B: raw length;
    BOOL/NULL: 1; SS/NS/BS: sum of member sizes; L/M: 3 plus, per element, its size
    plus 1 (plus the UTF-8 length of its name in a map).
    """
    return sum(_utf8_len(name) + _value_size(av) for name, av in item.items())


def _utf8_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def _number_size(text: str) -> int:
    try:
        digits = Decimal(text).as_tuple().digits
    except (InvalidOperation, TypeError, ValueError):
        return len(str(text))
    return (_significant_digits(digits) + 1) // 2 + 1


def _binary_len(value: Any) -> int:
    if isinstance(value, str):
        return len(value) * 3 // 4 - value.count("=", -2)
    return len(value)


def _value_size(av: dict) -> int:
    for tag, value in av.items():
        if tag == "S":
            return _utf8_len(value)
        if tag == "N":
            return _number_size(value)
        if tag == "B":
            return _binary_len(value)
        if tag in ("BOOL", "NULL"):
            return 1
        if tag == "SS":
            return sum(_utf8_len(v) for v in value)
        if tag == "NS":
            return sum(_number_size(v) for v in value)
        if tag == "BS":
            return sum(_binary_len(v) for v in value)
        if tag == "L":
            return 3 + sum(_value_size(v) + 1 for v in value)
        if tag == "M":
            return 3 + sum(_utf8_len(k) + _value_size(v) + 1 for k, v in value.items())
    return 0


# --- numbers ----------------------------------------------------------------------

def _significant_digits(digits: tuple) -> int:
    """Digits left once leading and trailing zeros are trimmed, as DynamoDB stores them."""
    end = len(digits)
    while end and digits[end - 1] == 0:
        end -= 1
    start = 0
    while start < end and digits[start] == 0:
        start += 1
    return end - start


def _number_text(number: Decimal) -> str:
    """The exact N text for ``number``, or :class:`_Unencodable` if DynamoDB cannot hold it."""
    if not number.is_finite():
        raise _Unencodable(_NOT_FINITE)
    if number.is_zero():
        return "0"  # DynamoDB has no negative zero; "-0.00" and "0" are the same number
    sign, digits, exponent = number.as_tuple()
    significant = _significant_digits(digits)
    if significant > MAX_DIGITS:
        raise _Unencodable(
            f"{number} has {significant} significant digits; DynamoDB numbers hold {MAX_DIGITS}")
    if not _MIN_ADJUSTED <= number.adjusted() <= _MAX_ADJUSTED:
        raise _Unencodable(f"{number} is outside DynamoDB's number range "
                           "(magnitude 1E-130 to 9.9999999999999999999999999999999999999E+125)")
    if -40 <= exponent <= 0:
        return format(number, "f")
    return str(number)


def _encode_integer(value: Any) -> dict:
    if isinstance(value, int):
        if -10 ** MAX_DIGITS < value < 10 ** MAX_DIGITS:
            return {"N": str(int(value))}
        return {"N": _number_text(Decimal(value))}
    if isinstance(value, (float, Decimal)):
        finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
        if not finite:
            raise _Unencodable(_NOT_FINITE)
        if value != int(value):
            raise _Unencodable(f"{value} is not an integer")
        return _encode_integer(int(value))
    raise _Unencodable(f"expected an integer, got {type(value).__name__}")


def _as_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise _Unencodable(f"expected a number, got {type(value).__name__}")
    number = float(value)
    if not math.isfinite(number):
        raise _Unencodable(_NOT_FINITE)
    return number


def _encode_double(value: Any) -> dict:
    number = _as_float(value)
    # repr is the shortest text that reads back as the same double.
    return {"N": _number_text(Decimal(repr(number)))}


def _to_float32(number: float) -> float:
    return struct.unpack("f", struct.pack("f", number))[0]


def _encode_float(value: Any) -> dict:
    """A float column's values are float32: write the shortest text that reads back as it."""
    number = _as_float(value)
    text = repr(number)
    for digits in range(1, 10):
        candidate = f"{number:.{digits}g}"
        try:
            if _to_float32(float(candidate)) == number:
                text = candidate
                break
        except OverflowError:
            continue
    return {"N": _number_text(Decimal(text))}


def _encode_decimal(value: Any) -> dict:
    if isinstance(value, Decimal):
        return {"N": _number_text(value)}
    if isinstance(value, int) and not isinstance(value, bool):
        return {"N": _number_text(Decimal(value))}
    if isinstance(value, float):
        return {"N": _number_text(Decimal(repr(_as_float(value))))}
    raise _Unencodable(f"expected a decimal, got {type(value).__name__}")


# --- other scalars ------------------------------------------------------------------

def _encode_string(value: Any) -> dict:
    if isinstance(value, str):
        return {"S": value}
    raise _Unencodable(f"expected a string, got {type(value).__name__}")


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise _Unencodable(f"expected a boolean, got {value!r}")


def _encode_boolean(value: Any) -> dict:
    return {"BOOL": _as_bool(value)}


def _encode_boolean_as_number(value: Any) -> dict:
    return {"N": "1" if _as_bool(value) else "0"}


def _encode_binary(value: Any) -> dict:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"B": bytes(value)}
    raise _Unencodable(f"expected binary, got {type(value).__name__}")


def _as_naive_utc(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    raise _Unencodable(f"expected a timestamp, got {type(value).__name__}")


def _epoch_seconds(moment: dt.datetime, exponent: int = 0) -> dict:
    """N text of ``moment`` after the epoch in units of 10**exponent seconds, exactly."""
    delta = moment - _EPOCH
    seconds = delta.days * 86_400 + delta.seconds
    if not delta.microseconds and exponent == 0:
        return {"N": str(seconds)}
    micros = Decimal(seconds * 1_000_000 + delta.microseconds)
    number = micros.scaleb(exponent - 6)
    if number == number.to_integral_value():
        return {"N": str(int(number))}
    return {"N": _number_text(number.normalize())}


def _encode_timestamp_as_millis(value: Any) -> dict:
    return _epoch_seconds(_as_naive_utc(value), 3)


def _encode_date_as_millis(value: Any) -> dict:
    day = _as_date(value)
    return _epoch_seconds(dt.datetime(day.year, day.month, day.day), 3)


def _encode_timestamp(value: Any) -> dict:
    return {"S": _as_naive_utc(value).isoformat()}


def _encode_timestamp_as_number(value: Any) -> dict:
    return _epoch_seconds(_as_naive_utc(value))


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise _Unencodable(f"expected a date, got {type(value).__name__}")


def _encode_date(value: Any) -> dict:
    return {"S": _as_date(value).isoformat()}


def _encode_date_as_number(value: Any) -> dict:
    day = _as_date(value)
    return _epoch_seconds(dt.datetime(day.year, day.month, day.day))


# --- encoders by Hive type ------------------------------------------------------------

_SET_TYPES = {"SS": "S", "NS": "N", "BS": "B"}


@functools.lru_cache(maxsize=None)
def _column_encoder(binding: ColumnBinding, null_serialization: bool) -> Encoder:
    """The encoder of a top-level column: by Hive type and DynamoDB type, except that a
    timestamp or date column declared ``epoch_millis`` writes N milliseconds."""
    if binding.time_encoding is TimeEncoding.EPOCH_MILLIS:
        return _encode_timestamp_as_millis if binding.hive_type.name == "timestamp" else _encode_date_as_millis
    return _encoder(binding.hive_type, binding.ddb_type, null_serialization)


def _encoder(hive_type: HiveType, ddb_type: str | None, null_serialization: bool) -> Encoder:
    """The encoder for values of ``hive_type`` written as ``ddb_type``.

    ``ddb_type`` chooses between forms only where the Hive type has several: arrays
    (L or a set), and boolean/timestamp/date written as N.  Nested values pass None.
    """
    name = hive_type.name
    if name in ("string", "varchar", "char"):
        return _encode_string
    if name in INTEGERS:
        return _encode_integer
    if name == "double":
        return _encode_double
    if name == "float":
        return _encode_float
    if name == "decimal":
        return _encode_decimal
    if name == "boolean":
        return _encode_boolean_as_number if ddb_type == "N" else _encode_boolean
    if name == "binary":
        return _encode_binary
    if name == "timestamp":
        return _encode_timestamp_as_number if ddb_type == "N" else _encode_timestamp
    if name == "date":
        return _encode_date_as_number if ddb_type == "N" else _encode_date
    if name == "array":
        if ddb_type in _SET_TYPES:
            return _set_encoder(hive_type.params[0], ddb_type, null_serialization)
        return _list_encoder(hive_type.params[0], null_serialization)
    if name == "map":
        return _map_encoder(hive_type.params[1], null_serialization)
    if name == "struct":
        return _struct_encoder(hive_type, null_serialization)
    raise TypeMappingError(f"cannot write Hive type '{hive_type}' to DynamoDB")


def _nested_encoder(hive_type: HiveType, null_serialization: bool) -> Callable[[Any], dict]:
    """Encoder for a value inside a list or map, where NULL must stay a value."""
    encode = _encoder(hive_type, None, null_serialization)

    def encode_nested(value: Any) -> dict:
        return _null() if value is None else encode(value)

    return encode_nested


def _expect_list(value: Any) -> list:
    if isinstance(value, (list, tuple)):
        return value
    raise _Unencodable(f"expected an array, got {type(value).__name__}")


def _list_encoder(element_type: HiveType, null_serialization: bool) -> Encoder:
    element = _nested_encoder(element_type, null_serialization)

    def encode(value: Any) -> dict:
        return {"L": [element(v) for v in _expect_list(value)]}

    return encode


def _set_encoder(element_type: HiveType, set_type: str, null_serialization: bool) -> Encoder:
    tag = _SET_TYPES[set_type]
    element = _encoder(element_type, None, null_serialization)

    def encode(value: Any) -> dict | None:
        members = []
        for v in _expect_list(value):
            if v is None:
                raise _Unencodable(f"NULL element in a {set_type} set")
            member = element(v).get(tag)
            if member is None:
                raise _Unencodable(f"{element_type} values cannot be members of a {set_type} set")
            members.append(member)
        return _set_value(set_type, members)

    return encode


def _set_value(set_type: str, members: list) -> dict | None:
    """A set attribute with duplicates dropped (first kept); None when empty.

    DynamoDB rejects both empty sets and duplicate members; numbers are duplicates
    when their values are equal ("1" and "1.0").
    """
    seen = set()
    unique = []
    for member in members:
        key = Decimal(member) if set_type == "NS" else member
        if key not in seen:
            seen.add(key)
            unique.append(member)
    return {set_type: unique} if unique else None


def _pairs(value: Any) -> Iterable[tuple]:
    if isinstance(value, dict):
        return value.items()
    if isinstance(value, (list, tuple)):
        return value
    raise _Unencodable(f"expected a map, got {type(value).__name__}")


def _key_text(key: Any) -> str:
    """A map key as DynamoDB map member name; the decoder reads it back per key type."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        return str(key)
    if isinstance(key, float):
        return _encode_double(key)["N"]
    if isinstance(key, Decimal):
        return _number_text(key)
    if isinstance(key, (dt.date, dt.datetime)):
        return key.isoformat()
    if isinstance(key, (bytes, bytearray)):
        try:
            return bytes(key).decode("utf-8")
        except UnicodeDecodeError:
            raise _Unencodable("binary map key is not UTF-8 text") from None
    raise _Unencodable(f"cannot use {type(key).__name__} as a map key")


def _map_encoder(value_type: HiveType, null_serialization: bool) -> Encoder:
    member = _nested_encoder(value_type, null_serialization)

    def encode(value: Any) -> dict:
        members = {}
        for key, v in _pairs(value):
            if key is None:
                raise _Unencodable("NULL map key")
            members[_key_text(key)] = member(v)
        return {"M": members}

    return encode


def _struct_encoder(hive_type: HiveType, null_serialization: bool) -> Encoder:
    fields = [(name, _encoder(t, None, null_serialization)) for name, t in hive_type.params]

    def encode(value: Any) -> dict:
        if not isinstance(value, dict):
            raise _Unencodable(f"expected a struct, got {type(value).__name__}")
        members = {}
        for name, field_encoder in fields:
            v = value.get(name)
            if v is not None:
                members[name] = field_encoder(v)
            elif null_serialization:
                members[name] = _null()
        return {"M": members}

    return encode


# --- the whole-item column ---------------------------------------------------------

def _item_attributes(column: str, value: Any) -> dict:
    attributes = {}
    for name, text in _pairs(value):
        if text is None:
            continue
        try:
            av = parse_item_value(text)
        except _Unencodable as exc:
            raise _Unencodable(f"column '{column}', attribute '{name}': {exc.reason}") from None
        if av is not None:
            attributes[name] = av
    return attributes


# JSON keys (compared case-insensitively) of the forms the item column may hold: the
# connector's Gson/SDK v1 form ("sS", "nULLValue", "bOOL"), its SDK v2 form ("ss",
# "null", "bool") and DynamoDB JSON ("SS", "NULL", "BOOL").
_JSON_TAGS = {"s": "S", "n": "N", "b": "B", "bool": "BOOL", "null": "NULL",
              "nullvalue": "NULL", "ss": "SS", "ns": "NS", "bs": "BS", "l": "L", "m": "M"}


def parse_item_value(text: str) -> dict | None:
    """One item-column value (JSON text of an attribute value) as a low-level attribute value.

    Accepts the EMR connector's forms and DynamoDB JSON; returns None for an empty set
    (written as no attribute).  Raises ``ValueError`` (with the reason) for anything else.
    """
    if not isinstance(text, str):
        raise _Unencodable("item column values must be JSON text")
    try:
        obj = json.loads(text, parse_float=Decimal)
    except ValueError:
        raise _Unencodable("not JSON") from None
    return _from_json(obj)


def attribute_from_json(obj: Any) -> dict | None:
    """A parsed JSON attribute value (the connector's forms or DynamoDB JSON, see
    :func:`parse_item_value`) as a low-level attribute value; None for an empty set.
    Raises ``ValueError`` with the reason for anything else."""
    return _from_json(obj)


def _from_json(obj: Any) -> dict | None:
    if isinstance(obj, dict):
        for key, value in obj.items():
            tag = _JSON_TAGS.get(key.lower())
            if tag is not None:
                return _FROM_JSON[tag](value)
    raise _Unencodable("not a serialized DynamoDB attribute value")


def _json_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise _Unencodable(f"expected a JSON string, found {json.dumps(value, default=str)}")


def _json_number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise _Unencodable(f"expected a number, found {json.dumps(value, default=str)}")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise _Unencodable(f"invalid number {value!r}") from None
    return _number_text(number)


def _json_binary(value: Any) -> bytes:
    try:
        return base64.b64decode(_json_string(value), validate=True)
    except (binascii.Error, ValueError):
        raise _Unencodable("invalid base64 binary value") from None


def _json_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _Unencodable(f"expected true or false, found {json.dumps(value, default=str)}")


def _json_list(value: Any) -> list:
    if isinstance(value, list):
        return value
    raise _Unencodable("expected a JSON array")


def _json_member(value: Any) -> dict:
    av = _from_json(value)
    if av is None:
        raise _Unencodable("empty set inside a list or map")
    return av


def _json_map(value: Any) -> dict:
    if not isinstance(value, dict):
        raise _Unencodable("expected a JSON object")
    return {"M": {name: _json_member(v) for name, v in value.items()}}


_FROM_JSON: dict[str, Callable[[Any], dict | None]] = {
    "S": lambda v: {"S": _json_string(v)},
    "N": lambda v: {"N": _json_number(v)},
    "B": lambda v: {"B": _json_binary(v)},
    "BOOL": lambda v: {"BOOL": _json_bool(v)},
    "NULL": lambda v: _null(),
    "SS": lambda v: _set_value("SS", [_json_string(m) for m in _json_list(v)]),
    "NS": lambda v: _set_value("NS", [_json_number(m) for m in _json_list(v)]),
    "BS": lambda v: _set_value("BS", [_json_binary(m) for m in _json_list(v)]),
    "L": lambda v: {"L": [_json_member(m) for m in _json_list(v)]},
    "M": _json_map,
}
