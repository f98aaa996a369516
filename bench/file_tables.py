"""CSV file-table reads: the pyarrow path against the reference reader, in the same run.

    python -m bench.file_tables [--rows 300000] [--repeat 3]

Writes one OpenCSVSerde file of ``--rows`` rows (an int, a quoted string with commas and
doubled quotes, a decimal, a boolean, a date string; one value in 1000 does not fit its
column) and reads it with ``read_csv_file`` twice: the reference reader (Python's ``csv``
module splitting the lines) and the pyarrow path; both then apply the same Hive value
rules (vectorised where a value is plain).  Prints rows/s of each (fastest of
``--repeat``, wall and CPU seconds), their ratio, and checks that rows, NULLs and reject
counts are equal.  The reader before this work (Python ``csv`` and one-by-one decimals)
is measured by running this module's reading loop on that checkout (see bench/README.md).  Then times ``SELECT count(*), sum(n)`` over the same
file through a DB-API connection, for scale.
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
from ddbsql.files.locations import FileSystems, parse_location
from ddbsql.files.reading import ReadLog, ReadSpec
from ddbsql.types import parse_hive_type

COLUMNS = [("id", "int"), ("name", "string"), ("amount", "decimal(12,2)"), ("flag", "boolean"), ("day", "date")]


def write_file(path: Path, rows: int) -> None:
    with path.open("w") as out:
        out.write("id,name,amount,flag,day\n")
        for i in range(rows):
            amount = "oops" if i % 1000 == 7 else f"{i % 100000}.{i % 100:02d}"
            out.write(f'{i},"customer {i}, ""vip""",{amount},{"true" if i % 2 else "false"},2024-01-{1 + i % 28:02d}\n')


def read(folder: Path, fast: bool) -> tuple[float, pa.Table, tuple, float]:
    columns = [Column(name, parse_hive_type(kind)) for name, kind in COLUMNS]
    spec = ReadSpec(FileStorage(str(folder), "csv"), "default.t", tuple(columns), (), columns,
                    {"skip.header.line.count": "1"})
    location = parse_location(str(folder), FileSystems(), allow_local=True)
    log = ReadLog(None, table="t", statement="bench", warnings=DecodeWarnings())
    started, cpu = time.perf_counter(), time.process_time()
    batches = list(read_csv_file(location.fs, str(folder / "data.csv"), "data.csv", spec, list(enumerate(columns)),
                                 log, fast=fast))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    table = pa.Table.from_batches([b for b in batches if b.num_rows])
    return elapsed, table, (log.values_nulled, log.rows_skipped, sorted(log.warnings.items())), cpu


#: the reading loop, run on another checkout (``--baseline-checkout``): only what every version has
_BASELINE = """
import sys, time
from pathlib import Path
from ddbsql.catalog.model import Column, FileStorage
from ddbsql.exec.decode import DecodeWarnings
from ddbsql.files.formats.csv_text import read_csv_file
from ddbsql.files.locations import FileSystems, parse_location
from ddbsql.files.reading import ReadLog, ReadSpec
from ddbsql.types import parse_hive_type
folder, columns = Path(sys.argv[1]), [Column(n, parse_hive_type(k)) for n, k in %r]
spec = ReadSpec(FileStorage(str(folder), "csv"), "default.t", tuple(columns), (), columns,
                {"skip.header.line.count": "1"})
location = parse_location(str(folder), FileSystems(), allow_local=True)
best = None
for _ in range(int(sys.argv[2])):
    log = ReadLog(None, table="t", statement="bench", warnings=DecodeWarnings())
    wall, cpu = time.perf_counter(), time.process_time()
    rows = sum(b.num_rows for b in read_csv_file(location.fs, str(folder / "data.csv"), "data.csv", spec,
                                                 list(enumerate(columns)), log) if "__rows" not in b.schema.names)
    run = (time.perf_counter() - wall, time.process_time() - cpu)
    best = run if best is None or run < best else best
print(rows, log.values_nulled, best[0], best[1])
""" % (COLUMNS,)


def baseline(checkout: str, folder: Path, repeat: int) -> tuple[int, int, float, float]:
    """Rows, values read as NULL, wall and CPU seconds of ``checkout``'s CSV reader on the file."""
    env = dict(os.environ, PYTHONPATH=str(Path(checkout).resolve()))
    out = subprocess.run([sys.executable, "-c", _BASELINE, str(folder), str(repeat)], env=env, cwd=checkout,
                         capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]), int(out[1]), float(out[2]), float(out[3])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-checkout", metavar="DIR",
                        help="also time the CSV reader of another checkout of ddbsql (e.g. main before this work)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        folder = Path(home) / "t"
        folder.mkdir()
        write_file(folder / "data.csv", args.rows)
        size = (folder / "data.csv").stat().st_size
        reference = [read(folder, fast=False) for _ in range(args.repeat)]
        fast = [read(folder, fast=True) for _ in range(args.repeat)]
        slow_time, fast_time = min(r[0] for r in reference), min(r[0] for r in fast)
        slow_cpu, fast_cpu = min(r[3] for r in reference), min(r[3] for r in fast)
        same = reference[0][1].equals(fast[0][1]) and reference[0][2] == fast[0][2]
        print(f"CSV file: {args.rows:,} rows, {size / 1e6:.1f} MB; fastest of {args.repeat} runs each "
              "(CPU seconds too: the machine may be shared)")
        print(f"reference reader (Python csv) : {slow_time:6.2f} s wall, {slow_cpu:5.2f} s CPU  "
              f"{args.rows / slow_time:>10,.0f} rows/s  baseline")
        print(f"pyarrow path                  : {fast_time:6.2f} s wall, {fast_cpu:5.2f} s CPU  "
              f"{args.rows / fast_time:>10,.0f} rows/s  ratio {slow_time / fast_time:.1f}x wall, "
              f"{slow_cpu / fast_cpu:.1f}x CPU")
        print(f"same rows, NULLs and reject counts: {same} (values read as NULL: {fast[0][2][0]:,})")
        if args.baseline_checkout:
            rows, nulled, wall, cpu = baseline(args.baseline_checkout, folder, args.repeat)
            print(f"{args.baseline_checkout} reader        : {wall:6.2f} s wall, {cpu:5.2f} s CPU  "
                  f"{rows / wall:>10,.0f} rows/s; pyarrow path {wall / fast_time:.1f}x wall, {cpu / fast_cpu:.1f}x "
                  f"CPU faster (same rows and NULLs: {rows == fast[0][1].num_rows and nulled == fast[0][2][0]})")
        with ddbsql.connect(metastore=Path(home) / "m.db", region="us-east-1", allow_local_files=True) as conn:
            cursor = conn.cursor()
            cursor.execute(f"""CREATE EXTERNAL TABLE t (id int, name string, amount decimal(12,2), flag boolean,
                               day date) ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
                               LOCATION '{folder}' TBLPROPERTIES ('skip.header.line.count'='1')""")
            started = time.perf_counter()
            cursor.execute("SELECT count(*), sum(amount) FROM t")
            count, _ = cursor.fetchone()
            elapsed = time.perf_counter() - started
        print(f"SELECT count(*), sum(amount) through ddbsql.connect: {elapsed:.2f} s ({count:,} rows, "
              f"{count / elapsed:,.0f} rows/s)")
        if not same:
            raise SystemExit("the two readers disagree")


if __name__ == "__main__":
    main()
