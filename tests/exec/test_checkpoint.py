"""JobTracker: which rows a resumed run skips, and when a Scan segment's position advances."""
from __future__ import annotations

from ddbsql.catalog.jobs import Checkpoint
from ddbsql.exec.checkpoint import JobTracker
from ddbsql.exec.writer import key_digest, key_of


def item(k: str) -> dict:
    return {"id": {"S": k}}


def digest(k: str) -> bytes:
    return key_digest(key_of(item(k), ["id"]))


def test_key_digest_compares_numbers_by_value():
    a = key_digest(key_of({"n": {"N": "1.50"}}, ["n"]))
    assert a == key_digest(key_of({"n": {"N": "1.5"}}, ["n"]))
    assert a != key_digest(key_of({"n": {"S": "1.5"}}, ["n"]))
    assert key_digest(key_of({"n": {"N": "100"}}, ["n"])) == key_digest(key_of({"n": {"N": "1E+2"}}, ["n"]))


def test_acknowledged_keys_are_committed_on_flush(tmp_path):
    cp = Checkpoint(tmp_path / "c.sqlite")
    tracker = JobTracker(cp, 0, ["id"], run=1, interval=3600)
    tracker.acknowledged([(0, item("a")), (1, item("b"))], True)
    tracker.acknowledged([(2, item("c"))], False)
    assert cp.acknowledged(0) == {}
    tracker.close()
    assert cp.acknowledged(0) == {digest("a"): True, digest("b"): True, digest("c"): False}


def test_resume_skips_the_first_row_of_an_acknowledged_key_only(tmp_path):
    cp = Checkpoint(tmp_path / "c.sqlite")
    tracker = JobTracker(cp, 0, ["id"], run=2, prior={digest("a"): True, digest("d"): False}, interval=3600)
    ka, kb = key_of(item("a"), ["id"]), key_of(item("b"), ["id"])
    assert tracker.skip(0, ka)
    assert not tracker.skip(1, kb)
    assert not tracker.skip(2, ka)          # a later row with the key is written: it must win
    assert tracker.skip(3, key_of(item("d"), ["id"]))
    assert (tracker.resumed_written, tracker.resumed_declined) == (1, 1)


def test_segment_position_advances_over_pages_whose_rows_are_all_settled(tmp_path):
    cp = Checkpoint(tmp_path / "c.sqlite")
    tracker = JobTracker(cp, 0, ["id"], run=1, interval=3600)
    k1, k2 = {"id": {"S": "p1"}}, {"id": {"S": "p2"}}
    tracker.add_page(0, 1, 0, 2, k1, total=2)       # rows 0-1
    tracker.add_page(1, 1, 2, 0, None, total=2)     # segment 1: one empty page, finished at once
    tracker.add_page(0, 2, 2, 2, k2, total=2)       # rows 2-3
    tracker.add_page(0, 3, 4, 1, None, total=2)     # row 4, the segment's last page
    tracker.acknowledged([(2, item("c")), (3, item("d"))], True)    # page 2 before page 1: no advance yet
    tracker.flush()
    assert cp.segments(0)[1].finished and 0 not in cp.segments(0)
    tracker.acknowledged([(0, item("a"))], True)
    tracker.settled([1])                                            # rejected: settled, not written
    tracker.flush()
    state = cp.segments(0)[0]
    assert state.start_key == k2 and state.written == 3 and state.rows == 4 and not state.finished
    assert set(cp.acknowledged(0)) == set()                         # pages 1-2 covered: keys dropped
    tracker.acknowledged([(4, item("e"))], True)
    tracker.close()
    state = cp.segments(0)[0]
    assert state.finished and state.written == 4 and state.rows == 5


def test_keys_waiting_for_a_commit_are_bounded_and_all_committed(tmp_path, monkeypatch):
    import threading

    import ddbsql.exec.checkpoint as checkpoint

    monkeypatch.setattr(checkpoint, "MAX_PENDING_KEYS", 50)
    cp = Checkpoint(tmp_path / "c.sqlite")
    tracker = JobTracker(cp, 0, ["id"], run=1, interval=3600).start()   # no timed flush: only the bound
    seen = []
    original = cp.commit_rows

    def commit_rows(rows, segments=(), target=0):
        seen.append(len(rows))
        return original(rows, segments, target)
    monkeypatch.setattr(cp, "commit_rows", commit_rows)

    def acknowledge(start: int) -> None:
        for first in range(start, start + 500, 10):
            tracker.acknowledged([(r, item(f"k{r}")) for r in range(first, first + 10)], True)

    threads = [threading.Thread(target=acknowledge, args=(n * 500,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    tracker.close()
    # every flush but the last was forced by the bound; no commit held more than the bound
    # plus one acknowledgement per thread
    assert len(seen) >= 2000 // (50 + 40) and max(seen) <= 50 + 4 * 10
    assert len(cp.acknowledged(0)) == 2000
