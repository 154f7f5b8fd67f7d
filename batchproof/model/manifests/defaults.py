"""API-server defaulting of the pod fields the model reads (pkg/apis/core/v1/defaults.go).

Decoding already defaults ``schedulerName`` (default-scheduler), port ``protocol`` (TCP) and the
namespace; this module adds what ``SetDefaults_Pod`` and ``SetDefaults_Container`` do to a
decoded pod: requests defaulted from limits for app and init containers, host ports defaulted
from container ports on a hostNetwork pod, ``imagePullPolicy`` from the image's tag, and the volume-source defaults
(``defaultMode`` 0644 of configMap, secret, downwardAPI and projected volumes, hostPath ``type`` "").
"""

from __future__ import annotations

from dataclasses import replace

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Container, ContainerPort, Pod, Volume

# SetDefaults_{Secret,ConfigMap,DownwardAPI,Projected}VolumeSource: defaultMode 0644 (k8s.io/api/core/v1 *DefaultMode).
_DEFAULT_MODE_SOURCES = ("configMap", "secret", "downwardAPI", "projected")
_DEFAULT_MODE = 0o644


def default_pod(pod: Pod) -> Pod:
    """The pod as the API server stores it after ``SetDefaults_Pod``."""
    containers = tuple(_container(c, pod.host_network) for c in pod.containers)
    init_containers = tuple(_container(c, pod.host_network) for c in pod.init_containers)
    volumes = tuple(_volume(v) for v in pod.volumes)
    if containers == pod.containers and init_containers == pod.init_containers and volumes == pod.volumes:
        return pod
    return replace(pod, containers=containers, init_containers=init_containers, volumes=volumes)


def _volume(volume: Volume) -> Volume:
    """The volume-source defaults of pkg/apis/core/v1/defaults.go (sources the model stores as JSON)."""
    source = volume.source
    if not isinstance(source, FrozenDict):
        return volume
    if volume.source_type in _DEFAULT_MODE_SOURCES and "defaultMode" not in source:
        return replace(volume, source=FrozenDict({**source, "defaultMode": _DEFAULT_MODE}))
    if volume.source_type == "hostPath" and "type" not in source:
        return replace(volume, source=FrozenDict({**source, "type": ""}))  # SetDefaults_HostPathVolumeSource
    return volume


def default_pull_policy(image: str) -> str:
    """SetDefaults_Container: ``Always`` for the tag ``latest`` (or no tag and no digest), else ``IfNotPresent``.

    The tag is found as pkg/util/parsers ParseImageName finds it: after the last ``:`` of the
    name past its last ``/``, before any ``@digest``. (An image reference docker's parser
    rejects gets no tag there, so ``IfNotPresent``; the model does not re-implement that parser.)
    """
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = last.rpartition(":")[2] if ":" in last else ""
    if not tag and not digest:
        tag = "latest"
    return "Always" if tag == "latest" else "IfNotPresent"


def _container(container: Container, host_network: bool) -> Container:
    """Requests from limits, hostPort = containerPort on hostNetwork, and the image pull policy.

    The last is pkg/apis/core/v1/defaults.go SetDefaults_Container.
    """
    out = container
    if not container.image_pull_policy:
        out = replace(out, image_pull_policy=default_pull_policy(container.image))
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
