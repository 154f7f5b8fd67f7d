"""Out-of-tree plugins with one deliberate, realistic signature gap each, and correct controls.

Each gap belongs to a kind check-plugin used to miss (issue 15 item 3): values the generators
never produced, changes rare by chance (a lossy fragment), and keys read only on a branch.
Controls sign correctly in ways a naive check would flag: reading a field that never changes a
result, signing a coarse but complete value, refusing to sign.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import PluginContext, SignFragment
from batchproof.model.framework.status import SUCCESS, Code, Status
from batchproof.model.objects import Pod
from batchproof.model.plugins.registry import PluginInfo

Signed = tuple[tuple[SignFragment, ...] | None, Status]
REFUSE: Signed = (None, Status(Code.UNSCHEDULABLE, ("refuses to sign",)))


def _reject(reason: str) -> Status:
    return Status(Code.UNSCHEDULABLE, (reason,))


class WindowsNodes:
    """Kind "enum value never drawn": windows pods need windows nodes; SignPod forgets spec.os."""

    name = "WindowsNodes"

    def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        """Windows pods only on nodes labelled kubernetes.io/os=windows."""
        if pod.os == "windows" and node_info.node.labels.get("kubernetes.io/os") != "windows":
            return _reject("node is not a windows node")
        return SUCCESS

    def sign_pod(self, pod: Pod) -> Signed:
        """Nothing (the gap)."""
        return (), SUCCESS


class SandboxRuntime:
    """Kind "string value never drawn": gVisor pods need sandbox nodes; SignPod forgets the runtime class."""

    name = "SandboxRuntime"

    def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        """Pods of runtime class gvisor only on nodes labelled sandbox=gvisor."""
        if pod.runtime_class_name == "gvisor" and node_info.node.labels.get("sandbox") != "gvisor":
            return _reject("node has no gvisor sandbox")
        return SUCCESS

    def sign_pod(self, pod: Pod) -> Signed:
        """Nothing (the gap)."""
        return (), SUCCESS


class CriticalFirst:
    """Kind "number far from the generated ranges": critical pods score spare nodes; priority unsigned."""

    name = "CriticalFirst"

    def score(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> tuple[int, Status]:
        """Critical pods (priority at least a billion) prefer nodes labelled spare."""
        critical = (pod.priority or 0) >= 1_000_000_000
        return (100 if critical and "spare" in node_info.node.labels else 0), SUCCESS

    def sign_pod(self, pod: Pod) -> Signed:
        """Nothing (the gap)."""
        return (), SUCCESS


class HostNetworkNodes:
    """Kind "field never set": host-network pods need nodes that allow it; SignPod forgets hostNetwork."""

    name = "HostNetworkNodes"

    def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        """Host-network pods only on nodes labelled hostnet=ok."""
        if pod.host_network and node_info.node.labels.get("hostnet") != "ok":
            return _reject("node does not allow host network")
        return SUCCESS

    def sign_pod(self, pod: Pod) -> Signed:
        """Nothing (the gap)."""
        return (), SUCCESS


class LargestContainer:
    """Kind "lossy fragment": Filter reads the largest CPU request; SignPod signs only their sum."""

    name = "LargestContainer"

    def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        """Nodes labelled small take no pod with a container asking for more than 500m."""
        largest = max((c.requests.get("cpu", 0) for c in pod.containers), default=0)
        if largest > 500 and "small" in node_info.node.labels:
            return _reject("a container is too big for a small node")
        return SUCCESS

    def sign_pod(self, pod: Pod) -> Signed:
        """The total CPU request (lossy: two pods with equal sums can differ in their largest)."""
        return (SignFragment("example.com/cpu-total", sum(c.requests.get("cpu", 0) for c in pod.containers)),), SUCCESS


class InfraTier:
    """Kind "key read only on a branch": infra pods read a tier annotation; SignPod signs only the team."""

    name = "InfraTier"

    def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        """Infra-team pods of tier critical only on nodes labelled tier=critical."""
        infra = pod.labels.get("team") == "infra"
        critical = infra and pod.annotations.get("example.com/tier") == "critical"
        if critical and node_info.node.labels.get("tier") != "critical":
            return _reject("node is not a critical-tier node")
        return SUCCESS

    def sign_pod(self, pod: Pod) -> Signed:
        """The team label (the gap: the tier annotation matters for infra pods)."""
        return (SignFragment("example.com/team", pod.labels.get("team")),), SUCCESS


class ZoneCrowd:
    """Kind "cross-pod dependency": spreads an app over zones by the pods already there; signs the app.

    Everything Score reads from the pod itself is signed, so no pair differs; only placing a queue
    shows that a hint to the next cached node ignores the pod just placed in its zone.
    """

    name = "ZoneCrowd"

    def score(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> tuple[int, Status]:
        """100 less 50 per pod of the same app already in the node's zone."""
        app = pod.labels.get("app")
        if app is None:
            return 0, SUCCESS
        zone = node_info.node.labels.get("topology.kubernetes.io/zone", node_info.name)
        crowd = sum(
            1
            for info in state.snapshot.node_infos()
            if info.node.labels.get("topology.kubernetes.io/zone", info.name) == zone
            for placed in info.pods
            if placed.labels.get("app") == app
        )
        return max(100 - 50 * crowd, 0), SUCCESS

    def sign_pod(self, pod: Pod) -> Signed:
        """The app label: all Score reads of the pod."""
        return (SignFragment("example.com/app", pod.labels.get("app")),), SUCCESS


class ReadsPriorityForNothing:
    """Control: reads spec.priority, which never changes its result; signs nothing. Must pass."""

    name = "ReadsPriorityForNothing"

    def score(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> tuple[int, Status]:
        """Ten points per node, whatever the priority."""
        _ = pod.priority
        return 10, SUCCESS

    def sign_pod(self, pod: Pod) -> Signed:
        """Nothing: nothing it reads changes a result."""
        return (), SUCCESS


class CoarseSandbox:
    """Control: Filter depends only on whether a runtime class is set; SignPod signs exactly that."""

    name = "CoarseSandbox"

    def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        """Pods with any runtime class only on nodes labelled sandbox."""
        if pod.runtime_class_name and "sandbox" not in node_info.node.labels:
            return _reject("node has no sandbox")
        return SUCCESS

    def sign_pod(self, pod: Pod) -> Signed:
        """Whether a runtime class is set (coarse, but all Filter uses)."""
        return (SignFragment("example.com/sandboxed", bool(pod.runtime_class_name)),), SUCCESS


class RefusesWindows:
    """Control: WindowsNodes that refuses to sign windows pods instead of signing spec.os. Must pass."""

    name = "RefusesWindows"

    def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        """As WindowsNodes."""
        return WindowsNodes().filter(state, pod, node_info)

    def sign_pod(self, pod: Pod) -> Signed:
        """Refuse windows pods; nothing else matters."""
        return REFUSE if pod.os == "windows" else ((), SUCCESS)


def _info(cls: type) -> PluginInfo:
    def build(args: Mapping[str, Any], context: PluginContext) -> Any:
        return cls()

    return PluginInfo(cls.__name__, build)


GAPS = {
    "enum value never drawn": _info(WindowsNodes),
    "string value never drawn": _info(SandboxRuntime),
    "number far from generated ranges": _info(CriticalFirst),
    "field never set": _info(HostNetworkNodes),
    "lossy fragment": _info(LargestContainer),
    "key read only on a branch": _info(InfraTier),
    "cross-pod dependency": _info(ZoneCrowd),
}
CONTROLS = {
    "reads a field that never changes a result": _info(ReadsPriorityForNothing),
    "signs a coarse but complete value": _info(CoarseSandbox),
    "refuses to sign": _info(RefusesWindows),
}
WINDOWS = GAPS["enum value never drawn"]
SANDBOX = GAPS["string value never drawn"]
CRITICAL = GAPS["number far from generated ranges"]
HOSTNET = GAPS["field never set"]
LARGEST = GAPS["lossy fragment"]
INFRA = GAPS["key read only on a branch"]
ZONES = GAPS["cross-pod dependency"]
PRIORITY_CONTROL = CONTROLS["reads a field that never changes a result"]
COARSE_CONTROL = CONTROLS["signs a coarse but complete value"]
REFUSE_CONTROL = CONTROLS["refuses to sign"]
