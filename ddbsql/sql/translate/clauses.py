"""Rules for SELECT clauses: SORT BY / CLUSTER BY, GROUP BY ... WITH ROLLUP/CUBE,
LATERAL VIEW forms DuckDB lacks."""
from __future__ import annotations

from sqlglot import exp

from .base import Ctx, error_at, tpl
from .javadate import sql_str

def fix_sort_by(node, ctx):
    """SORT BY / CLUSTER BY: ordered output (sqlglot drops them for DuckDB); DISTRIBUTE BY
    is meaningless on one node."""
    sort, cluster = node.args.get("sort"), node.args.get("cluster")
    if not (sort or cluster or node.args.get("distribute")):
        return None
    new = node.copy()
    for key in ("sort", "cluster", "distribute"):
        new.set(key, None)
    if not node.args.get("order"):
        if sort:
            new.set("order", exp.Order(expressions=[e.copy() for e in sort.expressions]))
        elif cluster:
            new.set("order", exp.Order(expressions=[exp.Ordered(this=e.copy(), nulls_first=True)
                                                    for e in cluster.expressions]))
    return new


def fix_group_by(node, ctx):
    """GROUP BY a, b WITH ROLLUP | WITH CUBE | GROUPING SETS (...): the SQL-standard
    ROLLUP(a, b) / CUBE(a, b) / GROUPING SETS forms DuckDB understands."""
    exprs = node.expressions
    kind = next((k for k in ("rollup", "cube") if node.args.get(k)), None)
    new = node.copy()
    if kind and not any(m.expressions for m in node.args[kind]) and exprs:
        cls = exp.Rollup if kind == "rollup" else exp.Cube
        new.set(kind, [cls(expressions=[e.copy() for e in exprs])])
    elif not (node.args.get("grouping_sets") and exprs):
        return None
    new.set("expressions", [])
    return new


def _is_map_explode(lateral: exp.Expression, ctx: Ctx) -> bool:
    fn = lateral.this
    if type(fn) is not exp.Explode:
        return False
    alias = lateral.args.get("alias")
    return len(alias.columns if alias else []) == 2 or ctx.is_(fn.this, {exp.DataType.Type.MAP})


def _is_json_tuple(lateral: exp.Expression) -> bool:
    fn = lateral.this
    return isinstance(fn, exp.Anonymous) and str(fn.this).lower() == "json_tuple" \
        and len(fn.expressions) >= 2 and all(
            isinstance(k, exp.Literal) and k.is_string for k in fn.expressions[1:])


def _int_literal_value(node) -> int | None:
    return int(node.this) if isinstance(node, exp.Literal) and node.is_int else None


def fix_lateral_view(node, ctx):
    """LATERAL VIEW explode(map) t AS k, v: one row per entry (DuckDB cannot UNNEST a
    map); LATERAL VIEW OUTER: a row of NULLs when the array/map is NULL or empty
    (sqlglot drops OUTER); LATERAL VIEW json_tuple(j, 'k1', 'k2') t AS a, b: top-level
    values as strings.  The laterals of the SELECT become LATERAL joins, in order."""
    laterals = node.args.get("laterals") or []
    if not any(_is_map_explode(lat, ctx) or lat.args.get("outer") or _is_json_tuple(lat)
               or isinstance(lat.this, (exp.Stack, exp.Posexplode)) for lat in laterals):
        return None
    new = node.copy()
    keep, joins = [], list(new.args.get("joins") or [])
    for lat in new.args.get("laterals") or []:
        fn, alias = lat.this, lat.args.get("alias")
        cols = list(alias.columns) if alias else []
        if _is_map_explode(lat, ctx) and len(cols) == 2:
            projections = "UNNEST(MAP_KEYS(_X)) AS _C1, UNNEST(MAP_VALUES(_X)) AS _C2"
        elif type(fn) is exp.Explode and len(cols) == 1:
            projections = "UNNEST(_X) AS _C1"
        elif isinstance(fn, exp.Posexplode) and len(cols) == 2:
            projections = "UNNEST(GENERATE_SERIES(0, LEN(_X) - 1)) AS _C1, UNNEST(_X) AS _C2"
        elif _is_json_tuple(lat) and len(cols) == len(fn.expressions) - 1:
            paths = ['$."' + k.name.replace('"', '\\"') + '"' for k in fn.expressions[1:]]
            projections = ", ".join(
                f"CASE WHEN JSON_VALID(_X) THEN JSON_EXTRACT_STRING(_X, {sql_str(path)}) END"
                f" AS _C{i + 1}" for i, path in enumerate(paths))
        elif isinstance(fn, exp.Stack) and cols:
            rows = _int_literal_value(fn.this)
            values = fn.expressions
            if rows is None or rows <= 0 or len(values) != rows * len(cols):
                keep.append(lat)
                continue
            width = len(cols)
            projections = ", ".join(
                "UNNEST([" + ", ".join(values[r * width + c].sql(dialect="duckdb") for r in range(rows))
                + f"]) AS _C{c + 1}" for c in range(width))
        else:
            keep.append(lat)
            continue
        join = "LEFT JOIN LATERAL (SELECT {}) AS _A ON TRUE" if lat.args.get("outer") else \
            "CROSS JOIN LATERAL (SELECT {}) AS _A"
        names = {f"_C{i + 1}": c for i, c in enumerate(cols)}
        table = alias.this if alias and alias.this else exp.to_identifier("_lateral")
        arg = fn.expressions[0] if _is_json_tuple(lat) else fn.this
        joins.append(tpl("SELECT 1 FROM _T " + join.format(projections),
                          _X=arg, _A=table, **names).args["joins"][0])
    new.set("laterals", keep or None)
    new.set("joins", joins)
    return new


def _window_parts(name: str, defs: dict, seen: frozenset = frozenset()):
    """(partition_by, order, spec) of the named window ``name``, following
    ``w2 AS w1`` / ``w2 AS (w1 ROWS …)`` references in either direction."""
    window = defs.get(name)
    if window is None or name in seen:
        return None, None, None
    base = window.args.get("alias")
    partition, order, spec = _window_parts(base.name.lower(), defs, seen | {name}) if base else (None, None, None)
    return (window.args.get("partition_by") or partition, window.args.get("order") or order,
            window.args.get("spec") or spec)


def fix_named_windows(node, ctx):
    """WINDOW w1 AS (…), w2 AS w1: every OVER w gets the window written out (DuckDB
    cannot copy a window that has a frame, nor refer to one defined later)."""
    windows = node.args.get("windows")
    if not windows:
        return None
    defs = {w.this.name.lower(): w for w in windows if isinstance(w.this, exp.Identifier)}
    for window in node.find_all(exp.Window):
        if window.parent is node and window.arg_key == "windows":
            continue
        ref = window.args.get("alias")
        if ref is None or ref.name.lower() not in defs:
            continue
        partition, order, spec = _window_parts(ref.name.lower(), defs)
        window.set("alias", None)
        if partition and not window.args.get("partition_by"):
            window.set("partition_by", [p.copy() for p in partition])
        if order and not window.args.get("order"):
            window.set("order", order.copy())
        if spec and not window.args.get("spec"):
            window.set("spec", spec.copy())
        fix_range_on_text(window, ctx)
    node.set("windows", None)
    return None


def _is_offset(bound) -> bool:
    return isinstance(bound, exp.Expression) and not (
        isinstance(bound, exp.Var) or (isinstance(bound, str)) or bound.name.upper() in ("UNBOUNDED", "CURRENT ROW"))


def fix_range_on_text(node, ctx):
    """RANGE BETWEEN n PRECEDING AND m FOLLOWING ordered by text: Hive can only tell
    equal from different strings, so the frame is the current row's peers."""
    spec, order = node.args.get("spec"), node.args.get("order")
    if spec is None or order is None or str(spec.args.get("kind", "")).upper() != "RANGE":
        return None
    keys = order.expressions
    if len(keys) != 1 or not ctx.is_text(keys[0].this):
        return None
    for bound, side in (("start", "start_side"), ("end", "end_side")):
        if _is_offset(spec.args.get(bound)):
            spec.set(bound, "CURRENT ROW")
            spec.set(side, None)
    return None


_WINDOW_ONLY = (exp.Lag, exp.Lead, exp.FirstValue, exp.LastValue, exp.RowNumber, exp.Rank,
                exp.DenseRank, exp.CumeDist, exp.PercentRank, exp.Ntile)


def _inner_window_calls(window: exp.Window) -> list[exp.Expression]:
    """Window functions inside the aggregate of ``window`` (lag() with or without OVER)."""
    top = window.this
    while isinstance(top, (exp.IgnoreNulls, exp.RespectNulls)):
        top = top.this
    found = []
    for node in top.walk():
        if node is top:
            continue
        if isinstance(node, exp.Window) or (isinstance(node, _WINDOW_ONLY) and not isinstance(
                node.parent, (exp.Window, exp.IgnoreNulls, exp.RespectNulls))):
            if not any(node is f or f in node.walk() for f in found):
                found.append(node)
    return [f for f in found if not any(f is not g and f in g.walk() for g in found)]


def fix_nested_windows(node, ctx):
    """sum(lag(x, 1)) OVER w: Hive computes the inner window function first (with the
    outer window's partitioning and order when it has no OVER of its own); DuckDB
    refuses window functions inside window aggregates, so they move to a derived table."""
    if node.args.get("group") or node.args.get("having") or node.args.get("joins") \
            or node.args.get("laterals"):
        return None
    source = node.args.get("from_") or node.args.get("from")
    if source is None:
        return None
    outer = [w for w in node.find_all(exp.Window) if _inner_window_calls(w)]
    if not outer:
        return None
    for window in outer:
        spec = window.args.get("spec")
        start = spec.args.get("start") if spec is not None else None
        if spec is not None and not (isinstance(start, str) and start.upper() == "UNBOUNDED"
                                     or getattr(start, "name", "").upper() == "UNBOUNDED"):
            # Hive then evaluates the inner function within each frame, not the partition
            raise error_at(window, "a window function inside a window aggregate needs a frame that "
                                   "starts at UNBOUNDED PRECEDING")
    extra = []
    for window in outer:
        for call in _inner_window_calls(window):
            name = f"_inner_window_{len(extra) + 1}"
            if isinstance(call, exp.Window):
                computed = call.copy()
            else:
                computed = exp.Window(this=call.copy(),
                                      partition_by=[p.copy() for p in window.args.get("partition_by") or []],
                                      order=window.args["order"].copy() if window.args.get("order") else None)
            extra.append(exp.alias_(computed, name))
            call.replace(exp.column(name))
    table = source.this
    alias = table.alias_or_name if isinstance(table, (exp.Table, exp.Subquery)) else "_inner"
    inner = exp.select(exp.Star(), *extra).from_(table.copy())
    if node.args.get("where"):
        inner.set("where", node.args["where"].copy())
        node.set("where", None)
    source.set("this", inner.subquery(alias))
    return None
