# PYTHON_ARGCOMPLETE_OK
"""The ``ddbsql`` command: Hive CLI options, script running, the REPL entry point.

Results go to stdout; ``OK``, ``Time taken``, row counts and warnings go to stderr
(``-S`` keeps only warnings and errors).  A failing statement stops the run with exit
status 1 unless ``SET hive.cli.errors.ignore=true``.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import TextIO

from .. import dbapi
from ..errors import DdbsqlError
from ..sql.script import StatementText, decode_script
from . import conventions
from .logs import configure as configure_logging
from .output import FORMATS, format_describe, make_writer

EXIT_FAILED = 1
#: statement kinds the Hive CLI runs itself, without "OK" / "Time taken" after them
CLI_COMMANDS = ("set", "shell", "source", "command")
EXIT_INTERRUPTED = 130


def _pairs(values: list[str] | None, option: str) -> dict[str, str]:
    """``key=value`` options as a dict; a ValueError for one without a key and ``=``."""
    pairs = {}
    for value in values or []:
        key, sep, val = value.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"{option} expects key=value, got '{value}'")
        pairs[key.strip()] = val
    return pairs


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ddbsql", description="SQL over Amazon DynamoDB, compatible with EMR Hive scripts.", add_help=False,
        epilog="Without -e or -f, ddbsql starts an interactive shell (or reads a script from standard input).")
    conventions.add_arguments(parser)
    parser.add_argument("-e", dest="execute", metavar="SQL", help="run the SQL text given on the command line")
    parser.add_argument("-f", dest="file", metavar="FILE", help="run the SQL script in FILE")
    parser.add_argument("-i", dest="init", metavar="FILE", action="append", default=[],
                        help="run FILE first (repeatable), as Hive's -i")
    parser.add_argument("-hiveconf", "--hiveconf", dest="hiveconf", metavar="K=V", action="append",
                        help="set a configuration value, like SET K=V (repeatable)")
    parser.add_argument("-hivevar", "--hivevar", "-d", "--define", dest="hivevar", metavar="K=V", action="append",
                        help="define a variable for ${K} / ${hivevar:K} substitution (repeatable)")
    parser.add_argument("--database", metavar="DB", default="default", help="the database to start in")
    parser.add_argument("-S", "--silent", action="store_true", help="no OK / Time taken / row count messages")
    parser.add_argument("-v", "--verbose", action="store_true", help="echo each statement before running it")
    parser.add_argument("--header", action="store_true", help="print column names (SET hive.cli.print.header=true)")
    parser.add_argument("--output-format", choices=FORMATS, help="result format (default tsv, as Hive)")
    parser.add_argument("--region", help="AWS region (default: the boto3 chain, else us-east-1)")
    parser.add_argument("--profile", help="AWS profile from the shared config files")
    parser.add_argument("--endpoint-url", help="DynamoDB endpoint URL (also AWS_ENDPOINT_URL_DYNAMODB)")
    parser.add_argument("--s3-endpoint-url", help="S3 endpoint URL for file tables and exports (also "
                                                  "AWS_ENDPOINT_URL_S3; default: AWS, or --endpoint-url)")
    parser.add_argument("--local", action="store_true",
                        help="start an embedded local DynamoDB + S3 endpoint for this run (needs ddbsql[local]); "
                             "the metastore is then a throwaway one unless --metastore is given")
    parser.add_argument("--metastore", metavar="PATH", help="catalog file (default $DDBSQL_HOME/metastore.db, "
                                                            "~/.ddbsql when DDBSQL_HOME is unset), or 'glue': the "
                                                            "Glue Data Catalog of the region")
    parser.add_argument("--resume", metavar="JOB",
                        help="continue the interrupted write job JOB (an id, or its first characters, from --jobs) "
                             "from its checkpoint, with the settings it was started with")
    parser.add_argument("--jobs", action="store_true", help="list the write jobs recorded in the metastore and exit")
    parser.add_argument("--debug", action="store_true",
                        help="show Python tracebacks for errors, and log each DynamoDB request to stderr")
    return parser


def _list_jobs(connection, out: TextIO) -> int:
    """``--jobs``: one line per recorded write job, most recent last."""
    records = connection.session.metastore.jobs().jobs()
    if not records:
        print("no write jobs recorded", file=sys.stderr)
        return 0
    out.write("id\tstate\truns\tstarted\tupdated\twritten\ttargets\tstatement\n")
    for r in records:
        started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r.started))
        updated = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r.updated))
        statement = " ".join(r.statement.split())
        statement = statement if len(statement) <= 100 else statement[:97] + "..."
        out.write(f"{r.id}\t{r.state}\t{r.runs}\t{started}\t{updated}\t{r.written}\t{','.join(r.targets)}\t"
                  f"{statement}\n")
    out.flush()
    return 0


def _resume_job(connection, wanted: str, hiveconf: dict[str, str]) -> str:
    """``--resume JOB``: the job's statement, with the session set as when it started (the
    command line's own -hiveconf win) and ``ddbsql.job.resume=true``.  Raises ValueError."""
    if not wanted.strip():
        raise ValueError("--resume needs a job id, or its first characters (ddbsql --jobs lists them)")
    store = connection.session.metastore.jobs()
    matches = store.find(wanted.strip())
    exact = [r for r in matches if r.id == wanted.strip()]
    matches = exact or matches
    if not matches:
        raise ValueError(f"no write job '{wanted}' in the metastore {connection.session.metastore.path} "
                         "(ddbsql --jobs lists them)")
    if len(matches) > 1:
        raise ValueError(f"'{wanted}' names {len(matches)} jobs ({', '.join(r.id for r in matches)}); give more "
                         "of the id")
    record = matches[0]
    if not record.unfinished:
        raise ValueError(f"job {record.id} is {record.state}: there is nothing to resume")
    settings = connection.session.settings
    for key, value in record.settings.items():
        if key not in hiveconf:
            settings.set(key, value)
    settings.set("ddbsql.job.resume", "true")
    if not connection.session.metastore.has_database(record.database):
        raise ValueError(f"job {record.id} ran in database '{record.database}', which no longer exists")
    connection.session.database = record.database
    return record.statement


class TerminalProgress:
    """Shows a running statement's progress line in place on a terminal; cleared before
    anything else is printed."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.shown = False

    def __call__(self, text: str) -> None:
        width = shutil.get_terminal_size((100, 24)).columns
        self.stream.write("\r\x1b[K" + text[:max(10, width - 1)])
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False


class ScriptRunner:
    """Runs scripts through a DB-API cursor and prints results as the Hive CLI does."""

    def __init__(self, connection: dbapi.Connection, *, out: TextIO, err: TextIO, silent: bool = False,
                 verbose: bool = False, header: bool = False, output_format: str | None = None, debug: bool = False,
                 progress: TerminalProgress | None = None):
        self.progress = progress
        self.connection = connection
        self.cursor = connection.cursor()
        self.out = out
        self.err = err
        self.silent = silent
        self.verbose = verbose
        self.header = header
        self.output_format = output_format
        self.debug = debug
        self.default_format = "tsv"
        #: the interactive shell's display limit (see :mod:`.row_limit`)
        self.row_limit = None
        #: a statement failed and stopped the run, or (errors ignored) the last statement failed
        self.failed = False
        self._started = time.monotonic()

    # running
    def run_file(self, path: str) -> bool:
        try:
            text = decode_script(Path(path).read_bytes(), path)
        except OSError as exc:
            self._error(f"cannot read {path}: {exc.strerror}")
            self.failed = True
            return False
        except DdbsqlError as exc:
            self._error(str(exc))
            self.failed = True
            return False
        return self.run_text(text, source=path)

    def run_text(self, text: str, *, source: str | None = None) -> bool:
        """Run every statement; False when a statement failed and stopped the run.

        The statements run in a worker thread so that Ctrl-C reaches this (main) thread at
        once, whatever DuckDB or DynamoDB is doing: it cancels the running statement and
        raises KeyboardInterrupt here once the worker has stopped.
        """
        outcome: dict[str, BaseException | bool] = {}
        # not Thread.join: a Ctrl-C inside join() can leave the thread looking finished
        done = threading.Event()

        def work() -> None:
            try:
                self.cursor.executescript(text, source=source, on_result=self._on_result, on_error=self._on_error,
                                          on_start=self._on_start)
                outcome["ok"] = True
            except dbapi.Error:
                outcome["ok"] = False
            except BaseException as exc:  # handed to the main thread
                outcome["error"] = exc
            finally:
                done.set()

        worker = threading.Thread(target=work, name="ddbsql-statement", daemon=True)
        worker.start()
        interrupted = False
        while True:
            # Ctrl-C can land on any line here, so the whole wait is inside the try
            try:
                while not done.is_set():
                    if interrupted:
                        # again and again: the statement may not have reached DuckDB or DynamoDB yet
                        self.connection.cancel()
                    done.wait(0.1)
                break
            except KeyboardInterrupt:
                interrupted = True
        if interrupted:
            raise KeyboardInterrupt
        if "error" in outcome:
            raise outcome["error"]
        return bool(outcome.get("ok"))

    def _on_start(self, statement: StatementText) -> None:
        if self.verbose:
            self.out.write(statement.text + "\n")
            self.out.flush()
        self._started = time.monotonic()

    def _on_result(self, statement: StatementText, cursor: dbapi.Cursor) -> None:
        self.failed = False
        if self.progress is not None:
            self.progress.clear()
        fetched = self.print_result(cursor)
        for message in cursor.messages:
            self._message(message)
        if not self.silent and cursor.kind not in CLI_COMMANDS:
            elapsed = time.monotonic() - self._started
            self.err.write("OK\n")
            if fetched is not None:
                self.err.write(f"Time taken: {elapsed:.3f} seconds, Fetched: {fetched} row(s)\n")
            else:
                self.err.write(f"Time taken: {elapsed:.3f} seconds\n")
            self.err.flush()

    def _on_error(self, statement: StatementText, exc: dbapi.Error) -> bool:
        if self.progress is not None:
            self.progress.clear()
        self._error(str(exc))
        if self.debug:
            traceback.print_exception(exc.original or exc, file=self.err)
        self.failed = True
        return self._setting("hive.cli.errors.ignore") == "true"

    # printing
    def _explicit_setting(self, key: str) -> str | None:
        """A setting the user SET (or passed with -hiveconf), not its default."""
        value = self.connection.session.settings.hiveconf.get(key)
        return value.strip().lower() if value is not None else None

    def _setting(self, key: str) -> str | None:
        value = self.connection.session.settings.lookup(key)
        return value.strip().lower() if value is not None else None

    def print_result(self, cursor: dbapi.Cursor) -> int | None:
        """Print the cursor's rows; the number of rows printed, or None for no result set."""
        if cursor.description is None:
            return None
        if cursor.kind == "describe":
            rows = cursor.fetchall()
            for line in format_describe(rows):
                self.out.write(line + "\n")
            self.out.flush()
            return len(rows)
        if cursor.kind in ("set", "shell", "show"):
            count = 0
            for batch in cursor.fetch_record_batches():
                for row in zip(*(column.to_pylist() for column in batch.columns)):
                    self.out.write("\t".join("NULL" if v is None else str(v) for v in row) + "\n")
                    count += 1
            self.out.flush()
            return count
        header = self.header or self._setting("hive.cli.print.header") == "true"
        fmt = self.output_format or self._explicit_setting("ddbsql.output.format") or self.default_format
        writer = make_writer(fmt, self.out, header=header)
        names = [d[0] for d in cursor.description]
        if header:
            writer.write_header(names)
        count = 0
        batches = cursor.fetch_record_batches()
        if self.row_limit is not None:
            batches = self.row_limit.apply(batches)
        for batch in batches:
            writer.write_batch(batch)
            count += batch.num_rows
        writer.close()
        self.out.flush()
        return count

    def _message(self, text: str) -> None:
        if self.silent and not text.startswith("WARNING"):
            return
        self.err.write(text + "\n")
        self.err.flush()

    def _error(self, text: str) -> None:
        self.out.flush()
        self.err.write(f"FAILED: {text}\n")
        self.err.flush()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    conventions.complete(parser)
    args = parser.parse_args(argv)
    conventions.apply(parser, args)
    try:
        hiveconf = _pairs(args.hiveconf, "-hiveconf")
        hivevar = _pairs(args.hivevar, "-hivevar")
    except ValueError as exc:
        print(f"ddbsql: {exc}", file=sys.stderr)
        return 1
    if args.execute is not None and args.file is not None:
        print("ddbsql: use either -e or -f, not both", file=sys.stderr)
        return 2
    if args.resume is not None and (args.execute is not None or args.file is not None or args.jobs):
        print("ddbsql: --resume runs the job's own statement: it cannot be combined with -e, -f or --jobs",
              file=sys.stderr)
        return 2
    restore_logging = configure_logging(sys.stderr, debug=args.debug)
    try:
        return _run(args, hiveconf, hivevar)
    finally:
        restore_logging()


def _run(args: argparse.Namespace, hiveconf: dict[str, str], hivevar: dict[str, str]) -> int:
    # progress of write jobs, in place on stderr, only when a person is watching it
    progress = TerminalProgress(sys.stderr) if sys.stderr.isatty() and not args.silent else None
    try:
        connection = dbapi.connect(region=args.region, profile=args.profile, endpoint_url=args.endpoint_url,
                                   s3_endpoint_url=args.s3_endpoint_url, metastore=args.metastore,
                                   database=args.database, hiveconf=hiveconf, hivevar=hivevar, allow_shell=True,
                                   allow_local_files=True, allow_env=True, local=args.local, progress=progress)
    except dbapi.Error as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return EXIT_FAILED
    runner = ScriptRunner(connection, out=sys.stdout, err=sys.stderr, silent=args.silent, verbose=args.verbose,
                          header=args.header, output_format=args.output_format, debug=args.debug,
                          progress=progress)
    if args.local and not args.silent:
        print(f"Using an embedded local DynamoDB endpoint at {connection.session.options.aws.endpoint_url}",
              file=sys.stderr)
    try:
        if args.jobs:
            return _list_jobs(connection, sys.stdout)
        for path in args.init:
            if not runner.run_file(path):
                return EXIT_FAILED
            if runner.cursor.quit:  # Hive ends the whole session at a quit in an init file
                return 0
        if args.resume is not None:
            try:
                statement = _resume_job(connection, args.resume, hiveconf)
            except (ValueError, DdbsqlError, dbapi.Error) as exc:
                print(f"FAILED: {exc}", file=sys.stderr)
                return EXIT_FAILED
            runner.run_text(statement, source=f"job {args.resume}")
        elif args.execute is not None:
            runner.run_text(args.execute, source="-e")
        elif args.file is not None:
            runner.run_file(args.file)
        elif sys.stdin.isatty():
            from .repl import run_repl
            run_repl(runner)
            return 0  # a failed statement in the shell is not the session's failure
        else:
            runner.run_text(sys.stdin.read(), source="<stdin>")
        return EXIT_FAILED if runner.failed else 0
    except KeyboardInterrupt:
        connection.cancel()
        print("\nInterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader of our output went away (| head): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        connection.close()


if __name__ == "__main__":
    sys.exit(main())
