"""NodeResourcesFit: the node must have room for the pod's requests; scored by a strategy.

pkg/scheduler/framework/plugins/noderesources/fit.go (PreFilter, Filter, PreScore, Score,
SignPod); strategies in least_allocated.go, most_allocated.go, requested_to_capacity_ratio.go.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import PluginContext, PreFilterResult, SignFragment
from batchproof.model.framework.status import SUCCESS, Status, error, unresolvable
from batchproof.model.objects import Pod
from batchproof.model.plugins.noderesources.allocation import ResourceAllocationScorer
from batchproof.model.plugins.noderesources.args import (
    DEFAULT_FIT_ARGS,
    LEAST_ALLOCATED,
    MOST_ALLOCATED,
    FitArgs,
    ScoringStrategy,
    parse_fit_args,
)
from batchproof.model.plugins.noderesources.fit_filter import (
    RESTARTABLE_INIT_REASON,
    filter_status,
    fits_request,
    has_restartable_init_container,
    pod_resource_request,
)
from batchproof.model.plugins.noderesources.scorers import (
    Scorer,
    least_resource_scorer,
    most_resource_scorer,
    requested_to_capacity_ratio_scorer,
)
from batchproof.model.plugins.noderesources.signing import sign_fit
from batchproof.model.plugins.registry import PluginInfo
from batchproof.model.resources import Resource

NAME = "NodeResourcesFit"
PRE_FILTER_STATE_KEY = "PreFilter" + NAME
PRE_SCORE_STATE_KEY = "PreScore" + NAME


@dataclass(frozen=True, slots=True)
class PreFilterState:
    """The pod's aggregate request, computed once per cycle in PreFilter."""

    request: Resource


@dataclass(frozen=True, slots=True)
class PreScoreState:
    """The pod's request per configured scoring resource (non-zero defaults for cpu/memory)."""

    pod_requests: tuple[int, ...]


def strategy_scorer(strategy: ScoringStrategy) -> Scorer:
    """nodeResourceStrategyTypeMap: the scoring function of a validated strategy."""
    if strategy.type == LEAST_ALLOCATED:
        return least_resource_scorer(strategy.resources)
    if strategy.type == MOST_ALLOCATED:
        return most_resource_scorer(strategy.resources)
    return requested_to_capacity_ratio_scorer(strategy.resources, strategy.shape or ())


class NodeResourcesFit:
    """Filter on free allocatable resources; score with LeastAllocated, MostAllocated or RTCR."""

    name = NAME

    def __init__(self, args: FitArgs, context: PluginContext) -> None:
        self.args = args
        self.context = context
        self.scorer = ResourceAllocationScorer(
            name=args.scoring_strategy.type,
            resources=args.scoring_strategy.resources,
            scorer=strategy_scorer(args.scoring_strategy),
            use_requested=False,
            pod_level_resources=context.features.pod_level_resources,
        )

    def pre_filter(
        self, state: CycleState, pod: Pod, nodes: Sequence[NodeInfo]
    ) -> tuple[PreFilterResult | None, Status]:
        """Reject sidecar pods when SidecarContainers is off; store the pod's aggregate request."""
        features = self.context.features
        if not features.sidecar_containers and has_restartable_init_container(pod):
            return None, unresolvable(RESTARTABLE_INIT_REASON)
        request = pod_resource_request(pod, pod_level_resources=features.pod_level_resources)
        state.write(PRE_FILTER_STATE_KEY, PreFilterState(request))
        return None, SUCCESS

    def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        """Every insufficient resource as a reason; Error when PreFilter did not run."""
        data = state.read(PRE_FILTER_STATE_KEY)
        if not isinstance(data, PreFilterState):
            return error(f'error reading "{PRE_FILTER_STATE_KEY}" from cycleState: not found')
        insufficient = fits_request(
            data.request,
            node_info,
            ignored_resources=self.args.ignored_resources,
            ignored_resource_groups=self.args.ignored_resource_groups,
        )
        return filter_status(insufficient)

    def pre_score(self, state: CycleState, pod: Pod, nodes: Sequence[NodeInfo]) -> Status:
        """Store the pod's request list for the configured resources."""
        state.write(PRE_SCORE_STATE_KEY, PreScoreState(self.scorer.pod_request_list(pod)))
        return SUCCESS

    def score(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> tuple[int, Status]:
        """Return the strategy's raw score (recomputing the requests when PreScore did not run)."""
        data = state.read(PRE_SCORE_STATE_KEY)
        requests = data.pod_requests if isinstance(data, PreScoreState) else self.scorer.pod_request_list(pod)
        return self.scorer.score(node_info, requests)

    def sign_pod(self, pod: Pod) -> tuple[tuple[SignFragment, ...] | None, Status]:
        """Sign the aggregate request (plus non-zero cpu/memory and sidecar presence when strict)."""
        return sign_fit(pod, self.context.features, self.context.signers)


def _factory(args: Mapping[str, Any], context: PluginContext) -> NodeResourcesFit:
    return NodeResourcesFit(parse_fit_args(args, NAME), context)


PLUGIN = PluginInfo(NAME, _factory, DEFAULT_FIT_ARGS)
