"""Which WHERE conjuncts each table reference of a query may be read with.

A conjunct of a SELECT's WHERE may filter the reading of one of that SELECT's table
references when every column it names is that reference's, and the reference is not
on the NULL-supplying side of an outer join (there, filtering before the join would
turn a dropped row into a NULL-extended one).  ON clauses are never used.  Each
SELECT (subquery, CTE, UNION branch) is its own scope.  Pure; works on the tree as
parsed (unqualified columns are resolved against the scope's sources).
"""
from __future__ import annotations

import dataclasses
from typing import Mapping

from sqlglot import exp
from sqlglot.optimizer.scope import Scope, traverse_scope

from .predicates import conjuncts


@dataclasses.dataclass(frozen=True)
class ReferenceFilter:
    """What the query says about the rows one table reference must provide.

    ``conjuncts``: copies of the WHERE conjuncts that name only this reference.
    ``complete``: they are the whole WHERE (nothing else filters this SELECT's rows).
    ``limit``: the SELECT's LIMIT when it reads nothing but this reference and
    returns one row per row read (no join, aggregate, DISTINCT, ORDER BY, window,
    table function), so that reading may stop after ``limit`` qualifying rows.
    """

    conjuncts: tuple = ()
    complete: bool = False
    limit: int | None = None


NO_FILTER = ReferenceFilter()
_BLOCKING = (exp.Subquery, exp.Select, exp.Exists, exp.AggFunc, exp.Window, exp.Placeholder, exp.Lambda)
_ROW_CHANGING = (exp.AggFunc, exp.Window, exp.Explode, exp.Unnest, exp.UDTF, exp.Anonymous, exp.Subquery,
                 exp.Select)
_ORDERING_ARGS = ("group", "having", "qualify", "order", "sort", "cluster", "distribute", "distinct",
                  "offset", "laterals", "joins")


def reference_filters(tree: exp.Expression, columns: Mapping[int, frozenset]) -> dict[int, ReferenceFilter]:
    """:class:`ReferenceFilter` of each table reference, keyed by ``id()`` of its ``exp.Table``.

    ``columns`` maps ``id()`` of every catalog table reference in ``tree`` to its column
    names (lower case).  References not found in a SELECT scope get :data:`NO_FILTER`;
    so does everything when the tree has constructs scope analysis does not know.
    """
    result: dict[int, ReferenceFilter] = {}
    try:
        scopes = traverse_scope(tree)
    except Exception:  # noqa: BLE001 - no pushdown is always correct
        return result
    for scope in scopes:
        select = scope.expression
        if not isinstance(select, exp.Select):
            continue
        for alias, source in scope.sources.items():
            if isinstance(source, exp.Table) and id(source) in columns:
                result[id(source)] = _filter_for(scope, select, alias.lower(), source, columns)
    return result


def _filter_for(scope: Scope, select: exp.Select, alias: str, table: exp.Table,
                columns: Mapping[int, frozenset]) -> ReferenceFilter:
    where = select.args.get("where")
    parts = conjuncts(where.this) if where is not None else []
    if table.args.get("sample") or alias in _null_supplying(select):
        return ReferenceFilter((), not parts)
    mine = [p for p in parts if _owner(p, scope, columns) == alias]
    complete = len(mine) == len(parts)
    limit = _pushable_limit(select, scope) if complete else None
    return ReferenceFilter(tuple(p.copy() for p in mine), complete, limit)


def _null_supplying(select: exp.Select) -> set[str]:
    """Aliases whose rows an outer join of ``select`` may replace by NULLs."""
    seen: list[str] = []
    from_ = select.args.get("from_") or select.args.get("from")
    if from_ is not None:
        seen.append(from_.this.alias_or_name.lower())
    nullable: set[str] = set()
    for join in select.args.get("joins") or []:
        alias = join.this.alias_or_name.lower()
        side = (join.side or "").upper()
        kind = (join.kind or "").upper()
        if kind in ("SEMI", "ANTI"):
            nullable.add(alias)  # not visible in WHERE anyway
        elif side == "LEFT":
            nullable.add(alias)
        elif side == "RIGHT":
            nullable.update(seen)
        elif side == "FULL":
            nullable.update(seen)
            nullable.add(alias)
        seen.append(alias)
    return nullable


def _source_columns(source, columns: Mapping[int, frozenset]) -> frozenset | None:
    """Column names a source provides; None when unknown (then it may provide any)."""
    if isinstance(source, exp.Table):
        return columns.get(id(source))
    if isinstance(source, Scope):
        expression = source.expression
        if isinstance(expression, exp.Lateral):
            alias = expression.args.get("alias")
            return frozenset(c.name.lower() for c in alias.columns) if alias is not None else None
        if isinstance(expression, exp.Select) and not any(isinstance(s, exp.Star) or
                                                          (isinstance(s, exp.Column) and isinstance(s.this, exp.Star))
                                                          for s in expression.expressions):
            return frozenset(n.lower() for n in expression.named_selects)
    return None


def _owner(conjunct: exp.Expression, scope: Scope, columns: Mapping[int, frozenset]) -> str | None:
    """The one source alias every column of ``conjunct`` belongs to, or None."""
    if any(True for _ in conjunct.find_all(*_BLOCKING)):
        return None
    sources = {alias.lower(): source for alias, source in scope.sources.items()}
    owners = set()
    for column in conjunct.find_all(exp.Column):
        if column.args.get("db") or column.args.get("catalog") or not isinstance(column.this, exp.Identifier):
            return None
        if column.table:
            alias = column.table.lower()
            if alias not in sources:
                return None
            provided = _source_columns(sources[alias], columns)
            if provided is not None and column.name.lower() not in provided:
                return None
        else:
            name = column.name.lower()
            candidates = []
            for alias, source in sources.items():
                provided = _source_columns(source, columns)
                if provided is None:
                    return None
                if name in provided:
                    candidates.append(alias)
            if len(candidates) != 1:
                return None
            alias = candidates[0]
        owners.add(alias)
    return owners.pop() if len(owners) == 1 else None


def _pushable_limit(select: exp.Select, scope: Scope) -> int | None:
    limit = select.args.get("limit")
    if limit is None or len(scope.sources) != 1 or limit.args.get("offset"):
        return None
    if any(select.args.get(arg) for arg in _ORDERING_ARGS):
        return None
    if any(True for e in select.expressions for _ in e.find_all(*_ROW_CHANGING)):
        return None
    count = limit.expression
    if not isinstance(count, exp.Literal) or count.is_string or not count.this.isdigit():
        return None
    return int(count.this)
