"""Hive column types: parsing, printing, and their Arrow and DuckDB forms.

A :class:`HiveType` is a value: ``name`` is the lower-case Hive type name and
``params`` its parameters (decimal precision and scale, element types, struct
fields).  Every Hive type ddbsql accepts appears in :data:`PRIMITIVES` or
:data:`COMPLEX`; anything else is a :class:`~ddbsql.errors.TypeMappingError`.
"""
from __future__ import annotations

import dataclasses
import re

import pyarrow as pa

from .errors import TypeMappingError

#: Hive primitive name -> (Arrow type, DuckDB type).  Aliases map in ``_ALIASES``.
PRIMITIVES: dict[str, tuple[pa.DataType, str]] = {
    "string": (pa.string(), "VARCHAR"),
    "varchar": (pa.string(), "VARCHAR"),
    "char": (pa.string(), "VARCHAR"),
    "tinyint": (pa.int8(), "TINYINT"),
    "smallint": (pa.int16(), "SMALLINT"),
    "int": (pa.int32(), "INTEGER"),
    "bigint": (pa.int64(), "BIGINT"),
    "float": (pa.float32(), "FLOAT"),
    "double": (pa.float64(), "DOUBLE"),
    "boolean": (pa.bool_(), "BOOLEAN"),
    "binary": (pa.binary(), "BLOB"),
    "timestamp": (pa.timestamp("us"), "TIMESTAMP"),
    "date": (pa.date32(), "DATE"),
}
COMPLEX = ("decimal", "array", "map", "struct")
INTEGERS = ("tinyint", "smallint", "int", "bigint")
NUMERICS = INTEGERS + ("float", "double", "decimal")
_ALIASES = {"integer": "int", "text": "string", "bool": "boolean", "long": "bigint",
            "double precision": "double", "real": "float", "numeric": "decimal",
            "dec": "decimal"}
#: Hive's default precision and scale for a bare ``decimal``.
DEFAULT_DECIMAL = (10, 0)
MAX_DECIMAL_PRECISION = 38


@dataclasses.dataclass(frozen=True)
class HiveType:
    """One Hive type.  ``params``: decimal ``(precision, scale)``; array ``(element,)``;
    map ``(key, value)``; struct ``((field_name, HiveType), ...)``; varchar/char ``(length,)``."""

    name: str
    params: tuple = ()

    def __str__(self) -> str:
        if self.name == "decimal":
            return f"decimal({self.params[0]},{self.params[1]})"
        if self.name in ("varchar", "char") and self.params:
            return f"{self.name}({self.params[0]})"
        if self.name == "array":
            return f"array<{self.params[0]}>"
        if self.name == "map":
            return f"map<{self.params[0]},{self.params[1]}>"
        if self.name == "struct":
            return "struct<" + ",".join(f"{n}:{t}" for n, t in self.params) + ">"
        return self.name

    @property
    def is_numeric(self) -> bool:
        return self.name in NUMERICS

    @property
    def is_integer(self) -> bool:
        return self.name in INTEGERS

    @property
    def is_complex(self) -> bool:
        return self.name in ("array", "map", "struct")

    def to_arrow(self) -> pa.DataType:
        """The Arrow type ddbsql uses for values of this type."""
        if self.name in PRIMITIVES:
            return PRIMITIVES[self.name][0]
        if self.name == "decimal":
            return pa.decimal128(*self.params)
        if self.name == "array":
            return pa.list_(self.params[0].to_arrow())
        if self.name == "map":
            return pa.map_(self.params[0].to_arrow(), self.params[1].to_arrow())
        if self.name == "struct":
            return pa.struct([pa.field(n, t.to_arrow()) for n, t in self.params])
        raise TypeMappingError(f"unsupported Hive type '{self}'")

    def duckdb_sql(self) -> str:
        """The DuckDB type name, as SQL text."""
        if self.name in PRIMITIVES:
            return PRIMITIVES[self.name][1]
        if self.name == "decimal":
            return f"DECIMAL({self.params[0]},{self.params[1]})"
        if self.name == "array":
            return f"{self.params[0].duckdb_sql()}[]"
        if self.name == "map":
            return f"MAP({self.params[0].duckdb_sql()}, {self.params[1].duckdb_sql()})"
        if self.name == "struct":
            return "STRUCT(" + ", ".join(f'"{n}" {t.duckdb_sql()}' for n, t in self.params) + ")"
        raise TypeMappingError(f"unsupported Hive type '{self}'")


STRING = HiveType("string")
BIGINT = HiveType("bigint")
DOUBLE = HiveType("double")
BOOLEAN = HiveType("boolean")
BINARY = HiveType("binary")
ITEM_MAP = HiveType("map", (STRING, STRING))

_TOKEN = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_ ]*?(?=\s*[<>(),:]|\s*$)|[<>(),:]|\d+|`[^`]+`)")


def parse_hive_type(text: str) -> HiveType:
    """Parse Hive type text such as ``decimal(38,2)`` or ``map<string,array<bigint>>``.

    Raises :class:`TypeMappingError` naming the text when it is not a Hive type.
    """
    tokens = _tokenize(text)
    try:
        result, pos = _parse(tokens, 0, text)
    except IndexError:
        raise TypeMappingError(f"incomplete Hive type '{text}'") from None
    if pos != len(tokens):
        raise TypeMappingError(f"unexpected '{tokens[pos]}' in Hive type '{text}'")
    return result


def _tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    pos = 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        m = _TOKEN.match(text, pos)
        if not m or not m.group(1):
            raise TypeMappingError(f"unexpected character '{text[pos]}' in Hive type '{text}'")
        tokens.append(m.group(1).strip())
        pos = m.end()
    return tokens


def _parse(tokens: list[str], pos: int, text: str) -> tuple[HiveType, int]:
    raw = tokens[pos].lower()
    name = _ALIASES.get(re.sub(r"\s+", " ", raw), raw)
    pos += 1
    if name in PRIMITIVES:
        if name in ("varchar", "char") and pos < len(tokens) and tokens[pos] == "(":
            length = int(tokens[pos + 1])
            _expect(tokens, pos + 2, ")", text)
            return HiveType(name, (length,)), pos + 3
        return HiveType(name), pos
    if name == "decimal":
        precision, scale = DEFAULT_DECIMAL
        if pos < len(tokens) and tokens[pos] == "(":
            precision = _int(tokens[pos + 1], text)
            pos += 2
            scale = 0
            if tokens[pos] == ",":
                scale = _int(tokens[pos + 1], text)
                pos += 2
            _expect(tokens, pos, ")", text)
            pos += 1
        if not (1 <= precision <= MAX_DECIMAL_PRECISION) or not (0 <= scale <= precision):
            raise TypeMappingError(
                f"decimal({precision},{scale}) is out of range: precision 1..38, scale 0..precision")
        return HiveType("decimal", (precision, scale)), pos
    if name == "array":
        _expect(tokens, pos, "<", text)
        elem, pos = _parse(tokens, pos + 1, text)
        _expect(tokens, pos, ">", text)
        return HiveType("array", (elem,)), pos + 1
    if name == "map":
        _expect(tokens, pos, "<", text)
        key, pos = _parse(tokens, pos + 1, text)
        _expect(tokens, pos, ",", text)
        value, pos = _parse(tokens, pos + 1, text)
        _expect(tokens, pos, ">", text)
        if key.is_complex:
            raise TypeMappingError(f"map keys must be a primitive type in '{text}'")
        return HiveType("map", (key, value)), pos + 1
    if name == "struct":
        _expect(tokens, pos, "<", text)
        pos += 1
        fields = []
        while True:
            field = tokens[pos].strip("`")
            _expect(tokens, pos + 1, ":", text)
            ftype, pos = _parse(tokens, pos + 2, text)
            fields.append((field, ftype))
            if tokens[pos] == ",":
                pos += 1
                continue
            _expect(tokens, pos, ">", text)
            return HiveType("struct", tuple(fields)), pos + 1
    raise TypeMappingError(f"unknown Hive type '{tokens[pos - 1]}' in '{text}'")


def _expect(tokens: list[str], pos: int, want: str, text: str) -> None:
    if tokens[pos] != want:
        raise TypeMappingError(f"expected '{want}' but found '{tokens[pos]}' in Hive type '{text}'")


def _int(token: str, text: str) -> int:
    if not token.isdigit():
        raise TypeMappingError(f"expected a number but found '{token}' in Hive type '{text}'")
    return int(token)


def from_arrow(arrow_type: pa.DataType) -> HiveType:
    """The Hive type that holds values of an Arrow type (query results, CTAS columns)."""
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) or pa.types.is_string_view(arrow_type):
        return STRING
    if pa.types.is_boolean(arrow_type):
        return BOOLEAN
    if pa.types.is_int8(arrow_type) or pa.types.is_uint8(arrow_type):
        return HiveType("tinyint") if pa.types.is_int8(arrow_type) else HiveType("smallint")
    if pa.types.is_int16(arrow_type):
        return HiveType("smallint")
    if pa.types.is_int32(arrow_type) or pa.types.is_uint16(arrow_type):
        return HiveType("int")
    if pa.types.is_integer(arrow_type):
        return BIGINT
    if pa.types.is_float32(arrow_type):
        return HiveType("float")
    if pa.types.is_floating(arrow_type):
        return DOUBLE
    if pa.types.is_decimal(arrow_type):
        return HiveType("decimal", (min(arrow_type.precision, MAX_DECIMAL_PRECISION), arrow_type.scale))
    if pa.types.is_binary(arrow_type) or pa.types.is_large_binary(arrow_type) or pa.types.is_fixed_size_binary(arrow_type):
        return BINARY
    if pa.types.is_timestamp(arrow_type):
        return HiveType("timestamp")
    if pa.types.is_date(arrow_type):
        return HiveType("date")
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type) or pa.types.is_fixed_size_list(arrow_type):
        return HiveType("array", (from_arrow(arrow_type.value_type),))
    if pa.types.is_map(arrow_type):
        return HiveType("map", (from_arrow(arrow_type.key_type), from_arrow(arrow_type.item_type)))
    if pa.types.is_struct(arrow_type):
        return HiveType("struct", tuple((arrow_type.field(i).name, from_arrow(arrow_type.field(i).type))
                                        for i in range(arrow_type.num_fields)))
    if pa.types.is_null(arrow_type):
        return STRING
    return STRING
