"""The item changes of UPDATE, DELETE and MERGE from the rows their finding SELECT
returned (see :mod:`ddbsql.planner.dml` for the columns): keys and the values read (the
condition) exactly as DynamoDB returned them, the new values encoded as the batch writer
encodes rows."""
from __future__ import annotations

import pyarrow as pa

from ...catalog.binding import ColumnBinding
from ...errors import SemanticError
from ...exec.changes import Action, ItemChange
from ...exec.encode import encode_batch
from ...exec.raw_values import attribute_from_json
from ...exec.rejects import RejectLog
from ...exec.transact import key_text
from ...planner.dml import DmlKind, DmlPlan, MergeAction


def _encoded(rows: pa.Table, prefix: str, bindings: tuple[ColumnBinding, ...], *, key_attributes=(),
             null_serialization: bool = False) -> tuple[list[dict | None], dict[int, str]]:
    """Per row, the item the ``prefix`` columns make (None where it could not be encoded)
    and the reasons of those rows."""
    if not bindings:
        return [{} for _ in range(rows.num_rows)], {}
    arrays = [rows.column(f"{prefix}{i}").combine_chunks() for i in range(len(bindings))]
    batch = pa.RecordBatch.from_arrays(arrays, names=[b.name for b in bindings])
    items, rejects = encode_batch(batch, list(bindings), key_attributes=key_attributes,
                                  null_serialization=null_serialization)
    reasons = {row: reason for row, _, reason in rejects}
    out: list[dict | None] = []
    it = iter(items)
    for row in range(rows.num_rows):
        out.append(None if row in reasons else next(it))
    return out, reasons


def _as_read(rows: pa.Table, prefix: str, bindings: tuple[ColumnBinding, ...]) -> list[dict]:
    """Per row, attribute -> the AttributeValue read (None: the item lacked it)."""
    columns = [rows.column(f"{prefix}{i}").to_pylist() for i in range(len(bindings))]
    return [{b.attribute: attribute_from_json(column[row]) for b, column in zip(bindings, columns)}
            for row in range(rows.num_rows)]


def changes_from_rows(plan: DmlPlan, rows: pa.Table, key_attributes, null_serialization: bool,
                      rejects: RejectLog) -> list[ItemChange]:
    """One change per found row (rows that cannot be written go to the reject file)."""
    keys = _as_read(rows, "__k", plan.keys)
    expected = _as_read(rows, "__o", plan.read)
    new, new_reasons = _encoded(rows, "__n", plan.sets, null_serialization=null_serialization)
    inserted, insert_reasons = _encoded(rows, "__v", plan.inserts, key_attributes=key_attributes,
                                        null_serialization=null_serialization)
    actions = rows.column("__a").to_pylist() if plan.kind is DmlKind.MERGE else None
    changes: list[ItemChange] = []
    seen: dict[tuple, int] = {}
    for row in range(rows.num_rows):
        if plan.kind is DmlKind.MERGE:
            kind = MergeAction(actions[row] or 0)
            if kind is MergeAction.NOTHING:
                continue
            action = {MergeAction.UPDATE: Action.UPDATE, MergeAction.DELETE: Action.DELETE,
                      MergeAction.INSERT: Action.PUT}[kind]
        else:
            action = Action.UPDATE if plan.kind is DmlKind.UPDATE else Action.DELETE
        if action is Action.PUT:
            item = inserted[row]
            if item is None:
                rejects.add(row, None, insert_reasons[row])
                continue
            key = {k: item[k] for k in key_attributes}
            change = ItemChange(row, action, key, values=item)
        else:
            key = keys[row]
            if action is Action.UPDATE and new[row] is None:
                rejects.add(row, key, new_reasons[row])
                continue
            old = expected[row]
            values = {}
            if action is Action.UPDATE:
                values = {b.attribute: new[row].get(b.attribute) for b in plan.sets}
            change = ItemChange(row, action, key, expected=old, values=values)
        identity = tuple(sorted((k, str(v)) for k, v in key.items()))
        if identity in seen:
            raise SemanticError(f"{plan.kind.value}: source rows {seen[identity] + 1} and {row + 1} both change the "
                                f"item {key_text(key)} (Hive's cardinality check); nothing was written")
        seen[identity] = row
        changes.append(change)
    return changes
