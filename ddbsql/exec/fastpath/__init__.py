"""The fast path between DynamoDB and Arrow: response bodies decoded straight to Arrow,
Arrow batches encoded straight to request bodies, both equal to the reference codec
(:mod:`ddbsql.exec.decode`, :mod:`ddbsql.exec.encode`), and the botocore calls that carry
them without botocore parsing or serialising the large parts.

Reads::

    batch, meta = raw_scan(client, params, bindings, warnings)    # or raw_query
    batch, meta = decode_body(body, bindings, warnings=warnings)  # a recorded body

Writes::

    items, rejects, sizes = encode_batch_fast(batch, bindings, key_attributes=keys)
    response = raw_batch_write(client, RequestItems={table: [...]}, ReturnConsumedCapacity="TOTAL")

Drop-ins for code written against ``client.scan``/``client.query`` + ``decode_page``:
``scan_page(client, params)`` / ``query_page(client, params)`` return the page with its
``Items`` still raw (:class:`RawItems`), and this package's :func:`decode_page` decodes
them the fast way (anything else goes to the reference).  Objects that are not botocore
clients (test doubles) are called as they are.
"""
from __future__ import annotations

from ..decode import DecodeWarnings
from .decoder import decode_body, decode_items_json, fast_columns
from .encoder import batch_write_body, encode_batch_fast
from .meta import PageMeta
from .rawcalls import (RawItems, decode_page, query_page, raw_batch_write, raw_batch_write_item, raw_page,
                       raw_query, raw_scan, scan_page)

__all__ = ["DecodeWarnings", "PageMeta", "RawItems", "decode_body", "decode_items_json", "fast_columns",
           "encode_batch_fast", "batch_write_body", "raw_scan", "raw_query", "raw_page", "scan_page", "query_page", "decode_page",
           "raw_batch_write", "raw_batch_write_item"]
