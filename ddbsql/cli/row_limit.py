"""The interactive shell's display limit (as pgcli's): a result of more than ``limit``
rows is printed only if the user says so; otherwise its first ``limit`` rows are."""
from __future__ import annotations

from typing import Callable, Iterable, Iterator

import pyarrow as pa


class RowLimit:
    """``ask(limit)`` is the question (True: print everything); ``limit`` 0 never asks."""

    def __init__(self, limit: int, ask: Callable[[int], bool]):
        self.limit = limit
        self.ask = ask
        #: the last result was cut at the limit
        self.cut = False

    def apply(self, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """``batches``, holding back up to ``limit`` rows until it is known whether there are more."""
        self.cut = False
        if not self.limit:
            yield from batches
            return
        held: list[pa.RecordBatch] = []
        count = 0
        iterator = iter(batches)
        for batch in iterator:
            held.append(batch)
            count += batch.num_rows
            if count > self.limit:
                break
        else:
            yield from held
            return
        if self.ask(self.limit):
            yield from held
            yield from iterator
            return
        self.cut = True
        remaining = self.limit
        for batch in held:
            if remaining <= 0:
                break
            yield batch.slice(0, remaining)
            remaining -= min(remaining, batch.num_rows)
