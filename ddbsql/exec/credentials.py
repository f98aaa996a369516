"""Per-table credentials: a named profile, an IAM role assumed with STS, or EMR's access
keys from ``SET``; botocore sessions built from them, refreshed before they expire.

A table's requests are signed with what its TBLPROPERTIES ask for
(``ddbsql.aws.role.arn`` with ``ddbsql.aws.external.id`` and
``ddbsql.aws.role.session.name``; ``ddbsql.aws.profile``), on top of the session's
base credentials (``dynamodb.awsAccessKeyId``/``dynamodb.awsSecretAccessKey`` set with
``SET`` or ``-hiveconf``, else the profile/boto3 chain).  So one statement can read in
one account and write in others.  Secrets live in these objects only: their ``repr``
leaves them out and no error quotes them.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Callable

import boto3
import botocore.session
from botocore.credentials import CredentialProvider, Credentials, DeferredRefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError

from ..catalog.mapping import EXTERNAL_ID, PROFILE, ROLE_ARN, ROLE_SESSION_NAME
from ..errors import ConfigError

#: EMR's keys for static credentials (taken from SET / -hiveconf only)
ACCESS_KEY_ID = "dynamodb.awsAccessKeyId"
SECRET_ACCESS_KEY = "dynamodb.awsSecretAccessKey"
SESSION_TOKEN = "dynamodb.awsSessionToken"

DEFAULT_SESSION_NAME = "ddbsql"
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")


@dataclasses.dataclass(frozen=True)
class StaticKeys:
    """An access key pair (and optional session token); never printed."""

    access_key: str = dataclasses.field(repr=False)
    secret_key: str = dataclasses.field(repr=False)
    token: str | None = dataclasses.field(default=None, repr=False)


@dataclasses.dataclass(frozen=True)
class TableCredentials:
    """Who a table's requests are made as.  Hashable: clients are cached by it."""

    role_arn: str | None = None
    external_id: str | None = dataclasses.field(default=None, repr=False)
    session_name: str = DEFAULT_SESSION_NAME
    profile: str | None = None
    keys: StaticKeys | None = dataclasses.field(default=None, repr=False)

    @classmethod
    def resolve(cls, properties: dict[str, str], lookup: Callable[[str], str | None]) -> "TableCredentials | None":
        """From a table's TBLPROPERTIES (role, profile; each may also be ``SET`` for every
        table) and the session's ``SET`` keys (access keys).  None: the session's default."""
        def value(key: str) -> str | None:
            found = properties.get(key)
            if found is None:
                found = lookup(key)
            return found.strip() if found and found.strip() else None

        role = value(ROLE_ARN)
        if role is not None and not _ROLE_ARN.match(role):
            raise ConfigError(f"{ROLE_ARN}: '{role}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)")
        access, secret = lookup(ACCESS_KEY_ID), lookup(SECRET_ACCESS_KEY)
        if bool(access) != bool(secret):
            raise ConfigError(f"{ACCESS_KEY_ID} and {SECRET_ACCESS_KEY} must be set together")
        keys = StaticKeys(access.strip(), secret.strip(), (lookup(SESSION_TOKEN) or "").strip() or None) \
            if access and secret else None
        profile = value(PROFILE)
        if role is None and profile is None and keys is None:
            return None
        session_name = value(ROLE_SESSION_NAME) or DEFAULT_SESSION_NAME
        return cls(role, value(EXTERNAL_ID), session_name, profile, keys)

    @property
    def identity(self) -> str:
        """What tells this identity's tables apart from same-named tables of another
        account (no secret in it)."""
        if self.role_arn:
            return self.role_arn
        if self.profile:
            return f"profile {self.profile}"
        return "access keys"


def session_for(credentials: TableCredentials, base: boto3.session.Session, *, region: str,
                sts_endpoint: Callable[[boto3.session.Session], str | None]) -> boto3.session.Session:
    """A boto3 session whose requests are made as ``credentials``.

    ``base`` is the session used when neither a profile nor keys are given; the role (if
    any) is assumed with the credentials of the profile/keys/base.  Nothing is sent until
    the first request: a role that cannot be assumed fails then, with one line naming it.
    """
    if credentials.keys is not None:
        keys = credentials.keys
        source = boto3.session.Session(aws_access_key_id=keys.access_key, aws_secret_access_key=keys.secret_key,
                                       aws_session_token=keys.token, region_name=region)
    elif credentials.profile is not None:
        try:
            source = boto3.session.Session(profile_name=credentials.profile, region_name=region)
        except BotoCoreError as exc:
            raise ConfigError(f"{PROFILE}: profile '{credentials.profile}': {type(exc).__name__}") from None
    else:
        source = base
    if credentials.role_arn is None:
        return source
    fetch = _assume_role_fetcher(credentials, source, region, sts_endpoint(source))
    botocore_session = botocore.session.get_session()
    resolver = botocore_session.get_component("credential_provider")
    resolver.insert_before("env", _AssumedRoleProvider(fetch))
    return boto3.session.Session(botocore_session=botocore_session, region_name=region)


class _AssumedRoleProvider(CredentialProvider):
    METHOD = "ddbsql-assume-role"
    CANONICAL_NAME = "ddbsql-assume-role"

    def __init__(self, fetch: Callable[[], dict]):
        super().__init__()
        self._fetch = fetch

    def load(self) -> Credentials:
        return DeferredRefreshableCredentials(refresh_using=self._fetch, method=self.METHOD)


class RoleError(ConfigError):
    """A role that could not be assumed (the message names the role, never credentials)."""


def _assume_role_fetcher(credentials: TableCredentials, source: boto3.session.Session, region: str,
                         endpoint: str | None) -> Callable[[], dict]:
    """What botocore calls for fresh credentials: AssumeRole, answered in its metadata form."""
    role = credentials.role_arn

    def fetch() -> dict:
        params = {"RoleArn": role, "RoleSessionName": credentials.session_name}
        if credentials.external_id:
            params["ExternalId"] = credentials.external_id
        try:
            sts = source.client("sts", region_name=region, endpoint_url=endpoint)
            answer = sts.assume_role(**params)["Credentials"]
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise RoleError(f"cannot assume role {role}: {error.get('Code', 'error')}") from None
        except BotoCoreError as exc:
            raise RoleError(f"cannot assume role {role}: {type(exc).__name__}") from None
        expiry = answer["Expiration"]
        if isinstance(expiry, dt.datetime):
            expiry = expiry.isoformat()
        # botocore renews them 15 minutes before this (10 at the latest)
        return {"access_key": answer["AccessKeyId"], "secret_key": answer["SecretAccessKey"],
                "token": answer["SessionToken"], "expiry_time": expiry}

    return fetch
