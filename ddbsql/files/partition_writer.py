"""Writing one INSERT's rows into a file table: an output and a staging folder per
partition, committed together once every row is written, or all aborted."""
from __future__ import annotations

from ..catalog.model import TableDef
from ..errors import ExecutionError
from .locations import FileAccess, Location, existing_names
from .file_output import Output, WrittenFile
from .output_settings import OutputSpec
from .table_partitions import partition_folder
from .staging import Staging


class PartitionWriter:
    """The outputs and staging folders of one INSERT into a file table."""

    def __init__(self, access: FileAccess, table: TableDef, base: Location, spec: OutputSpec, overwrite: bool):
        self.access = access
        self.table = table
        self.base = base
        self.spec = spec
        self.overwrite = overwrite
        self.names = list(table.storage.partition_columns)
        self.stagings: dict[tuple, Staging] = {}
        self.outputs: dict[tuple, Output] = {}
        self.closed: set[tuple] = set()
        self.current: tuple | None = None
        self.files: list[WrittenFile] = []

    def folder(self, values: tuple) -> Location:
        return partition_folder(self.access, self.table, self.base, values)

    def _close(self, values: tuple, *, keep_empty: bool = False) -> None:
        if values in self.outputs and values not in self.closed:
            self.closed.add(values)
            self.files += self.outputs[values].close(keep_empty=keep_empty)

    def output(self, values: tuple) -> Output:
        if self.current is not None and values != self.current:
            self._close(self.current)
        self.current = values
        output = self.outputs.get(values)
        if output is None:
            folder = self.folder(values)
            staging = Staging(folder)
            self.stagings[values] = staging
            taken = set() if self.overwrite else existing_names(folder)
            output = Output(staging.folder(), self.spec, taken=taken)
            self.outputs[values] = output
        elif values in self.closed:
            raise ExecutionError("internal error: rows of one partition arrived after another's")
        return output

    def finish(self, static_values: tuple | None) -> None:
        if not self.names and () not in self.outputs:
            self.output(())
        if static_values is not None and static_values not in self.outputs and self.overwrite:
            # INSERT OVERWRITE of a static partition with no rows still empties it
            self.output(static_values)
        for values in list(self.outputs):
            self._close(values, keep_empty=not self.names)

    def commit(self) -> None:
        for staging in self.stagings.values():
            staging.commit(replace=[""] if self.overwrite else [], recursive_replace=not self.names)

    def abort(self) -> None:
        for output in self.outputs.values():
            output.abort()
        for staging in self.stagings.values():
            staging.abort()
