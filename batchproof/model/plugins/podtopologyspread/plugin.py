"""The PodTopologySpread plugin object: extension points and SignPod.

pkg/scheduler/framework/plugins/podtopologyspread/plugin.go (New, SignPod), filtering.go
(PreFilter, Filter) and scoring.go (PreScore, Score, NormalizeScore).
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import PluginContext, PreFilterResult, SignFragment
from batchproof.model.framework.status import SUCCESS, Status, error, skip, unschedulable
from batchproof.model.objects import Pod
from batchproof.model.plugins.helpers.labels import InvalidSelector
from batchproof.model.plugins.podtopologyspread.common import Gates
from batchproof.model.plugins.podtopologyspread.defaults import NAME, SpreadConfig, parse_args
from batchproof.model.plugins.podtopologyspread.filtering import (
    PreFilterState,
    compute_pre_filter_state,
    filter_node,
)
from batchproof.model.plugins.podtopologyspread.scoring import (
    PreScoreState,
    compute_pre_score_state,
    normalize_scores,
    score_node,
)

PRE_FILTER_STATE_KEY = "PreFilter" + NAME
PRE_SCORE_STATE_KEY = "PreScore" + NAME
NOT_SIGNABLE_OWN = "pods with topology constraints are not signable"
NOT_SIGNABLE_DEFAULT = "pods with default topology constraints are not signable"


class PodTopologySpread:
    """Spreads pods over topology domains (hard: Filter; soft: Score).

    Cross-node: a node's Filter verdict and score depend on pods on other nodes of its domain
    and on the global minimum, so SignPod refuses every pod the plugin can constrain.
    """

    name = NAME

    def __init__(self, config: SpreadConfig) -> None:
        self.config = config

    def pre_filter(
        self, state: CycleState, pod: Pod, nodes: Sequence[NodeInfo]
    ) -> tuple[PreFilterResult | None, Status]:
        """Count matching pods per domain of the DoNotSchedule constraints; Skip without any."""
        try:
            computed = compute_pre_filter_state(pod, nodes, self.config, state.snapshot.objects.selecting)
        except InvalidSelector as problem:
            return None, error(f"get constraints from pod: {problem}")
        if not computed.constraints:
            return None, skip()
        state.write(PRE_FILTER_STATE_KEY, computed)
        return None, SUCCESS

    def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        """Reject a node that lacks a key or would exceed maxSkew; Error without PreFilter state."""
        computed: PreFilterState | None = state.read(PRE_FILTER_STATE_KEY)
        if computed is None:
            return error(f'reading "{PRE_FILTER_STATE_KEY}" from cycleState: not found')
        if not computed.constraints:
            return SUCCESS
        return filter_node(computed, pod, node_info)

    def pre_score(self, state: CycleState, pod: Pod, nodes: Sequence[NodeInfo]) -> Status:
        """Build the scoring state over the candidates; Skip without soft constraints or nodes."""
        all_nodes = state.snapshot.node_infos()
        if not all_nodes:
            return skip()
        try:
            computed = compute_pre_score_state(pod, nodes, all_nodes, self.config, state.snapshot.objects.selecting)
        except InvalidSelector as problem:
            return error(f"calculating preScoreState: {problem}")
        if computed is None:
            return skip()
        state.write(PRE_SCORE_STATE_KEY, computed)
        return SUCCESS

    def score(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> tuple[int, Status]:
        """Return the weighted matching-pod count of the node's domains (lower is better)."""
        computed: PreScoreState | None = state.read(PRE_SCORE_STATE_KEY)
        if computed is None:
            return 0, error(f'error reading "{PRE_SCORE_STATE_KEY}" from cycleState: not found')
        return score_node(computed, pod, node_info), SUCCESS

    def normalize_score(self, state: CycleState, pod: Pod, scores: MutableMapping[str, int]) -> Status:
        """Reverse and scale: fewer matching pods gives a higher score; ignored nodes get 0."""
        computed: PreScoreState | None = state.read(PRE_SCORE_STATE_KEY)
        if computed is None:
            return error(f'error reading "{PRE_SCORE_STATE_KEY}" from cycleState: not found')
        normalize_scores(computed, scores)
        return SUCCESS

    def sign_pod(self, pod: Pod) -> tuple[tuple[SignFragment, ...] | None, Status]:
        """Unsignable with constraints of its own or any default constraints; else no fragments.

        Both signer modes behave alike, and the strict mode is complete: a signable pod has no
        ``topologySpreadConstraints`` and the plugin has no default constraints, so
        ``getConstraints`` and ``initPreScoreState`` yield no constraints for *any* such pod on
        *any* cluster. PreFilter and PreScore then return Skip, which the framework treats as
        Success on every node and no score, and Filter with its (empty) state returns Success.
        Filter and Score are constant over signable pods, so no fragment is needed.
        """
        if pod.topology_spread_constraints:
            return None, unschedulable(NOT_SIGNABLE_OWN)
        if self.config.default_constraints:
            return None, unschedulable(NOT_SIGNABLE_DEFAULT)
        return None, SUCCESS  # upstream returns (nil, nil): signable, contributing no fragment


def new_plugin(args: Mapping[str, Any], context: PluginContext) -> PodTopologySpread:
    """plugin.go New: validate the args and read the feature gates.

    Raises:
        ConfigError: invalid args, naming the plugin and field path.

    """
    gates = Gates(
        node_inclusion_policy=context.features.node_inclusion_policy_in_pod_topology_spread,
        match_label_keys=context.features.match_label_keys_in_pod_topology_spread,
    )
    return PodTopologySpread(SpreadConfig.from_args(parse_args(args), gates))
