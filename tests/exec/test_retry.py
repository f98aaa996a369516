"""RetryPolicy.call: transient failures retried with numbered backoff, others raised at once,
and the give-up rule counted from the caller's last progress (injected clock and sleep)."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError

from ddbsql.errors import DynamoDBError
from ddbsql.exec.retry import RetryPolicy
from support.clocks import FakeClock


def _error(code: str, status: int = 400) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}},
                       "BatchWriteItem")


def _failing(*failures):
    calls = []

    def fn():
        calls.append(1)
        if len(calls) <= len(failures):
            raise failures[len(calls) - 1]
        return {"ok": len(calls)}
    return fn, calls


def _policy(clock: FakeClock, max_seconds: float = 600.0) -> RetryPolicy:
    return RetryPolicy(base=0.5, cap=8.0, max_seconds=max_seconds, sleep=clock.sleep, clock=clock, rng=lambda: 1.0)


def test_success_first_time_never_sleeps():
    clock = FakeClock()
    fn, calls = _failing()
    assert _policy(clock).call(fn, what="X") == {"ok": 1}
    assert calls == [1] and clock.sleeps == []


def test_transient_failures_back_off_by_attempt_number_and_are_reported():
    clock = FakeClock()
    seen = []
    fn, calls = _failing(_error("ProvisionedThroughputExceededException"), _error("InternalServerError", 500),
                         ConnectionClosedError(endpoint_url="http://x"))
    assert _policy(clock).call(fn, what="X", on_retry=seen.append) == {"ok": 4}
    assert len(calls) == 4
    assert clock.sleeps == [0.5, 1.0, 2.0]          # base * 2**(attempt-1), jitter 1.0
    assert [type(e).__name__ for e in seen] == ["ClientError", "ClientError", "ConnectionClosedError"]


def test_a_permanent_failure_is_raised_at_once_naming_the_request():
    clock = FakeClock()
    fn, calls = _failing(_error("ValidationException"))
    with pytest.raises(DynamoDBError, match="X: ValidationException: m$"):
        _policy(clock).call(fn, what="X")
    assert calls == [1] and clock.sleeps == []


def test_a_permanent_failure_after_retries_is_raised_without_more_tries():
    clock = FakeClock()
    fn, calls = _failing(_error("ThrottlingException"), _error("ResourceNotFoundException"))
    with pytest.raises(DynamoDBError, match="ResourceNotFoundException"):
        _policy(clock).call(fn, what="X")
    assert len(calls) == 2 and clock.sleeps == [0.5]


def test_gives_up_after_max_seconds_without_progress_counted_from_since():
    clock = FakeClock()
    clock.now = 100.0
    fn, calls = _failing(*[_error("ThrottlingException")] * 50)
    with pytest.raises(DynamoDBError, match=r"gave up: no progress for 10 s"):
        _policy(clock, max_seconds=10.0).call(fn, what="X", since=95.0)
    # 5 s had passed at the first try: tries at 100, 100.5, 101.5, 103.5 and 107.5 (>= 105: stop)
    assert len(calls) == 5 and clock.sleeps == [0.5, 1.0, 2.0, 4.0]


def test_other_exceptions_pass_through_unwrapped():
    clock = FakeClock()
    fn, _ = _failing(KeyError("k"))
    with pytest.raises(KeyError):
        _policy(clock).call(fn, what="X")
