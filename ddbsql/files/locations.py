"""Files and folders on S3 or a local disk: file systems, locations, listing, I/O errors.

Locations: ``s3://bucket/key`` (``s3a://``, ``s3n://`` alike), ``file:///path``,
``/path``.  Names starting with ``_`` or ``.`` are hidden, as in Hadoop: ``_SUCCESS``,
``.crc`` files and ddbsql's own staging folders are never read as data.  S3 is reached
through :class:`pyarrow.fs.S3FileSystem`; credentials come from the caller (the boto3
chain) and are never logged or shown.
"""
from __future__ import annotations

import dataclasses
import os
import re
import threading
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote

import pyarrow.fs as pafs

from ..errors import ConfigError, ExecutionError, SemanticError
from .s3_refresh import Keys, RenewingS3
from .sandbox import LocalAccess

HIDDEN_PREFIXES = ("_", ".")

_S3_SCHEMES = ("s3", "s3a", "s3n")



@dataclasses.dataclass(frozen=True)
class S3Access:
    """How to reach S3: region, endpoint and credentials (never shown by repr)."""

    region: str
    endpoint: str | None = None
    access_key: str | None = dataclasses.field(default=None, repr=False)
    secret_key: str | None = dataclasses.field(default=None, repr=False)
    session_token: str | None = dataclasses.field(default=None, repr=False)


class FileSystems:
    """The file systems of one session: the local disk and S3 (built on first use)."""

    def __init__(self, s3_access: Callable[[], S3Access] | None = None):
        self._s3_access = s3_access
        self._access: S3Access | None = None
        self._s3: dict[str, pafs.FileSystem] = {}
        self._regions: dict[str, str] = {}
        self._local = pafs.LocalFileSystem()
        self._lock = threading.Lock()

    def local(self) -> pafs.FileSystem:
        return self._local

    def s3(self, bucket: str | None = None) -> pafs.FileSystem:
        """S3 as the session reaches it.  On AWS itself each bucket is reached in its own
        region (asked once); a custom endpoint (moto, MinIO, --local) uses the session's."""
        with self._lock:
            if self._access is None:
                if self._s3_access is None:
                    raise ConfigError("S3 is not configured for this session")
                self._access = self._s3_access()
            access = self._access
            region = access.region
            if not access.endpoint and bucket:
                if bucket not in self._regions:
                    try:
                        self._regions[bucket] = pafs.resolve_s3_region(bucket)
                    except (OSError, ValueError):
                        self._regions[bucket] = access.region
                region = self._regions[bucket]
            fs = self._s3.get(region)
            if fs is None:
                kwargs: dict[str, Any] = {"region": region}
                if access.endpoint:
                    endpoint = access.endpoint
                    scheme = "https"
                    if "://" in endpoint:
                        scheme, endpoint = endpoint.split("://", 1)
                    kwargs["endpoint_override"] = endpoint.rstrip("/")
                    kwargs["scheme"] = scheme

                def build(keys: Keys, kwargs=kwargs) -> pafs.FileSystem:
                    access_key, secret_key, token = keys
                    extra = {}
                    if access_key and secret_key:
                        extra = {"access_key": access_key, "secret_key": secret_key}
                        if token:
                            extra["session_token"] = token
                    return pafs.S3FileSystem(**kwargs, **extra)

                # credentials asked for again before each operation: an STS session renews mid-statement
                fs = self._s3[region] = pafs.PyFileSystem(RenewingS3(self._current_keys, build))
            return fs

    def _current_keys(self) -> Keys:
        access = self._s3_access() if self._s3_access is not None else self._access
        return access.access_key, access.secret_key, access.session_token


@dataclasses.dataclass(frozen=True)
class Location:
    """A file or folder: ``fs`` and its path there, and the ``uri`` users see."""

    fs: pafs.FileSystem
    path: str
    uri: str
    local: bool

    def child(self, *names: str) -> "Location":
        path = self.path.rstrip("/")
        uri = self.uri.rstrip("/")
        for name in names:
            name = name.strip("/")
            if not name:
                continue
            path = f"{path}/{name}"
            uri = f"{uri}/{name}"
        return Location(self.fs, path, uri, self.local)

    @property
    def name(self) -> str:
        return self.path.rstrip("/").rsplit("/", 1)[-1]

    @property
    def bucket(self) -> str | None:
        return None if self.local else self.path.split("/", 1)[0]

    @property
    def key(self) -> str:
        """The S3 key (without the bucket), or the local path."""
        if self.local:
            return self.path
        parts = self.path.split("/", 1)
        return parts[1] if len(parts) > 1 else ""

    def relative_to(self, base: "Location") -> str:
        prefix = base.path.rstrip("/") + "/"
        if not self.path.startswith(prefix):
            raise ValueError(f"{self.uri} is not under {base.uri}")
        return self.path[len(prefix):]

    def info(self) -> pafs.FileInfo:
        return self.fs.get_file_info(self.path)

    def __str__(self) -> str:
        return self.uri


def parse_location(text: str, systems: FileSystems, *, allow_local: bool | LocalAccess,
                   what: str = "location") -> Location:
    """Resolve a LOCATION / DIRECTORY / INPATH string; a local path must pass ``allow_local``
    (``True``: any local path, ``False``: none)."""
    raw = text.strip()
    if not raw:
        raise SemanticError(f"empty {what}")
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$", raw)
    if m is None and raw.lower().startswith("file:"):
        m = re.match(r"^(file):(/.*)$", raw, re.I)
    if m is not None:
        scheme = m.group(1).lower()
        rest = m.group(2)
        if scheme in _S3_SCHEMES:
            bucket, _, key = rest.partition("/")
            if not bucket:
                raise SemanticError(f"{what} '{raw}' names no bucket")
            key = key.strip("/")
            path = f"{bucket}/{key}" if key else bucket
            return Location(systems.s3(bucket), path, f"s3://{path}", False)
        if scheme == "file":
            if rest.startswith("localhost/"):
                rest = rest[len("localhost"):]
            elif not rest.startswith("/"):
                rest = "/" + rest
            return _local(Path(unquote(rest)), systems, allow_local, what, raw)
        if scheme in ("hdfs", "viewfs", "maprfs", "wasb", "gs", "abfs", "abfss"):
            raise SemanticError(f"{what} '{raw}': {scheme}:// is not available to ddbsql; use s3://bucket/prefix "
                                "or a local path")
        raise SemanticError(f"{what} '{raw}': unknown scheme '{scheme}://' (use s3:// or a local path)")
    return _local(Path(raw).expanduser(), systems, allow_local, what, raw)


def _local(path: Path, systems: FileSystems, allow_local: bool | LocalAccess, what: str, raw: str) -> Location:
    if isinstance(allow_local, bool):
        allow_local = LocalAccess(allow_local)
    resolved = str(path.resolve()) if not path.is_absolute() else os.path.normpath(str(path))
    resolved = allow_local.check(resolved, what, raw)
    return Location(systems.local(), resolved, resolved, True)


def is_hidden(name: str) -> bool:
    return name.startswith(HIDDEN_PREFIXES)


def list_data_files(location: Location, *, recursive: bool = True) -> list[pafs.FileInfo]:
    """Every visible file under ``location`` (or ``location`` itself when it is a file),
    sorted by path; a missing location has none.  A missing S3 bucket is an error."""
    info = _info(location)
    if info.type == pafs.FileType.File:
        return [info]
    if info.type == pafs.FileType.NotFound:
        return []
    try:
        infos = location.fs.get_file_info(pafs.FileSelector(location.path, recursive=recursive,
                                                             allow_not_found=True))
    except OSError as exc:
        raise io_error(exc, location) from None
    base = location.path.rstrip("/") + "/"
    out = []
    for item in infos:
        if item.type != pafs.FileType.File:
            continue
        relative = item.path[len(base):] if item.path.startswith(base) else item.base_name
        if any(is_hidden(part) for part in relative.split("/")):
            continue
        out.append(item)
    out.sort(key=lambda i: i.path)
    return out


def _info(location: Location) -> pafs.FileInfo:
    try:
        info = location.fs.get_file_info(location.path)
    except OSError as exc:
        raise io_error(exc, location) from None
    if info.type == pafs.FileType.NotFound and not location.local:
        bucket = location.bucket
        try:
            bucket_info = location.fs.get_file_info(bucket)
        except OSError as exc:
            raise io_error(exc, location) from None
        if bucket_info.type == pafs.FileType.NotFound:
            raise ExecutionError(f"S3 bucket '{bucket}' does not exist (location {location.uri})")
    return info


def check_bucket(location: Location) -> None:
    """A clear error when ``location`` is on S3 and its bucket does not exist."""
    _info(location)


def io_error(exc: BaseException, location: Location | str) -> ExecutionError:
    text = str(exc).split("\n", 1)[0]
    text = re.sub(r"\s*\(Request ID: [^)]*\)", "", text)
    if "NO_SUCH_BUCKET" in text or "bucket does not exist" in text.lower():
        bucket = location.bucket if isinstance(location, Location) else None
        return ExecutionError(f"S3 bucket '{bucket}' does not exist ({location})")
    if "ACCESS_DENIED" in text or "AccessDenied" in text:
        return ExecutionError(f"access denied to {location}: {text}")
    return ExecutionError(f"{location}: {text}")



def open_output(location: Location):
    """A writable stream for ``location`` (parents created on the local disk)."""
    try:
        if location.local:
            parent = location.path.rsplit("/", 1)[0]
            if parent:
                location.fs.create_dir(parent, recursive=True)
        return location.fs.open_output_stream(location.path, compression=None)
    except OSError as exc:
        raise io_error(exc, location) from None


def existing_names(folder: Location) -> set[str]:
    """Names of the files directly in ``folder`` (for ``_copy_N`` naming)."""
    try:
        infos = folder.fs.get_file_info(pafs.FileSelector(folder.path, recursive=False, allow_not_found=True))
    except OSError:
        return set()
    return {i.base_name for i in infos}


@dataclasses.dataclass(frozen=True)
class FileAccess:
    """How one statement reaches files: the file systems, whether local paths are
    allowed, where reject files go, and the folder of managed tables (see
    :class:`~ddbsql.files.sandbox.LocalAccess`, which every local path passes)."""

    systems: FileSystems
    allow_local: bool
    reject_dir: Path
    managed_root: Path | None = None

    def location(self, text: str, what: str = "location") -> Location:
        """A location the user gave (local paths only when allowed)."""
        return parse_location(text, self.systems, allow_local=LocalAccess(self.allow_local, self.managed_root),
                              what=what)

    def table_location(self, location: str, managed: bool) -> Location:
        """A table's folder; local folders need ``allow_local`` unless ddbsql chose them,
        and then they must lie in the folder of managed tables."""
        return parse_location(location, self.systems,
                              allow_local=LocalAccess(self.allow_local, self.managed_root, managed), what="LOCATION")
