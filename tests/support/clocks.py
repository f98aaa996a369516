"""A clock for code that takes ``clock``/``sleep`` arguments: time moves only when
something sleeps (or a test sets ``now``)."""
from __future__ import annotations


class FakeClock:
    """``clock()`` reads ``now``; ``sleep(s)`` advances it and records ``s`` in ``sleeps``
    (``slept`` is their sum)."""

    def __init__(self, start: float = 0.0):
        self.now = start
        self.sleeps: list[float] = []

    @property
    def slept(self) -> float:
        return sum(self.sleeps)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds
