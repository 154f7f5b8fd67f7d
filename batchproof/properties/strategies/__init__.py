"""Hypothesis strategies for batchproof (plural nouns, keyword-only tuning)."""

from batchproof.properties.strategies.objects import (
    StrategyArgumentError,
    container_ports,
    containers,
    label_maps,
    node_lists,
    nodes,
    pods,
    resource_requests,
    taints,
    tolerations,
)

__all__ = [
    "StrategyArgumentError",
    "container_ports",
    "containers",
    "label_maps",
    "node_lists",
    "nodes",
    "pods",
    "resource_requests",
    "taints",
    "tolerations",
]
