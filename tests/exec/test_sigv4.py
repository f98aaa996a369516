"""The SigV4 signer of the write path equals botocore's SigV4Auth, header for header."""
from __future__ import annotations

import datetime

import botocore.auth
import pytest
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import given, settings
from hypothesis import strategies as st

from ddbsql.exec.fastpath.sigv4 import JsonPostSigner, canonical_host, fast_signable

HEADERS = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.BatchWriteItem",
           "User-Agent": "ddbsql/1.0 test"}


def _botocore(monkeypatch, url, region, credentials, headers, body, now):
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: now.replace(tzinfo=None))
    request = AWSRequest(method="POST", url=url, data=body, headers=dict(headers))
    botocore.auth.SigV4Auth(credentials, "dynamodb", region).add_auth(request)
    return {k: v for k, v in request.headers.items()}


URLS = ["http://127.0.0.1:8000/", "http://localhost:8000", "https://dynamodb.eu-west-1.amazonaws.com/",
        "https://dynamodb.us-east-1.amazonaws.com:443", "http://EXAMPLE.internal:80/", "http://[::1]:8000/",
        "https://vpce-1a2b.dynamodb.us-east-1.vpce.amazonaws.com"]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("token", [None, "FwoGZXIvYXdzEJr//////////wEaDM+token/with=chars"])
def test_equal_to_botocore(monkeypatch, url, token):
    credentials = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token)
    body = b'{"RequestItems": {"t": [{"PutRequest": {"Item": {"id": {"S": "a"}}}}]}}'
    now = datetime.datetime(2026, 12, 5, 23, 59, 59, tzinfo=datetime.timezone.utc)
    expected = _botocore(monkeypatch, url, "eu-west-1", credentials, HEADERS, body, now)
    got = JsonPostSigner(url, "eu-west-1").sign(credentials.get_frozen_credentials(), HEADERS, body, now)
    assert got == expected


@settings(max_examples=60, deadline=None)
@given(body=st.binary(max_size=400), secret=st.text(min_size=1, max_size=40),
       seconds=st.integers(min_value=0, max_value=4 * 366 * 86400), spaces=st.text(" \t", max_size=3))
def test_equal_to_botocore_over_bodies_secrets_and_days(body, secret, seconds, spaces):
    # one signer across many instants: the cached signing key must follow the day and the secret
    now = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    credentials = Credentials("AKID", secret)
    headers = dict(HEADERS, **{"X-Amz-Target": f"{spaces}DynamoDB_20120810.BatchWriteItem  x{spaces}"})
    with pytest.MonkeyPatch.context() as monkeypatch:
        expected = _botocore(monkeypatch, URLS[0], "us-east-1", credentials, headers, body, now)
    assert SIGNER.sign(credentials.get_frozen_credentials(), headers, body, now) == expected


SIGNER = JsonPostSigner(URLS[0], "us-east-1")


def test_only_root_paths_are_signed_here():
    assert fast_signable("http://h:1") and fast_signable("http://h:1/")
    assert not fast_signable("http://h:1/prefix/")
    with pytest.raises(ValueError):
        JsonPostSigner("http://h:1/prefix", "us-east-1")
    assert canonical_host("HTTPS://Dynamo.Example:443/") == "dynamo.example"
    assert canonical_host("http://[::1]:8000") == "[::1]:8000"
