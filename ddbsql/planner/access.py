"""Choosing how to read one table reference: GetItem/BatchGetItem, Query, or Scan.

:func:`plan_access` is pure.  From the table facts, the column bindings, the WHERE
conjuncts of the reference (see :mod:`ddbsql.planner.scopes`) and the settings, it
returns an :class:`AccessPlan` holding the exact requests to send.  The rules:

* every key lookup and filter is *sound*: it keeps every item on which the WHERE
  is TRUE (see :mod:`ddbsql.planner.predicates`).  The caller still applies the
  whole WHERE in DuckDB, so a plan can only ever read less, never answer differently;
* GetItem (one key) / BatchGetItem when ``=``/``IN`` fix the whole primary key;
* else a Query on the table, an LSI or a GSI whose hash key ``=``/``IN`` fixes (one
  Query per hash value), with the best sort key condition (``=``; bounds merged into
  BETWEEN; begins_with from ``LIKE 'abc%'``; one bound).  An index is used only when
  its projection holds every needed attribute, when the WHERE implies its key
  attributes exist (a sparse index lacks the other items), and, for a GSI, when
  reads need not be strongly consistent;
* else a parallel Scan;
* the FilterExpression is the AND of every other pushable conjunct (for a Query,
  those not naming a key attribute, which DynamoDB refuses); the ProjectionExpression
  names the needed attributes; names and values are always placeholders;
* LIMIT becomes "stop reading after n rows" only when DynamoDB decides the whole WHERE
  exactly (:attr:`AccessPlan.exact`), and ``Limit`` is sent only when nothing is
  filtered out of a page.
"""
from __future__ import annotations

import dataclasses
import itertools
from typing import Sequence

from ..catalog.binding import ColumnBinding
from ..catalog.facts import IndexFacts, TableFacts
from .conditions import (BeginsWith, Between, Compare, Condition, HasType, Placeholders, attributes_of, conjoin,
                         operator_count)
from .cost import Estimate, get_estimate, query_estimate, query_items, range_fraction, scan_estimate
from .predicates import Analysis, KeyTerm, analyse, order_key
from .scan import ScanPlan, segment_count
from .scopes import NO_FILTER, ReferenceFilter

#: Most keys fetched by key lookups for one reference (BatchGetItem sends 100 a call).
MAX_KEYS = 1000
#: Most Queries sent for one reference (one per hash value, or hash x sort value).
MAX_QUERIES = 100
#: DynamoDB's limits on one expression.
MAX_EXPRESSION_CHARS = 4096
MAX_OPERATORS = 300
BATCH_GET_KEYS = 100


@dataclasses.dataclass(frozen=True)
class QueryPlan:
    """One or more Queries run in parallel (one per hash key value); ``requests`` are
    complete Query parameters but for ExclusiveStartKey."""

    table_name: str
    index_name: str | None
    bindings: tuple[ColumnBinding, ...]
    requests: tuple[dict, ...]


@dataclasses.dataclass(frozen=True)
class GetPlan:
    """Items fetched by primary key: GetItem for one key, BatchGetItem (100 a call) for more."""

    table_name: str
    bindings: tuple[ColumnBinding, ...]
    keys: tuple[dict, ...]
    projection: str | None
    attribute_names: dict
    consistent_read: bool

    @property
    def operation(self) -> str:
        return "GetItem" if len(self.keys) == 1 else "BatchGetItem"

    def requests(self) -> list[dict]:
        """GetItem parameters (one key) or BatchGetItem parameters, one per 100 keys."""
        common: dict = {}
        if self.projection:
            common["ProjectionExpression"] = self.projection
            common["ExpressionAttributeNames"] = dict(self.attribute_names)
        if self.consistent_read:
            common["ConsistentRead"] = True
        if len(self.keys) == 1:
            return [{"TableName": self.table_name, "Key": self.keys[0], **common}]
        return [{"RequestItems": {self.table_name: {"Keys": list(self.keys[i:i + BATCH_GET_KEYS]), **common}}}
                for i in range(0, len(self.keys), BATCH_GET_KEYS)]


Read = ScanPlan | QueryPlan | GetPlan


@dataclasses.dataclass(frozen=True)
class AccessPlan:
    """How one table reference is read, and what that leaves to DuckDB.

    ``operation``: GetItem, BatchGetItem, Query or Scan.  ``read``: the requests.
    ``stop_after``: stop after this many rows (a pushed LIMIT), else None.
    ``pushed``: the Hive conjuncts DynamoDB evaluates (as key condition or filter);
    ``residual``: those it does not decide exactly.  ``exact``: DynamoDB returns exactly
    the rows the WHERE keeps (DuckDB still applies the WHERE either way).
    ``notes``: why an index or pushdown was not used.
    """

    operation: str
    read: Read
    estimate: Estimate
    stop_after: int | None = None
    pushed: tuple[str, ...] = ()
    residual: tuple[str, ...] = ()
    exact: bool = False
    notes: tuple[str, ...] = ()

    @property
    def table_name(self) -> str:
        return self.read.table_name

    @property
    def index_name(self) -> str | None:
        return getattr(self.read, "index_name", None)

    @property
    def bindings(self) -> tuple[ColumnBinding, ...]:
        return self.read.bindings


@dataclasses.dataclass
class _Target:
    """A table or index a Query could read."""

    name: str | None            # index name; None for the table itself
    kind: str                   # TABLE, LSI or GSI
    hash_key: str
    range_key: str | None


@dataclasses.dataclass
class _Candidate:
    target: _Target
    hash_values: tuple
    range_condition: Condition | None
    range_values: tuple         # several sort key values: one Query per (hash, sort) pair
    range_op: str | None
    used: dict                  # conjunct index -> decided exactly by the key condition
    per_query: float
    estimate: Estimate
    rank: int


def plan_access(facts: TableFacts, bindings: Sequence[ColumnBinding], needed: Sequence[ColumnBinding],
                where: ReferenceFilter = NO_FILTER, *, pushdown: bool = True, consistent_read: bool = False,
                segments: int | None = None, pushdown_off_reason: str | None = None,
                read_budget: float | None = None) -> AccessPlan:
    """The cheapest correct way to read ``needed`` columns of ``facts.table_name``.

    ``segments``: the user's Scan segment count, else one is chosen from the table's size
    and the page size ``read_budget`` (RCU/s) allows (see :func:`~ddbsql.planner.scan.segment_count`).

    ``bindings``: every column of the table (to resolve the WHERE's columns);
    ``needed``: the columns decoded, in order.  ``pushdown=False`` gives a plain Scan
    with projection only (``pushdown_off_reason`` is noted).
    """
    columns = {b.name: b for b in bindings}
    if not pushdown:
        where = NO_FILTER
    parts = list(where.conjuncts)
    analyses = [analyse(c, columns) for c in parts]
    texts = [c.sql(dialect="hive") for c in parts]
    notes: list[str] = []
    if not pushdown:
        notes.append(f"pushdown disabled ({pushdown_off_reason})" if pushdown_off_reason else "pushdown disabled")
    attributes = _needed_attributes(needed)

    lookup = _key_lookup(facts, analyses)
    if lookup is not None:
        keys, used = lookup
        names = Placeholders()
        projection = names.projection(attributes) if attributes is not None else None
        read = GetPlan(facts.table_name, tuple(needed), keys, projection, dict(names.names), consistent_read)
        decided = {i for i, exact in used.items() if exact}
        return _finish(read.operation, read, get_estimate(facts, len(keys), consistent_read), where, texts,
                       set(used), decided, notes)

    candidate = _best_query(facts, analyses, attributes, consistent_read, notes)
    if candidate is not None:
        forbidden = set(facts.key_attributes) | {candidate.target.hash_key}
        if candidate.target.range_key:
            forbidden.add(candidate.target.range_key)
        filters = [i for i, a in enumerate(analyses) if i not in candidate.used and a.true.condition is not None
                   and not attributes_of(a.true.condition) & forbidden]
        filters = _fit(filters, analyses)
        filter_condition = conjoin(analyses[i].true.condition for i in filters)
        decided = {i for i, exact in candidate.used.items() if exact} | {i for i in filters if analyses[i].true.exact}
        stop_after = _stop_after(where, decided, len(parts))
        requests = _query_requests(facts, candidate, filter_condition, attributes, consistent_read,
                                   stop_after if filter_condition is None else None)
        read = QueryPlan(facts.table_name, candidate.target.name, tuple(needed), tuple(requests))
        return _finish("Query", read, candidate.estimate, where, texts, set(candidate.used) | set(filters),
                       decided, notes)

    filters = _fit([i for i, a in enumerate(analyses) if a.true.condition is not None], analyses)
    filter_condition = conjoin(analyses[i].true.condition for i in filters)
    decided = {i for i in filters if analyses[i].true.exact}
    stop_after = _stop_after(where, decided, len(parts))
    names = Placeholders()
    projection = names.projection(attributes) if attributes else None
    filter_text = names.render(filter_condition) if filter_condition is not None else None
    count = 1 if stop_after is not None else segment_count(facts, segments, read_budget=read_budget,
                                                             consistent=consistent_read)
    read = ScanPlan(facts.table_name, tuple(needed), count,
                    projection, dict(names.names), consistent_read, filter_text, dict(names.values),
                    stop_after if stop_after and filter_condition is None else None)
    estimate = scan_estimate(facts, consistent_read, segments=read.segments, limit=read.limit)
    return _finish("Scan", read, estimate, where, texts, set(filters), decided, notes)


def _stop_after(where: ReferenceFilter, decided: set[int], conjuncts: int) -> int | None:
    """The pushed LIMIT: only when DynamoDB decides every conjunct of the WHERE exactly."""
    return where.limit if where.complete and len(decided) == conjuncts else None


def _finish(operation: str, read: Read, estimate: Estimate, where: ReferenceFilter, texts: list[str],
            pushed: set[int], decided: set[int], notes: list[str]) -> AccessPlan:
    exact = where.complete and len(decided) == len(texts)
    return AccessPlan(operation, read, estimate, _stop_after(where, decided, len(texts)),
                      tuple(texts[i] for i in sorted(pushed)),
                      tuple(t for i, t in enumerate(texts) if i not in decided),
                      exact, tuple(notes))


def _needed_attributes(needed: Sequence[ColumnBinding]) -> list[str] | None:
    """Attribute names to project, in order; None when whole items are needed."""
    if any(b.is_item for b in needed):
        return None
    return list(dict.fromkeys(b.attribute for b in needed if b.attribute is not None))  # each once


def _fit(indexes: list[int], analyses: list[Analysis]) -> list[int]:
    """The longest prefix of ``indexes`` whose filter stays within DynamoDB's expression limits."""
    while indexes:
        condition = conjoin(analyses[i].true.condition for i in indexes)
        names = Placeholders()
        text = names.render(condition)
        if len(text) <= MAX_EXPRESSION_CHARS and operator_count(condition) <= MAX_OPERATORS:
            return indexes
        indexes = indexes[:-1]
    return indexes


# -- key terms -------------------------------------------------------------------------

def _usable(value: dict) -> bool:
    """DynamoDB refuses empty strings as key values (and no item has one)."""
    return value.get("S") != ""


def _terms(analyses: list[Analysis], attribute: str, ddb_type: str | None) -> list[tuple[int, KeyTerm]]:
    return [(i, a.key) for i, a in enumerate(analyses)
            if a.key is not None and a.key.attribute == attribute and a.key.type == ddb_type
            and all(_usable(v) for v in a.key.values)]


def _equalities(analyses: list[Analysis], attribute: str, ddb_type: str | None) -> tuple[int, KeyTerm] | None:
    """The ``=``/IN term on ``attribute`` with the fewest values."""
    found = [(i, t) for i, t in _terms(analyses, attribute, ddb_type) if t.op == "in"]
    return min(found, key=lambda it: len(it[1].values)) if found else None


def _key_lookup(facts: TableFacts, analyses: list[Analysis]) -> tuple[tuple[dict, ...], dict] | None:
    """(keys, used conjuncts) when ``=``/IN fix the whole primary key, else None."""
    hash_term = _equalities(analyses, facts.hash_key, facts.attribute_types.get(facts.hash_key))
    if hash_term is None:
        return None
    used = {hash_term[0]: hash_term[1].exact}
    value_sets = [[(facts.hash_key, v) for v in hash_term[1].values]]
    if facts.range_key:
        range_term = _equalities(analyses, facts.range_key, facts.attribute_types.get(facts.range_key))
        if range_term is None:
            return None
        used[range_term[0]] = range_term[1].exact
        value_sets.append([(facts.range_key, v) for v in range_term[1].values])
    count = 1
    for values in value_sets:
        count *= len(values)
    if count > MAX_KEYS:
        return None
    keys = tuple(dict(combination) for combination in itertools.product(*value_sets))
    return keys, used


def _targets(facts: TableFacts) -> list[tuple[_Target, IndexFacts | None]]:
    targets = [(_Target(None, "TABLE", facts.hash_key, facts.range_key), None)]
    for index in facts.indexes:
        targets.append((_Target(index.name, index.kind, index.hash_key, index.range_key), index))
    return targets


def _covers(facts: TableFacts, index: IndexFacts, attributes: list[str] | None) -> bool:
    if index.projection == "ALL":
        return True
    if attributes is None:
        return False
    have = set(facts.key_attributes) | {index.hash_key} | ({index.range_key} if index.range_key else set())
    if index.projection == "INCLUDE":
        have |= set(index.projected)
    return set(attributes) <= have


def _range_choice(terms: list[tuple[int, KeyTerm]]) -> tuple[Condition | None, tuple, str | None, dict]:
    """(sort key condition, several = values, its kind, used conjuncts) from the terms on a sort key."""
    equalities = [(i, t) for i, t in terms if t.op == "in"]
    if equalities:
        i, term = min(equalities, key=lambda it: len(it[1].values))
        if len(term.values) == 1:
            return Compare(term.attribute, "=", term.values[0]), (), "=", {i: term.exact}
        return None, term.values, "=", {i: term.exact}
    lower = [(i, t, t.values[0]) for i, t in terms if t.op in (">", ">=")]
    lower += [(i, t, t.values[0]) for i, t in terms if t.op == "between"]
    upper = [(i, t, t.values[0]) for i, t in terms if t.op in ("<", "<=")]
    upper += [(i, t, t.values[1]) for i, t in terms if t.op == "between"]
    if lower and upper:
        lo = max(lower, key=lambda x: order_key(x[2]))
        hi = min(upper, key=lambda x: order_key(x[2]))
        if order_key(lo[2]) <= order_key(hi[2]):
            attribute = lo[1].attribute
            if lo[0] == hi[0]:  # one BETWEEN conjunct, sent as is
                return Between(attribute, lo[2], hi[2]), (), "between", {lo[0]: lo[1].exact}
            # Two bounds become one inclusive BETWEEN: exact only if both were inclusive.
            inclusive = lo[1].op != ">" and hi[1].op != "<"
            return (Between(attribute, lo[2], hi[2]), (), "between",
                    {lo[0]: lo[1].exact and inclusive, hi[0]: hi[1].exact and inclusive})
    begins = [(i, t) for i, t in terms if t.op == "begins"]
    if begins:
        i, term = begins[0]
        return BeginsWith(term.attribute, term.values[0]), (), "begins", {i: term.exact}
    bounds = lower or upper
    if bounds:
        i, term, value = bounds[0]
        if term.op == "between":
            op = ">=" if bounds is lower else "<="
            return Compare(term.attribute, op, value), (), op, {i: False}
        return Compare(term.attribute, term.op, value), (), term.op, {i: term.exact}
    return None, (), None, {}


def _best_query(facts: TableFacts, analyses: list[Analysis], attributes: list[str] | None,
                consistent_read: bool, notes: list[str]) -> _Candidate | None:
    implied = frozenset().union(*(a.true.implies for a in analyses)) if analyses else frozenset()
    candidates = []
    for rank, (target, index) in enumerate(_targets(facts)):
        hash_type = facts.attribute_types.get(target.hash_key)
        hash_term = _equalities(analyses, target.hash_key, hash_type)
        if hash_term is None:
            continue
        range_type = facts.attribute_types.get(target.range_key) if target.range_key else None
        terms = _terms(analyses, target.range_key, range_type) if target.range_key else []
        range_condition, range_values, range_op, used_range = _range_choice(terms)
        if index is not None:
            label = f"{index.kind} {index.name}"
            if target.kind == "LSI" and range_op is None:
                continue  # the table itself serves a hash-only Query at least as well
            if target.kind == "GSI" and consistent_read:
                notes.append(f"{label} not used: a global secondary index cannot be read consistently")
                continue
            if not _covers(facts, index, attributes):
                notes.append(f"{label} not used: its projection ({index.projection}) lacks needed attributes")
                continue
            required = {(target.hash_key, hash_type)}
            if target.range_key:
                required.add((target.range_key, range_type))
            if not required <= implied:
                notes.append(f"{label} not used: the WHERE does not imply its key attributes exist "
                             f"(items without them are not in the index)")
                continue
        queries = len(hash_term[1].values) * max(1, len(range_values))
        if queries > MAX_QUERIES:
            continue
        key_stats = facts.stats.key(target.name) if facts.stats is not None else None
        per_query = query_items(facts, range_key=target.range_key is not None, base_table=index is None,
                                range_condition=range_op, key_stats=key_stats,
                                fraction=range_fraction(range_condition, key_stats))
        used = {hash_term[0]: hash_term[1].exact, **used_range}
        if index is not None:
            # "key attribute IS NOT NULL": every item of an index has its key attributes.
            for i, analysis in enumerate(analyses):
                if analysis.true.exact and analysis.true.condition in (HasType(a, t) for a, t in required):
                    used.setdefault(i, True)
        estimate = query_estimate(facts, queries, per_query, consistent_read,
                                  source="ANALYZE statistics" if key_stats is not None else "heuristic")
        candidates.append(_Candidate(target, hash_term[1].values, range_condition, range_values, range_op, used,
                                     per_query, estimate, rank))
    if not candidates:
        return None
    return min(candidates, key=lambda c: (c.estimate.rcu, c.estimate.items, c.rank))


def _query_requests(facts: TableFacts, candidate: _Candidate, filter_condition: Condition | None,
                    attributes: list[str] | None, consistent_read: bool, limit: int | None) -> list[dict]:
    target = candidate.target
    requests = []
    for hash_value in candidate.hash_values:
        ranges: list[Condition | None] = [candidate.range_condition]
        if candidate.range_values:
            ranges = [Compare(target.range_key, "=", v) for v in candidate.range_values]
        for range_condition in ranges:
            names = Placeholders()
            params: dict = {"TableName": facts.table_name}
            if target.name:
                params["IndexName"] = target.name
            if attributes:
                params["ProjectionExpression"] = names.projection(attributes)
            key = conjoin([Compare(target.hash_key, "=", hash_value)]
                          + ([range_condition] if range_condition is not None else []))
            params["KeyConditionExpression"] = names.render(key)
            if filter_condition is not None:
                params["FilterExpression"] = names.render(filter_condition)
            params["ExpressionAttributeNames"] = dict(names.names)
            params["ExpressionAttributeValues"] = dict(names.values)
            if consistent_read:
                params["ConsistentRead"] = True
            if limit:
                params["Limit"] = limit
            requests.append(params)
    return requests

