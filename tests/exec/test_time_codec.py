"""timestamp and date columns on DynamoDB attributes: ISO-8601 text (S), epoch seconds or
epoch milliseconds (N), written and read back exactly, bad stored values NULL and counted."""
from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ddbsql.catalog.binding import ColumnBinding, TimeEncoding
from ddbsql.exec.decode import DecodeWarnings, decode_page
from ddbsql.exec.encode import encode_batch
from ddbsql.exec.fastpath import encode_batch_fast
from ddbsql.types import parse_hive_type

TS, DATE = parse_hive_type("timestamp"), parse_hive_type("date")


def binding(hive_type, encoding: TimeEncoding) -> ColumnBinding:
    return ColumnBinding("t", hive_type, "T", encoding.ddb_type, encoding)


def write(values, b: ColumnBinding) -> list[dict]:
    batch = pa.RecordBatch.from_arrays([pa.array(values, b.hive_type.to_arrow())], names=["t"])
    items, rejects = encode_batch(batch, [b], key_attributes=())
    assert rejects == []
    fast_items, fast_rejects, _ = encode_batch_fast(batch, [b], key_attributes=())
    assert fast_items == items and fast_rejects == []
    return items


def read(items, b: ColumnBinding, warnings=None) -> list:
    return decode_page(items, [b], warnings).column(0).to_pylist()


@pytest.mark.parametrize("encoding, stored", [
    (TimeEncoding.ISO8601, {"S": "2024-02-29T23:59:59.123456"}),
    (TimeEncoding.EPOCH_SECONDS, {"N": "1709251199.123456"}),
    (TimeEncoding.EPOCH_MILLIS, {"N": "1709251199123.456"}),
])
def test_each_encoding_writes_the_documented_form(encoding, stored):
    moment = dt.datetime(2024, 2, 29, 23, 59, 59, 123456)
    b = binding(TS, encoding)
    assert write([moment], b) == [{"T": stored}]
    assert read([{"T": stored}], b) == [moment]


def test_whole_units_are_written_as_integers():
    moment = dt.datetime(2024, 1, 1, 0, 0, 0, 250000)
    assert write([moment], binding(TS, TimeEncoding.EPOCH_MILLIS)) == [{"T": {"N": "1704067200250"}}]
    assert write([dt.datetime(1969, 12, 31, 23, 59, 59)], binding(TS, TimeEncoding.EPOCH_SECONDS)) == [
        {"T": {"N": "-1"}}]
    assert write([dt.date(2024, 1, 2)], binding(DATE, TimeEncoding.EPOCH_MILLIS)) == [{"T": {"N": "1704153600000"}}]
    assert write([dt.date(2024, 1, 2)], binding(DATE, TimeEncoding.ISO8601)) == [{"T": {"S": "2024-01-02"}}]


def test_offsets_are_read_as_utc():
    b = binding(TS, TimeEncoding.ISO8601)
    assert read([{"T": {"S": "2024-01-01T02:00:00+02:00"}}, {"T": {"S": "2024-01-01T00:00:00Z"}}], b) == [
        dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 1)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)) | st.none(),
                max_size=20),
       st.sampled_from(list(TimeEncoding)))
def test_timestamps_round_trip_exactly(moments, encoding):
    b = binding(TS, encoding)
    assert read(write(moments, b), b) == moments


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dates(min_value=dt.date(1, 1, 2), max_value=dt.date(9999, 12, 30)), max_size=20),
       st.sampled_from(list(TimeEncoding)))
def test_dates_round_trip_exactly(days, encoding):
    b = binding(DATE, encoding)
    assert read(write(days, b), b) == days


@pytest.mark.parametrize("encoding", list(TimeEncoding))
def test_bad_stored_values_read_as_null_and_are_counted(encoding):
    b = binding(TS, encoding)
    warnings = DecodeWarnings()
    items = [{"T": {"S": "yesterday"}}, {"T": {"N": "1e400"}}, {"T": {"BOOL": True}}, {"T": {"S": "2021-02-30"}}]
    assert read(items, b, warnings) == [None] * 4
    assert warnings.total() == 4
    assert {column for column, _, _ in warnings.items()} == {"t"}
