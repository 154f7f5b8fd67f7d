"""Injectable time: a virtual clock for deterministic runs and the monotonic system clock."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """A source of the current time in seconds."""

    def now(self) -> float:
        """Seconds since an arbitrary origin."""


class VirtualClock:
    """A clock that moves only when told to (the CLI advances it per pod)."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start

    def now(self) -> float:
        """The current virtual time."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        self._now += seconds


class SystemClock:
    """time.monotonic()."""

    def now(self) -> float:
        """The monotonic time."""
        return time.monotonic()
