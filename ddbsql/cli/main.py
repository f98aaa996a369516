# PYTHON_ARGCOMPLETE_OK
"""The ``ddbsql`` command: Hive CLI options, script running, the REPL entry point.

Results go to stdout; ``OK``, ``Time taken``, row counts and warnings go to stderr
(``-S`` keeps only warnings and errors).  A failing statement stops the run with exit
status 1 unless ``SET hive.cli.errors.ignore=true``.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from typing import TextIO

from .. import dbapi
from . import conventions
from .logs import configure as configure_logging
from .output import FORMATS
from .printer import ResultPrinter, TerminalProgress
from .repl import run_repl
from .runner import ScriptRunner

EXIT_FAILED = 1
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


def _list_jobs(connection: dbapi.Connection, out: TextIO) -> int:
    """``--jobs``: one line per recorded write job, most recent last."""
    records = connection.write_jobs()
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
    printer = ResultPrinter(connection, out=sys.stdout, err=sys.stderr, silent=args.silent, verbose=args.verbose,
                            header=args.header, output_format=args.output_format, debug=args.debug,
                            progress=progress)
    runner = ScriptRunner(connection, printer)
    if args.local and not args.silent:
        print(f"Using an embedded local DynamoDB endpoint at {connection.endpoint_url}", file=sys.stderr)
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
                statement = connection.prepare_resume(args.resume, keep=tuple(hiveconf))
            except dbapi.Error as exc:
                print(f"FAILED: {exc}", file=sys.stderr)
                return EXIT_FAILED
            runner.run_text(statement, source=f"job {args.resume}")
        elif args.execute is not None:
            runner.run_text(args.execute, source="-e")
        elif args.file is not None:
            runner.run_file(args.file)
        elif sys.stdin.isatty():
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
