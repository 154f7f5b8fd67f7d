"""Run the reference and batched schedulers in lockstep on identical snapshots.

For every pod: the scenario's events due before it are applied to both snapshots (and the
batched scheduler's clock); the reference decides on its snapshot; the batched scheduler
schedules on its own; the batched choice is checked against the full Filter set (safety) and
bound in both, so later decisions stay comparable. Each decision pair is compared strictly
(same node), tie-aware (the batched node is among the reference's best) and by regret.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from batchproof.batched import BatchedScheduler, Variant, VirtualClock
from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.runtime import Framework
from batchproof.model.objects import Pod
from batchproof.model.plugins.registry import DEFAULT_REGISTRY
from batchproof.model.profiles import Profile
from batchproof.model.scheduling import Decision
from batchproof.properties.events import Event, apply_event
from batchproof.properties.world import Cluster
from batchproof.reference import ReferenceScheduler


@dataclass(frozen=True, slots=True)
class BatchingOptions:
    """How the batched side runs: variant, batch age and the virtual time between pods."""

    variant: Variant = "g3"
    max_batch_age: float = 0.5
    pod_interval: float = 0.001


@dataclass(frozen=True, slots=True)
class Scenario:
    """Everything a lockstep run needs, as a value (its repr pastes back as code)."""

    cluster: Cluster
    pods: tuple[Pod, ...]
    profiles: tuple[Profile, ...]
    events: tuple[tuple[int, Event], ...] = ()
    options: BatchingOptions = BatchingOptions()

    def with_options(self, **changes: Any) -> Scenario:
        """The same scenario with other batching options."""
        return replace(self, options=replace(self.options, **changes))

    def with_profiles(self, profiles: Iterable[Profile]) -> Scenario:
        """The same scenario with other profiles."""
        return replace(self, profiles=tuple(profiles))


@dataclass(frozen=True, slots=True)
class Comparison:
    """One pod's two decisions compared."""

    index: int
    pod: str
    reference_node: str | None
    batched_node: str | None
    path: str
    reference_scores: dict[str, int]
    tie: bool
    regret: int | None

    @property
    def diverged(self) -> bool:
        """Different nodes (strict comparison)."""
        return self.reference_node != self.batched_node

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
    """Both schedulers' decisions, the comparisons, safety violations and batching metrics."""

    reference: list[Decision] = field(default_factory=list)
    batched: list[Decision] = field(default_factory=list)
    comparisons: list[Comparison] = field(default_factory=list)
    unsafe: list[str] = field(default_factory=list)
    metrics: dict[str, object] = field(default_factory=dict)
    prometheus: str = ""

    @property
    def divergences(self) -> list[Comparison]:
        """Pods placed on different nodes."""
        return [c for c in self.comparisons if c.diverged]

    def stale_hints(self, max_batch_age: float) -> list[str]:
        """Hinted placements whose batch was older than ``max_batch_age`` (must never happen)."""
        return [
            f"{d.pod} hinted from a batch {d.batch_age * 1000:g}ms old"
            for d in self.batched
            if d.path == "hint" and d.batch_age is not None and d.batch_age > max_batch_age
        ]


_BUILT: dict[int, tuple[Profile, tuple[int, ...], Framework]] = {}
_BUILT_LIMIT = 64


def framework_of(profile: Profile) -> Framework:
    """``profile.build()``, reused while the same profile object names the same in-tree plugins.

    A lockstep run needs a framework per scheduler and profile, and building one is a fifth of a
    run's checks; in-tree plugins keep nothing between calls but memos checked by object
    identity, so one instance serves every run. A profile with an out-of-tree plugin, whose
    state is its own, is built afresh each time.
    """
    names = profile.plugin_names()
    if not all(DEFAULT_REGISTRY.is_in_tree(name) for name in names):
        return profile.build()
    infos = tuple(id(DEFAULT_REGISTRY.info(name)) for name in names)
    known = _BUILT.get(id(profile))
    if known is not None and known[0] is profile and known[1] == infos:
        return known[2]
    if len(_BUILT) >= _BUILT_LIMIT:
        _BUILT.clear()
    framework = profile.build()
    _BUILT[id(profile)] = (profile, infos, framework)  # holding the profile keeps its id unique
    return framework


def frameworks_for(profiles: Iterable[Profile]) -> dict[str, Framework]:
    """One framework per profile, keyed by scheduler name."""
    return {profile.scheduler_name: framework_of(profile) for profile in profiles}


def feasible(framework: Framework, snapshot: Snapshot, pod: Pod, node: str) -> bool:
    """Whether ``node`` passes PreFilter and the full Filter set for ``pod`` right now."""
    info = snapshot.get(node)
    if info is None:
        return False
    state = CycleState(snapshot)
    result, status = framework.run_pre_filter(state, pod, snapshot.node_infos())
    if not status.is_success:
        return False
    if result is not None and result.node_names is not None and node not in result.node_names:
        return False
    return framework.run_filter(state, pod, info).is_success


def compare(index: int, pod: Pod, ours: Decision, theirs: Decision) -> Comparison:
    """Strict, tie-aware and regret comparison of two decisions for one pod."""
    totals = ours.total_scores()
    best = max(totals.values(), default=None)
    tie = False
    regret: int | None = None
    if theirs.node is not None and theirs.node in totals and best is not None:
        regret = best - totals[theirs.node]
        tie = regret == 0
    elif theirs.node is not None and theirs.node == ours.node:
        regret = 0
    return Comparison(index, pod.key, ours.node, theirs.node, theirs.path, totals, tie, regret)


def run_lockstep(scenario: Scenario, *, batched_cls: type[BatchedScheduler] = BatchedScheduler) -> LockstepRun:
    """Schedule the scenario's pods in order with both schedulers.

    ``batched_cls`` lets quality tests substitute a deliberately broken batched scheduler.
    """
    clock = VirtualClock()
    percentage = scenario.profiles[0].percentage_of_nodes_to_score if scenario.profiles else None
    snapshot = scenario.cluster.snapshot(scenario.profiles[0].features if scenario.profiles else None)
    reference = ReferenceScheduler(
        frameworks_for(scenario.profiles), snapshot.clone(), percentage_of_nodes_to_score=percentage
    )
    batched = batched_cls(
        frameworks_for(scenario.profiles),
        snapshot.clone(),
        clock=clock,
        variant=scenario.options.variant,
        max_batch_age=scenario.options.max_batch_age,
        percentage_of_nodes_to_score=percentage,
    )
    due: dict[int, list[Event]] = {}
    for position, event in scenario.events:
        due.setdefault(position, []).append(event)
    run = LockstepRun()
    for index, pod in enumerate(scenario.pods):
        for event in due.get(index, ()):
            apply_event(event, reference.snapshot)
            apply_event(event, batched.snapshot, clock)
        ours = reference.decide(pod)
        framework = reference.frameworks.get(pod.scheduler_name)
        theirs = batched.schedule_one(pod)
        if theirs.node is not None:
            if framework is not None and not feasible(framework, reference.snapshot, pod, theirs.node):
                run.unsafe.append(f"{pod.key} bound to {theirs.node}, which fails the full Filter set")
            reference.snapshot.bind(replace(pod, node_name=theirs.node, nominated_node_name=""), theirs.node)
        run.reference.append(ours)
        run.batched.append(theirs)
        run.comparisons.append(compare(index, pod, ours, theirs))
        clock.advance(scenario.options.pod_interval)
    run.metrics = batched.metrics()
    run.prometheus = batched.metrics_registry.prometheus()
    return run
