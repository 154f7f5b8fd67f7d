"""TaintToleration: NoSchedule/NoExecute taints must be tolerated; untolerated PreferNoSchedule taints score.

pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go. Since v1.37 the Filter reason
is the fixed "node(s) had untolerated taint(s)" (older releases named the first untolerated taint,
as the upstream test the fixtures come from still expects). Toleration matching is
v1.Toleration.ToleratesTaint (``helpers.taints``); the comparison operators of the alpha
TaintTolerationComparisonOperators gate are not modelled.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import PluginContext, SignerMode, SignFragment
from batchproof.model.framework.status import SUCCESS, Status, error, unresolvable
from batchproof.model.objects import Pod, Taint, Toleration
from batchproof.model.plugins.helpers.normalize import default_normalize_score
from batchproof.model.plugins.helpers.signers import TOLERATIONS_SIGNER, tolerations_fragment
from batchproof.model.plugins.helpers.taints import find_untolerated_taint, tolerations_tolerate
from batchproof.model.plugins.registry import PluginInfo

NAME = "TaintToleration"
PRE_SCORE_STATE_KEY = "PreScore" + NAME
DO_NOT_SCHEDULE_EFFECTS = frozenset({"NoSchedule", "NoExecute"})
PREFER_NO_SCHEDULE = "PreferNoSchedule"


# v1.37 taint_toleration.go Filter: the reason no longer names the taint.
ERR_REASON_UNTOLERATED = "node(s) had untolerated taint(s)"


def untolerated_reason(taint: Taint) -> str:
    """The Filter reason for an untolerated NoSchedule/NoExecute taint (the same for every taint)."""
    return ERR_REASON_UNTOLERATED


def prefer_no_schedule_tolerations(tolerations: Sequence[Toleration]) -> tuple[Toleration, ...]:
    """getAllTolerationPreferNoSchedule: tolerations whose effect is empty or PreferNoSchedule."""
    return tuple(t for t in tolerations if not t.effect or t.effect == PREFER_NO_SCHEDULE)


def count_intolerable_prefer_no_schedule(taints: Sequence[Taint], tolerations: Sequence[Toleration]) -> int:
    """countIntolerableTaintsPreferNoSchedule: PreferNoSchedule taints no toleration tolerates."""
    return sum(1 for t in taints if t.effect == PREFER_NO_SCHEDULE and not tolerations_tolerate(tolerations, t))


@dataclass(frozen=True, slots=True)
class PreScoreState:
    """The pod's PreferNoSchedule-relevant tolerations."""

    tolerations: tuple[Toleration, ...]


class TaintToleration:
    """Filter on NoSchedule/NoExecute taints; score by untolerated PreferNoSchedule taints (reversed).

    Both signer modes emit the tolerations, which is everything Filter and Score read. Upstream sorts
    them by (key, value) only, so equal toleration sets listed in another order may sign apart (lost
    batching, never a wrong result); strict sorts by every field.
    """

    name = NAME

    def __init__(self, mode: SignerMode) -> None:
        self.mode: SignerMode = mode

    def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        """Reject the node if a NoSchedule or NoExecute taint is not tolerated."""
        taint = find_untolerated_taint(
            node_info.node.taints, pod.tolerations, lambda t: t.effect in DO_NOT_SCHEDULE_EFFECTS
        )
        return SUCCESS if taint is None else unresolvable(untolerated_reason(taint))

    def pre_score(self, state: CycleState, pod: Pod, nodes: Sequence[NodeInfo]) -> Status:
        """Keep the tolerations that can tolerate PreferNoSchedule taints."""
        state.write(PRE_SCORE_STATE_KEY, PreScoreState(prefer_no_schedule_tolerations(pod.tolerations)))
        return SUCCESS

    def score(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> tuple[int, Status]:
        """Count intolerable PreferNoSchedule taints; Error without PreScore state, as upstream."""
        data = state.read(PRE_SCORE_STATE_KEY)
        if not isinstance(data, PreScoreState):
            return 0, error(f'failed to read "{PRE_SCORE_STATE_KEY}" from cycleState: not found')
        return count_intolerable_prefer_no_schedule(node_info.node.taints, data.tolerations), SUCCESS

    def normalize_score(self, state: CycleState, pod: Pod, scores: MutableMapping[str, int]) -> Status:
        """DefaultNormalizeScore(100, reverse=True): fewer intolerable taints score higher."""
        default_normalize_score(scores, reverse=True)
        return SUCCESS

    def sign_pod(self, pod: Pod) -> tuple[tuple[SignFragment, ...] | None, Status]:
        """TolerationsSigner."""
        return (SignFragment(TOLERATIONS_SIGNER, tolerations_fragment(pod, self.mode)),), SUCCESS


def _factory(args: Mapping[str, Any], context: PluginContext) -> TaintToleration:
    return TaintToleration(context.signers)


PLUGIN = PluginInfo(NAME, _factory)
