"""Adaptive budget: share a worker's time between its properties by what each still discovers.

As HypoFuzz does, time goes in short slices to the property most likely to find something new:
its weight times (1 + what it has discovered) over (1 + seconds since its last discovery), where a
discovery is a new finding key or a newly reached interesting path. A property that keeps finding
keeps its time; one that has gone quiet decays. Every property keeps a floor: whenever one has
had less than ``floor`` of its weighted share of the time spent so far, it runs next. The total
stays the campaign's ``--budget``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from batchproof.properties.campaign.engine import Limits
from batchproof.properties.campaign.property_run import Step

SLICE = 1.0  # seconds per slice: long enough for Hypothesis to get going, short enough that every property starts early
FLOOR = 0.5  # every property gets at least half of its weighted share


class Steppable(Protocol):
    """A property run the scheduler can advance a slice at a time."""

    def done(self, limits: Limits) -> bool:
        """Whether it cannot go on."""
        ...

    def step(self, limits: Limits) -> Step:
        """Run one slice within ``limits``."""
        ...


@dataclass(frozen=True, slots=True)
class Share:
    """One property's account: time spent, slices, discoveries and when (in its own seconds) the last was."""

    weight: float
    seconds: float = 0.0
    slices: int = 0
    discoveries: int = 0
    last_discovery: float = 0.0

    def priority(self) -> float:
        """Weight x (1 + discoveries) / (1 + seconds since the last discovery)."""
        return self.weight * (1 + self.discoveries) / (1 + self.seconds - self.last_discovery)

    def after(self, step: Step) -> Share:
        """The account after one more slice."""
        seconds = self.seconds + step.seconds
        found = step.discoveries > 0
        return replace(
            self,
            seconds=seconds,
            slices=self.slices + 1,
            discoveries=self.discoveries + step.discoveries,
            last_discovery=seconds if found else self.last_discovery,
        )


def pick(shares: Sequence[Share], active: Sequence[int], *, floor: float = FLOOR) -> int:
    """The index (among ``active``) of the property to run next: a starved one first, else the most promising."""
    spent = sum(s.seconds for s in shares)
    total_weight = sum(shares[i].weight for i in range(len(shares)))
    starved = [i for i in active if shares[i].seconds < floor * spent * shares[i].weight / total_weight]
    if starved:
        return min(starved, key=lambda i: (shares[i].seconds / shares[i].weight, i))
    return max(active, key=lambda i: (shares[i].priority(), -i))


def run_adaptive(
    runs: Sequence[Steppable],
    weights: Sequence[float],
    limits: Limits,
    *,
    slice_seconds: float = SLICE,
    after_step: Callable[[], None] | None = None,
) -> list[Share]:
    """Step ``runs`` until the deadline of ``limits`` (or until all are done); each step is one slice."""
    assert limits.deadline is not None, "an adaptive budget needs a deadline"
    shares = [Share(float(w)) for w in weights]
    while True:
        active = [i for i, run in enumerate(runs) if not run.done(limits)]
        if not active:
            return shares
        chosen = pick(shares, active)
        deadline = min(limits.deadline, limits.clock() + slice_seconds)
        step = runs[chosen].step(replace(limits, deadline=deadline))
        shares[chosen] = shares[chosen].after(step)
        if after_step is not None:
            after_step()
