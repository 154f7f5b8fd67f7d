"""Strategies for clusters: nodes with pods already bound to them, and namespaces."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import strategies as st

from batchproof.model.frozen import FrozenDict
from batchproof.model.manifests.load import ClusterObjects
from batchproof.model.objects import Namespace, Node, Pod
from batchproof.properties.strategies.objects import _check_size, node_lists, numbered_node_lists, pods
from batchproof.properties.world import Cluster

NAMESPACE_OBJECTS = (
    Namespace("default", FrozenDict({"team": "a"})),
    Namespace("ns1", FrozenDict({"team": "a"})),
    Namespace("ns2", FrozenDict({"team": "b"})),
)


@st.composite
def _clusters(
    draw: st.DrawFn,
    *,
    node_strategy: st.SearchStrategy[list[Node]],
    counts: st.SearchStrategy[int],
    pod_strategy: st.SearchStrategy[Pod],
) -> Cluster:
    nodes = draw(node_strategy)
    bound = []
    for index in range(draw(counts)):
        pod = draw(pod_strategy)
        # The same choice as sampled_from(nodes), without hashing every node for its label.
        node = nodes[draw(st.sampled_from(range(len(nodes))))]
        bound.append(replace(pod, name=f"existing-{index}", node_name=node.name))
    # A composite returns the Cluster itself, so failing examples print as pasteable code.
    return Cluster(tuple(nodes), tuple(bound), ClusterObjects(namespaces=NAMESPACE_OBJECTS))


def clusters(
    *,
    min_nodes: int = 1,
    max_nodes: int = 6,
    min_existing_pods: int = 0,
    max_existing_pods: int = 4,
    existing_pods: st.SearchStrategy[Pod] | None = None,
    nodes_: st.SearchStrategy[Node] | None = None,
) -> st.SearchStrategy[Cluster]:
    """Clusters of unique nodes with ``min_existing_pods`` to ``max_existing_pods`` bound pods.

    With ``nodes_`` (e.g. pooled nodes) the nodes come from it, named ``node-0``, ``node-1``, ...
    """
    _check_size(min_nodes, max_nodes)
    _check_size(min_existing_pods, max_existing_pods)
    # Inner strategies are built once here, not inside every draw.
    return _clusters(
        node_strategy=(
            node_lists(min_size=min_nodes, max_size=max_nodes)
            if nodes_ is None
            else numbered_node_lists(nodes_, min_size=min_nodes, max_size=max_nodes)
        ),
        counts=st.integers(min_existing_pods, max_existing_pods),
        pod_strategy=existing_pods if existing_pods is not None else pods(),
    )
