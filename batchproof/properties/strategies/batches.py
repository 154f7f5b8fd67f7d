"""Scenarios built to keep a batch alive and then invalidate it between two of its pods.

The plain :func:`~batchproof.properties.strategies.workloads.scenarios` reach a hinted placement
in a minority of pods, and an event that breaks a *live* batch more rarely still. These runs put
identical signable pods on roomy untainted nodes (one per node via a host port, or several per
node), so nearly every pod after the first is hinted, and place events between them that make a
node infeasible for the run (a NoSchedule taint, a cordon, allocatable shrunk to nothing, node
removal) or move the clock past the batch age. A batched scheduler that trusts a hint without
re-filtering it, or serves a batch past its age, is caught by the safety property on these.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import strategies as st

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Node, Taint
from batchproof.model.profiles import Profile
from batchproof.properties.events import ClockJump, Event, NodeRemoval, NodeUpdate
from batchproof.properties.lockstep import BatchingOptions, Scenario
from batchproof.properties.strategies.clusters import clusters
from batchproof.properties.strategies.objects import _check_size
from batchproof.properties.strategies.workloads import Shape, roomy, workloads

EVENT_KINDS = ("taint", "cordon", "shrink", "remove", "expire", "expire", "clock")  # expiry twice as likely
STRESS_TAINT = Taint(key="batchproof.io/stress", value="", effect="NoSchedule")
NOTHING = FrozenDict({"cpu": 0, "memory": 0, "pods": 0})


def _invalidating(node: Node, kind: str) -> Event:
    if kind == "taint":
        return NodeUpdate(replace(node, taints=(*node.taints, STRESS_TAINT)))
    if kind == "cordon":
        return NodeUpdate(replace(node, unschedulable=True))
    if kind == "shrink":
        return NodeUpdate(replace(node, allocatable=NOTHING, capacity=NOTHING))
    return NodeRemoval(node.name)


@st.composite
def batch_stress_scenarios(
    draw: st.DrawFn,
    *,
    profiles: tuple[Profile, ...],
    options: st.SearchStrategy[BatchingOptions] | None = None,
    min_nodes: int = 3,
    max_nodes: int = 6,
    min_pods: int = 3,
    max_pods: int = 8,
    max_events: int = 3,
) -> Scenario:
    """A run of identical pods on roomy nodes with 1 to ``max_events`` batch-breaking events."""
    _check_size(min_nodes, max_nodes)
    _check_size(min_pods, max_pods)
    _check_size(1, max_events)
    if min_pods < 2:
        raise ValueError("min_pods must be at least 2: events go between pods")
    world = roomy(draw(clusters(min_nodes=min_nodes, max_nodes=max_nodes, max_existing_pods=0)))
    shapes: tuple[Shape, ...] = ("one-per-node", "several-per-node")
    shape = draw(st.sampled_from(shapes))
    queue = draw(workloads(shape=shape, min_size=min_pods, max_size=max_pods))
    # One pod per node exhausts the batch after len(nodes) pods: events go while it still lives.
    last = len(queue) - 1 if shape == "several-per-node" else max(1, min(len(queue), len(world.nodes)) - 1)
    events: list[tuple[int, Event]] = []
    for _ in range(draw(st.integers(1, max_events))):
        position = draw(st.integers(1, last))
        kind = draw(st.sampled_from(EVENT_KINDS))
        if kind == "expire":
            events.append((position, ClockJump(0.6)))
        elif kind == "clock":
            events.append((position, ClockJump(0.3)))
        else:
            events.append((position, _invalidating(draw(st.sampled_from(world.nodes)), kind)))
    stream = tuple(sorted(events, key=lambda item: item[0]))
    return Scenario(world, queue, profiles, stream, draw(options) if options is not None else BatchingOptions())
