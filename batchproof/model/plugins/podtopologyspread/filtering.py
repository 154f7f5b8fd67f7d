"""PreFilter state and Filter of PodTopologySpread.

pkg/scheduler/framework/plugins/podtopologyspread/filtering.go (preFilterState, criticalPaths,
calPreFilterState, minMatchNum, Filter). Counts are kept per constraint (``TpValueToMatchNum``),
as current upstream does; :meth:`PreFilterState.tp_pair_to_match_num` and friends give the older
key-indexed view (``TpKeyToDomainsNum``, ``TpPairToMatchNum``, ``TpKeyToCriticalPaths``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.framework.status import SUCCESS, Status, unresolvable, unschedulable
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Pod, Selecting
from batchproof.model.plugins.podtopologyspread.common import (
    DO_NOT_SCHEDULE,
    RequiredNodeAffinity,
    SpreadConstraint,
    count_pods_match,
    domain_count,
    match_node_inclusion_policies,
    node_labels_match,
)
from batchproof.model.plugins.podtopologyspread.defaults import SpreadConfig

ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints"
ERR_REASON_NODE_LABEL_NOT_MATCH = ERR_REASON_CONSTRAINTS_NOT_MATCH + " (missing required label)"
MAX_INT32 = 2**31 - 1


@dataclass(frozen=True, slots=True)
class CriticalPath:
    """A topology value and its number of matching pods."""

    topology_value: str
    match_num: int


CriticalPaths = tuple[CriticalPath, CriticalPath]
_INITIAL_PATHS: CriticalPaths = (CriticalPath("", MAX_INT32), CriticalPath("", MAX_INT32))


def update_critical_paths(paths: CriticalPaths, value: str, num: int) -> CriticalPaths:
    """criticalPaths.update: keep two paths, ``paths[0]`` always holding the minimum.

    ``paths[1]`` is at least ``paths[0]`` but not necessarily the second minimum.
    """
    first, second = paths
    if value in (first.topology_value, second.topology_value):
        if value == first.topology_value:
            first = CriticalPath(value, num)
        else:
            second = CriticalPath(value, num)
        return (second, first) if first.match_num > second.match_num else (first, second)
    if num < first.match_num:
        return (CriticalPath(value, num), first)
    if num < second.match_num:
        return (first, CriticalPath(value, num))
    return paths


def critical_paths_of(counts: Iterable[tuple[str, int]]) -> CriticalPaths:
    """Return the critical paths after updating the initial placeholders with every (value, count)."""
    paths = _INITIAL_PATHS
    for value, num in counts:
        paths = update_critical_paths(paths, value, num)
    return paths


@dataclass(frozen=True, slots=True)
class PreFilterState:
    """preFilterState: the DoNotSchedule constraints, per-constraint domain counts, critical paths."""

    constraints: tuple[SpreadConstraint, ...] = ()
    value_counts: tuple[FrozenDict[str, int], ...] = ()
    critical_paths: tuple[CriticalPaths, ...] = ()

    def min_match_num(self, index: int) -> int:
        """minMatchNum: the global minimum, or 0 when there are fewer domains than minDomains."""
        if len(self.value_counts[index]) < self.constraints[index].min_domains:
            return 0
        return self.critical_paths[index][0].match_num

    def tp_key_to_domains_num(self) -> dict[str, int]:
        """TpKeyToDomainsNum: the number of domains per topology key."""
        domains: dict[str, int] = {}
        for key, _ in self.tp_pair_to_match_num():
            domains[key] = domains.get(key, 0) + 1
        return domains

    def tp_pair_to_match_num(self) -> dict[tuple[str, str], int]:
        """TpPairToMatchNum: matching pods per (key, value), zero counts included."""
        return dict(self._pairs_with_counts())

    def tp_key_to_critical_paths(self) -> dict[str, CriticalPaths]:
        """TpKeyToCriticalPaths: the critical paths per topology key."""
        paths: dict[str, CriticalPaths] = dict.fromkeys(self._keys(), _INITIAL_PATHS)
        for (key, value), num in self._pairs_with_counts():
            paths[key] = update_critical_paths(paths[key], value, num)
        return paths

    def _keys(self) -> list[str]:
        return list(dict.fromkeys(c.topology_key for c in self.constraints))

    def _pairs_with_counts(self) -> list[tuple[tuple[str, str], int]]:
        merged: dict[tuple[str, str], int] = {}
        for constraint, counts in zip(self.constraints, self.value_counts, strict=True):
            for value, num in counts.items():
                pair = (constraint.topology_key, value)
                merged[pair] = merged.get(pair, 0) + num
        return list(merged.items())


def compute_pre_filter_state(
    pod: Pod, nodes: Sequence[NodeInfo], config: SpreadConfig, selecting: Iterable[Selecting]
) -> PreFilterState:
    """calPreFilterState: count matching pods per domain of every DoNotSchedule constraint.

    Only nodes with every constraint's key count. With the node-inclusion gate off, nodes must
    also pass the pod's nodeSelector and required node affinity; with it on, each constraint
    applies its own nodeAffinityPolicy and nodeTaintsPolicy.

    Raises:
        InvalidSelector: a constraint's labelSelector is invalid.

    """
    constraints = config.constraints_for(pod, DO_NOT_SCHEDULE, selecting)
    if not constraints:
        return PreFilterState()
    gates = config.gates
    required = RequiredNodeAffinity(pod)
    counts: list[dict[str, int]] = [{} for _ in constraints]
    for info in nodes:
        node = info.node
        if not gates.node_inclusion_policy and not required.match(node):
            continue
        if not node_labels_match(node.labels, constraints):
            continue
        for i, constraint in enumerate(constraints):
            if gates.node_inclusion_policy and not match_node_inclusion_policies(constraint, pod, node, required):
                continue
            value = node.labels[constraint.topology_key]
            counts[i][value] = counts[i].get(value, 0) + count_pods_match(info.pods, constraint.selector, pod.namespace)
    return PreFilterState(
        constraints,
        tuple(FrozenDict(c) for c in counts),
        tuple(critical_paths_of(c.items()) for c in counts),
    )


def filter_node(state: PreFilterState, pod: Pod, info: NodeInfo) -> Status:
    """Filter: per constraint, the node needs the key and ``count + self - globalMin <= maxSkew``."""
    labels = info.node.labels
    for i, constraint in enumerate(state.constraints):
        value = labels.get(constraint.topology_key)
        if value is None:
            return unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH)
        self_match = 1 if constraint.selector.matches(pod.labels) else 0
        skew = domain_count(state.value_counts[i], value) + self_match - state.min_match_num(i)
        if skew > constraint.max_skew:
            return unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH)
    return SUCCESS
