"""Retrying DynamoDB calls: which failures are transient, and the backoff between tries.

botocore's own retries are switched off for ddbsql's clients so that this module is
the one place that decides; clock and sleep are injectable so tests do not wait.

The give-up rule is *no progress for* ``ddbsql.retry.max.seconds`` (default 600):
a request is retried, with exponential backoff and full jitter, for as long as the
job it belongs to made progress (an item written, a page read) less than that many
seconds ago.  Callers that track progress pass ``since=`` the time of their last
progress; a single request on its own counts from its first try.
"""
from __future__ import annotations

import dataclasses
import logging
import random
import time
from typing import Callable, TypeVar

import tenacity
from botocore.exceptions import (BotoCoreError, ClientError, ConnectionClosedError, ConnectTimeoutError,
                                 EndpointConnectionError, ReadTimeoutError)

from ..errors import DynamoDBError
from ..planner.units import consumed_units

T = TypeVar("T")

#: one DEBUG line per DynamoDB request (operation, table, capacity, time, retries, throttles),
#: one per retry; never parameters, items or credentials
log = logging.getLogger("ddbsql.requests")

THROTTLING_CODES = frozenset({
    "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
    "Throttling", "TooManyRequestsException", "LimitExceededException",
})
TRANSIENT_CODES = frozenset({"InternalServerError", "ServiceUnavailable", "InternalFailure",
                             "TransactionInProgressException"})
CONNECTION_ERRORS = (ConnectionClosedError, EndpointConnectionError, ReadTimeoutError, ConnectTimeoutError,
                     ConnectionError)


def is_throttling(exc: BaseException) -> bool:
    """True when DynamoDB refused the request for capacity (the governor slows down)."""
    return isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in THROTTLING_CODES


def is_transient(exc: BaseException) -> bool:
    """True for throttling, 5xx and dropped connections: failures worth trying again."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return error.get("Code") in THROTTLING_CODES or error.get("Code") in TRANSIENT_CODES or status >= 500
    return isinstance(exc, CONNECTION_ERRORS)


def error_code(exc: BaseException) -> str | None:
    if isinstance(exc, ClientError):
        return exc.response.get("Error", {}).get("Code")
    return None


def count_retry(report, lock, governor, kind: str, exc: BaseException) -> None:
    """Count one retried write request in ``report`` (its ``retries`` and ``throttles``,
    under ``lock``) and, when DynamoDB throttled it, slow ``governor``'s ``kind`` down."""
    throttled = is_throttling(exc)
    with lock:
        report.retries += 1
        report.throttles += throttled
    if throttled:
        governor.throttled(kind)


def describe_client_error(exc: BaseException) -> str:
    """One line for a botocore error, without request details or credentials."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'Error')}: {error.get('Message', '')}".rstrip(": ")
    return f"{type(exc).__name__}: {exc}"


@dataclasses.dataclass
class RetryPolicy:
    """Exponential backoff with full jitter, giving up only after ``max_seconds`` without success.

    ``sleep`` and ``clock`` are injectable; ``rng`` draws the jitter.
    """

    base: float = 0.05
    cap: float = 10.0
    max_seconds: float = 600.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    rng: Callable[[], float] = random.random

    def delay(self, attempt: int) -> float:
        """Seconds to wait before try ``attempt + 1`` (``attempt`` counts from 1)."""
        return self.rng() * min(self.cap, self.base * (2 ** (attempt - 1)))

    def call(self, fn: Callable[[], T], *, what: str, since: float | None = None,
             on_retry: Callable[[BaseException], None] | None = None) -> T:
        """Run ``fn`` until it succeeds, retrying transient failures; others raise at once.

        ``since`` is the clock time of the caller's last progress (default: now); the
        call gives up once ``max_seconds`` have passed since then without success.
        ``on_retry(exc)`` is told of every transient failure before the backoff sleep
        (the writer counts retries and tells the governor about throttling).

        Raises :class:`DynamoDBError` naming ``what`` when the time limit runs out or
        the failure is permanent.
        """
        started = self.clock() if since is None else since
        begun = self.clock()
        failures = {"retries": 0, "throttles": 0}
        try:
            try:
                result = fn()        # the usual case: one try, no retry machinery built
            except Exception as first:
                if not is_transient(first):
                    raise
                result = self._retry(fn, first, what=what, started=started, failures=failures, on_retry=on_retry)
            if log.isEnabledFor(logging.DEBUG):
                log.debug("%s: %.3f s%s, %d retr%s, %d throttled%s", what, self.clock() - begun, _capacity(result),
                          failures["retries"], "y" if failures["retries"] == 1 else "ies", failures["throttles"],
                          _unprocessed(result))
            return result
        except Exception as exc:
            if isinstance(exc, (ClientError, BotoCoreError) + CONNECTION_ERRORS):
                suffix = (f" (gave up: no progress for {self.max_seconds:.0f} s, ddbsql.retry.max.seconds)"
                          if is_transient(exc) else "")
                raise DynamoDBError(f"{what}: {describe_client_error(exc)}{suffix}") from exc
            raise

    def _retry(self, fn: Callable[[], T], first: BaseException, *, what: str, started: float, failures: dict,
               on_retry: Callable[[BaseException], None] | None) -> T:
        """Go on after ``fn``'s first try failed transiently with ``first``: tenacity's
        first attempt re-raises ``first``, so attempt numbers, backoff and the give-up
        rule are those of one uninterrupted run."""
        replayed = [first]

        def attempt() -> T:
            if replayed:
                raise replayed.pop()
            return fn()

        def before_sleep(state: tenacity.RetryCallState) -> None:
            if state.outcome is not None and state.outcome.failed:
                exc = state.outcome.exception()
                failures["retries"] += 1
                failures["throttles"] += is_throttling(exc)
                if log.isEnabledFor(logging.DEBUG):
                    log.debug("%s: try %d failed (%s); retrying in %.2f s", what, state.attempt_number,
                              describe_client_error(exc), state.next_action.sleep if state.next_action else 0.0)
                if on_retry is not None:
                    on_retry(exc)

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(is_transient),
            wait=lambda state: self.delay(state.attempt_number),
            stop=lambda state: self.clock() - started >= self.max_seconds,
            sleep=self.sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        return retrying(attempt)


def _capacity(response) -> str:
    """``", 12.5 capacity units"`` from a response's ConsumedCapacity, when it has one
    (a response dict, or a ``(batch, meta)`` page)."""
    if isinstance(response, tuple):
        response = next((part for part in response if isinstance(part, dict)), None)
    units = consumed_units(response) if isinstance(response, dict) else None
    return "" if units is None else f", {units:g} capacity units"


def _unprocessed(response) -> str:
    unprocessed = response.get("UnprocessedItems") or response.get("UnprocessedKeys") \
        if isinstance(response, dict) else None
    if not unprocessed:
        return ""
    count = sum(len(v) if isinstance(v, list) else len(v.get("Keys", [])) for v in unprocessed.values())
    return f", {count} unprocessed"
