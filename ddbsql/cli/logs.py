"""The command line's use of the ``ddbsql`` logger.

Statement messages are printed by the runner itself, so their logger
(``ddbsql.statement``) is silenced while the command runs; other warnings (``ddbsql.aws``:
the region assumed when none is configured) go to stderr as ``WARNING: …`` lines.
``--debug`` adds every ``ddbsql`` logger's DEBUG lines (one line per DynamoDB request
with its capacity, time, retries and throttles; no parameters, items or credentials).
"""
from __future__ import annotations

import logging
from typing import Callable, TextIO


def configure(err: TextIO, *, debug: bool) -> Callable[[], None]:
    """Set the loggers up for one command; returns what puts them back as they were."""
    statement = logging.getLogger("ddbsql.statement")
    root = logging.getLogger("ddbsql")
    saved = statement.propagate, root.level
    silence = logging.NullHandler()
    statement.propagate = False
    statement.addHandler(silence)
    handler = logging.StreamHandler(err)
    if debug:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.setLevel(logging.DEBUG)
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        handler.setLevel(logging.WARNING)
    root.addHandler(handler)

    def restore() -> None:
        statement.removeHandler(silence)
        statement.propagate = saved[0]
        root.removeHandler(handler)
        root.setLevel(saved[1])
    return restore
