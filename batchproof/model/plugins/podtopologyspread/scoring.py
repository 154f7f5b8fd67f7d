"""PreScore state, Score and NormalizeScore of PodTopologySpread.

pkg/scheduler/framework/plugins/podtopologyspread/scoring.go (preScoreState,
initPreScoreState, PreScore, Score, NormalizeScore, topologyNormalizingWeight, scoreForCount).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, MutableMapping, Sequence
from dataclasses import dataclass

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.framework.interfaces import MAX_NODE_SCORE
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Pod, Selecting
from batchproof.model.plugins.helpers.gomath import go_div, go_round
from batchproof.model.plugins.podtopologyspread.common import (
    LABEL_HOSTNAME,
    SCHEDULE_ANYWAY,
    RequiredNodeAffinity,
    SpreadConstraint,
    count_pods_match,
    domain_count,
    label_value,
    match_node_inclusion_policies,
    node_labels_match,
)
from batchproof.model.plugins.podtopologyspread.defaults import SpreadConfig


@dataclass(frozen=True, slots=True)
class PreScoreState:
    """preScoreState: ScheduleAnyway constraints, ignored nodes, domain counts and weights.

    ``value_counts[i]`` holds the domains of the candidate nodes only (hostname constraints are
    counted per node in Score and have no entries); the counts sum pods over *all* nodes.
    """

    constraints: tuple[SpreadConstraint, ...]
    ignored_nodes: frozenset[str]
    value_counts: tuple[FrozenDict[str, int], ...]
    normalizing_weights: tuple[float, ...]


def topology_normalizing_weight(size: int) -> float:
    """topologyNormalizingWeight: ln(size + 2)."""
    return math.log(size + 2)


def score_for_count(count: int, max_skew: int, weight: float) -> float:
    """scoreForCount: ``count * weight + (maxSkew - 1)``."""
    return count * weight + (max_skew - 1)


def compute_pre_score_state(
    pod: Pod,
    candidates: Sequence[NodeInfo],
    all_nodes: Sequence[NodeInfo],
    config: SpreadConfig,
    selecting: Iterable[Selecting],
) -> PreScoreState | None:
    """Run initPreScoreState and PreScore's counting; None when the pod has no soft constraints.

    Nodes must carry every topology key (else candidates are ignored and others not counted)
    unless the constraints are the *system* defaults, so zone-less nodes keep hostname
    spreading. A domain is counted only if some candidate node belongs to it.

    Raises:
        InvalidSelector: a constraint's labelSelector is invalid.

    """
    constraints = config.constraints_for(pod, SCHEDULE_ANYWAY, selecting)
    if not constraints:
        return None
    require_all = bool(pod.topology_spread_constraints) or not config.system_defaulted
    ignored: set[str] = set()
    counts: list[dict[str, int]] = [{} for _ in constraints]
    for info in candidates:
        labels = info.node.labels
        if require_all and not node_labels_match(labels, constraints):
            ignored.add(info.name)
            continue
        for i, constraint in enumerate(constraints):
            if constraint.topology_key != LABEL_HOSTNAME:
                counts[i].setdefault(label_value(labels, constraint.topology_key), 0)
    weights = tuple(
        topology_normalizing_weight(
            len(candidates) - len(ignored) if c.topology_key == LABEL_HOSTNAME else len(counts[i])
        )
        for i, c in enumerate(constraints)
    )
    gates = config.gates
    required = RequiredNodeAffinity(pod)
    for info in all_nodes:
        node = info.node
        if not gates.node_inclusion_policy and not required.match(node):
            continue
        if require_all and not node_labels_match(node.labels, constraints):
            continue
        for i, constraint in enumerate(constraints):
            if gates.node_inclusion_policy and not match_node_inclusion_policies(constraint, pod, node, required):
                continue
            value = label_value(node.labels, constraint.topology_key)
            if value in counts[i]:
                counts[i][value] += count_pods_match(info.pods, constraint.selector, pod.namespace)
    return PreScoreState(constraints, frozenset(ignored), tuple(FrozenDict(c) for c in counts), weights)


def score_node(state: PreScoreState, pod: Pod, info: NodeInfo) -> int:
    """Score: ``math.Round`` of the summed per-constraint scores; 0 for an ignored node.

    For ``kubernetes.io/hostname`` the count is the node's own matching pods; for other keys it
    is the count of the node's whole domain. Constraints whose key the node lacks add nothing.
    """
    if info.name in state.ignored_nodes:
        return 0
    labels = info.node.labels
    total = 0.0
    for i, constraint in enumerate(state.constraints):
        value = labels.get(constraint.topology_key)
        if value is None:
            continue
        if constraint.topology_key == LABEL_HOSTNAME:
            count = count_pods_match(info.pods, constraint.selector, pod.namespace)
        else:
            count = domain_count(state.value_counts[i], value)
        total += score_for_count(count, constraint.max_skew, state.normalizing_weights[i])
    return go_round(total)


def normalize_scores(state: PreScoreState, scores: MutableMapping[str, int]) -> None:
    """NormalizeScore: ignored nodes 0; all 100 when the maximum is 0; else 100·(max+min−s)/max."""
    considered = [score for name, score in scores.items() if name not in state.ignored_nodes]
    highest = max([0, *considered])  # upstream starts maxScore at 0
    lowest = min(considered, default=0)
    for name, score in scores.items():
        if name in state.ignored_nodes:
            scores[name] = 0
        elif highest == 0:
            scores[name] = MAX_NODE_SCORE
        else:
            scores[name] = go_div(MAX_NODE_SCORE * (highest + lowest - score), highest)
