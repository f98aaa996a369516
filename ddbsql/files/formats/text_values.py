"""Hive's text forms of values: reading and writing delimited text, CSV and JSON fields.

Reading follows Hive's LazySimpleSerDe: a field equal to the NULL marker (``\\N`` by
default) is NULL; an empty field is NULL for every type but string; a value that does
not parse as its column's type is NULL (and reported, with the row it was in).
Integers accept a fractional part, which is dropped (as Hive does); decimals round half
up to the column's scale and are NULL when too wide; binary is base64 when it is valid
base64, else the bytes of the text.  Nested values use Hive's separators by nesting
level: collection items (``\\002``), map keys (``\\003``), then ``\\004`` … ``\\010``.

Writing is the reverse, with Hive's spellings: ``true``/``false``, doubles as Java
prints them (``1.0E10``), timestamps as ``yyyy-MM-dd HH:mm:ss[.fff]``, binary as base64.
"""
from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import json
import math
import re
import struct
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any, Callable

import pyarrow as pa
import pyarrow.compute as pc

from ...javatext import double_text as java_double, float_text as java_float
from ...types import HiveType

__all__ = ["TextFormat", "Bad", "hive_separator", "split_fields", "convert_strings", "convert_json_values",
           "text_value", "json_value", "format_column", "format_value", "json_ready", "java_double",
           "java_float", "hive_timestamp_text", "dump_json", "JsonNumber"]

_WIDE = Context(prec=400, rounding=ROUND_HALF_UP, Emax=999_999, Emin=-999_999)
_INT_RANGES = {"tinyint": (-(2 ** 7), 2 ** 7 - 1), "smallint": (-(2 ** 15), 2 ** 15 - 1),
               "int": (-(2 ** 31), 2 ** 31 - 1), "bigint": (-(2 ** 63), 2 ** 63 - 1)}
_STRINGS = ("string", "varchar", "char")


class Bad(ValueError):
    """A value that does not fit its column: read as NULL, reported with ``reason``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def hive_separator(value: str | None, default: str) -> str:
    """A separator as Hive reads a SerDe parameter: a number is a byte value ('9' is TAB),
    anything else its first character."""
    if value is None or value == "":
        return default
    text = value.strip() if value.strip() else value
    if re.fullmatch(r"-?\d+", text):
        number = int(text)
        if -128 <= number <= 127:
            return chr(number & 0xFF)
    return value[0]


@dataclasses.dataclass(frozen=True)
class TextFormat:
    """The delimiters of a Hive text table (LazySimpleSerDe)."""

    field: str = "\x01"
    collection: str = "\x02"
    mapkey: str = "\x03"
    line: str = "\n"
    escape: str | None = None
    null: str = "\\N"

    @classmethod
    def from_properties(cls, props: dict[str, str]) -> "TextFormat":
        field = props.get("field.delim", props.get("serialization.format"))
        escape = props.get("escape.delim")
        return cls(field=hive_separator(field, "\x01"),
                   collection=hive_separator(props.get("colelction.delim", props.get("collection.delim")), "\x02"),
                   mapkey=hive_separator(props.get("mapkey.delim"), "\x03"),
                   line=hive_separator(props.get("line.delim"), "\n"),
                   escape=hive_separator(escape, "\\") if escape else None,
                   null=props.get("serialization.null.format", "\\N"))

    @property
    def separators(self) -> tuple[str, ...]:
        """Separators by nesting level: 0 fields, 1 collection items, 2 map keys, then 4…8."""
        return (self.field, self.collection, self.mapkey) + tuple(chr(i) for i in range(4, 9))

    def separator(self, level: int) -> str:
        seps = self.separators
        if level >= len(seps):
            raise Bad("nested too deeply for Hive's text format")
        return seps[level]


# --- splitting and escaping -----------------------------------------------------------

def split_fields(text: str, sep: str, escape: str | None) -> list[str]:
    """``text`` split at every ``sep`` not preceded by an (unescaped) escape character."""
    parts = text.split(sep)
    if escape is None or escape not in text:
        return parts
    out: list[str] = []
    current: str | None = None
    for part in parts:
        current = part if current is None else current + sep + part
        trailing = len(current) - len(current.rstrip(escape))
        if trailing % 2 == 1:
            continue  # the separator was escaped: it belongs to this field
        out.append(current)
        current = None
    if current is not None:
        out.append(current)
    return out


def unescape(text: str, escape: str | None) -> str:
    if escape is None or escape not in text:
        return text
    out = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == escape and i + 1 < n:
            nxt = text[i + 1]
            out.append("\r" if nxt == "r" else "\n" if nxt == "n" else nxt)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def escape_text(text: str, fmt: TextFormat) -> str:
    esc = fmt.escape
    if esc is None:
        return text
    special = set(fmt.separators) | {esc, "\r", "\n"}
    if not any(c in special for c in text):
        return text
    out = []
    for c in text:
        if c == "\r":
            out.append(esc + "r")
        elif c == "\n":
            out.append(esc + "n")
        elif c in special:
            out.append(esc + c)
        else:
            out.append(c)
    return "".join(out)


# --- text to values -----------------------------------------------------------------

_INT_TEXT = re.compile(r"^[+-]?\d+(?:\.\d*)?$")
_FLOAT_TEXT = re.compile(r"^\s*[+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?)\s*$")
_TIMESTAMP_TEXT = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$")
_BASE64_CHARS = re.compile(r"^[A-Za-z0-9+/=\s]*$")


def _integer(text: str, name: str) -> int:
    if not _INT_TEXT.match(text):
        raise Bad(f"not a valid {name}")
    whole = text.split(".", 1)[0]
    value = int(whole)
    low, high = _INT_RANGES[name]
    if not low <= value <= high:
        raise Bad(f"out of range for {name}")
    return value


def _double(text: str) -> float:
    if not _FLOAT_TEXT.match(text):
        raise Bad("not a valid number")
    body = text.strip().rstrip("fFdD")
    if body.lstrip("+-") in ("NaN", "Infinity"):
        body = body.replace("Infinity", "inf").replace("NaN", "nan")
    return float(body)


def _float32(value: float) -> float:
    try:
        return struct.unpack("f", struct.pack("f", value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)


def _decimal(text: str, hive_type: HiveType) -> Decimal:
    precision, scale = hive_type.params
    try:
        number = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        raise Bad(f"not a valid {hive_type}") from None
    if not number.is_finite():
        raise Bad(f"not a valid {hive_type}")
    try:
        value = number.quantize(Decimal((0, (1,), -scale)), rounding=ROUND_HALF_UP, context=_WIDE)
    except InvalidOperation:
        raise Bad(f"overflows {hive_type}") from None
    if len(value.as_tuple().digits) > precision:
        raise Bad(f"overflows {hive_type}")
    return value


def _boolean(text: str) -> bool:
    low = text.lower()
    if low == "true":
        return True
    if low == "false":
        return False
    raise Bad("not a valid boolean")


def _timestamp(text: str) -> dt.datetime:
    m = _TIMESTAMP_TEXT.match(text.strip())
    if not m:
        raise Bad("not a valid timestamp")
    year, month, day, hour, minute, second, fraction = m.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        return dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micros)
    except ValueError:
        raise Bad("not a valid timestamp") from None


def _date(text: str) -> dt.date:
    m = _TIMESTAMP_TEXT.match(text.strip())
    if not m:
        raise Bad("not a valid date")
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise Bad("not a valid date") from None


def _binary(text: str) -> bytes:
    if text and _BASE64_CHARS.match(text):
        try:
            return base64.b64decode(re.sub(r"\s", "", text), validate=True)
        except (binascii.Error, ValueError):
            pass
    return text.encode("utf-8")


def _string(text: str, hive_type: HiveType) -> str:
    if hive_type.params and hive_type.name in ("varchar", "char"):
        return text[:hive_type.params[0]]
    return text


def primitive_value(text: str, hive_type: HiveType) -> Any:
    """``text`` (unescaped, not the NULL marker) as a value of a primitive Hive type."""
    name = hive_type.name
    if name in _STRINGS:
        return _string(text, hive_type)
    if text == "":
        return None
    if name in _INT_RANGES:
        return _integer(text, name)
    if name == "double":
        return _double(text)
    if name == "float":
        return _float32(_double(text))
    if name == "decimal":
        return _decimal(text, hive_type)
    if name == "boolean":
        return _boolean(text)
    if name == "timestamp":
        return _timestamp(text)
    if name == "date":
        return _date(text)
    if name == "binary":
        return _binary(text)
    raise Bad(f"cannot read {hive_type} from text")


def text_value(text: str | None, hive_type: HiveType, fmt: TextFormat, level: int, report: Callable[[str], None]
               ) -> Any:
    """One (still escaped) text field as a value of ``hive_type`` at nesting ``level``.

    Raises :class:`Bad` when the whole value is unreadable; a bad element inside an
    array, map or struct is NULL and ``report``-ed.
    """
    if text is None or text == fmt.null:
        return None
    name = hive_type.name
    if not hive_type.is_complex:
        return primitive_value(unescape(text, fmt.escape), hive_type)
    sep = fmt.separator(level)
    if name == "array":
        if text == "":
            return []
        element = hive_type.params[0]
        return [_nested(part, element, fmt, level + 1, report) for part in split_fields(text, sep, fmt.escape)]
    if name == "map":
        if text == "":
            return []
        key_type, value_type = hive_type.params
        kv = fmt.separator(level + 1)
        entries = []
        for part in split_fields(text, sep, fmt.escape):
            pieces = split_fields(part, kv, fmt.escape)
            key_text = pieces[0]
            value_text = kv.join(pieces[1:]) if len(pieces) > 1 else None
            try:
                key = text_value(key_text, key_type, fmt, level + 2, report)
            except Bad as exc:
                report(f"map key: {exc.reason}")
                continue
            if key is None:
                continue  # an Arrow map key cannot be NULL
            entries.append((key, _nested(value_text, value_type, fmt, level + 2, report)))
        return entries
    if name == "struct":
        parts = split_fields(text, sep, fmt.escape)
        out = {}
        for i, (field, field_type) in enumerate(hive_type.params):
            out[field] = _nested(parts[i] if i < len(parts) else None, field_type, fmt, level + 1, report)
        return out
    raise Bad(f"cannot read {hive_type} from text")


def _nested(text: str | None, hive_type: HiveType, fmt: TextFormat, level: int, report: Callable[[str], None]) -> Any:
    try:
        return text_value(text, hive_type, fmt, level, report)
    except Bad as exc:
        report(f"nested value: {exc.reason}")
        return None


_DEFAULT_FORMAT = TextFormat()


def _fast_strings(arr: pa.Array, hive_type: HiveType) -> tuple[pa.Array, pa.Array] | None:
    """Vectorised parse of plain primitive text; ``(values, attempted)`` or None for no fast path.

    ``attempted`` marks the rows the fast path decided (parsed or NULL on purpose); the
    others go through :func:`primitive_value` one by one.
    """
    name = hive_type.name
    if name in _STRINGS:
        every = pa.repeat(pa.scalar(True), len(arr))    # NULL stays NULL, any text is a string
        if hive_type.params and name in ("varchar", "char"):
            return pc.utf8_slice_codeunits(arr, 0, hive_type.params[0]), every
        return arr, every
    empty = pc.equal(arr, "")
    if name in _INT_RANGES:
        ok = pc.match_substring_regex(arr, r"^-?[0-9]{1,18}$")
        values = pc.cast(pc.if_else(ok, arr, pa.scalar(None, pa.string())), pa.int64())
        low, high = _INT_RANGES[name]
        if name != "bigint":
            inside = pc.fill_null(pc.and_(pc.greater_equal(values, low), pc.less_equal(values, high)), False)
            values = pc.if_else(inside, values, pa.scalar(None, pa.int64()))
            ok = pc.and_(ok, inside)
        return values.cast(hive_type.to_arrow()), pc.or_(ok, empty)
    if name in ("double", "float"):
        ok = pc.match_substring_regex(arr, r"^-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$")
        values = pc.cast(pc.if_else(ok, arr, pa.scalar(None, pa.string())), pa.float64())
        return values.cast(hive_type.to_arrow(), safe=False), pc.or_(ok, empty)
    if name == "decimal":
        # plain digits that fit without rounding: exact by a cast; the rest one by one (HALF_UP, overflow)
        precision, scale = hive_type.params
        if precision <= scale:
            return None
        fraction = rf"(\.[0-9]{{1,{scale}}})?" if scale else ""
        ok = pc.match_substring_regex(arr, rf"^-?[0-9]{{1,{precision - scale}}}{fraction}$")
        values = pc.cast(pc.if_else(ok, arr, pa.scalar(None, pa.string())), hive_type.to_arrow())
        return values, pc.or_(ok, empty)
    if name == "boolean":
        low = pc.utf8_lower(arr)
        is_true = pc.equal(low, "true")
        is_false = pc.equal(low, "false")
        values = pc.if_else(is_true, True, pc.if_else(is_false, False, pa.scalar(None, pa.bool_())))
        return values, pc.or_(pc.or_(is_true, is_false), empty)
    if name in ("date", "timestamp"):
        pattern = (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$" if name == "date"
                   else r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?)?$")
        ok = pc.match_substring_regex(arr, pattern)
        try:
            values = pc.cast(pc.if_else(ok, arr, pa.scalar(None, pa.string())), hive_type.to_arrow())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
        return values, pc.or_(ok, empty)
    return None


def convert_strings(arr: pa.Array, hive_type: HiveType, fmt: TextFormat | None = None, level: int = 1
                    ) -> tuple[pa.Array, list[tuple[int, str]]]:
    """Text fields (a string array, the NULL marker not yet applied) as ``hive_type``.

    Returns the typed array and ``(row, reason)`` for every value read as NULL (or
    partly NULL) because it did not fit.
    """
    fmt = fmt or _DEFAULT_FORMAT
    if not pa.types.is_string(arr.type):
        arr = arr.cast(pa.string())
    if fmt.null is not None:
        arr = pc.if_else(pc.fill_null(pc.equal(arr, fmt.null), False), pa.scalar(None, pa.string()), arr)
    target = hive_type.to_arrow()
    bad: list[tuple[int, str]] = []
    fast = None
    if not hive_type.is_complex and (fmt.escape is None or hive_type.name not in _STRINGS):
        try:
            fast = _fast_strings(arr, hive_type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            fast = None
    if fast is not None:
        values, attempted = fast
        attempted = pc.fill_null(attempted, True)
        if pc.all(attempted).as_py():
            return values, bad
        rest = pc.indices_nonzero(pc.invert(attempted)).to_pylist()
        texts = arr.take(pa.array(rest, pa.int64())).to_pylist() if rest else []
        fixed = []
        for row, text in zip(rest, texts):
            try:
                fixed.append(primitive_value(unescape(text, fmt.escape), hive_type))
            except Bad as exc:
                fixed.append(None)
                bad.append((row, exc.reason))
        # only the rows the fast path left are replaced: the column stays in Arrow
        mask = pc.invert(attempted)
        try:
            return pc.replace_with_mask(values.cast(target), mask, pa.array(fixed, type=target)), bad
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            py = values.to_pylist()
            for row, value in zip(rest, fixed):
                py[row] = value
            return pa.array(py, type=target), bad
    out = []
    for row, text in enumerate(arr.to_pylist()):
        reasons: list[str] = []
        try:
            out.append(text_value(text, hive_type, fmt, level, reasons.append))
        except Bad as exc:
            out.append(None)
            reasons.append(exc.reason)
        if reasons:
            bad.append((row, reasons[0]))
    return pa.array(out, type=target), bad


# --- JSON values --------------------------------------------------------------------

class JsonNumber(str):
    """A JSON number with a fraction or exponent, kept as its text (exact for decimals)."""


def json_value(value: Any, hive_type: HiveType, report: Callable[[str], None]) -> Any:
    """A value parsed by ``json.loads(parse_float=JsonNumber)`` as ``hive_type``."""
    if value is None:
        return None
    name = hive_type.name
    if name in _STRINGS:
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (dict, list)):
            text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        else:
            text = str(value)
        return _string(text, hive_type)
    if isinstance(value, bool) and name != "boolean":
        raise Bad(f"expected {hive_type}, found a boolean")
    if name in _INT_RANGES:
        if isinstance(value, int):
            low, high = _INT_RANGES[name]
            if not low <= value <= high:
                raise Bad(f"out of range for {name}")
            return value
        if isinstance(value, str):
            return primitive_value(value, hive_type)
        raise Bad(f"expected {name}")
    if name in ("double", "float"):
        if isinstance(value, (int, str)):
            number = float(value) if not isinstance(value, JsonNumber) and isinstance(value, int) else None
            if number is None:
                number = _double(str(value))
            return _float32(number) if name == "float" else number
        raise Bad(f"expected {name}")
    if name == "decimal":
        if isinstance(value, (int, str)):
            return _decimal(str(value), hive_type)
        raise Bad(f"expected {hive_type}")
    if name == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            return _boolean(value)
        raise Bad("expected boolean")
    if name in ("timestamp", "date", "binary"):
        if isinstance(value, str):
            return primitive_value(value, hive_type)
        raise Bad(f"expected {name} text")
    if name == "array":
        if not isinstance(value, list):
            raise Bad(f"expected a JSON array for {hive_type}")
        return [_json_nested(v, hive_type.params[0], report) for v in value]
    if name == "map":
        if not isinstance(value, dict):
            raise Bad(f"expected a JSON object for {hive_type}")
        key_type, value_type = hive_type.params
        entries = []
        for k, v in value.items():
            try:
                key = primitive_value(k, key_type)
            except Bad as exc:
                report(f"map key: {exc.reason}")
                continue
            if key is not None:
                entries.append((key, _json_nested(v, value_type, report)))
        return entries
    if name == "struct":
        if not isinstance(value, dict):
            raise Bad(f"expected a JSON object for {hive_type}")
        folded = None
        out = {}
        for field, field_type in hive_type.params:
            if field in value:
                member = value[field]
            else:
                if folded is None:
                    folded = {k.lower(): v for k, v in value.items()}
                member = folded.get(field.lower())
            out[field] = _json_nested(member, field_type, report)
        return out
    raise Bad(f"cannot read {hive_type} from JSON")


def _json_nested(value: Any, hive_type: HiveType, report: Callable[[str], None]) -> Any:
    try:
        return json_value(value, hive_type, report)
    except Bad as exc:
        report(f"nested value: {exc.reason}")
        return None


def convert_json_values(values: list, hive_type: HiveType) -> tuple[pa.Array, list[tuple[int, str]]]:
    """JSON values of one column as an Arrow array; ``(row, reason)`` for each read as NULL."""
    out = []
    bad: list[tuple[int, str]] = []
    for row, value in enumerate(values):
        reasons: list[str] = []
        try:
            out.append(json_value(value, hive_type, reasons.append))
        except Bad as exc:
            out.append(None)
            reasons.append(exc.reason)
        if reasons:
            bad.append((row, reasons[0]))
    return pa.array(out, type=hive_type.to_arrow()), bad


# --- values to text -----------------------------------------------------------------

def hive_timestamp_text(value: dt.datetime) -> str:
    text = f"{value.year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    if value.microsecond:
        text += "." + f"{value.microsecond:06d}".rstrip("0")
    return text


def _primitive_text(value: Any, hive_type: HiveType) -> str:
    name = hive_type.name
    if name == "boolean":
        return "true" if value else "false"
    if name == "double":
        return java_double(value)
    if name == "float":
        return java_float(value)
    if name == "decimal":
        return format(value, "f")
    if name == "timestamp":
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
            return hive_timestamp_text(value)
        return str(value)
    if name == "date":
        return value.isoformat()
    if name == "binary":
        return base64.b64encode(bytes(value)).decode("ascii")
    return str(value)


def format_value(value: Any, hive_type: HiveType, fmt: TextFormat, level: int) -> str:
    """One value in Hive's text form at nesting ``level`` (NULL as the NULL marker)."""
    if value is None:
        return fmt.null
    name = hive_type.name
    if name in _STRINGS:
        return escape_text(value, fmt)
    if not hive_type.is_complex:
        return escape_text(_primitive_text(value, hive_type), fmt)
    sep = fmt.separator(level)
    if name == "array":
        return sep.join(format_value(v, hive_type.params[0], fmt, level + 1) for v in value)
    if name == "map":
        key_type, value_type = hive_type.params
        kv = fmt.separator(level + 1)
        items = value.items() if isinstance(value, dict) else value
        return sep.join(format_value(k, key_type, fmt, level + 2) + kv + format_value(v, value_type, fmt, level + 2)
                        for k, v in items)
    if name == "struct":
        return sep.join(format_value(value.get(f), t, fmt, level + 1) for f, t in hive_type.params)
    raise Bad(f"cannot write {hive_type} as text")


def format_column(arr: pa.Array, hive_type: HiveType, fmt: TextFormat) -> list[str]:
    """A column's values as top-level text fields (NULL as the NULL marker)."""
    name = hive_type.name
    if (name in _INT_RANGES or name == "date" or name == "decimal" or (name in _STRINGS and fmt.escape is None)):
        return pc.fill_null(arr.cast(pa.string()), fmt.null).to_pylist()
    if name == "boolean":
        text = pc.if_else(arr, "true", "false")
        return pc.fill_null(text, fmt.null).to_pylist()
    return [format_value(v, hive_type, fmt, 1) for v in arr.to_pylist()]


def json_ready(value: Any, hive_type: HiveType) -> Any:
    """A value as JSON-serialisable data in the JSON SerDe's forms."""
    if value is None:
        return None
    name = hive_type.name
    if name in _STRINGS or name in _INT_RANGES or name == "boolean":
        return value
    if name in ("double", "float"):
        if math.isfinite(value):
            return value
        return java_double(value)
    if name == "decimal":
        return _RawNumber(format(value, "f"))
    if name in ("timestamp", "date", "binary"):
        return _primitive_text(value, hive_type)
    if name == "array":
        return [json_ready(v, hive_type.params[0]) for v in value]
    if name == "map":
        key_type, value_type = hive_type.params
        items = value.items() if isinstance(value, dict) else value
        return {(k if isinstance(k, str) else _primitive_text(k, key_type)): json_ready(v, value_type)
                for k, v in items}
    if name == "struct":
        return {f: json_ready(value.get(f), t) for f, t in hive_type.params}
    return str(value)


class _RawNumber:
    """A number written to JSON as its exact text (decimals)."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


_encode_string = json.encoder.encode_basestring  # type: ignore[attr-defined]


def dump_json(obj: Any) -> str:
    """Compact JSON text; decimals as their exact digits, non-ASCII characters as is."""
    parts: list[str] = []
    _dump(obj, parts.append)
    return "".join(parts)


def _dump(obj: Any, emit: Callable[[str], None]) -> None:
    if obj is None:
        emit("null")
    elif obj is True:
        emit("true")
    elif obj is False:
        emit("false")
    elif isinstance(obj, str):
        emit(_encode_string(obj))
    elif isinstance(obj, int):
        emit(int.__repr__(obj))
    elif isinstance(obj, float):
        emit(float.__repr__(obj) if math.isfinite(obj) else "null")
    elif isinstance(obj, _RawNumber):
        emit(obj.text)
    elif isinstance(obj, dict):
        emit("{")
        first = True
        for key, value in obj.items():
            if not first:
                emit(",")
            first = False
            emit(_encode_string(str(key)))
            emit(":")
            _dump(value, emit)
        emit("}")
    elif isinstance(obj, (list, tuple)):
        emit("[")
        for i, value in enumerate(obj):
            if i:
                emit(",")
            _dump(value, emit)
        emit("]")
    else:
        emit(_encode_string(str(obj)))
