"""One Z3 query with a per-query timeout and a memory guard, reported as data.

``unknown`` (timeout, memory limit, incompleteness) is its own answer and never becomes a proof.
Fragment parts are checked as tracked assumptions, so an ``unsat`` answer names the parts the
proof needed (a minimised unsat core).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import z3

from batchproof.properties.symbolic.encoder import Expr
from batchproof.properties.symbolic.model import Part

Answer = Literal["sat", "unsat", "unknown"]
Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-query resource limits: wall-clock timeout and Z3's memory ceiling."""

    timeout_ms: int = 10_000
    memory_mb: int = 2048


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class Outcome:
    """A query's answer, its time, the model (sat), the named core (unsat) or the reason (unknown)."""

    answer: Answer
    seconds: float
    model: Any = None
    core: tuple[str, ...] = ()
    reason: str = ""


def solve(
    constraints: Sequence[Expr],
    parts: Sequence[Part] = (),
    limits: Limits = DEFAULT_LIMITS,
    *,
    clock: Clock = time.perf_counter,
    tactic: str | None = None,
) -> Outcome:
    """Check ``constraints`` and the tracked ``parts`` together.

    ``tactic`` names a Z3 tactic to solve with (e.g. ``qfbv`` for pure bit-vector queries).
    Z3 errors (including running out of memory) come back as ``unknown`` with the message.
    """
    z3.set_param("memory_max_size", limits.memory_mb)
    solver = z3.Tactic(tactic).solver() if tactic else z3.Solver()
    solver.set("timeout", limits.timeout_ms)
    if not tactic:
        solver.set("core.minimize", True)
    solver.add(*constraints)
    trackers = []
    by_tracker: dict[str, str] = {}
    for index, part in enumerate(parts):
        tracker = z3.Bool(f"part!{index}")
        solver.add(z3.Implies(tracker, part.equal))
        trackers.append(tracker)
        by_tracker[str(tracker)] = part.name
    started = clock()
    try:
        answer = solver.check(*trackers)
    except z3.Z3Exception as problem:
        return Outcome("unknown", clock() - started, reason=f"z3: {problem}")
    seconds = clock() - started
    if answer == z3.sat:
        return Outcome("sat", seconds, model=solver.model())
    if answer == z3.unsat:
        core = tuple(sorted(by_tracker[str(t)] for t in solver.unsat_core()))
        return Outcome("unsat", seconds, core=core)
    return Outcome("unknown", seconds, reason=solver.reason_unknown())


def shrink(constraints: Sequence[Expr], preferences: Sequence[Expr], limits: Limits = DEFAULT_LIMITS) -> Outcome:
    """A model of ``constraints`` satisfying as many ``preferences`` as a core-guided pass keeps.

    Preferences are tried all at once; each unsat core drops its least important member (the
    latest in ``preferences``), so the loop runs once per preference that must be violated. Once
    the loop has used the per-query timeout, or a query with preferences times out, the remaining
    preferences are dropped at once, so shrinking costs at most about two queries' time (and only
    then can the chosen model depend on the machine's speed).
    """
    z3.set_param("memory_max_size", limits.memory_mb)
    solver = z3.Solver()
    solver.set("timeout", limits.timeout_ms)
    solver.add(*constraints)
    trackers = [z3.Bool(f"prefer!{i}") for i in range(len(preferences))]
    for tracker, preference in zip(trackers, preferences, strict=True):
        solver.add(z3.Implies(tracker, preference))
    rank = {str(t): i for i, t in enumerate(trackers)}
    active = list(trackers)
    started = time.perf_counter()
    deadline = started + limits.timeout_ms / 1000
    while True:
        if active and time.perf_counter() > deadline:
            active = []
        try:
            answer = solver.check(*active)
        except z3.Z3Exception as problem:
            return Outcome("unknown", time.perf_counter() - started, reason=f"z3: {problem}")
        if answer == z3.sat:
            return Outcome("sat", time.perf_counter() - started, model=solver.model())
        if answer != z3.unsat:
            if active:  # the preferences made it hard: settle for any model
                active = []
                continue
            return Outcome("unknown", time.perf_counter() - started, reason=solver.reason_unknown())
        core = solver.unsat_core()
        if not len(core):
            return Outcome("unsat", time.perf_counter() - started)
        worst = max(core, key=lambda t: rank[str(t)])
        active = [t for t in active if str(t) != str(worst)]
