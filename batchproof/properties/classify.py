"""Explain a divergence by re-running the scenario without each possible cause (spec §10).

Classes: ``tie`` (the batched node scores as high as the reference's choice), ``sampling``
(gone with percentageOfNodesToScore 100), ``stale-cache`` (gone without the events),
``signature-gap`` (gone with strict signers), ``normalization`` (gone when the cached list is
re-normalised on every pop), ``unexplained`` (none of these removes it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from deepdiff import DeepDiff

from batchproof.model.scheduling import Decision, num_feasible_nodes_to_find
from batchproof.properties.events import NodeAddition
from batchproof.properties.lockstep import Comparison, LockstepRun, Scenario, run_lockstep

CLASSES = ("tie", "sampling", "stale-cache", "signature-gap", "normalization", "unexplained")


@dataclass(frozen=True, slots=True)
class ClassifiedDivergence:
    """A divergence with its class and the deepdiff of the two decisions."""

    comparison: Comparison
    cls: str
    diff: dict[str, Any]


def _still_diverges(scenario: Scenario, index: int) -> bool:
    run = run_lockstep(scenario)
    return index < len(run.comparisons) and run.comparisons[index].diverged


def may_sample(scenario: Scenario) -> bool:
    """Whether a profile's filter window (numFeasibleNodesToFind) can be smaller than the cluster.

    The cluster is at its largest after every node addition the events make.
    """
    largest = len(scenario.cluster.nodes) + sum(isinstance(event, NodeAddition) for _, event in scenario.events)
    return any(num_feasible_nodes_to_find(largest, p.percentage_of_nodes_to_score) < largest for p in scenario.profiles)


def classify(scenario: Scenario, comparison: Comparison) -> str:
    """The first cause whose removal makes the divergence at this pod disappear.

    A cause that cannot apply is not tried (no re-run): sampling when no window is smaller than the
    cluster, stale-cache without events, signature-gap with strict signers only, normalization
    under ``renormalize``.
    """
    if comparison.tie:
        return "tie"
    index = comparison.index
    if may_sample(scenario):
        full = scenario.with_profiles(replace(p, percentage_of_nodes_to_score=100) for p in scenario.profiles)
        if not _still_diverges(full, index):
            return "sampling"
    if scenario.events and not _still_diverges(replace(scenario, events=()), index):
        return "stale-cache"
    if any(p.signers != "strict" for p in scenario.profiles):
        strict = scenario.with_profiles(p.with_signers("strict") for p in scenario.profiles)
        if not _still_diverges(strict, index):
            return "signature-gap"
    if scenario.options.variant != "renormalize" and not _still_diverges(
        scenario.with_options(variant="renormalize"), index
    ):
        return "normalization"
    return "unexplained"


def decision_view(decision: Decision) -> dict[str, Any]:
    """A plain-data view of a decision for diffs and reports."""
    return {
        "node": decision.node,
        "path": decision.path,
        "status": decision.status.to_json(),
        "flush_reason": decision.flush_reason,
        "store_result": decision.store_result,
        "attempt_result": decision.attempt_result,
        "scores": {
            s.name: {"total": s.total_score, "raw": dict(s.raw_scores), "weighted": dict(s.scores)}
            for s in decision.scores
        },
    }


def explain(scenario: Scenario, run: LockstepRun) -> list[ClassifiedDivergence]:
    """Every divergence of ``run`` with its class and decision diff."""
    out = []
    for comparison in run.divergences:
        ours = decision_view(run.reference[comparison.index])
        theirs = decision_view(run.batched[comparison.index])
        diff = DeepDiff(ours, theirs, verbose_level=2).to_dict()
        out.append(ClassifiedDivergence(comparison, classify(scenario, comparison), _plain(diff)))
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)
