"""JSON-lines blocks through ``pyarrow.json`` with an explicit schema, wherever that gives
exactly what the reference reader (:mod:`json` and the JSON SerDe value rules) gives.

:meth:`JsonBlockReader.batches` reads a block of lines in runs: the runs pyarrow reads
alike, and between them the lines the reference reader must read.  These go to the
reference reader:

* a line that is not one ``{…}`` object (or blank), and a line holding ``Inf`` or
  ``-NaN`` as a number (pyarrow reads them, :mod:`json` refuses them);
* a line pyarrow refuses: malformed, a value of another JSON kind than its column's (a
  number for a string column, a boolean or a number written as a string), a number that
  does not fit its type exactly (a decimal needing rounding, an integer out of range), a
  column's key twice.  A parse refusal names the row: that line goes, and the rest of the
  run is tried again; a conversion refusal names the value: the lines holding it go (and
  in the rest of the file, lines holding it go without a try); a refusal naming neither
  halves the run;
* a line whose row pyarrow read with a NULL in it (anywhere in a nested value) when the
  line spells a column's or struct field's key in another case, or with an escape that
  lower-cases to a letter: the SerDes match keys case-insensitively, pyarrow exactly, and
  only an absent key can read differently;
* a line whose row holds a non-finite double (``NaN``/``Infinity``: :mod:`json` reads them
  as floats, which no column type takes).

The runs of a block are first read together, by one call (lines joined again); when
anything in them is refused or suspect, run by run as above.  A run is kept only when
pyarrow found as many rows as it has objects.  The refusals looked
into per block are bounded (after that a refused run goes to the reference reader whole),
and so is the number of runs (a block whose plain lines are too scattered goes whole).

Decimals come from the number's text (never through a double); pyarrow checks only the
38-digit limit, so decimals are read at 38 digits and narrowed by a checked cast.
Timestamps, dates, binary, varchar and char are read as JSON strings and then by the
shared text rules (:func:`convert_strings`), as the reference reader does; floats are
read as doubles and narrowed, as the reference reader does.  Columns holding a map
(pyarrow.json cannot read maps), or a timestamp, date, binary, varchar or char inside an
array or struct, have no block reader: their files are read by the reference reader.
"""

from __future__ import annotations

import bisect
import functools
import re
from typing import Callable, Iterator, Sequence

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from ...catalog.model import Column
from ...types import HiveType
from ..reading import ReadLog
from .text_values import TextFormat, convert_strings

#: column types read from JSON strings, then by the text rules
_FROM_STRINGS = ("timestamp", "date", "binary", "varchar", "char")
#: types pyarrow reads as the column's own Arrow type
_DIRECT = ("tinyint", "smallint", "int", "bigint", "double", "decimal", "boolean", "string")
#: keys whose spellings in the text can be checked by a regular expression
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_$@.\- ]+")
_TEXT = TextFormat(null=None)
#: non-finite numbers pyarrow reads and :mod:`json` refuses (it reads NaN, Infinity, -Infinity)
_NOT_JSON_NUMBER = re.compile(r"-NaN|Inf(?!inity)")
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
#: what a refusal says about the value it could not convert
_REFUSED_VALUE = (re.compile(r"The string '(.*)' is not a valid"), re.compile(r": (\S+) requires (?:scale|precision)"),
                  re.compile(r"couldn't parse:(.*)$"))
_REFUSED_ROW = re.compile(r"JSON parse error: .* in row (\d+)$")
#: a run this short that pyarrow refuses without naming the row goes to the reference reader
_SHORTEST_HALF = 16

#: the reference reader: ``(number of the first line, lines)`` to a batch (or None: no rows)
Reference = Callable[[int, list[str]], "pa.RecordBatch | None"]


def _read_type(hive_type: HiveType, top: bool) -> pa.DataType | None:
    """The Arrow type pyarrow.json reads a value of ``hive_type`` as, or None when it cannot
    read it as the reference reader does."""
    name = hive_type.name
    if name == "float":
        return pa.float64()
    if name == "decimal":
        # pyarrow checks only the widest precision: read at 38 digits, then narrow by a checked cast
        return pa.decimal128(38, hive_type.params[1])
    if name in _DIRECT:
        return hive_type.to_arrow()
    if name in _FROM_STRINGS:
        return pa.string() if top else None
    if name == "array":
        element = _read_type(hive_type.params[0], False)
        return None if element is None else pa.list_(element)
    if name == "struct":
        fields = []
        for field, field_type in hive_type.params:
            read = _read_type(field_type, False)
            if read is None:
                return None
            fields.append(pa.field(field, read))
        return pa.struct(fields)
    return None   # map (pyarrow.json has no map conversion) and anything else


def _field_names(hive_type: HiveType) -> list[str]:
    """The struct field names at every level of ``hive_type`` (JSON keys to check too)."""
    if hive_type.name == "struct":
        return [n for field, t in hive_type.params for n in [field, *_field_names(t)]]
    if hive_type.is_complex:
        return [n for t in hive_type.params if isinstance(t, HiveType) for n in _field_names(t)]
    return []


class JsonBlockReader:
    """Reads blocks of JSON lines through pyarrow.json for one file's wanted columns."""

    def __init__(self, wanted: Sequence[tuple[int, Column]], schema: pa.Schema, checked_keys: Sequence[str]):
        self.wanted = list(wanted)
        self.schema = schema
        self.names = [c.name for _, c in wanted]
        self.keys = frozenset(checked_keys)
        alternatives = "|".join(re.escape(k) for k in checked_keys)
        #: any spelling of a column's or struct field's key, as an object key
        self.any_case = re.compile(f'"({alternatives})"\\s*:', re.IGNORECASE) if checked_keys else None
        #: values pyarrow refused in this file: lines holding them go straight to the reference reader
        self.refused_values: list[str] = []

    @classmethod
    def of(cls, wanted: Sequence[tuple[int, Column]], keys: dict[str, str]) -> "JsonBlockReader | None":
        """The block reader for ``wanted`` columns read from JSON ``keys`` (column name to
        key), or None when pyarrow cannot read them as the reference reader does."""
        if len({k.lower() for k in keys.values()}) != len(keys):
            return None
        fields = []
        for _, column in wanted:
            read = _read_type(column.type, True)
            key = keys[column.name]
            if read is None or not all(_PLAIN_KEY.fullmatch(k) for k in [key, *_field_names(column.type)]):
                return None
            fields.append(pa.field(key, read))
        checked = sorted({*keys.values(), *(n for _, c in wanted for n in _field_names(c.type))})
        return cls(wanted, pa.schema(fields), checked)

    def batches(self, first: int, texts: pa.Array, uri: str, log: ReadLog, reference: Reference
                ) -> Iterator[pa.RecordBatch]:
        """The rows of the lines ``texts`` (a string array; line ``first`` on), in line
        order: runs read by pyarrow, the other lines by ``reference``."""
        count = len(texts)
        if texts.null_count or not pa.types.is_string(texts.type):
            texts = pc.fill_null(texts.cast(pa.string()), "")
        _, offset_buffer, data = texts.buffers()
        offsets = pa.Array.from_buffers(pa.int32(), count + 1, [None, offset_buffer], offset=texts.offset).to_pylist()
        data = data or pa.py_buffer(b"")
        lines = _Lines(texts, offsets, data.slice(offsets[0], offsets[-1] - offsets[0]).to_pybytes())
        plain = self._plain_lines(lines)
        # a plain line is blank or one object: it holds a row when it holds a brace
        objects = [0, *pc.cumulative_sum(pc.match_substring(texts, "{").cast(pa.int32())).to_pylist()]
        runs = [(a, b) for a, b in _runs(plain) if objects[b] > objects[a]]
        if len(runs) > 8 + count // 16:   # plain lines too scattered to be worth a call each
            yield from self._in_order(first, texts, objects, [], [(0, count)], uri, log, reference)
            return
        retries = 8 + count // 256
        slow: list[tuple[int, int]] = _runs(pc.invert(plain))
        fast = self._read_together(texts, runs, objects) if len(runs) > 1 else None
        if fast is not None:
            runs = []
        else:
            fast = []
        while runs:
            a, b = runs.pop()
            table, refusal = self._read_run(data.slice(offsets[a], offsets[b] - offsets[a]), objects[b] - objects[a])
            refused: list[int] = []
            if table is not None:
                rows = self._suspect_rows(table)
                if not rows:
                    fast.append((a, b, table))
                    continue
                holding = [i for i in range(a, b) if objects[i + 1] > objects[i]]
                refused = [holding[r] for r in rows if r in rows.non_finite or self._other_spelling(texts[holding[r]].as_py())]
                if not refused:
                    fast.append((a, b, table))
                    continue
            elif refusal is not None:
                row = _REFUSED_ROW.search(refusal)
                value = next((m.group(1) for m in (p.search(refusal) for p in _REFUSED_VALUE) if m), None)
                if row is not None and int(row.group(1)) < objects[b] - objects[a]:
                    # the row-th object of the run (the first lines may be blank)
                    target = objects[a] + int(row.group(1))
                    refused = [next(i for i in range(a, b) if objects[i + 1] > target)]
                elif value is not None:
                    needle = f'"{value}"' if "string" in refusal else value
                    refused = lines.holding(needle, a, b)
                    if refused and len(self.refused_values) < 8:
                        self.refused_values.append(needle)
            retries -= 1
            if retries < 0:
                slow.append((a, b))
            elif refused:
                slow.extend((i, i + 1) for i in refused)
                edges = [a - 1, *refused, b]
                runs.extend((x + 1, y) for x, y in zip(edges, edges[1:]) if objects[y] > objects[x + 1])
            elif b - a > _SHORTEST_HALF:
                middle = (a + b) // 2
                runs.extend([(a, middle), (middle, b)])
            else:
                slow.append((a, b))
        yield from self._in_order(first, texts, objects, fast, slow, uri, log, reference)

    def _read_together(self, texts: pa.Array, runs: list[tuple[int, int]], objects: list[int]
                       ) -> list[tuple[int, int, pa.Table]] | None:
        """All ``runs`` read by one call (a call costs more than a short run): each run with
        its rows, or None when anything in them needs a closer look run by run."""
        positions = pa.array([i for a, b in runs for i in range(a, b)], pa.int64())
        chosen = texts.take(positions)
        joined = pc.binary_join(pa.ListArray.from_arrays(pa.array([0, len(chosen)], pa.int32()), chosen), "\n")[0]
        expected = sum(objects[b] - objects[a] for a, b in runs)
        table, _ = self._read_run(joined.as_buffer() or pa.py_buffer(b""), expected)
        if table is None or self._suspect_rows(table):
            return None
        out = []
        start = 0
        for a, b in runs:
            rows = objects[b] - objects[a]
            out.append((a, b, table.slice(start, rows)))
            start += rows
        return out

    def _read_run(self, data: pa.Buffer, rows: int) -> tuple[pa.Table | None, str | None]:
        """The run's rows with each column in its final type, or None and why pyarrow refused."""
        try:
            table = pajson.read_json(
                data, read_options=pajson.ReadOptions(use_threads=False, block_size=data.size + 2),
                parse_options=pajson.ParseOptions(explicit_schema=self.schema, newlines_in_values=False,
                                                  unexpected_field_behavior="ignore"))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
            return None, str(exc)
        if table.num_rows != rows:
            return None, None
        columns = []
        for (_, column), raw in zip(self.wanted, table.columns):
            raw = raw.chunk(0) if raw.num_chunks == 1 else pa.concat_arrays(raw.chunks)
            if column.type.name not in _FROM_STRINGS:
                target = column.type.to_arrow()
                try:
                    raw = raw if raw.type == target else raw.cast(target)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                    return None, None   # a decimal wider than its column: which row, cast does not say
            columns.append(raw)
        return pa.table(columns, names=self.names) if self.wanted else table, None

    def _suspect_rows(self, table: pa.Table) -> "_Suspects":
        """Rows pyarrow may have read otherwise: a NULL anywhere in a value (the key may be
        spelt in another case: the SerDes would find it) and a non-finite double (from
        ``NaN``/``Infinity``, which :mod:`json` reads as floats no column type takes)."""
        nulls: set[int] = set()
        bad: set[int] = set()
        for (_, column), raw in zip(self.wanted, table.columns):
            raw = raw.chunk(0) if raw.num_chunks == 1 else pa.concat_arrays(raw.chunks)
            nested = column.type.is_complex
            if raw.null_count or nested:
                nulls.update(pc.indices_nonzero(_rows_with(raw, lambda a: a.is_null())).to_pylist())
            if nested or pa.types.is_floating(raw.type):
                bad.update(pc.indices_nonzero(_rows_with(raw, _non_finite)).to_pylist())
        return _Suspects(sorted(nulls | bad), bad)

    def _other_spelling(self, line: str) -> bool:
        """Whether ``line`` may hold a column's (or struct field's) key spelt otherwise: in
        another case, or with an escape that lower-cases to a letter."""
        if "\\u" in line and any(any(c.isascii() for c in chr(int(code, 16)).lower())
                                  for code in _ESCAPE.findall(line)):
            return True
        return self.any_case is not None and any(m.group(1) not in self.keys for m in self.any_case.finditer(line))

    def _in_order(self, first, texts, objects, fast, slow, uri, log, reference) -> Iterator[pa.RecordBatch]:
        """The runs' rows in line order; the string-read columns converted once for all runs."""
        fast.sort(key=lambda run: run[0])
        converted = None
        if fast and self.wanted:
            table = pa.concat_tables([t for _, _, t in fast]).combine_chunks()
            numbers = None   # each row's line number, when a value is reported
            columns = []
            for (_, column), raw in zip(self.wanted, table.columns):
                raw = raw.chunk(0) if raw.num_chunks == 1 else pa.concat_arrays(raw.chunks)
                if column.type.name in _FROM_STRINGS:
                    text = raw
                    raw, bad = convert_strings(text, column.type, _TEXT)
                    if bad and numbers is None:
                        numbers = [first + i for a, b, _ in fast for i in range(a, b) if objects[i + 1] > objects[i]]
                    for row, reason in bad:
                        log.bad_value(uri, numbers[row], column.name, reason, text[row].as_py())
                columns.append(raw)
            converted = pa.RecordBatch.from_arrays(columns, names=self.names)
        pieces = [(a, b, None) for a, b in slow] + [(a, b, t) for a, b, t in fast]
        pieces.sort(key=lambda piece: piece[0])
        row = 0
        for a, b, table in pieces:
            if table is None:
                batch = reference(first + a, texts.slice(a, b - a).to_pylist())
            elif converted is not None:
                batch = converted.slice(row, table.num_rows)
                row += table.num_rows
            else:
                batch = pa.record_batch({"__rows": pa.nulls(table.num_rows)})
            if batch is not None and batch.num_rows:
                yield batch

    def _plain_lines(self, lines: "_Lines") -> pa.Array:
        """For each line, whether it is blank or one object (spaces and tabs around a blank
        line only) and holds no value pyarrow refused before in this file."""
        texts, count = lines.texts, len(lines.texts)
        plain = pc.fill_null(pc.and_(pc.starts_with(texts, "{"), pc.ends_with(texts, "}")), False)
        if not pc.all(plain).as_py():
            plain = pc.or_(plain, pc.fill_null(pc.match_substring_regex(texts, r"^[ \t]*$"), False))
        # spellings pyarrow reads as numbers and json refuses
        holding = [i for i in lines.holding("Inf") + lines.holding("-NaN")
                   if _NOT_JSON_NUMBER.search(texts[i].as_py())]
        for needle in self.refused_values:
            holding.extend(lines.holding(needle))
        if holding:
            plain = pc.and_(plain, pc.invert(_mask(count, sorted(set(holding)))))
        return plain


class _Lines:
    """A block's lines: the string array, each line's start in its data buffer (and the
    end of the last), and the lines' bytes."""

    def __init__(self, texts: pa.Array, offsets: list[int], raw: bytes):
        self.texts, self.offsets, self.raw = texts, offsets, raw

    def holding(self, needle: str, start: int = 0, end: int | None = None) -> list[int]:
        """The positions of the lines from ``start`` to ``end`` that hold ``needle`` (or may:
        a match over two lines names both)."""
        offsets, base = self.offsets, self.offsets[0]
        end = len(self.texts) if end is None else end
        target, stop = needle.encode("utf-8"), offsets[end] - base
        found: set[int] = set()
        at = self.raw.find(target, offsets[start] - base, stop)
        while at >= 0:
            first = bisect.bisect_right(offsets, at + base) - 1
            last = bisect.bisect_right(offsets, at + base + max(len(target) - 1, 0)) - 1
            found.update(range(max(first, start), min(last, end - 1) + 1))
            at = self.raw.find(target, at + 1, stop)
        return sorted(found)


class _Suspects(list):
    """Rows of a run to look at again; ``non_finite``: those that go to the reference reader."""

    def __init__(self, rows, non_finite: set[int]):
        super().__init__(rows)
        self.non_finite = non_finite


def _non_finite(arr: pa.Array) -> pa.Array | None:
    if pa.types.is_floating(arr.type):
        return pc.invert(pc.fill_null(pc.is_finite(arr), True))
    return None


def _rows_with(arr: pa.Array, test) -> pa.Array:
    """For each row of ``arr``, whether ``test`` (a per-value mask, or None where it does not
    apply) holds for the value or anything nested in it."""
    own = test(arr)
    hit = pc.fill_null(own, False) if own is not None else pa.repeat(pa.scalar(False), len(arr))
    if pa.types.is_struct(arr.type):
        for child in arr.flatten():
            hit = pc.or_(hit, _rows_with(child, test))
    elif pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type):
        inner = _rows_with(arr.flatten(), test)
        if pc.any(inner).as_py():
            hit = pc.or_(hit, _mask(len(arr), pc.list_parent_indices(arr).filter(inner).to_pylist()))
    return hit


def _mask(count: int, indices) -> pa.Array:
    """A boolean array of ``count`` values, true at ``indices``."""
    return pc.is_in(_positions(count), value_set=pa.array(indices, pa.int64()))


@functools.lru_cache(maxsize=4)
def _positions(count: int) -> pa.Array:
    """0 … count - 1 (blocks mostly have the same number of lines)."""
    return pa.array(range(count), pa.int64())


def _runs(flags: pa.Array) -> list[tuple[int, int]]:
    """The ``(start, end)`` of each run of true flags (a boolean array without NULLs)."""
    count = len(flags)
    if count == 0:
        return []
    changes = pc.indices_nonzero(pc.not_equal(flags.slice(1), flags.slice(0, count - 1))).to_pylist()
    edges = [0, *(i + 1 for i in changes), count]
    state = flags[0].as_py()
    runs = []
    for start, end in zip(edges, edges[1:]):
        if state:
            runs.append((start, end))
        state = not state
    return runs
