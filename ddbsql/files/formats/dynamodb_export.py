"""DynamoDB's own file layouts: the AWS Export to S3 format and the EMR connector's export.

**Export to S3** (``STORED AS DYNAMODB_EXPORT``), as AWS documents it::

    <prefix>/AWSDynamoDB/<ExportId>/_started
    <prefix>/AWSDynamoDB/<ExportId>/manifest-summary.json   (+ .checksum)
    <prefix>/AWSDynamoDB/<ExportId>/manifest-files.json     (+ .checksum; JSON lines:
        itemCount, md5Checksum, etag, dataFileS3Key)
    <prefix>/AWSDynamoDB/<ExportId>/data/<name>.json.gz     (lines {"Item": {...DynamoDB JSON}})

Reading checks every data file's item count and MD5 (base64, of the object as stored;
the MD5 of the uncompressed bytes is accepted too) against ``manifest-files.json``, and
the total against ``manifest-summary.json``.  Writing produces the same layout; the
``data/`` files are what DynamoDB's Import from S3 reads (``DYNAMODB_JSON``, ``GZIP``).
"""
from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import json
import re
import secrets
import threading
import time
import uuid
import zlib
from typing import Any, Callable, Iterator, Sequence

import pyarrow as pa
import pyarrow.fs as pafs

from ...catalog.binding import ColumnBinding
from ...errors import ExecutionError
from ..compression import BLOCK_BYTES
from ..locations import Location, check_bucket, io_error, is_hidden
from ..reading import ReadLog, ReadSpec, Source
from .dynamodb_items import (ItemFiles, ItemWriteReport, checksum, item_batches, read_small, verify_checksums,
                             write_bytes)

SUMMARY = "manifest-summary.json"
FILES = "manifest-files.json"
EXPORT_ROOT = "AWSDynamoDB"


def read_export_rows(spec: ReadSpec, sources: Sequence[Source], log: ReadLog,
                     cancel: threading.Event | None = None) -> Iterator[pa.RecordBatch]:
    """Every item of the export at each source's folder, as rows."""
    verify = verify_checksums(spec)
    for source in sources:
        yield from item_batches(_export_items(source.location, log, verify, cancel), spec, log)


def find_export(location: Location) -> Location:
    """The export folder (holding ``manifest-summary.json``) at or under ``location``."""
    try:
        if location.fs.get_file_info(location.child(SUMMARY).path).type == pafs.FileType.File:
            return location
        root = location.child(EXPORT_ROOT)
        infos = location.fs.get_file_info(pafs.FileSelector(root.path, recursive=False, allow_not_found=True))
    except OSError as exc:
        raise io_error(exc, location) from None
    found = []
    for info in sorted(infos, key=lambda i: i.path):
        if info.type != pafs.FileType.Directory:
            continue
        candidate = root.child(info.base_name)
        if location.fs.get_file_info(candidate.child(SUMMARY).path).type == pafs.FileType.File:
            found.append(candidate)
    if not found:
        check_bucket(location)
        raise ExecutionError(f"no DynamoDB export at {location.uri}: expected {SUMMARY} there or in "
                             f"{EXPORT_ROOT}/<ExportId>/ under it")
    if len(found) > 1:
        names = ", ".join(f.name for f in found)
        raise ExecutionError(f"{location.uri} holds {len(found)} DynamoDB exports ({names}); set the table's "
                             f"LOCATION to one of them ({location.uri.rstrip('/')}/{EXPORT_ROOT}/<ExportId>)")
    return found[0]


def _check_checksum(folder: Location, name: str, data: bytes) -> None:
    """Compare ``name``'s ``.checksum`` file, when there and recognisable, with the data.

    AWS does not document the checksum files' content: an MD5 as hex or base64 is
    compared, anything else is ignored.
    """
    checksum = folder.child(name.rsplit(".", 1)[0] + ".checksum")
    try:
        if checksum.fs.get_file_info(checksum.path).type != pafs.FileType.File:
            return
    except OSError:
        return
    text = read_small(checksum).decode("utf-8", "replace").strip()
    digest = hashlib.md5(data).digest()
    if re.fullmatch(r"[0-9a-fA-F]{32}", text):
        if text.lower() != digest.hex():
            raise ExecutionError(f"{folder.child(name).uri}: MD5 does not match {checksum.uri}")
    elif re.fullmatch(r"[A-Za-z0-9+/]{22}==", text):
        if text != base64.b64encode(digest).decode():
            raise ExecutionError(f"{folder.child(name).uri}: MD5 does not match {checksum.uri}")


@dataclasses.dataclass
class ExportManifest:
    folder: Location
    summary: dict
    files: list[tuple[Location, int | None, str | None]]


def read_manifest(location: Location, *, verify: bool = True) -> ExportManifest:
    folder = find_export(location)
    raw_summary = read_small(folder.child(SUMMARY))
    if verify:
        _check_checksum(folder, SUMMARY, raw_summary)
    try:
        summary = json.loads(raw_summary)
    except ValueError as exc:
        raise ExecutionError(f"{folder.child(SUMMARY).uri} is not JSON ({exc})") from None
    output_format = summary.get("outputFormat", "DYNAMODB_JSON")
    if output_format != "DYNAMODB_JSON":
        raise ExecutionError(f"{folder.uri}: export format {output_format} is not supported "
                             "(ddbsql reads DYNAMODB_JSON exports)")
    if str(summary.get("exportType", "FULL_EXPORT")).upper() != "FULL_EXPORT":
        raise ExecutionError(f"{folder.uri}: {summary.get('exportType')} exports are not supported "
                             "(ddbsql reads full exports)")
    raw_files = read_small(folder.child(FILES))
    if verify:
        _check_checksum(folder, FILES, raw_files)
    files = []
    marker = f"{EXPORT_ROOT}/{folder.name}/"
    for number, line in enumerate(raw_files.decode("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            key = entry["dataFileS3Key"]
        except (ValueError, KeyError, TypeError):
            raise ExecutionError(f"{folder.child(FILES).uri} line {number}: not a manifest entry") from None
        relative = key.split(marker, 1)[1] if marker in key else "data/" + key.rsplit("/", 1)[-1]
        count = entry.get("itemCount")
        files.append((folder.child(relative), int(count) if count is not None else None, entry.get("md5Checksum")))
    return ExportManifest(folder, summary, files)


def _export_items(location: Location, log: ReadLog, verify: bool, cancel) -> Iterator[dict]:
    manifest = read_manifest(location, verify=verify)
    total = 0
    for data_file, expected, md5 in manifest.files:
        if cancel is not None and cancel.is_set():
            return
        count = 0
        raw_md5 = hashlib.md5()
        plain_md5 = hashlib.md5()
        number = 0
        for line in _gzip_lines(data_file, raw_md5, plain_md5):
            number += 1
            if not line.strip():
                continue
            count += 1
            try:
                obj = json.loads(line)
                item = obj["Item"]
                if not isinstance(item, dict):
                    raise TypeError
            except (ValueError, KeyError, TypeError):
                log.bad_row(data_file.uri, number, 'not an export line ({"Item": {...}})', line)
                continue
            yield item
        if verify:
            if expected is not None and count != expected:
                raise ExecutionError(f"{data_file.uri}: {count} item(s), but {FILES} says {expected}")
            if md5:
                found = {base64.b64encode(raw_md5.digest()).decode(), base64.b64encode(plain_md5.digest()).decode()}
                if md5 not in found:
                    raise ExecutionError(f"{data_file.uri}: MD5 checksum does not match {FILES} "
                                         "(the file is damaged or was changed)")
        total += count
    expected_total = manifest.summary.get("itemCount")
    if verify and expected_total is not None and total != int(expected_total):
        raise ExecutionError(f"{manifest.folder.uri}: {total} item(s) in the data files, but {SUMMARY} says "
                             f"{expected_total}")


def _gzip_lines(location: Location, raw_md5, plain_md5) -> Iterator[str]:
    """Lines of a (gzip or plain) file, hashing its stored and its plain bytes."""
    try:
        stream = location.fs.open_input_stream(location.path, compression=None)
    except OSError as exc:
        raise io_error(exc, location) from None
    inflater = None
    first = True
    rest = b""
    try:
        while True:
            chunk = stream.read(BLOCK_BYTES)
            if not chunk:
                break
            raw_md5.update(chunk)
            if first:
                first = False
                if chunk[:2] == b"\x1f\x8b":
                    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            data = chunk
            if inflater is not None:
                try:
                    data = inflater.decompress(chunk)
                    while inflater.eof and inflater.unused_data:
                        unused = inflater.unused_data
                        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
                        data += inflater.decompress(unused)
                except zlib.error as exc:
                    raise ExecutionError(f"{location.uri}: not valid gzip ({exc})") from None
            plain_md5.update(data)
            data = rest + data
            cut = data.rfind(b"\n")
            if cut < 0:
                rest = data
                continue
            rest = data[cut + 1:]
            yield from data[:cut].decode("utf-8", "replace").split("\n")
        if rest:
            yield rest.decode("utf-8", "replace")
    finally:
        stream.close()


def dynamodb_json(av: dict) -> Any:
    """A low-level attribute value as DynamoDB JSON data (binary as base64)."""
    for tag, value in av.items():
        if tag == "B":
            return {"B": _b64(value)}
        if tag == "BS":
            return {"BS": [_b64(v) for v in value]}
        if tag == "L":
            return {"L": [dynamodb_json(v) for v in value]}
        if tag == "M":
            return {"M": {k: dynamodb_json(v) for k, v in value.items()}}
        if tag == "NULL":
            return {"NULL": True}
        if tag == "BOOL":
            return {"BOOL": bool(value)}
        return {tag: value}
    return {}


def _b64(value: Any) -> str:
    if isinstance(value, str):
        return value
    return base64.b64encode(bytes(value)).decode("ascii")


def item_line(item: dict) -> str:
    return json.dumps({"Item": {k: dynamodb_json(v) for k, v in item.items()}}, ensure_ascii=False,
                      separators=(",", ":"))



def new_export_id(clock: Callable[[], float] = time.time) -> str:
    """An id shaped like DynamoDB's: 14 digits of epoch milliseconds, '-', 8 hex digits."""
    return f"{int(clock() * 1000):014d}-{secrets.token_hex(4)}"


def _data_name() -> str:
    return base64.b32encode(secrets.token_bytes(16)).decode("ascii").rstrip("=").lower() + ".json.gz"


def _iso(moment: float) -> str:
    return dt.datetime.fromtimestamp(moment, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{int(moment * 1000) % 1000:03d}Z"


class ExportWriter:
    """Writes one DynamoDB export into ``folder`` (normally ``<base>/AWSDynamoDB/<id>/``).

    ``final`` is where the folder ends up (it differs while staged) and ``base`` the
    export prefix: the manifests' S3 keys are computed from them.  The export is complete
    once :meth:`close` has written ``manifest-summary.json``; :meth:`abort` deletes the
    partial folder.
    """

    def __init__(self, folder: Location, *, final: Location | None = None, base: Location | None = None,
                 table: str, region: str, bindings: list[ColumnBinding], key_attributes: Sequence[str] = (),
                 null_serialization: bool = False, max_bytes: int = 256 << 20,
                 reject: Callable[[int, dict | None, str], None]):
        self.folder = folder
        self.final = final or folder
        self.base = base or self.final
        self.export_id = self.final.name
        self.table = table
        self.region = region
        self.started = time.time()
        write_bytes(self.folder.child("_started"), b"")
        self.files = ItemFiles(self.folder.child("data"), bindings=bindings, key_attributes=key_attributes,
                                null_serialization=null_serialization, line=item_line, compression="gzip",
                                max_bytes=max_bytes, max_items=None, name=_data_name, reject=reject)

    @classmethod
    def new(cls, base: Location, **kwargs) -> "ExportWriter":
        """A writer of a new export ``<base>/AWSDynamoDB/<new id>/``."""
        folder = base.child(EXPORT_ROOT, new_export_id())
        return cls(folder, final=folder, base=base, **kwargs)

    @property
    def report(self) -> ItemWriteReport:
        return self.files.report

    def write(self, batch: pa.RecordBatch) -> None:
        self.files.write(batch)

    def _key(self, location: Location) -> str:
        final = self.final.child(location.relative_to(self.folder))
        return final.key if not final.local else final.path

    def close(self) -> None:
        self.files.close(keep_empty=True)
        lines = []
        for location, items, md5, _plain, _size in self.files.written:
            lines.append(json.dumps({"itemCount": items, "md5Checksum": base64.b64encode(md5).decode(),
                                     "etag": md5.hex(), "dataFileS3Key": self._key(location)},
                                    separators=(",", ":")))
        manifest_files = ("\n".join(lines) + "\n").encode("utf-8")
        files_location = self.folder.child(FILES)
        write_bytes(files_location, manifest_files)
        write_bytes(self.folder.child("manifest-files.checksum"), checksum(manifest_files))
        ended = time.time()
        account = "000000000000"
        table_arn = f"arn:aws:dynamodb:{self.region}:{account}:table/{self.table}"
        summary = {
            "version": "2020-06-30",
            "exportArn": f"{table_arn}/export/{self.export_id}",
            "startTime": _iso(self.started),
            "endTime": _iso(ended),
            "tableArn": table_arn,
            "tableId": str(uuid.uuid4()),
            "exportTime": _iso(self.started),
            "s3Bucket": self.base.bucket,
            "s3Prefix": (self.base.key or None) if not self.base.local else self.base.path,
            "s3SseAlgorithm": "AES256",
            "s3SseKmsKeyId": None,
            "manifestFilesS3Key": self._key(files_location),
            "billedSizeBytes": 0,
            "itemCount": self.files.report.items,
            "outputFormat": "DYNAMODB_JSON",
            "exportType": "FULL_EXPORT",
        }
        data = json.dumps(summary, indent=2).encode("utf-8")
        write_bytes(self.folder.child(SUMMARY), data)
        write_bytes(self.folder.child("manifest-summary.checksum"), checksum(data))

    def abort(self) -> None:
        self.files.abort()
        try:
            self.folder.fs.delete_dir(self.folder.path)
        except OSError:
            pass


def existing_exports(base: Location) -> list[Location]:
    """Export folders under ``base/AWSDynamoDB/``."""
    root = base.child(EXPORT_ROOT)
    try:
        infos = base.fs.get_file_info(pafs.FileSelector(root.path, recursive=False, allow_not_found=True))
    except OSError as exc:
        raise io_error(exc, base) from None
    return [root.child(i.base_name) for i in infos
            if i.type == pafs.FileType.Directory and not is_hidden(i.base_name)]
