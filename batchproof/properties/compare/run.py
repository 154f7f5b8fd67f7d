"""Run every (variant, workload) pair and aggregate the figures, whatever the number of processes.

``pair`` runs one scenario in lockstep with counted plugin calls, ``pool`` the plan's tasks in
this process or in worker processes; this module merges their tallies into rows. Per pair, over
every seed and scenario: pods placed as the reference places them (strict: the same node;
tie-aware: a node the reference scores as high as its best), pods the batched side fails
although the reference places them, regret (the reference's best total minus its total for the
batched node) at p50/p99/max, the hint rate, flush reasons, plugin calls per pod and model time
per pod. Everything except the times is deterministic in the seeds.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from batchproof.batched import Variant
from batchproof.model.profiles import Profile
from batchproof.properties.compare.catalogue import Family, Size
from batchproof.properties.compare.cost import POINTS, PRE_SCORE_NODES
from batchproof.properties.compare.pair import Tally
from batchproof.properties.compare.pool import Task, TaskResult, run_tasks, tasks_of

REFERENCE = "reference"
CALLS = tuple(POINTS.values())


@dataclass(frozen=True, slots=True)
class Row:
    """One row of the comparison table."""

    variant: str
    workload: str
    pods: int
    compared: int
    strict_identical: float
    tie_identical: float
    wrongly_failed: int
    unsafe: int
    regret_p50: int
    regret_p99: int
    regret_max: int
    hint_rate: float
    flush_reasons: dict[str, int]
    calls_per_pod: dict[str, float]
    time_per_pod_us: float
    regrets: tuple[int, ...] = ()
    upstream_hint_rate: float | None = None  # g3 rows of small runs with the oracle built

    def to_json(self) -> dict[str, Any]:
        """The row as JSON (times under their own key, the rest deterministic)."""
        out = {name: getattr(self, name) for name in self.__slots__ if name != "regrets"}
        out["regret_histogram"] = dict(sorted(Counter(self.regrets).items()))
        return out


def percentile(values: Sequence[int], q: float) -> int:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def row(variant: str, workload: str, tally: Tally) -> Row:
    """The table row of a tally."""
    pods = max(tally.pods, 1)
    compared = max(tally.compared, 1)
    return Row(
        variant=variant,
        workload=workload,
        pods=tally.pods,
        compared=tally.compared,
        strict_identical=round(tally.strict / compared, 4),
        tie_identical=round(tally.tie_aware / compared, 4),
        wrongly_failed=tally.wrongly_failed,
        unsafe=tally.unsafe,
        regret_p50=percentile(tally.regrets, 50),
        regret_p99=percentile(tally.regrets, 99),
        regret_max=max(tally.regrets, default=0),
        hint_rate=round(tally.hinted / pods, 4),
        flush_reasons=dict(sorted(tally.flushes.items())),
        calls_per_pod={name: round(tally.calls[name] / pods, 2) for name in (*CALLS, PRE_SCORE_NODES)},
        time_per_pod_us=round(tally.seconds / pods * 1e6, 1),
        regrets=tuple(tally.regrets),
    )


@dataclass(frozen=True, slots=True)
class Plan:
    """What to compare."""

    variants: tuple[Variant, ...]
    families: tuple[Family, ...]
    seeds: int = 1
    signers: str = "upstream"
    size: Size = "small"
    reference_every: int = 1


def run_plan(
    plan: Plan, profile: Profile, progress: Callable[[str], None] | None = None, *, jobs: int = 1
) -> list[Row]:
    """Every (variant, workload) row plus one reference row per workload, in plan order.

    The (workload, seed, variant) tasks run in this process for ``jobs`` 1, else over that many
    worker processes; their tallies are merged in plan order, so the rows do not depend on
    ``jobs`` (only the times do). The reference row is the reference beside the first variant.
    """
    tasks = tasks_of(plan)
    results: dict[Task, TaskResult] = {}
    for done in run_tasks(plan, profile, tasks, jobs):
        results[done.task] = done
        if progress is not None:
            task = done.task
            progress(
                f"[{len(results)}/{len(tasks)}] {plan.families[task.family].name} {plan.variants[task.variant]}"
                f" seed {task.seed}: {done.batched.pods} pods in {done.seconds:.1f}s"
            )
    rows: list[Row] = []
    for family_index, family in enumerate(plan.families):
        reference = Tally()
        for variant_index, variant in enumerate(plan.variants):
            tally = Tally()
            for seed in range(plan.seeds):
                done = results[Task(family_index, seed, variant_index)]
                tally.add(done.batched)
                if variant_index == 0:
                    reference.add(done.reference)
            rows.append(row(variant, family.name, tally))
        rows.append(row(REFERENCE, family.name, reference))
    return rows
