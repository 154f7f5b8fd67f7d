"""API-server defaulting of the pod fields the model reads (pkg/apis/core/v1/defaults.go).

Decoding already defaults ``schedulerName`` (default-scheduler), port ``protocol`` (TCP) and the
namespace; this module adds what ``SetDefaults_Pod`` does to a decoded pod: requests defaulted
from limits for app and init containers, and host ports defaulted from container ports on a
hostNetwork pod.
"""

from __future__ import annotations

from dataclasses import replace

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Container, ContainerPort, Pod


def default_pod(pod: Pod) -> Pod:
    """The pod as the API server stores it after ``SetDefaults_Pod``."""
    containers = tuple(_container(c, pod.host_network) for c in pod.containers)
    init_containers = tuple(_container(c, pod.host_network) for c in pod.init_containers)
    if containers == pod.containers and init_containers == pod.init_containers:
        return pod
    return replace(pod, containers=containers, init_containers=init_containers)


def _container(container: Container, host_network: bool) -> Container:
    """Requests from limits where a limit has no request; hostPort = containerPort on hostNetwork."""
    out = container
    missing = {k: v for k, v in container.limits.items() if k not in container.requests}
    if missing:
        out = replace(out, requests=FrozenDict({**container.requests, **missing}))
    if host_network and any(p.host_port == 0 for p in container.ports):
        # defaultHostNetworkPorts: a hostNetwork pod's ports are host ports.
        ports = tuple(_host_port(p) for p in container.ports)
        out = replace(out, ports=ports)
    return out


def _host_port(port: ContainerPort) -> ContainerPort:
    return port if port.host_port else replace(port, host_port=port.container_port)
