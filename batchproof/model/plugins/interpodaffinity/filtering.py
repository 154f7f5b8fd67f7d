"""InterPodAffinity PreFilter and Filter (pkg/scheduler/framework/plugins/interpodaffinity/filtering.go).

PreFilter counts, per topology pair (topologyKey, node label value):

* existing pods whose *required anti-affinity* terms match the incoming pod (only nodes holding
  such pods are visited; the term's namespaceSelector is matched against the incoming pod's
  namespace labels);
* existing pods matching *all* of the incoming pod's required affinity terms (+1 per term);
* existing pods matching each of the incoming pod's required anti-affinity terms.

Pods with a deletionTimestamp are counted like any other: upstream filters terminating pods in
PodTopologySpread, not here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import PreFilterResult
from batchproof.model.framework.status import SUCCESS, Status, error, skip, unresolvable, unschedulable
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Node, Pod
from batchproof.model.plugins.interpodaffinity.terms import (
    AffinityTerm,
    PodTerms,
    matches_all,
    merge_namespaces,
    namespace_labels,
    pod_terms,
)

PRE_FILTER_STATE_KEY = "PreFilterInterPodAffinity"
ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't satisfy existing pods anti-affinity rules"
ERR_REASON_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules"
ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod anti-affinity rules"

TopologyPair = tuple[str, str]
TopologyCounts = dict[TopologyPair, int]
_NO_LABELS: Mapping[str, str] = FrozenDict()


@dataclass(frozen=True, slots=True)
class PreFilterState:
    """preFilterState: the incoming pod's merged terms, its namespace labels and the three counts."""

    terms: PodTerms
    namespace_labels: Mapping[str, str]
    existing_anti_affinity_counts: Mapping[TopologyPair, int]
    affinity_counts: Mapping[TopologyPair, int]
    anti_affinity_counts: Mapping[TopologyPair, int]


def _add(counts: TopologyCounts, node: Node, topology_key: str, value: int) -> None:
    """topologyToMatchedTermCount.update: count only when the node has the key."""
    if topology_key in node.labels:
        pair = (topology_key, node.labels[topology_key])
        counts[pair] = counts.get(pair, 0) + value


def existing_anti_affinity_counts(
    pod: Pod, ns_labels: Mapping[str, str], nodes: Iterable[NodeInfo], *, match_label_keys: bool
) -> TopologyCounts:
    """getExistingAntiAffinityCounts: existing pods' required anti-affinity terms matching ``pod``."""
    counts: TopologyCounts = {}
    for info in nodes:
        for existing in info.pods_with_required_anti_affinity:
            for term in pod_terms(existing, match_label_keys=match_label_keys).required_anti_affinity:
                if term.matches(pod, ns_labels):
                    _add(counts, info.node, term.topology_key, 1)
    return counts


def incoming_affinity_counts(terms: PodTerms, nodes: Iterable[NodeInfo]) -> tuple[TopologyCounts, TopologyCounts]:
    """getIncomingAffinityAntiAffinityCounts: (affinity counts, anti-affinity counts).

    An existing pod adds 1 to the pair of every required affinity term only when it matches all
    of them; it adds 1 to the pair of each required anti-affinity term it matches.
    """
    affinity: TopologyCounts = {}
    anti_affinity: TopologyCounts = {}
    if not terms.required_affinity and not terms.required_anti_affinity:
        return affinity, anti_affinity
    for info in nodes:
        for existing in info.pods:
            if matches_all(terms.required_affinity, existing):
                for term in terms.required_affinity:
                    _add(affinity, info.node, term.topology_key, 1)
            for term in terms.required_anti_affinity:
                if term.matches(existing, _NO_LABELS):
                    _add(anti_affinity, info.node, term.topology_key, 1)
    return affinity, anti_affinity


def incoming_pod_terms(pod: Pod, snapshot: Snapshot, *, match_label_keys: bool) -> PodTerms:
    """Parse the incoming pod's terms and merge its required terms' namespaceSelectors (PreFilter)."""
    terms = pod_terms(pod, match_label_keys=match_label_keys)
    return PodTerms(
        required_affinity=tuple(merge_namespaces(t, snapshot) for t in terms.required_affinity),
        required_anti_affinity=tuple(merge_namespaces(t, snapshot) for t in terms.required_anti_affinity),
        preferred_affinity=terms.preferred_affinity,
        preferred_anti_affinity=terms.preferred_anti_affinity,
        errors=terms.errors,
    )


def incoming_pod_affinity_counts(
    pod: Pod, snapshot: Snapshot, *, match_label_keys: bool = False
) -> tuple[TopologyCounts, TopologyCounts]:
    """Per topology pair, how many existing pods match the pod's required affinity / anti-affinity."""
    terms = incoming_pod_terms(pod, snapshot, match_label_keys=match_label_keys)
    return incoming_affinity_counts(terms, snapshot.node_infos())


def pre_filter(state: CycleState, pod: Pod, *, match_label_keys: bool) -> tuple[PreFilterResult | None, Status]:
    """PreFilter: parse and count; Skip when nothing can reject a node."""
    snapshot = state.snapshot
    terms = incoming_pod_terms(pod, snapshot, match_label_keys=match_label_keys)
    if terms.error is not None:
        return None, unresolvable(f"parsing pod: {terms.error}")
    ns_labels = namespace_labels(snapshot, pod.namespace)
    existing = existing_anti_affinity_counts(
        pod, ns_labels, snapshot.have_pods_with_required_anti_affinity(), match_label_keys=match_label_keys
    )
    affinity, anti_affinity = incoming_affinity_counts(terms, snapshot.node_infos())
    if not existing and not terms.required_affinity and not terms.required_anti_affinity:
        return None, skip()
    frozen = PreFilterState(terms, ns_labels, FrozenDict(existing), FrozenDict(affinity), FrozenDict(anti_affinity))
    state.write(PRE_FILTER_STATE_KEY, frozen)
    return None, SUCCESS


def _satisfies_existing_pods_anti_affinity(state: PreFilterState, node: Node) -> bool:
    counts = state.existing_anti_affinity_counts
    return not counts or all(counts.get(pair, 0) <= 0 for pair in node.labels.items())


def _satisfies_pod_anti_affinity(state: PreFilterState, node: Node) -> bool:
    counts = state.anti_affinity_counts
    if not counts:
        return True
    for term in state.terms.required_anti_affinity:
        value = node.labels.get(term.topology_key)
        if value is not None and counts.get((term.topology_key, value), 0) > 0:
            return False
    return True


def _satisfies_pod_affinity(state: PreFilterState, pod: Pod, node: Node) -> bool:
    terms: tuple[AffinityTerm, ...] = state.terms.required_affinity
    pods_exist = True
    for term in terms:
        value = node.labels.get(term.topology_key)
        if value is None:
            return False  # every topology key must exist on the node
        if state.affinity_counts.get((term.topology_key, value), 0) <= 0:
            pods_exist = False
    if pods_exist:
        return True
    # The "first pod" exception: nothing in the cluster matches yet and the pod matches itself.
    return not state.affinity_counts and matches_all(terms, pod)


def filter_node(state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
    """Filter: required affinity, then the pod's anti-affinity, then existing pods' anti-affinity."""
    data = state.read(PRE_FILTER_STATE_KEY)
    if not isinstance(data, PreFilterState):
        return error(f'error reading "{PRE_FILTER_STATE_KEY}" from cycleState: not found')
    node = node_info.node
    if not _satisfies_pod_affinity(data, pod, node):
        return unresolvable(ERR_REASON_AFFINITY_RULES_NOT_MATCH)
    if not _satisfies_pod_anti_affinity(data, node):
        return unschedulable(ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH)
    if not _satisfies_existing_pods_anti_affinity(data, node):
        return unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH)
    return SUCCESS
