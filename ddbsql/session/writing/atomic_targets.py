"""``ddbsql.write.atomic=true`` in a multi-insert into several DynamoDB tables: every item of
every DynamoDB target in one TransactWriteItems, all or nothing.

DynamoDB runs a transaction within one account and region, and one request is signed by
one set of credentials: the targets must share region, endpoint and credentials (the
same role, profile or keys), or the statement is refused before anything is read or
written.  All the targets' rows are encoded first; more than
:data:`~ddbsql.exec.transact.MAX_ITEMS` items in all, or a row that cannot be written,
fails the statement before anything is sent.  The statement's other targets (warehouse
and file tables, directories) are written once the transaction has committed.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import duckdb

from ...catalog.mapping import ENDPOINT, bindings_for
from ...errors import ConfigError, ExecutionError
from ...exec.atomic import AtomicWriter
from ...exec.transact import MAX_ITEMS, transact
from ...exec.writer import WriteReport
from ..binding.execution import ROWS_PER_BATCH, failure, result_batches
from .dynamodb_writes import PreparedWrite
from .write_targets import WriteOutcome

if TYPE_CHECKING:
    from ..session import Session
    from ..binding.binder import SourceBinder

__all__ = ["one_transaction", "write_in_one_transaction"]


def one_transaction(prepared: dict[int, PreparedWrite]) -> bool:
    """Whether the DynamoDB targets ``prepared`` are written as one transaction: more
    than one, each with ``ddbsql.write.atomic=true``."""
    return len(prepared) > 1 and all(isinstance(p.writer, AtomicWriter) for p in prepared.values())


def check_one_place(session: "Session", prepared: dict[int, PreparedWrite]) -> None:
    """Refuse targets in other regions, at other endpoints or reached with other credentials."""
    places = {}
    for p in prepared.values():
        table = p.target.table
        credentials = session.credentials_of(table)
        places[table.qualified] = (session.region_of(table), table.properties.get(ENDPOINT),
                                   credentials.identity if credentials else "the session's credentials",
                                   credentials)
    if len({(region, endpoint, creds) for region, endpoint, _, creds in places.values()}) > 1:
        where = "; ".join(f"{name} in {region}{f' at {endpoint}' if endpoint else ''} as {who}"
                          for name, (region, endpoint, who, _) in places.items())
        raise ConfigError("ddbsql.write.atomic=true: one transaction covers tables of one account and region, "
                          f"reached with the same credentials; these targets are not ({where}); nothing was "
                          "written (set ddbsql.write.atomic=false to write each in batches)")


def write_in_one_transaction(session: "Session", prepared: dict[int, PreparedWrite], shaped: list[str],
                             binder: "SourceBinder", notes_of: Callable[[int, WriteReport], list[str]],
                             outcome_of: Callable[[int, WriteReport, list[str]], WriteOutcome]) -> dict[int, WriteOutcome]:
    """Write every target of ``prepared`` in one transaction; the outcome of each.
    ``outcome_of(index, report, notes)``: a target's outcome from its report."""
    check_one_place(session, prepared)
    collected = {}
    counts = []
    try:
        for index, p in prepared.items():
            writer: AtomicWriter = p.writer
            cursor = session.engine.con.cursor()
            try:
                try:
                    reader = cursor.sql(shaped[index]).to_arrow_reader(ROWS_PER_BATCH)
                except duckdb.Error as exc:
                    raise failure(exc, binder) from None
                collected[index] = writer.collect(result_batches(reader, binder), bindings_for(p.target.table),
                                                  null_serialization=p.null_serialization)
            finally:
                cursor.close()
            counts.append(f"{p.target.table.qualified}: {len(collected[index])}")
        total = sum(len(c) for c in collected.values())
        if total > MAX_ITEMS:
            raise ExecutionError(f"ddbsql.write.atomic=true: the statement writes {total} items in all "
                                 f"({', '.join(counts)}); DynamoDB's TransactWriteItems takes at most {MAX_ITEMS}; "
                                 "nothing was written (set ddbsql.write.atomic=false to write in batches)")
        first = next(iter(prepared.values()))
        governors = {p.facts.table_name: p.governor for p in prepared.values()}
        consumed: dict[str, float] = {}
        changes = [c for index in prepared for c in collected[index]]
        _, retries, throttles = transact(first.client, first.facts.table_name, changes, session.retry_policy(),
                                         governors=governors, cancel=session.cancel_event, consumed_by_table=consumed)
    finally:
        for p in prepared.values():
            p.writer.rejects.close()
            p.writer.report.reject_path = str(p.writer.rejects.path) if p.writer.rejects.path else None
    outcomes = {}
    line = (f"One transaction (ddbsql.write.atomic=true): {total} item(s) into "
            f"{', '.join(p.target.table.qualified for p in prepared.values())}")
    for k, (index, p) in enumerate(prepared.items()):
        writer = p.writer
        writer.settled(collected[index], consumed.pop(p.facts.table_name, 0.0),
                       retries if k == 0 else 0, throttles if k == 0 else 0)
        notes = ([line] if k == 0 else []) + notes_of(index, writer.report)
        outcomes[index] = outcome_of(index, writer.report, notes)
    return outcomes
