"""``ddbsql -f`` as a subprocess: the seed scripts, Hive CLI output form, errors and exit status."""
from __future__ import annotations

import calendar
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "sql"


def ddbsql(*args: str, cwd: Path, stdin: str | None = None, timeout: float = 240) -> subprocess.CompletedProcess:
    env = dict(os.environ, DDBSQL_HOME=str(cwd / "home"), PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "ddbsql", *args], cwd=cwd, env=env, input=stdin,
                          capture_output=True, text=True, timeout=timeout)


def expected_promo_summary(rows: int) -> str:
    """The consolidation's final line, computed independently from the setup's generator:
    items = distinct (customer, order day) among orders, customers, first day, last expiry."""
    keys = {(n % 997, 1 + n % 30) for n in range(rows) if n % 3 == 0}
    days = [calendar.timegm((2016, 4, day, 0, 0, 0)) for _, day in keys]
    return f"{len(keys)}\t{len({c for c, _ in keys})}\t{min(days)}\t{max(days) + 31536000}"


def small_setup(tmp_path: Path, rows: int) -> str:
    """The example's setup script, generating ``rows`` clicks instead of 20 000."""
    text = (EXAMPLES / "customer_tracker_setup.sql").read_text()
    assert "set hivevar:rows = 20000;" in text
    path = tmp_path / "setup.sql"
    path.write_text(text.replace("set hivevar:rows = 20000;", f"set hivevar:rows = {rows};"))
    return str(path)


def test_consolidation_job_runs_with_hiveconf(tmp_path):
    result = ddbsql("--local", "-i", small_setup(tmp_path, 3000), "-f", str(EXAMPLES / "customer_tracker_consolidate.sql"),
                    "-hiveconf", "domain=Devo", "-hiveconf", "region=NA", "-hiveconf", "yyyymm=201604",
                    cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout.split("\n")
    # !echo output, as the shell prints it
    assert out[:3] == ["Read Write Capacity Percentages set.", "USING DOMAIN: Devo REGION: NA ", ""]
    # DESCRIBE in the Hive CLI's layout: 20-wide fields separated by tabs
    assert "customerid          \tstring              \tfrom deserializer   " in out
    assert "creationdatetime    \tbigint              \tfrom deserializer   " in out
    assert out[-2] == expected_promo_summary(3000)
    assert "Loaded" in result.stderr and "DynamoDB table Devo_NA_AnniversaryPromo_2017" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_seed_scripts_own_mistakes_give_clear_errors(tmp_path):
    original = EXAMPLES / "customer_tracker_consolidate_original.sql"
    common = ("--local", "-hiveconf", "domain=Devo", "-hiveconf", "region=NA", "-hiveconf", "yyyymm=201604")
    result = ddbsql(*common, "-f", str(original), cwd=tmp_path)
    assert result.returncode == 1
    # the first mistake stops the script, as in Hive: write.percent 10 is 1000 %
    assert "statement 4, line 21, column 1" in result.stderr
    assert "dynamodb.throughput.write.percent=10: must be between 0.1 and 1.5" in result.stderr
    assert "Traceback" not in result.stderr

    # with errors ignored, every mistake is reported in turn
    result = ddbsql(*common, "-hiveconf", "hive.cli.errors.ignore=true", "-f", str(original), cwd=tmp_path)
    errors = [line for line in result.stderr.split("\n") if line.startswith("FAILED")]
    assert "invalid DynamoDB table name 'CustomerTracker_{hiveconf:domain}_NA_201604'" in errors[1]
    assert "missing its '$'" in errors[1] and "line 30, column 1" in errors[1]
    assert "Traceback" not in result.stderr

    # the misspelt column, once the table exists: named with its line and column
    fixed = original.read_text().replace("{hiveconf:domain}_${hiveconf:region}_${hiveconf:yyyymm}",
                                         "${hiveconf:domain}_${hiveconf:region}_${hiveconf:yyyymm}")
    fixed = fixed.replace("write.percent = 10", "write.percent = 1.0")
    (tmp_path / "fixed.sql").write_text(fixed)
    result = ddbsql(*common, "-i", small_setup(tmp_path, 30), "-f", str(tmp_path / "fixed.sql"), cwd=tmp_path)
    assert result.returncode == 1
    failed = [line for line in result.stderr.split("\n") if line.startswith("FAILED")]
    assert len(failed) == 1
    assert "Invalid column reference 'StartDateTime'" in failed[0]
    line_no, line = next((i, l) for i, l in enumerate(fixed.split("\n"), 1) if "StartDateTime" in l)
    assert f"line {line_no}, column {line.index('StartDateTime') + 1}" in failed[0]


def test_set_forms_and_variables(tmp_path):
    script = """
        SET dynamodb.throughput.read.percent = 0.25;
        SET dynamodb.throughput.read.percent;
        set hivevar:ttl = 99;
        SET hivevar:ttl;
        SET nosuch.key;
        SET mapred.reduce.tasks=7;
        !echo ${hivevar:ttl} ${ttl} ${hiveconf:who} ${env:DDBSQL_TEST_VAR} '${undefined_one}';
    """
    env_var = dict(os.environ)
    os.environ["DDBSQL_TEST_VAR"] = "from-env"
    try:
        result = ddbsql("-S", "-hiveconf", "who=me", "--metastore", str(tmp_path / "m.db"), cwd=tmp_path,
                        stdin=script)
    finally:
        os.environ.clear()
        os.environ.update(env_var)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n") == [
        "dynamodb.throughput.read.percent=0.25", "hivevar:ttl=99", "nosuch.key is undefined",
        "99 99 me from-env ${undefined_one}", ""]
    assert "variable ${undefined_one} is not defined" in result.stderr
    assert "OK" not in result.stderr      # -S


def test_output_formats_header_and_exit_status(tmp_path):
    common = ("--metastore", str(tmp_path / "m.db"))
    query = "SELECT 1 AS a, 'x,y' AS b, CAST(NULL AS string) AS c, array(1,2) AS d"
    tsv = ddbsql(*common, "-S", "-e", query, cwd=tmp_path)
    assert tsv.stdout == "1\tx,y\tNULL\t[1,2]\n"
    header = ddbsql(*common, "-S", "--header", "-e", query, cwd=tmp_path)
    assert header.stdout.split("\n")[0] == "a\tb\tc\td"
    set_header = ddbsql(*common, "-S", "-e", f"SET hive.cli.print.header=true; {query}", cwd=tmp_path)
    assert set_header.stdout == header.stdout
    csv = ddbsql(*common, "-S", "--output-format", "csv", "-e", query, cwd=tmp_path)
    assert csv.stdout == '1,"x,y",,"[1,2]"\n'   # text mode reads the RFC 4180 CRLF as \n
    js = ddbsql(*common, "-S", "--output-format", "json", "-e", query, cwd=tmp_path)
    assert js.stdout == '{"a":1,"b":"x,y","c":null,"d":[1,2]}\n'
    failing = ddbsql(*common, "-e", "SELECT 1;\nSELECT nope FROM nowhere;\nSELECT 2", cwd=tmp_path)
    assert failing.returncode == 1
    assert failing.stdout == "1\n"
    assert "FAILED: Semantic error in -e, statement 2, line 2, column 18: Table not found 'nowhere'" in failing.stderr
    ignored = ddbsql(*common, "-hiveconf", "hive.cli.errors.ignore=true", "-e",
                     "SELECT nope FROM nowhere; SELECT 2", cwd=tmp_path)
    assert ignored.returncode == 0 and ignored.stdout == "2\n"


def test_parse_error_position_in_a_file(tmp_path):
    script = tmp_path / "bad.sql"
    script.write_text("-- comment\nSELECT 1;\n\nSELECT a,\n  b FROM t WHERE (;\n")
    result = ddbsql("--metastore", str(tmp_path / "m.db"), "-f", str(script), cwd=tmp_path)
    assert result.returncode == 1
    assert f"Parse error in {script}, statement 2, line 5" in result.stderr
    assert "Traceback" not in result.stderr


def test_source_and_verbose_and_init(tmp_path):
    (tmp_path / "inner.sql").write_text("SELECT 'inner';\n")
    (tmp_path / "init.sql").write_text("set hivevar:x = from-init;\n")
    result = ddbsql("--metastore", str(tmp_path / "m.db"), "-S", "-v", "-i", str(tmp_path / "init.sql"),
                    "-e", f"source {tmp_path / 'inner.sql'}; SELECT '${{x}}'", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n") == ["set hivevar:x = from-init", f"source {tmp_path / 'inner.sql'}",
                                         "SELECT 'inner'", "inner", "SELECT '${x}'", "from-init", ""]


def test_quit_and_exit_end_the_script_like_hive(tmp_path):
    (tmp_path / "inner.sql").write_text("SELECT 'inner';\nexit;\nSELECT 'after exit';\n")
    script = tmp_path / "job.sql"
    script.write_text(f"SELECT 'first';\nsource {tmp_path / 'inner.sql'};\nSELECT 'never';\n")
    result = ddbsql("--metastore", str(tmp_path / "m.db"), "-S", "-f", str(script), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "first\ninner\n"
    result = ddbsql("--metastore", str(tmp_path / "m.db"), "-S", "-e", "SELECT 1; QUIT; SELECT 2", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "1\n")


def test_cross_region_multi_insert_example(tmp_path):
    result = ddbsql("--local", "-S", "-i", str(EXAMPLES / "cross_region_setup.sql"),
                    "-f", str(EXAMPLES / "cross_region_copy.sql"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-4:] == ["eu-west-1\t1000\t30", "us-west-2\t1000\t30", "us-east-1\t1000\t30", ""]


def test_query_example(tmp_path):
    result = ddbsql("--local", "-S", "-f", str(EXAMPLES / "query_dynamodb.sql"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout.split("\n")
    assert out[0] == "6"
    assert out[1:5] == ["c1\t269.99\t2", "c3\t111.25\t2", "c2\t5.50\t1", "c5\t1.00\t1"]
    assert "Di Evans\tNULL\tNULL\tNULL\tNULL" in out
    assert 'c1\t["web","app"]\t3\t2\t1,2' in out
    assert out[-2] == "Ana Silva\t2015-01-12\t2015"


def test_output_is_byte_identical_across_runs_in_every_format(tmp_path):
    script = tmp_path / "q.sql"
    script.write_text("""
        CREATE EXTERNAL TABLE t (id string, n bigint, price decimal(38,10), tags array<string>, ok boolean)
        STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
        TBLPROPERTIES ("dynamodb.table.name" = "Stable", "ddbsql.create" = "true", "ddbsql.hash.key" = "id");
        INSERT INTO TABLE t VALUES ('a', 1, 12345678901234567890.0123456789, array('x','y'), true),
                                   ('b', NULL, -0.5, NULL, false), ('c', 3, 0, array(), NULL);
        SELECT * FROM t ORDER BY id;
    """)
    for fmt in ("tsv", "csv", "json", "table", "vertical"):
        runs = [ddbsql("--local", "-S", "--header", "--output-format", fmt, "-f", str(script), cwd=tmp_path)
                for _ in range(2)]
        assert runs[0].returncode == 0, runs[0].stderr
        assert runs[0].stdout == runs[1].stdout, fmt
        assert "12345678901234567890.0123456789" in runs[0].stdout
