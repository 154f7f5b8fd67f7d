"""One scenario under one variant in lockstep with the reference, counted into a pair of tallies."""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from batchproof.batched import BatchedScheduler, Variant, VirtualClock
from batchproof.model.framework.runtime import Framework, NodePluginScores
from batchproof.model.objects import Pod
from batchproof.model.profiles import Profile
from batchproof.model.scheduling import Decision
from batchproof.properties.compare.cost import counting
from batchproof.properties.events import apply_event
from batchproof.properties.lockstep import Scenario, compare, feasible
from batchproof.reference import ReferenceScheduler


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

    def add(self, other: Tally) -> None:
        """Add ``other``'s counts into this tally; its regrets come after these, in order."""
        self.pods += other.pods
        self.compared += other.compared
        self.strict += other.strict
        self.tie_aware += other.tie_aware
        self.wrongly_failed += other.wrongly_failed
        self.unsafe += other.unsafe
        self.hinted += other.hinted
        self.regrets.extend(other.regrets)
        self.flushes.update(other.flushes)
        self.calls.update(other.calls)
        self.seconds += other.seconds


def _counted(profiles: Sequence[Profile], counts: Counter[str]) -> dict[str, Framework]:
    return {p.scheduler_name: counting(p.build(), counts) for p in profiles}


# A sampled reference decision by (pod index, digest of the batched placements before it): the
# node, the total per scored node (all the comparison reads) and the sampling start index after it.
ReferenceMemo = dict[tuple[int, bytes], tuple[str | None, dict[str, int], int]]


def _reference_decision(
    ref: ReferenceScheduler, pod: Pod, memo: ReferenceMemo | None, key: tuple[int, bytes], *, reuse: bool
) -> Decision:
    """The reference's decision for ``pod``, or the one a run with the same history already made.

    The reference decides from its snapshot (the scenario's nodes and events plus every batched
    placement so far) and its sampling start index, itself a function of that history: two runs
    that placed the earlier pods alike get the same decision.
    """
    known = memo.get(key) if memo is not None and reuse else None
    if known is not None:
        node, totals, ref.next_start_node_index = known
        scores = tuple(NodePluginScores(name, total_score=total) for name, total in totals.items())
        return Decision(pod.key, node, scores=scores)
    decision = ref.decide(pod)
    if memo is not None:
        memo[key] = (decision.node, decision.total_scores(), ref.next_start_node_index)
    return decision


def run_pair(
    scenario: Scenario,
    variant: Variant,
    batched: Tally,
    reference: Tally,
    *,
    reference_every: int = 1,
    memo: ReferenceMemo | None = None,
    reuse: bool = False,
) -> None:
    """One scenario under ``variant``, added into the batched and reference tallies.

    The reference decides every ``reference_every``-th pod only (the full size: it filters every
    node for every pod); every batched placement is still bound into its snapshot, so the
    sampled comparisons see the same cluster state. Its decisions are recorded in ``memo``, and
    with ``reuse`` taken from it where an earlier run of this scenario had the same history; the
    reference tally then lacks their calls and time, so reuse only where it is not reported.
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
    placed = hashlib.blake2b(digest_size=16)  # every batched placement so far: the reference's history
    for index, pod in enumerate(scenario.pods):
        for event in due.get(index, ()):
            apply_event(event, ref.snapshot)
            apply_event(event, ours.snapshot, clock)
        sampled = index % reference_every == 0
        started = time.perf_counter()
        expected = _reference_decision(ref, pod, memo, (index, placed.digest()), reuse=reuse) if sampled else None
        reference.seconds += time.perf_counter() - started
        started = time.perf_counter()
        got = ours.schedule_one(pod)
        batched.seconds += time.perf_counter() - started
        placed.update(b"\n" if got.node is None else got.node.encode() + b"\n")  # names are never empty
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
