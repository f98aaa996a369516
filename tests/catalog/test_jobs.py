"""The job records and checkpoint files: durable, per target, pruned by segment position."""
from __future__ import annotations

import os

from ddbsql.catalog.jobs import DONE, FAILED, RUNNING, Checkpoint, JobRecord, JobStore, SegmentState, dump_key, load_key
from ddbsql.catalog.store import Metastore


def test_job_records_live_in_the_metastore_file(tmp_path):
    Metastore(tmp_path / "m.db").close()
    store = JobStore(tmp_path / "m.db")
    record = store.start(JobRecord("abc123", statement="INSERT …", database="default", settings={"k": "v"},
                                   targets=["default.t"]))
    assert record.pid == os.getpid() and record.state == RUNNING
    store.close()
    again = JobStore(tmp_path / "m.db")
    got = again.get("abc123")
    assert got.settings == {"k": "v"} and got.targets == ["default.t"] and got.unfinished
    assert not got.running_elsewhere()          # this very process
    assert [r.id for r in again.find("abc")] == ["abc123"] and again.find("zz") == []
    again.finish(got, FAILED, message="boom")
    assert again.get("abc123").state == FAILED and again.get("abc123").unfinished
    again.close()


def test_checkpoint_survives_reopening_and_is_dropped_when_done(tmp_path):
    store = JobStore(tmp_path / "m.db")
    record = store.start(JobRecord("j1", statement="s", database="default", settings={}, targets=["a", "b"]))
    cp = store.open_checkpoint("j1", fresh=True)
    cp.commit(0, [(b"k" * 16, True, 1, -1, 0), (b"d" * 16, False, 1, -1, 0)])
    cp.commit(1, [(b"x" * 16, True, 1, -1, 0)])
    cp.close()
    cp = store.open_checkpoint("j1", fresh=False)
    assert cp.acknowledged(0) == {b"k" * 16: True, b"d" * 16: False}
    assert cp.acknowledged(1) == {b"x" * 16: True}
    cp.close()
    assert store.open_checkpoint("j1", fresh=True).acknowledged(0) == {}   # a fresh run discards it
    store.finish(record, DONE, written=3)
    assert not store.checkpoint_path("j1").exists()
    assert store.get("j1").written == 3


def test_segment_positions_prune_the_keys_of_their_pages(tmp_path):
    cp = Checkpoint(tmp_path / "c.sqlite")
    key = {"id": {"S": "k9"}, "bin": {"B": b"\x00\xff"}}
    cp.commit(0, [(b"a" * 16, True, 1, 0, 1), (b"b" * 16, True, 1, 0, 2), (b"c" * 16, True, 1, 1, 1),
                  (b"e" * 16, True, 2, 0, 1)])
    cp.commit(0, [], [(SegmentState(0, 4, key, False, written=7, rows=9), 1, 1)])
    # run 1's page 1 of segment 0 is covered: its key goes; other pages, segments and runs stay
    assert set(cp.acknowledged(0)) == {b"b" * 16, b"c" * 16, b"e" * 16}
    state = cp.segments(0)[0]
    assert state.start_key == key and state.total == 4 and state.written == 7 and not state.finished
    assert cp.counts() == (3, 9)
    assert load_key(dump_key(key)) == key
