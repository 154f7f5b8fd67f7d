"""Frozen Kubernetes API objects: the pod and node surface that scheduler plugins read.

Field names are the snake_case of the v1 API. Resource lists hold scheduler units (milli-CPU for
``cpu``, bytes or counts otherwise) as exact integers; a key that is absent differs from a key
that is present with 0, as in Kubernetes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from batchproof.model.frozen import FrozenDict

ResourceList = FrozenDict[str, int]
Labels = FrozenDict[str, str]
JsonValue = Any  # a frozen JSON tree: FrozenDict / tuple / str / int / float / bool / None

DEFAULT_SCHEDULER_NAME = "default-scheduler"
DEFAULT_NAMESPACE = "default"


def _empty_resources() -> ResourceList:
    return FrozenDict()


def _empty_labels() -> Labels:
    return FrozenDict()


@dataclass(frozen=True, slots=True)
class OwnerReference:
    """metadata.ownerReferences[]: the controller that owns an object."""

    api_version: str
    kind: str
    name: str
    uid: str = ""
    controller: bool = False


@dataclass(frozen=True, slots=True)
class LabelSelectorRequirement:
    """A set-based label requirement: In, NotIn, Exists, DoesNotExist."""

    key: str
    operator: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LabelSelector:
    """metav1.LabelSelector; an empty selector matches everything."""

    match_labels: Labels = field(default_factory=_empty_labels)
    match_expressions: tuple[LabelSelectorRequirement, ...] = ()


@dataclass(frozen=True, slots=True)
class NodeSelectorRequirement:
    """A node selector requirement: In, NotIn, Exists, DoesNotExist, Gt, Lt."""

    key: str
    operator: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NodeSelectorTerm:
    """Requirements ANDed together; a term with none matches no node."""

    match_expressions: tuple[NodeSelectorRequirement, ...] = ()
    match_fields: tuple[NodeSelectorRequirement, ...] = ()


@dataclass(frozen=True, slots=True)
class PreferredSchedulingTerm:
    """A weighted preferred node selector term."""

    weight: int
    preference: NodeSelectorTerm


@dataclass(frozen=True, slots=True)
class NodeAffinity:
    """spec.affinity.nodeAffinity; ``required`` is None when the field is absent."""

    required: tuple[NodeSelectorTerm, ...] | None = None
    preferred: tuple[PreferredSchedulingTerm, ...] = ()


@dataclass(frozen=True, slots=True)
class PodAffinityTerm:
    """A pod (anti-)affinity term; ``namespace_selector`` None means the field is absent."""

    topology_key: str
    label_selector: LabelSelector | None = None
    namespaces: tuple[str, ...] = ()
    namespace_selector: LabelSelector | None = None
    match_label_keys: tuple[str, ...] = ()
    mismatch_label_keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WeightedPodAffinityTerm:
    """A preferred pod (anti-)affinity term with its weight."""

    weight: int
    term: PodAffinityTerm


@dataclass(frozen=True, slots=True)
class PodAffinity:
    """spec.affinity.podAffinity or podAntiAffinity."""

    required: tuple[PodAffinityTerm, ...] = ()
    preferred: tuple[WeightedPodAffinityTerm, ...] = ()


@dataclass(frozen=True, slots=True)
class Affinity:
    """spec.affinity."""

    node_affinity: NodeAffinity | None = None
    pod_affinity: PodAffinity | None = None
    pod_anti_affinity: PodAffinity | None = None


@dataclass(frozen=True, slots=True)
class Toleration:
    """spec.tolerations[]; an empty operator means Equal, an empty effect matches all effects."""

    key: str = ""
    operator: str = ""
    value: str = ""
    effect: str = ""
    toleration_seconds: int | None = None


@dataclass(frozen=True, slots=True)
class Taint:
    """spec.taints[] of a node."""

    key: str
    value: str = ""
    effect: str = ""


@dataclass(frozen=True, slots=True)
class TopologySpreadConstraint:
    """spec.topologySpreadConstraints[]; a None selector matches nothing."""

    max_skew: int
    topology_key: str
    when_unsatisfiable: str
    label_selector: LabelSelector | None = None
    min_domains: int | None = None
    node_affinity_policy: str | None = None
    node_taints_policy: str | None = None
    match_label_keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ContainerPort:
    """A container port; ``host_port`` 0 means the port is not exposed on the host."""

    container_port: int
    host_port: int = 0
    protocol: str = "TCP"
    host_ip: str = ""
    name: str = ""


@dataclass(frozen=True, slots=True)
class Container:
    """A container, init container or (restart_policy "Always" init container) sidecar."""

    name: str = ""
    image: str = ""
    image_pull_policy: str = ""
    ports: tuple[ContainerPort, ...] = ()
    requests: ResourceList = field(default_factory=_empty_resources)
    limits: ResourceList = field(default_factory=_empty_resources)
    restart_policy: str = ""

    @property
    def is_sidecar(self) -> bool:
        """True for a restartable init container (KEP-753)."""
        return self.restart_policy == "Always"


@dataclass(frozen=True, slots=True)
class Volume:
    """spec.volumes[]: the name, the source type (e.g. ``persistentVolumeClaim``) and its body."""

    name: str
    source_type: str
    source: JsonValue = field(default_factory=FrozenDict)

    @property
    def claim_name(self) -> str | None:
        """The PVC name of a persistentVolumeClaim volume, else None."""
        if self.source_type == "persistentVolumeClaim" and isinstance(self.source, FrozenDict):
            name = self.source.get("claimName")
            return name if isinstance(name, str) else None
        return None


@dataclass(frozen=True, slots=True)
class PodResourceClaim:
    """spec.resourceClaims[] (DRA)."""

    name: str
    resource_claim_name: str | None = None
    resource_claim_template_name: str | None = None


@dataclass(frozen=True, slots=True)
class Pod:
    """A v1 Pod with every field in-tree and common out-of-tree plugins read."""

    name: str = ""
    namespace: str = DEFAULT_NAMESPACE
    uid: str = ""
    labels: Labels = field(default_factory=_empty_labels)
    annotations: Labels = field(default_factory=_empty_labels)
    owner_references: tuple[OwnerReference, ...] = ()
    deletion_timestamp: str | None = None
    scheduler_name: str = DEFAULT_SCHEDULER_NAME
    node_name: str = ""
    priority: int | None = None
    priority_class_name: str = ""
    preemption_policy: str | None = None
    runtime_class_name: str | None = None
    host_network: bool = False
    os: str | None = None
    scheduling_gates: tuple[str, ...] = ()
    containers: tuple[Container, ...] = ()
    init_containers: tuple[Container, ...] = ()
    overhead: ResourceList = field(default_factory=_empty_resources)
    resources: Container | None = None  # pod-level resources: only requests/limits are used
    tolerations: tuple[Toleration, ...] = ()
    node_selector: Labels = field(default_factory=_empty_labels)
    affinity: Affinity | None = None
    topology_spread_constraints: tuple[TopologySpreadConstraint, ...] = ()
    volumes: tuple[Volume, ...] = ()
    resource_claims: tuple[PodResourceClaim, ...] = ()
    nominated_node_name: str = ""

    @property
    def key(self) -> str:
        """``namespace/name``, as the scheduler names pods in logs."""
        return f"{self.namespace}/{self.name}"

    @property
    def all_containers(self) -> tuple[Container, ...]:
        """Init containers followed by app containers."""
        return self.init_containers + self.containers


@dataclass(frozen=True, slots=True)
class ContainerImage:
    """status.images[] of a node."""

    names: tuple[str, ...]
    size_bytes: int = 0


@dataclass(frozen=True, slots=True)
class Node:
    """A v1 Node: identity, labels, taints, capacity and the images it holds."""

    name: str
    labels: Labels = field(default_factory=_empty_labels)
    annotations: Labels = field(default_factory=_empty_labels)
    capacity: ResourceList = field(default_factory=_empty_resources)
    allocatable: ResourceList = field(default_factory=_empty_resources)
    taints: tuple[Taint, ...] = ()
    unschedulable: bool = False
    images: tuple[ContainerImage, ...] = ()


@dataclass(frozen=True, slots=True)
class Namespace:
    """A v1 Namespace: InterPodAffinity resolves namespaceSelector against its labels."""

    name: str
    labels: Labels = field(default_factory=_empty_labels)


@dataclass(frozen=True, slots=True)
class Selecting:
    """A Service, ReplicaSet, ReplicationController or StatefulSet: an object selecting pods.

    PodTopologySpread builds default-constraint selectors from these
    (pkg/scheduler/framework/plugins/helper/spread.go DefaultSelector).
    ``selector`` is a label map for Services and ReplicationControllers and a LabelSelector
    for ReplicaSets and StatefulSets.
    """

    kind: str
    name: str
    namespace: str
    selector: LabelSelector | None = None
    uid: str = ""


@dataclass(frozen=True, slots=True)
class PersistentVolumeClaim:
    """A PVC: the fields the volume plugins read (simplified)."""

    name: str
    namespace: str
    volume_name: str = ""
    storage_class_name: str | None = None
    access_modes: tuple[str, ...] = ()
    labels: Labels = field(default_factory=_empty_labels)
    requests: ResourceList = field(default_factory=_empty_resources)  # spec.resources.requests


@dataclass(frozen=True, slots=True)
class PersistentVolume:
    """A PV: node affinity and zone labels read by VolumeBinding and VolumeZone (simplified)."""

    name: str
    labels: Labels = field(default_factory=_empty_labels)
    node_affinity: tuple[NodeSelectorTerm, ...] | None = None
    csi_driver: str = ""


@dataclass(frozen=True, slots=True)
class PriorityClass:
    """A scheduling.k8s.io/v1 PriorityClass: the Priority admission plugin reads its value."""

    name: str
    value: int
    global_default: bool = False
    preemption_policy: str | None = None
