"""Metamorphic transformations of scenarios whose effect on placements is known in advance."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Node
from batchproof.properties.lockstep import Scenario

INFEASIBLE_NODE = "zz-infeasible"


def replace_strings(value: Any, mapping: Mapping[str, str]) -> Any:
    """A copy of a frozen object tree with every string found in ``mapping`` replaced."""
    if isinstance(value, str):
        return mapping.get(value, value)
    if isinstance(value, tuple):
        return tuple(replace_strings(v, mapping) for v in value)
    if isinstance(value, FrozenDict):
        return FrozenDict({replace_strings(k, mapping): replace_strings(v, mapping) for k, v in value.items()})
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: replace_strings(getattr(value, f.name), mapping) for f in dataclasses.fields(value)}
        return replace(value, **changes)
    return value


def renamed(scenario: Scenario, prefix: str = "renamed-") -> tuple[Scenario, dict[str, str]]:
    """Every node renamed with ``prefix``, name order kept so that ties break the same way.

    Names are rewritten wherever they appear: hostname labels, matchFields, bound pods, events.
    """
    mapping = {node.name: prefix + node.name for node in scenario.cluster.nodes}
    cluster = replace_strings(scenario.cluster, mapping)
    pods = replace_strings(scenario.pods, mapping)
    events = replace_strings(scenario.events, mapping)
    return replace(scenario, cluster=cluster, pods=pods, events=events), mapping


def permuted(scenario: Scenario, order: list[int]) -> Scenario:
    """The same nodes in another order."""
    nodes = tuple(scenario.cluster.nodes[i] for i in order)
    return replace(scenario, cluster=replace(scenario.cluster, nodes=nodes))


def with_infeasible_node(scenario: Scenario) -> Scenario:
    """An extra node that no pod fits (no allocatable pods, cpu or memory)."""
    none = FrozenDict({"cpu": 0, "memory": 0, "pods": 0})
    extra = Node(
        INFEASIBLE_NODE, labels=FrozenDict({"kubernetes.io/hostname": INFEASIBLE_NODE}), capacity=none, allocatable=none
    )
    return replace(scenario, cluster=replace(scenario.cluster, nodes=(*scenario.cluster.nodes, extra)))
