"""NodeResourcesFit's feasibility check: the pod's request against a node's free resources.

pkg/scheduler/framework/plugins/noderesources/fit.go: computePodResourceRequest, fitsRequest,
Fits, InsufficientResource and the status Filter builds from them. DRA-backed extended
resources (shouldDelegateResourceToDRA) are not modelled: with no DeviceClass objects in the
snapshot upstream never delegates, which is what this module does.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.framework.status import SUCCESS, Code, Status
from batchproof.model.objects import Pod
from batchproof.model.resources import (
    CPU,
    EPHEMERAL_STORAGE,
    MEMORY,
    PODS,
    Resource,
    is_extended_resource_name,
    pod_requests,
)

RESTARTABLE_INIT_REASON = "Pod has a restartable init container and the SidecarContainers feature is disabled"
TOO_MANY_PODS = "Too many pods"


@dataclass(frozen=True, slots=True)
class InsufficientResource:
    """fit.go InsufficientResource: which resource is short on a node, and by how much.

    ``unresolvable`` is True when the pod's request alone exceeds the node's allocatable, so
    preempting pods cannot help.
    """

    resource_name: str
    reason: str
    requested: int
    used: int
    capacity: int
    unresolvable: bool = False

    def to_json(self) -> dict[str, object]:
        """Encode as ``{resourceName, reason, requested, used, capacity, unresolvable}`` (the fixture form)."""
        return {
            "resourceName": self.resource_name,
            "reason": self.reason,
            "requested": self.requested,
            "used": self.used,
            "capacity": self.capacity,
            "unresolvable": self.unresolvable,
        }


def pod_resource_request(pod: Pod, *, pod_level_resources: bool) -> Resource:
    """computePodResourceRequest: the pod's aggregate requests as a framework.Resource."""
    return Resource.from_list(pod_requests(pod, pod_level_resources=pod_level_resources))


def has_restartable_init_container(pod: Pod) -> bool:
    """Any init container with restartPolicy Always (a sidecar)."""
    return any(container.is_sidecar for container in pod.init_containers)


def _check(name: str, wanted: int, used: int, capacity: int) -> InsufficientResource | None:
    if wanted > 0 and wanted > capacity - used:
        return InsufficientResource(name, f"Insufficient {name}", wanted, used, capacity, wanted > capacity)
    return None


def _ignored(name: str, ignored_resources: Set[str], ignored_groups: Set[str]) -> bool:
    if not is_extended_resource_name(name):
        return False
    return name in ignored_resources or (bool(ignored_groups) and name.split("/", 1)[0] in ignored_groups)


def fits_request(
    request: Resource,
    node_info: NodeInfo,
    *,
    ignored_resources: Set[str] = frozenset(),
    ignored_resource_groups: Set[str] = frozenset(),
) -> tuple[InsufficientResource, ...]:
    """fitsRequest: every resource the node lacks for ``request``, in upstream's check order.

    Order: pod count, cpu, memory, ephemeral-storage, then scalar resources. Upstream walks the
    scalar map in Go's random order; here they are sorted by name so results are deterministic.
    A zero request skips that resource; ignored extended resources (by name or by the domain
    before the "/") are not checked.
    """
    allocatable = node_info.allocatable
    requested = node_info.requested
    short: list[InsufficientResource] = []
    pod_count = len(node_info.pods)
    if pod_count + 1 > allocatable.allowed_pod_number:
        short.append(InsufficientResource(PODS, TOO_MANY_PODS, 1, pod_count, allocatable.allowed_pod_number))
    if (
        request.milli_cpu == 0
        and request.memory == 0
        and request.ephemeral_storage == 0
        and not request.scalar_resources
    ):
        return tuple(short)
    for name in (CPU, MEMORY, EPHEMERAL_STORAGE):
        found = _check(name, request.get(name), requested.get(name), allocatable.get(name))
        if found is not None:
            short.append(found)
    for name, wanted in sorted(request.scalar_resources.items()):
        if wanted == 0 or _ignored(name, ignored_resources, ignored_resource_groups):
            continue
        used = requested.scalar_resources.get(name, 0)
        capacity = allocatable.scalar_resources.get(name, 0)
        if wanted > capacity - used:
            short.append(InsufficientResource(name, f"Insufficient {name}", wanted, used, capacity, wanted > capacity))
    return tuple(short)


def fits(pod: Pod, node_info: NodeInfo, *, pod_level_resources: bool = True) -> tuple[InsufficientResource, ...]:
    """Fits: the insufficient resources of ``pod`` on ``node_info`` with no ignored resources."""
    return fits_request(pod_resource_request(pod, pod_level_resources=pod_level_resources), node_info)


def filter_status(insufficient: tuple[InsufficientResource, ...]) -> Status:
    """Fit.Filter's verdict: Success, or every reason with Unschedulable.

    As in fit.go, the code becomes UnschedulableAndUnresolvable as soon as *any* insufficient
    resource is unresolvable (the "Too many pods" entry never is).
    """
    if not insufficient:
        return SUCCESS
    code = Code.UNSCHEDULABLE
    if any(item.unresolvable for item in insufficient):
        code = Code.UNSCHEDULABLE_AND_UNRESOLVABLE
    return Status(code, tuple(item.reason for item in insufficient))
