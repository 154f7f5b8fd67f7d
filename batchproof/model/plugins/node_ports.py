"""NodePorts: the pod's host ports must be free on the node.

pkg/scheduler/framework/plugins/nodeports/node_ports.go; the wanted ports are
pkg/scheduler/util.GetHostPorts (app containers and restartable init containers only, hostPort > 0;
an empty hostIP is 0.0.0.0 and an empty protocol TCP, as HostPortInfo.sanitize makes them).
Conflicts are NodeInfo.port_conflicts (HostPortInfo.CheckConflict).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from batchproof.model.cluster.node_info import HostPort, NodeInfo, pod_host_ports
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import PluginContext, PreFilterResult, SignerMode, SignFragment
from batchproof.model.framework.status import SUCCESS, Status, error, skip, unschedulable
from batchproof.model.objects import Pod
from batchproof.model.plugins.helpers.signers import HOST_PORTS_SIGNER, host_ports_fragment
from batchproof.model.plugins.registry import PluginInfo

NAME = "NodePorts"
PRE_FILTER_STATE_KEY = "PreFilter" + NAME
ERR_REASON = "node(s) didn't have free ports for the requested pod ports"


def wanted_host_ports(pod: Pod) -> tuple[HostPort, ...]:
    """util.GetHostPorts: host ports of restartable init containers, then of app containers."""
    return pod_host_ports(pod)


class NodePorts:
    """PreFilter (Skip without host ports) and Filter on host-port conflicts.

    Upstream signs port numbers only (spec §10.6.1): 80/TCP and 80/UDP sign alike but conflict with
    different pods. Strict signs the (hostIP, protocol, port) triples Filter checks.
    """

    name = NAME

    def __init__(self, mode: SignerMode) -> None:
        self.mode: SignerMode = mode

    def pre_filter(
        self, state: CycleState, pod: Pod, nodes: Sequence[NodeInfo]
    ) -> tuple[PreFilterResult | None, Status]:
        """Store the wanted ports; Skip when there are none."""
        ports = wanted_host_ports(pod)
        if not ports:
            return None, skip()
        state.write(PRE_FILTER_STATE_KEY, ports)
        return None, SUCCESS

    def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        """Unschedulable if any wanted port conflicts; Error without PreFilter state, as upstream."""
        wanted = state.read(PRE_FILTER_STATE_KEY)
        if not isinstance(wanted, tuple):
            return error(f'error reading "{PRE_FILTER_STATE_KEY}" from cycleState: not found')
        if any(node_info.port_conflicts(port) for port in wanted):
            return unschedulable(ERR_REASON)
        return SUCCESS

    def sign_pod(self, pod: Pod) -> tuple[tuple[SignFragment, ...] | None, Status]:
        """HostPortsSigner: port numbers (upstream) or the checked triples (strict)."""
        value = host_ports_fragment(pod, self.mode)
        return (SignFragment(HOST_PORTS_SIGNER, value),), SUCCESS


def _factory(args: Mapping[str, Any], context: PluginContext) -> NodePorts:
    return NodePorts(context.signers)


PLUGIN = PluginInfo(NAME, _factory)
