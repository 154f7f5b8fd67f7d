"""The generators a campaign searches with: equal-signature pair searches and lockstep scenarios.

These are the searches of the property suite (tests/properties) as library values, so a campaign
and a pytest run look for the same things; each is built from the shared strategies. Given a
``pool_seed`` (the campaign passes its seed), nodes and pods are mostly picked from pools of those
strategies' examples (:mod:`~batchproof.properties.strategies.pools`).
"""

from __future__ import annotations

import functools
from dataclasses import replace

from hypothesis import strategies as st

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import (
    ContainerPort,
    Node,
    Pod,
)
from batchproof.model.profiles import Profile
from batchproof.properties.fitted_pairs import moved_pair_cases
from batchproof.properties.lockstep import BatchingOptions, Scenario
from batchproof.properties.moves import container_moves, label_moves, port_moves, request_moves
from batchproof.properties.signatures import PairCase, PluginUnderTest, pair_cases
from batchproof.properties.strategies.clusters import clusters
from batchproof.properties.strategies.objects import (
    SELECTED_LABELS,
    anti_affinity_pods,
    host_port_pods,
    lean_pods,
    nodes,
    pods,
    sparse_request_pods,
)
from batchproof.properties.strategies.pools import pooled
from batchproof.properties.strategies.resizing import preferring_nodes
from batchproof.properties.strategies.workloads import (
    OTHER_SCHEDULER,
    SHAPES,
    Shape,
    other_profile,
    scenarios_from,
)

MI = 1024 * 1024
PREFERENCE_WEIGHTS = (1, 2, 3, 5, 8, 10)


def signable_pods(pool_seed: int | None = None) -> st.SearchStrategy[Pod]:
    """Pods the in-tree signers can sign (no pod affinity, spread constraints or volumes).

    With ``pool_seed``, mostly picked from a pool drawn once for that seed
    (:mod:`~batchproof.properties.strategies.pools`).
    """
    base = pods(affinity=False, spread=False, volumes_=False)
    return base if pool_seed is None else pooled(base, key="signable-pods", seed_value=pool_seed)


def _nodes(pool_seed: int | None) -> st.SearchStrategy[Node] | None:
    """Pooled nodes for ``pool_seed``, or None for the clusters' own fresh ones."""
    return None if pool_seed is None else pooled(nodes(), key="nodes", seed_value=pool_seed)


def all_plugin_pairs(pool_seed: int | None = None) -> st.SearchStrategy[PairCase]:
    """Pairs over the whole pod surface on small clusters with anti-affinity pods already bound.

    With ``pool_seed`` the pods and nodes are mostly pooled.
    """
    signable = signable_pods(pool_seed)
    small = clusters(
        max_nodes=4,
        max_existing_pods=3,
        existing_pods=st.one_of(signable, anti_affinity_pods()),
        nodes_=_nodes(pool_seed),
    )
    every = pods() if pool_seed is None else pooled(pods(), key="pods", seed_value=pool_seed)
    return st.one_of(pair_cases(first=signable, cluster=small), pair_cases(first=every, cluster=small))


def _pod_affinity_pairs(pool_seed: int | None) -> st.SearchStrategy[PairCase]:
    first = lean_pods(namespaces=("default", "ns1"), labels=SELECTED_LABELS)
    generic = pair_cases(
        first=first,
        max_mutations=1,
        cluster=clusters(
            max_nodes=3,
            min_existing_pods=1,
            max_existing_pods=3,
            existing_pods=anti_affinity_pods(namespaces=("default", "ns1")),
            nodes_=_nodes(pool_seed),
        ),
    )
    return st.one_of(generic, moved_pair_cases(first, (label_moves,)))


def gap_searches(pool_seed: int | None = None) -> dict[str, tuple[PluginUnderTest, st.SearchStrategy[PairCase]]]:
    """Targeted pair searches, one per plugin whose upstream signer has a gap (spec §10.6).

    Half the pairs are generic mutants of lean pods on clusters where the plugin's results depend
    on few fields, so a mutation lands on the interesting ones often; the other half are the
    boundary moves of the gap's fields (:mod:`~batchproof.properties.moves`) on clusters fitted
    to the pair, so that some node tells the two pods apart.
    """
    ipa = _pod_affinity_pairs(pool_seed)
    pooled_nodes = _nodes(pool_seed)
    ports = host_port_pods()
    requests = sparse_request_pods()
    return {
        "host-ports": (
            PluginUnderTest("NodePorts"),
            st.one_of(
                pair_cases(
                    first=ports,
                    max_mutations=1,
                    cluster=clusters(
                        max_nodes=3,
                        min_existing_pods=1,
                        max_existing_pods=3,
                        existing_pods=host_port_pods(),
                        nodes_=pooled_nodes,
                    ),
                ),
                moved_pair_cases(ports, (port_moves,)),
            ),
        ),
        "container-requests": (
            PluginUnderTest("NodeResourcesFit"),
            st.one_of(
                pair_cases(
                    first=requests,
                    max_mutations=1,
                    cluster=clusters(max_nodes=2, max_existing_pods=1, nodes_=pooled_nodes),
                ),
                moved_pair_cases(requests, (request_moves, container_moves)),
            ),
        ),
        "pod-labels": (
            PluginUnderTest(
                "InterPodAffinity", {"ignorePreferredTermsOfExistingPods": True}, "InterPodAffinity/IgnorePreferred"
            ),
            ipa,
        ),
        "pod-namespace": (PluginUnderTest("InterPodAffinity"), ipa),
    }


def preferring_scenarios(
    *, profile: Profile, options: BatchingOptions, pool_seed: int | None = None
) -> st.SearchStrategy[Scenario]:
    """One-pod-per-node runs of pods preferring some nodes by name (spec §10.2's worked example).

    Nodes are opened up (no hard taints, room for pods) so that several compete on score, and
    the preferred terms get distinct weights, so the first pod's node usually holds the maximum.
    """
    fast = fast_scenarios(
        profiles=(profile,),
        shape="one-per-node",
        min_nodes=4,
        max_nodes=6,
        min_pods=3,
        max_pods=5,
        pool_seed=pool_seed,
    )
    return _preferring_scenarios(fast, options)


# Built once rather than inside every draw (the node picks once per node count).
_WEIGHT_ORDERS = st.permutations(PREFERENCE_WEIGHTS)
_CPUS = st.sampled_from((500, 800, 1000, 1500))
_MEMORIES = st.sampled_from((256 * MI, 1024 * MI))


@functools.cache
def _node_picks(count: int) -> st.SearchStrategy[list[int]]:
    """Two to ``count`` distinct node positions."""
    return st.lists(st.sampled_from(range(count)), min_size=2, max_size=count, unique=True)


@st.composite
def _preferring_scenarios(draw: st.DrawFn, fast: st.SearchStrategy[Scenario], options: BatchingOptions) -> Scenario:
    """Weights and requests that make max-normalised NodeAffinity compete with NodeResourcesFit."""
    base = draw(fast)
    nodes = tuple(_open(node) for node in base.cluster.nodes)
    chosen = [nodes[i].name for i in draw(_node_picks(len(nodes)))]
    # Distinct weights, so that the first pod's node usually holds the strict maximum.
    weights = draw(_WEIGHT_ORDERS)
    affinity = preferring_nodes({name: weights[i % len(weights)] for i, name in enumerate(chosen)})
    cpu = draw(_CPUS)
    requests = FrozenDict({"cpu": cpu, "memory": draw(_MEMORIES)})
    queue = []
    for pod in base.pods:
        # Limits go too: a limit left without its request (an extended resource) would be
        # defaulted back into the requests when the finding's manifests are read.
        first = replace(pod.containers[0], requests=requests, limits=FrozenDict())
        queue.append(replace(pod, affinity=affinity, containers=(first,), init_containers=()))
    return replace(base, cluster=replace(base.cluster, nodes=nodes), pods=tuple(queue), options=options)


def _open(node: Node) -> Node:
    """The node schedulable, without hard taints, with room for many pods.

    More nodes then compete on score; PreferNoSchedule taints, which TaintToleration normalises,
    stay.
    """
    pods = {"pods": 110}
    return replace(
        node,
        taints=tuple(t for t in node.taints if t.effect == "PreferNoSchedule"),
        unschedulable=False,
        allocatable=FrozenDict({**node.allocatable, **pods}),
        capacity=FrozenDict({**node.capacity, **pods}),
    )


def lockstep_scenarios(
    *, profile: Profile, options: BatchingOptions, events: bool, shape: Shape = "any", pool_seed: int | None = None
) -> st.SearchStrategy[Scenario]:
    """Generated workloads for the profile and a second profile under another scheduler name."""
    return fast_scenarios(
        profiles=(profile, other_profile(profile)), shape=shape, events=events, options=options, pool_seed=pool_seed
    )


def _copies(template: Pod, count: int, prefix: str) -> list[Pod]:
    return [replace(template, name=f"{prefix}-{i}", uid=f"uid-{prefix}-{i}") for i in range(count)]


def _one_per_node(template: Pod) -> Pod:
    port = ContainerPort(container_port=8080, host_port=8080, protocol="TCP")
    first = template.containers[0]
    return replace(template, containers=(replace(first, ports=(port,)), *template.containers[1:]))


def _small(template: Pod) -> Pod:
    small = FrozenDict({"cpu": 100, "memory": 64 * MI})
    return replace(
        template,
        containers=tuple(replace(c, requests=small, ports=()) for c in template.containers),
        init_containers=(),
    )


@st.composite
def _workloads(
    draw: st.DrawFn, templates: st.SearchStrategy[Pod], shape: Shape, min_size: int, max_size: int
) -> tuple[Pod, ...]:
    chosen: Shape = draw(st.sampled_from(SHAPES)) if shape == "any" else shape
    count = draw(st.integers(min_size, max_size))
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


def fast_scenarios(
    *,
    profiles: tuple[Profile, ...],
    shape: Shape = "any",
    events: bool = False,
    options: BatchingOptions | None = None,
    min_nodes: int = 2,
    max_nodes: int = 8,
    min_pods: int = 2,
    max_pods: int = 10,
    pool_seed: int | None = None,
) -> st.SearchStrategy[Scenario]:
    """The suite's ``scenarios()`` with its inner strategies built once rather than on every draw.

    Drawing is most of a lockstep example's cost when ``pods()`` and ``clusters()`` are rebuilt
    inside each draw; the workload shapes are those of
    :func:`batchproof.properties.strategies.workloads.workloads`. With ``pool_seed`` nodes,
    bound pods and templates are mostly picked from pools drawn once for that seed.
    """
    templates = signable_pods(pool_seed)
    worlds = clusters(
        min_nodes=min_nodes, max_nodes=max_nodes, max_existing_pods=3, existing_pods=templates, nodes_=_nodes(pool_seed)
    )
    queues = _workloads(templates, shape, min_pods, max_pods)
    chosen = st.just(options or BatchingOptions())
    return scenarios_from(worlds, queues, profiles=profiles, events=events, options=chosen)
