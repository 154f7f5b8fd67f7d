"""The resource allocation scorer shared by Fit's strategies and BalancedAllocation.

pkg/scheduler/framework/plugins/noderesources/resource_allocation.go: the pod's request per
configured resource (with per-container non-zero defaults for cpu/memory unless the scorer uses
actual requests), the node's allocatable and usage per resource, and the skip rules. DRA-backed
extended resources are not modelled.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    is_scalar_resource_name,
    pod_requests,
)

RESOURCES_NOT_FOUND = "resources not found"


def pod_resource_requests(pod: Pod, *, use_requested: bool, pod_level_resources: bool) -> dict[str, int]:
    """resourcehelper.PodRequests as the scorer calls it: non-zero defaults unless ``use_requested``."""
    return pod_requests(
        pod, non_missing=None if use_requested else NON_ZERO_DEFAULTS, pod_level_resources=pod_level_resources
    )


@dataclass(frozen=True, slots=True)
class NodeUsage:
    """One configured resource on one node: allocatable, usage with the pod, usage without it."""

    allocatable: int = 0
    requested: int = 0
    allocated: int = 0


def node_usage(node_info: NodeInfo, resource: str, pod_request: int, *, use_requested: bool) -> NodeUsage:
    """calculateResourceAllocatableRequest: (0, 0) means "leave this resource out".

    cpu and memory read NonZeroRequested unless ``use_requested``; ephemeral-storage and scalar
    resources read Requested. A scalar resource the pod does not request, or one the node does
    not list, is left out.
    """
    used = node_info.requested if use_requested else node_info.non_zero_requested
    if pod_request == 0 and is_scalar_resource_name(resource):
        return NodeUsage()
    allocatable = node_info.allocatable
    if resource in (CPU, MEMORY):
        existing = used.get(resource)
        return NodeUsage(allocatable.get(resource), existing + pod_request, existing)
    if resource == EPHEMERAL_STORAGE:
        existing = node_info.requested.ephemeral_storage
        return NodeUsage(allocatable.ephemeral_storage, existing + pod_request, existing)
    if resource in allocatable.scalar_resources:
        existing = node_info.requested.scalar_resources.get(resource, 0)
        return NodeUsage(allocatable.scalar_resources[resource], existing + pod_request, existing)
    return NodeUsage()


@dataclass(frozen=True, slots=True)
class ResourceAllocationScorer:
    """resourceAllocationScorer: configured resources, a scoring function and the request mode."""

    name: str
    resources: tuple[ResourceSpec, ...]
    scorer: Scorer
    use_requested: bool
    pod_level_resources: bool

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
        requested: list[int] = []
        allocated: list[int] = []
        allocatable: list[int] = []
        for spec, pod_request in zip(self.resources, pod_requests, strict=True):
            usage = node_usage(node_info, spec.name, pod_request, use_requested=self.use_requested)
            if usage.allocatable == 0:
                usage = NodeUsage()
            allocatable.append(usage.allocatable)
            requested.append(usage.requested)
            allocated.append(usage.allocated)
        return self.scorer(requested, allocated, allocatable), SUCCESS


def is_best_effort(pod_requests: tuple[int, ...]) -> bool:
    """isBestEffortPod: the pod requests none of the configured resources."""
    return all(request == 0 for request in pod_requests)
