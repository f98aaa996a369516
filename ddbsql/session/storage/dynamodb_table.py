"""DynamoDB tables: read through their access plans, described with DescribeTable's facts."""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import pyarrow as pa
from sqlglot import exp

from ...catalog.binding import ColumnBinding, raw_binding, raw_name
from ...catalog.mapping import TABLE_NAME, bindings_for, check_against_table, check_table_name
from ...catalog.model import DYNAMODB_HANDLER, TableDef, TableKind
from ...config import check_properties
from ...errors import TooCostlyError
from ...exec.decode import DecodeWarnings
from ...exec.expiry import ExpiryStats, SplitWarnings, drop_expired, ttl_attribute, ttl_binding, without_ttl
from ...exec.governor import READ, WRITE
from ...exec.lookups import arrow_schema, read_batches
from ...exec.scanner import ScanStats
from ...planner.access import plan_access
from ...planner.guard import SETTING as GUARD_SETTING, over_budget
from ...planner.scopes import ReferenceFilter
from ..binding.scans import ScanRecord
from ..writing.table_targets import DynamoDBTarget
from .table_storage import Row, TableStorage

if TYPE_CHECKING:
    from ..binding.context import StatementContext
    from ..binding.binder import SourceBinder

SERDE = "org.apache.hadoop.hive.dynamodb.DynamoDBSerDe"
#: drop items whose TTL has passed (SET, or a TBLPROPERTY for one table)
SKIP_EXPIRED = "ddbsql.read.skip.expired"


class DynamoDBTable(TableStorage):
    """A DynamoDB table mapped by the DynamoDB storage handler."""

    kind = TableKind.DYNAMODB
    column_comment = "from deserializer"

    def table_parameters(self, table: TableDef) -> dict[str, str]:
        return {"storage_handler": DYNAMODB_HANDLER}

    def storage_rows(self, session: "StatementContext", table: TableDef) -> list[Row]:
        rows = [("", "", ""), ("# Storage Information", "", ""),
                ("SerDe Library:", SERDE, ""), ("InputFormat:", "null", ""), ("OutputFormat:", "null", "")]
        return rows + [("", "", "")] + _dynamodb_details(session, table)

    def show_create_lines(self, table: TableDef) -> list[str]:
        return ["STORED BY", f"  '{DYNAMODB_HANDLER}'"]

    def write_target(self, table: TableDef, insert: exp.Insert, node: exp.Table, columns: list[str] | None,
                     text: str) -> DynamoDBTarget:
        """Written as a resumable job under the table's write budget."""
        return DynamoDBTarget.resolve(table, insert, node, columns, text)

    def check_altered(self, session: "StatementContext", table: TableDef) -> None:
        props = table.properties
        check_properties(props)
        check_table_name(props.get(TABLE_NAME, table.name))
        bindings = bindings_for(table)
        session.forget_facts()
        check_against_table(table, bindings, session.facts(table, fresh=True))

    def bind(self, binder: "SourceBinder", definition: TableDef, where: ReferenceFilter, columns: set[str] | None,
             label: str) -> exp.Table:
        """An Arrow stream of the items the access plan reads, decoded to the columns used."""
        source = self._stream(binder, definition, where, columns, label)
        binder.schema[source] = {c.name: str(c.type) for c in definition.columns}
        if binder.raw:
            binder.schema[source].update({raw_name(c.name): "string" for c in definition.columns})
        return exp.Table(this=exp.to_identifier(source))

    def _stream(self, binder: "SourceBinder", definition: TableDef, where: ReferenceFilter,
                columns: set[str] | None, label: str) -> str:
        session = binder.session
        bindings = bindings_for(definition)
        chosen: list[ColumnBinding] = [b for b in bindings if columns is None or b.name in columns]
        if binder.raw:
            chosen += [raw_binding(b) for b in bindings
                       if not b.is_item and (columns is None or raw_name(b.name) in columns)]
        facts = session.facts(definition)
        if not chosen:
            # count(*) and friends still need one value per item to count rows
            key = next((b for b in bindings if b.attribute == facts.hash_key), bindings[0])
            chosen = [key]
        props = definition.properties
        expiry = None
        if session.settings.get(SKIP_EXPIRED, props.get(SKIP_EXPIRED)):
            attribute = ttl_attribute(session.dynamodb_client(definition), facts.table_name, session.retry_policy())
            if attribute is not None:
                expiry = ExpiryStats(attribute)
                chosen = chosen + [ttl_binding(attribute)]
        pushdown, reason = _pushdown(session, definition)
        plan = plan_access(facts, bindings, chosen, where, pushdown=pushdown, pushdown_off_reason=reason,
                           read_budget=session.governor_for(definition, facts).budget(READ),
                           segments=session.settings.get("dynamodb.scan.segments", props.get("dynamodb.scan.segments")),
                           consistent_read=session.settings.get("dynamodb.consistent.read",
                                                                props.get("dynamodb.consistent.read")))
        if expiry is not None and plan.stop_after is not None:
            plan = dataclasses.replace(plan, stop_after=None)  # expired items do not count towards a LIMIT
        record = ScanRecord(definition, DecodeWarnings(), ScanStats(), plan=plan, label=label or definition.qualified,
                            expiry=expiry)
        binder.scans.append(record)
        refusal = over_budget(plan, facts, bindings, record.label, session.settings.get(GUARD_SETTING))
        if refusal and not binder.explain:
            raise TooCostlyError(refusal)
        if refusal:
            record.refusal = refusal
        schema = without_ttl(arrow_schema(plan))
        if binder.explain:
            reader = pa.RecordBatchReader.from_batches(schema, iter(()))
            return session.engine.register_stream(reader)
        client = session.dynamodb_client(definition)
        warnings = record.warnings if expiry is None else SplitWarnings(record.warnings, expiry)
        batches = read_batches(client, plan, session.retry_policy(), warnings=warnings, stats=record.stats,
                               cancel=session.cancel_event,
                               governor=session.governor_for(definition, facts, plan.index_name))
        if expiry is not None:
            batches = drop_expired(batches, expiry)
        reader = pa.RecordBatchReader.from_batches(schema, record.watch(batches))
        return session.engine.register_stream(reader)


def _pushdown(session: "StatementContext", definition: TableDef) -> tuple[bool, str | None]:
    """Whether WHERE predicates may be sent to DynamoDB for this table, and if not, why."""
    settings = session.settings
    if not settings.get("ddbsql.pushdown"):
        return False, "SET ddbsql.pushdown=false"
    override = definition.properties.get("dynamodb.filter.pushdown")
    if not settings.get("dynamodb.filter.pushdown", override):
        return False, ("TBLPROPERTIES dynamodb.filter.pushdown=false" if override is not None
                       else "SET dynamodb.filter.pushdown=false")
    return True, None


def _dynamodb_details(session: "StatementContext", table: TableDef) -> list[tuple[str, str, str]]:
    facts = session.facts(table, fresh=True)
    rows = [("# DynamoDB Table Information", "", ""), ("Table Name:", facts.table_name, ""),
            ("Region:", session.region_of(table), ""),
            ("Hash Key:", f"{facts.hash_key} ({facts.attribute_types.get(facts.hash_key, '?')})", "")]
    if facts.range_key:
        rows.append(("Range Key:", f"{facts.range_key} ({facts.attribute_types.get(facts.range_key, '?')})", ""))
    rows.append(("Billing Mode:", facts.billing_mode, ""))
    if facts.billing_mode == "PROVISIONED":
        rows += [("Read Capacity:", str(facts.read_capacity), ""), ("Write Capacity:", str(facts.write_capacity), "")]
    governor = session.governor_for(table, facts)
    rows += [("Read Budget:", governor.stats(READ).budget_text("RCU"), ""),
             ("Write Budget:", governor.stats(WRITE).budget_text("WCU"), "")]
    if facts.limits.note:
        rows.append(("Note:", facts.limits.note, ""))
    rows += [("Item Count:", str(facts.item_count), "approximate, refreshed by DynamoDB about every 6 hours"),
             ("Size (bytes):", str(facts.size_bytes), ""), ("Status:", facts.status, "")]
    for index in facts.indexes:
        keys = index.hash_key + (f", {index.range_key}" if index.range_key else "")
        projected = index.projection + (f" ({', '.join(index.projected)})" if index.projected else "")
        rows.append((f"{index.kind}:", f"{index.name} [{keys}]", projected))
    rows += [("", "", ""), ("# Column Mapping", "attribute", "DynamoDB type")]
    for binding in bindings_for(table):
        rows.append((binding.name, binding.attribute or "(whole item)", binding.ddb_type))
    return rows
