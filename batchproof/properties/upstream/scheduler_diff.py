"""Scheduler-level diff: the model's schedulers against upstream's real scheduling cycle.

Two comparisons per scenario (pods, events, batching options):

- *reference vs upstream with batching off*: the reference decides each pod on its snapshot, then
  upstream's choice is bound into that snapshot, so a tie upstream breaks another way (heap
  position, not node name; oracle/PROTOCOL.md) costs only that pod's strict equality;
- *batched (g3) vs upstream with batching on*: pod by pod, the node (up to ties), the hinted
  flag, the flush reason, the store result and the rescore; the batch state is the scheduler's
  own, so the comparison stops at the first pod placed differently (a tie, or a disagreement);
  the metric counters are compared when every pod was.

Differences between the model and v1.37.2 that are written down in the README ("Model and
Kubernetes: known differences") are counted under ``known`` instead of failing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from batchproof.model.manifests.encode import dump_manifests
from batchproof.model.scheduling import Decision
from batchproof.properties.events import ClockJump, Event, NodeAddition, NodeRemoval, NodeUpdate, apply_event
from batchproof.properties.lockstep import Scenario, frameworks_for, run_lockstep
from batchproof.reference import ReferenceScheduler
from batchproof.upstream.client import Oracle
from batchproof.upstream.encode import config_document
from batchproof.upstream.schedule import ScheduleEvent, UpstreamPlacement, UpstreamSchedule, schedule

# Known differences (README "Model and Kubernetes: known differences").
KNOWN_TIE = "tie"  # upstream breaks equal totals by heap position, the model by node name
KNOWN_KEPT_STATE = "flushed-state-kept"  # v1.37.2 logUnusableState counts but keeps the state
KNOWN_STORE_PRECEDENCE = "store-precedence"  # v1.37.2: empty_list before pod_not_batchable
KNOWN_STORE_METRIC = "store-metric"  # v1.37.2 counts empty_list/pod_not_batchable as flushes
STORE_FLUSHES = ("empty_list", "pod_not_batchable")


def upstream_events(events: Iterable[tuple[int, Event]]) -> tuple[ScheduleEvent, ...]:
    """The harness's events as the oracle's."""
    out: list[ScheduleEvent] = []
    for before, event in events:
        if isinstance(event, ClockJump):
            out.append(ScheduleEvent(before, "clockAdvance", seconds=event.seconds))
        elif isinstance(event, NodeUpdate):
            out.append(ScheduleEvent(before, "nodeUpdate", node=event.node))
        elif isinstance(event, NodeAddition):
            out.append(ScheduleEvent(before, "nodeAddition", node=event.node))
        elif isinstance(event, NodeRemoval):
            out.append(ScheduleEvent(before, "nodeRemoval", name=event.name))
        else:
            out.append(ScheduleEvent(before, "podDeletion", name=event.pod))
    return tuple(out)


def run_upstream(oracle: Oracle, scenario: Scenario, *, batching: bool) -> UpstreamSchedule:
    """The scenario through upstream's cycle, batching on or off."""
    return schedule(
        oracle,
        profiles=scenario.profiles,
        nodes=scenario.cluster.nodes,
        existing=scenario.cluster.existing,
        objects=scenario.cluster.objects,
        queue=scenario.pods,
        events=upstream_events(scenario.events),
        batching=batching,
        max_batch_age=scenario.options.max_batch_age,
        pod_interval=scenario.options.pod_interval,
    )


@dataclass(frozen=True, slots=True)
class SchedulerDisagreement:
    """One aspect of one pod (or the run's metrics) on which the model and upstream differ."""

    side: str  # "reference" (batching off) or "batched" (batching on)
    pod: str
    aspect: str  # placed, node, hinted, flush_reason, store_result, rescored, metrics
    model: Any
    upstream: Any

    def to_json(self) -> dict[str, Any]:
        """The report's record."""
        return {
            "side": self.side,
            "pod": self.pod,
            "aspect": self.aspect,
            "model": self.model,
            "upstream": self.upstream,
        }


@dataclass(frozen=True, slots=True)
class SideResult:
    """One side of a scenario: pods compared, known differences met and disagreements."""

    pods: int
    known: tuple[str, ...] = ()
    disagreements: tuple[SchedulerDisagreement, ...] = ()
    stopped_at_tie: bool = False


def _tied(ours: Decision, theirs: UpstreamPlacement) -> bool:
    """Both nodes share the best total, by the model's scores or by upstream's tied set."""
    if ours.node is None or theirs.node is None:
        return False
    totals = ours.total_scores()
    if theirs.node in totals and ours.node in totals and totals[theirs.node] == totals[ours.node]:
        return True
    return theirs.tied is not None and ours.node in theirs.tied


def diff_reference(scenario: Scenario, upstream: UpstreamSchedule) -> SideResult:
    """Reference vs upstream with batching off, upstream's choices bound into the reference snapshot."""
    features = scenario.profiles[0].features if scenario.profiles else None
    percentage = scenario.profiles[0].percentage_of_nodes_to_score if scenario.profiles else None
    reference = ReferenceScheduler(
        frameworks_for(scenario.profiles), scenario.cluster.snapshot(features), percentage_of_nodes_to_score=percentage
    )
    due: dict[int, list[Event]] = {}
    for position, event in scenario.events:
        due.setdefault(position, []).append(event)
    known: list[str] = []
    found: list[SchedulerDisagreement] = []
    for index, (pod, theirs) in enumerate(zip(scenario.pods, upstream.placements, strict=True)):
        for event in due.get(index, ()):
            apply_event(event, reference.snapshot)
        ours = reference.decide(pod)
        if (ours.node is None) != (theirs.node is None):
            found.append(SchedulerDisagreement("reference", pod.key, "placed", ours.node, theirs.node))
        elif ours.node != theirs.node:
            if _tied(ours, theirs):
                known.append(KNOWN_TIE)
            else:
                found.append(SchedulerDisagreement("reference", pod.key, "node", ours.node, theirs.node))
        if theirs.node is not None:
            reference.snapshot.bind(replace(pod, node_name=theirs.node, nominated_node_name=""), theirs.node)
    return SideResult(len(scenario.pods), tuple(known), tuple(found))


def _stored(metrics: dict[str, Any]) -> dict[str, int]:
    stored: dict[str, int] = metrics.get("store_schedule_results_total") or {}
    return stored


def _model_counters_as_upstream(metrics: dict[str, Any], kept_state_flushes: int, precedence: int) -> dict[str, Any]:
    """The model's counters in v1.37.2's shape.

    Store results become flushes (``precedence`` of them ``empty_list`` where the model says
    ``pod_not_batchable``) and the kept-state ``pod_skipped`` flushes are added.
    """
    flushed: Counter[str] = Counter({k: v for k, v in metrics["batch_cache_flushed_total"].items() if v})
    for reason in STORE_FLUSHES:
        flushed[reason] += _stored(metrics).get(reason, 0)
    flushed["pod_skipped"] += kept_state_flushes
    flushed["pod_not_batchable"] -= precedence
    flushed["empty_list"] += precedence
    return {
        "batch_attempts_total": {k: v for k, v in sorted(metrics["batch_attempts_total"].items()) if v},
        "batch_cache_flushed_total": {k: v for k, v in sorted(flushed.items()) if v},
        "batch_rescore_attempts_total": metrics["batch_rescore_attempts_total"],
    }


def diff_batched(scenario: Scenario, upstream: UpstreamSchedule) -> SideResult:
    """The batched model (the scenario's variant) vs upstream with batching on."""
    run = run_lockstep(scenario)
    known: list[str] = []
    found: list[SchedulerDisagreement] = []
    compared = 0
    kept_state = 0
    precedence = 0
    previous_failed = False
    for ours, theirs in zip(run.batched, upstream.placements, strict=True):
        compared += 1
        pod = ours.pod

        def differ(aspect: str, model: Any, real: Any, pod: str = pod) -> None:
            found.append(SchedulerDisagreement("batched", pod, aspect, model, real))

        hint_tie = theirs.hint_tied is not None and len(theirs.hint_tied) > 1
        if hint_tie and ((ours.path == "hint") != theirs.hinted or ours.node != theirs.node):
            # The batch heap's top was tied: the model popped by name, upstream by heap position.
            known.append(KNOWN_TIE)
            return SideResult(compared, tuple(known), tuple(found), stopped_at_tie=True)
        if (ours.path == "hint") != theirs.hinted:
            differ("hinted", ours.path == "hint", theirs.hinted)
        if ours.flush_reason != theirs.flush_reason:
            if ours.flush_reason is None and theirs.flush_reason == "pod_skipped" and previous_failed:
                known.append(KNOWN_KEPT_STATE)
                kept_state += 1
            else:
                differ("flush_reason", ours.flush_reason, theirs.flush_reason)
        if ours.store_result != theirs.store_result:
            if (ours.store_result, theirs.store_result) == ("pod_not_batchable", "empty_list"):
                known.append(KNOWN_STORE_PRECEDENCE)
                precedence += 1
            else:
                differ("store_result", ours.store_result, theirs.store_result)
        if ours.rescored != theirs.rescored:
            differ("rescored", ours.rescored, theirs.rescored)
        if (ours.node is None) != (theirs.node is None):
            differ("placed", ours.node, theirs.node)
            break
        if ours.node != theirs.node:
            if _tied(ours, theirs):
                known.append(KNOWN_TIE)
                return SideResult(compared, tuple(known), tuple(found), stopped_at_tie=True)
            differ("node", ours.node, theirs.node)
            break
        previous_failed = ours.node is None
    else:
        model = _model_counters_as_upstream(run.metrics, kept_state, precedence)
        real = {
            "batch_attempts_total": dict(sorted(upstream.metrics["batch_attempts_total"].items())),
            "batch_cache_flushed_total": dict(sorted(upstream.metrics["batch_cache_flushed_total"].items())),
            "batch_rescore_attempts_total": upstream.metrics["batch_rescore_attempts_total"],
        }
        if model != real:
            found.append(SchedulerDisagreement("batched", "<metrics>", "metrics", model, real))
        elif any(_stored(run.metrics).get(r, 0) for r in STORE_FLUSHES):
            known.append(KNOWN_STORE_METRIC)
    return SideResult(compared, tuple(known), tuple(found))


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """Both sides of one scenario."""

    reference: SideResult
    batched: SideResult

    @property
    def disagreements(self) -> tuple[SchedulerDisagreement, ...]:
        """Every disagreement of both sides."""
        return self.reference.disagreements + self.batched.disagreements


def diff_scenario(oracle: Oracle, scenario: Scenario) -> ScenarioResult:
    """Run the scenario on upstream with batching off and on, and compare both model schedulers.

    Raises:
        OracleError: the oracle failed.

    """
    off = run_upstream(oracle, scenario, batching=False)
    on = run_upstream(oracle, scenario, batching=True)
    return ScenarioResult(diff_reference(scenario, off), diff_batched(scenario, on))


@dataclass(slots=True)
class SchedulerDiffReport:
    """Scenarios and pods compared, known differences met, disagreements with reproducers."""

    cases: int = 0
    pods: int = 0
    batched_pods: int = 0
    stopped_at_tie: int = 0
    known: Counter[str] = field(default_factory=Counter)
    disagreements: list[dict[str, Any]] = field(default_factory=list)

    def add(self, result: ScenarioResult, reproducer: Callable[[SchedulerDisagreement], Path] | None) -> None:
        """Count one scenario's result."""
        self.cases += 1
        self.pods += result.reference.pods
        self.batched_pods += result.batched.pods
        self.stopped_at_tie += result.batched.stopped_at_tie
        self.known.update(result.reference.known + result.batched.known)
        for item in result.disagreements:
            entry = item.to_json()
            if reproducer is not None:
                entry["reproducer"] = str(reproducer(item))
            self.disagreements.append(entry)

    def to_json(self) -> dict[str, Any]:
        """The ``upstream diff --level scheduler --format json`` document."""
        return {
            "level": "scheduler",
            "cases": self.cases,
            "pods": self.pods,
            "batched_pods": self.batched_pods,
            "stopped_at_tie": self.stopped_at_tie,
            "known": dict(sorted(self.known.items())),
            "disagreements": self.disagreements,
        }


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:60]


def write_scenario_reproducer(root: Path, scenario: Scenario, item: SchedulerDisagreement) -> Path:
    """A directory with the scenario's manifests, its events, the config and the replay command."""
    digest = hashlib.sha256(repr((scenario, item)).encode()).hexdigest()[:8]
    target = root / f"scheduler--{item.side}--{_slug(item.aspect)}-{digest}"
    target.mkdir(parents=True, exist_ok=True)
    cluster = scenario.cluster
    dump_manifests(scenario.pods, target / "pods.yaml")
    dump_manifests(cluster.nodes, target / "nodes.yaml")
    dump_manifests(cluster.existing, target / "existing.yaml")
    objects = cluster.objects
    dump_manifests(
        [*objects.namespaces, *objects.selecting, *objects.claims, *objects.volumes], target / "objects.yaml"
    )
    config = config_document(*scenario.profiles)
    (target / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    (target / "events.json").write_text(
        json.dumps([e.to_json() for e in upstream_events(scenario.events)], indent=2) + "\n", encoding="utf-8"
    )
    (target / "scenario.repr").write_text(repr(scenario) + "\n", encoding="utf-8")
    (target / "disagreement.json").write_text(json.dumps(item.to_json(), indent=2, default=str) + "\n", "utf-8")
    scheduler = "upstream" if item.side == "reference" else "upstream-batched"
    command = (
        f"batchproof schedule --scheduler {scheduler} --nodes {target}/nodes.yaml --pods {target}/pods.yaml "
        f"--existing-pods {target}/existing.yaml --objects {target}/objects.yaml --config {target}/config.yaml "
        f"--format json  # events.json holds the events between pods"
    )
    (target / "replay.sh").write_text(f"#!/bin/sh\n{command}\n", encoding="utf-8")
    return target
