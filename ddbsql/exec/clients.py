"""boto3 clients per region and endpoint, built once and shared by every worker.

Region and endpoint resolution, most specific first: the table's ``dynamodb.region`` /
``dynamodb.endpoint``, then ``--region`` / ``--endpoint-url``, then the environment and
profile as the AWS CLI v2 and the Java SDK read them: ``AWS_REGION``, then boto3's chain
(``AWS_DEFAULT_REGION``, the profile's ``region``; ``AWS_ENDPOINT_URL_DYNAMODB``,
``AWS_ENDPOINT_URL``).  When no region is configured anywhere, :data:`DEFAULT_REGION` is
used and the ``ddbsql.aws`` logger says so once (a WARNING: on stderr unless the
application routes it elsewhere).
"""
from __future__ import annotations

import dataclasses
import logging
import os
import re
import threading
from urllib.parse import urlparse

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError

from ..errors import ConfigError

from .credentials import TableCredentials, session_for

DEFAULT_REGION = "us-east-1"

log = logging.getLogger("ddbsql.aws")


@dataclasses.dataclass(frozen=True)
class AwsOptions:
    """Connection choices from the command line or ``connect()``; never holds secrets."""

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    s3_endpoint_url: str | None = None
    #: the embedded local endpoint accepts any credentials: use fixed dummy ones
    local: bool = False


def normalise_endpoint(endpoint: str | None) -> str | None:
    """EMR's ``dynamodb.endpoint`` is often a bare host name; boto3 wants a URL."""
    if not endpoint:
        return None
    if "://" not in endpoint:
        return "https://" + endpoint
    return endpoint


#: botocore's rule for a region name
_REGION = re.compile(r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?")


def check_region(region: str | None, what: str = "region") -> None:
    """A :class:`ConfigError` for a region name botocore would refuse."""
    if region is not None and not _REGION.fullmatch(region):
        raise ConfigError(f"{what} '{region}' is not a region name (such as eu-west-1)")


def check_endpoint(url: str | None, what: str = "endpoint URL") -> None:
    """A :class:`ConfigError` for an endpoint that is not an http(s) URL with a host."""
    if url is None:
        return
    try:
        parts = urlparse(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        raise ConfigError(f"{what} '{url}' is not an http:// or https:// URL")


class ClientFactory:
    """Thread-safe cache of boto3 clients keyed by (service, region, endpoint)."""

    def __init__(self, options: AwsOptions | None = None, *, max_pool_connections: int = 64):
        self.options = options or AwsOptions()
        check_region(self.options.region)
        check_endpoint(self.options.endpoint_url)
        check_endpoint(self.options.s3_endpoint_url, "S3 endpoint URL")
        try:
            if self.options.local:
                self._session = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local",
                                                      region_name=self.options.region)
            else:
                self._session = boto3.session.Session(profile_name=self.options.profile)
        except BotoCoreError as exc:
            raise ConfigError(f"AWS configuration: {exc}") from None
        self._lock = threading.Lock()
        self._clients: dict[tuple, object] = {}
        self._sessions: dict[tuple, boto3.session.Session] = {}
        self._default_region: str | None = None
        # ddbsql's RetryPolicy owns retrying; botocore tries each request once.
        self._config = Config(retries={"total_max_attempts": 1, "mode": "standard"},
                              max_pool_connections=max_pool_connections, tcp_keepalive=True,
                              connect_timeout=10, read_timeout=60)

    def region(self, table_region: str | None = None) -> str:
        if table_region:
            return table_region
        if self._default_region is None:
            self._default_region = self._configured_region()
        return self._default_region

    def _configured_region(self) -> str:
        region = self.options.region or os.environ.get("AWS_REGION", "").strip() or self._session.region_name
        if region:
            return region
        log.warning("no AWS region is configured (--region, AWS_REGION, AWS_DEFAULT_REGION or the profile's "
                    "region): assuming %s", DEFAULT_REGION)
        return DEFAULT_REGION

    def dynamodb(self, region: str | None = None, endpoint: str | None = None,
                 credentials: TableCredentials | None = None):
        """A low-level DynamoDB client for a table's region and endpoint, making its
        requests as ``credentials`` (None: the session's own).

        With the embedded local endpoint (``--local``), a table's AWS endpoint
        (``dynamodb.eu-west-1.amazonaws.com``) is the local one too: such a run must
        never reach AWS.  Other endpoints (another local server) are kept."""
        endpoint = normalise_endpoint(endpoint)
        if self.options.local and endpoint and "amazonaws.com" in endpoint:
            endpoint = None
        return self._client("dynamodb", self.region(region), endpoint or self.options.endpoint_url, credentials)

    def s3(self, region: str | None = None):
        return self._client("s3", self.region(region), self.options.s3_endpoint_url or self.options.endpoint_url)

    def s3_endpoint(self, region: str | None = None) -> str | None:
        """The S3 endpoint when it is not AWS's own, most specific first: the S3 endpoint
        option (``connect(s3_endpoint_url=…)``, set by ``--local``), what boto3 resolves for
        S3 (``AWS_ENDPOINT_URL_S3``, ``AWS_ENDPOINT_URL``, the profile's ``services``), then
        ``--endpoint-url``.  None means AWS."""
        if self.options.s3_endpoint_url:
            return self.options.s3_endpoint_url
        resolved = getattr(self._client("s3", self.region(region), None).meta, "endpoint_url", None)
        if resolved and "amazonaws.com" not in resolved:
            return resolved
        return self.options.endpoint_url

    def glue(self, region: str | None = None):
        """A Glue client for the Data Catalog of ``region`` (default the session's).  Its
        endpoint is boto3's (``AWS_ENDPOINT_URL_GLUE``, profile), the embedded one with
        ``--local``.  Catalog calls are few: botocore's standard retries handle them."""
        endpoint = self.options.endpoint_url if self.options.local else None
        key = ("glue", self.region(region), endpoint)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                config = self._config.merge(Config(retries={"total_max_attempts": 5, "mode": "standard"}))
                client = self._session.client("glue", region_name=self.region(region), endpoint_url=endpoint,
                                              config=config)
                self._clients[key] = client
            return client

    def credentials(self):
        """The boto3 chain's current credentials (frozen: access_key, secret_key, token), or
        None.  Handed to libraries that cannot use boto3 themselves; never logged."""
        credentials = self._session.get_credentials()
        return credentials.get_frozen_credentials() if credentials is not None else None

    def sts_endpoint(self, session: boto3.session.Session) -> str | None:
        """Where AssumeRole goes: what boto3 resolves for STS (``AWS_ENDPOINT_URL_STS``,
        ``AWS_ENDPOINT_URL``, the profile's ``services``) unless that is AWS's own and
        ``--endpoint-url`` names another server (a local one serving STS too)."""
        resolved = getattr(session.client("sts", region_name=self.region()).meta, "endpoint_url", None)
        if resolved and "amazonaws.com" not in resolved:
            return resolved
        return self.options.endpoint_url or None

    def _session_for(self, credentials: TableCredentials | None, region: str) -> boto3.session.Session:
        if credentials is None:
            return self._session
        key = (credentials, region)
        session = self._sessions.get(key)
        if session is None:
            session = session_for(credentials, self._session, region=region, sts_endpoint=self.sts_endpoint)
            self._sessions[key] = session
        return session

    def _client(self, service: str, region: str, endpoint: str | None,
                credentials: TableCredentials | None = None):
        key = (service, region, endpoint, credentials)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                check_region(region)
                check_endpoint(endpoint)
                try:
                    session = self._session_for(credentials, region)
                    client = session.client(service, region_name=region, endpoint_url=endpoint,
                                             config=self._config)
                except (BotoCoreError, ValueError) as exc:
                    raise ConfigError(f"cannot reach {service} in {region}: {exc}") from None
                if service == "dynamodb":  # writes go out signed, straight on the client's pool
                    from .fastpath.signed import enable
                    enable(client, session.get_credentials())
                self._clients[key] = client
            return client
