"""Runs of identical pods over nodes of a few sizes, with nodes resized between the pods.

Spec §10.1 and §10.5: a batch keeps the scores it computed when it was created, so a node resized
between two pods of a batch keeps its old cached score (a stale cache), and a node resized to
another node's size scores the same as it while the batch still ranks them by their old scores
(a tie the reference breaks by name). Generic event streams make both rare: the resize must land
inside a batch, on a node the batch would hint, to a size that changes the ranking. Here every
pod prefers a node ``a`` that holds exactly one of them, so each later pod is hinted from the
cached list (spec §5, the one-pod-per-node path), and the other nodes come in a few sizes that a
resize moves between.
"""

from __future__ import annotations

from collections.abc import Mapping

from hypothesis import strategies as st

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import (
    Affinity,
    Container,
    Node,
    NodeAffinity,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    Pod,
    PreferredSchedulingTerm,
)
from batchproof.model.profiles import Profile
from batchproof.properties.events import Event, NodeUpdate
from batchproof.properties.lockstep import BatchingOptions, Scenario
from batchproof.properties.strategies.objects import LEAN_IMAGE, stored_pod
from batchproof.properties.world import Cluster

GI = 1024**3
# Sizes in proportion, so that BalancedAllocation scores them alike and Fit alone ranks them.
SIZES = ((4000, 4 * GI), (8000, 8 * GI), (16_000, 16 * GI))
FIRST = "a"  # the node every pod prefers; it holds one pod
REQUESTS = FrozenDict({"cpu": 1000, "memory": GI})


def sized_node(name: str, cpu: int, memory: int) -> Node:
    """A schedulable node with room for ``cpu`` millicores and ``memory`` bytes (and 110 pods)."""
    resources = FrozenDict({"cpu": cpu, "memory": memory, "pods": 110})
    return Node(name, labels=FrozenDict({"kubernetes.io/hostname": name}), capacity=resources, allocatable=resources)


def preferring_nodes(weights: Mapping[str, int]) -> Affinity:
    """Preferred node affinity for nodes by name (``matchFields`` ``metadata.name``), one term per node."""
    terms = tuple(
        PreferredSchedulingTerm(
            weight=weight,
            preference=NodeSelectorTerm(match_fields=(NodeSelectorRequirement("metadata.name", "In", (name,)),)),
        )
        for name, weight in weights.items()
    )
    return Affinity(node_affinity=NodeAffinity(preferred=terms))


def _preferring_first(index: int) -> Pod:
    affinity = preferring_nodes({FIRST: 10})
    container = Container(name="c", image=LEAN_IMAGE, requests=REQUESTS, limits=REQUESTS)
    pod = stored_pod(Pod(name=f"run-{index}", uid=f"uid-run-{index}", containers=(container,), affinity=affinity))
    assert pod is not None, "the run's pod is valid"
    return pod


@st.composite
def resizing_scenarios(
    draw: st.DrawFn, *, profiles: tuple[Profile, ...], options: BatchingOptions | None = None
) -> Scenario:
    """Two to four pods preferring node ``a``, two to four other nodes, one or two resizes between pods."""
    sizes = draw(st.lists(st.sampled_from(SIZES), min_size=2, max_size=4))
    cpu, memory = REQUESTS["cpu"], REQUESTS["memory"]
    nodes = (sized_node(FIRST, cpu, memory), *(sized_node(f"n{i}", c, m) for i, (c, m) in enumerate(sizes)))
    count = draw(st.integers(2, 4))
    targets = draw(st.lists(st.sampled_from(nodes[1:]), min_size=1, max_size=2))
    events: list[tuple[int, Event]] = []
    for target in targets:
        position = draw(st.integers(1, count - 1))
        new_cpu, new_memory = draw(st.sampled_from(SIZES))
        events.append((position, NodeUpdate(sized_node(target.name, new_cpu, new_memory))))
    return Scenario(
        Cluster(nodes),
        tuple(_preferring_first(i) for i in range(count)),
        profiles,
        tuple(sorted(events, key=lambda item: item[0])),
        options or BatchingOptions(),
    )
