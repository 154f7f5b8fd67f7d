"""Pod resource requests as the scheduler aggregates them, and the framework ``Resource`` vector.

Follows k8s.io/component-helpers/resource/helpers.go (PodRequests, AggregateContainerRequests:
sidecars, init containers as a max, overhead, pod-level resources) and
pkg/scheduler/framework/types.go (Resource, calculateResource, non-zero defaults).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Container, Pod

CPU = "cpu"
MEMORY = "memory"
EPHEMERAL_STORAGE = "ephemeral-storage"
PODS = "pods"
HUGEPAGES_PREFIX = "hugepages-"

# pkg/scheduler/util/pod_resources.go: DefaultMilliCPURequest and DefaultMemoryRequest.
DEFAULT_MILLI_CPU_REQUEST = 100
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024
NON_ZERO_DEFAULTS: FrozenDict[str, int] = FrozenDict({CPU: DEFAULT_MILLI_CPU_REQUEST, MEMORY: DEFAULT_MEMORY_REQUEST})


def is_native_resource(name: str) -> bool:
    """A resource with no domain or in the kubernetes.io domain (v1helper.IsNativeResource)."""
    return "/" not in name or "kubernetes.io/" in name


def is_extended_resource_name(name: str) -> bool:
    """v1helper.IsExtendedResourceName: domain-qualified, not native, not a quota name."""
    return not is_native_resource(name) and not name.startswith("requests.")


def is_hugepages(name: str) -> bool:
    """True for hugepages-<size>."""
    return name.startswith(HUGEPAGES_PREFIX)


def is_scalar_resource_name(name: str) -> bool:
    """v1helper.IsScalarResourceName: extended, hugepages, prefixed native or attachable volumes."""
    return (
        is_extended_resource_name(name)
        or is_hugepages(name)
        or "kubernetes.io/" in name
        or name.startswith("attachable-volumes-")
    )


def is_supported_pod_level_resource(name: str) -> bool:
    """cpu, memory and hugepages can be set at pod level (PodLevelResources)."""
    return name in (CPU, MEMORY) or is_hugepages(name)


def _add(into: dict[str, int], items: Mapping[str, int]) -> None:
    for name, amount in items.items():
        into[name] = into.get(name, 0) + amount


def _max(into: dict[str, int], items: Mapping[str, int]) -> None:
    for name, amount in items.items():
        if name not in into or amount > into[name]:
            into[name] = amount


def _container_requests(container: Container, non_missing: Mapping[str, int] | None) -> Mapping[str, int]:
    if not non_missing:
        return container.requests
    filled = dict(container.requests)
    for name, amount in non_missing.items():
        if name not in container.requests:
            filled[name] = amount
    return filled


def aggregate_container_requests(pod: Pod, *, non_missing: Mapping[str, int] | None = None) -> dict[str, int]:
    """Sum of app containers and sidecars, maxed against each init container's peak (KEP-753)."""
    result: dict[str, int] = {}
    for container in pod.containers:
        _add(result, _container_requests(container, non_missing))
    sidecars: dict[str, int] = {}
    init_peak: dict[str, int] = {}
    for container in pod.init_containers:
        requests = _container_requests(container, non_missing)
        if container.is_sidecar:
            _add(result, requests)
            _add(sidecars, requests)
            _max(init_peak, sidecars)
        else:
            combined = dict(requests)
            _add(combined, sidecars)
            _max(init_peak, combined)
    _max(result, init_peak)
    return result


def pod_level_requests_set(pod: Pod) -> bool:
    """IsPodLevelRequestsSet: spec.resources.requests names cpu, memory or hugepages."""
    return pod.resources is not None and any(is_supported_pod_level_resource(n) for n in pod.resources.requests)


def pod_requests(
    pod: Pod,
    *,
    non_missing: Mapping[str, int] | None = None,
    pod_level_resources: bool = True,
    exclude_overhead: bool = False,
) -> dict[str, int]:
    """resourcehelper.PodRequests: the pod's effective requests in scheduler units."""
    requests = aggregate_container_requests(pod, non_missing=non_missing)
    if pod_level_resources and pod.resources is not None and pod_level_requests_set(pod):
        for name, amount in pod.resources.requests.items():
            if is_supported_pod_level_resource(name):
                requests[name] = amount
    if not exclude_overhead:
        _add(requests, pod.overhead)
    return requests


@dataclass(frozen=True, slots=True)
class Resource:
    """framework.Resource: the scheduler's resource vector (milli-CPU, bytes, pod count, scalars)."""

    milli_cpu: int = 0
    memory: int = 0
    ephemeral_storage: int = 0
    allowed_pod_number: int = 0
    scalar_resources: FrozenDict[str, int] = field(default_factory=FrozenDict)

    @classmethod
    def from_list(cls, resources: Mapping[str, int]) -> Resource:
        """framework.NewResource / Resource.Add: scalars are kept only for scalar resource names."""
        scalars: dict[str, int] = {}
        values = {CPU: 0, MEMORY: 0, EPHEMERAL_STORAGE: 0, PODS: 0}
        for name, amount in resources.items():
            if name in values:
                values[name] += amount
            elif is_scalar_resource_name(name):
                scalars[name] = scalars.get(name, 0) + amount
        return cls(values[CPU], values[MEMORY], values[EPHEMERAL_STORAGE], values[PODS], FrozenDict(scalars))

    def get(self, name: str) -> int:
        """The amount of one resource by its API name (0 when absent)."""
        if name == CPU:
            return self.milli_cpu
        if name == MEMORY:
            return self.memory
        if name == EPHEMERAL_STORAGE:
            return self.ephemeral_storage
        if name == PODS:
            return self.allowed_pod_number
        return self.scalar_resources.get(name, 0)

    def plus(self, other: Resource, sign: int = 1) -> Resource:
        """Element-wise sum (or difference with ``sign=-1``)."""
        scalars = dict(self.scalar_resources)
        for name, amount in other.scalar_resources.items():
            scalars[name] = scalars.get(name, 0) + sign * amount
        return Resource(
            self.milli_cpu + sign * other.milli_cpu,
            self.memory + sign * other.memory,
            self.ephemeral_storage + sign * other.ephemeral_storage,
            self.allowed_pod_number + sign * other.allowed_pod_number,
            FrozenDict(scalars),
        )

    def to_json(self) -> dict[str, object]:
        """The Go JSON encoding of framework.Resource (field order as declared upstream)."""
        return {
            "MilliCPU": self.milli_cpu,
            "Memory": self.memory,
            "EphemeralStorage": self.ephemeral_storage,
            "AllowedPodNumber": self.allowed_pod_number,
            "ScalarResources": dict(sorted(self.scalar_resources.items())) if self.scalar_resources else None,
        }


def pod_resource(pod: Pod, *, pod_level_resources: bool = True) -> Resource:
    """The pod's requests as a Resource (what NodeInfo.Requested accumulates)."""
    return Resource.from_list(pod_requests(pod, pod_level_resources=pod_level_resources))


def pod_non_zero_resource(pod: Pod, *, pod_level_resources: bool = True) -> Resource:
    """The pod's cpu/memory requests with non-zero defaults (NonZeroRequested).

    Per container when only container requests exist; with pod-level requests set (and the
    gate on) a per-container default applies only to a resource that neither the containers,
    the pod level nor the overhead request (types.go getNonMissingContainerRequests).
    """
    non_missing: Mapping[str, int] = NON_ZERO_DEFAULTS
    if pod_level_resources and pod_level_requests_set(pod):
        # getNonMissingContainerRequests: default only what neither level requests.
        plain = pod_requests(pod, pod_level_resources=True)
        non_missing = {name: amount for name, amount in NON_ZERO_DEFAULTS.items() if name not in plain}
    requests = pod_requests(pod, non_missing=non_missing, pod_level_resources=pod_level_resources)
    return Resource(milli_cpu=requests.get(CPU, 0), memory=requests.get(MEMORY, 0))
