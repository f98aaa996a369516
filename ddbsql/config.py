"""Settings: what ``SET``, ``-hiveconf`` and ``-hivevar`` hold, and which keys ddbsql honours.

Hive accepts any ``SET key=value`` and so does ddbsql: unknown keys are recorded
(``SET key;`` prints them back) and otherwise ignored.  Keys ddbsql honours are listed
in :data:`HONOURED` with a validator; a bad value for one of those is a
:class:`~ddbsql.errors.ConfigError` at the ``SET``, not a surprise later.
"""
from __future__ import annotations

import dataclasses
import math
import os
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


def _whole(low: int, high: int, why: str) -> Callable[[str], int]:
    def check(value: str) -> int:
        number = int(value)
        if not low <= number <= high:
            raise ValueError(f"must be a whole number from {low} to {high} ({why})")
        return number
    return check


def _finite(value: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    return number


def _positive_number(value: str) -> float:
    number = _finite(value)
    if number <= 0:
        raise ValueError("must be a positive number")
    return number


def _non_negative_number(value: str) -> float:
    number = _finite(value)
    if number < 0:
        raise ValueError("must be zero or a positive number")
    return number


#: DynamoDB's limit on a Scan's TotalSegments
MAX_SEGMENTS = 1_000_000
#: write workers per target: threads that wait on the network, so many per core, but not
#: so many that starting them is the work
MAX_WRITE_WORKERS = max(64, 16 * (os.cpu_count() or 1))


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
    "dynamodb.scan.segments": Key(_whole(1, MAX_SEGMENTS, "DynamoDB's limit"), None,
                                  "parallel Scan segments (default from table size)"),
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
    "ddbsql.write.workers": Key(_whole(1, MAX_WRITE_WORKERS, "16 per CPU core, at least 64"), "8",
                                "concurrent BatchWriteItem requests per target"),
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
    "ddbsql.warehouse.wait.seconds": Key(_non_negative_number, "10",
                                         "how long a statement waits for another ddbsql process to let go of the "
                                         "local table warehouse"),
    "ddbsql.retry.max.seconds": Key(_positive_number, "600",
                                    "give up retrying a request that makes no progress for this long"),
    # the built-in dynamodb databases (tables without DDL)
    "ddbsql.dynamodb.sample.items": Key(_whole(1, 1_000_000, "a sample, not a copy"), "1000", "items read to infer the columns of a table of "
                                        "the dynamodb database (once; REFRESH TABLE reads them again)"),
    "ddbsql.dynamodb.sample.segments": Key(_whole(1, MAX_SEGMENTS, "DynamoDB's limit"), "8", "Scan segments the sample is spread over (each "
                                           "reads its share of the items from its slice of the key space)"),
    "ddbsql.dynamodb.max.columns": Key(_whole(1, 10_000, "columns of one table"), "100", "most inferred columns besides the keys (the most "
                                       "common attributes); the others are read in the item column"),
    "hive.metastore.client.factory.class": Key(str, None, "com.amazonaws.glue.catalog.metastore."
                                               "AWSGlueDataCatalogHiveClientFactory (EMR's setting, given at start "
                                               "with -hiveconf): the Glue Data Catalog is the metastore"),
}


#: what a secret's value is shown as
REDACTED = "********"
_WORD = re.compile(r"[A-Za-z0-9+/=_-]{6,}")
_SECRET_KEY = re.compile(r"secret|passw|token|credential|access[._-]?key|private[._-]?key", re.IGNORECASE)


def is_secret(key: str) -> bool:
    """Whether a setting or table property holds a credential (``dynamodb.awsAccessKeyId``,
    ``dynamodb.awsSecretAccessKey``, session tokens, anything naming a secret, password,
    token or credential).  Such values are kept in memory only: never stored, never shown."""
    return bool(_SECRET_KEY.search(key))


def without_secrets(pairs: dict[str, str]) -> dict[str, str]:
    """``pairs`` less the credential-like keys (what may be written down)."""
    return {k: v for k, v in pairs.items() if not is_secret(k)}


def shown(key: str, value: str) -> str:
    """``value`` as it may be printed: :data:`REDACTED` for a credential-like key."""
    return REDACTED if is_secret(key) else value


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

    def secret_values(self) -> list[str]:
        """The values of credential-like keys (to blank out of messages), longest first."""
        values = {v for k, v in self.hiveconf.items() if is_secret(k) and len(v) >= 4}
        values |= {v for k, v in self.hivevar.items() if is_secret(k) and len(v) >= 4}
        return sorted(values, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """``text`` with every secret value of these settings replaced by :data:`REDACTED`,
        and every piece of one (a message may quote a secret as the parser split it)."""
        secrets = self.secret_values()
        if not secrets:
            return text
        for value in secrets:
            text = text.replace(value, REDACTED)
        return _WORD.sub(lambda m: REDACTED if any(m.group(0) in v for v in secrets) else m.group(0), text)

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
