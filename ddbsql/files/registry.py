"""The one table of file formats: for each :class:`~ddbsql.catalog.model.FileFormat`, its
Hive names (STORED AS, SerDe and I/O format classes), how its files are read and how
rows are written to them.

Formats read file by file (``read_file``) get the folder walking, partition values and
cancellation from :mod:`ddbsql.files.rows`; the export layouts read a whole folder
(``read_folder``).  Line formats encode batches as bytes (``line_encoder``) written
through the output compression; columnar formats own their file (``file_writer``).
"""
from __future__ import annotations

import dataclasses
import threading
from typing import Callable, Iterator, Protocol, Sequence

import pyarrow as pa
import pyarrow.fs as pafs

from ..catalog.model import Column, FileFormat
from ..catalog.serdes import (JSON_SERDES, LAZY_SIMPLE, OPEN_CSV, ORC_IO as _ORC_IO, ORC_SERDE,  # noqa: F401
                              PARQUET_IO as _PARQUET_IO, PARQUET_SERDE, TEXT_IO as _TEXT_IO, format_of_serde)
from ..errors import SemanticError
from .formats.columnar import OrcFileWriter, ParquetFileWriter, read_orc_file, read_parquet_file
from .formats.csv_text import CsvEncoder, read_csv_file
from .formats.dynamodb_export import read_export_rows
from .formats.emr_export import read_emr_rows
from .formats.json_lines import JsonEncoder, read_json_file
from .formats.text import TextEncoder, read_text_file
from .output_settings import OutputSpec
from .reading import ReadLog, ReadSpec, Source

class LineEncoder(Protocol):
    def encode(self, batch: pa.RecordBatch) -> bytes: ...


class FileWriter(Protocol):
    def write(self, batch: pa.RecordBatch) -> None: ...

    def close(self) -> None: ...


#: one file's batches: (file system, path, uri, spec, wanted (file index, column) pairs, log)
FileReader = Callable[[pafs.FileSystem, str, str, ReadSpec, "list[tuple[int, Column]]", ReadLog],
                      Iterator[pa.RecordBatch]]
#: a whole folder's batches (export layouts): (spec, sources, log, cancel)
FolderReader = Callable[[ReadSpec, Sequence[Source], ReadLog, "threading.Event | None"], Iterator[pa.RecordBatch]]


@dataclasses.dataclass(frozen=True)
class FormatRules:
    """What ddbsql knows of one file format."""

    format: FileFormat
    #: the STORED AS keyword SHOW CREATE TABLE prints
    stored_as: str
    #: the SerDe class DESCRIBE shows when the table names none
    serde: str | None = None
    #: Hive's InputFormat and OutputFormat classes (None: not a Hadoop format)
    io_formats: tuple[str, str] | None = None
    #: SHOW CREATE TABLE prints STORED AS INPUTFORMAT … when the table named its classes
    prints_io_formats: bool = False
    read_file: FileReader | None = None
    read_folder: FolderReader | None = None
    line_encoder: Callable[[OutputSpec], LineEncoder] | None = None
    file_writer: Callable[[object, OutputSpec], FileWriter] | None = None

    @property
    def lines(self) -> bool:
        """Rows are lines of text (ROW FORMAT SERDE applies; output codecs compress them)."""
        return self.line_encoder is not None


FORMATS: dict[FileFormat, FormatRules] = {rules.format: rules for rules in (
    FormatRules(FileFormat.TEXT, "TEXTFILE", LAZY_SIMPLE, _TEXT_IO, True, read_file=read_text_file,
                line_encoder=TextEncoder),
    FormatRules(FileFormat.CSV, "TEXTFILE", OPEN_CSV, _TEXT_IO, read_file=read_csv_file, line_encoder=CsvEncoder),
    FormatRules(FileFormat.JSON, "JSONFILE", JSON_SERDES[0], _TEXT_IO, read_file=read_json_file,
                line_encoder=JsonEncoder),
    FormatRules(FileFormat.PARQUET, "PARQUET", PARQUET_SERDE, _PARQUET_IO, True, read_file=read_parquet_file,
                file_writer=ParquetFileWriter),
    FormatRules(FileFormat.ORC, "ORC", ORC_SERDE, _ORC_IO, True, read_file=read_orc_file, file_writer=OrcFileWriter),
    FormatRules(FileFormat.DYNAMODB_EXPORT, "DYNAMODB_EXPORT", read_folder=read_export_rows),
    FormatRules(FileFormat.EMR_EXPORT, "EMR_DYNAMODB_EXPORT", read_folder=read_emr_rows),
)}

#: STORED AS names -> format
STORED_AS = {"TEXTFILE": FileFormat.TEXT, "PARQUET": FileFormat.PARQUET, "PARQUETFILE": FileFormat.PARQUET,
             "ORC": FileFormat.ORC, "ORCFILE": FileFormat.ORC, "JSONFILE": FileFormat.JSON,
             "DYNAMODB_EXPORT": FileFormat.DYNAMODB_EXPORT, "EMR_DYNAMODB_EXPORT": FileFormat.EMR_EXPORT,
             "DYNAMODB_EMR_EXPORT": FileFormat.EMR_EXPORT}

#: STORED AS INPUTFORMAT classes -> format
INPUT_FORMATS = {rules.io_formats[0]: rules.format for rules in FORMATS.values()
                 if rules.io_formats and rules.prints_io_formats}


def rules_of(fmt: FileFormat | str) -> FormatRules:
    """The rules of ``fmt``."""
    try:
        return FORMATS[FileFormat(fmt)]
    except ValueError:
        raise SemanticError(f"ddbsql cannot read files of format '{fmt}'") from None

