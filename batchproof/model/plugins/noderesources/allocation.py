"""The resource allocation scorer shared by Fit's strategies and BalancedAllocation.

pkg/scheduler/framework/plugins/noderesources/resource_allocation.go: the pod's request per
configured resource (with per-container non-zero defaults for cpu/memory unless the scorer uses
actual requests), the node's allocatable and usage per resource, and the skip rules. DRA-backed
extended resources are not modelled.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.framework.status import SUCCESS, Status, error
from batchproof.model.objects import Pod
from batchproof.model.plugins.noderesources.args import ResourceSpec
from batchproof.model.plugins.noderesources.scorers import Scorer
from batchproof.model.resources import (
    CPU,
    EPHEMERAL_STORAGE,
    MEMORY,
    NON_ZERO_DEFAULTS,
    Resource,
    is_scalar_resource_name,
    pod_requests,
)

RESOURCES_NOT_FOUND = "resources not found"
MEMO_LIMIT = 1 << 16  # (node, request list) entries a scorer remembers before it starts afresh


def pod_resource_requests(pod: Pod, *, use_requested: bool, pod_level_resources: bool) -> dict[str, int]:
    """resourcehelper.PodRequests as the scorer calls it: non-zero defaults unless ``use_requested``."""
    return pod_requests(
        pod, non_missing=None if use_requested else NON_ZERO_DEFAULTS, pod_level_resources=pod_level_resources
    )


NodeUsage = tuple[int, int, int]  # allocatable, usage with the pod, usage without it
UNUSED: NodeUsage = (0, 0, 0)


def node_usage(node_info: NodeInfo, resource: str, pod_request: int, *, use_requested: bool) -> NodeUsage:
    """calculateResourceAllocatableRequest: allocatable, usage with and without the pod; (0, 0, 0) leaves it out.

    cpu and memory read NonZeroRequested unless ``use_requested``; ephemeral-storage and scalar
    resources read Requested. A scalar resource the pod does not request, or one the node does
    not list, is left out. A plain tuple, not a dataclass: this runs per resource per node per
    pod for two plugins, and building a frozen dataclass costs ten times as much.
    """
    used = node_info.requested if use_requested else node_info.non_zero_requested
    if pod_request == 0 and is_scalar_resource_name(resource):
        return UNUSED
    allocatable = node_info.allocatable
    if resource in (CPU, MEMORY):
        existing = used.get(resource)
        return allocatable.get(resource), existing + pod_request, existing
    if resource == EPHEMERAL_STORAGE:
        existing = node_info.requested.ephemeral_storage
        return allocatable.ephemeral_storage, existing + pod_request, existing
    if resource in allocatable.scalar_resources:
        existing = node_info.requested.scalar_resources.get(resource, 0)
        return allocatable.scalar_resources[resource], existing + pod_request, existing
    return UNUSED


@dataclass(frozen=True, slots=True)
class ResourceAllocationScorer:
    """resourceAllocationScorer: configured resources, a scoring function and the request mode."""

    name: str
    resources: tuple[ResourceSpec, ...]
    scorer: Scorer
    use_requested: bool
    pod_level_resources: bool
    # Score runs on every node for every pod, and between two pods only the nodes they were bound
    # to change. A score depends on the request list and the node's three Resource vectors only;
    # those are immutable and replaced on every change, so the same objects give the same score.
    _memo: dict[tuple[str, tuple[int, ...]], tuple[Resource, Resource, Resource, int]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def pod_request_list(self, pod: Pod) -> tuple[int, ...]:
        """calculatePodResourceRequestList: the pod's request for each configured resource."""
        requests = pod_resource_requests(
            pod, use_requested=self.use_requested, pod_level_resources=self.pod_level_resources
        )
        return tuple(requests.get(spec.name, 0) for spec in self.resources)

    def score(self, node_info: NodeInfo, pod_requests: tuple[int, ...]) -> tuple[int, Status]:
        """Return the node's raw score; Error "resources not found" when no resources are configured."""
        if not self.resources:
            return 0, error(RESOURCES_NOT_FOUND)
        requested, non_zero, capacity = node_info.requested, node_info.non_zero_requested, node_info.allocatable
        key = (node_info.name, pod_requests)
        known = self._memo.get(key)
        if known is not None and known[0] is requested and known[1] is non_zero and known[2] is capacity:
            return known[3], SUCCESS
        value = self._score(node_info, pod_requests)
        if len(self._memo) >= MEMO_LIMIT:
            self._memo.clear()
        self._memo[key] = (requested, non_zero, capacity, value)
        return value, SUCCESS

    def _score(self, node_info: NodeInfo, pod_requests: tuple[int, ...]) -> int:
        requested: list[int] = []
        allocated: list[int] = []
        allocatable: list[int] = []
        for spec, pod_request in zip(self.resources, pod_requests, strict=True):
            capacity, with_pod, without_pod = node_usage(
                node_info, spec.name, pod_request, use_requested=self.use_requested
            )
            if capacity == 0:
                capacity, with_pod, without_pod = UNUSED
            allocatable.append(capacity)
            requested.append(with_pod)
            allocated.append(without_pod)
        return self.scorer(requested, allocated, allocatable)


def is_best_effort(pod_requests: tuple[int, ...]) -> bool:
    """isBestEffortPod: the pod requests none of the configured resources."""
    return all(request == 0 for request in pod_requests)
