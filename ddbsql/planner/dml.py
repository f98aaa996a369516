"""UPDATE, DELETE and MERGE on a DynamoDB table, as pure decisions: which rows to find
(one SELECT, planned like any other), which values each change writes, which attributes
its condition checks, and what is refused.

The finding SELECT names its output columns so that the executor can build requests
without knowing SQL:

``__k<i>``  the key attributes (hash, then range) of the item to change, as read;
``__o<i>``  the attribute of read column ``i`` as it was read (the condition checks it);
``__n<i>``  the new value of SET column ``i`` (UPDATE, MERGE's update);
``__v<i>``  the value of target column ``i`` an insert writes (MERGE's insert);
``__a``     MERGE only: the action chosen for the row (see :class:`MergeAction`).
"""
from __future__ import annotations

import dataclasses
import enum
from typing import Sequence

from sqlglot import exp

from ..catalog.binding import ColumnBinding, raw_name
from ..errors import SemanticError

class MergeAction(enum.IntEnum):
    """What MERGE does with one row of ``source LEFT JOIN target``."""

    NOTHING = 0
    UPDATE = 1
    DELETE = 2
    INSERT = 3


class DmlKind(enum.Enum):
    UPDATE = "UPDATE"
    DELETE = "DELETE"
    MERGE = "MERGE"


@dataclasses.dataclass(frozen=True)
class MergeParts:
    """What a MERGE's finding SELECT is made of, to rebuild it with the target read only
    at some keys (:func:`merge_select`).  ``source_keys``: per key column, the source
    expression ON compares it with."""

    columns: tuple
    source: exp.Expression
    target: exp.Table
    on: exp.Expression
    alias: str
    source_keys: tuple


@dataclasses.dataclass(frozen=True)
class DmlPlan:
    """What one UPDATE/DELETE/MERGE does to its DynamoDB table.

    ``select``: the finding query (Hive syntax tree) over the target (and MERGE's
    source); ``keys``: the key column bindings (``__k<i>``); ``read``: the columns the
    condition checks (``__o<i>``); ``sets``: the columns an update writes (``__n<i>``);
    ``inserts``: every column an insert writes (``__v<i>``), MERGE only.
    """

    kind: DmlKind
    select: exp.Select
    keys: tuple[ColumnBinding, ...]
    read: tuple[ColumnBinding, ...]
    sets: tuple[ColumnBinding, ...]
    inserts: tuple[ColumnBinding, ...] = ()
    has_where: bool = True
    merge: MergeParts | None = None


def _column_names(node: exp.Expression | None, alias: str | None = None) -> set[str]:
    """Lower-case names of the columns ``node`` refers to (of ``alias`` only, when given)."""
    if node is None:
        return set()
    names = set()
    for column in node.find_all(exp.Column):
        if alias is not None and column.table and column.table.lower() != alias:
            continue
        names.add(column.name.lower())
    return names


def _key_bindings(bindings: Sequence[ColumnBinding], key_attributes: Sequence[str], table: str) -> tuple:
    by_attribute = {b.attribute: b for b in bindings if b.attribute}
    keys = []
    for attribute in key_attributes:
        binding = by_attribute.get(attribute)
        if binding is None:
            raise SemanticError(f"{table}: the key attribute '{attribute}' is not mapped to a column; "
                                "its items cannot be changed by SQL")
        keys.append(binding)
    return tuple(keys)


def _set_pairs(assignments: Sequence[exp.Expression], bindings: Sequence[ColumnBinding],
               keys: Sequence[ColumnBinding], table: str) -> list[tuple[ColumnBinding, exp.Expression]]:
    by_name = {b.name: b for b in bindings}
    key_names = {b.name for b in keys}
    pairs = []
    seen = set()
    for assignment in assignments:
        if not isinstance(assignment, exp.EQ) or not isinstance(assignment.this, exp.Column):
            raise SemanticError(f"SET needs column = value pairs, not {assignment.sql(dialect='hive')}")
        name = assignment.this.name.lower()
        binding = by_name.get(name)
        if binding is None:
            raise SemanticError(f"SET: column '{name}' is not in table {table}")
        if name in key_names:
            raise SemanticError(f"SET: '{name}' is a key column of {table}; a key cannot be changed "
                                "(delete the item and insert it with the new key)")
        if binding.is_item:
            raise SemanticError(f"SET: '{name}' holds the whole item and cannot be set")
        if name in seen:
            raise SemanticError(f"SET: column '{name}' is set twice")
        seen.add(name)
        pairs.append((binding, assignment.expression))
    return pairs


def _read_columns(bindings: Sequence[ColumnBinding], names: set[str], keys: Sequence[ColumnBinding]) -> tuple:
    """Bindings among ``names`` the condition checks: every column read but the keys
    (the key is checked by existence) and the whole-item column (which cannot be SET)."""
    key_names = {b.name for b in keys}
    return tuple(b for b in bindings if b.name in names and b.name not in key_names and not b.is_item)


def _as_read(binding: ColumnBinding, alias: str | None = None) -> exp.Column:
    """The column holding ``binding``'s attribute exactly as DynamoDB returned it (JSON
    text, see :mod:`ddbsql.exec.raw_values`), which the finding query selects: the
    condition compares that, never a converted value."""
    return exp.column(raw_name(binding.name), table=alias)


def _alias(name: str, expression: exp.Expression) -> exp.Alias:
    return exp.alias_(expression, name, quoted=False)


def plan_update(tree: exp.Update, bindings: Sequence[ColumnBinding], key_attributes: Sequence[str],
                table: str) -> DmlPlan:
    """``UPDATE t SET c = expr, … [WHERE …]``."""
    keys = _key_bindings(bindings, key_attributes, table)
    pairs = _set_pairs(tree.expressions, bindings, keys, table)
    where = tree.args.get("where")
    condition = where.this if where is not None else None
    read = _read_columns(bindings, {b.name for b, _ in pairs} | _column_names(condition)
                         | set().union(*(_column_names(e) for _, e in pairs)), keys)
    columns = [_alias(f"__k{i}", _as_read(b)) for i, b in enumerate(keys)]
    columns += [_alias(f"__o{i}", _as_read(b)) for i, b in enumerate(read)]
    columns += [_alias(f"__n{i}", e.copy()) for i, (_, e) in enumerate(pairs)]
    select = exp.select(*columns).from_(tree.this.copy())
    if condition is not None:
        select = select.where(condition.copy())
    return DmlPlan(DmlKind.UPDATE, select, keys, read, tuple(b for b, _ in pairs), has_where=condition is not None)


def plan_delete(tree: exp.Delete, bindings: Sequence[ColumnBinding], key_attributes: Sequence[str],
                table: str) -> DmlPlan:
    """``DELETE FROM t [WHERE …]``."""
    keys = _key_bindings(bindings, key_attributes, table)
    where = tree.args.get("where")
    condition = where.this if where is not None else None
    read = _read_columns(bindings, _column_names(condition), keys)
    columns = [_alias(f"__k{i}", _as_read(b)) for i, b in enumerate(keys)]
    columns += [_alias(f"__o{i}", _as_read(b)) for i, b in enumerate(read)]
    select = exp.select(*columns).from_(tree.this.copy())
    if condition is not None:
        select = select.where(condition.copy())
    return DmlPlan(DmlKind.DELETE, select, keys, read, (), has_where=condition is not None)


def target_of(tree: exp.Update | exp.Delete | exp.Merge) -> exp.Table:
    target = tree.this
    if not isinstance(target, exp.Table):
        raise SemanticError(f"{tree.key.upper()} needs a table")
    return target


def plan_merge(tree: exp.Merge, bindings: Sequence[ColumnBinding], key_attributes: Sequence[str],
               table: str) -> DmlPlan:
    """``MERGE INTO t [AS x] USING src [AS s] ON <key match> WHEN …`` (Hive 2.2+).

    ON must compare every key column of ``t`` with ``=`` to an expression of the source
    and nothing else, so that each source row meets at most one item.
    """
    keys = _key_bindings(bindings, key_attributes, table)
    target = target_of(tree)
    alias = (target.alias or target.name).lower()
    matched_with = _check_key_match(tree.args.get("on"), keys, alias, table)
    whens = tree.args.get("whens")
    clauses = list(whens.expressions) if whens is not None else []
    if not clauses:
        raise SemanticError("MERGE needs at least one WHEN clause")
    matched_key = exp.column(keys[0].name, table=alias)
    is_matched = exp.Not(this=exp.Is(this=matched_key.copy(), expression=exp.Null()))
    cases = exp.Case()
    sets: list[tuple[ColumnBinding, exp.Expression]] = []
    inserts: tuple = ()
    read_names: set[str] = set()
    values: list[exp.Expression] = []
    for clause in clauses:
        matched = bool(clause.args.get("matched"))
        if clause.args.get("source"):
            raise SemanticError("MERGE: WHEN NOT MATCHED BY SOURCE is not HiveQL")
        condition = clause.args.get("condition")
        action = clause.args.get("then")
        test = is_matched.copy() if matched else exp.Not(this=exp.paren(is_matched.copy()))
        if condition is not None:
            test = exp.and_(test, exp.paren(condition.copy()))
            read_names |= _column_names(condition, alias)
        if matched and isinstance(action, exp.Update):
            if sets:
                raise SemanticError("MERGE: at most one WHEN MATCHED … UPDATE clause")
            sets = _set_pairs(action.expressions, bindings, keys, table)
            read_names |= {b.name for b, _ in sets}
            for _, expression in sets:
                read_names |= _column_names(expression, alias)
            kind = MergeAction.UPDATE
        elif matched and isinstance(action, exp.Var) and action.name.upper() == "DELETE":
            kind = MergeAction.DELETE
        elif not matched and isinstance(action, exp.Insert):
            if inserts:
                raise SemanticError("MERGE: at most one WHEN NOT MATCHED … INSERT clause")
            row = action.expression
            row_values = list(row.expressions) if isinstance(row, exp.Tuple) else [row]
            if action.this is not None:
                raise SemanticError("MERGE: INSERT takes a value for every column, in order (no column list)")
            if len(row_values) != len(bindings):
                raise SemanticError(f"MERGE: INSERT VALUES has {len(row_values)} value(s) but {table} has "
                                    f"{len(bindings)} column(s) ({', '.join(b.name for b in bindings)})")
            inserts = tuple(bindings)
            values = row_values
            kind = MergeAction.INSERT
        else:
            raise SemanticError("MERGE: WHEN MATCHED takes UPDATE SET … or DELETE; WHEN NOT MATCHED takes "
                                "INSERT VALUES (…)")
        cases = cases.when(test, exp.Literal.number(int(kind)))
    cases = cases.else_(exp.Literal.number(int(MergeAction.NOTHING)))
    read = _read_columns(bindings, read_names, keys)
    columns = [_alias(f"__k{i}", _as_read(b, alias)) for i, b in enumerate(keys)]
    columns += [_alias(f"__o{i}", _as_read(b, alias)) for i, b in enumerate(read)]
    columns += [_alias(f"__n{i}", e.copy()) for i, (_, e) in enumerate(sets)]
    columns += [_alias(f"__v{i}", e.copy()) for i, e in enumerate(values)]
    columns.append(_alias("__a", cases))
    joined = target.copy()
    if not target.alias:
        joined.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
    parts = MergeParts(tuple(columns), tree.args["using"].copy(), joined, tree.args["on"].copy(), alias,
                       tuple(matched_with[b.name] for b in keys))
    return DmlPlan(DmlKind.MERGE, merge_select(parts), keys, read, tuple(b for b, _ in sets), inserts, merge=parts)


def merge_select(parts: MergeParts, target_filter: exp.Expression | None = None) -> exp.Select:
    """``SELECT … FROM source LEFT JOIN target ON …``; with ``target_filter`` (a condition
    on the target's key columns) the target is read only where it holds, so the planner
    can look the items up by key instead of scanning."""
    target: exp.Expression = parts.target.copy()
    if target_filter is not None:
        inner = parts.target.copy()
        inner.set("alias", None)
        target = exp.select("*").from_(inner).where(target_filter).subquery(parts.alias)
    return (exp.select(*[c.copy() for c in parts.columns]).from_(parts.source.copy())
            .join(target, on=parts.on.copy(), join_type="left"))


def _check_key_match(on: exp.Expression | None, keys: Sequence[ColumnBinding], alias: str,
                     table: str) -> dict[str, exp.Expression]:
    """ON is ``x.k1 = <source expr> [AND x.k2 = <source expr>]`` over exactly the key
    columns; returns each key column's source expression."""
    wanted = {b.name for b in keys}
    hint = " AND ".join(f"{alias}.{b.name} = <source value>" for b in keys)
    if on is None:
        raise SemanticError(f"MERGE needs ON {hint}")
    parts = list(on.flatten()) if isinstance(on, exp.And) else [on]
    found: dict[str, exp.Expression] = {}
    for part in parts:
        while isinstance(part, exp.Paren):
            part = part.this
        if not isinstance(part, exp.EQ):
            break
        sides = [part.this, part.expression]
        target_side = [s for s in sides if isinstance(s, exp.Column) and s.table.lower() == alias]
        if len(target_side) != 1 or target_side[0].name.lower() not in wanted:
            break
        other = sides[1] if sides[0] is target_side[0] else sides[0]
        if any(c.table.lower() == alias for c in other.find_all(exp.Column)):
            break
        found[target_side[0].name.lower()] = other
    else:
        if set(found) == wanted and len(parts) == len(wanted):
            return found
    raise SemanticError(f"MERGE ON must match the key of {table} and nothing else: ON {hint}")
