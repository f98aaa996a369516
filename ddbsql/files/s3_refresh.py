"""S3 whose credentials are renewed during a long statement.

:class:`pyarrow.fs.S3FileSystem` keeps the keys it was built with, and an STS session's
keys expire (an hour by default): a statement reading or writing files for longer would
fail half way.  :class:`RenewingS3` asks for the current credentials before every file
system operation (boto3 renews refreshable credentials before they expire, so asking
is cheap while they are valid) and builds a new ``S3FileSystem`` when they changed.
Streams already open keep the file system they were opened with; each file opened
later uses the current credentials.
"""
from __future__ import annotations

import threading
from typing import Callable

import pyarrow.fs as pafs

#: credentials as (access key, secret key, session token); all None: the AWS SDK's own chain
Keys = tuple[str | None, str | None, str | None]


class RenewingS3(pafs.FileSystemHandler):
    """A file system handler (wrap it in :class:`pyarrow.fs.PyFileSystem`) delegating to
    ``build(keys)``, rebuilt whenever ``keys()`` answers differently."""

    def __init__(self, keys: Callable[[], Keys], build: Callable[[Keys], pafs.FileSystem]):
        self._keys = keys
        self._build = build
        self._lock = threading.Lock()
        self._current: Keys | None = None
        self._fs: pafs.FileSystem | None = None
        #: how many file systems were built (the first, then one per renewal)
        self.builds = 0

    def fs(self) -> pafs.FileSystem:
        keys = self._keys()
        with self._lock:
            if self._fs is None or keys != self._current:
                self._fs = self._build(keys)
                self._current = keys
                self.builds += 1
            return self._fs

    # pyarrow.fs.FileSystemHandler
    def __eq__(self, other) -> bool:
        return self is other

    def __ne__(self, other) -> bool:
        return self is not other

    def __hash__(self) -> int:
        return id(self)

    def get_type_name(self) -> str:
        return "s3"

    def equals(self, other) -> bool:
        return self is other

    def normalize_path(self, path: str) -> str:
        return self.fs().normalize_path(path)

    def get_file_info(self, paths):
        return self.fs().get_file_info(paths)

    def get_file_info_selector(self, selector):
        return self.fs().get_file_info(selector)

    def create_dir(self, path: str, recursive: bool) -> None:
        self.fs().create_dir(path, recursive=recursive)

    def delete_dir(self, path: str) -> None:
        self.fs().delete_dir(path)

    def delete_dir_contents(self, path: str, missing_dir_ok: bool = False) -> None:
        self.fs().delete_dir_contents(path, missing_dir_ok=missing_dir_ok)

    def delete_root_dir_contents(self) -> None:
        self.fs().delete_dir_contents("/", accept_root_dir=True)

    def delete_file(self, path: str) -> None:
        self.fs().delete_file(path)

    def move(self, src: str, dest: str) -> None:
        self.fs().move(src, dest)

    def copy_file(self, src: str, dest: str) -> None:
        self.fs().copy_file(src, dest)

    # raw streams: the PyFileSystem around this handler applies the caller's compression
    def open_input_stream(self, path: str):
        return self.fs().open_input_stream(path, compression=None)

    def open_input_file(self, path: str):
        return self.fs().open_input_file(path)

    def open_output_stream(self, path: str, metadata):
        return self.fs().open_output_stream(path, compression=None, metadata=metadata)

    def open_append_stream(self, path: str, metadata):
        return self.fs().open_append_stream(path, compression=None, metadata=metadata)
