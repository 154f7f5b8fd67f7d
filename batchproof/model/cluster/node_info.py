"""NodeInfo: one node and the pods bound to it, with aggregates kept up to date on bind/remove.

Mirrors pkg/scheduler/framework/types.go NodeInfo (Requested, NonZeroRequested, UsedPorts,
PodsWithAffinity, PodsWithRequiredAntiAffinity).
"""

from __future__ import annotations

from dataclasses import dataclass

from batchproof.model.objects import Node, Pod
from batchproof.model.resources import Resource, pod_non_zero_resource, pod_resource

DEFAULT_BIND_ALL_HOST_IP = "0.0.0.0"


@dataclass(frozen=True, slots=True)
class HostPort:
    """A (hostIP, protocol, port) triple in use on a node; an empty IP means 0.0.0.0."""

    ip: str
    protocol: str
    port: int


def pod_host_ports(pod: Pod, *, all_init_containers: bool = False) -> tuple[HostPort, ...]:
    """Non-zero host ports as util.GetHostPorts lists them: sidecars, then app containers.

    ``all_init_containers`` also lists plain init containers (the upstream signer's view).
    """
    ports: list[HostPort] = []
    inits = pod.init_containers if all_init_containers else tuple(c for c in pod.init_containers if c.is_sidecar)
    for container in (*inits, *pod.containers):
        for port in container.ports:
            if port.host_port > 0:
                ports.append(HostPort(port.host_ip or DEFAULT_BIND_ALL_HOST_IP, port.protocol or "TCP", port.host_port))
    return tuple(ports)


def has_pod_affinity(pod: Pod) -> bool:
    """The pod has any pod affinity or anti-affinity (required or preferred)."""
    affinity = pod.affinity
    return affinity is not None and (affinity.pod_affinity is not None or affinity.pod_anti_affinity is not None)


def has_required_anti_affinity(pod: Pod) -> bool:
    """The pod has required pod anti-affinity terms."""
    affinity = pod.affinity
    return bool(affinity and affinity.pod_anti_affinity and affinity.pod_anti_affinity.required)


class NodeInfo:
    """A node with its pods; aggregates change incrementally as pods are added or removed."""

    __slots__ = (
        "_allocatable",
        "_node",
        "_pod_level_resources",
        "non_zero_requested",
        "pods",
        "pods_with_affinity",
        "pods_with_required_anti_affinity",
        "requested",
        "used_ports",
    )

    def __init__(self, node: Node, *, pod_level_resources: bool = True) -> None:
        self._node = node
        self._allocatable = Resource.from_list(node.allocatable)
        self.pods: list[Pod] = []
        self.pods_with_affinity: list[Pod] = []
        self.pods_with_required_anti_affinity: list[Pod] = []
        self.requested = Resource()
        self.non_zero_requested = Resource()
        self.used_ports: dict[HostPort, int] = {}
        self._pod_level_resources = pod_level_resources

    @property
    def name(self) -> str:
        """The node name."""
        return self.node.name

    @property
    def node(self) -> Node:
        """The node object."""
        return self._node

    @node.setter
    def node(self, node: Node) -> None:
        self._node = node
        self._allocatable = Resource.from_list(node.allocatable)

    @property
    def allocatable(self) -> Resource:
        """The node's allocatable resources as a Resource vector."""
        return self._allocatable

    def add_pod(self, pod: Pod) -> None:
        """Account a pod bound to this node."""
        self.pods.append(pod)
        if has_pod_affinity(pod):
            self.pods_with_affinity.append(pod)
        if has_required_anti_affinity(pod):
            self.pods_with_required_anti_affinity.append(pod)
        self.requested = self.requested.plus(pod_resource(pod, pod_level_resources=self._pod_level_resources))
        self.non_zero_requested = self.non_zero_requested.plus(
            pod_non_zero_resource(pod, pod_level_resources=self._pod_level_resources)
        )
        for port in pod_host_ports(pod):
            self.used_ports[port] = self.used_ports.get(port, 0) + 1

    def remove_pod(self, pod: Pod) -> bool:
        """Forget a pod (matched by namespace/name); False if it was not here."""
        for index, present in enumerate(self.pods):  # noqa: B007 - index is used after the loop
            if present.namespace == pod.namespace and present.name == pod.name:
                break
        else:
            return False
        present = self.pods.pop(index)
        for group in (self.pods_with_affinity, self.pods_with_required_anti_affinity):
            for i, item in enumerate(group):
                if item is present:
                    del group[i]
                    break
        self.requested = self.requested.plus(pod_resource(present, pod_level_resources=self._pod_level_resources), -1)
        self.non_zero_requested = self.non_zero_requested.plus(
            pod_non_zero_resource(present, pod_level_resources=self._pod_level_resources), -1
        )
        for port in pod_host_ports(present):
            left = self.used_ports[port] - 1
            if left:
                self.used_ports[port] = left
            else:
                del self.used_ports[port]
        return True

    def port_conflicts(self, wanted: HostPort) -> bool:
        """HostPortInfo.CheckConflict: same protocol and port, and either IP is 0.0.0.0 or equal."""
        if wanted.ip == DEFAULT_BIND_ALL_HOST_IP:
            return any(p.protocol == wanted.protocol and p.port == wanted.port for p in self.used_ports)
        return any(
            p.protocol == wanted.protocol and p.port == wanted.port and p.ip in (wanted.ip, DEFAULT_BIND_ALL_HOST_IP)
            for p in self.used_ports
        )

    def clone(self) -> NodeInfo:
        """An independent copy (pods are immutable and shared)."""
        copy = NodeInfo(self.node, pod_level_resources=self._pod_level_resources)
        copy.pods = list(self.pods)
        copy.pods_with_affinity = list(self.pods_with_affinity)
        copy.pods_with_required_anti_affinity = list(self.pods_with_required_anti_affinity)
        copy.requested = self.requested
        copy.non_zero_requested = self.non_zero_requested
        copy.used_ports = dict(self.used_ports)
        return copy

    def __repr__(self) -> str:
        return f"NodeInfo({self.node.name!r}, pods={len(self.pods)})"
