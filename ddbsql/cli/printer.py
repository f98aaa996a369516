"""Printing what statements gave, as the Hive CLI does: rows on stdout (tab-separated by
default, or the chosen format), ``OK`` / ``Time taken`` / messages on stderr (``-S`` keeps
warnings and errors only), errors as one ``FAILED:`` line."""
from __future__ import annotations

import shutil
import traceback
from typing import TextIO

from .. import dbapi
from ..sql.script import StatementText
from .output import format_describe, make_writer

#: statement kinds the Hive CLI runs itself, without "OK" / "Time taken" after them
CLI_COMMANDS = ("set", "shell", "source", "command")


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


class ResultPrinter:
    """Prints each statement's result and messages to ``out`` and ``err``.

    ``connection`` is asked for the settings that shape the output
    (``hive.cli.print.header``, ``ddbsql.output.format``); a shell that pages its output
    gives a printer of string buffers instead of swapping streams.
    """

    def __init__(self, connection: dbapi.Connection, *, out: TextIO, err: TextIO, silent: bool = False,
                 verbose: bool = False, header: bool = False, output_format: str | None = None,
                 default_format: str = "tsv", debug: bool = False, progress: TerminalProgress | None = None):
        self.connection = connection
        self.out = out
        self.err = err
        self.silent = silent
        self.verbose = verbose
        self.header = header
        self.output_format = output_format
        self.default_format = default_format
        self.debug = debug
        self.progress = progress
        #: the interactive shell's display limit (see :mod:`.row_limit`)
        self.row_limit = None

    def with_streams(self, out: TextIO, err: TextIO) -> "ResultPrinter":
        """The same printer writing to other streams."""
        printer = ResultPrinter(self.connection, out=out, err=err, silent=self.silent, verbose=self.verbose,
                                header=self.header, output_format=self.output_format,
                                default_format=self.default_format, debug=self.debug, progress=self.progress)
        printer.row_limit = self.row_limit
        return printer

    def started(self, statement: StatementText) -> None:
        if self.verbose:
            self.out.write(statement.text + "\n")
            self.out.flush()

    def result(self, cursor: dbapi.Cursor, elapsed: float) -> None:
        """Rows, then messages, then ``OK`` and the time taken."""
        if self.progress is not None:
            self.progress.clear()
        fetched = self.print_rows(cursor)
        for message in cursor.messages:
            self.message(message)
        if not self.silent and cursor.kind not in CLI_COMMANDS:
            self.err.write("OK\n")
            if fetched is not None:
                self.err.write(f"Time taken: {elapsed:.3f} seconds, Fetched: {fetched} row(s)\n")
            else:
                self.err.write(f"Time taken: {elapsed:.3f} seconds\n")
            self.err.flush()

    def failure(self, exc: dbapi.Error) -> None:
        if self.progress is not None:
            self.progress.clear()
        self.error(str(exc))
        if self.debug:
            traceback.print_exception(exc.original or exc, file=self.err)

    def _setting(self, key: str, *, explicit: bool = False) -> str | None:
        value = self.connection.setting(key, explicit=explicit)
        return value.strip().lower() if value is not None else None

    def print_rows(self, cursor: dbapi.Cursor) -> int | None:
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
        fmt = self.output_format or self._setting("ddbsql.output.format", explicit=True) or self.default_format
        writer = make_writer(fmt, self.out, header=header)
        names = [d[0] for d in cursor.description]
        if header:
            writer.write_header(names)
        count = 0
        batches = (batch for batch in cursor.fetch_record_batches() if batch.num_rows)
        if self.row_limit is not None:
            batches = self.row_limit.apply(batches)
        for batch in batches:
            writer.write_batch(batch)
            count += batch.num_rows
        writer.close()
        self.out.flush()
        return count

    def message(self, text: str) -> None:
        if self.silent and not text.startswith("WARNING"):
            return
        self.err.write(text + "\n")
        self.err.flush()

    def error(self, text: str) -> None:
        self.out.flush()
        self.err.write(f"FAILED: {text}\n")
        self.err.flush()
