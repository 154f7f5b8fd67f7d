"""InterPodAffinity PreScore, Score and NormalizeScore (interpodaffinity/scoring.go).

PreScore builds ``topologyScore[topologyKey][value]`` from each examined existing pod on a node
with labels: the incoming pod's preferred affinity (+w) and anti-affinity (−w) matched against the
existing pod; the existing pod's required affinity (+hardPodAffinityWeight) and preferred affinity
(+w) / anti-affinity (−w) matched against the incoming pod and its namespace labels. Score sums the
entries for the node's own label values; NormalizeScore is min-max over the scored nodes.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import MAX_NODE_SCORE
from batchproof.model.framework.status import SUCCESS, Status, error, skip
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Node, Pod
from batchproof.model.plugins.interpodaffinity.terms import (
    AffinityTerm,
    PodTerms,
    WeightedAffinityTerm,
    merge_weighted_namespaces,
    namespace_labels,
    pod_terms,
)

PRE_SCORE_STATE_KEY = "PreScoreInterPodAffinity"

ScoreMap = dict[str, dict[str, int]]
_NO_LABELS: Mapping[str, str] = FrozenDict()


@dataclass(frozen=True, slots=True)
class PreScoreState:
    """preScoreState: topologyScore (read-only after PreScore)."""

    topology_score: Mapping[str, Mapping[str, int]]


@dataclass(frozen=True, slots=True)
class ScoringArgs:
    """The plugin args PreScore reads."""

    hard_pod_affinity_weight: int
    ignore_preferred_terms_of_existing_pods: bool
    match_label_keys: bool


@dataclass(frozen=True, slots=True)
class _Target:
    """The pod a term is matched against, that pod's namespace labels, and the existing pod's node."""

    pod: Pod
    ns_labels: Mapping[str, str]
    node: Node


def _process_term(scores: ScoreMap, term: AffinityTerm, weight: int, target: _Target) -> None:
    """scoreMap.processTerm: add ``weight`` at (key, node value) when the target pod matches."""
    labels = target.node.labels
    if term.matches(target.pod, target.ns_labels) and term.topology_key in labels:
        values = scores.setdefault(term.topology_key, {})
        value = labels[term.topology_key]
        values[value] = values.get(value, 0) + weight


def _process_terms(scores: ScoreMap, terms: Sequence[WeightedAffinityTerm], sign: int, target: _Target) -> None:
    for weighted in terms:
        _process_term(scores, weighted.term, weighted.weight * sign, target)


def _process_existing_pod(
    scores: ScoreMap, incoming: _Target, incoming_terms: PodTerms, existing: Pod, args: ScoringArgs
) -> None:
    """Add one existing pod's contributions (processExistingPod); ``incoming.node`` is its node."""
    node = incoming.node
    if not node.labels:
        return
    # The incoming pod's terms have their namespaceSelector merged: nsLabels are not needed.
    against_existing = _Target(existing, _NO_LABELS, node)
    _process_terms(scores, incoming_terms.preferred_affinity, 1, against_existing)
    _process_terms(scores, incoming_terms.preferred_anti_affinity, -1, against_existing)
    existing_terms = pod_terms(existing, match_label_keys=args.match_label_keys)
    if args.hard_pod_affinity_weight > 0:
        for term in existing_terms.required_affinity:
            _process_term(scores, term, args.hard_pod_affinity_weight, incoming)
    _process_terms(scores, existing_terms.preferred_affinity, 1, incoming)
    _process_terms(scores, existing_terms.preferred_anti_affinity, -1, incoming)


def _has_preferred_terms(pod: Pod) -> bool:
    affinity = pod.affinity
    if affinity is None:
        return False
    return bool(
        (affinity.pod_affinity and affinity.pod_affinity.preferred)
        or (affinity.pod_anti_affinity and affinity.pod_anti_affinity.preferred)
    )


def topology_scores(pod: Pod, state: CycleState, args: ScoringArgs) -> tuple[ScoreMap | None, Status]:
    """Compute the topologyScore PreScore stores; None with Skip or Error when it stores nothing."""
    has_constraints = _has_preferred_terms(pod)
    if args.ignore_preferred_terms_of_existing_pods and not has_constraints:
        return None, skip()
    snapshot = state.snapshot
    infos: Sequence[NodeInfo] = snapshot.node_infos() if has_constraints else snapshot.have_pods_with_affinity()
    parsed = pod_terms(pod, match_label_keys=args.match_label_keys)
    if parsed.error is not None:
        return None, error(f"failed to parse pod: {parsed.error}")
    terms = PodTerms(
        preferred_affinity=merge_weighted_namespaces(parsed.preferred_affinity, snapshot),
        preferred_anti_affinity=merge_weighted_namespaces(parsed.preferred_anti_affinity, snapshot),
    )
    ns_labels = namespace_labels(snapshot, pod.namespace)
    scores: ScoreMap = {}
    for info in infos:
        for existing in info.pods if has_constraints else info.pods_with_affinity:
            _process_existing_pod(scores, _Target(pod, ns_labels, info.node), terms, existing, args)
    if not scores:
        return None, skip()
    return scores, SUCCESS


def pre_score(state: CycleState, pod: Pod, nodes: Sequence[NodeInfo], args: ScoringArgs) -> Status:
    """PreScore: Skip with no nodes, with nothing to score, or when existing pods' terms are ignored."""
    if not nodes:
        return skip()
    scores, status = topology_scores(pod, state, args)
    if scores is not None:
        frozen = FrozenDict((key, FrozenDict(values)) for key, values in scores.items())
        state.write(PRE_SCORE_STATE_KEY, PreScoreState(frozen))
    return status


def _read_state(state: CycleState) -> PreScoreState | None:
    data = state.read(PRE_SCORE_STATE_KEY)
    return data if isinstance(data, PreScoreState) else None


def score(state: CycleState, node_info: NodeInfo) -> tuple[int, Status]:
    """Score: the sum of topologyScore entries for the node's label values."""
    data = _read_state(state)
    if data is None:
        return 0, error(f'failed to read "{PRE_SCORE_STATE_KEY}" from cycleState: not found')
    labels = node_info.node.labels
    total = 0
    for key, values in data.topology_score.items():
        if key in labels:
            total += values.get(labels[key], 0)
    return total, SUCCESS


def normalize_score(state: CycleState, scores: MutableMapping[str, int]) -> Status:
    """NormalizeScore: int64(MaxNodeScore * (float64(s-min) / float64(max-min))); all 0 if max == min."""
    data = _read_state(state)
    if data is None:
        return error(f'failed to read "{PRE_SCORE_STATE_KEY}" from cycleState: not found')
    if not data.topology_score or not scores:
        return SUCCESS
    lowest = min(scores.values())
    spread = max(scores.values()) - lowest
    for name, value in scores.items():
        # Same float operation order as upstream: the ratio first, then the multiplication.
        scores[name] = int(float(MAX_NODE_SCORE) * (float(value - lowest) / float(spread))) if spread > 0 else 0
    return SUCCESS
