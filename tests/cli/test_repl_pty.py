"""The real REPL in a pseudo-terminal: type statements, read the screen, cancel, exit."""
from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")


def _controlling_tty() -> None:
    """In the child: a new session whose controlling terminal is the pty, so ^C sends SIGINT."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a test run in the background inherits SIG_IGN


class Terminal:
    def __init__(self, args: list[str], home: Path, **extra_env: str):
        self.master, slave = pty.openpty()
        env = dict(os.environ, DDBSQL_HOME=str(home), PYTHONPATH=str(ROOT), TERM="xterm", PAGER="cat", PROMPT_TOOLKIT_NO_CPR="1",
                   COLUMNS="120", LINES="40", **extra_env)
        self.process = subprocess.Popen([sys.executable, "-m", "ddbsql", *args], stdin=slave, stdout=slave,
                                        stderr=slave, env=env, close_fds=True, preexec_fn=_controlling_tty)
        os.close(slave)
        self.screen = ""
        self.mark = 0

    def pump(self) -> bool:
        """Read what the program wrote in the next 0.2 s; False once the terminal is closed."""
        ready, _, _ = select.select([self.master], [], [], 0.2)
        if ready:
            try:
                self.screen += os.read(self.master, 65536).decode("utf-8", "replace")
            except OSError:
                return False
        return True

    def read_until(self, pattern: str, timeout: float = 30) -> str:
        """Wait for ``pattern`` in what the terminal showed since the last match; return that text."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            fresh = ANSI.sub("", self.screen[self.mark:])
            if re.search(pattern, fresh):
                self.mark = len(self.screen)
                return fresh
            if not self.pump():
                break
        raise AssertionError(f"{pattern!r} not seen; screen:\n{ANSI.sub('', self.screen)[-2000:]}")

    def send(self, text: str) -> None:
        os.write(self.master, text.encode())

    def close(self) -> int:
        """Wait for the program to end, draining its output so it never blocks on a full pty."""
        deadline = time.monotonic() + 20
        while self.process.poll() is None and time.monotonic() < deadline:
            if not self.pump():
                break      # the terminal is closed; the program may still be shutting down
        try:
            return self.process.wait(timeout=max(1.0, deadline - time.monotonic()))
        finally:
            os.close(self.master)


@pytest.mark.e2e
def test_repl_runs_statements_completes_and_exits(tmp_path):
    term = Terminal(["--metastore", str(tmp_path / "m.db")], tmp_path)
    try:
        term.read_until(r"ddbsql \(default\)>")
        term.send("CREATE TABLE pets (name string, legs int);\r")
        term.read_until(r"OK")
        term.send("INSERT INTO TABLE pets VALUES ('cat', 4), ('bird', 2);\r")
        term.read_until(r"Loaded 2 row")
        # a statement over several lines, ended by ';'
        term.send("SELECT name, legs\r")
        term.read_until(r"->")
        term.send("FROM pets ORDER BY legs;\r")
        screen = term.read_until(r"Fetched: 2 row")
        assert re.search(r"\| name\s*\| legs \|", screen)           # aligned table output
        assert re.search(r"\| bird\s*\|\s+2 \|", screen)
        # tab completion of a table name
        term.send("SELECT count(*) FROM pe\t")
        term.read_until(r"FROM pets")
        term.send(";\r")
        term.read_until(r"Fetched: 1 row")
        term.send("help;\r")
        term.read_until(r"source FILE")
        term.send("SELECT nope FROM pets;\r")
        term.read_until(r"FAILED: .*Invalid column reference 'nope'")
        # Ctrl-C cancels a long statement and the shell stays
        term.send("CREATE TABLE d (x int);\r")
        term.read_until(r"OK")
        term.send("INSERT INTO TABLE d VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9);\r")
        term.read_until(r"Loaded 10 row")
        term.send("SELECT count(*) FROM d a, d b, d c, d e, d f, d g, d h, d i, d j, d k, d l, d m "
                  "WHERE a.x + b.x + c.x + e.x + f.x + g.x + h.x + i.x + j.x + k.x + l.x + m.x = 50;\r")
        time.sleep(1.5)
        started = time.monotonic()
        term.send("\x03")
        term.read_until(r"Cancelled|FAILED: .*[Cc]ancel|Interrupt")
        assert time.monotonic() - started < 10
        term.send("SELECT 'still here';\r")
        term.read_until(r"still here")
        term.read_until(r"ddbsql \(default\)>")
        term.send("\x04")   # Ctrl-D
        assert term.close() == 0, ANSI.sub("", term.screen)[-1500:]
    finally:
        if term.process.poll() is None:
            term.process.kill()


@pytest.mark.e2e
def test_ctrl_c_cancels_a_running_dynamodb_scan(tmp_path):
    term = Terminal(["--local"], tmp_path)
    try:
        term.read_until(r"ddbsql \(default\)>")
        # a table with 1 RCU: at read.percent 0.5 a full scan of 3 000 items takes about a minute
        term.send("CREATE EXTERNAL TABLE slow (id string, v string) STORED BY "
                  "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler' TBLPROPERTIES ("
                  "'dynamodb.table.name'='Slow', 'ddbsql.create'='true', 'ddbsql.hash.key'='id', "
                  "'ddbsql.billing.mode'='PROVISIONED', 'ddbsql.read.capacity'='1', 'ddbsql.write.capacity'='4000');\r")
        term.read_until(r"OK")
        term.send("CREATE TABLE d (x int);\r")
        term.read_until(r"OK")
        term.send("INSERT INTO TABLE d VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9);\r")
        term.read_until(r"Loaded 10 row")
        term.send("INSERT INTO TABLE slow SELECT concat('k', a.x, b.x, c.x), repeat('v', 40) "
                  "FROM d a, d b, d c;\r")
        term.read_until(r"Loaded 1000 row", timeout=60)
        # the shell asks before a read estimated to take longer than the threshold
        term.send("SET ddbsql.repl.scan.warn.seconds=0.1;\r")
        term.read_until(r"ddbsql \(default\)>")
        term.send("SELECT count(*) FROM slow;\r")
        asked = term.read_until(r"Run it\?")
        assert "default.slow: Scan of Slow, ~" in asked and "at the read budget (1 RCU/s)" in asked
        term.send("n")
        term.read_until(r"Not run\.")
        term.send("SET ddbsql.repl.scan.warn.seconds=0;\r")
        term.read_until(r"ddbsql \(default\)>")
        term.send("SELECT count(*) FROM slow;\r")
        time.sleep(2)
        started = time.monotonic()
        term.send("\x03")
        term.read_until(r"Cancelled|FAILED: .*[Cc]ancel", timeout=20)
        assert time.monotonic() - started < 10
        term.send("SELECT 'still here';\r")
        term.read_until(r"still here")
        term.read_until(r"ddbsql \(default\)>")
        term.send("\x04")
        assert term.close() == 0, ANSI.sub("", term.screen)[-3000:]
    finally:
        if term.process.poll() is None:
            term.process.kill()


@pytest.mark.e2e
def test_repl_vertical_output_editor_history_suggestion_and_row_limit(tmp_path):
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nprintf 'SELECT 40 + 2 AS answer;' > \"$1\"\n")
    editor.chmod(0o755)
    term = Terminal(["--metastore", str(tmp_path / "m.db")], tmp_path, EDITOR=str(editor), VISUAL=str(editor))
    try:
        term.read_until(r"ddbsql \(default\)>")
        # \G ends a statement and prints its rows vertically
        term.send("SELECT 1 AS first_column, 'x' AS b\\G\r")
        screen = term.read_until(r"Fetched: 1 row")
        assert re.search(r"\*+ 1\. row \*+\s+first_column: 1\s+b: x", screen), screen
        # \x turns vertical output on, then off
        term.send("\\x\r")
        term.read_until(r"Expanded display is on\.")
        term.send("SELECT 2 AS c;\r")
        assert re.search(r"1\. row \*+\s+c: 2", term.read_until(r"Fetched: 1 row"))
        term.send("\\x\r")
        term.read_until(r"Expanded display is off\.")
        term.send("SELECT 3 AS c;\r")
        # (special keys are sent once the next prompt reads them)
        assert re.search(r"\| c \|", term.read_until(r"Fetched: 1 row[\s\S]*ddbsql \(default\)>"))
        # Ctrl-X Ctrl-E: the input is edited in $EDITOR, then run
        term.send("\x18\x05")
        assert re.search(r"\|\s+42 \|", term.read_until(r"Fetched: 1 row"))
        # the history suggests the rest of an earlier statement; right arrow takes it
        term.send("SELECT 40 +")
        term.read_until(r"2 AS answer;")
        term.send("\x1b[C\r")
        assert re.search(r"\|\s+42 \|", term.read_until(r"Fetched: 1 row"))
        # more rows than ddbsql.repl.row.limit: asked first; no prints the first rows only
        term.send("SET ddbsql.repl.row.limit=3;\r")
        term.read_until(r"ddbsql \(default\)>")
        term.send("SELECT x FROM (SELECT explode(array(1, 2, 3, 4, 5)) AS x) t;\r")
        term.read_until(r"more than 3 rows\. Print them all\? \[y/N\]")
        term.send("n\r")
        screen = term.read_until(r"Printed the first 3 rows")
        assert "Fetched: 3 row" in screen and re.search(r"\|\s+3 \|", screen)
        assert not re.search(r"\|\s+4 \|", screen)
        term.send("SELECT x FROM (SELECT explode(array(1, 2, 3, 4, 5)) AS x) t;\r")
        term.read_until(r"Print them all\? \[y/N\]")
        term.send("y\r")
        term.read_until(r"Fetched: 5 row[\s\S]*ddbsql \(default\)>")
        term.send("\x04")
        assert term.close() == 0, ANSI.sub("", term.screen)[-1500:]
    finally:
        if term.process.poll() is None:
            term.process.kill()
