"""The checkpoint side of an UPDATE, DELETE or MERGE job: which items its runs changed, so
that a resumed run changes every item exactly once, even for ``SET n = n + 1``.

The rule.  Before a group of changes is sent, the key digest, action and *after-image*
of each (for an update, the values it writes) are committed to the job's checkpoint in
one transaction; once the group has been sent, the changes DynamoDB acknowledged are
committed as done.  A resumed run finds the items again on the table as it is now and,
for an item an earlier run recorded:

* acknowledged as done: it is not changed again, whatever the statement now computes
  for it;
* recorded but not acknowledged (in flight when the run stopped, or acknowledged after
  the last commit): it counts as done when the item now shows the after-image (an
  update: every attribute it set holds the value it wrote, numbers by value, a removed
  attribute absent; a delete: the item is gone; an insert: the item exists), and is
  changed afresh from its current state otherwise.

A change that had not landed is thus sent once; one that had is never sent again.  The
one case the rule cannot tell apart: another writer giving the item exactly the values
the change would write, in between (then the change is taken as done).
"""
from __future__ import annotations

import json
import threading
from typing import Sequence

from ..catalog.jobs import Checkpoint
from .changes import Action, ChangeApplier, ItemChange
from .raw_values import from_plain, plain, same_value
from .writer import key_digest, key_of

#: changes whose intents are committed together, before they are sent
GROUP = 256


class ChangeLog:
    """Records one target's changes in a job's checkpoint, and on a resumed run tells
    which items an earlier run changed already (thread-safe)."""

    def __init__(self, checkpoint: Checkpoint, target: int, key_attributes: Sequence[str], *, run: int,
                 resuming: bool):
        self.checkpoint = checkpoint
        self.target = target
        self.key_attributes = tuple(key_attributes)
        self.run = run
        self.resuming = resuming
        #: items changed and acknowledged by this run
        self.written = 0
        #: items not changed again because an earlier run of the job had changed them
        self.resumed_written = 0
        #: a checkpoint that could not be written (the changes themselves go on)
        self.error: BaseException | None = None
        self._lock = threading.Lock()
        self._done: list[bytes] = []
        if resuming:
            checkpoint.index_changes()

    def digest(self, change: ItemChange) -> bytes:
        return key_digest(key_of(change.key, self.key_attributes))

    def apply(self, applier: ChangeApplier, changes: Sequence[ItemChange]) -> list[ItemChange]:
        """Apply ``changes`` through ``applier`` group by group, recorded as the module
        documentation says; returns the conflicts."""
        conflicts: list[ItemChange] = []
        applier.on_applied = self._applied
        try:
            for start in range(0, len(changes), GROUP):
                group = [c for c in changes[start:start + GROUP] if not self.already_changed(c)]
                self._commit([(self.digest(c), c.action.value, _after_image(c), False) for c in group])
                try:
                    conflicts += applier.apply(group)
                finally:
                    with self._lock:
                        done, self._done = self._done, []
                    self._commit([(d, "", None, True) for d in done])
        finally:
            applier.on_applied = None
        return conflicts

    def close(self) -> None:
        """Nothing is buffered between groups (for :class:`~ddbsql.session.writing.job_runs.JobRun`)."""

    def _applied(self, change: ItemChange) -> None:
        with self._lock:
            self._done.append(self.digest(change))
            self.written += 1

    def _commit(self, entries: list) -> None:
        if not entries:
            return
        try:
            self.checkpoint.record_changes(self.target, self.run, entries)
        except Exception as exc:   # the changes go on; the report warns that a resume may repeat some
            self.error = exc

    def already_changed(self, change: ItemChange) -> bool:
        """Whether an earlier run of the job changed the item ``change`` would change now
        (the rule of the module documentation); counted."""
        if not self.resuming:
            return False
        prior = self.checkpoint.prior_change(self.target, self.digest(change), self.run)
        if prior is None:
            return False
        action, after, done = prior
        if not done:
            done = _shows(change, Action(action) if action else None, after)
        if done:
            with self._lock:
                self.resumed_written += 1
        return done


def _after_image(change: ItemChange) -> str | None:
    if change.action is not Action.UPDATE:
        return None
    return json.dumps({a: None if v is None else plain(v) for a, v in change.values.items()}, sort_keys=True)


def _shows(change: ItemChange, recorded: Action | None, after: str | None) -> bool:
    """Whether the item, as this run found it (``change``: what it would do now), shows
    the after-image of the recorded change."""
    present = change.action is not Action.PUT      # a PUT is what MERGE does to an absent item
    if recorded is Action.DELETE:
        return not present
    if recorded is Action.PUT:
        return present
    if recorded is not Action.UPDATE or not present or after is None:
        return False
    written = json.loads(after)
    return all(a in change.expected and same_value(change.expected[a], None if v is None else from_plain(v))
               for a, v in written.items())
