"""Options people bring from other tools: --version, Hive's -H, beeline's --outputformat
and --showHeader, AWS_REGION, and shell completion."""
from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import duckdb
import pyarrow
import pytest
import sqlglot

from ddbsql.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"


def run(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = dict(os.environ, DDBSQL_HOME=str(cwd / "home"), PYTHONPATH=str(ROOT), **(env or {}))
    return subprocess.run([sys.executable, "-m", "ddbsql", *args], cwd=cwd, env=environment, capture_output=True,
                          text=True, timeout=120)


def test_version_names_the_libraries(tmp_path):
    result = run("--version", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.splitlines()
    assert first == f"ddbsql {metadata.version('ddbsql')}"
    for name, version in (("DuckDB", duckdb.__version__), ("pyarrow", pyarrow.__version__),
                          ("sqlglot", sqlglot.__version__), ("boto3", metadata.version("boto3"))):
        assert f"{name} {version}" in second


def test_capital_h_is_help_as_in_hive(capsys):
    with pytest.raises(SystemExit) as info:
        main(["-H"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: ddbsql") and "--outputformat" in out


@pytest.mark.parametrize("args, expected", [
    (["--outputformat=csv2"], 'a,b\r\n1,"x,y"\r\n'),   # ddbsql's csv: RFC 4180 line ends
    (["--outputformat=tsv2", "--showHeader=false"], "1\tx,y\n"),
    (["--outputformat", "json", "--showHeader=true"], '{"a":1,"b":"x,y"}\n'),
    (["--outputformat=table"], "+---+-----+\n| a | b   |\n+---+-----+\n| 1 | x,y |\n+---+-----+\n"),
    (["--outputformat=vertical", "--showHeader=false"], None),
    (["--showHeader=true"], "a\tb\n1\tx,y\n"),
])
def test_beeline_output_options(tmp_path, capsys, args, expected):
    assert main(["--metastore", str(tmp_path / "m.db"), "-S", *args, "-e", "SELECT 1 AS a, 'x,y' AS b"]) == 0
    out = capsys.readouterr().out
    if expected is None:
        assert "a" in out and "x,y" in out and out.count("\n") >= 2
    else:
        assert out == expected


def test_beeline_and_ddbsql_options_that_disagree(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["--output-format", "json", "--outputformat=csv2", "-e", "SELECT 1"])
    assert info.value.code == 2
    assert "disagree" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--showHeader=maybe", "-e", "SELECT 1"])


@pytest.mark.e2e
def test_aws_region_is_read_as_the_aws_cli_does(tmp_path, moto_endpoint):
    script = (f"CREATE EXTERNAL TABLE t (k string) STORED BY {HANDLER} "
              "TBLPROPERTIES ('dynamodb.table.name' = 'no_such_table'); SELECT * FROM t")
    common = ("--endpoint-url", moto_endpoint, "-e", script)
    credentials = {"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret"}
    # AWS_REGION wins over AWS_DEFAULT_REGION, as in the AWS CLI v2 and the Java SDK
    result = run(*common, cwd=tmp_path, env=dict(credentials, AWS_REGION="eu-west-3", AWS_DEFAULT_REGION="us-west-2"))
    assert "does not exist in region eu-west-3" in result.stderr
    assert "no AWS region is configured" not in result.stderr
    # --region wins over both
    result = run("--region", "ap-south-1", *common, cwd=tmp_path, env=dict(credentials, AWS_REGION="eu-west-3"))
    assert "does not exist in region ap-south-1" in result.stderr
    # nothing configured: the region assumed is said on stderr, once
    result = run(*common, cwd=tmp_path, env=credentials)
    assert "does not exist in region us-east-1" in result.stderr
    assert result.stderr.count("WARNING: no AWS region is configured (--region, AWS_REGION, AWS_DEFAULT_REGION "
                               "or the profile's region): assuming us-east-1") == 1


def test_shell_completion_of_options(tmp_path):
    pytest.importorskip("argcomplete")
    out = tmp_path / "completions"
    line = "ddbsql --outp"
    result = run(cwd=tmp_path, env={"_ARGCOMPLETE": "1", "_ARGCOMPLETE_IFS": " ", "COMP_LINE": line,
                                    "COMP_POINT": str(len(line)), "_ARGCOMPLETE_STDOUT_FILENAME": str(out)})
    assert result.returncode == 0, result.stderr
    assert set(out.read_text().split()) == {"--outputformat", "--output-format"}


def test_show_and_describe_functions(tmp_path, capsys):
    script = ("SHOW FUNCTIONS LIKE 'unix*|pmod'; SHOW FUNCTIONS; DESCRIBE FUNCTION EXTENDED pmod; "
              "DESC FUNCTION xpath; DESCRIBE FUNCTION no_such_function")
    assert main(["--metastore", str(tmp_path / "m.db"), "-S", "-e", script]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ["pmod", "unix_timestamp"]
    everything = lines[2:lines.index("pmod: Hive built-in function; ddbsql keeps Hive's behaviour: positive modulus")]
    assert everything == sorted(everything) and {"upper", "to_date", "collect_set", "pmod"} <= set(everything)
    assert "xpath" not in everything and "java_method" not in everything     # DuckDB has neither
    assert "Translation: pmod(a, b) -> ((a % NULLIF(b, 0)) + b) % NULLIF(b, 0)" in lines
    assert "Rules: pmod" in lines and "Function type: BUILTIN" in lines
    assert "xpath: Hive built-in function; ddbsql does not run it (DuckDB has no xpath)" in lines
    assert lines[-1] == "Function 'no_such_function' does not exist."


def test_listed_functions_run_and_unlisted_ones_fail(tmp_path, capsys):
    assert main(["--metastore", str(tmp_path / "m.db"), "-S", "-e",
                 "SELECT upper('a'), pmod(-7, 3), unix_timestamp('1970-01-02 00:00:00'), to_date('2020-01-02 10:00')"
                 ]) == 0
    assert capsys.readouterr().out == "A\t2\t86400\t2020-01-02\n"
    assert main(["--metastore", str(tmp_path / "m.db"), "-S", "-e", "SELECT xpath('<a>b</a>', 'a/text()')"]) == 1
