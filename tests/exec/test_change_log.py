"""exec.change_log: which items a resumed UPDATE/DELETE/MERGE run takes as changed by an
earlier run, from a real checkpoint file."""
from ddbsql.catalog.jobs import Checkpoint
from ddbsql.exec.change_log import ChangeLog, _after_image
from ddbsql.exec.changes import Action, ItemChange

KEYS = ("id",)


def update(key: str, n: str | None, new: str | None = "7") -> ItemChange:
    return ItemChange(0, Action.UPDATE, {"id": {"S": key}}, expected={"n": None if n is None else {"N": n}},
                      values={"n": None if new is None else {"N": new}})


def test_a_resumed_run_skips_acknowledged_items_and_in_flight_ones_showing_their_after_image(tmp_path):
    checkpoint = Checkpoint(tmp_path / "job.sqlite")
    first = ChangeLog(checkpoint, 0, KEYS, run=1, resuming=False)
    recorded = {"acked": update("acked", "6"), "landed": update("landed", "6"), "lost": update("lost", "6"),
                "removed": update("removed", "6", new=None), "deleted": ItemChange(0, Action.DELETE, {"id": {"S": "deleted"}}),
                "inserted": ItemChange(0, Action.PUT, {"id": {"S": "inserted"}}, values={"id": {"S": "inserted"}})}
    checkpoint.record_changes(0, 1, [(first.digest(c), c.action.value, _after_image(c), False)
                                     for c in recorded.values()])
    checkpoint.record_changes(0, 1, [(first.digest(recorded["acked"]), "", None, True)])

    resumed = ChangeLog(checkpoint, 0, KEYS, run=2, resuming=True)
    assert resumed.already_changed(update("acked", "123"))        # acknowledged: whatever it holds now
    assert resumed.already_changed(update("landed", "7.0"))       # shows what was written (by value)
    assert not resumed.already_changed(update("lost", "6"))       # still the before-image: change it
    assert resumed.already_changed(update("removed", None))       # the removed attribute is absent
    assert resumed.already_changed(ItemChange(0, Action.PUT, {"id": {"S": "deleted"}}))   # gone
    assert resumed.already_changed(ItemChange(0, Action.DELETE, {"id": {"S": "inserted"}}))  # exists
    assert not resumed.already_changed(update("never", "1"))      # not recorded
    assert resumed.resumed_written == 5
    assert not ChangeLog(checkpoint, 0, KEYS, run=1, resuming=False).already_changed(update("acked", "1"))
    checkpoint.close()
