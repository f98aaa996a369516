"""The DuckDB side: one in-process connection per session, the warehouse file for local
tables, and Arrow streams registered as views for the length of one statement."""
from __future__ import annotations

import itertools
import threading
from pathlib import Path

import duckdb
import pyarrow as pa

from ..errors import ExecutionError
from . import hive_functions

WAREHOUSE = "wh"


class Engine:
    """DuckDB in UTC (as EMR runs Hive), with ddbsql's warehouse attached on first use."""

    def __init__(self, warehouse_path: str | Path | None, *, threads: int | None = None,
                 temp_directory: str | Path | None = None):
        self.warehouse_path = Path(warehouse_path) if warehouse_path else None
        self.con = duckdb.connect(":memory:")
        self.con.execute("SET TimeZone = 'UTC'")
        hive_functions.install(self.con)
        # stdout carries query results only: no progress bar drawn there
        self.con.execute("SET enable_progress_bar = false")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        if temp_directory:
            self.con.execute("SET temp_directory = ?", [str(temp_directory)])
        self._attached = False
        self._names = itertools.count(1)
        self._registered: list[str] = []
        self.lock = threading.RLock()

    def warehouse(self) -> str:
        """Name of the attached warehouse catalog, attaching it if needed."""
        if not self._attached:
            if self.warehouse_path is None:
                self.con.execute(f"ATTACH ':memory:' AS {WAREHOUSE}")
            else:
                self.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
                try:
                    self.con.execute(f"ATTACH ? AS {WAREHOUSE}", [str(self.warehouse_path)])
                except duckdb.IOException as exc:
                    raise ExecutionError(f"cannot open the local table warehouse {self.warehouse_path}: {exc} "
                                         "(is another ddbsql process using it?)") from None
            self._attached = True
        return WAREHOUSE

    def ensure_schema(self, database: str) -> None:
        self.con.execute(f'CREATE SCHEMA IF NOT EXISTS {self.warehouse()}."{database}"')

    def register_stream(self, reader: pa.RecordBatchReader) -> str:
        """Register an Arrow stream under a fresh name valid until :meth:`release`."""
        name = f"__ddbsql_src_{next(self._names)}"
        self.con.register(name, reader)
        self._registered.append(name)
        return name

    def release(self) -> None:
        """Forget every stream registered for the previous statement."""
        for name in self._registered:
            try:
                self.con.unregister(name)
            except duckdb.Error:
                pass
        self._registered.clear()

    def interrupt(self) -> None:
        """Stop the query DuckDB is running, from any thread."""
        try:
            self.con.interrupt()
        except duckdb.Error:
            pass

    def close(self) -> None:
        self.release()
        self.con.close()
