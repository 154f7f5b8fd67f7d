"""Run every (variant, workload) pair in lockstep with counted plugin calls, and aggregate the figures.

Per pair, over every seed and scenario: pods placed as the reference places them (strict: the
same node; tie-aware: a node the reference scores as high as its best), pods the batched side
fails although the reference places them, regret (the reference's best total minus its total for
the batched node) at p50/p99/max, the hint rate, flush reasons, plugin calls per pod and model
time per pod. Everything except the times is deterministic in the seeds.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from batchproof.batched import BatchedScheduler, Variant, VirtualClock
from batchproof.model.framework.runtime import Framework
from batchproof.model.profiles import Profile
from batchproof.properties.compare.catalogue import Family, Size, scenarios_of
from batchproof.properties.compare.cost import POINTS, PRE_SCORE_NODES, counting
from batchproof.properties.events import apply_event
from batchproof.properties.lockstep import BatchingOptions, Scenario, compare, feasible
from batchproof.reference import ReferenceScheduler

REFERENCE = "reference"
CALLS = tuple(POINTS.values())


@dataclass(slots=True)
class Tally:
    """Raw counts of one (variant, workload) pair, summed over scenarios and seeds."""

    pods: int = 0
    compared: int = 0
    strict: int = 0
    tie_aware: int = 0
    wrongly_failed: int = 0
    unsafe: int = 0
    hinted: int = 0
    regrets: list[int] = field(default_factory=list)
    flushes: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


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


def _counted(profiles: Sequence[Profile], counts: Counter[str]) -> dict[str, Framework]:
    return {p.scheduler_name: counting(p.build(), counts) for p in profiles}


def run_pair(
    scenario: Scenario, variant: Variant, batched: Tally, reference: Tally, *, reference_every: int = 1
) -> None:
    """One scenario under ``variant``, added into the batched and reference tallies.

    The reference decides every ``reference_every``-th pod only (the full size: it filters every
    node for every pod); every batched placement is still bound into its snapshot, so the
    sampled comparisons see the same cluster state.
    """
    scenario = replace(scenario, options=replace(scenario.options, variant=variant))
    clock = VirtualClock()
    profile = scenario.profiles[0]
    snapshot = scenario.cluster.snapshot(profile.features)
    ref = ReferenceScheduler(
        _counted(scenario.profiles, reference.calls),
        snapshot.clone(),
        percentage_of_nodes_to_score=profile.percentage_of_nodes_to_score,
    )
    checker = profile.build()
    ours = BatchedScheduler(
        _counted(scenario.profiles, batched.calls),
        snapshot.clone(),
        clock=clock,
        variant=variant,
        max_batch_age=scenario.options.max_batch_age,
        percentage_of_nodes_to_score=profile.percentage_of_nodes_to_score,
    )
    due: dict[int, list[Any]] = {}
    for position, event in scenario.events:
        due.setdefault(position, []).append(event)
    for index, pod in enumerate(scenario.pods):
        for event in due.get(index, ()):
            apply_event(event, ref.snapshot)
            apply_event(event, ours.snapshot, clock)
        sampled = index % reference_every == 0
        started = time.perf_counter()
        expected = ref.decide(pod) if sampled else None
        reference.seconds += time.perf_counter() - started
        started = time.perf_counter()
        got = ours.schedule_one(pod)
        batched.seconds += time.perf_counter() - started
        if got.node is not None:
            if not feasible(checker, ref.snapshot, pod, got.node):
                batched.unsafe += 1
            ref.snapshot.bind(replace(pod, node_name=got.node, nominated_node_name=""), got.node)
        batched.pods += 1
        batched.hinted += got.path == "hint"
        if got.flush_reason:
            batched.flushes[got.flush_reason] += 1
        clock.advance(scenario.options.pod_interval)
        if expected is None:
            continue
        comparison = compare(index, pod, expected, got)
        batched.compared += 1
        reference.pods += 1
        reference.compared += 1
        reference.strict += 1
        reference.tie_aware += 1
        batched.strict += not comparison.diverged
        batched.tie_aware += not comparison.diverged or comparison.tie
        batched.wrongly_failed += expected.node is not None and got.node is None
        if comparison.regret is not None:
            batched.regrets.append(comparison.regret)
        if expected.node is not None:
            reference.regrets.append(0)


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


def run_plan(plan: Plan, profile: Profile, progress: Callable[[str], None] | None = None) -> list[Row]:
    """Every (variant, workload) row plus one reference row per workload, in plan order."""
    rows: list[Row] = []
    total = len(plan.families) * len(plan.variants)
    step = 0
    for family in plan.families:
        built = [s for seed in range(plan.seeds) for s in scenarios_of(family, plan.size, seed, profile)]
        built = [replace(s, options=BatchingOptions()) for s in built]
        reference = Tally()
        for index, variant in enumerate(plan.variants):
            step += 1
            started = time.perf_counter()
            tally = Tally()
            baseline = Tally()
            for scenario in built:
                run_pair(scenario, variant, tally, baseline, reference_every=plan.reference_every)
            if index == 0:
                reference = baseline
            rows.append(row(variant, family.name, tally))
            if progress is not None:
                progress(
                    f"[{step}/{total}] {family.name} {variant}: {tally.pods} pods"
                    f" in {time.perf_counter() - started:.1f}s"
                )
        rows.append(row(REFERENCE, family.name, reference))
    return rows
