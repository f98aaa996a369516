"""**EMR connector export** (``STORED AS EMR_DYNAMODB_EXPORT``), as the connector's
``DynamoDBExport`` tool writes it::

    <path>/<uuid>[.gz]     one item per line: Gson JSON of the item (SDK v1 names,
                           {"attr":{"s":"x"},"n":{"n":"1"}}), at most 100 000 per file
    <path>/manifest        {"name":"DynamoDB-export","version":3,
                           "entries": [{"url":"s3://…/<uuid>","mandatory":true}, …]}

Reading also accepts the older AWS Data Pipeline / Hive layout, where a line is
``name^C{"s":"x"}^Bname2^C{"n":"1"}`` (as the connector's import tool does).
"""
from __future__ import annotations

import json
import threading
import uuid
from decimal import Decimal
from typing import Callable, Iterator, Sequence

import pyarrow as pa
import pyarrow.fs as pafs

from ...catalog.binding import ColumnBinding
from ...errors import ExecutionError, SemanticError
from ...exec.decode import connector_json
from ...exec.encode import attribute_from_json
from ..compression import iter_lines
from ..locations import Location, io_error, list_data_files
from ..reading import ReadLog, ReadSpec, Source
from .dynamodb_items import ItemFiles, ItemWriteReport, item_batches, read_small, write_bytes

EMR_MANIFEST = "manifest"
EMR_ITEMS_PER_FILE = 100_000


def read_emr_rows(spec: ReadSpec, sources: Sequence[Source], log: ReadLog,
                  cancel: threading.Event | None = None) -> Iterator[pa.RecordBatch]:
    """Every item of the EMR export in each source's folder, as rows."""
    for source in sources:
        yield from item_batches(_emr_items(source.location, log, cancel), spec, log)


def emr_data_files(location: Location) -> list[Location]:
    """The data files of an EMR export folder: those its ``manifest`` lists, else every
    visible file but the manifest."""
    manifest = location.child(EMR_MANIFEST)
    try:
        has_manifest = location.fs.get_file_info(manifest.path).type == pafs.FileType.File
    except OSError as exc:
        raise io_error(exc, location) from None
    if has_manifest:
        text = read_small(manifest).decode("utf-8", "replace")
        try:
            entries = json.loads(text).get("entries") or []
        except (ValueError, AttributeError):
            raise ExecutionError(f"{manifest.uri} is not an EMR export manifest") from None
        files = []
        for entry in entries:
            url = str(entry.get("url", "")) if isinstance(entry, dict) else ""
            name = url.rstrip("/").rsplit("/", 1)[-1]
            if not name:
                continue
            files.append(location.child(name))
        return files
    base = location.path.rstrip("/") + "/"
    return [Location(location.fs, info.path, location.child(info.path[len(base):]).uri, location.local)
            for info in list_data_files(location) if info.base_name != EMR_MANIFEST]

def _emr_items(location: Location, log: ReadLog, cancel) -> Iterator[dict]:
    for data_file in emr_data_files(location):
        if cancel is not None and cancel.is_set():
            return
        try:
            missing = data_file.fs.get_file_info(data_file.path).type == pafs.FileType.NotFound
        except OSError as exc:
            raise io_error(exc, data_file) from None
        if missing:
            raise ExecutionError(f"{data_file.uri} is listed in the export's manifest but does not exist")
        for first, lines in iter_lines(data_file.fs, data_file.path, data_file.uri):
            for offset, line in enumerate(lines):
                text = line.strip()
                if not text:
                    continue
                try:
                    yield parse_emr_line(text)
                except ValueError as exc:
                    log.bad_row(data_file.uri, first + offset, str(exc) or "not an exported item", line)


def parse_emr_line(text: str) -> dict:
    """One line of an EMR/Data Pipeline export as a low-level item."""
    if text.startswith("{"):
        try:
            obj = json.loads(text, parse_float=_decimal)
        except ValueError:
            raise ValueError("malformed JSON item") from None
        if not isinstance(obj, dict):
            raise ValueError("an item line must be a JSON object")
        pairs = obj.items()
    else:
        pairs = []
        for part in text.split("\x02"):
            name, sep, value = part.partition("\x03")
            if not sep:
                raise ValueError("expected name^C{json} pairs separated by ^B")
            try:
                pairs.append((name, json.loads(value, parse_float=_decimal)))
            except ValueError:
                raise ValueError(f"attribute '{name}': malformed JSON") from None
    item = {}
    for name, value in pairs:
        try:
            av = attribute_from_json(value)
        except ValueError as exc:
            raise ValueError(f"attribute '{name}': {getattr(exc, 'reason', exc)}") from None
        if av is not None:
            item[name] = av
    return item


def _decimal(text: str) -> Decimal:
    return Decimal(text)




def emr_line(item: dict) -> str:
    return "{" + ",".join(json.dumps(name, ensure_ascii=False) + ":" + connector_json(av)
                          for name, av in item.items()) + "}"


class EmrExportWriter:
    """Writes the EMR connector's export layout (data files and ``manifest``) into
    ``folder``; the manifest's URLs name ``final`` (where the files end up)."""

    def __init__(self, folder: Location, final: Location, *, bindings: list[ColumnBinding],
                 key_attributes: Sequence[str] = (), null_serialization: bool = False, compression: str | None,
                 max_bytes: int = 256 << 20, reject: Callable[[int, dict | None, str], None]):
        self.folder = folder
        self.final = final
        ext = {"gzip": ".gz", "bz2": ".bz2", "zstd": ".zst"}.get(compression or "", "")
        if compression and not ext:
            raise SemanticError(f"{compression} compression is not available for EMR exports (use gzip)")
        self.files = ItemFiles(folder, bindings=bindings, key_attributes=key_attributes,
                                null_serialization=null_serialization, line=emr_line, compression=compression,
                                max_bytes=max_bytes, max_items=EMR_ITEMS_PER_FILE,
                                name=lambda: str(uuid.uuid4()) + ext, reject=reject)

    @property
    def report(self) -> ItemWriteReport:
        return self.files.report

    def write(self, batch: pa.RecordBatch) -> None:
        self.files.write(batch)

    def close(self) -> None:
        self.files.close(keep_empty=False)
        entries = []
        for location, *_ in self.files.written:
            name = location.name
            url = self.final.child(name).uri
            if self.final.local:
                url = "file:" + url
            entries.append(json.dumps({"url": url, "mandatory": True}, separators=(",", ":")))
        text = '{"name":"DynamoDB-export","version":3,\n"entries": [\n' + ",\n".join(entries) + "\n]}"
        write_bytes(self.folder.child(EMR_MANIFEST), text.encode("utf-8"))

    def abort(self) -> None:
        self.files.abort()
