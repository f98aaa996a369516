"""Settings: what ``SET``, ``-hiveconf`` and ``-hivevar`` hold, and which keys ddbsql honours.

Hive accepts any ``SET key=value`` and so does ddbsql: unknown keys are recorded
(``SET key;`` prints them back) and otherwise ignored.  Keys ddbsql honours are listed
in :data:`HONOURED` with a validator; a bad value for one of those is a
:class:`~ddbsql.errors.ConfigError` at the ``SET``, not a surprise later.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Callable

from .errors import ConfigError


def truthy(value: str | None) -> bool:
    """A setting or property read as Hive reads a boolean switch: true, 1, yes or on;
    anything else (and nothing) is false."""
    return (value or "").strip().lower() in ("true", "1", "yes", "on")


def _bool(value: str) -> bool:
    low = value.strip().lower()
    if low in ("true", "1", "yes", "on"):
        return True
    if low in ("false", "0", "no", "off"):
        return False
    raise ValueError("expected true or false")


def _fraction(lo: float, hi: float) -> Callable[[str], float]:
    def check(value: str) -> float:
        number = float(value)
        if not lo <= number <= hi:
            raise ValueError(
                f"must be between {lo} and {hi} (a fraction of the table's capacity: 0.5 means 50 %)")
        return number
    return check


def _positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError("must be a positive whole number")
    return number


def _positive_number(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise ValueError("must be a positive number")
    return number


def _non_negative_number(value: str) -> float:
    number = float(value)
    if number < 0:
        raise ValueError("must be zero or a positive number")
    return number


def parse_size(value: str) -> int:
    """A byte size: ``268435456``, ``256m``, ``1g``, ``64kb``; positive."""
    m = re.fullmatch(r"\s*(\d+)\s*([kmg]?)b?\s*", value.lower())
    if not m:
        raise ValueError("expected a size such as 268435456 or 256m")
    size = int(m.group(1)) * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[m.group(2)]
    if size <= 0:
        raise ValueError("must be positive")
    return size


def _choice(*options: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        low = value.strip().lower()
        if low not in options:
            raise ValueError("must be one of " + ", ".join(options))
        return low
    return check


@dataclasses.dataclass(frozen=True)
class Key:
    """A setting ddbsql honours: its parser and what it does (shown by ``SET -v``)."""

    parse: Callable[[str], object]
    default: str | None
    doc: str


#: Every key ddbsql acts on.  Table properties with the same ``dynamodb.*`` name win
#: over these for their table.
HONOURED: dict[str, Key] = {
    "dynamodb.throughput.read.percent": Key(
        _fraction(0.1, 1.5), "0.5", "share of the table's read capacity to use (EMR range 0.1-1.5)"),
    "dynamodb.throughput.write.percent": Key(
        _fraction(0.1, 1.5), "0.5", "share of the table's write capacity to use (EMR range 0.1-1.5)"),
    "dynamodb.throughput.read": Key(
        _positive_number, None, "read capacity (RCU) the read percent applies to, instead of the table's "
                                "provisioned capacity (EMR; on-demand tables: 2000 by default)"),
    "dynamodb.throughput.write": Key(
        _positive_number, None, "write capacity (WCU) the write percent applies to, instead of the table's "
                                "provisioned capacity (EMR; on-demand tables: 2000 by default)"),
    "dynamodb.deletion.mode": Key(_bool, "false", "INSERT deletes the items whose keys the query yields (EMR)"),
    "dynamodb.scan.segments": Key(_positive_int, None, "parallel Scan segments (default from table size)"),
    "dynamodb.consistent.read": Key(_bool, "false", "strongly consistent reads"),
    "dynamodb.filter.pushdown": Key(_bool, "true",
                                    "send WHERE predicates to DynamoDB (key lookups, filters); false: Scan"),
    "dynamodb.null.serialization": Key(_bool, "false", "write NULL as the DynamoDB NULL type"),
    "hive.cli.print.header": Key(_bool, "false", "print column names before results"),
    "hive.cli.errors.ignore": Key(_bool, "false", "keep running a script after a failed statement"),
    "hive.exec.drop.ignorenonexistent": Key(_bool, "true", "DROP of a missing table is not an error"),
    "ddbsql.output.format": Key(_choice("tsv", "csv", "json", "table", "vertical"), "tsv",
                                "result format of the command line"),
    "ddbsql.reject.dir": Key(str, "ddbsql-rejects", "folder for reject files of write statements"),
    "ddbsql.write.workers": Key(_positive_int, "4", "concurrent BatchWriteItem requests per target"),
    "ddbsql.write.mode": Key(
        _choice("put", "insert-if-absent", "newer-wins", "replace"), "put",
        "put: overwrite items (EMR); insert-if-absent: keep existing items; newer-wins: replace an item only "
        "if ddbsql.write.version.column is greater; replace: INSERT OVERWRITE also deletes the items the "
        "query did not produce, after all were written"),
    "ddbsql.write.atomic": Key(_bool, "false", "a write of at most 100 items runs as one TransactWriteItems (all "
                               "or nothing); more items are refused before anything is written"),
    "ddbsql.dml.all.rows": Key(_bool, "false", "UPDATE and DELETE without WHERE may change every item of the table"),
    "ddbsql.write.version.column": Key(str, None, "the column newer-wins compares (a number or a string)"),
    "ddbsql.job.resume": Key(_bool, "false", "an INSERT into DynamoDB whose earlier run was interrupted continues "
                             "from its checkpoint instead of starting afresh (see ddbsql --jobs)"),
    "ddbsql.read.skip.expired": Key(_bool, "false", "reads drop items whose TTL (DescribeTimeToLive's attribute) "
                                    "has passed but DynamoDB has not deleted yet; false: EMR's results"),
    "ddbsql.pushdown": Key(_bool, "true", "plan key lookups, filters and projections from the WHERE clause; "
                           "false: every DynamoDB table is read by a plain Scan"),
    "ddbsql.scan.max.rcu": Key(_non_negative_number, "0",
                               "refuse a query whose plan reads a DynamoDB table for more than this many "
                               "estimated RCU (a full scan), before sending anything; 0: no limit"),
    "ddbsql.capacity.refresh.seconds": Key(
        _positive_number, "60", "seconds between two DescribeTable calls that re-read a table's provisioned "
                                "capacity (auto-scaling is followed this fast)"),
    "ddbsql.repl.scan.warn.seconds": Key(_non_negative_number, "30",
                                         "the interactive shell asks before running a statement whose DynamoDB "
                                         "reads would take this long at the read budget; 0: never asks"),
    "ddbsql.repl.row.limit": Key(_non_negative_number, "10000",
                                 "the interactive shell asks before printing a result of more rows than this; "
                                 "0: never asks"),
    # file output (INSERT OVERWRITE DIRECTORY, file tables); no defaults: the first key set wins
    "hive.exec.compress.output": Key(_bool, None, "compress file output; the codec keys pick the codec "
                                                  "(default DefaultCodec, i.e. deflate)"),
    "mapreduce.output.fileoutputformat.compress": Key(_bool, None, "Hadoop's name for hive.exec.compress.output"),
    "mapred.output.compress": Key(_bool, None, "Hadoop's older name for hive.exec.compress.output"),
    "mapreduce.output.fileoutputformat.compress.codec": Key(
        str, None, "codec of compressed text output: a Hadoop codec class (GzipCodec, BZip2Codec, "
                   "ZStandardCodec, DefaultCodec)"),
    "mapred.output.compression.codec": Key(str, None, "Hadoop's older name for the output codec"),
    "parquet.compression": Key(_choice("uncompressed", "none", "snappy", "gzip", "brotli", "lz4", "lz4_raw",
                                       "zstd"), None, "Parquet output compression (default SNAPPY)"),
    "orc.compress": Key(_choice("none", "uncompressed", "zlib", "snappy", "lz4", "zstd"), None,
                        "ORC output compression (default ZLIB)"),
    "ddbsql.output.file.max.bytes": Key(parse_size, None, "largest output file before another is started "
                                                          "(e.g. 256m)"),
    # who a table's requests are made as (a TBLPROPERTY of the same name wins for its table)
    "ddbsql.aws.role.arn": Key(str, None, "IAM role assumed with STS for DynamoDB requests (another account)"),
    "ddbsql.aws.external.id": Key(str, None, "external ID passed when assuming ddbsql.aws.role.arn"),
    "ddbsql.aws.role.session.name": Key(str, "ddbsql", "session name of the assumed role (CloudTrail)"),
    "ddbsql.aws.profile": Key(str, None, "named AWS profile for DynamoDB requests"),
    "dynamodb.awsAccessKeyId": Key(str, None, "access key for DynamoDB requests (EMR; SET or -hiveconf only, "
                                              "never stored)"),
    "dynamodb.awsSecretAccessKey": Key(str, None, "secret key for DynamoDB requests (EMR; SET or -hiveconf only, "
                                                  "never stored)"),
    "ddbsql.retry.max.seconds": Key(_positive_number, "600",
                                    "give up retrying a request that makes no progress for this long"),
}


class Settings:
    """The ``hiveconf`` namespace (plain ``SET``) and the ``hivevar`` namespace.

    Values are stored as the text the user gave; :meth:`get` parses honoured keys.
    """

    def __init__(self, hiveconf: dict[str, str] | None = None, hivevar: dict[str, str] | None = None):
        self.hiveconf: dict[str, str] = {}
        self.hivevar: dict[str, str] = dict(hivevar or {})
        for key, value in (hiveconf or {}).items():
            self.set(key, value)

    def set(self, key: str, value: str) -> None:
        """Record ``SET key=value``; ``hivevar:``/``hiveconf:`` prefixes pick the namespace."""
        key = key.strip()
        value = value.strip()
        if key.startswith("hivevar:"):
            self.hivevar[key[len("hivevar:"):]] = value
            return
        if key.startswith("hiveconf:"):
            key = key[len("hiveconf:"):]
        spec = HONOURED.get(key)
        if spec is not None:
            try:
                spec.parse(value)
            except ValueError as exc:
                raise ConfigError(f"SET {key}={value}: {exc}") from None
        self.hiveconf[key] = value

    def lookup(self, key: str) -> str | None:
        """The raw text of a key, honouring ``hivevar:``/``hiveconf:`` prefixes and defaults."""
        if key.startswith("hivevar:"):
            return self.hivevar.get(key[len("hivevar:"):])
        if key.startswith("hiveconf:"):
            key = key[len("hiveconf:"):]
        if key in self.hiveconf:
            return self.hiveconf[key]
        spec = HONOURED.get(key)
        return spec.default if spec else None

    def get(self, key: str, override: str | None = None):
        """The parsed value of an honoured key; ``override`` (a table property) wins."""
        spec = HONOURED[key]
        raw = override if override is not None else self.lookup(key)
        if raw is None:
            return None
        try:
            return spec.parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{key}={raw}: {exc}") from None

    def listing(self) -> list[tuple[str, str]]:
        """Every set key, both namespaces, sorted, as ``SET;`` prints them."""
        rows = [(k, v) for k, v in self.hiveconf.items()]
        rows += [(f"hivevar:{k}", v) for k, v in self.hivevar.items()]
        return sorted(rows)

    def copy(self) -> "Settings":
        clone = Settings()
        clone.hiveconf = dict(self.hiveconf)
        clone.hivevar = dict(self.hivevar)
        return clone


def check_properties(props: dict[str, str]) -> None:
    """Every TBLPROPERTY that is also a setting ddbsql honours must parse as one
    (a throughput percent of 50 is an error here, not a surprise at the first write)."""
    for key, value in props.items():
        spec = HONOURED.get(key)
        if spec is not None:
            try:
                spec.parse(value)
            except ValueError as exc:
                raise ConfigError(f'TBLPROPERTIES "{key}"="{value}": {exc}') from None
