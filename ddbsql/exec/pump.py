"""Running I/O tasks on a thread pool and streaming what they produce, with back-pressure.

A task is ``task(put, stopped)``: it calls ``put(item)`` for every item it produces (False
means the consumer is gone: stop) and may poll ``stopped()``.  The consumer iterates the
items in arrival order; a bounded queue keeps memory bounded when it is slower than the
producers; an exception in a task is raised in the consumer; closing the iterator (or
setting ``cancel``) stops every task at its next ``put`` or ``stopped()`` check.
"""
from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Sized
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterable, Iterator

_DONE = object()

Task = Callable[[Callable[[object], bool], Callable[[], bool]], None]


def pump(tasks: Iterable[Task], name: str, max_workers: int, cancel: threading.Event | None, *,
         queue_depth: int | None = None) -> Iterator:
    """Run ``tasks`` on a thread pool and yield what they put, in arrival order.

    At most ``max_workers`` tasks are started at a time, the next when one ends, so
    ``tasks`` may be a lazy iterable of any length (a Scan of a million segments)."""
    stop = cancel or threading.Event()
    local_stop = threading.Event()
    workers = max(1, min(len(tasks), max_workers) if isinstance(tasks, Sized) else max_workers)
    out: queue.Queue = queue.Queue(maxsize=queue_depth or max(2, 2 * workers))

    def stopped() -> bool:
        return stop.is_set() or local_stop.is_set()

    def put(item) -> bool:
        while not stopped():
            try:
                out.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work(task: Task) -> None:
        try:
            task(put, stopped)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            put(exc)
        finally:
            put(_DONE)

    def generate() -> Iterator:
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        waiting = iter(tasks)
        remaining = 0
        try:
            for task in itertools.islice(waiting, workers):
                pool.submit(work, task)
                remaining += 1
            while remaining:
                try:
                    item = out.get(timeout=0.1)
                except queue.Empty:
                    if stop.is_set():
                        return
                    continue
                if item is _DONE:
                    remaining -= 1
                    task = next(waiting, None)
                    if task is not None:
                        pool.submit(work, task)
                        remaining += 1
                elif isinstance(item, BaseException):
                    raise item
                else:
                    yield item
        finally:
            local_stop.set()
            pool.shutdown(wait=False, cancel_futures=True)

    return generate()
