"""Signature Version 4 for DynamoDB's JSON POSTs, computed as botocore's ``SigV4Auth``
computes it, at a fraction of the cost.

A write job signs thousands of requests a second.  botocore builds a fresh header map,
re-parses the URL and derives the day's signing key (four HMACs) for every request;
here the host, the scope and the signing key are worked out once (the key once per
day and secret) and each request costs one SHA-256 of the body, one of the canonical
request and one HMAC.

The contract: for the same credentials, region, URL, headers, body and instant, the
``Authorization``, ``X-Amz-Date`` and ``X-Amz-Security-Token`` headers are exactly
botocore's (``tests/exec/test_sigv4.py`` compares them).  Only endpoints whose path is
empty or ``/`` take this path (:func:`fast_signable`); others keep botocore's signer.
"""
from __future__ import annotations

import datetime
import hashlib
import hmac
import threading
from typing import Mapping
from urllib.parse import urlsplit

__all__ = ["JsonPostSigner", "fast_signable", "canonical_host"]

#: headers SigV4 leaves unsigned (botocore's list)
UNSIGNED_HEADERS = frozenset({"expect", "transfer-encoding", "user-agent", "x-amzn-trace-id"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def fast_signable(url: str) -> bool:
    """True when ``url``'s path is empty or ``/`` (the canonical URI is then ``/``)."""
    return urlsplit(url).path in ("", "/")


def canonical_host(url: str) -> str:
    """The ``host`` SigV4 signs: lower case, IPv6 in brackets, the port unless it is the scheme's default."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(parts.scheme):
        host = f"{host}:{parts.port}"
    return host


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


class JsonPostSigner:
    """Signs ``POST /`` requests to one endpoint for one region and service (thread-safe)."""

    def __init__(self, url: str, region: str, service: str = "dynamodb"):
        if not fast_signable(url):
            raise ValueError(f"only endpoints whose path is '/' are signed here: {url}")
        self.host = canonical_host(url)
        self.region = region
        self.service = service
        self._lock = threading.Lock()
        self._key: tuple[str, str, bytes] | None = None   # (secret, day, signing key)

    def _signing_key(self, secret: str, day: str) -> bytes:
        cached = self._key
        if cached is not None and cached[0] == secret and cached[1] == day:
            return cached[2]
        key = _hmac(_hmac(_hmac(_hmac(f"AWS4{secret}".encode("utf-8"), day), self.region), self.service),
                    "aws4_request")
        with self._lock:
            self._key = (secret, day, key)
        return key

    def sign(self, credentials, headers: Mapping[str, str], body: bytes,
             now: datetime.datetime | None = None) -> dict[str, str]:
        """``headers`` plus ``X-Amz-Date``, ``X-Amz-Security-Token`` (when the
        credentials carry a session token) and ``Authorization``.

        ``credentials`` are frozen botocore credentials (``access_key``, ``secret_key``,
        ``token``); ``now`` (UTC) defaults to the current time."""
        now = now or datetime.datetime.now(datetime.timezone.utc)
        stamp = now.strftime("%Y%m%dT%H%M%SZ")
        day = stamp[:8]
        out = dict(headers)
        out["X-Amz-Date"] = stamp
        if credentials.token:
            out["X-Amz-Security-Token"] = credentials.token
        signed = {"host": self.host}
        for name, value in out.items():
            lower = name.lower()
            if lower not in UNSIGNED_HEADERS:
                signed[lower] = " ".join(str(value).split())
        names = sorted(signed)
        signed_headers = ";".join(names)
        canonical = "\n".join(("POST", "/", "", "\n".join(f"{n}:{signed[n]}" for n in names) + "\n",
                               signed_headers, hashlib.sha256(body).hexdigest()))
        scope = f"{day}/{self.region}/{self.service}/aws4_request"
        to_sign = f"AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}"
        signature = hmac.new(self._signing_key(credentials.secret_key, day), to_sign.encode("utf-8"),
                             hashlib.sha256).hexdigest()
        out["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={credentials.access_key}/{scope}, "
                                f"SignedHeaders={signed_headers}, Signature={signature}")
        return out
