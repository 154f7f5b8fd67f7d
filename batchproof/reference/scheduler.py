"""The plain scheduler: the full pipeline for every pod, the oracle batchproof compares against.

Per pod: PreFilter; the nominated node first if the pod has one; Filter on every node (or the
upstream sampling window when sampling is on); PreScore, Score, NormalizeScore and weights over
the feasible nodes; the best node by the shared ranking; bind into the snapshot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.runtime import Framework, NodePluginScores
from batchproof.model.framework.status import Status, unresolvable, unschedulable
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Pod
from batchproof.model.queue import gated_status, no_profile_status
from batchproof.model.scheduling import Decision, find_nodes_that_pass_filters, rank

NO_NODES = "no nodes available to schedule pods"


class ReferenceScheduler:
    """Full pipeline, deterministic tie-break (total score desc, node name asc)."""

    name = "reference"

    def __init__(
        self,
        frameworks: Framework | Mapping[str, Framework],
        snapshot: Snapshot,
        *,
        percentage_of_nodes_to_score: int | None = 100,
    ) -> None:
        if isinstance(frameworks, Framework):
            frameworks = {frameworks.scheduler_name: frameworks}
        self.frameworks = dict(frameworks)
        self.snapshot = snapshot
        self.percentage_of_nodes_to_score = percentage_of_nodes_to_score
        self.next_start_node_index = 0

    def metrics(self) -> dict[str, object]:
        """The reference scheduler keeps no batching metrics."""
        return {}

    def schedule_one(self, pod: Pod) -> Decision:
        """Schedule one pod and bind it when a node is found."""
        decision = self.decide(pod)
        if decision.node is not None:
            self.snapshot.bind(replace(pod, node_name=decision.node, nominated_node_name=""), decision.node)
        return decision

    def decide(self, pod: Pod) -> Decision:
        """The decision for ``pod`` against the current snapshot, without binding."""
        gated = gated_status(pod)
        if gated is not None:
            return Decision(pod.key, None, status=gated)  # PreEnqueue: never enters activeQ
        framework = self.frameworks.get(pod.scheduler_name)
        if framework is None:
            return Decision(pod.key, None, status=no_profile_status(pod))
        nodes = self.snapshot.node_infos()
        if not nodes:
            return Decision(pod.key, None, status=unresolvable(NO_NODES))
        state = CycleState(self.snapshot)
        result, status = framework.run_pre_filter(state, pod, nodes)
        if not status.is_success:
            return Decision(pod.key, None, status=status)
        if pod.nominated_node_name:
            nominated = self.snapshot.get(pod.nominated_node_name)
            if nominated is not None:
                verdict = framework.run_filter(state, pod, nominated)
                if verdict.is_success:
                    return Decision(
                        pod.key, nominated.name, path="nominated", filter_statuses=FrozenDict({nominated.name: verdict})
                    )
        passed = find_nodes_that_pass_filters(
            framework,
            state,
            pod,
            nodes,
            pre_filter_result=result,
            start_index=self.next_start_node_index,
            percentage_of_nodes_to_score=self.percentage_of_nodes_to_score,
        )
        self.next_start_node_index = passed.next_start_index
        feasible, statuses = passed.feasible, passed.statuses
        if passed.error is not None:
            return Decision(pod.key, None, status=passed.error, filter_statuses=FrozenDict(statuses))
        if not feasible:
            reason = f"0/{len(self.snapshot)} nodes are available"
            return Decision(pod.key, None, status=unschedulable(reason), filter_statuses=FrozenDict(statuses))
        if len(feasible) == 1:
            return Decision(pod.key, feasible[0].name, filter_statuses=FrozenDict(statuses))
        scores, score_status = self._score(framework, state, pod, feasible)
        if not score_status.is_success:
            return Decision(pod.key, None, status=score_status, filter_statuses=FrozenDict(statuses))
        ranked = rank(scores)
        return Decision(pod.key, ranked[0].name, filter_statuses=FrozenDict(statuses), scores=tuple(ranked))

    def _score(
        self, framework: Framework, state: CycleState, pod: Pod, feasible: list[NodeInfo]
    ) -> tuple[list[NodePluginScores], Status]:
        status = framework.run_pre_score(state, pod, feasible)
        if not status.is_success:
            return [], status
        return framework.run_score(state, pod, feasible)
