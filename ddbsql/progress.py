"""Progress for a human: a line of counts, rates, capacity against budget and ETA, the
durations in it, the rates behind it and the ticker that renders it every second.

The governor and the workers report numbers (counters, budgets); this module turns them
into text, which the session hands to whoever listens (the command line's stderr).
"""
from __future__ import annotations

import threading
import time
from typing import Callable, Iterable


def format_duration(seconds: float) -> str:
    """``m:ss``, or ``h:mm:ss`` from an hour on."""
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class ProgressTicker:
    """Calls ``render()`` and hands its text to ``emit`` every ``interval`` seconds, on a
    daemon thread, until :meth:`stop`.  Errors in either are swallowed: progress must
    never break a statement."""

    def __init__(self, render: Callable[[], str | None], emit: Callable[[str], None], *, interval: float = 1.0):
        self.render = render
        self.emit = emit
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "ProgressTicker":
        self._thread = threading.Thread(target=self._run, name="ddbsql-progress", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.tick()

    def tick(self) -> None:
        try:
            text = self.render()
            if text:
                self.emit(text)
        except Exception:
            pass

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def __enter__(self) -> "ProgressTicker":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class RateMeter:
    """Rates over the last few seconds from cumulative counters sampled by a ticker."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, window: float = 5.0):
        self.clock = clock
        self.window = window
        self._samples: list[tuple[float, tuple[float, ...]]] = []

    def sample(self, *values: float) -> tuple[float, ...]:
        """Record cumulative ``values`` now; per-second rates of each over the window."""
        now = self.clock()
        self._samples.append((now, tuple(values)))
        while len(self._samples) > 2 and now - self._samples[1][0] >= self.window:
            self._samples.pop(0)
        first_t, first = self._samples[0]
        span = now - first_t
        if span <= 0:
            return tuple(0.0 for _ in values)
        return tuple((v - f) / span for v, f in zip(values, first))


def progress_line(*, rows_read: int, rows_written: int | None, rates: Iterable[float], consumed_rate: float,
                  budget: float, unit: str, elapsed: float, total: int | None = None, what: str = "rows") -> str:
    """One line of progress: rows (``rows_written`` None: a read only), rates, capacity
    against budget, ETA when ``total`` is known."""
    read_rate, write_rate = (list(rates) + [0.0, 0.0])[:2]
    text = f"read {rows_read:,} {what} ({read_rate:,.0f}/s), "
    if rows_written is not None:
        text += f"wrote {rows_written:,} ({write_rate:,.0f}/s), "
    text += f"{consumed_rate:,.1f} of {budget:,.0f} {unit}/s, {format_duration(elapsed)} elapsed"
    if total and total > 0:
        done = min(rows_read, total)
        percent = 100.0 * done / total
        text = f"{percent:5.1f}% " + text
        if read_rate > 0 and done < total:
            text += f", ETA {format_duration((total - done) / read_rate)}"
    return text
