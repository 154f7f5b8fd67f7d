"""Run the reference and batched schedulers side by side on identical snapshots.

For every pod the reference decides on its snapshot, the batched scheduler schedules on its own,
and the batched choice is bound in both, so later decisions stay comparable. A divergence is a
pod the two placed differently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from batchproof.batched import BatchedScheduler, Variant, VirtualClock
from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.objects import Pod
from batchproof.model.profiles import Profile
from batchproof.model.scheduling import Decision
from batchproof.reference import ReferenceScheduler


@dataclass(frozen=True, slots=True)
class Divergence:
    """One pod placed differently by the two schedulers."""

    pod: str
    reference_node: str | None
    batched_node: str | None
    reference_scores: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        """The CLI's divergence record."""
        return {
            "pod": self.pod,
            "reference_node": self.reference_node,
            "batched_node": self.batched_node,
            "reference_scores": dict(sorted(self.reference_scores.items())),
        }


@dataclass(slots=True)
class LockstepRun:
    """Both schedulers' decisions, pod by pod, and the divergences."""

    reference: list[Decision] = field(default_factory=list)
    batched: list[Decision] = field(default_factory=list)
    divergences: list[Divergence] = field(default_factory=list)
    metrics: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BatchingOptions:
    """How the batched side runs: variant, batch age and the virtual time between pods."""

    variant: Variant = "g3"
    max_batch_age: float = 0.5
    pod_interval: float = 0.001


def make_batched(profile: Profile, snapshot: Snapshot, options: BatchingOptions, clock: VirtualClock) -> BatchedScheduler:
    """A batched scheduler for ``profile`` on ``snapshot``."""
    return BatchedScheduler(
        profile.build(),
        snapshot,
        clock=clock,
        variant=options.variant,
        max_batch_age=options.max_batch_age,
        percentage_of_nodes_to_score=profile.percentage_of_nodes_to_score,
    )


def run_lockstep(profile: Profile, snapshot: Snapshot, pods: Iterable[Pod], options: BatchingOptions) -> LockstepRun:
    """Schedule ``pods`` in order with both schedulers (``snapshot`` is cloned, not changed)."""
    clock = VirtualClock()
    reference = ReferenceScheduler(
        profile.build(), snapshot.clone(), percentage_of_nodes_to_score=profile.percentage_of_nodes_to_score
    )
    batched = make_batched(profile, snapshot.clone(), options, clock)
    run = LockstepRun()
    for pod in pods:
        ours = reference.decide(pod)
        theirs = batched.schedule_one(pod)
        if theirs.node is not None:
            reference.snapshot.bind(replace(pod, node_name=theirs.node, nominated_node_name=""), theirs.node)
        run.reference.append(ours)
        run.batched.append(theirs)
        if ours.node != theirs.node:
            run.divergences.append(Divergence(pod.key, ours.node, theirs.node, ours.total_scores()))
        clock.advance(options.pod_interval)
    run.metrics = batched.metrics()
    return run
