"""One storage object per table kind, and each one provides the target an INSERT into
its tables writes (no table of kinds elsewhere)."""
from __future__ import annotations

from ddbsql.catalog.model import TableKind
from ddbsql.session.storage import INFERRED, KINDS
from ddbsql.session.storage.table_storage import TableStorage


def test_every_kind_has_a_storage_object():
    assert set(KINDS) == set(TableKind)
    assert all(storage.kind is kind for kind, storage in KINDS.items())


def test_every_storage_object_provides_its_write_target():
    for storage in [*KINDS.values(), INFERRED]:
        assert type(storage).write_target is not TableStorage.write_target, type(storage).__name__
