"""A cluster as a value: nodes, bound pods and cluster objects, from which snapshots are made."""

from __future__ import annotations

from dataclasses import dataclass, field

from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.framework.features import FeatureGates
from batchproof.model.manifests.load import ClusterObjects
from batchproof.model.objects import Node, Pod


@dataclass(frozen=True, slots=True)
class Cluster:
    """Nodes, pods already bound to them (``spec.nodeName``) and Namespaces/Services/controllers."""

    nodes: tuple[Node, ...]
    existing: tuple[Pod, ...] = ()
    objects: ClusterObjects = field(default_factory=ClusterObjects)

    def snapshot(self, features: FeatureGates | None = None) -> Snapshot:
        """A fresh snapshot of this cluster."""
        gates = features or FeatureGates()
        return Snapshot(self.nodes, self.existing, objects=self.objects, pod_level_resources=gates.pod_level_resources)
