"""What both schedulers share: the Decision record, the node ranking, sampling and the protocol.

``reference`` and ``batched`` never import each other; they meet here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import PreFilterResult
from batchproof.model.framework.runtime import Framework, NodePluginScores
from batchproof.model.framework.status import Code, Status
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Pod

Path = Literal["full", "hint", "nominated"]
MIN_FEASIBLE_NODES_TO_FIND = 100
MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5
DEFAULT_PERCENTAGE_OF_NODES_TO_SCORE = 0


@dataclass(frozen=True, slots=True)
class Decision:
    """One pod's scheduling outcome with the evidence behind it."""

    pod: str
    node: str | None
    path: Path = "full"
    status: Status = field(default_factory=Status)
    filter_statuses: FrozenDict[str, Status] = field(default_factory=FrozenDict)
    scores: tuple[NodePluginScores, ...] = ()
    signature: bytes | None = None
    flush_reason: str | None = None
    store_result: str | None = None
    attempt_result: str | None = None
    rescored: bool = False
    batch_age: float | None = None

    def total_scores(self) -> dict[str, int]:
        """Node name to total weighted score, for the nodes that were scored."""
        return {s.name: s.total_score for s in self.scores}


def ranking_key(scores: NodePluginScores) -> tuple[int, str]:
    """The shared total order: total score descending, then node name ascending."""
    return (-scores.total_score, scores.name)


def rank(nodes: Sequence[NodePluginScores]) -> list[NodePluginScores]:
    """Nodes best first by :func:`ranking_key`."""
    return sorted(nodes, key=ranking_key)


def num_feasible_nodes_to_find(num_all_nodes: int, percentage: int | None) -> int:
    """NumFeasibleNodesToFind (pkg/scheduler/schedule_one.go), spec §6.4."""
    if num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND:
        return num_all_nodes
    adaptive = percentage if percentage is not None and percentage > 0 else 0
    if adaptive >= 100:
        return num_all_nodes
    if adaptive <= 0:
        adaptive = max(50 - num_all_nodes // 125, MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND)
    found = num_all_nodes * adaptive // 100
    return max(found, MIN_FEASIBLE_NODES_TO_FIND)


class Scheduler(Protocol):
    """What the harness drives: one pod at a time against an owned snapshot."""

    name: str
    snapshot: Snapshot

    def schedule_one(self, pod: Pod) -> Decision:
        """Schedule ``pod`` and bind it into the snapshot when a node was found."""

    def metrics(self) -> dict[str, object]:
        """Counters so far, in the CLI's JSON shape."""


@dataclass(frozen=True, slots=True)
class FilterPass:
    """The outcome of findNodesThatPassFilters: feasible nodes, verdicts, the next start index."""

    feasible: list[NodeInfo]
    statuses: dict[str, Status]
    next_start_index: int
    error: Status | None = None


def find_nodes_that_pass_filters(
    framework: Framework,
    state: CycleState,
    pod: Pod,
    nodes: Sequence[NodeInfo],
    *,
    start_index: int,
    percentage_of_nodes_to_score: int | None,
    pre_filter_result: PreFilterResult | None = None,
) -> FilterPass:
    """Filter nodes from ``start_index`` (wrapping), stopping at numFeasibleNodesToFind.

    schedule_one.go findNodesThatPassFilters; with no score plugins one feasible node suffices
    (spec §6.3). Only nodes in the PreFilterResult are filtered; the next start index advances
    by the number of nodes processed, modulo the number of all nodes. A Filter Error aborts the
    cycle, as upstream's error channel does.
    """
    modulus = len(nodes)
    if pre_filter_result is not None and pre_filter_result.node_names is not None:
        allowed = pre_filter_result.node_names
        nodes = [info for info in nodes if info.name in allowed]
    to_find = num_feasible_nodes_to_find(len(nodes), percentage_of_nodes_to_score)
    if not framework.score_plugins:
        to_find = 1
    feasible: list[NodeInfo] = []
    statuses: dict[str, Status] = {}
    if not nodes:
        return FilterPass(feasible, statuses, start_index % modulus if modulus else 0)
    processed = 0
    failure: Status | None = None
    for offset in range(len(nodes)):
        info = nodes[(start_index + offset) % len(nodes)]
        processed += 1
        verdict = framework.run_filter(state, pod, info)
        statuses[info.name] = verdict
        if verdict.code is Code.ERROR:
            failure = verdict
            break
        if verdict.is_success:
            feasible.append(info)
            if len(feasible) >= to_find:
                break
    return FilterPass(feasible, statuses, (start_index + processed) % modulus, failure)
