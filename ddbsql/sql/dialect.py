"""The HiveQL dialect ddbsql parses: sqlglot's Hive dialect, plus the tree corrections
in :data:`TREE_FIXES` applied to every parsed statement.

Kept in one place so that extensions (extra keywords, functions, tree corrections) are
made as data on this dialect rather than scattered through the code.
"""
from __future__ import annotations

from typing import Callable

from sqlglot import exp
from sqlglot.dialects.hive import Hive
from sqlglot.tokens import TokenType

#: Hive's identity table functions (``noop``, ``noopwithmap`` and their streaming forms):
#: ``noop(ON t [PARTITION BY …] [ORDER BY …])`` returns the rows of ``t``.
IDENTITY_TABLE_FUNCTIONS = ("NOOP", "NOOPWITHMAP", "NOOPSTREAMING", "NOOPWITHMAPSTREAMING")


def _parse_identity_table_function(name: str):
    def parse(parser) -> exp.Expression:
        parser._match(TokenType.ON)
        source = parser._parse_table()
        depth = 0  # the partitioning and order do not change which rows come out
        while parser._curr and not (depth == 0 and parser._curr.token_type == TokenType.R_PAREN):
            depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(parser._curr.token_type, 0)
            parser._advance()
        return exp.Anonymous(this=name.lower(), expressions=[source])
    return parse


def _parse_first_last_value(cls: type[exp.Expression]):
    """``first_value(x, skip_nulls)`` / ``last_value(x, skip_nulls)``: Hive's second
    argument is SQL's IGNORE NULLS."""
    def parse(parser) -> exp.Expression:
        args = parser._parse_csv(parser._parse_assignment)
        value = cls(this=args[0]) if args else cls()
        if len(args) > 1 and isinstance(args[1], exp.Boolean) and args[1].this:
            return exp.IgnoreNulls(this=value)
        return value
    return parse


def _build_struct(args: list) -> exp.Struct:
    """``struct(a, b, …)``: Hive names the fields col1, col2, … whatever the arguments."""
    return exp.Struct(expressions=[
        exp.PropertyEQ(this=exp.to_identifier(f"col{i + 1}"), expression=arg) for i, arg in enumerate(args)])


class HiveQL(Hive):
    """sqlglot's Hive dialect, under ddbsql's name, with Hive's identity table functions."""

    class Parser(Hive.Parser):
        FUNCTIONS_WITH_ALIASED_ARGS = Hive.Parser.FUNCTIONS_WITH_ALIASED_ARGS - {"STRUCT"}
        FUNCTIONS = {**Hive.Parser.FUNCTIONS, "STRUCT": _build_struct}
        FUNCTION_PARSERS = {
            **Hive.Parser.FUNCTION_PARSERS,
            **{name: _parse_identity_table_function(name) for name in IDENTITY_TABLE_FUNCTIONS},
            "FIRST_VALUE": _parse_first_last_value(exp.FirstValue),
            "LAST_VALUE": _parse_first_last_value(exp.LastValue),
        }


DIALECT = HiveQL


def _from_first_joins(select: exp.Select) -> None:
    """``FROM a JOIN b ON … SELECT …``: sqlglot hangs the joins on the FROM table;
    they belong to the SELECT, as in ``SELECT … FROM a JOIN b ON …``."""
    source = select.args.get("from_") or select.args.get("from")
    table = source.this if source is not None else None
    joins = table.args.get("joins") if table is not None else None
    if not joins:
        return
    table.set("joins", None)
    select.set("joins", [*joins, *(select.args.get("joins") or [])])


def _identity_table_function(table: exp.Table) -> None:
    """``FROM noop(ON t …) a``: ``FROM (SELECT * FROM t) a``."""
    fn = table.this
    if not (isinstance(fn, exp.Anonymous) and fn.name.upper() in IDENTITY_TABLE_FUNCTIONS
            and len(fn.expressions) == 1):
        return
    source = fn.expressions[0]
    inner = source if isinstance(source, exp.Subquery) else exp.select("*").from_(source)
    if isinstance(inner, exp.Subquery):
        inner = exp.select("*").from_(inner)
    alias = table.args.get("alias") or exp.TableAlias(this=exp.to_identifier(f"_{fn.name.lower()}"))
    table.replace(exp.Subquery(this=inner, alias=alias))


_TABLE_GENERATORS = (exp.Explode, exp.Posexplode, exp.Inline, exp.Stack)


def _generator_columns(fn: exp.Expression) -> list[str]:
    """Hive's default column names of a table-generating function."""
    if isinstance(fn, exp.Posexplode):
        return ["pos", "val"]
    if isinstance(fn, exp.Stack):
        count = fn.this.to_py() if isinstance(fn.this, exp.Literal) and fn.this.is_int else 1
        return [f"col{i}" for i in range(max(len(fn.expressions) // max(count, 1), 1))]
    if isinstance(fn, exp.Explode) and isinstance(fn.this, (exp.VarMap, exp.Map)):
        return ["key", "value"]
    if isinstance(fn, exp.Inline) and isinstance(fn.this, exp.Array) and fn.this.expressions \
            and isinstance(fn.this.expressions[0], exp.Struct):
        return [e.this.name if isinstance(e, exp.PropertyEQ) else f"col{i + 1}"
                for i, e in enumerate(fn.this.expressions[0].expressions)]
    return ["col"]


def _generator_in_select(select: exp.Select) -> None:
    """``SELECT explode(x) [AS (a, b)] FROM t``: Hive's table-generating function as
    the only select expression is ``SELECT a, b FROM t LATERAL VIEW explode(x) _g AS a, b``."""
    if len(select.expressions) != 1:
        return
    item = select.expressions[0]
    fn, names = item, None
    if isinstance(item, exp.Aliases):
        fn, names = item.this, [i.name for i in item.expressions]
    elif isinstance(item, exp.Alias):
        fn, names = item.this, [item.alias]
    if not isinstance(fn, _TABLE_GENERATORS) or select.args.get("laterals"):
        return
    names = names or _generator_columns(fn)
    alias = exp.TableAlias(this=exp.to_identifier("_generated"),
                           columns=[exp.to_identifier(n) for n in names])
    source = select.args.get("from_") or select.args.get("from")
    if source is None:
        select.from_(exp.select("1").subquery("_dummy"), copy=False)
    elif select.args.get("where") and not select.args.get("joins"):
        # the WHERE filters the source rows, before the function runs (and must not
        # see the generated columns)
        table = source.this
        inner = exp.select("*").from_(table.copy()).where(select.args["where"].pop())
        source.set("this", inner.subquery(table.alias_or_name))
    select.set("expressions", [exp.column(n, table="_generated") for n in names])
    select.set("laterals", [exp.Lateral(this=fn, view=True, outer=False, alias=alias)])


_INTERVAL_UNITS = {u: u.upper() for u in ("second", "minute", "hour", "day", "month", "year")}
_INTERVAL_UNITS.update({u + "s": u.upper() for u in list(_INTERVAL_UNITS)})


def _number_unit_interval(alias: exp.Alias) -> None:
    """``(1) second``, ``2 days``, ``d + 30 days``: Hive reads a number followed by a
    time unit as an interval, not as a column alias."""
    unit = alias.args.get("alias")
    if not isinstance(unit, exp.Identifier) or unit.quoted or unit.name.lower() not in _INTERVAL_UNITS:
        return
    operand = alias.this
    while isinstance(operand, (exp.Add, exp.Sub)):
        operand = operand.expression
    if not ((isinstance(operand, exp.Literal) and not operand.is_string) or isinstance(operand, exp.Paren)):
        return
    interval = exp.Interval(this=operand.copy(), unit=exp.var(_INTERVAL_UNITS[unit.name.lower()]))
    if operand is alias.this:
        alias.replace(interval)
    else:
        operand.replace(interval)
        alias.replace(alias.this)


#: (node class, correction made in place), applied to every node of a parsed statement.
TREE_FIXES: tuple[tuple[type[exp.Expression], Callable[[exp.Expression], None]], ...] = (
    (exp.Select, _from_first_joins),
    (exp.Table, _identity_table_function),
    (exp.Select, _generator_in_select),
    (exp.Alias, _number_unit_interval),
)


def normalize(tree: exp.Expression) -> exp.Expression:
    """Apply :data:`TREE_FIXES` to ``tree`` (in place) and return it."""
    for node in list(tree.walk()):
        for cls, fix in TREE_FIXES:
            if isinstance(node, cls):
                fix(node)
    return tree
