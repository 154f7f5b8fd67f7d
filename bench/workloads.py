"""Synthetic clusters and pod runs for the scheduling benchmarks."""

from __future__ import annotations

from dataclasses import replace

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Container, ContainerPort, Node, Pod

GI = 1024**3


def uniform_nodes(count: int) -> list[Node]:
    """``count`` identical nodes (32 CPU, 64Gi, 110 pods) spread over three zones."""
    resources = FrozenDict({"cpu": 32_000, "memory": 64 * GI, "pods": 110})
    return [
        Node(
            f"node-{i:05d}",
            labels=FrozenDict(
                {"kubernetes.io/hostname": f"node-{i:05d}", "topology.kubernetes.io/zone": f"zone-{i % 3}"}
            ),
            capacity=resources,
            allocatable=resources,
        )
        for i in range(count)
    ]


def pod_run(count: int, *, one_per_node: bool) -> list[Pod]:
    """Identical pods; with ``one_per_node`` each claims host port 8080, so a node takes one."""
    ports = (ContainerPort(container_port=8080, host_port=8080),) if one_per_node else ()
    container = Container(
        name="app",
        image="registry.k8s.io/pause:3.10",
        ports=ports,
        requests=FrozenDict({"cpu": 100, "memory": 128 * 1024**2}),
    )
    template = Pod(name="template", namespace="bench", labels=FrozenDict({"app": "bench"}), containers=(container,))
    return [replace(template, name=f"pod-{i:05d}") for i in range(count)]
