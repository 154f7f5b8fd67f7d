"""The volume plugins' shared model: signed volume sources, the namespace and ephemeral claim names.

Every volume plugin resolves the pod's claims (a persistentVolumeClaim volume's ``claimName``;
a generic ephemeral volume's ``<pod name>-<volume name>``) *in the pod's namespace* and then asks
the cluster about each claim. :class:`VolumeModel` keeps that structure: a pod is two volume
slots (an opaque source and a name), a namespace and a pod name; a source's kind (configMap or
secret, PVC, ephemeral, inline disk, migratable, other) is one uninterpreted function, so a
source has exactly one kind; the fragments are VolumesSigner (the set of signed sources) and, in
strict mode, the namespace (when the pod has claims) and the ephemeral claim names. The four
plugins (:mod:`.volume_plugins`) ask per-claim questions of the cluster.

Assumption (API validation): a persistentVolumeClaim volume names its claim (non-empty
``claimName``) and volume names are unique within the pod. Shape: two volumes per pod, pod name
and namespace; the nodes, PVCs, PVs and existing pods of a fixed catalog cluster.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import z3

from batchproof.model.frozen import FrozenDict
from batchproof.model.manifests.load import ClusterObjects
from batchproof.model.manifests.reader import thaw_json
from batchproof.model.objects import (
    Container,
    Namespace,
    Node,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    PersistentVolume,
    PersistentVolumeClaim,
    Pod,
    Volume,
)
from batchproof.model.plugins.helpers.signers import canonical_json
from batchproof.model.plugins.helpers.volumes import EPHEMERAL_SOURCE, PVC_SOURCE
from batchproof.model.plugins.node_volume_limits import MIGRATABLE_INLINE_SOURCES
from batchproof.model.plugins.volume_restrictions import RESTRICTED_SOURCES
from batchproof.properties.symbolic.encoder import (
    Domain,
    Encoder,
    Expr,
    OutOfModel,
    all_of,
    any_of,
)
from batchproof.properties.symbolic.model import ClusterVars, Part, Slot, SymbolicModel, multiset_equal
from batchproof.properties.world import Cluster

DRIVER = "csi.example.com"
LIMIT_KEY = f"attachable-volumes-csi-{DRIVER}"
HOSTNAME, ZONE = "kubernetes.io/hostname", "topology.kubernetes.io/zone"
Source = tuple[str, Any]


def _source_key(source: Source) -> str:
    return canonical_json({source[0]: thaw_json(source[1])})


def pvc_source(name: str) -> Source:
    """A persistentVolumeClaim source naming ``name``."""
    return (PVC_SOURCE, FrozenDict({"claimName": name}))


SOURCES = Domain(
    "volume_source",
    (
        ("configMap", FrozenDict({"name": "cfg"})),
        ("emptyDir", FrozenDict()),
        ("gcePersistentDisk", FrozenDict({"pdName": "pd-1"})),
        pvc_source("claim-a"),
        pvc_source("claim-b"),
        pvc_source("claim-c"),
        pvc_source("missing"),
        (
            EPHEMERAL_SOURCE,
            FrozenDict({"volumeClaimTemplate": FrozenDict({"spec": FrozenDict({"storageClassName": "standard"})})}),
        ),
    ),
    _source_key,
)
POD_NAMES = Domain("pod_name", ("p", "q"))
VOLUME_NAMES = Domain("volume_name", ("data", "scratch"))
NAMESPACES = Domain("namespace", ("default", "ns1"))
CLAIM_NAMES = Domain(
    "claim_name",
    (
        "",
        "claim-a",
        "claim-b",
        "claim-c",
        "missing",
        *(f"{p}-{v}" for p in POD_NAMES.catalog for v in VOLUME_NAMES.catalog),
    ),
)
NODE_NAMES = Domain("volume_node", ("node-0", "node-1"))
UNIQUE = Domain("unique_volume", (None, *(f"{DRIVER}/pv-{x}" for x in "abc")))
LIMIT_KEYS = Domain("limit_key", (None, LIMIT_KEY))

CATALOG = Cluster(
    nodes=(
        Node(
            "node-0",
            labels=FrozenDict({HOSTNAME: "node-0", ZONE: "zone-a"}),
            allocatable=FrozenDict({LIMIT_KEY: 1, "pods": 110}),
        ),
        Node(
            "node-1",
            labels=FrozenDict({HOSTNAME: "node-1", ZONE: "zone-b"}),
            allocatable=FrozenDict({LIMIT_KEY: 2, "pods": 110}),
        ),
    ),
    existing=(
        Pod(
            name="holder",
            node_name="node-0",
            containers=(Container("c0"),),
            volumes=(
                Volume("data", *pvc_source("claim-a")),
                Volume("disk", "gcePersistentDisk", FrozenDict({"pdName": "pd-1"})),
            ),
        ),
    ),
    objects=ClusterObjects(
        namespaces=(Namespace("default"), Namespace("ns1")),
        claims=(
            PersistentVolumeClaim("claim-a", "default", volume_name="pv-a", access_modes=("ReadWriteOncePod",)),
            PersistentVolumeClaim("claim-a", "ns1", volume_name="pv-b"),
            PersistentVolumeClaim("claim-b", "default", storage_class_name="standard"),
            PersistentVolumeClaim("claim-c", "default"),
            PersistentVolumeClaim("p-data", "default", volume_name="pv-c"),
        ),
        volumes=(
            PersistentVolume(
                "pv-a",
                labels=FrozenDict({ZONE: "zone-a"}),
                node_affinity=(NodeSelectorTerm((NodeSelectorRequirement(HOSTNAME, "In", ("node-0",)),)),),
                csi_driver=DRIVER,
            ),
            PersistentVolume("pv-b", labels=FrozenDict({ZONE: "zone-b"}), csi_driver=DRIVER),
            PersistentVolume("pv-c", csi_driver=DRIVER),
        ),
    ),
)
SHAPE = "2 volumes, pod name and namespace; a fixed catalog cluster (2 nodes, 5 PVCs, 3 PVs, 1 existing pod)"


@dataclass(frozen=True, slots=True)
class VolumeVars:
    """A volume slot: present, its source and its name."""

    present: Expr
    source: Expr
    name: Expr


@dataclass(frozen=True, slots=True)
class PodVars:
    """Volumes, namespace and pod name."""

    volumes: tuple[VolumeVars, ...]
    namespace: Expr
    name: Expr


UNSIGNED, PVC, EPHEMERAL, RESTRICTED_MIGRATABLE, RESTRICTED, MIGRATABLE, OTHER = range(7)


def _kind(source_type: str) -> int:
    """The category of a volume source type, as the volume plugins and VolumesSigner treat it."""
    if source_type in ("configMap", "secret"):
        return UNSIGNED
    if source_type == PVC_SOURCE:
        return PVC
    if source_type == EPHEMERAL_SOURCE:
        return EPHEMERAL
    restricted, migratable = source_type in RESTRICTED_SOURCES, source_type in MIGRATABLE_INLINE_SOURCES
    if restricted:
        return RESTRICTED_MIGRATABLE if migratable else RESTRICTED
    return MIGRATABLE if migratable else OTHER


def source_volume(source: Source) -> Volume:
    """An unnamed volume with this source."""
    return Volume("", source[0], source[1])


class VolumeModel(SymbolicModel):
    """Volume slots, namespace and pod name; the plugin subclasses add ``result``."""

    nodes = 1
    shape = SHAPE
    include_ephemeral = True

    def fresh_pod(self, enc: Encoder, prefix: str) -> PodVars:
        """Two optional volumes, a namespace and a name."""
        volumes = tuple(
            VolumeVars(
                enc.flag(f"{prefix}.v{i}.present"),
                enc.opaque(SOURCES, f"{prefix}.v{i}.source"),
                enc.opaque(VOLUME_NAMES, f"{prefix}.v{i}.name"),
            )
            for i in range(2)
        )
        return PodVars(volumes, enc.opaque(NAMESPACES, f"{prefix}.namespace"), enc.opaque(POD_NAMES, f"{prefix}.name"))

    def fresh_cluster(self, enc: Encoder) -> ClusterVars:
        """One node of the catalog cluster."""
        return ClusterVars((enc.opaque(NODE_NAMES, "n0"),), world=CATALOG.snapshot())

    def pod_of(self, enc: Encoder, pod: Pod) -> PodVars:
        """Volumes, namespace and name.

        Raises:
            OutOfModel: a persistentVolumeClaim volume without a claim name (invalid upstream).

        """
        for volume in pod.volumes:
            if volume.source_type == PVC_SOURCE and not volume.claim_name:
                raise OutOfModel("a persistentVolumeClaim volume without claimName")
        true = z3.BoolVal(True)
        return PodVars(
            tuple(
                VolumeVars(true, enc.const(SOURCES, (v.source_type, v.source)), enc.const(VOLUME_NAMES, v.name))
                for v in pod.volumes
            ),
            enc.const(NAMESPACES, pod.namespace),
            enc.const(POD_NAMES, pod.name),
        )

    def cluster_of(self, enc: Encoder, cluster: Cluster) -> ClusterVars:
        """Node names; the snapshot answers every per-claim question."""
        snapshot = cluster.snapshot()
        return ClusterVars(tuple(enc.const(NODE_NAMES, i.name) for i in snapshot.node_infos()), world=snapshot)

    def _kinds(self, enc: Encoder) -> dict[str, Any]:
        """Predicates on a source, all derived from one uninterpreted kind (a source has one type)."""
        kind = enc.fn("source_kind", lambda s: _kind(s[0]), [SOURCES], "int")
        return {
            "pvc": lambda s: kind(s) == PVC,
            "ephemeral": lambda s: kind(s) == EPHEMERAL,
            "signed": lambda s: kind(s) != UNSIGNED,
            "restricted": lambda s: z3.Or(kind(s) == RESTRICTED_MIGRATABLE, kind(s) == RESTRICTED),
            "migratable": lambda s: z3.Or(kind(s) == RESTRICTED_MIGRATABLE, kind(s) == MIGRATABLE),
            "claim": enc.fn("claim_name", lambda s: source_volume(s).claim_name or "", [SOURCES], CLAIM_NAMES),
            "ephemeral_claim": enc.fn(
                "ephemeral_claim", lambda p, v: f"{p}-{v}", [POD_NAMES, VOLUME_NAMES], CLAIM_NAMES
            ),
        }

    def claims(self, enc: Encoder, pod: PodVars) -> list[tuple[Expr, Expr]]:
        """(is this slot a claim, its claim name) per volume slot the plugin resolves."""
        k = self._kinds(enc)
        out = []
        for volume in pod.volumes:
            pvc = z3.And(volume.present, k["pvc"](volume.source))
            if not self.include_ephemeral:
                out.append((pvc, k["claim"](volume.source)))
                continue
            ephemeral = z3.And(volume.present, k["ephemeral"](volume.source))
            name = z3.If(pvc, k["claim"](volume.source), k["ephemeral_claim"](pod.name, volume.name))
            out.append((z3.Or(pvc, ephemeral), name))
        return out

    def assumptions(self, enc: Encoder, pod: PodVars) -> Expr:
        """PVC volumes name a claim; volume names are unique."""
        k = self._kinds(enc)
        named = all_of(
            z3.Implies(z3.And(v.present, k["pvc"](v.source)), k["claim"](v.source) != enc.const(CLAIM_NAMES, ""))
            for v in pod.volumes
        )
        a, b = pod.volumes
        return z3.And(named, z3.Implies(z3.And(a.present, b.present), a.name != b.name))

    def fragment(self, enc: Encoder, a: PodVars, b: PodVars, mode: str) -> list[Part]:
        """VolumesSigner; strict adds the namespace (with claims) and the ephemeral claim names."""
        k = self._kinds(enc)

        def signed(p: PodVars) -> list[Slot]:
            return [Slot(z3.And(v.present, k["signed"](v.source)), (v.source,)) for v in p.volumes]

        parts = [Part("Volumes.NonSyntheticSources()", multiset_equal(signed(a), signed(b)))]
        if mode == "strict":
            has_a = any_of(is_claim for is_claim, _ in self.claims(enc, a))
            has_b = any_of(is_claim for is_claim, _ in self.claims(enc, b))
            parts.append(Part("Namespace", z3.And(has_a == has_b, z3.Implies(has_a, a.namespace == b.namespace))))
            if self.include_ephemeral:

                def ephemeral(p: PodVars) -> list[Slot]:
                    return [
                        Slot(z3.And(v.present, k["ephemeral"](v.source)), (k["ephemeral_claim"](p.name, v.name),))
                        for v in p.volumes
                    ]

                parts.append(Part("Volumes.EphemeralClaimNames()", multiset_equal(ephemeral(a), ephemeral(b))))
        return parts

    def decode_pod(self, enc: Encoder, model: Any, pod: PodVars, name: str) -> Pod:
        """The pod in a model (its own name and namespace)."""
        volumes = []
        for volume in pod.volumes:
            if enc.read_bool(model, volume.present):
                kind, body = enc.read_opaque(model, SOURCES, volume.source)
                volumes.append(Volume(enc.read_opaque(model, VOLUME_NAMES, volume.name), kind, body))
        return Pod(
            name=enc.read_opaque(model, POD_NAMES, pod.name),
            namespace=enc.read_opaque(model, NAMESPACES, pod.namespace),
            containers=(Container("c0"),),
            volumes=tuple(volumes),
        )

    def decode_cluster(self, enc: Encoder, model: Any, cluster: ClusterVars) -> Cluster:
        """The catalog cluster with the chosen node first."""
        chosen = enc.read_opaque(model, NODE_NAMES, cluster.nodes[0])
        ordered = tuple(sorted(CATALOG.nodes, key=lambda n: n.name != chosen))
        return Cluster(ordered, CATALOG.existing, CATALOG.objects)
