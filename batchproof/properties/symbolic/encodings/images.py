"""ImageLocality: the spread-weighted sizes of the pod's images present on the node, clamped and scaled.

Per image, the node's contribution ``int(size * nodesWithImage / totalNodes)`` is an
uninterpreted function of the normalised image name and the node (it depends on the whole
cluster, which is fixed); image-name normalisation (``:latest``) is uninterpreted too. The sum
over every container, init container and image volume (duplicates count twice, and each counts
towards the threshold) goes through calculatePriority exactly: clamp to
[23 MiB, 1000 MiB x images] and ``100 * (sum - 23 MiB) / (max - 23 MiB)`` with Go division.

Shape: three container images and one image volume per pod; nodes of a fixed three-node cluster.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import z3

from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Container, ContainerImage, Node, Pod, Volume
from batchproof.model.plugins.image_locality import (
    IMAGE_VOLUME,
    MAX_CONTAINER_THRESHOLD,
    MB,
    MIN_THRESHOLD,
    node_image_names,
    normalized_image_name,
    scaled_image_score,
)
from batchproof.properties.symbolic.encoder import SUCCESS, Domain, Encoder, Expr, go_div, total
from batchproof.properties.symbolic.model import (
    ClusterVars,
    Part,
    Property,
    Slot,
    SymbolicModel,
    multiset_equal,
    set_equal,
)
from batchproof.properties.world import Cluster

IMAGES = Domain("image", ("nginx", "nginx:latest", "redis:7", "busybox", "busybox:latest"))
# One size per image name: the scheduler cache keeps the first size reported cluster-wide, so a
# name listed with two sizes would make the node order (which decoding changes) matter.
CATALOG_NODES = (
    Node("node-0", images=(ContainerImage(("nginx:latest",), 300 * MB), ContainerImage(("redis:7",), 900 * MB))),
    Node("node-1", images=(ContainerImage(("nginx:latest",), 300 * MB), ContainerImage(("redis:7",), 900 * MB))),
    Node("node-2", images=(ContainerImage(("busybox:latest",), 300 * MB),)),
)
NODE_NAMES = Domain("image_node", tuple(n.name for n in CATALOG_NODES))
MAX_SIZE = 1 << 40
SHAPE = "3 container images + 1 image volume per pod; a fixed 3-node cluster"


@dataclass(frozen=True, slots=True)
class PodVars:
    """Container images and image-volume references."""

    containers: tuple[Slot, ...]
    volumes: tuple[Slot, ...]


def _contribution(snapshot: Snapshot) -> Callable[[str, str], int]:
    total_nodes = len(snapshot)

    def contribution(image: str, node: str) -> int:
        info = snapshot.get(node)
        if info is None or image not in node_image_names(info.node):
            return 0
        return scaled_image_score(snapshot.image_size(image), snapshot.image_num_nodes(image), total_nodes)

    return contribution


class ImageLocalityModel(SymbolicModel):
    """ImageLocality: Score only."""

    title = plugin = "ImageLocality"
    properties: tuple[Property, ...] = ("score",)
    nodes = 1
    shape = SHAPE

    def fresh_pod(self, enc: Encoder, prefix: str) -> PodVars:
        """Optional container images and an optional image volume."""
        return PodVars(
            tuple(Slot(enc.flag(f"{prefix}.c{i}.present"), (enc.opaque(IMAGES, f"{prefix}.c{i}"),)) for i in range(3)),
            (Slot(enc.flag(f"{prefix}.v0.present"), (enc.opaque(IMAGES, f"{prefix}.v0"),)),),
        )

    def fresh_cluster(self, enc: Encoder) -> ClusterVars:
        """One node of the catalog cluster."""
        return ClusterVars((enc.opaque(NODE_NAMES, "n0"),), world=Snapshot(CATALOG_NODES))

    def pod_of(self, enc: Encoder, pod: Pod) -> PodVars:
        """Images of init and app containers, and image-volume references."""
        true = z3.BoolVal(True)
        references = []
        for volume in pod.volumes:
            if volume.source_type == IMAGE_VOLUME and isinstance(volume.source, FrozenDict):
                reference = volume.source.get("reference")
                references.append(reference if isinstance(reference, str) else "")
        return PodVars(
            tuple(Slot(true, (enc.const(IMAGES, c.image),)) for c in (*pod.init_containers, *pod.containers)),
            tuple(Slot(true, (enc.const(IMAGES, r),)) for r in references),
        )

    def cluster_of(self, enc: Encoder, cluster: Cluster) -> ClusterVars:
        """The node names; the snapshot supplies sizes and spread."""
        snapshot = cluster.snapshot()
        return ClusterVars(tuple(enc.const(NODE_NAMES, i.name) for i in snapshot.node_infos()), world=snapshot)

    def _normalized(self, enc: Encoder) -> Any:
        return enc.fn("normalized_image", normalized_image_name, [IMAGES], IMAGES)

    def fragment(self, enc: Encoder, a: PodVars, b: PodVars, mode: str) -> list[Part]:
        """ImageNamesSigner: the set of normalised container images.

        Upstream dedups them (image_locality.go SignPod); strict: the multiset, image volumes too.
        """
        norm = self._normalized(enc)

        def images(p: PodVars) -> list[Slot]:
            slots = [*p.containers, *p.volumes] if mode == "strict" else list(p.containers)
            return [Slot(s.present, (norm(s.key[0]),)) for s in slots]

        same = multiset_equal if mode == "strict" else set_equal
        return [Part("CanonicalImageNames()", same(images(a), images(b)))]

    def result(self, enc: Encoder, pod: PodVars, cluster: ClusterVars, prop: Property, node: int) -> tuple[Expr, ...]:
        """(Success, calculatePriority of the summed contributions)."""
        norm = self._normalized(enc)
        contribution = enc.fn("image_contribution", _contribution(cluster.world), [IMAGES, NODE_NAMES], "int")
        target = cluster.nodes[node]
        slots = [*pod.containers, *pod.volumes]
        for s in slots:
            enc.side.append(
                z3.And(contribution(norm(s.key[0]), target) >= 0, contribution(norm(s.key[0]), target) <= MAX_SIZE)
            )
        summed = total(z3.If(s.present, contribution(norm(s.key[0]), target), 0) for s in slots)
        count = total(z3.If(s.present, 1, 0) for s in slots)
        highest = MAX_CONTAINER_THRESHOLD * count
        clamped = z3.If(summed < MIN_THRESHOLD, MIN_THRESHOLD, z3.If(summed > highest, highest, summed))
        return (z3.IntVal(SUCCESS), go_div(100 * (clamped - MIN_THRESHOLD), highest - MIN_THRESHOLD))

    def assumptions(self, enc: Encoder, pod: PodVars) -> Expr:
        """A valid pod has at least one container."""
        return pod.containers[0].present

    def decode_pod(self, enc: Encoder, model: Any, pod: PodVars, name: str) -> Pod:
        """The pod in a model."""
        containers = tuple(
            Container(f"c{i}", image=enc.read_opaque(model, IMAGES, s.key[0]))
            for i, s in enumerate(pod.containers)
            if enc.read_bool(model, s.present)
        )
        volumes = tuple(
            Volume(f"v{i}", IMAGE_VOLUME, FrozenDict({"reference": enc.read_opaque(model, IMAGES, s.key[0])}))
            for i, s in enumerate(pod.volumes)
            if enc.read_bool(model, s.present)
        )
        return Pod(name=name, containers=containers, volumes=volumes)

    def decode_cluster(self, enc: Encoder, model: Any, cluster: ClusterVars) -> Cluster:
        """The catalog cluster, the chosen node first."""
        chosen = enc.read_opaque(model, NODE_NAMES, cluster.nodes[0])
        ordered = sorted(CATALOG_NODES, key=lambda n: n.name != chosen)
        return Cluster(tuple(ordered))
