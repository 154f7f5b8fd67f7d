"""GPUModel: an example out-of-tree Filter/Score plugin written against batchproof's plugin protocol.

A pod asks for a GPU model with the annotation ``gpu.example.com/model``; nodes advertise theirs
with the label of the same name. Filter keeps nodes with the requested model; Score prefers
nodes with more free ``example.com/gpu`` devices. ``good.py`` and ``gap.py`` differ only in
SignPod.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import PluginContext, SignFragment
from batchproof.model.framework.status import SUCCESS, Code, Status
from batchproof.model.objects import Pod

NAME = "GPUModel"
MODEL = "gpu.example.com/model"
GPU = "example.com/gpu"


class GPUModel:
    """Filter on the requested GPU model; score by free GPUs. Signs what it reads when ``complete``."""

    name = NAME

    def __init__(self, *, complete: bool) -> None:
        self.complete = complete

    def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        """Nodes whose model label equals the pod's requested model (any node when none is requested)."""
        wanted = pod.annotations.get(MODEL)
        if wanted is None or node_info.node.labels.get(MODEL) == wanted:
            return SUCCESS
        return Status(Code.UNSCHEDULABLE, (f"node has no {wanted} GPU",))

    def score(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> tuple[int, Status]:
        """Free GPUs on the node, capped at 100 (pods asking for no model score every node 0)."""
        if pod.annotations.get(MODEL) is None:
            return 0, SUCCESS
        return min(node_info.node.allocatable.get(GPU, 0) * 10, 100), SUCCESS

    def sign_pod(self, pod: Pod) -> tuple[tuple[SignFragment, ...] | None, Status]:
        """The requested model (the correct plugin), or nothing (the plugin with a gap)."""
        if not self.complete:
            return (), SUCCESS
        return (SignFragment("gpu.example.com/Model", pod.annotations.get(MODEL)),), SUCCESS


def factory(complete: bool) -> Any:
    """A PluginInfo factory building GPUModel with or without the model fragment."""

    def build(args: Mapping[str, Any], context: PluginContext) -> GPUModel:
        return GPUModel(complete=complete)

    return build
