"""Run the Hive conformance cases through ddbsql and compare with Hive's rows.

    python tests/sql/hive_conformance/runner.py [--family F] [--show wrong|error|all] [--id ID]

Prints pass / wrong / error per family and the total.  Each case is a statement from
Hive's own regression tests (``cases.json``, see ``build_cases.py``) run on Hive's
fixture tables (``src``, ``src1``, ``srcpart``, ``part``) loaded with ``LOAD DATA`` into
local text tables; its rows are printed as the command line prints them (Hive's text
of values, tab-separated, ``NULL``) and compared with the rows Hive printed: in order
when the statement orders its result, as a multiset otherwise.  ``known.py`` lists the
cases that fail on purpose (a documented difference) or for a function ddbsql lacks.
"""
from __future__ import annotations

import argparse
import collections
import io
import json
import os
import pathlib
import sys
import tempfile
from typing import Iterable

HERE = pathlib.Path(__file__).resolve().parent
CASES = HERE / "cases.json"
SHARED_FIXTURES = pathlib.Path(os.environ.get("HIVE_FIXTURES", "/work/shared/hive-fixtures"))

PARTITIONS = [("2008-04-08", "11"), ("2008-04-08", "12"), ("2008-04-09", "11"), ("2008-04-09", "12")]


def fixture_dir() -> pathlib.Path:
    """Hive's fixture files: the shared copy when there is one, else the one in tests/."""
    if (SHARED_FIXTURES / "kv1.txt").exists():
        return SHARED_FIXTURES
    return HERE / "fixtures"


def load_cases(family: str | None = None) -> list[dict]:
    cases = json.loads(CASES.read_text())
    return [c for c in cases if family in (None, c["family"])]


def open_fixture_connection(workdir: str):
    """A ddbsql connection with Hive's fixture tables loaded (no AWS endpoint needed)."""
    import ddbsql

    files = fixture_dir()
    con = ddbsql.connect(region="us-east-1", metastore=f"{workdir}/metastore.db",
                         warehouse=f"{workdir}/warehouse", allow_local_files=True)
    cur = con.cursor()
    statements = [
        "CREATE TABLE src (key STRING, value STRING) STORED AS TEXTFILE",
        f"LOAD DATA LOCAL INPATH '{files}/kv1.txt' INTO TABLE src",
        "CREATE TABLE src1 (key STRING, value STRING) STORED AS TEXTFILE",
        f"LOAD DATA LOCAL INPATH '{files}/kv3.txt' INTO TABLE src1",
        "CREATE TABLE srcpart (key STRING, value STRING) PARTITIONED BY (ds STRING, hr STRING)"
        " STORED AS TEXTFILE",
        *(f"LOAD DATA LOCAL INPATH '{files}/kv1.txt' INTO TABLE srcpart PARTITION (ds='{ds}', hr='{hr}')"
          for ds, hr in PARTITIONS),
        "CREATE TABLE part (p_partkey INT, p_name STRING, p_mfgr STRING, p_brand STRING,"
        " p_type STRING, p_size INT, p_container STRING, p_retailprice DOUBLE,"
        " p_comment STRING) STORED AS TEXTFILE",
        f"LOAD DATA LOCAL INPATH '{files}/part_tiny.txt' INTO TABLE part",
    ]
    for sql in statements:
        cur.execute(sql)
    return con


def result_lines(cursor) -> list[str]:
    """The cursor's rows as the command line prints them."""
    from ddbsql.cli.output import make_writer

    out = io.StringIO()
    writer = make_writer("tsv", out, header=False)
    for batch in cursor.fetch_record_batches():
        writer.write_batch(batch)
    writer.close()
    text = out.getvalue()
    return text.split("\n")[:-1] if text else []


def run_case(cursor, case: dict) -> tuple[str, str]:
    """('pass' | 'wrong' | 'error', detail)."""
    try:
        cursor.execute(case["sql"])
        got = result_lines(cursor)
    except Exception as exc:  # noqa: BLE001 - every failure is a result here
        return "error", f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    want = case["rows"]
    same = got == want if case["ordered"] else sorted(got) == sorted(want)
    if same:
        return "pass", ""
    missing = [r for r in want if r not in got][:3]
    extra = [r for r in got if r not in want][:3]
    return "wrong", f"{len(got)} rows vs {len(want)}; Hive has {missing!r}, ddbsql {extra!r}"


def run(cases: Iterable[dict]) -> list[tuple[dict, str, str]]:
    with tempfile.TemporaryDirectory(prefix="hive-conformance-") as workdir:
        con = open_fixture_connection(workdir)
        try:
            out = []
            for case in cases:
                cursor = con.cursor()
                out.append((case, *run_case(cursor, case)))
            return out
        finally:
            con.close()


def summary(results: list[tuple[dict, str, str]]) -> dict[str, collections.Counter]:
    by_family: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for case, outcome, _ in results:
        by_family[case["family"]][outcome] += 1
        by_family["ALL"][outcome] += 1
    return by_family


def format_summary(by_family: dict[str, collections.Counter]) -> str:
    lines = [f"{'family':<12} {'cases':>5} {'pass':>5} {'wrong':>5} {'error':>5} {'pass %':>7}"]
    for family in sorted(by_family, key=lambda f: (f == "ALL", f)):
        c = by_family[family]
        total = sum(c.values())
        lines.append(f"{family:<12} {total:>5} {c['pass']:>5} {c['wrong']:>5} {c['error']:>5}"
                     f" {100 * c['pass'] / total:>6.1f}%")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family")
    parser.add_argument("--id")
    parser.add_argument("--show", choices=("wrong", "error", "all", "failing"))
    args = parser.parse_args(argv)
    cases = [c for c in load_cases(args.family) if args.id in (None, c["id"])]
    results = run(cases)
    if args.show:
        for case, outcome, detail in results:
            if outcome == "pass" and args.show != "all":
                continue
            if args.show in ("wrong", "error") and outcome != args.show:
                continue
            print(f"[{outcome}] {case['id']} ({case['family']}): {' '.join(case['sql'].split())[:300]}")
            if detail:
                print(f"    {detail[:400]}")
    print(format_summary(summary(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
