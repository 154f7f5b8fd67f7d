"""NodeUnschedulable: cordoned nodes (spec.unschedulable) only for pods tolerating the unschedulable taint.

pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable.go. The PreFilter upstream
added for deferred in-place resizes (it skips the Filter for pods already on a node) is not
modelled: batchproof schedules pending pods only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import PluginContext, SignerMode, SignFragment
from batchproof.model.framework.status import SUCCESS, Status, unresolvable
from batchproof.model.objects import Pod, Taint
from batchproof.model.plugins.helpers.signers import TOLERATIONS_SIGNER, tolerations_fragment
from batchproof.model.plugins.helpers.taints import tolerations_tolerate
from batchproof.model.plugins.registry import PluginInfo

NAME = "NodeUnschedulable"
ERR_REASON_UNSCHEDULABLE = "node(s) were unschedulable"
TAINT_NODE_UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
UNSCHEDULABLE_TAINT = Taint(key=TAINT_NODE_UNSCHEDULABLE, effect="NoSchedule")


class NodeUnschedulable:
    """Filter on node.spec.unschedulable; signs the tolerations like TaintToleration.

    Strict needs nothing more: the only pod field Filter reads is ``spec.tolerations`` (whether one
    tolerates ``node.kubernetes.io/unschedulable:NoSchedule``); everything else it reads is the
    node. The value in each mode is the one TaintToleration emits under the same key, so the two
    plugins never disagree on a duplicate fragment.
    """

    name = NAME

    def __init__(self, mode: SignerMode) -> None:
        self.mode: SignerMode = mode

    def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        """Reject a cordoned node unless the pod tolerates the unschedulable taint."""
        if node_info.node.unschedulable and not tolerations_tolerate(pod.tolerations, UNSCHEDULABLE_TAINT):
            return unresolvable(ERR_REASON_UNSCHEDULABLE)
        return SUCCESS

    def sign_pod(self, pod: Pod) -> tuple[tuple[SignFragment, ...] | None, Status]:
        """TolerationsSigner (same value as TaintToleration)."""
        return (SignFragment(TOLERATIONS_SIGNER, tolerations_fragment(pod, self.mode)),), SUCCESS


def _factory(args: Mapping[str, Any], context: PluginContext) -> NodeUnschedulable:
    return NodeUnschedulable(context.signers)


PLUGIN = PluginInfo(NAME, _factory)
