"""Realised counterexamples as the API server would store them, or dropped when it would reject them.

A Z3 model fixes only the fields a plugin reads; the rest of a realised pod is filled as a user
would write it (an image, limits equal to the requests of extended resources) and defaulted
(pkg/apis/core/v1/defaults.go). An object that still fails validation is never reported.
"""

from __future__ import annotations

from dataclasses import replace

from batchproof.model.frozen import FrozenDict
from batchproof.model.manifests.defaults import default_pod
from batchproof.model.objects import Container, Pod
from batchproof.model.resources import is_hugepages, is_native_resource
from batchproof.model.validation import validate_node, validate_pod
from batchproof.properties.world import Cluster

FILLER_IMAGE = "example.com/app:v1"  # held by no generated node: ImageLocality scores it 0


def _container(container: Container) -> Container:
    limits = dict(container.limits)
    for key, amount in container.requests.items():
        if not (is_native_resource(key) and not is_hugepages(key)):
            limits.setdefault(key, amount)  # extended resources: limit == request
    return replace(container, image=container.image or FILLER_IMAGE, limits=FrozenDict(limits))


# A pod needs a container (the API server rejects none); explicit zero requests keep the filler out
# of every sum, including the non-zero defaults scoring gives a container that requests nothing.
FILLER_CONTAINER = Container(name="filler", image=FILLER_IMAGE, requests=FrozenDict({"cpu": 0, "memory": 0}))


def stored_pod(pod: Pod) -> Pod:
    """The realised pod with the fields no plugin read filled in, then defaulted."""
    containers = tuple(_container(c) for c in pod.containers) or (FILLER_CONTAINER,)
    init = tuple(_container(c) for c in pod.init_containers)
    return default_pod(replace(pod, containers=containers, init_containers=init))


def stored_cluster(cluster: Cluster) -> Cluster:
    """The realised cluster with its bound pods stored."""
    return replace(cluster, existing=tuple(stored_pod(p) for p in cluster.existing))


def rejection(first: Pod, second: Pod, cluster: Cluster) -> str | None:
    """The first validation error of any realised object, or None when the API server takes them all."""
    for pod in (first, second, *cluster.existing):
        errors = validate_pod(pod)
        if errors:
            return f"pod {pod.name}: {errors[0]}"
    for node in cluster.nodes:
        node_errors = validate_node(node)
        if node_errors:
            return f"node {node.name}: {node_errors[0]}"
    return None
