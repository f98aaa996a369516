"""Assumed-role credentials: fetched on first use, renewed by botocore before they expire,
a failure is one line naming the role; per-table identities resolved from properties/SET."""
import datetime as dt

import boto3
import pytest

from ddbsql.errors import ConfigError
from ddbsql.exec.credentials import RoleError, TableCredentials, session_for

ROLE = "arn:aws:iam::222222222222:role/reader"


class FakeSts:
    def __init__(self, lifetime: dt.timedelta, fail: bool = False):
        self.lifetime = lifetime
        self.calls = []
        self.fail = fail

    def assume_role(self, **params):
        from botocore.exceptions import ClientError
        self.calls.append(params)
        if self.fail:
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "secret-looking detail"}}, "AssumeRole")
        n = len(self.calls)
        return {"Credentials": {"AccessKeyId": f"ASIA{n}", "SecretAccessKey": f"s{n}", "SessionToken": f"t{n}",
                                "Expiration": dt.datetime.now(dt.timezone.utc) + self.lifetime}}


@pytest.fixture
def base(monkeypatch):
    session = boto3.session.Session(aws_access_key_id="AK", aws_secret_access_key="SK", region_name="us-east-1")
    return session


def assumed(base, monkeypatch, sts, **options):
    monkeypatch.setattr(boto3.session.Session, "client", lambda self, name, **kw: sts)
    creds = TableCredentials(ROLE, session_name="copy", **options)
    return session_for(creds, base, region="us-east-1", sts_endpoint=lambda s: None).get_credentials()


def test_credentials_are_fetched_once_while_fresh(base, monkeypatch):
    sts = FakeSts(dt.timedelta(hours=1))
    credentials = assumed(base, monkeypatch, sts, external_id="ext")
    assert sts.calls == []                                     # nothing sent before the first request
    first = credentials.get_frozen_credentials()
    again = credentials.get_frozen_credentials()
    assert first.access_key == again.access_key == "ASIA1" and first.token == "t1"
    assert sts.calls == [{"RoleArn": ROLE, "RoleSessionName": "copy", "ExternalId": "ext"}]


def test_credentials_close_to_expiry_are_renewed(base, monkeypatch):
    sts = FakeSts(dt.timedelta(minutes=5))                     # inside botocore's renewal window
    credentials = assumed(base, monkeypatch, sts)
    keys = [credentials.get_frozen_credentials().access_key for _ in range(3)]
    assert keys == ["ASIA1", "ASIA2", "ASIA3"] and len(sts.calls) == 3


def test_a_refused_role_is_one_line_naming_it(base, monkeypatch):
    credentials = assumed(base, monkeypatch, FakeSts(dt.timedelta(hours=1), fail=True))
    with pytest.raises(RoleError) as failure:
        credentials.get_frozen_credentials()
    assert str(failure.value).endswith(f"cannot assume role {ROLE}: AccessDenied")
    assert "secret" not in str(failure.value)


def test_resolution_from_properties_and_settings():
    settings = {"ddbsql.aws.role.arn": ROLE, "ddbsql.aws.profile": "ops"}
    assert TableCredentials.resolve({}, lambda k: None) is None
    assert TableCredentials.resolve({}, settings.get) == TableCredentials(ROLE, None, "ddbsql", "ops")
    own = TableCredentials.resolve({"ddbsql.aws.role.arn": "arn:aws:iam::333333333333:role/w"}, settings.get)
    assert own.role_arn.endswith("333333333333:role/w") and own.identity == own.role_arn
    with pytest.raises(ConfigError, match="must be set together"):
        TableCredentials.resolve({}, {"dynamodb.awsAccessKeyId": "AK"}.get)


def test_access_keys_in_table_properties_are_not_used():
    props = {"dynamodb.awsAccessKeyId": "AK", "dynamodb.awsSecretAccessKey": "SK"}
    assert TableCredentials.resolve(props, lambda key: None) is None
