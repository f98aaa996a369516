"""BatchWriteItem as one SigV4-signed HTTP request on the client's own connection pool.

botocore's client machinery (events, endpoint rules, parameter validation, retry
context, response parsing) costs several times what signing and sending the request
does; a write job sends thousands of requests a second.  :class:`SignedSender` keeps
what matters and drops the rest:

* the endpoint URL and region the client resolved (``client.meta``), the credentials of
  the session that made it (refreshed as botocore refreshes them), SigV4 as botocore
  signs (:mod:`.sigv4`, which keeps the day's signing key; botocore's own signer for an
  endpoint with a path);
* the client's HTTP session (its pool, proxies, TLS settings and timeouts), so a dropped
  connection or a timeout raises botocore's ``ConnectionClosedError``,
  ``EndpointConnectionError`` or ``ReadTimeoutError`` as a client call would;
* an error status raises ``ClientError`` with DynamoDB's error code and message, the
  HTTP status in ``ResponseMetadata``, as botocore's parser builds it; a 200 whose body
  is not whole (no JSON, or a CRC32 that does not match ``x-amz-crc32``) raises
  ``ConnectionClosedError`` (BatchWriteItem puts and deletes can be sent again).

Only clients made by ddbsql's :class:`~ddbsql.exec.clients.ClientFactory` get a sender
(:func:`enable`); anything else (a client with botocore's Stubber, a test double) goes
through the client as before: :func:`sender_for` returns None.
"""
from __future__ import annotations

import json
import zlib
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSPreparedRequest, AWSRequest
from botocore.exceptions import ClientError, ConnectionClosedError

from .meta import botocore_value
from .sigv4 import JsonPostSigner, fast_signable

__all__ = ["SignedSender", "enable", "sender_for"]

_TARGET = "DynamoDB_20120810.BatchWriteItem"
_ATTRIBUTE = "_ddbsql_signed_sender"


class SignedSender:
    """Sends pre-serialised BatchWriteItem bodies signed, straight on ``client``'s pool."""

    def __init__(self, client, credentials):
        self._credentials = credentials
        self._region = client.meta.region_name
        self._url = client.meta.endpoint_url.rstrip("/") + "/"
        self._http = client._endpoint.http_session  # the pool, proxies and timeouts the client uses
        self._user_agent = getattr(client.meta.config, "user_agent", None) or "ddbsql"
        self._signer = JsonPostSigner(self._url, self._region) if fast_signable(self._url) else None

    def batch_write(self, body: bytes) -> dict:
        """Send one BatchWriteItem ``body``; the response as botocore parses it
        (``UnprocessedItems`` with binary values as bytes, ``ConsumedCapacity``)."""
        response = self._http.send(self._signed(body))
        content = response.content
        headers = dict(response.headers)
        meta = {"HTTPStatusCode": response.status_code, "HTTPHeaders": headers,
                "RequestId": headers.get("x-amzn-requestid", "")}
        if response.status_code != 200:
            raise ClientError({"Error": _error(content, response.status_code), "ResponseMetadata": meta},
                              "BatchWriteItem")
        crc = headers.get("x-amz-crc32")
        try:
            if crc is not None and int(crc) != zlib.crc32(content) & 0xFFFFFFFF:
                raise ValueError("CRC32 mismatch")
            parsed = json.loads(content) if content else {}
        except ValueError:
            raise ConnectionClosedError(endpoint_url=self._url) from None
        unprocessed = parsed.get("UnprocessedItems")
        if unprocessed:
            parsed["UnprocessedItems"] = {table: [_request_value(r) for r in requests]
                                          for table, requests in unprocessed.items()}
        parsed["ResponseMetadata"] = meta
        return parsed

    def _signed(self, body: bytes) -> AWSPreparedRequest:
        """The signed request carrying ``body``, ready for the client's HTTP session."""
        headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": _TARGET,
                   "User-Agent": self._user_agent}
        credentials = self._credentials.get_frozen_credentials()
        if self._signer is None:
            request = AWSRequest(method="POST", url=self._url, data=body, headers=headers)
            SigV4Auth(credentials, "dynamodb", self._region).add_auth(request)
            return request.prepare()
        headers = self._signer.sign(credentials, headers, body)
        headers["Content-Length"] = str(len(body))
        return AWSPreparedRequest("POST", self._url, headers, body, stream_output=False, context={})


def _request_value(request: dict) -> dict:
    """One PutRequest/DeleteRequest of ``UnprocessedItems`` as botocore gives it."""
    out = {}
    for kind, member in (("PutRequest", "Item"), ("DeleteRequest", "Key")):
        inner = request.get(kind)
        if inner is not None:
            out[kind] = {member: {name: botocore_value(av) for name, av in (inner.get(member) or {}).items()}}
    return out


def _error(content: bytes, status: int) -> dict[str, Any]:
    """DynamoDB's error code and message, as botocore's JSON protocol parser reads them."""
    try:
        body = json.loads(content) if content else {}
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    code = str(body.get("__type") or body.get("code") or status).rpartition("#")[2]
    message = body.get("message") or body.get("Message") or ""
    return {"Code": code, "Message": message}


def enable(client, credentials) -> None:
    """Let writes to ``client`` go out as :class:`SignedSender` requests signed with
    ``credentials`` (the botocore credentials of the session that made the client)."""
    if credentials is None or getattr(client, "_endpoint", None) is None:
        return
    setattr(client, _ATTRIBUTE, SignedSender(client, credentials))


def sender_for(client) -> SignedSender | None:
    """The client's sender, or None: send through the client."""
    return getattr(client, _ATTRIBUTE, None)
