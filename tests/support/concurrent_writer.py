"""Another writer that changes items between a statement's read and its first UpdateItem,
through the request-counting proxy (tests of the no-lost-update rule)."""
from __future__ import annotations

import threading


def writer_between_read_and_update(proxy, client, table: str, keys: list[str], change) -> threading.Thread:
    """Hold the statement's first UpdateItem until another writer has applied ``change``
    (UpdateItem members) to every key."""
    started, done = threading.Event(), threading.Event()
    original = proxy.handle

    def handle(operation, body, forward):
        if operation == "UpdateItem" and not started.is_set():
            started.set()
            done.wait(30)
        return original(operation, body, forward)

    proxy.handle = handle

    def other_writer():
        started.wait(30)
        for key in keys:
            client.update_item(TableName=table, Key={"id": {"S": key}}, **change)
        done.set()

    thread = threading.Thread(target=other_writer)
    thread.start()
    return thread
