"""The pyarrow CSV path gives exactly what the reference reader (Python's csv module) gives:
same rows, same NULLs, same reject entries with the same line numbers, on generated files
(quotes, doubled quotes, separators and newlines inside fields, ragged and empty lines,
headers, blocks that the fast path must hand back)."""
from __future__ import annotations

import json

import pyarrow as pa
from hypothesis import HealthCheck, given, settings, strategies as st

from ddbsql.catalog.model import Column, FileStorage
from ddbsql.exec.decode import DecodeWarnings
from ddbsql.files import compression
from ddbsql.files.formats.csv_text import read_csv_file
from ddbsql.files.locations import FileSystems, parse_location
from ddbsql.files.reading import ReadLog, ReadSpec
from ddbsql.types import parse_hive_type

COLUMNS = [Column("id", parse_hive_type("int")), Column("name", parse_hive_type("string")),
           Column("amount", parse_hive_type("decimal(10,2)")), Column("flag", parse_hive_type("boolean"))]

plain = st.text(alphabet="ab 1.-x", max_size=6)
field = st.one_of(
    st.integers(-5, 1000).map(str), plain, st.sampled_from(["", "true", "false", "1.25", "9999999999.999", "99999999.99", "-0.5", "12.", ".5", " 1.5",
                     "1.255", "007.5", "1e3", "NaN"]),
    plain.map(lambda t: '"' + t.replace('"', '""') + '"'),                # quoted
    st.text(alphabet='ab,"\n\r ', max_size=6).map(lambda t: '"' + t.replace('"', '""') + '"'),  # quoted specials
    st.sampled_from(['a"b', '"open', '"x"y', ' "q"', '""', '"a""']),       # quotes the plain form has not
)
line = st.lists(field, min_size=0, max_size=6).map(",".join)
stray = st.sampled_from(['a"b', '"unterminated', ''])


def read(tmp_path, body: str, header: int, fast: bool) -> tuple[list[dict], list[dict], tuple]:
    (tmp_path / "f.csv").write_text(body)
    location = parse_location(str(tmp_path), FileSystems(), allow_local=True)
    spec = ReadSpec(FileStorage(str(tmp_path), "csv"), "default.t", tuple(COLUMNS), (), COLUMNS,
                    {"skip.header.line.count": str(header)})
    rejects = tmp_path / ("fast" if fast else "reference")
    log = ReadLog(rejects, table="t", statement="test", warnings=DecodeWarnings())
    batches = list(read_csv_file(location.fs, str(tmp_path / "f.csv"), "f.csv", spec, list(enumerate(COLUMNS)), log,
                                 fast=fast))
    log.close()
    rows = [row for b in batches if b.num_rows for row in pa.Table.from_batches([b]).to_pylist()]
    entries = [json.loads(x) for x in log.path.read_text().splitlines()] if log.path else []
    # a bad row is logged when it is met, a bad value when its batch is made: order within a file may differ
    entries.sort(key=lambda e: (e["line"], e["column"] or "", e["reason"]))
    return rows, entries, (log.values_nulled, log.rows_skipped, sorted(log.warnings.items()))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.one_of(line, line, line, stray), max_size=25), header=st.integers(0, 2),
       block_rows=st.sampled_from([2, 3, 1000]))
def test_fast_and_reference_readers_agree(tmp_path_factory, lines, header, block_rows):
    tmp_path = tmp_path_factory.mktemp("csv")
    body = "\n".join(lines) + ("\n" if lines else "")
    saved = compression.BATCH_ROWS
    compression.BATCH_ROWS = block_rows       # small blocks: fast and handed-back blocks interleave
    try:
        assert read(tmp_path, body, header, True) == read(tmp_path, body, header, False)
    finally:
        compression.BATCH_ROWS = saved


def test_a_plain_file_is_read_by_pyarrow(tmp_path, monkeypatch):
    calls = []
    import ddbsql.files.formats.csv_text as module
    monkeypatch.setattr(module, "_reference_lines", lambda *a, **k: calls.append(1) or iter(()))
    rows, entries, counts = read(tmp_path, 'id,name,amount,flag\n1,"a, b",1.5,true\n2,c,x,maybe\n', 1, True)
    assert calls == []
    assert rows == [{"id": 1, "name": "a, b", "amount": __import__("decimal").Decimal("1.50"), "flag": True},
                    {"id": 2, "name": "c", "amount": None, "flag": None}]
    assert [(e["line"], e["column"]) for e in entries] == [(3, "amount"), (3, "flag")]


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.one_of(st.from_regex(r"-?[0-9]{0,12}(\.[0-9]{0,4})?", fullmatch=True),
                                st.sampled_from(["", " 1", "1e2", "x", "+5", "-.5", "00012.30"])), max_size=30),
       precision=st.integers(1, 38), scale=st.integers(0, 6))
def test_decimal_text_by_cast_is_the_same_as_one_by_one(texts, precision, scale):
    """The vectorised decimal path agrees with the per-value Hive rules (HALF_UP, overflow)."""
    from ddbsql.files.formats.text_values import Bad, convert_strings, primitive_value
    scale = min(scale, precision)
    hive = parse_hive_type(f"decimal({precision},{scale})")
    expected, reasons = [], []
    for row, text in enumerate(texts):
        try:
            expected.append(primitive_value(text, hive))
        except Bad as exc:
            expected.append(None)
            reasons.append((row, exc.reason))
    values, bad = convert_strings(pa.array(texts, pa.string()), hive)
    assert values.to_pylist() == expected and sorted(bad) == reasons
