"""Files: Hive text forms, readers per format, output files, staging, DynamoDB export layouts, S3."""
from __future__ import annotations

import base64
import bz2
import datetime as dt
import gzip
import hashlib
import json
import re
import zlib
from decimal import Decimal

import boto3
import pyarrow as pa
import pyarrow.orc as orc
import pyarrow.parquet as pq
import pytest

from ddbsql.catalog.mapping import bindings_for
from ddbsql.catalog.model import Column, FileStorage, TableDef
from ddbsql.errors import ExecutionError, NotPermittedError, SemanticError
from ddbsql.exec.decode import DecodeWarnings
from ddbsql.files.formats.dynamodb_export import ExportWriter
from ddbsql.files.formats.emr_export import EmrExportWriter
from ddbsql.files.formats.text_values import (JsonNumber, TextFormat, convert_json_values, convert_strings, dump_json,
                                              format_value, hive_timestamp_text, java_double, java_float, json_ready,
                                              split_fields)
from ddbsql.files.locations import FileSystems, Location, S3Access, list_data_files, parse_location
from ddbsql.files.file_output import Output
from ddbsql.files.output_settings import OutputSpec
from ddbsql.files.table_partitions import discover_partitions, parse_partition_dir, partition_dir
from ddbsql.files.reading import ReadLog, ReadSpec, Source
from ddbsql.files.rows import read_rows
from ddbsql.files.staging import Staging
from ddbsql.types import parse_hive_type

T = parse_hive_type


# ------------------------------------------------------------------ Hive text forms

def test_primitive_text_follows_hive():
    ints, bad = convert_strings(pa.array(["1", "+2", "3.7", "x", "", "\\N", None, "99999999999", "-0012"]), T("int"))
    assert ints.to_pylist() == [1, 2, 3, None, None, None, None, None, -12]
    assert bad == [(3, "not a valid int"), (7, "out of range for int")]
    doubles, bad = convert_strings(pa.array(["1.5", "1e3", "NaN", "-Infinity", " 2 ", "abc"]), T("double"))
    values = doubles.to_pylist()
    assert values[:2] == [1.5, 1000.0] and values[2] != values[2] and values[3] == float("-inf")
    assert values[4] == 2.0 and values[5] is None and bad == [(5, "not a valid number")]
    decimals, bad = convert_strings(pa.array(["1.005", "12345678901", "1e2"]), T("decimal(10,2)"))
    assert decimals.to_pylist() == [Decimal("1.01"), None, Decimal("100.00")]
    assert bad == [(1, "overflows decimal(10,2)")]
    booleans, _ = convert_strings(pa.array(["TRUE", "false", "yes"]), T("boolean"))
    assert booleans.to_pylist() == [True, False, None]
    stamps, _ = convert_strings(pa.array(["2020-01-02 03:04:05", "2020-01-02 03:04:05.123456789", "2020-01-02"]),
                                   T("timestamp"))
    assert stamps.to_pylist() == [dt.datetime(2020, 1, 2, 3, 4, 5), dt.datetime(2020, 1, 2, 3, 4, 5, 123456),
                                  dt.datetime(2020, 1, 2)]
    binary, _ = convert_strings(pa.array([base64.b64encode(b"\x00\xff").decode(), "not base64!"]), T("binary"))
    assert binary.to_pylist() == [b"\x00\xff", b"not base64!"]


def test_nested_text_uses_hive_separators_and_round_trips():
    fmt = TextFormat()
    hive_type = T("map<string,array<struct<a:int,b:string>>>")
    value = [("k1", [{"a": 1, "b": "x"}, {"a": None, "b": None}]), ("k2", [])]
    text = format_value(value, hive_type, fmt, 1)
    assert text == "k1\x031\x05x\x04\\N\x05\\N\x02k2\x03"   # levels: \002 \003 \004 \005
    parsed, bad = convert_strings(pa.array([text]), hive_type)
    assert bad == []
    assert parsed.to_pylist() == [[("k1", [{"a": 1, "b": "x"}, {"a": None, "b": None}]), ("k2", [])]]


def test_escapes_and_numeric_delimiters():
    fmt = TextFormat.from_properties({"field.delim": "9", "escape.delim": "\\"})
    assert fmt.field == "\t" and fmt.escape == "\\"
    line = format_value("a\tb\nc\\", T("string"), fmt, 1)
    assert line == "a\\\tb\\nc\\\\"
    assert split_fields(line + "\tnext", "\t", "\\") == [line, "next"]
    values, _ = convert_strings(pa.array([line]), T("string"), fmt)
    assert values.to_pylist() == ["a\tb\nc\\"]


def test_java_number_spelling():
    assert [java_double(x) for x in (1.0, 1e10, 0.0001, 123.5, 1e-5, -0.0)] == \
        ["1.0", "1.0E10", "1.0E-4", "123.5", "1.0E-5", "-0.0"]
    assert java_float(0.1) == "0.1"
    assert hive_timestamp_text(dt.datetime(2020, 1, 2, 3, 4, 5, 120000)) == "2020-01-02 03:04:05.12"


def test_json_values_keep_digits_and_types():
    obj = json.loads('{"n": 12345678901234567890.123456789, "t": "2020-01-01 00:00:00", "a": [1, "2", "x"]}',
                     parse_float=JsonNumber)
    values, bad = convert_json_values([obj["n"]], T("decimal(38,9)"))
    assert values.to_pylist() == [Decimal("12345678901234567890.123456789")]
    values, bad = convert_json_values([obj["a"]], T("array<int>"))
    assert values.to_pylist() == [[1, 2, None]] and bad == [(0, "nested value: not a valid int")]
    assert dump_json(json_ready(Decimal("1.50"), T("decimal(10,2)"))) == "1.50"


# ------------------------------------------------------------------ reading local files

def _table(tmp_path, fmt: str, columns: str, props=None, serde_props=None, partitions=()) -> ReadSpec:
    cols = []
    for part in re.split(r",\s*(?=\w+ )", columns):
        name, type_text = part.strip().split(" ", 1)
        cols.append(Column(name, T(type_text)))
    storage = FileStorage(str(tmp_path), fmt, serde_properties=dict(serde_props or {}))
    return ReadSpec(storage, "default.t", tuple(cols), (), cols, dict(props or {}))


def _read(spec: ReadSpec, location: Location, tmp_path) -> tuple[list[dict], ReadLog]:
    log = ReadLog(tmp_path / "rejects", table="t", statement="test", warnings=DecodeWarnings())
    batches = list(read_rows(spec, [Source(location)], log))
    log.close()
    rows = [row for b in batches for row in pa.Table.from_batches([b]).to_pylist()]
    return rows, log


def _local(tmp_path, name="data") -> Location:
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    return parse_location(str(folder), FileSystems(), allow_local=True)


def test_delimited_text_compressed_headers_and_bad_values(tmp_path):
    where = _local(tmp_path)
    body = "id,name\n1,a\n2,b,extra\n3\nx,d\n"
    (tmp_path / "data" / "plain.csv").write_text(body)
    (tmp_path / "data" / "b.gz").write_bytes(gzip.compress(body.encode()))
    (tmp_path / "data" / "c.bz2").write_bytes(bz2.compress(body.encode()))
    (tmp_path / "data" / "d.deflate").write_bytes(zlib.compress(body.encode()))
    (tmp_path / "data" / "_SUCCESS").write_text("")
    (tmp_path / "data" / ".hidden").write_text("9,z\n")
    spec = _table(tmp_path, "text", "id int, name string", {"skip.header.line.count": "1"}, {"field.delim": ","})
    rows, log = _read(spec, where, tmp_path)
    assert rows == [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}, {"id": 3, "name": None},
                    {"id": None, "name": "d"}] * 4
    assert log.values_nulled == 4 and log.warnings.items() == [("id", "not a valid int", 4)]
    record = json.loads((log.path).read_text().splitlines()[0])
    assert record["file"].endswith("b.gz") and record["line"] == 5 and record["column"] == "id"


def test_zstd_and_footer(tmp_path):
    import pyarrow as pa_
    where = _local(tmp_path)
    data = "h\n1\n2\nfooter\n".encode()
    with pa_.CompressedOutputStream(str(tmp_path / "data" / "f.zst"), "zstd") as out:
        out.write(data)
    spec = _table(tmp_path, "text", "n int", {"skip.header.line.count": "1", "skip.footer.line.count": "1"})
    rows, log = _read(spec, where, tmp_path)
    assert rows == [{"n": 1}, {"n": 2}] and log.values_nulled == 0


def test_csv_serde_quotes_newlines_and_padding(tmp_path):
    where = _local(tmp_path)
    (tmp_path / "data" / "a.csv").write_text('id,text,n\n1,"hello, ""world""",5\n2,"two\nlines"\n3,x,notnum\n')
    spec = _table(tmp_path, "csv", "id int, text string, n bigint", {"skip.header.line.count": "1"})
    rows, log = _read(spec, where, tmp_path)
    assert rows == [{"id": 1, "text": 'hello, "world"', "n": 5}, {"id": 2, "text": "two\nlines", "n": None},
                    {"id": 3, "text": "x", "n": None}]
    assert log.warnings.items() == [("n", "not a valid bigint", 1)]


def test_json_lines_case_insensitive_and_malformed(tmp_path):
    where = _local(tmp_path)
    (tmp_path / "data" / "a.json").write_text(
        '{"ID": 1, "Tags": ["a"], "m": {"k": 2}, "s": {"X": 5}}\n\n{broken\n[1]\n{"id": "2", "tags": null}\n')
    spec = _table(tmp_path, "json", "id bigint, tags array<string>, m map<string,int>, s struct<x:int>")
    rows, log = _read(spec, where, tmp_path)
    assert rows == [{"id": 1, "tags": ["a"], "m": [("k", 2)], "s": {"x": 5}},
                    {"id": 2, "tags": None, "m": None, "s": None}]
    assert log.rows_skipped == 2
    lines = [json.loads(x) for x in log.path.read_text().splitlines()]
    assert [(r["line"], r["reason"].split(" (")[0]) for r in lines] == \
        [(3, "row skipped: malformed JSON"), (4, "row skipped: a JSON line must hold an object")]


def test_parquet_and_orc_by_name_with_casts(tmp_path):
    table = pa.table({"ID": pa.array([1, 2], pa.int32()), "Amount": ["1.25", "bad"], "extra": [True, False]})
    for fmt, write in (("parquet", pq.write_table), ("orc", orc.write_table)):
        where = _local(tmp_path, fmt)
        write(table, str(tmp_path / fmt / "part-0"))
        spec = _table(tmp_path, fmt, "id bigint, amount decimal(10,2), missing string")
        rows, log = _read(spec, where, tmp_path)
        assert rows == [{"id": 1, "amount": Decimal("1.25"), "missing": None},
                        {"id": 2, "amount": None, "missing": None}], fmt
        assert log.values_nulled == 1


def test_partition_folders(tmp_path):
    assert partition_dir(["dt", "h"], ["2020/01", None]) == "dt=2020%2F01/h=__HIVE_DEFAULT_PARTITION__"
    assert parse_partition_dir("dt=2020%2F01/h=__HIVE_DEFAULT_PARTITION__", ["dt", "h"]) == ("2020/01", None)
    where = _local(tmp_path)
    for folder in ("dt=a/h=1", "dt=b/h=2", "dt=c/h=3", "other"):
        (tmp_path / "data" / folder).mkdir(parents=True)
    (tmp_path / "data" / "dt=a/h=1/f").write_text("x")
    (tmp_path / "data" / "dt=b/h=2/f").write_text("x")
    (tmp_path / "data" / "dt=c/h=3/_tmp").write_text("x")
    assert discover_partitions(where, ["dt", "h"]) == [("a", "1"), ("b", "2")]


def test_local_paths_need_permission(tmp_path):
    with pytest.raises(NotPermittedError, match="local path"):
        parse_location(str(tmp_path), FileSystems(), allow_local=False)
    with pytest.raises(SemanticError, match="hdfs:// is not available"):
        parse_location("hdfs:///x", FileSystems(), allow_local=True)


# ------------------------------------------------------------------ writing

def test_output_rolls_files_and_staging_swaps(tmp_path):
    where = _local(tmp_path, "out")
    (tmp_path / "out" / "old_file").write_text("old\n")
    spec = OutputSpec("text", [("n", T("bigint")), ("s", T("string"))], {"field.delim": ","}, "gzip", 2000)
    staging = Staging(where)
    output = Output(staging.folder(), spec)
    batch = pa.record_batch({"n": pa.array(range(3000), pa.int64()), "s": ["x" * 10] * 3000})
    output.write(batch)
    files = output.close()
    assert len(files) > 1 and all(f.location.name.endswith(".gz") for f in files)
    assert (tmp_path / "out" / "old_file").exists()   # nothing visible changes before the commit
    staging.commit(replace=[""])
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert "old_file" not in names and not any(n.startswith("_ddbsql") for n in names)
    text = b"".join(gzip.decompress((tmp_path / "out" / n).read_bytes()) for n in names).decode()
    assert text.splitlines()[:2] == ["0,xxxxxxxxxx", "1,xxxxxxxxxx"] and len(text.splitlines()) == 3000


def test_staging_abort_keeps_old_data(tmp_path):
    where = _local(tmp_path, "out")
    (tmp_path / "out" / "000000_0").write_text("old\n")
    staging = Staging(where)
    output = Output(staging.folder(), OutputSpec("text", [("s", T("string"))]))
    output.write(pa.record_batch({"s": ["new"]}))
    output.close()
    staging.abort()
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["000000_0"]
    assert (tmp_path / "out" / "000000_0").read_text() == "old\n"


# ------------------------------------------------------------------ DynamoDB layouts

ITEMS = [
    {"id": {"S": "a"}, "n": {"N": "12345678901234567890123456789012345678"}, "ss": {"SS": ["x", "y"]},
     "bs": {"BS": [b"\x00", b"\xff"]}, "l": {"L": [{"NULL": True}, {"M": {"k": {"BOOL": False}}}]},
     "b": {"B": b"\x01\x02"}, "e": {"S": ""}},
    {"id": {"S": "b"}, "ns": {"NS": ["1E+125", "-1E-130"]}},
]


def _item_table(fmt: str) -> TableDef:
    return TableDef("default", "t", (Column("item", T("map<string,string>")),), "file", {}, True, None, 0.0,
                    FileStorage("x", fmt))


def _batch_of(items) -> pa.RecordBatch:
    from ddbsql.exec.decode import decode_page
    return decode_page(items, bindings_for(_item_table("dynamodb-export")))


def _items_back(tmp_path, location: Location, fmt: str, props=None) -> tuple[list[dict], ReadLog]:
    from ddbsql.exec.encode import encode_batch
    table = _item_table(fmt)
    spec = ReadSpec(table.storage, "t", table.columns, (), list(table.columns), dict(props or {}),
                       bindings_for(table))
    log = ReadLog(tmp_path / "rejects", table="t", statement="test", warnings=DecodeWarnings())
    items = []
    for batch in read_rows(spec, [Source(location)], log):
        items += encode_batch(batch, bindings_for(table), key_attributes=["id"])[0]
    return sorted(items, key=lambda i: i["id"]["S"]), log


def test_dynamodb_export_layout_round_trip_and_checks(tmp_path):
    base = _local(tmp_path, "export")
    rejects = []
    writer = ExportWriter.new(base, table="src", region="us-east-1", bindings=bindings_for(_item_table("dynamodb-export")),
                                 reject=lambda *a: rejects.append(a), max_bytes=50)
    writer.write(_batch_of(ITEMS))
    writer.close()
    folder = tmp_path / "export" / "AWSDynamoDB" / writer.export_id
    summary = json.loads((folder / "manifest-summary.json").read_text())
    assert summary["itemCount"] == 2 and summary["outputFormat"] == "DYNAMODB_JSON" and (folder / "_started").exists()
    entries = [json.loads(x) for x in (folder / "manifest-files.json").read_text().splitlines()]
    assert len(entries) == 2 and all(e["dataFileS3Key"].endswith(".json.gz") for e in entries)
    data = (folder / entries[0]["dataFileS3Key"].split(writer.export_id + "/")[1]).read_bytes()
    assert base64.b64encode(hashlib.md5(data).digest()).decode() == entries[0]["md5Checksum"]
    line = json.loads(gzip.decompress(data).decode().splitlines()[0])
    assert set(line) == {"Item"}
    items, log = _items_back(tmp_path, base, "dynamodb-export")
    assert items == ITEMS and rejects == []
    # a changed data file is caught by its checksum, a wrong count by the manifest
    path = folder / entries[1]["dataFileS3Key"].split(writer.export_id + "/")[1]
    path.write_bytes(gzip.compress(gzip.decompress(path.read_bytes()) + b'{"Item":{"id":{"S":"z"}}}\n'))
    with pytest.raises(ExecutionError, match="item\\(s\\), but manifest-files.json says 1"):
        _items_back(tmp_path, base, "dynamodb-export")
    entries[1]["itemCount"] = 2
    (folder / "manifest-files.json").write_text("\n".join(json.dumps(e) for e in entries) + "\n")
    (folder / "manifest-files.checksum").unlink()
    with pytest.raises(ExecutionError, match="MD5 checksum does not match"):
        _items_back(tmp_path, base, "dynamodb-export")
    items, _ = _items_back(tmp_path, base, "dynamodb-export", {"ddbsql.export.verify": "false"})
    assert [i["id"]["S"] for i in items] == ["a", "b", "z"]


def test_emr_export_layout_and_data_pipeline_lines(tmp_path):
    base = _local(tmp_path, "emr")
    writer = EmrExportWriter(base, base, bindings=bindings_for(_item_table("dynamodb-export")), compression="gzip",
                                reject=lambda *a: None)
    writer.write(_batch_of(ITEMS))
    writer.close()
    manifest = (tmp_path / "emr" / "manifest").read_text()
    assert manifest.startswith('{"name":"DynamoDB-export","version":3,\n"entries": [\n{"url":"file:')
    data_name = json.loads(manifest)["entries"][0]["url"].rsplit("/", 1)[1]
    first = gzip.decompress((tmp_path / "emr" / data_name).read_bytes()).decode().splitlines()[0]
    assert first.startswith('{"id":{"s":"a"},"n":{"n":"12345678901234567890123456789012345678"}')
    items, _ = _items_back(tmp_path, base, "emr-export")
    assert items == ITEMS
    # the old Data Pipeline layout: name^C{json}^Bname^C{json}
    legacy = _local(tmp_path, "legacy")
    (tmp_path / "legacy" / "part").write_text('id\x03{"s":"q"}\x02scores\x03{"nS":["100","30"]}\nbroken line\n')
    items, log = _items_back(tmp_path, legacy, "emr-export")
    assert items == [{"id": {"S": "q"}, "scores": {"NS": ["100", "30"]}}] and log.rows_skipped == 1


# ------------------------------------------------------------------ S3 (moto over HTTP)

def test_s3_read_write_and_missing_bucket(moto_endpoint, tmp_path):
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1", aws_access_key_id="k",
                      aws_secret_access_key="s")
    s3.create_bucket(Bucket="exec-files-test")
    s3.put_object(Bucket="exec-files-test", Key="in/a.gz", Body=gzip.compress(b"1\x01x\n2\x01y\n"))
    systems = FileSystems(lambda: S3Access("us-east-1", moto_endpoint, "k", "s"))
    assert "secret" not in repr(S3Access("us-east-1", None, "key", "secret"))
    where = parse_location("s3://exec-files-test/in/", systems, allow_local=False)
    rows, _ = _read(_table(tmp_path, "text", "n int, s string"), where, tmp_path)
    assert rows == [{"n": 1, "s": "x"}, {"n": 2, "s": "y"}]
    out = parse_location("s3a://exec-files-test/out", systems, allow_local=False)
    staging = Staging(out)
    output = Output(staging.folder(), OutputSpec("parquet", [("n", T("int"))], compression="zstd"))
    output.write(pa.record_batch({"n": pa.array([7], pa.int32())}))
    output.close()
    staging.commit(replace=[""])
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="exec-files-test", Prefix="out/")["Contents"]]
    assert "out/000000_0" in keys and not any("_ddbsql_staging" in k for k in keys)
    missing = parse_location("s3://no-such-bucket-here/x", systems, allow_local=False)
    with pytest.raises(ExecutionError, match="S3 bucket 'no-such-bucket-here' does not exist"):
        list_data_files(missing)
