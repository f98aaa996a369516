"""Java's text of floating-point numbers: ``Double.toString`` and ``Float.toString``.

Hive prints DOUBLE and FLOAT values with Java's ``toString``; the command line, the
text-file writer and JSON output all use this module so they agree on every value.

The rules are those of the JDK that EMR runs Hive on (Java 8; unchanged up to Java 18;
JDK 19 replaced them), so they are not "shortest round-trip digits":

* an integral value below 2**63 prints its exact digits, only the digits below the
  value's precision rounded off (``Float.toString(4.7481155E8f)`` is ``4.74811552E8``);
* otherwise digits are generated one by one until the rest is within half an ulp, in
  int, long or arbitrary-precision arithmetic depending on the size of the numbers --
  the int and long forms wrap around on overflow exactly as Java's do, which changes
  the last digit of some values near 1e25;
* scientific form always has at least two digits (``Double.MIN_VALUE`` is
  ``4.9E-324``, ``Float.MIN_VALUE`` is ``1.4E-45``);
* plain form when ``1e-3 <= |x| < 1e7`` with at least one fraction digit, otherwise
  ``d.dddE[-]n``; ``NaN``, ``Infinity``, ``-Infinity``, ``0.0``, ``-0.0``.

tests/test_javatext.py checks this against a table printed by Java itself.
"""
from __future__ import annotations

import math
import struct

__all__ = ["double_text", "float_text", "to_float32"]

_DOUBLE_FRACTION_BITS = 52        # stored significand bits of a double
_FLOAT_FRACTION_BITS = 23
_LONG_5_POW_LEN = 27              # Java keeps 5**0..5**26 as longs, 5**0..5**13 as ints
_INT_5_POW_LEN = 14
_N_5_BITS = (0, 3, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28, 31, 33, 35, 38, 40, 42,
             45, 47, 49, 52, 54, 56, 59, 61)   # ceil(log2(5**i)), as Java tabulates it


def _significand(bits: int, fraction_bits: int, exponent_mask: int, bias: int) -> tuple[int, int, int]:
    """(binary exponent, significand with its leading bit, significant bits) of a finite,
    non-zero IEEE value's ``bits``; a subnormal is normalised and has fewer significant bits."""
    exponent = (bits >> fraction_bits) & exponent_mask
    fraction = bits & ((1 << fraction_bits) - 1)
    if exponent == 0:
        significant = fraction.bit_length()
        shift = fraction_bits + 1 - significant
        return 1 - shift - bias, fraction << shift, significant
    return exponent - bias, fraction | (1 << fraction_bits), fraction_bits + 1


def double_text(x: float) -> str:
    """``x`` as Java's ``Double.toString(x)``."""
    special = _special(x)
    if special is not None:
        return special
    bits = struct.unpack("<Q", struct.pack("<d", x))[0]
    bin_exp, fraction, significant = _significand(bits, _DOUBLE_FRACTION_BITS, 0x7FF, 1023)
    return _layout(x < 0, *_digits(bin_exp, fraction, significant))


def float_text(x: float) -> str:
    """``x`` (rounded to single precision first) as Java's ``Float.toString``."""
    x = to_float32(x)
    special = _special(x)
    if special is not None:
        return special
    bits = struct.unpack("<I", struct.pack("<f", x))[0]
    bin_exp, fraction, significant = _significand(bits, _FLOAT_FRACTION_BITS, 0xFF, 127)
    # Java aligns the float's significand where a double's would be, then shares the code.
    fraction <<= _DOUBLE_FRACTION_BITS - _FLOAT_FRACTION_BITS
    return _layout(x < 0, *_digits(bin_exp, fraction, significant))


def to_float32(x: float) -> float:
    """``x`` rounded to the nearest single-precision value (overflow gives infinity)."""
    try:
        return struct.unpack("<f", struct.pack("<f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def _special(x: float) -> str | None:
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    return None


# --- 32/64-bit arithmetic as Java does it (two's complement, truncating division) ------

def _wrap(v: int, bits: int) -> int:
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def _jdiv(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def _jmod(a: int, b: int) -> int:
    return a - _jdiv(a, b) * b


# --- digit generation --------------------------------------------------------------

def _digits(bin_exp: int, fraction: int, significant: int) -> tuple[list[int], int]:
    """(digits, decimal exponent) with value = 0.d1d2... * 10**exponent.

    ``fraction`` holds the significand with its leading one at bit 52 (as Java aligns
    it), ``significant`` is the number of significant bits of the original value."""
    tail_zeros = (fraction & -fraction).bit_length() - 1
    fract_bits = _DOUBLE_FRACTION_BITS + 1 - tail_zeros
    tiny_bits = max(0, fract_bits - bin_exp - 1)
    if -21 <= bin_exp <= 62 and tiny_bits == 0 and fract_bits + _N_5_BITS[0] < 64:
        return _integral_digits(bin_exp, fraction, significant)

    dec_exp = _estimate_dec_exp(fraction, bin_exp)
    b5 = max(0, -dec_exp)
    b2 = b5 + tiny_bits + bin_exp
    s5 = max(0, dec_exp)
    s2 = s5 + tiny_bits
    m5 = b5
    m2 = b2 - significant
    fraction >>= tail_zeros
    b2 -= fract_bits - 1
    common = min(b2, s2)
    b2, s2, m2 = b2 - common, s2 - common, m2 - common
    if fract_bits == 1:  # a power of two: the next value below is half as far
        m2 -= 1
    if m2 < 0:
        b2, s2, m2 = b2 - m2, s2 - m2, 0

    b_bits = fract_bits + b2 + (_N_5_BITS[b5] if b5 < len(_N_5_BITS) else b5 * 3)
    ten_s_bits = s2 + 1 + (_N_5_BITS[s5 + 1] if s5 + 1 < len(_N_5_BITS) else (s5 + 1) * 3)
    scientific = dec_exp < -3 or dec_exp >= 8
    if b_bits < 64 and ten_s_bits < 64:
        width = 32 if b_bits < 32 and ten_s_bits < 32 else 64
        digits, dec_exp, round_up = _machine_digits(width, fraction, b5, b2, s5, s2, m5, m2,
                                                    dec_exp, scientific)
    else:
        digits, dec_exp, round_up = _exact_digits(fraction, b5, b2, s5, s2, m5, m2,
                                                  dec_exp, scientific)
    exponent = dec_exp + 1
    if round_up:
        exponent += _round_up(digits)
    return digits, exponent


def _integral_digits(bin_exp: int, fraction: int, significant: int) -> tuple[list[int], int]:
    """An integral value below 2**63: its digits, the ones below its precision rounded
    off half-up."""
    insignificant = 0
    if bin_exp > significant:
        p2 = bin_exp - significant - 1
        insignificant = int(p2 * math.log10(2)) if p2 > 1 else 0
    value = fraction << (bin_exp - _DOUBLE_FRACTION_BITS) if bin_exp >= _DOUBLE_FRACTION_BITS \
        else fraction >> (_DOUBLE_FRACTION_BITS - bin_exp)
    scale = 0
    if insignificant:
        unit = 10 ** insignificant
        value, residue = divmod(value, unit)
        if residue >= unit // 2:
            value += 1
        scale = insignificant
    text = str(value)
    stripped = text.rstrip("0") or "0"
    return [int(c) for c in stripped], scale + len(text)


def _estimate_dec_exp(fraction: int, bin_exp: int) -> int:
    """floor(log10(value)), estimated from the significand as Java estimates it (it may
    be one too high; the digit loop then drops a leading zero)."""
    d2 = 1.0 + (fraction & ((1 << _DOUBLE_FRACTION_BITS) - 1)) / (1 << _DOUBLE_FRACTION_BITS)
    d = (d2 - 1.5) * 0.289529654 + 0.176091259 + bin_exp * 0.301029995663981
    return math.floor(d)


def _machine_digits(width, fraction, b5, b2, s5, s2, m5, m2, dec_exp, scientific):
    """The int (width 32) or long (width 64) form of the digit loop, overflow included."""
    def w(v):
        return _wrap(v, width)

    shift_mask = width - 1
    b = w(w(fraction * 5 ** b5) << (b2 & shift_mask))
    s = w(5 ** s5 << (s2 & shift_mask))
    m = w(5 ** m5 << (m2 & shift_mask))
    tens = w(s * 10)
    digits: list[int] = []
    q = _jdiv(b, s)
    b = w(10 * _jmod(b, s))
    m = w(m * 10)
    low, high = b < m, w(b + m) > tens
    if q == 0 and not high:
        dec_exp -= 1
    else:
        digits.append(q)
    if scientific:
        low = high = False
    while not low and not high:
        q = _jdiv(b, s)
        b = w(10 * _jmod(b, s))
        m = w(m * 10)
        if m > 0:
            low, high = b < m, w(b + m) > tens
        else:  # m overflowed: Java stops here
            low = high = True
        digits.append(q)
    difference = w(w(b << 1) - tens)
    return digits, dec_exp, _should_round_up(low, high, difference, digits)


def _exact_digits(fraction, b5, b2, s5, s2, m5, m2, dec_exp, scientific):
    """The arbitrary-precision form of the digit loop."""
    s = 5 ** s5 << s2
    b = fraction * 5 ** b5 << b2
    m = 5 ** (m5 + 1) << (m2 + 1)
    ten_s = 10 * s
    digits: list[int] = []
    q, b = divmod(b, s)
    b *= 10
    low, high = b < m, ten_s <= b + m
    if q == 0 and not high:
        dec_exp -= 1
    else:
        digits.append(q)
    if scientific:
        low = high = False
    while not low and not high:
        q, b = divmod(b, s)
        b *= 10
        m *= 10
        low, high = b < m, ten_s <= b + m
        digits.append(q)
    difference = (2 * b > ten_s) - (2 * b < ten_s) if high and low else 0
    return digits, dec_exp, _should_round_up(low, high, difference, digits)


def _should_round_up(low: bool, high: bool, difference: int, digits: list[int]) -> bool:
    if not high:
        return False
    if not low:
        return True
    if difference == 0:  # a tie: round to an even last digit
        return digits[-1] % 2 == 1
    return difference > 0


def _round_up(digits: list[int]) -> int:
    """Add one to the last digit; returns 1 when the carry made a new leading digit."""
    i = len(digits) - 1
    while digits[i] == 9 and i > 0:
        digits[i] = 0
        i -= 1
    if digits[i] == 9:
        digits[0] = 1
        return 1
    digits[i] += 1
    return 0


def _layout(negative: bool, digits: list[int], exponent: int) -> str:
    text = "".join(map(str, digits))
    sign = "-" if negative else ""
    if 0 < exponent < 8:
        whole = text[:exponent].ljust(exponent, "0")
        return f"{sign}{whole}.{text[exponent:] or '0'}"
    if -3 < exponent <= 0:
        return f"{sign}0.{'0' * -exponent}{text}"
    return f"{sign}{text[0]}.{text[1:] or '0'}E{exponent - 1}"
