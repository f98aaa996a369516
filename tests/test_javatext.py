"""Java number text: the shared module against a table printed by Java, and its rules
checked as properties over random and edge values."""
from __future__ import annotations

import math
import pathlib
import struct
from decimal import Decimal

import pyarrow as pa
from hypothesis import given, settings, strategies as st

from ddbsql.cli.output import render_value_hive
from ddbsql.files.formats import text_values as hivetext
from ddbsql.javatext import double_text, float_text, to_float32
from ddbsql.types import parse_hive_type

TABLE = pathlib.Path(__file__).parent / "data" / "java_number_text.txt"


def _table():
    for line in TABLE.read_text().splitlines():
        kind, bits, text = line.split()
        if kind == "D":
            yield struct.unpack(">d", bytes.fromhex(bits.zfill(16)))[0], False, text
        else:
            yield struct.unpack(">f", bytes.fromhex(bits.zfill(8)))[0], True, text


def test_every_row_of_the_java_table():
    rows = list(_table())
    assert len(rows) > 10_000
    wrong = [(x, text, float_text(x) if single else double_text(x))
             for x, single, text in rows
             if (float_text(x) if single else double_text(x)) != text]
    assert wrong == []


def test_named_values():
    assert double_text(5e-324) == "4.9E-324"
    assert float_text(1.4e-45) == "1.4E-45"
    assert double_text(1.7976931348623157e308) == "1.7976931348623157E308"
    assert float_text(3.4028234663852886e38) == "3.4028235E38"
    assert [double_text(x) for x in (1.0, 1e7, 1e-3, 9.999e-4, 0.1, 100.0, -0.0, 0.0)] == \
        ["1.0", "1.0E7", "0.001", "9.999E-4", "0.1", "100.0", "-0.0", "0.0"]
    assert [double_text(x) for x in (math.nan, math.inf, -math.inf)] == ["NaN", "Infinity", "-Infinity"]
    assert float_text(4.7481155e8) == "4.74811552E8"  # Java prints the integral value's digits


def _shortest(x: float, single: bool) -> str:
    """The shortest text (``d.ddde±n``) that reads back as ``x``, the closest when several
    qualify."""
    for n in range(1, 18):
        text = f"{x:.{n - 1}e}"
        back = float(text)
        if (to_float32(back) == x) if single else (back == x):
            return text
    raise AssertionError(x)


def _shortest_digits(x: float, single: bool) -> str:
    return _shortest(x, single).split("e")[0].replace(".", "").replace("-", "")


def _digits_of(text: str) -> str:
    mantissa = text.lstrip("-").split("E")[0]
    return mantissa.replace(".", "").lstrip("0").rstrip("0") or "0"


def _check_rules(x: float, single: bool, text: str) -> None:
    # 1. it reads back as the same value
    back = float(text)
    assert (to_float32(back) if single else back) == x
    # 2. layout: plain with a fraction digit for 1e-3 <= |x| < 1e7, else d.dddE[-]n
    magnitude = abs(Decimal(text))
    if x == 0:
        assert text in ("0.0", "-0.0")
    elif Decimal("1e-3") <= magnitude < Decimal("1e7"):
        assert "E" not in text and "." in text and not text.endswith(".")
    else:
        mantissa, exponent = text.lstrip("-").split("E")
        assert len(mantissa.split(".")[0]) == 1 and mantissa[0] != "0" and int(exponent) != 0
        assert len(mantissa.split(".")[1]) >= 1
    # 3. digits: an integral value below 2**53 (2**24 for float) prints exactly; other
    #    values print their shortest round-trip digits (scientific form keeps two when
    #    one would do), except integral values beyond the significand's precision and
    #    the band near 1e25 where Java's fixed-width arithmetic wraps, and powers of two
    #    (Java narrows the margin on both sides there); those are checked by the table.
    if x == 0:
        return
    exact = 2 ** (24 if single else 53)
    integral = x == int(x)
    if integral and abs(x) < exact:
        assert _digits_of(text) == str(abs(int(x))).rstrip("0")
    elif not (integral and abs(x) < 2 ** 63) and not (1e24 <= abs(x) < 1e26) \
            and math.frexp(abs(x))[0] != 0.5:
        shortest = _shortest_digits(x, single).rstrip("0") or "0"
        got = _digits_of(text)
        if "E" in text and len(shortest) == 1:
            # two digits where one would do: at least as close to x as the one digit
            two = text.lstrip("-").split("E")[0].replace(".", "")
            exact = Decimal(x)
            assert len(two) == 2
            assert abs(Decimal(text) - exact) <= abs(Decimal(_shortest(x, single)) - exact)
        else:
            assert got == shortest


@settings(max_examples=3000, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_double_rules(x):
    _check_rules(x, False, double_text(x))


@settings(max_examples=3000, deadline=None)
@given(st.floats(width=32, allow_nan=False, allow_infinity=False))
def test_float_rules(x):
    _check_rules(x, True, float_text(x))


@settings(max_examples=500, deadline=None)
@given(st.floats(allow_nan=True), st.floats(width=32, allow_nan=True))
def test_command_line_and_text_files_agree(d, f):
    assert render_value_hive(d, pa.float64()) == hivetext.format_value(
        d, parse_hive_type("double"), hivetext.TextFormat(), 1) == double_text(d)
    assert render_value_hive(f, pa.float32()) == hivetext.format_value(
        f, parse_hive_type("float"), hivetext.TextFormat(), 1) == float_text(f)
