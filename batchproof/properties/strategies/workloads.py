"""Strategies for workloads (runs of identical pods) and event streams, combined into scenarios.

Workload shapes: one pod per node (every pod claims the same host port), several per node
(small requests on roomy nodes), interleaved signatures (two templates alternating) and pods of
another profile in between. Event streams change nodes, remove nodes, delete pods and jump the
clock past the batch age.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from hypothesis import strategies as st

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import ContainerPort, Pod, Taint
from batchproof.model.profiles import Profile
from batchproof.properties.events import ClockJump, Event, NodeRemoval, NodeUpdate, PodDeletion
from batchproof.properties.lockstep import BatchingOptions, Scenario
from batchproof.properties.strategies.clusters import clusters
from batchproof.properties.strategies.objects import _check_size, label_maps, pods, taints
from batchproof.properties.world import Cluster

Shape = Literal["one-per-node", "several-per-node", "interleaved", "other-profile", "any"]
SHAPES: tuple[Shape, ...] = ("one-per-node", "several-per-node", "interleaved", "other-profile")
OTHER_SCHEDULER = "other-scheduler"


def signable_templates() -> st.SearchStrategy[Pod]:
    """Pods that in-tree signers can sign: no pod affinity, no spread constraints, no claims."""
    return pods(affinity=False, spread=False, volumes_=False)


def _copies(template: Pod, count: int, prefix: str) -> list[Pod]:
    return [replace(template, name=f"{prefix}-{i}", uid=f"uid-{prefix}-{i}") for i in range(count)]


def _one_per_node(template: Pod) -> Pod:
    port = ContainerPort(container_port=8080, host_port=8080, protocol="TCP")
    first, *rest = template.containers
    # The other containers keep their ports except one repeating 8080/TCP (checkHostPortConflicts).
    others = tuple(replace(c, ports=tuple(p for p in c.ports if p != port)) for c in rest)
    return replace(template, containers=(replace(first, ports=(port,)), *others))


def _small(template: Pod) -> Pod:
    small = FrozenDict({"cpu": 100, "memory": 64 * 1024 * 1024})
    return replace(
        template,
        containers=tuple(replace(c, requests=small, limits=FrozenDict(), ports=()) for c in template.containers),
        init_containers=(),
    )


def workloads(*, shape: Shape = "any", min_size: int = 2, max_size: int = 10) -> st.SearchStrategy[tuple[Pod, ...]]:
    """A queue of pods of the given shape."""
    _check_size(min_size, max_size)
    # Inner strategies are built once here, not inside every draw.
    return _workloads(signable_templates(), shape, st.integers(min_size, max_size))


@st.composite
def _workloads(
    draw: st.DrawFn, templates: st.SearchStrategy[Pod], shape: Shape, counts: st.SearchStrategy[int]
) -> tuple[Pod, ...]:
    chosen: Shape = draw(st.sampled_from(SHAPES)) if shape == "any" else shape
    count = draw(counts)
    template = draw(templates)
    if chosen == "one-per-node":
        return tuple(_copies(_one_per_node(template), count, "run"))
    if chosen == "several-per-node":
        return tuple(_copies(_small(template), count, "run"))
    other = draw(templates)
    first, second = _copies(template, count, "a"), _copies(other, count, "b")
    if chosen == "other-profile":
        second = [replace(p, scheduler_name=OTHER_SCHEDULER) for p in _copies(template, count, "b")]
    mixed = [pod for pair in zip(first, second, strict=True) for pod in pair]
    return tuple(mixed[:count])


@st.composite
def event_streams(
    draw: st.DrawFn, cluster: Cluster, pods_: tuple[Pod, ...], *, max_events: int = 3
) -> tuple[tuple[int, Event], ...]:
    """Events placed before some pods: node label/taint/resource changes, removals, deletions, clock jumps."""
    events: list[tuple[int, Event]] = []
    for _ in range(draw(st.integers(0, max_events))):
        position = draw(st.integers(1, max(1, len(pods_) - 1)))
        node = draw(st.sampled_from(cluster.nodes))
        kind = draw(st.sampled_from(("labels", "taint", "resources", "remove", "delete", "clock")))
        event: Event
        if kind == "labels":
            event = NodeUpdate(replace(node, labels=FrozenDict({**node.labels, **draw(label_maps(max_size=1))})))
        elif kind == "taint":
            new: Taint = draw(taints())
            event = NodeUpdate(replace(node, taints=(*node.taints, new)))
        elif kind == "resources":
            halved = FrozenDict({k: v // 2 for k, v in node.allocatable.items()})
            event = NodeUpdate(replace(node, allocatable=halved, capacity=halved))
        elif kind == "remove":
            event = NodeRemoval(node.name)
        elif kind == "delete":
            target = draw(st.sampled_from(pods_[:position]))
            event = PodDeletion(target.key)
        else:
            event = ClockJump(draw(st.sampled_from((0.2, 0.6))))
        events.append((position, event))
    return tuple(sorted(events, key=lambda item: item[0]))


def scenarios(
    *,
    profiles: tuple[Profile, ...],
    shape: Shape = "any",
    events: bool = False,
    options: st.SearchStrategy[BatchingOptions] | None = None,
    min_nodes: int = 2,
    max_nodes: int = 8,
    min_pods: int = 2,
    max_pods: int = 10,
) -> st.SearchStrategy[Scenario]:
    """A cluster, a workload, optionally an event stream, for the given profiles."""
    worlds = clusters(min_nodes=min_nodes, max_nodes=max_nodes, max_existing_pods=3, existing_pods=signable_templates())
    queues = workloads(shape=shape, min_size=min_pods, max_size=max_pods)
    return scenarios_from(worlds, queues, profiles=profiles, events=events, options=options)


@st.composite
def scenarios_from(
    draw: st.DrawFn,
    worlds: st.SearchStrategy[Cluster],
    queues: st.SearchStrategy[tuple[Pod, ...]],
    *,
    profiles: tuple[Profile, ...],
    events: bool,
    options: st.SearchStrategy[BatchingOptions] | None,
) -> Scenario:
    """A scenario: a cluster from ``worlds``, a queue from ``queues``, with ``events`` a stream.

    ``options`` None means the default batching options.
    """
    world = draw(worlds)
    queue = draw(queues)
    stream = draw(event_streams(world, queue)) if events else ()
    return Scenario(world, queue, profiles, stream, draw(options) if options is not None else BatchingOptions())


def other_profile(profile: Profile) -> Profile:
    """The same profile under the second scheduler name used by "other-profile" workloads."""
    return replace(profile, scheduler_name=OTHER_SCHEDULER)


def roomy(cluster: Cluster) -> Cluster:
    """Untainted copies of the nodes, big enough for several small pods each (a helper for tests)."""
    big = FrozenDict({"cpu": 8000, "memory": 16 * 1024**3, "pods": 110})
    return replace(
        cluster,
        nodes=tuple(replace(n, allocatable=big, capacity=big, taints=(), unschedulable=False) for n in cluster.nodes),
    )
