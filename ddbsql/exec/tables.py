"""DynamoDB table-level calls: describe, and the opt-in create used by ``ddbsql.create``."""
from __future__ import annotations

import dataclasses
import threading
import time

from botocore.exceptions import ClientError

from ..catalog.facts import AccountLimits, TableFacts
from ..errors import CatalogError
from .retry import RetryPolicy, error_code


#: DescribeLimits answers, per endpoint and region: an account's limits change rarely.
_LIMITS: dict[tuple[str, str], AccountLimits] = {}
_LIMITS_LOCK = threading.Lock()


def account_limits(client, retry: RetryPolicy, *, region: str) -> AccountLimits:
    """The account's per-table capacity maximum (``DescribeLimits``), asked once per endpoint
    and region.  A call the credentials may not make (or an endpoint without it) gives
    limits with a ``note`` saying so, never an error."""
    key = (client.meta.endpoint_url, region)
    with _LIMITS_LOCK:
        known = _LIMITS.get(key)
    if known is not None:
        return known
    try:
        answer = retry.call(client.describe_limits, what="DescribeLimits")
        limits = AccountLimits(int(answer.get("TableMaxReadCapacityUnits") or 0),
                               int(answer.get("TableMaxWriteCapacityUnits") or 0))
    except Exception as exc:   # never a failure: the limit is a cap, not the capacity itself
        cause = exc.__cause__ if exc.__cause__ is not None else exc
        code = error_code(cause) or type(cause).__name__
        limits = AccountLimits(note=f"DescribeLimits not answered ({code}): the account's per-table "
                                    "maximum is not applied")
        if not isinstance(cause, ClientError):      # a dropped connection: ask again next time
            return limits
    with _LIMITS_LOCK:
        _LIMITS[key] = limits
    return limits


def describe_table(client, table_name: str, retry: RetryPolicy, *, region: str) -> TableFacts:
    """Facts of a DynamoDB table, with the account's per-table limits; :class:`CatalogError`
    if it does not exist."""
    try:
        response = retry.call(lambda: client.describe_table(TableName=table_name),
                              what=f"DescribeTable {table_name}")
    except Exception as exc:
        cause = exc.__cause__ if exc.__cause__ is not None else exc
        if error_code(cause) == "ResourceNotFoundException":
            raise CatalogError(f"DynamoDB table '{table_name}' does not exist in region {region}") from None
        raise
    facts = TableFacts.from_describe(response["Table"])
    return dataclasses.replace(facts, limits=account_limits(client, retry, region=region))


def create_table(client, *, table_name: str, hash_key: tuple[str, str], range_key: tuple[str, str] | None,
                 billing_mode: str, read_capacity: int, write_capacity: int, retry: RetryPolicy,
                 wait_seconds: float = 300.0, sleep=time.sleep, clock=time.monotonic) -> None:
    """Create a DynamoDB table and wait until it is ACTIVE.

    ``hash_key``/``range_key`` are ``(attribute, type)`` with type S, N or B.
    """
    keys = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
    attrs = [{"AttributeName": hash_key[0], "AttributeType": hash_key[1]}]
    if range_key:
        keys.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
        attrs.append({"AttributeName": range_key[0], "AttributeType": range_key[1]})
    params = {"TableName": table_name, "KeySchema": keys, "AttributeDefinitions": attrs,
              "BillingMode": billing_mode}
    if billing_mode == "PROVISIONED":
        params["ProvisionedThroughput"] = {"ReadCapacityUnits": read_capacity, "WriteCapacityUnits": write_capacity}
    try:
        retry.call(lambda: client.create_table(**params), what=f"CreateTable {table_name}")
    except Exception as exc:
        cause = exc.__cause__ if exc.__cause__ is not None else exc
        if not (isinstance(cause, ClientError) and error_code(cause) == "ResourceInUseException"):
            raise
    deadline = clock() + wait_seconds
    while True:
        status = retry.call(lambda: client.describe_table(TableName=table_name),
                            what=f"DescribeTable {table_name}")["Table"]["TableStatus"]
        if status == "ACTIVE":
            return
        if clock() > deadline:
            raise CatalogError(f"DynamoDB table '{table_name}' is still {status} after {wait_seconds:.0f} s")
        sleep(0.2)
