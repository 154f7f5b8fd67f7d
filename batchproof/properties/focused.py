"""Focused signature pairs: a pod and a mutant that differ in one leaf under one pod attribute.

The generic pairs of :func:`~batchproof.properties.signatures.pair_cases` mutate anywhere in the
pod, so a pair that differs in exactly the one field a signer forgot (a toleration's effect, one
nodeSelector key, the nodeName) is rare. Confining the same generic mutator to the subtree of one
attribute in-tree plugins read makes such pairs common, so the consistency property catches a
signer that drops any single field of what its plugin reads within the ``ci`` budget.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import strategies as st

from batchproof.model.objects import Pod
from batchproof.properties.mutate import Mutation, mutate
from batchproof.properties.signatures import PairCase
from batchproof.properties.strategies.clusters import clusters
from batchproof.properties.strategies.objects import pods, stored_pod, taints
from batchproof.properties.world import Cluster

# Pod attributes in-tree plugins read (spec §3).
FOCUS_ATTRIBUTES = (
    "node_name",
    "namespace",
    "labels",
    "tolerations",
    "node_selector",
    "affinity",
    "containers",
    "init_containers",
    "overhead",
    "resources",
    "volumes",
)


@st.composite
def focused_pair_cases(
    draw: st.DrawFn,
    *,
    attribute: str,
    first: st.SearchStrategy[Pod] | None = None,
    cluster: st.SearchStrategy[Cluster] | None = None,
) -> PairCase:
    """A pod, a mutant differing from it in one leaf under ``attribute``, and a cluster.

    Raises:
        ValueError: ``attribute`` is not one of :data:`FOCUS_ATTRIBUTES`.

    """
    if attribute not in FOCUS_ATTRIBUTES:
        raise ValueError(f"attribute must be one of {', '.join(FOCUS_ATTRIBUTES)}")
    strategy = first if first is not None else pods()
    pod = draw(strategy)
    donor = draw(strategy)
    # The generic mutator over a one-element tuple holding just the attribute's value.
    inner, mutation = mutate(draw, (getattr(pod, attribute),), (getattr(donor, attribute),))
    mutant = replace(pod, **{attribute: inner[0]}) if inner else pod
    applied = Mutation(f"{attribute}{mutation.path.removeprefix('[0]')}", mutation.kind)
    # Stored as the API server would store it; a mutant it rejects is dropped (issue 12).
    stored = stored_pod(mutant)
    if stored is None:
        stored, applied = pod, Mutation("<root>", "dropped: rejected by validation")
    world = draw(cluster if cluster is not None else clusters())
    return PairCase(pod, stored, (applied,), world)


@st.composite
def tainted(draw: st.DrawFn, world: st.SearchStrategy[Cluster]) -> Cluster:
    """Clusters whose every node carries one or two taints of the taint pool (tolerations matter)."""
    cluster = draw(world)
    nodes = tuple(
        replace(node, taints=tuple(draw(st.lists(taints(), min_size=1, max_size=2, unique=True))))
        for node in cluster.nodes
    )
    return replace(cluster, nodes=nodes)


def all_focused_pair_cases(
    *, first: st.SearchStrategy[Pod] | None = None, cluster: st.SearchStrategy[Cluster] | None = None
) -> st.SearchStrategy[PairCase]:
    """Focused pairs over every attribute of :data:`FOCUS_ATTRIBUTES`."""
    return st.one_of(*(focused_pair_cases(attribute=a, first=first, cluster=cluster) for a in FOCUS_ATTRIBUTES))
