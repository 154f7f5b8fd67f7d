"""NodeResourcesBalancedAllocation: favour nodes whose resource fractions stay balanced.

pkg/scheduler/framework/plugins/noderesources/balanced_allocation.go (balance-delta scoring:
the score rewards how much placing the pod improves the node's balance).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import PluginContext, SignFragment
from batchproof.model.framework.status import SUCCESS, Status, skip
from batchproof.model.objects import Pod
from batchproof.model.plugins.noderesources.allocation import ResourceAllocationScorer, is_best_effort
from batchproof.model.plugins.noderesources.args import DEFAULT_BALANCED_ARGS, ResourceSpec, parse_balanced_args
from batchproof.model.plugins.noderesources.scorers import balanced_resource_scorer
from batchproof.model.plugins.noderesources.signing import sign_balanced
from batchproof.model.plugins.registry import PluginInfo

NAME = "NodeResourcesBalancedAllocation"
PRE_SCORE_STATE_KEY = "PreScore" + NAME


@dataclass(frozen=True, slots=True)
class PreScoreState:
    """The pod's actual request per configured resource."""

    pod_requests: tuple[int, ...]


class BalancedAllocation:
    """Score by the change in resource-fraction balance; skip pods requesting nothing configured."""

    name = NAME

    def __init__(self, resources: tuple[ResourceSpec, ...], context: PluginContext) -> None:
        self.context = context
        self.scorer = ResourceAllocationScorer(
            name=NAME,
            resources=resources,
            scorer=balanced_resource_scorer,
            use_requested=True,
            pod_level_resources=context.features.pod_level_resources,
        )

    def pre_score(self, state: CycleState, pod: Pod, nodes: Sequence[NodeInfo]) -> Status:
        """Skip best-effort pods (kubernetes#129138); otherwise store the pod's requests."""
        requests = self.scorer.pod_request_list(pod)
        if is_best_effort(requests):
            return skip()
        state.write(PRE_SCORE_STATE_KEY, PreScoreState(requests))
        return SUCCESS

    def score(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> tuple[int, Status]:
        """Return the balance-delta score; 0 for a best-effort pod when PreScore did not run."""
        data = state.read(PRE_SCORE_STATE_KEY)
        if isinstance(data, PreScoreState):
            requests = data.pod_requests
        else:
            requests = self.scorer.pod_request_list(pod)
            if is_best_effort(requests):
                return 0, SUCCESS
        return self.scorer.score(node_info, requests)

    def sign_pod(self, pod: Pod) -> tuple[tuple[SignFragment, ...] | None, Status]:
        """Sign the aggregate request as NodeResourcesFit does (plus every request when strict)."""
        return sign_balanced(pod, self.context.features, self.context.signers)


def _factory(args: Mapping[str, Any], context: PluginContext) -> BalancedAllocation:
    return BalancedAllocation(parse_balanced_args(args, NAME), context)


PLUGIN = PluginInfo(NAME, _factory, DEFAULT_BALANCED_ARGS)
