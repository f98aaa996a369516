"""DynamoDB calls through botocore that skip botocore's (de)serialisation of the big parts.

Requests still go through the client's whole machinery — credentials chain, SigV4
signing, endpoint resolution, HTTP pool, error parsing — so a throttled or failed call
raises botocore's ``ClientError`` exactly as ``client.scan`` would, and
:class:`~ddbsql.exec.retry.RetryPolicy` retries it the same way.  Two event handlers,
registered once per client and active only on a thread inside one of these functions:

* ``before-parse.dynamodb.Scan|Query``: on HTTP 200, the raw body is set aside and
  botocore is handed ``{}`` to parse; the caller decodes the body with
  :func:`~ddbsql.exec.fastpath.decoder.decode_body`.  Error bodies are left alone.
* ``before-parameter-build.dynamodb.BatchWriteItem`` (after a stubber, if any, has
  checked the real parameters): the parameters become a one-item placeholder, so
  botocore validates and serialises almost nothing; ``before-call``: the placeholder's
  body is replaced by the one :func:`~ddbsql.exec.fastpath.encoder.batch_write_body`
  built from the real parameters, before it is signed.
"""
from __future__ import annotations

import json
import threading
from typing import Any, Sequence

import pyarrow as pa

from ...catalog.binding import ColumnBinding
from ..decode import DecodeWarnings
from ..decode import decode_page as _reference_decode_page
from .decoder import decode_body
from .encoder import batch_write_body
from .meta import PageMeta, botocore_items, botocore_members, botocore_value, split_body

__all__ = ["raw_scan", "raw_query", "raw_page", "scan_page", "query_page", "decode_page", "RawItems",
           "raw_batch_write_item", "raw_batch_write", "install"]

_RAW_BODY = "_ddbsql_raw_body"
_READS = ("Scan", "Query")
_state = threading.local()
_lock = threading.Lock()


def _keep_body(response_dict: dict, customized_response_dict: dict, **_: Any) -> None:
    if getattr(_state, "raw_read", False) and response_dict.get("status_code") == 200:
        customized_response_dict[_RAW_BODY] = response_dict["body"]
        response_dict["body"] = b"{}"


def _shrink_params(params: dict, **_: Any) -> None:
    """Before validation and serialisation: the real request becomes a one-item placeholder
    (after any stubber has checked the real parameters), its body comes back in :func:`_swap_body`."""
    if getattr(_state, "write_body", None) is not None:
        table_name = next(iter(params.get("RequestItems") or {"placeholder": None}))
        params.clear()
        params["RequestItems"] = {table_name: [{"PutRequest": {"Item": _PLACEHOLDER_ITEM}}]}


def _swap_body(params: dict, **_: Any) -> None:
    body = getattr(_state, "write_body", None)
    if body is not None:
        params["body"] = body
        # the placeholder's length must not be sent with the real body
        params.get("headers", {}).pop("Content-Length", None)


def install(client) -> bool:
    """Register the handlers on ``client`` (idempotent; the raw functions call it).
    False for an object that is not a botocore client (a test double): it is called as is."""
    if getattr(client, "_ddbsql_fastpath", False):
        return True
    if getattr(getattr(client, "meta", None), "events", None) is None:
        return False
    with _lock:
        events = client.meta.events
        for operation in _READS:
            events.register(f"before-parse.dynamodb.{operation}", _keep_body,
                            unique_id=f"ddbsql-fastpath-read-{operation}")
        events.register("before-parameter-build.dynamodb.BatchWriteItem", _shrink_params,
                        unique_id="ddbsql-fastpath-write-params")
        events.register("before-call.dynamodb.BatchWriteItem", _swap_body,
                        unique_id="ddbsql-fastpath-write")
        client._ddbsql_fastpath = True
    return True


def _call(client, operation: str, params: dict) -> tuple[dict, bytes | None]:
    """``(parsed response, raw body or None)`` of one Scan/Query with the body set aside."""
    method = client.scan if operation == "Scan" else client.query
    if not install(client):
        return method(**params), None
    previous = getattr(_state, "raw_read", False)
    _state.raw_read = True
    try:
        response = method(**params)
    finally:
        _state.raw_read = previous
    return response, response.pop(_RAW_BODY, None)


def raw_page(client, operation: str, params: dict, bindings: Sequence[ColumnBinding],
             warnings: DecodeWarnings | None = None) -> tuple[pa.RecordBatch, PageMeta]:
    """One ``Scan`` or ``Query`` page: ``(batch, meta)``, the batch decoded from the raw body.

    ``meta`` is the response without ``Items`` (``Count``, ``ScannedCount``,
    ``LastEvaluatedKey``, ``ConsumedCapacity``, ``ResponseMetadata``).  Raises what
    ``client.scan``/``client.query`` raises.  When something answered the call without
    an HTTP body (a stub, a patched client) the parsed items are decoded instead.
    """
    response, body = _call(client, operation, params)
    if body is None:
        items = response.pop("Items", None) or []
        meta = PageMeta(response)
        meta.setdefault("Count", len(items))
        return _reference_decode_page(items, bindings, warnings), meta
    batch, meta = decode_body(body, bindings, warnings=warnings)
    if "ResponseMetadata" in response:
        meta["ResponseMetadata"] = response["ResponseMetadata"]
    return batch, meta


def raw_scan(client, params: dict, bindings: Sequence[ColumnBinding],
             warnings: DecodeWarnings | None = None) -> tuple[pa.RecordBatch, PageMeta]:
    """``client.scan(**params)`` decoded straight to Arrow: ``(batch, meta)`` (see :func:`raw_page`)."""
    return raw_page(client, "Scan", params, bindings, warnings)


def raw_query(client, params: dict, bindings: Sequence[ColumnBinding],
              warnings: DecodeWarnings | None = None) -> tuple[pa.RecordBatch, PageMeta]:
    """``client.query(**params)`` decoded straight to Arrow: ``(batch, meta)`` (see :func:`raw_page`)."""
    return raw_page(client, "Query", params, bindings, warnings)


# --- drop-in form for code written against client.scan + decode_page -------------------------

class RawItems:
    """A page's items, still the raw response body: ``len()`` and truth as the item list.

    This module's :func:`decode_page` decodes them straight to Arrow with
    :func:`~ddbsql.exec.fastpath.decoder.decode_body`; iterating or indexing builds the
    low-level items (for callers that need them, such as an item-size estimate when the
    server reports no consumed capacity).
    """

    __slots__ = ("body", "_count", "_items")

    def __init__(self, body: bytes, count: int):
        self.body = body
        self._count = count
        self._items: list | None = None

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def _low_level(self) -> list:
        if self._items is None:
            self._items = botocore_items(json.loads(self.body).get("Items") or [])
        return self._items

    def __iter__(self):
        return iter(self._low_level())

    def __getitem__(self, index):
        return self._low_level()[index]


def _page(client, operation: str, params: dict) -> PageMeta:
    response, body = _call(client, operation, params)
    if body is None:  # answered without a body (a stub): botocore parsed the items
        return PageMeta(response)
    members, _ = split_body(body)
    meta = PageMeta(botocore_members(members))
    items = meta.pop("Items", None)
    if items is not None:  # the body could not be split; it was parsed whole
        meta["Items"] = botocore_items(items)
    else:
        meta["Items"] = RawItems(body, meta.get("Count", 0))
    if "ResponseMetadata" in response:
        meta["ResponseMetadata"] = response["ResponseMetadata"]
    return meta


def scan_page(client, params: dict) -> PageMeta:
    """A drop-in for ``client.scan(**params)`` whose ``Items`` stay undecoded (:class:`RawItems`)
    until this module's :func:`decode_page` turns them into a record batch.

    Every other member is there as botocore would have parsed it (``Count``,
    ``ScannedCount``, ``LastEvaluatedKey`` with binary as bytes, ``ConsumedCapacity``,
    ``ResponseMetadata``); errors raise as from ``client.scan``.
    """
    return _page(client, "Scan", params)


def query_page(client, params: dict) -> PageMeta:
    """A drop-in for ``client.query(**params)``; see :func:`scan_page`."""
    return _page(client, "Query", params)


def decode_page(items, bindings: Sequence[ColumnBinding], warnings: DecodeWarnings | None = None) -> pa.RecordBatch:
    """:func:`ddbsql.exec.decode.decode_page`, decoding :class:`RawItems` the fast way."""
    if isinstance(items, RawItems):
        return decode_body(items.body, bindings, warnings=warnings)[0]
    return _reference_decode_page(items if isinstance(items, list) else list(items), bindings, warnings)


# --- writes -----------------------------------------------------------------------------------

_PLACEHOLDER_ITEM = {"_": {"NULL": True}}


def raw_batch_write_item(client, table_name: str, body: bytes) -> dict:
    """One ``BatchWriteItem`` whose JSON request body is ``body``, signed and sent by botocore.

    ``body`` is what :func:`~ddbsql.exec.fastpath.encoder.batch_write_body` builds.  The
    response is parsed by botocore as usual (``UnprocessedItems`` with binary as bytes,
    ``ConsumedCapacity``); errors raise ``ClientError``.  ``table_name`` (the table the
    body writes to) stands in the placeholder botocore serialises, so that endpoint
    rules that look at the request's table names see the real one.
    """
    if not install(client):  # a test double: hand it the request as botocore-form parameters
        return client.batch_write_item(**_parameters(body))
    previous = getattr(_state, "write_body", None)
    _state.write_body = body
    try:
        return client.batch_write_item(RequestItems={table_name: [{"PutRequest": {"Item": _PLACEHOLDER_ITEM}}]})
    finally:
        _state.write_body = previous


def raw_batch_write(client, **params) -> dict:
    """A drop-in for ``client.batch_write_item(**params)`` that serialises the request with
    :func:`~ddbsql.exec.fastpath.encoder.batch_write_body` (the same bytes, without
    botocore's validation and serialisation passes); signing, sending, errors and the
    parsed response are botocore's."""
    if not install(client):
        return client.batch_write_item(**params)
    body = batch_write_body(params)
    previous = getattr(_state, "write_body", None)
    _state.write_body = body
    try:
        return client.batch_write_item(**params)
    finally:
        _state.write_body = previous


def _parameters(body: bytes) -> dict:
    """A BatchWriteItem body back as the parameters botocore takes (binary as bytes)."""
    params = json.loads(body)
    for requests in params.get("RequestItems", {}).values():
        for request in requests:
            for kind, member in (("PutRequest", "Item"), ("DeleteRequest", "Key")):
                inner = request.get(kind)
                if inner and member in inner:
                    inner[member] = {name: botocore_value(av) for name, av in inner[member].items()}
    return params
