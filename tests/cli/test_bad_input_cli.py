"""The command line given bad scripts, options and settings: one line on stderr, exit
status 1, never a traceback, and never a hang."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ddbsql.cli.main import main

ROOT = Path(__file__).resolve().parents[2]

SCRIPTS = {
    "latin1.sql": b"SELECT 1;\nSELECT 'caf\xe9';\n",
    "binary.sql": b"\x7fELF\x02\x01\x01\x00\x00\x00\x00",
    "bom.sql": b"\xef\xbb\xbfSELECT 41 + 1;\n",
    "loop.sql": b"SELECT 1;\nsource loop.sql;\n",
    "nested.sql": ("SELECT " + "(" * 3000 + "1" + ")" * 3000 + ";\n").encode(),
}


def write_scripts(folder: Path) -> None:
    for name, data in SCRIPTS.items():
        (folder / name).write_bytes(data)


def ddbsql(tmp_path: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """The command line as a process (its exit status is what a shell sees)."""
    write_scripts(tmp_path)
    env = dict(os.environ, DDBSQL_HOME=str(tmp_path / "home"), PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "ddbsql", *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=timeout)


def run_main(tmp_path: Path, monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """The command line's main() in this process (fast): exit status, stdout, stderr."""
    write_scripts(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DDBSQL_HOME", str(tmp_path / "home"))
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


CASES = {
    "not-utf8": (["-f", "latin1.sql"], "latin1.sql is not UTF-8 text (byte 0xe9 at line 2, column 12)"),
    "binary": (["-f", "binary.sql"], "binary.sql is a binary file, not a script"),
    "init-not-utf8": (["-i", "latin1.sql", "-e", "SELECT 1"], "is not UTF-8 text"),
    "source-not-utf8": (["-e", "source latin1.sql"], "is not UTF-8 text"),
    "sources-itself": (["-f", "loop.sql"], "scripts nest more than 32 deep"),
    "nested-parentheses": (["-f", "nested.sql"], "nests too deeply"),
    "no-such-profile": (["--profile", "nosuchprofile", "-e", "SELECT 1"], "nosuchprofile"),
    "endpoint-not-a-url": (["--endpoint-url", "not a url", "-e", "SELECT 1"], "is not an http:// or https:// URL"),
    "region-with-spaces": (["--region", "us east 1", "-e", "SELECT 1"], "is not a region name"),
    "hiveconf-without-value": (["-hiveconf", "foo", "-e", "SELECT 1"], "-hiveconf expects key=value"),
    "resume-nothing": (["--resume", ""], "--resume needs a job id"),
    "circular-variables": (["-hivevar", "a=${b}", "-hivevar", "b=${a}", "-e", "SELECT '${a}'"],
                           "${a} -> ${b} -> ${a}"),
    "reject-dir-unwritable": (["-e", "SET ddbsql.reject.dir=/proc/ddbsql-rejects"], "cannot be written"),
    "reject-dir-a-file": (["-e", "SET ddbsql.reject.dir=bom.sql/rejects"], "is not a folder"),
    "mistyped-keyword": (["-e", "SELEC 1"], "'SELEC' does not start a HiveQL statement"),
    "unterminated-string": (["-e", "SELECT 'abc"], "unterminated string"),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_one_line_exit_1_no_traceback(tmp_path, monkeypatch, capsys, case):
    args, expected = CASES[case]
    status, _, err = run_main(tmp_path, monkeypatch, capsys, "-S", *args)
    lines = [line for line in err.splitlines() if line.strip()]
    assert status == 1, err
    assert "Traceback" not in err
    assert len(lines) == 1, err
    assert expected in lines[0]


def test_a_byte_order_mark_is_skipped(tmp_path, monkeypatch, capsys):
    status, out, err = run_main(tmp_path, monkeypatch, capsys, "-S", "-f", "bom.sql")
    assert status == 0, err
    assert out.strip() == "42"


@pytest.mark.parametrize("args", [["-f", "latin1.sql"], ["-hiveconf", "foo", "-e", "SELECT 1"],
                                  ["-hivevar", "a=${a}${a}", "-e", "SELECT '${a}'"]],
                         ids=["not-utf8", "hiveconf-without-value", "doubling-variable"])
def test_the_process_exits_with_status_1(tmp_path, args):
    """(A process: a doubling variable once grew for minutes, to gigabytes.)"""
    done = ddbsql(tmp_path, "-S", *args, timeout=30)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
