"""NodeName: the pod runs only on ``spec.nodeName`` when it is set.

pkg/scheduler/framework/plugins/nodename/node_name.go.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import PluginContext, SignFragment
from batchproof.model.framework.status import SUCCESS, Status, unresolvable
from batchproof.model.objects import Pod
from batchproof.model.plugins.registry import PluginInfo

NAME = "NodeName"
ERR_REASON = "node(s) didn't match the requested node name"
NODE_NAME_SIGNER = "v1.Pod.Spec.NodeName"


class NodeName:
    """Filter on spec.nodeName; signs spec.nodeName (both signer modes sign all it reads)."""

    name = NAME

    def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        """Pass when the pod names no node or names this one."""
        if not pod.node_name or pod.node_name == node_info.name:
            return SUCCESS
        return unresolvable(ERR_REASON)

    def sign_pod(self, pod: Pod) -> tuple[tuple[SignFragment, ...] | None, Status]:
        """The NodeName fragment."""
        return (SignFragment(NODE_NAME_SIGNER, pod.node_name),), SUCCESS


def _factory(args: Mapping[str, Any], context: PluginContext) -> NodeName:
    return NodeName()


PLUGIN = PluginInfo(NAME, _factory)
