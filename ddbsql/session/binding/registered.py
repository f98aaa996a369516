"""In-memory relations registered by name: DataFrames and Arrow data a statement reads as a table.

``register(name, obj)`` accepts a pyarrow ``Table``, ``RecordBatch`` or
``RecordBatchReader``, a pandas or Polars DataFrame, or any object with
``__arrow_c_stream__`` (the Arrow PyCapsule interface).  Each statement that reads the
name gets a fresh Arrow stream of the object's current rows, except a
``RecordBatchReader``, which is a stream itself and can be read by one statement only.

An unqualified table name that is registered means the registered object, also when
the current database has a table of that name (as Spark's temporary views do); a
qualified name (``db.t``) always means the catalog table.
"""
from __future__ import annotations

import dataclasses
import re

import pyarrow as pa

from ...errors import ConfigError, SemanticError

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
#: names of ddbsql's own registrations (executemany's parameter rows); not for users
PRIVATE_PREFIX = "__ddbsql_"


def _is_pandas(obj) -> bool:
    return type(obj).__module__.split(".")[0] == "pandas" and type(obj).__name__ == "DataFrame"


def _is_polars(obj) -> bool:
    return type(obj).__module__.split(".")[0] == "polars" and hasattr(obj, "to_arrow")


def check(obj) -> None:
    """Raise :class:`ConfigError` unless ``obj`` is something :func:`to_reader` reads."""
    if isinstance(obj, (pa.Table, pa.RecordBatch, pa.RecordBatchReader)) or _is_pandas(obj) or _is_polars(obj) \
            or hasattr(obj, "__arrow_c_stream__"):
        return
    raise ConfigError(f"cannot register a {type(obj).__module__}.{type(obj).__name__}: register a pandas or Polars "
                      "DataFrame, a pyarrow Table, RecordBatch or RecordBatchReader, or an object with "
                      "__arrow_c_stream__")


def to_reader(obj) -> pa.RecordBatchReader:
    """A fresh Arrow stream of ``obj``'s rows (see the module documentation for what is accepted)."""
    check(obj)
    if isinstance(obj, pa.Table):
        return obj.to_reader()
    if isinstance(obj, pa.RecordBatch):
        return pa.Table.from_batches([obj]).to_reader()
    if isinstance(obj, pa.RecordBatchReader):
        return obj
    if _is_pandas(obj):
        # pandas' own index is not a column, as in DataFrame.to_sql(index=False)
        return pa.Table.from_pandas(obj, preserve_index=False).to_reader()
    if hasattr(obj, "__arrow_c_stream__"):
        return pa.RecordBatchReader.from_stream(obj)
    return obj.to_arrow().to_reader()  # a Polars frame too old for the PyCapsule interface


@dataclasses.dataclass
class Registration:
    name: str
    obj: object
    #: a RecordBatchReader is one stream: True once a statement has taken it
    taken: bool = False

    @property
    def one_shot(self) -> bool:
        return isinstance(self.obj, pa.RecordBatchReader)

    def schema(self) -> pa.Schema:
        if self.one_shot:
            return self.obj.schema
        if isinstance(self.obj, (pa.Table, pa.RecordBatch)):
            return self.obj.schema
        reader = to_reader(self.obj)
        schema = reader.schema
        reader.close()
        return schema

    def reader(self) -> pa.RecordBatchReader:
        if self.one_shot:
            if self.taken:
                raise SemanticError(f"'{self.name}' is a RecordBatchReader that a previous statement (or another "
                                    "reference in this one) already read; register it again to read it again")
            self.taken = True
        return to_reader(self.obj)


class Registry:
    """The names registered on one session."""

    def __init__(self) -> None:
        self._entries: dict[str, Registration] = {}

    def register(self, name: str, obj, *, private: bool = False) -> None:
        if not isinstance(name, str) or not _NAME.match(name):
            raise ConfigError(f"cannot register {name!r}: a name is letters, digits and '_', not starting "
                              "with a digit")
        if name.lower().startswith(PRIVATE_PREFIX) and not private:
            raise ConfigError(f"names starting with {PRIVATE_PREFIX} are reserved")
        check(obj)
        self._entries[name.lower()] = Registration(name.lower(), obj)

    def unregister(self, name: str) -> None:
        if self._entries.pop(str(name).lower(), None) is None:
            raise ConfigError(f"'{name}' is not registered")

    def get(self, name: str) -> Registration | None:
        return self._entries.get(name.lower())

    def names(self) -> list[str]:
        return sorted(n for n in self._entries if not n.startswith(PRIVATE_PREFIX))

    def __contains__(self, name: str) -> bool:
        return name.lower() in self._entries
