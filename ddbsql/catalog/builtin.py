"""The built-in ``dynamodb`` databases: every DynamoDB table, queryable without DDL.

``dynamodb`` holds the tables of the session's region; ``dynamodb_<region>`` (the
region with ``_`` for ``-``, e.g. ``dynamodb_eu_west_1``) those of another region.
Their tables are never stored as a user's tables: the table list is DynamoDB's
(ListTables), each table's columns are inferred from a sample of its items
(:mod:`ddbsql.catalog.inference`) and the inferred schema is cached in the metastore
with the time it was taken, until ``REFRESH TABLE`` / ``ANALYZE TABLE`` samples again.

This module decides; the AWS calls are made by a :class:`Directory` passed in.
"""
from __future__ import annotations

import dataclasses
import difflib
import json
import re
import time
from typing import Protocol

from ..errors import CatalogError
from .facts import TableFacts
from .inference import InferredSchema, Sample, infer_schema
from .model import TableDef

DATABASE = "dynamodb"
_REGIONAL = re.compile(r"^dynamodb_([a-z]{2}(?:_[a-z]+)+_\d+)$")


def builtin_region(database: str | None) -> str | None:
    """``""`` for ``dynamodb`` (the session's region), the region of ``dynamodb_<region>``,
    None for any other database name."""
    if database is None:
        return None
    low = database.lower()
    if low == DATABASE:
        return ""
    m = _REGIONAL.match(low)
    return m.group(1).replace("_", "-") if m else None


def regional_database(region: str) -> str:
    return f"{DATABASE}_{region.replace('-', '_')}"


class Directory(Protocol):
    """The DynamoDB calls of one region and endpoint (implemented over boto3 in exec)."""

    region: str
    endpoint: str | None

    def table_names(self) -> list[str]: ...

    def facts(self, name: str) -> TableFacts: ...

    def sample(self, facts: TableFacts) -> Sample: ...


class SchemaCache(Protocol):
    """Where inferred schemas outlive the process (the metastore)."""

    def cached_schema(self, key: str) -> dict | None: ...

    def store_schema(self, key: str, data: dict) -> None: ...


@dataclasses.dataclass(frozen=True)
class InferredTable:
    """A built-in table: its definition, the schema it came from and its sample's facts."""

    table: TableDef
    schema: InferredSchema
    taken_at: float
    sample_units: float
    sample_requests: int
    sample_segments: int
    sample_seconds: float
    #: True when this statement took the sample (not read from the cache)
    fresh: bool = False

    def sample_text(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(self.taken_at))
        return (f"{self.schema.sampled} item(s) from {self.sample_segments} Scan segment(s), "
                f"{self.sample_units:g} RCU (ConsumedCapacity) in {self.sample_requests} request(s), taken {when}"
                f"{' by this statement' if self.fresh else ''}; kept until REFRESH TABLE")


def resolve_name(wanted: str, names: list[str], *, region: str, endpoint: str | None) -> str:
    """The DynamoDB table ``wanted`` names: itself, else the one table equal to it ignoring
    case, else a :class:`CatalogError` naming the region, endpoint and candidates."""
    if wanted in names:
        return wanted
    folded = [n for n in names if n.lower() == wanted.lower()]
    if len(folded) == 1:
        return folded[0]
    where = f"region {region}" + (f" at {endpoint}" if endpoint else "")
    if folded:
        listing = ", ".join(f"`{n}`" for n in sorted(folded))
        raise CatalogError(f"DynamoDB table name '{wanted}' is ambiguous in {where}: write one of {listing} "
                           "in backquotes, spelled exactly")
    close = difflib.get_close_matches(wanted.lower(), [n.lower() for n in names], n=5, cutoff=0.6)
    hint = ""
    if close:
        hint = " (did you mean " + ", ".join(f"`{n}`" for n in names if n.lower() in close) + "?)"
    raise CatalogError(f"DynamoDB table '{wanted}' does not exist in {where}{hint}")


class BuiltinCatalog:
    """Resolves and infers the tables of the built-in databases, caching schemas."""

    def __init__(self, cache: SchemaCache, *, max_columns: int):
        self.cache = cache
        self.max_columns = max_columns

    @staticmethod
    def cache_key(directory: Directory, name: str) -> str:
        return json.dumps([directory.endpoint or "", directory.region, name])

    def table(self, database: str, wanted: str, directory: Directory, *, refresh: bool = False,
              exact: bool = False) -> InferredTable:
        """The table ``wanted`` of ``database`` (a built-in database of ``directory``'s region).

        A cached schema for the exact name is used without asking DynamoDB (``refresh``
        samples again); otherwise the name is resolved against ListTables.
        """
        if not (exact or refresh):
            cached = self._cached(database, wanted, directory)
            if cached is not None:
                return cached
        name = resolve_name(wanted, directory.table_names(), region=directory.region, endpoint=directory.endpoint)
        if not refresh:
            cached = self._cached(database, name, directory)
            if cached is not None:
                return cached
        facts = directory.facts(name)
        sample = directory.sample(facts)
        schema = infer_schema(facts, sample.items, max_columns=self.max_columns)
        data = {"schema": schema.to_json(), "taken_at": sample.taken_at, "units": sample.read_units,
                "requests": sample.requests, "segments": sample.segments, "seconds": sample.seconds}
        self.cache.store_schema(self.cache_key(directory, name), data)
        return self._from_data(database, name, directory.region, data, fresh=True)

    def _cached(self, database: str, name: str, directory: Directory) -> InferredTable | None:
        data = self.cache.cached_schema(self.cache_key(directory, name))
        if data is None:
            return None
        return self._from_data(database, name, directory.region, data)

    def store_properties(self, directory: Directory, name: str, properties: dict[str, str]) -> None:
        """Keep ``properties`` (ANALYZE statistics) with the cached schema of ``name``."""
        key = self.cache_key(directory, name)
        data = self.cache.cached_schema(key)
        if data is None:
            raise CatalogError(f"no cached schema for DynamoDB table '{name}'")
        data["properties"] = {**data.get("properties", {}), **properties}
        self.cache.store_schema(key, data)

    @staticmethod
    def _from_data(database: str, name: str, region: str, data: dict, *, fresh: bool = False) -> InferredTable:
        schema = InferredSchema.from_json(data["schema"])
        table = schema.table(database, name, region)
        table = dataclasses.replace(table, created=float(data["taken_at"]),
                                    properties={**table.properties, **data.get("properties", {})})
        return InferredTable(table, schema, float(data["taken_at"]), float(data["units"]), int(data["requests"]),
                             int(data["segments"]), float(data["seconds"]), fresh)
