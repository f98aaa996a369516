"""CSV and JSON file-table reads: the pyarrow paths against the reference readers, in the same run.

    python -m bench.file_tables [--rows 300000] [--repeat 3] [--format csv|json|both]
                                [--baseline-checkout DIR]

Writes one OpenCSVSerde file and one JSON-lines file of ``--rows`` rows each (an int, a
string with commas and quotes, a decimal, a boolean, a date string; one value in 1000
does not fit its column) and reads each twice with its format's reader: the reference
reader (Python's ``csv`` module splitting the lines; Python's ``json`` reading each line)
and the pyarrow path (``pyarrow.csv``; ``pyarrow.json`` with an explicit schema); both
then apply the same Hive value rules.  Prints rows/s of each (fastest of ``--repeat``,
wall and CPU seconds), their ratio, and checks that rows, NULLs and reject counts are
equal.  ``--baseline-checkout`` times the reader of another checkout (e.g. main before
the pyarrow paths, see bench/README.md) on the same files in its own process.  Then
times ``SELECT count(*), sum(amount)`` over each file through a DB-API connection, for
scale.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa

import ddbsql
from ddbsql.catalog.model import Column, FileStorage
from ddbsql.exec.decode import DecodeWarnings
from ddbsql.files.formats.csv_text import read_csv_file
from ddbsql.files.formats.json_lines import read_json_file
from ddbsql.files.locations import FileSystems, parse_location
from ddbsql.files.reading import ReadLog, ReadSpec
from ddbsql.types import parse_hive_type

COLUMNS = [("id", "int"), ("name", "string"), ("amount", "decimal(12,2)"), ("flag", "boolean"), ("day", "date")]


#: format -> (file name, reader, table property for its header, CREATE TABLE clauses)
FORMATS = {
    "csv": ("data.csv", read_csv_file, {"skip.header.line.count": "1"},
            "ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'",
            "TBLPROPERTIES ('skip.header.line.count'='1')"),
    "json": ("data.json", read_json_file, {}, "ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'", ""),
}


def write_file(path: Path, rows: int, kind: str = "csv") -> None:
    """``rows`` rows of :data:`COLUMNS` in ``kind``'s layout; one amount in 1000 is not a number."""
    with path.open("w") as out:
        if kind == "csv":
            out.write("id,name,amount,flag,day\n")
        for i in range(rows):
            amount = "oops" if i % 1000 == 7 else f"{i % 100000}.{i % 100:02d}"
            flag = "true" if i % 2 else "false"
            day = f"2024-01-{1 + i % 28:02d}"
            if kind == "csv":
                out.write(f'{i},"customer {i}, ""vip""",{amount},{flag},{day}\n')
            else:
                amount = f'"{amount}"' if amount == "oops" else amount
                out.write(f'{{"id": {i}, "name": "customer {i}, \\"vip\\"", "amount": {amount}, "flag": {flag}, '
                          f'"day": "{day}"}}\n')


def read(folder: Path, fast: bool, kind: str = "csv") -> tuple[float, pa.Table, tuple, float]:
    name, reader, properties, _, _ = FORMATS[kind]
    columns = [Column(n, parse_hive_type(k)) for n, k in COLUMNS]
    spec = ReadSpec(FileStorage(str(folder), kind), "default.t", tuple(columns), (), columns, dict(properties))
    location = parse_location(str(folder), FileSystems(), allow_local=True)
    log = ReadLog(None, table="t", statement="bench", warnings=DecodeWarnings())
    started, cpu = time.perf_counter(), time.process_time()
    batches = list(reader(location.fs, str(folder / name), name, spec, list(enumerate(columns)), log, fast=fast))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    table = pa.Table.from_batches([b for b in batches if b.num_rows])
    return elapsed, table, (log.values_nulled, log.rows_skipped, sorted(log.warnings.items())), cpu


#: the reading loop, run on another checkout (``--baseline-checkout``): only what every version has
_BASELINE = """
import importlib, sys, time
from pathlib import Path
from ddbsql.catalog.model import Column, FileStorage
from ddbsql.exec.decode import DecodeWarnings
from ddbsql.files.locations import FileSystems, parse_location
from ddbsql.files.reading import ReadLog, ReadSpec
from ddbsql.types import parse_hive_type
folder, repeat, kind, module, function, name = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], *sys.argv[4:7]
reader = getattr(importlib.import_module(module), function)
columns = [Column(n, parse_hive_type(k)) for n, k in %r]
spec = ReadSpec(FileStorage(str(folder), kind), "default.t", tuple(columns), (), columns,
                {"skip.header.line.count": "1"} if kind == "csv" else {})
location = parse_location(str(folder), FileSystems(), allow_local=True)
best = None
for _ in range(repeat):
    log = ReadLog(None, table="t", statement="bench", warnings=DecodeWarnings())
    wall, cpu = time.perf_counter(), time.process_time()
    rows = sum(b.num_rows for b in reader(location.fs, str(folder / name), name, spec, list(enumerate(columns)), log)
               if "__rows" not in b.schema.names)
    run = (time.perf_counter() - wall, time.process_time() - cpu)
    best = run if best is None or run < best else best
print(rows, log.values_nulled, best[0], best[1])
""" % (COLUMNS,)


def baseline(checkout: str, folder: Path, repeat: int, kind: str = "csv") -> tuple[int, int, float, float]:
    """Rows, values read as NULL, wall and CPU seconds of ``checkout``'s reader of ``kind`` on the file."""
    name, reader, _, _, _ = FORMATS[kind]
    env = dict(os.environ, PYTHONPATH=str(Path(checkout).resolve()))
    out = subprocess.run([sys.executable, "-c", _BASELINE, str(folder), str(repeat), kind, reader.__module__,
                          reader.__name__, name], env=env, cwd=checkout, capture_output=True, text=True,
                         check=True).stdout.split()
    return int(out[0]), int(out[1]), float(out[2]), float(out[3])


def bench(kind: str, home: Path, args) -> bool:
    """Times ``kind``'s readers on a file of ``args.rows`` rows; whether both read it alike."""
    name, _, _, serde, properties = FORMATS[kind]
    folder = home / kind
    folder.mkdir()
    write_file(folder / name, args.rows, kind)
    size = (folder / name).stat().st_size
    reference = [read(folder, False, kind) for _ in range(args.repeat)]
    fast = [read(folder, True, kind) for _ in range(args.repeat)]
    slow_time, fast_time = min(r[0] for r in reference), min(r[0] for r in fast)
    slow_cpu, fast_cpu = min(r[3] for r in reference), min(r[3] for r in fast)
    same = reference[0][1].equals(fast[0][1]) and reference[0][2] == fast[0][2]
    label = {"csv": "Python csv", "json": "Python json"}[kind]
    print(f"{kind.upper()} file: {args.rows:,} rows, {size / 1e6:.1f} MB; fastest of {args.repeat} runs each "
          "(CPU seconds too: the machine may be shared)")
    print(f"reference reader ({label}) : {slow_time:6.2f} s wall, {slow_cpu:5.2f} s CPU  "
          f"{args.rows / slow_time:>10,.0f} rows/s  baseline")
    print(f"pyarrow path                   : {fast_time:6.2f} s wall, {fast_cpu:5.2f} s CPU  "
          f"{args.rows / fast_time:>10,.0f} rows/s  ratio {slow_time / fast_time:.1f}x wall, "
          f"{slow_cpu / fast_cpu:.1f}x CPU")
    print(f"same rows, NULLs and reject counts: {same} (values read as NULL: {fast[0][2][0]:,})")
    if args.baseline_checkout:
        rows, nulled, wall, cpu = baseline(args.baseline_checkout, folder, args.repeat, kind)
        print(f"{args.baseline_checkout} reader: {wall:6.2f} s wall, {cpu:5.2f} s CPU  "
              f"{rows / wall:>10,.0f} rows/s; pyarrow path {wall / fast_time:.1f}x wall, {cpu / fast_cpu:.1f}x "
              f"CPU faster (same rows and NULLs: {rows == fast[0][1].num_rows and nulled == fast[0][2][0]})")
    with ddbsql.connect(metastore=home / f"{kind}.db", region="us-east-1", allow_local_files=True) as conn:
        cursor = conn.cursor()
        cursor.execute(f"""CREATE EXTERNAL TABLE t (id int, name string, amount decimal(12,2), flag boolean,
                           day date) {serde} LOCATION '{folder}' {properties}""")
        started = time.perf_counter()
        cursor.execute("SELECT count(*), sum(amount) FROM t")
        count, _ = cursor.fetchone()
        elapsed = time.perf_counter() - started
    print(f"SELECT count(*), sum(amount) through ddbsql.connect: {elapsed:.2f} s ({count:,} rows, "
          f"{count / elapsed:,.0f} rows/s)")
    return same


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--format", choices=["csv", "json", "both"], default="both")
    parser.add_argument("--baseline-checkout", metavar="DIR",
                        help="also time the readers of another checkout of ddbsql (e.g. main before this work)")
    args = parser.parse_args()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min)")
    kinds = ["csv", "json"] if args.format == "both" else [args.format]
    with tempfile.TemporaryDirectory() as home:
        disagree = [kind for kind in kinds if not bench(kind, Path(home), args)]
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min)")
    if disagree:
        raise SystemExit(f"the two {' and '.join(disagree)} readers disagree")


if __name__ == "__main__":
    main()
