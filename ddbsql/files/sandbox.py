"""Which local paths a statement may touch: the one check every file read, write and
delete of ddbsql goes through (``LOCATION``, ``INSERT OVERWRITE [LOCAL] DIRECTORY``,
``LOAD DATA INPATH``, file-table reads and writes, ``DROP TABLE`` of a managed table).

A session allows the folder of its managed tables (those created without ``LOCATION``)
always, for managed tables only; any other local path only when local files are allowed
(``connect(allow_local_files=True)``, the command line).  The managed folder is never
left: a path is resolved (``..`` and symbolic links) before it is compared.
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from ..errors import NotPermittedError


@dataclasses.dataclass(frozen=True)
class LocalAccess:
    """The local paths one operation may use.

    ``any_path``: every local path (local files are allowed); ``managed_root``: the
    folder of managed tables, allowed when ``managed`` is set (the operation acts on a
    managed table); such an operation is held inside it even when ``any_path`` is set."""

    any_path: bool
    managed_root: Path | None = None
    managed: bool = False

    def check(self, path: str, what: str, raw: str) -> str:
        """``path`` made absolute and normal, or :class:`NotPermittedError`."""
        normal = os.path.normpath(os.path.abspath(path))
        if self.managed:
            if self.managed_root is None or not inside(normal, self.managed_root):
                raise NotPermittedError(f"{what} '{raw}' is outside the folder of managed tables "
                                        f"({self.managed_root}); nothing there is touched")
            return normal
        if not self.any_path:
            raise NotPermittedError(f"{what} '{raw}' is a local path; local files are not allowed on this "
                                    "connection (connect(allow_local_files=True), or use s3://)")
        return normal


def inside(path: str | Path, root: str | Path) -> bool:
    """Whether ``path`` lies strictly below ``root`` once both are resolved."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    return real != real_root and real.startswith(real_root.rstrip(os.sep) + os.sep)
