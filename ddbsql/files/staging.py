"""Writes that never expose half a result: new files are staged in a hidden folder
inside the target, then moved into place."""
from __future__ import annotations

import secrets
import time
from typing import Sequence

import pyarrow.fs as pafs

from .locations import Location, io_error, list_data_files

STAGING_PREFIX = "_ddbsql_staging_"


class Staging:
    """New files are written under ``<target>/_ddbsql_staging_<token>/`` (hidden from
    readers), then moved into place by :meth:`commit`; :meth:`abort` deletes them, so a
    statement that fails leaves the old data as it was."""

    def __init__(self, target: Location):
        self.target = target
        self.token = f"{time.strftime('%Y%m%d%H%M%S', time.gmtime())}_{secrets.token_hex(4)}"
        self.root = target.child(STAGING_PREFIX + self.token)

    def folder(self, relative: str = "") -> Location:
        return self.root.child(relative) if relative else self.root

    def commit(self, *, replace: Sequence[str] = (), recursive_replace: bool = True) -> int:
        """Move every staged file to the same place under the target, then delete the old
        visible files of the ``replace`` folders (relative to the target) that the new
        ones did not overwrite.  Returns how many old files were deleted."""
        staged = self._staged_files()
        new_paths = set()
        for item in staged:
            relative = item.path[len(self.root.path.rstrip("/")) + 1:]
            final = self.target.child(relative)
            new_paths.add(final.path)
            try:
                if final.local:
                    final.fs.create_dir(final.path.rsplit("/", 1)[0], recursive=True)
                final.fs.move(item.path, final.path)
            except OSError as exc:
                raise io_error(exc, final) from None
        deleted = 0
        for relative in replace:
            folder = self.target.child(relative) if relative else self.target
            for item in list_data_files(folder, recursive=recursive_replace):
                if item.path in new_paths:
                    continue
                try:
                    folder.fs.delete_file(item.path)
                    deleted += 1
                except OSError as exc:
                    raise io_error(exc, item.path) from None
        self._remove_root()
        return deleted

    def _staged_files(self) -> list[pafs.FileInfo]:
        try:
            infos = self.root.fs.get_file_info(pafs.FileSelector(self.root.path, recursive=True,
                                                                 allow_not_found=True))
        except OSError as exc:
            raise io_error(exc, self.root) from None
        return sorted((i for i in infos if i.type == pafs.FileType.File), key=lambda i: i.path)

    def _remove_root(self) -> None:
        try:
            if self.root.fs.get_file_info(self.root.path).type != pafs.FileType.NotFound:
                self.root.fs.delete_dir(self.root.path)
        except OSError:
            pass

    def abort(self) -> None:
        self._remove_root()
