"""Hypothesis strategies for what the symbolic models cover and the general strategies rarely make.

* :func:`volume_pods` and :func:`volume_clusters`: pods with PVC, generic ephemeral, inline disk
  and projected volumes, and clusters with PVCs, PVs (zones, hostname affinity, CSI drivers),
  attach limits and existing pods holding claims; names and namespaces collide on purpose;
* :func:`image_pods`: pods with image volumes;
* :func:`fit_scenarios`: runs of identical pods with cpu requests under a NodeResourcesFit-only
  profile, biased to exact fits (the shape of the adversarial exact-fit and tie clusters);
* :func:`preferring_scenarios`: one-pod-per-node runs under the spec §10.2 profile, where
  preferred node affinity competes with NodeResourcesFit (the shape of a normalisation inversion).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import strategies as st

from batchproof.model.frozen import FrozenDict
from batchproof.model.manifests.load import ClusterObjects
from batchproof.model.objects import (
    Affinity,
    Container,
    Namespace,
    Node,
    NodeAffinity,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    PersistentVolume,
    PersistentVolumeClaim,
    Pod,
    PreferredSchedulingTerm,
    Volume,
)
from batchproof.properties.lockstep import BatchingOptions, Scenario
from batchproof.properties.strategies.objects import pods
from batchproof.properties.symbolic.adversarial import FIT_PROFILE, INVERSION_PROFILE, MI, NODE_MEMORY, POD_MEMORY
from batchproof.properties.symbolic.encodings.images import IMAGES
from batchproof.properties.symbolic.encodings.volumes import DRIVER, HOSTNAME, LIMIT_KEY, SOURCES, ZONE
from batchproof.properties.world import Cluster

NAMESPACES = ("default", "ns1", "ns2")
VOLUME_NAMES = ("data", "scratch", "cache", "disk")
EXTRA_SOURCES: tuple[tuple[str, FrozenDict[str, Any]], ...] = (
    ("secret", FrozenDict({"secretName": "s"})),
    ("awsElasticBlockStore", FrozenDict({"volumeID": "vol-1"})),
    ("azureDisk", FrozenDict({"diskName": "d", "diskURI": "uri"})),
    ("rbd", FrozenDict({"monitors": ("m1",), "image": "img"})),
    ("gcePersistentDisk", FrozenDict({"pdName": "pd-1", "readOnly": True})),
    ("persistentVolumeClaim", FrozenDict({"claimName": "claim-z"})),
    ("ephemeral", FrozenDict({"volumeClaimTemplate": FrozenDict({"spec": FrozenDict()})})),
)
SOURCE_POOL = (*SOURCES.catalog, *EXTRA_SOURCES)
CLAIM_NAMES = ("claim-a", "claim-b", "claim-c", "claim-z", "p-data", "q-data", "p-scratch", "r-cache")
PV_NAMES = ("pv-a", "pv-b", "pv-c", "pv-d")


def volume_pods(*, max_volumes: int = 3) -> st.SearchStrategy[Pod]:
    """Pods with up to ``max_volumes`` volumes of every kind the volume plugins treat differently."""
    volume = st.builds(
        lambda name, source: Volume(name, source[0], source[1]),
        st.sampled_from(VOLUME_NAMES),
        st.sampled_from(SOURCE_POOL),
    )
    return st.builds(
        Pod,
        name=st.sampled_from(("p", "q", "r")),
        namespace=st.sampled_from(NAMESPACES),
        containers=st.just((Container("c0"),)),
        volumes=st.lists(volume, max_size=max_volumes, unique_by=lambda v: v.name).map(tuple),
    )


def _claims() -> st.SearchStrategy[PersistentVolumeClaim]:
    return st.builds(
        PersistentVolumeClaim,
        name=st.sampled_from(CLAIM_NAMES),
        namespace=st.sampled_from(NAMESPACES),
        volume_name=st.sampled_from(("", *PV_NAMES, "pv-gone")),
        storage_class_name=st.sampled_from((None, "standard")),
        access_modes=st.sampled_from(((), ("ReadWriteOnce",), ("ReadWriteOncePod",))),
    )


def _volumes() -> st.SearchStrategy[PersistentVolume]:
    zones = st.sampled_from((FrozenDict(), FrozenDict({ZONE: "zone-a"}), FrozenDict({ZONE: "zone-a__zone-b"})))
    affinity = st.sampled_from((None, (NodeSelectorTerm((NodeSelectorRequirement(HOSTNAME, "In", ("node-0",)),)),)))
    return st.builds(
        PersistentVolume,
        name=st.sampled_from(PV_NAMES),
        labels=zones,
        node_affinity=affinity,
        csi_driver=st.sampled_from(("", DRIVER)),
    )


def _volume_node(name: str, zone: str | None, limit: int | None) -> Node:
    labels = {HOSTNAME: name, **({ZONE: zone} if zone else {})}
    allocatable = {"pods": 110, **({LIMIT_KEY: limit} if limit is not None else {})}
    return Node(name, labels=FrozenDict(labels), allocatable=FrozenDict(allocatable))


@st.composite
def volume_clusters(draw: st.DrawFn, *, max_nodes: int = 3) -> Cluster:
    """Nodes with zones and CSI attach limits, PVCs and PVs from small pools, and pods holding claims."""
    count = draw(st.integers(1, max_nodes))
    nodes = tuple(
        _volume_node(
            f"node-{i}", draw(st.sampled_from((None, "zone-a", "zone-b"))), draw(st.sampled_from((None, 0, 1, 2)))
        )
        for i in range(count)
    )
    existing = tuple(
        replace(pod, name=f"existing-{i}", node_name=draw(st.sampled_from(nodes)).name)
        for i, pod in enumerate(draw(st.lists(volume_pods(max_volumes=2), max_size=2)))
    )
    claims = draw(st.lists(_claims(), max_size=5, unique_by=lambda c: (c.namespace, c.name)))
    volumes = draw(st.lists(_volumes(), max_size=3, unique_by=lambda v: v.name))
    namespaces = tuple(Namespace(n) for n in NAMESPACES)
    return Cluster(nodes, existing, ClusterObjects(namespaces=namespaces, claims=tuple(claims), volumes=tuple(volumes)))


def image_pods() -> st.SearchStrategy[Pod]:
    """Signable pods, some with image volumes referencing the image pool."""
    volume = st.builds(
        lambda name, ref: Volume(name, "image", FrozenDict({"reference": ref})),
        st.sampled_from(("v0", "v1")),
        st.sampled_from((*IMAGES.catalog, "nginx:1.25", "redis:7")),
    )
    return st.builds(
        lambda pod, extra: replace(pod, volumes=pod.volumes + tuple(extra)),
        pods(affinity=False, spread=False, volumes_=False),
        st.lists(volume, max_size=2, unique_by=lambda v: v.name),
    )


def _fit_nodes(cpus: list[int]) -> tuple[Node, ...]:
    out = []
    for index, cpu in enumerate(cpus):
        name = f"node-{index}"
        allocatable = FrozenDict({"cpu": cpu, "memory": NODE_MEMORY, "pods": 110})
        out.append(Node(name, labels=FrozenDict({HOSTNAME: name}), capacity=allocatable, allocatable=allocatable))
    return tuple(out)


def _copies(template: Pod, count: int) -> tuple[Pod, ...]:
    return tuple(replace(template, name=f"pod-{i}", uid=f"uid-{i}") for i in range(count))


@st.composite
def fit_scenarios(draw: st.DrawFn, *, max_nodes: int = 3, max_pods: int = 4) -> Scenario:
    """Identical pods with a cpu request on nodes sized at, just under or well above multiples of it."""
    request = draw(st.sampled_from((100, 150, 250, 500)))
    cpus = [
        draw(
            st.one_of(st.sampled_from((request, 2 * request, 2 * request - 1, 3 * request)), st.integers(request, 4000))
        )
        for _ in range(draw(st.integers(2, max_nodes)))
    ]
    template = Pod(containers=(Container("c0", requests=FrozenDict({"cpu": request, "memory": POD_MEMORY})),))
    pods_ = _copies(template, draw(st.integers(2, max_pods)))
    return Scenario(Cluster(_fit_nodes(cpus)), pods_, (FIT_PROFILE,), options=BatchingOptions("g3"))


@st.composite
def preferring_scenarios(draw: st.DrawFn, *, max_nodes: int = 4) -> Scenario:
    """Best-effort pods preferring labelled nodes, one pod per node (pods allocatable 1)."""
    count = draw(st.integers(3, max_nodes))
    weights = [draw(st.integers(1, 100)) for _ in range(count)]
    nodes = []
    for index in range(count):
        name = f"node-{index}"
        labels = {HOSTNAME: name, **{f"pref-{j}": "yes" for j in range(count) if draw(st.booleans())}}
        allocatable = FrozenDict(
            {"cpu": draw(st.sampled_from((200, 400, 1000, 2000, 4000))), "memory": 8192 * MI, "pods": 1}
        )
        nodes.append(Node(name, labels=FrozenDict(labels), capacity=allocatable, allocatable=allocatable))
    terms = tuple(
        PreferredSchedulingTerm(w, NodeSelectorTerm((NodeSelectorRequirement(f"pref-{j}", "In", ("yes",)),)))
        for j, w in enumerate(weights)
    )
    template = Pod(containers=(Container("c0"),), affinity=Affinity(node_affinity=NodeAffinity(preferred=terms)))
    return Scenario(
        Cluster(tuple(nodes)), _copies(template, count), (INVERSION_PROFILE,), options=BatchingOptions("g3")
    )
