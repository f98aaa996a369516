"""Running scripts through a DB-API cursor: statement by statement, in a worker thread so
that Ctrl-C cancels the running statement at once.  What each statement gives goes to a
:class:`~.printer.ResultPrinter`; the runner prints nothing itself."""
from __future__ import annotations

import threading
import time
from pathlib import Path

from .. import dbapi
from ..errors import DdbsqlError
from ..sql.script import StatementText, decode_script
from .printer import ResultPrinter


class ScriptRunner:
    """Runs script text on one cursor of ``connection``; ``failed`` says whether a
    statement failed and stopped the run (or, errors ignored, the last statement failed)."""

    def __init__(self, connection: dbapi.Connection, printer: ResultPrinter):
        self.connection = connection
        self.printer = printer
        self.cursor = connection.cursor()
        self.failed = False
        self._started = time.monotonic()

    def run_file(self, path: str, printer: ResultPrinter | None = None) -> bool:
        try:
            text = decode_script(Path(path).read_bytes(), path)
        except OSError as exc:
            (printer or self.printer).error(f"cannot read {path}: {exc.strerror}")
            self.failed = True
            return False
        except DdbsqlError as exc:
            (printer or self.printer).error(str(exc))
            self.failed = True
            return False
        return self.run_text(text, source=path, printer=printer)

    def run_text(self, text: str, *, source: str | None = None, printer: ResultPrinter | None = None) -> bool:
        """Run every statement, handing results to ``printer`` (default: the runner's);
        False when a statement failed and stopped the run.

        The statements run in a worker thread so that Ctrl-C reaches this (main) thread at
        once, whatever DuckDB or DynamoDB is doing: it cancels the running statement and
        raises KeyboardInterrupt here once the worker has stopped.
        """
        printer = printer or self.printer
        outcome: dict[str, BaseException | bool] = {}
        # not Thread.join: a Ctrl-C inside join() can leave the thread looking finished
        done = threading.Event()

        def on_start(statement: StatementText) -> None:
            printer.started(statement)
            self._started = time.monotonic()

        def on_result(statement: StatementText, cursor: dbapi.Cursor) -> None:
            self.failed = False
            printer.result(cursor, time.monotonic() - self._started)

        def on_error(statement: StatementText, exc: dbapi.Error) -> bool:
            printer.failure(exc)
            self.failed = True
            return (self.connection.setting("hive.cli.errors.ignore") or "").strip().lower() == "true"

        def work() -> None:
            try:
                self.cursor.executescript(text, source=source, on_result=on_result, on_error=on_error,
                                          on_start=on_start)
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
