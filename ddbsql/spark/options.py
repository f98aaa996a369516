"""What a Spark job says about its DynamoDB table: data source options to a :class:`TableSpec`.

A table is named in one of two ways:

* ``table`` (or the ``load()``/``save()`` path): a ddbsql table ``[db.]name`` in the
  metastore given by ``metastore`` (default ``$DDBSQL_HOME/metastore.db``);
* inline: ``columns`` (a Hive column list, ``"id string, n bigint"``) and the
  TBLPROPERTIES keys (``dynamodb.table.name``, ``dynamodb.column.mapping``, …) as
  options, exactly as they would appear in ``CREATE EXTERNAL TABLE``.

Other options: ``endpoint``, ``region``, ``profile`` (as ``--endpoint-url``,
``--region``, ``--profile``); the SET-able keys ddbsql honours
(``dynamodb.throughput.write.percent``, ``ddbsql.write.workers``, …), which, as with
``SET``, give way to a table property of the same name; and the Spark ones:
``tasks`` (how many tasks run at once, for a fixed budget split), ``segments``
(Scan segments = read partitions), ``pushdown`` (``false``: plain Scans) and
``report`` (a path for the JSON job report of a write).  An unknown option is an error.

Everything here is plain, picklable data: Spark ships it to every task.
"""
from __future__ import annotations

import dataclasses
import re
import time
from pathlib import Path
from typing import Mapping

from ..catalog.facts import TableFacts
from ..catalog.mapping import ENDPOINT, REGION, TABLE_NAME, bindings_for, check_table_name
from ..catalog.model import DEFAULT_DATABASE, Column, TableDef, TableKind
from ..catalog.store import Metastore, default_home
from ..config import HONOURED, Settings
from ..errors import CatalogError, ConfigError
from ..exec.credentials import TableCredentials
from ..exec.clients import AwsOptions, ClientFactory
from ..exec.governor import ThroughputSpec
from ..exec.retry import RetryPolicy
from ..exec.tables import describe_table
from ..types import parse_hive_type

#: Options of the data source itself (not TBLPROPERTIES or SET keys).
SOURCE_OPTIONS = ("table", "path", "metastore", "database", "columns", "endpoint", "region", "profile",
                  "tasks", "segments", "pushdown", "report", "budget")
_PROPERTY_PREFIXES = ("dynamodb.", "ddbsql.")


@dataclasses.dataclass(frozen=True)
class TableSpec:
    """One DynamoDB-backed table as a Spark job uses it.

    ``table``: its definition (from the metastore or the options); ``aws``: how to reach
    AWS; ``settings``: the SET-able keys given as options (raw text, validated);
    ``extra``: the Spark-only options (``tasks``, ``segments``, ``pushdown``, ``report``,
    ``budget``); ``facts``: DescribeTable's answer once :meth:`with_facts` asked.
    """

    table: TableDef
    aws: AwsOptions
    settings: tuple[tuple[str, str], ...] = ()
    extra: tuple[tuple[str, str], ...] = ()
    facts: TableFacts | None = None

    # settings
    def settings_object(self) -> Settings:
        return Settings(hiveconf=dict(self.settings))

    def get(self, key: str):
        """The parsed value of a key ddbsql honours; the table property wins, as over SET."""
        return self.settings_object().get(key, self.table.properties.get(key))

    def option(self, key: str, default: str | None = None) -> str | None:
        return dict(self.extra).get(key, default)

    @property
    def tasks(self) -> int | None:
        """The ``tasks`` option: how many tasks of this job run at once, if the user said."""
        raw = self.option("tasks")
        return _positive_int("tasks", raw) if raw is not None else None

    @property
    def pushdown(self) -> bool:
        raw = self.option("pushdown")
        if raw is not None and raw.strip().lower() in ("false", "0", "no", "off"):
            return False
        return bool(self.get("ddbsql.pushdown")) and bool(self.get("dynamodb.filter.pushdown"))

    def throughput(self) -> ThroughputSpec:
        settings = self.settings_object()
        return ThroughputSpec.resolve(settings.get, self.table.properties)

    def retry(self) -> RetryPolicy:
        return RetryPolicy(max_seconds=self.get("ddbsql.retry.max.seconds"))

    # AWS
    @property
    def table_name(self) -> str:
        return self.table.properties.get(TABLE_NAME, self.table.name)

    @property
    def region(self) -> str:
        return ClientFactory(self.aws).region(self.table.properties.get(REGION))

    def client(self, factory: ClientFactory | None = None):
        """A DynamoDB client for the table (``factory``: share one between calls)."""
        factory = factory or ClientFactory(self.aws)
        # the table's own role or profile (TBLPROPERTIES); session SET keys do not reach executors
        credentials = TableCredentials.resolve(self.table.properties, lambda key: None)
        return factory.dynamodb(self.table.properties.get(REGION), self.table.properties.get(ENDPOINT), credentials)

    def with_facts(self) -> "TableSpec":
        """This spec with the table's DescribeTable facts (one call)."""
        client = self.client()
        facts = describe_table(client, self.table_name, self.retry(), region=self.region)
        return dataclasses.replace(self, facts=facts)

    def governor_key(self) -> tuple[str, str, str]:
        """(region, endpoint, table): the key ddbsql's governors are kept under."""
        endpoint = getattr(self.client().meta, "endpoint_url", None) or ""
        return (self.region, endpoint, self.table_name)


def _positive_int(name: str, raw: str) -> int:
    try:
        value = int(str(raw).strip())
    except ValueError:
        value = 0
    if value <= 0:
        raise ConfigError(f"option {name}={raw}: must be a positive whole number")
    return value


def split_columns(text: str) -> list[tuple[str, str]]:
    """``"id string, m map<string,int>"`` -> ``[("id", "string"), ("m", "map<string,int>")]``."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch in "<(":
            depth += 1
        elif ch in ">)":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    columns = []
    for part in parts:
        part = part.strip()
        if not part:
            continue
        match = re.match(r"^`?([A-Za-z_][A-Za-z0-9_]*)`?\s+(.+)$", part, re.S)
        if not match:
            raise ConfigError(f"option columns: expected 'name type' pairs separated by commas, got '{part}'")
        columns.append((match.group(1), match.group(2).strip()))
    return columns


def resolve(options: Mapping[str, str]) -> TableSpec:
    """The table an option map names, checked (mapping, settings); no AWS call.

    Raises :class:`~ddbsql.errors.ConfigError` / :class:`~ddbsql.errors.CatalogError`
    for unknown options, a table that is neither named nor defined, bad values.
    """
    options = {str(k).lower(): str(v) for k, v in options.items() if v is not None}
    settings: dict[str, str] = {}
    properties: dict[str, str] = {}
    extra: dict[str, str] = {}
    for key, value in options.items():
        if key in SOURCE_OPTIONS:
            continue
        if key in HONOURED:
            settings[key] = value
        if key.startswith(_PROPERTY_PREFIXES):
            properties[key] = value
        elif key not in HONOURED:
            raise ConfigError(f"unknown option '{key}' for format ddbsql (options: {', '.join(SOURCE_OPTIONS)}, "
                              f"and TBLPROPERTIES / SET keys such as dynamodb.table.name)")
    checked = Settings()
    for key, value in settings.items():
        checked.set(key, value)
    for key in ("tasks", "segments", "pushdown", "report", "budget"):
        if key in options:
            extra[key] = options[key]
    if "segments" in extra:
        _positive_int("segments", extra["segments"])
    if extra.get("budget", "shared").lower() not in ("shared", "split"):
        raise ConfigError(f"option budget={extra['budget']}: must be shared or split")
    aws = AwsOptions(region=options.get("region"), profile=options.get("profile"),
                     endpoint_url=options.get("endpoint"))
    name = options.get("table") or options.get("path")
    if name:
        table = _from_metastore(name, options)
    elif "columns" in options:
        table = _inline(options, properties)
    else:
        raise ConfigError("format ddbsql needs option table (a ddbsql table) or columns plus "
                          "dynamodb.table.name (an inline definition)")
    if table.kind is not TableKind.DYNAMODB:
        raise CatalogError(f"table {table.qualified} is not a DynamoDB table (it is {table.kind})")
    bindings_for(table)  # mapping errors now, on the driver, not in every task
    check_table_name(table.properties.get(TABLE_NAME, table.name))
    return TableSpec(table, aws, tuple(sorted(settings.items())), tuple(sorted(extra.items())))


def _from_metastore(name: str, options: Mapping[str, str]) -> TableDef:
    database, _, table = name.rpartition(".")
    database = (database or options.get("database") or DEFAULT_DATABASE).lower()
    path = options.get("metastore") or str(default_home() / "metastore.db")
    if not Path(path).exists():
        raise CatalogError(f"metastore '{path}' does not exist")
    store = Metastore(path)
    try:
        definition = store.get(database, table.lower())
    finally:
        store.close()
    if definition is None:
        raise CatalogError(f"Table not found '{database}.{table}' in metastore {path}")
    return definition


def _inline(options: Mapping[str, str], properties: dict[str, str]) -> TableDef:
    columns = tuple(Column(name.lower(), parse_hive_type(text), spelling=name)
                    for name, text in split_columns(options["columns"]))
    if not columns:
        raise ConfigError("option columns: no column given")
    table_name = properties.get(TABLE_NAME)
    if not table_name:
        raise ConfigError("an inline table needs option dynamodb.table.name")
    name = re.sub(r"[^a-z0-9_]", "_", table_name.lower())
    return TableDef(DEFAULT_DATABASE, name, columns, TableKind.DYNAMODB, properties, created=time.time())
