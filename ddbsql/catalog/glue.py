"""The AWS Glue Data Catalog as the metastore, in the shape EMR's Hive writes it.

A Glue table is a Hive table: ``StorageDescriptor.Columns`` are the columns,
``PartitionKeys`` the partition columns, ``Parameters`` the TBLPROPERTIES plus Hive's
own keys (``EXTERNAL``, ``storage_handler``, ``comment``, ``transient_lastDdlTime``).
A table EMR created with the DynamoDB storage handler carries
``storage_handler=org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler`` and the
DynamoDBSerDe; a file table its location, SerDe and input/output formats.

Local (managed) tables cannot live in Glue (their rows are in ddbsql's DuckDB
warehouse, as EMR's managed tables are on the cluster's HDFS): they are kept in the
local metastore file, which also keeps write jobs and inferred schemas.  A database is
Glue's; a local table can be created in any Glue database.

Every Glue call goes through the ``client`` passed in (a boto3 Glue client).
"""
from __future__ import annotations

import dataclasses
import datetime
import time

from ..errors import CatalogError
from ..types import parse_hive_type
from .mapping import COLUMN_MAPPING, KNOWN_PROPERTIES, TABLE_NAME
from .model import (DEFAULT_DATABASE, DYNAMODB_HANDLER, Column, FileFormat, FileStorage, Partition, TableDef,
                    TableKind)
from .serdes import FORMAT_OF_INPUT, HIVE_NAMES, format_of_serde
from .store import Metastore, hive_pattern_matches

#: EMR's ``hive.metastore.client.factory.class`` for the Glue Data Catalog
GLUE_FACTORY = "com.amazonaws.glue.catalog.metastore.AWSGlueDataCatalogHiveClientFactory"
DYNAMODB_SERDE = "org.apache.hadoop.hive.dynamodb.DynamoDBSerDe"
_DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__"
#: Parameters Hive (not the user) puts on a table
_HIVE_PARAMETERS = ("external", "storage_handler", "comment", "transient_lastddltime", "numfiles", "totalsize",
                    "last_modified_by", "last_modified_time", "column_stats_accurate", "bucketing_version")


def wants_glue(metastore: object, factory: str | None) -> bool:
    """Whether the session's metastore is Glue: ``--metastore glue`` or EMR's factory setting."""
    return str(metastore or "").lower() == "glue" or (factory or "").strip() == GLUE_FACTORY


# --------------------------------------------------------------- Glue table <-> TableDef
def table_from_glue(database: str, data: dict) -> TableDef:
    """The TableDef of a Glue ``Table``; a :class:`CatalogError` naming the parameter for
    a storage handler, SerDe or ``dynamodb.*`` parameter ddbsql does not know."""
    name = data["Name"].lower()
    where = f"Glue table {database}.{name}"
    raw = {k.lower(): v for k, v in (data.get("Parameters") or {}).items()}
    handler = raw.get("storage_handler")
    sd = data.get("StorageDescriptor") or {}
    columns = [_column(c) for c in sd.get("Columns") or []]
    partition_keys = [_column(c) for c in data.get("PartitionKeys") or []]
    table_type = (data.get("TableType") or "").upper()
    external = table_type == "EXTERNAL_TABLE" or raw.get("external", "").upper() == "TRUE"
    comment = raw.get("comment") or data.get("Description")
    props = {k: v for k, v in raw.items() if k not in _HIVE_PARAMETERS}
    created = data.get("CreateTime")
    created = created.timestamp() if isinstance(created, datetime.datetime) else float(created or 0.0)
    if table_type == "VIRTUAL_VIEW":
        raise CatalogError(f"{where} is a view (TableType VIRTUAL_VIEW): ddbsql does not run views")
    if handler is not None:
        if handler != DYNAMODB_HANDLER:
            raise CatalogError(f"{where}: parameter storage_handler='{handler}' is not a storage handler ddbsql "
                               f"knows ({DYNAMODB_HANDLER})")
        unknown = sorted(k for k in props if k.startswith("dynamodb.") and k not in KNOWN_PROPERTIES)
        if unknown:
            raise CatalogError(f"{where}: parameter '{unknown[0]}' is not one the DynamoDB storage handler "
                               "knows (see docs/tblproperties.md)")
        return TableDef(database, name, tuple(columns), TableKind.DYNAMODB, props, True, comment, created)
    serde = (sd.get("SerdeInfo") or {}).get("SerializationLibrary")
    input_format = sd.get("InputFormat")
    location = sd.get("Location")
    if not location:
        raise CatalogError(f"{where} has no StorageDescriptor.Location and no storage_handler parameter: "
                           "ddbsql cannot tell where its rows are")
    explicit = props.get("ddbsql.format")
    try:
        file_format = FileFormat(explicit) if explicit else (
            format_of_serde(serde) if serde else FORMAT_OF_INPUT.get(input_format or "", FileFormat.TEXT))
    except Exception:
        key = "parameter ddbsql.format" if explicit else "StorageDescriptor.SerdeInfo.SerializationLibrary"
        raise CatalogError(f"{where}: {key} '{explicit or serde}' is not a format ddbsql reads (LazySimpleSerDe, "
                           "OpenCSVSerde, the JSON SerDes, Parquet, ORC)") from None
    if file_format is FileFormat.TEXT and input_format and input_format not in FORMAT_OF_INPUT:
        raise CatalogError(f"{where}: StorageDescriptor.InputFormat '{input_format}' is not one ddbsql reads "
                           "(text, Parquet, ORC)")
    storage = FileStorage(location, file_format, serde, dict((sd.get("SerdeInfo") or {}).get("Parameters") or {}),
                          tuple(c.name for c in partition_keys), (), input_format, sd.get("OutputFormat"), False)
    return TableDef(database, name, tuple(columns + partition_keys), TableKind.FILE, props, external, comment,
                    created, storage)


def _column(data: dict) -> Column:
    try:
        hive_type = parse_hive_type(data["Type"])
    except Exception:
        raise CatalogError(f"Glue column '{data.get('Name')}' has a type ddbsql does not know: "
                           f"'{data.get('Type')}'") from None
    return Column(data["Name"].lower(), hive_type, data.get("Comment"), data["Name"])


def table_input(table: TableDef) -> dict:
    """A Glue ``TableInput`` for ``table``, as EMR's Hive writes it.

    A DynamoDB table's columns whose attribute is spelled differently from the lower
    case column name are written into ``dynamodb.column.mapping``, so EMR (which binds
    an unmapped column to its lower-case name) reads the same attributes as ddbsql."""
    params = dict(table.properties)
    if table.external:
        params["EXTERNAL"] = "TRUE"
    if table.comment:
        params["comment"] = table.comment
    params["transient_lastDdlTime"] = str(int(table.created or time.time()))
    storage = table.storage
    columns = table.data_columns if storage is not None else table.columns
    sd: dict = {"Columns": [_glue_column(c) for c in columns], "Compressed": False, "NumberOfBuckets": -1,
                "BucketColumns": [], "SortColumns": [], "StoredAsSubDirectories": False, "Parameters": {}}
    result: dict = {"Name": table.name, "TableType": "EXTERNAL_TABLE" if table.external else "MANAGED_TABLE",
                    "Parameters": params, "StorageDescriptor": sd, "PartitionKeys": []}
    if table.kind is TableKind.DYNAMODB:
        params["storage_handler"] = DYNAMODB_HANDLER
        params.setdefault(TABLE_NAME, table.name)
        mapped = {pair.split(":", 1)[0].strip().lower() for pair in params.get(COLUMN_MAPPING, "").split(",")
                  if ":" in pair}
        extra = [f"{c.name}:{c.spelling}" for c in table.columns if c.spelling and c.spelling != c.name
                 and c.name not in mapped and str(c.type) != "map<string,string>"]
        if extra:
            params[COLUMN_MAPPING] = ",".join(filter(None, [params.get(COLUMN_MAPPING, "")] + extra))
        sd["SerdeInfo"] = {"SerializationLibrary": DYNAMODB_SERDE, "Parameters": {"serialization.format": "1"}}
    elif storage is not None:
        serde, io = HIVE_NAMES.get(FileFormat(storage.format), (None, (None, None)))
        sd["Location"] = storage.location
        sd["InputFormat"] = storage.input_format or io[0]
        sd["OutputFormat"] = storage.output_format or io[1]
        sd["SerdeInfo"] = {"SerializationLibrary": storage.serde or serde,
                           "Parameters": dict(storage.serde_properties)}
        sd = {k: v for k, v in sd.items() if v is not None}
        result["StorageDescriptor"] = sd
        if FileFormat(storage.format) not in HIVE_NAMES:  # the export layouts: no Hive SerDe says it
            params["ddbsql.format"] = str(storage.format)
        result["PartitionKeys"] = [_glue_column(c) for c in table.partition_columns]
    return result


def _glue_column(column: Column) -> dict:
    data = {"Name": column.name, "Type": str(column.type)}
    if column.comment:
        data["Comment"] = column.comment
    return data


def _partition_location(table: TableDef, partition: Partition) -> str:
    if partition.location:
        return partition.location
    parts = [f"{name}={_DEFAULT_PARTITION if v is None else v}"
             for name, v in zip(table.storage.partition_columns, partition.values)]
    return table.storage.location.rstrip("/") + "/" + "/".join(parts)


# --------------------------------------------------------------- the store
class GlueMetastore:
    """Databases and tables in the Glue Data Catalog; local tables, write jobs and
    inferred schemas in ``local`` (a :class:`Metastore` file).  Same interface as
    :class:`Metastore`."""

    def __init__(self, client, local: Metastore, *, region: str):
        self.client = client
        self.local = local
        self.region = region
        self.path = local.path

    def close(self) -> None:
        self.local.close()

    def jobs(self):
        return self.local.jobs()

    def cached_schema(self, key: str) -> dict | None:
        return self.local.cached_schema(key)

    def store_schema(self, key: str, data: dict) -> None:
        self.local.store_schema(key, data)

    def _call(self, action: str, **params):
        """One Glue call; None when the entity does not exist; refusals as one line.
        (The client retries throttling and 5xx itself: boto3's standard retry mode.)"""
        try:
            return getattr(self.client, _snake(action))(**params)
        except Exception as exc:
            response = getattr(exc, "response", None)
            if not isinstance(response, dict):  # no answer at all: endpoint, connection
                raise CatalogError(f"Glue {action} failed in region {self.region}: {exc}") from None
            error = response.get("Error", {})
            code = error.get("Code", "")
            if code == "EntityNotFoundException":
                return None
            raise CatalogError(f"Glue {action} failed in region {self.region}: {code}: "
                               f"{error.get('Message', '')}".rstrip(": ")) from None

    def _pages(self, action: str, member: str, **params) -> list[dict]:
        out: list[dict] = []
        while True:
            page = self._call(action, **params)
            if page is None:
                return out
            out += page.get(member) or []
            token = page.get("NextToken")
            if not token:
                return out
            params["NextToken"] = token

    # databases
    def databases(self, pattern: str | None = None) -> list[str]:
        names = {d["Name"].lower() for d in self._pages("GetDatabases", "DatabaseList")} | {DEFAULT_DATABASE}
        return sorted(n for n in names if pattern is None or hive_pattern_matches(pattern, n))

    def has_database(self, name: str) -> bool:
        return name == DEFAULT_DATABASE or self._call("GetDatabase", Name=name) is not None

    def create_database(self, name: str, *, if_not_exists: bool = False, comment: str | None = None) -> None:
        if self._call("GetDatabase", Name=name) is not None:
            if if_not_exists:
                return
            raise CatalogError(f"database '{name}' already exists")
        database: dict = {"Name": name}
        if comment:
            database["Description"] = comment
        self._call("CreateDatabase", DatabaseInput=database)

    def _ensure_database(self, name: str) -> None:
        if not self.has_database(name):
            raise CatalogError(f"database '{name}' does not exist")
        if name == DEFAULT_DATABASE and self._call("GetDatabase", Name=name) is None:
            self._call("CreateDatabase", DatabaseInput={"Name": name, "Description": "Default Hive database"})

    def drop_database(self, name: str, *, if_exists: bool = False, cascade: bool = False) -> list[TableDef]:
        if name == DEFAULT_DATABASE:
            raise CatalogError("the default database cannot be dropped")
        if self._call("GetDatabase", Name=name) is None:
            if if_exists:
                return []
            raise CatalogError(f"database '{name}' does not exist")
        names = self.tables(name)
        if names and not cascade:
            raise CatalogError(f"database '{name}' is not empty (use DROP DATABASE … CASCADE)")
        dropped = []
        for table in names:
            definition = self._get_quietly(name, table)
            if definition is not None:
                dropped.append(definition)
            self.remove(name, table)
        self._call("DeleteDatabase", Name=name)
        if self.local.has_database(name):
            dropped += self.local.drop_database(name, if_exists=True, cascade=True)
        return dropped

    # tables
    def tables(self, database: str, pattern: str | None = None) -> list[str]:
        names = {t["Name"].lower() for t in self._pages("GetTables", "TableList", DatabaseName=database)}
        if self.local.has_database(database):
            names |= set(self.local.tables(database))
        return sorted(n for n in names if pattern is None or hive_pattern_matches(pattern, n))

    def get(self, database: str, name: str) -> TableDef | None:
        answer = self._call("GetTable", DatabaseName=database, Name=name)
        if answer is None:
            return self.local.get(database, name) if self.local.has_database(database) else None
        table = table_from_glue(database, answer["Table"])
        if table.storage is not None and table.storage.partition_columns:
            partitions = []
            for data in self._pages("GetPartitions", "Partitions", DatabaseName=database, TableName=name):
                partition = Partition(tuple(None if v == _DEFAULT_PARTITION else v for v in data.get("Values") or ()))
                location = (data.get("StorageDescriptor") or {}).get("Location")
                if location and location.rstrip("/") != _partition_location(table, partition).rstrip("/"):
                    partition = Partition(partition.values, location)
                partitions.append(partition)
            table = dataclasses.replace(table, storage=dataclasses.replace(table.storage,
                                                                           partitions=tuple(partitions)))
        return table

    def _get_quietly(self, database: str, name: str) -> TableDef | None:
        try:
            return self.get(database, name)
        except CatalogError:
            return None

    def put(self, table: TableDef, *, replace: bool = False) -> None:
        self._ensure_database(table.database)
        if table.kind is TableKind.WAREHOUSE:
            if self._call("GetTable", DatabaseName=table.database, Name=table.name) is not None:
                raise CatalogError(f"table {table.qualified} already exists")
            if not self.local.has_database(table.database):
                self.local.create_database(table.database, if_not_exists=True)
            self.local.put(table, replace=replace)
            return
        if self.local.has_database(table.database) and self.local.get(table.database, table.name) is not None:
            raise CatalogError(f"table {table.qualified} already exists")
        existing = self._call("GetTable", DatabaseName=table.database, Name=table.name)
        if existing is not None and not replace:
            raise CatalogError(f"table {table.qualified} already exists")
        if existing is None:
            self._call("CreateTable", DatabaseName=table.database, TableInput=table_input(table))
        else:
            self._call("UpdateTable", DatabaseName=table.database, TableInput=table_input(table))
        if table.storage is not None and table.storage.partition_columns:
            self._sync_partitions(table)

    def _sync_partitions(self, table: TableDef) -> None:
        stored = {tuple(p.get("Values") or ()) for p in self._pages(
            "GetPartitions", "Partitions", DatabaseName=table.database, TableName=table.name)}
        wanted = {tuple(_DEFAULT_PARTITION if v is None else v for v in p.values): p
                  for p in table.storage.partitions}
        sd = table_input(table)["StorageDescriptor"]
        new = [{"Values": list(values), "StorageDescriptor": {**sd, "Location": _partition_location(table, p)}}
               for values, p in wanted.items() if values not in stored]
        for start in range(0, len(new), 100):
            self._call("BatchCreatePartition", DatabaseName=table.database, TableName=table.name,
                       PartitionInputList=new[start:start + 100])
        gone = [{"Values": list(values)} for values in stored if values not in wanted]
        for start in range(0, len(gone), 25):
            self._call("BatchDeletePartition", DatabaseName=table.database, TableName=table.name,
                       PartitionsToDelete=gone[start:start + 25])

    def remove(self, database: str, name: str) -> bool:
        if self._call("GetTable", DatabaseName=database, Name=name) is not None:
            self._call("DeleteTable", DatabaseName=database, Name=name)
            return True
        return self.local.has_database(database) and self.local.remove(database, name)


def _snake(action: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in action).lstrip("_")
