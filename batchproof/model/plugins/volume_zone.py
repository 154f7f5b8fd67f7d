"""VolumeZone: a bound PV's zone and region labels must match the node's.

pkg/scheduler/framework/plugins/volumezone/volume_zone.go.

* PreFilter resolves each persistentVolumeClaim volume in the pod's namespace and collects, for
  bound claims, the PV's ``failure-domain.beta.kubernetes.io/{zone,region}`` and
  ``topology.kubernetes.io/{zone,region}`` labels as value sets (``__``-separated, as
  cloud-provider LabelZonesToSet; a label with an empty element is ignored). Errors are
  UnschedulableAndUnresolvable: an empty claim name, a missing PVC or PV (lister NotFound
  text), an unbound PVC without a storage class. Skip when no PV carries a topology label.
* Filter passes pods without volumes and nodes without any of the four labels; otherwise every
  collected label must be on the node (a beta key falls back to its GA key) with a value in the
  set, else UnschedulableAndUnresolvable "node(s) had no available volume zone". Without
  PreFilter state it recomputes, like upstream.

Simplification: there are no StorageClass objects. An unbound PVC with a storage class is taken
to use WaitForFirstConsumer binding and is skipped (upstream skips it for that mode and rejects
Immediate or missing classes), consistent with VolumeBinding's model.

Signing: VolumesSigner in both modes; strict adds the namespace for pods with PVC volumes (the
claim name is resolved in it, so equal sources in two namespaces can reach PVs in different zones).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import PluginContext, PreFilterResult, SignerMode, SignFragment
from batchproof.model.framework.status import SUCCESS, Status, skip, unresolvable
from batchproof.model.manifests.load import ClusterObjects
from batchproof.model.objects import Pod
from batchproof.model.plugins.helpers.volumes import (
    claim_class,
    claim_not_found,
    claim_refs,
    find_claim,
    find_volume,
    volume_not_found,
    volume_sign_fragments,
)
from batchproof.model.plugins.registry import PluginInfo

NAME = "VolumeZone"
PRE_FILTER_STATE_KEY = "PreFilter" + NAME
ERR_REASON_CONFLICT = "node(s) had no available volume zone"
LABEL_FAILURE_DOMAIN_BETA_ZONE = "failure-domain.beta.kubernetes.io/zone"
LABEL_FAILURE_DOMAIN_BETA_REGION = "failure-domain.beta.kubernetes.io/region"
LABEL_TOPOLOGY_ZONE = "topology.kubernetes.io/zone"
LABEL_TOPOLOGY_REGION = "topology.kubernetes.io/region"
TOPOLOGY_LABELS = (
    LABEL_FAILURE_DOMAIN_BETA_ZONE,
    LABEL_FAILURE_DOMAIN_BETA_REGION,
    LABEL_TOPOLOGY_ZONE,
    LABEL_TOPOLOGY_REGION,
)
_GA_LABEL = {
    LABEL_FAILURE_DOMAIN_BETA_ZONE: LABEL_TOPOLOGY_ZONE,
    LABEL_FAILURE_DOMAIN_BETA_REGION: LABEL_TOPOLOGY_REGION,
}
MULTI_ZONE_DELIMITER = "__"


@dataclass(frozen=True, slots=True)
class PVTopology:
    """One topology label of a bound PV: the key and the allowed values."""

    pv_name: str
    key: str
    values: frozenset[str]


def label_zones_to_set(value: str) -> frozenset[str] | None:
    """LabelZonesToSet: ``__``-separated, trimmed values; None if any element is empty."""
    zones = [part.strip() for part in value.split(MULTI_ZONE_DELIMITER)]
    if any(not zone for zone in zones):
        return None
    return frozenset(zones)


def pv_topologies(pod: Pod, objects: ClusterObjects) -> tuple[tuple[PVTopology, ...], Status]:
    """getPVbyPod: the topology labels of the PVs bound to the pod's claims."""
    topologies: list[PVTopology] = []
    for ref in claim_refs(pod, include_ephemeral=False):
        if not ref.claim_name:
            return (), unresolvable("PersistentVolumeClaim had no name")
        claim = find_claim(objects, pod.namespace, ref.claim_name)
        if claim is None:
            return (), unresolvable(claim_not_found(ref.claim_name))
        if not claim.volume_name:
            if not claim_class(claim):
                return (), unresolvable("PersistentVolumeClaim had no pv name and storageClass name")
            continue  # modelled as WaitForFirstConsumer: unbound volumes are skipped
        volume = find_volume(objects, claim.volume_name)
        if volume is None:
            return (), unresolvable(volume_not_found(claim.volume_name))
        for key in TOPOLOGY_LABELS:
            if key in volume.labels:
                values = label_zones_to_set(volume.labels[key])
                if values is not None:
                    topologies.append(PVTopology(volume.name, key, values))
    return tuple(topologies), SUCCESS


class VolumeZone:
    """PreFilter and Filter on the zone/region labels of the pod's bound PVs."""

    name = NAME

    def __init__(self, signers: SignerMode) -> None:
        self._signers: SignerMode = signers

    def pre_filter(
        self, state: CycleState, pod: Pod, nodes: Sequence[NodeInfo]
    ) -> tuple[PreFilterResult | None, Status]:
        """Collect the PV topologies; Skip when there are none."""
        topologies, status = pv_topologies(pod, state.snapshot.objects)
        if not status.is_success:
            return None, status
        if not topologies:
            return None, skip()
        state.write(PRE_FILTER_STATE_KEY, topologies)
        return None, SUCCESS

    def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        """Every PV topology label must be matched by the node, if the node has any."""
        if not pod.volumes:
            return SUCCESS
        topologies = state.read(PRE_FILTER_STATE_KEY)
        if not isinstance(topologies, tuple):
            topologies, status = pv_topologies(pod, state.snapshot.objects)
            if not status.is_success:
                return status
        labels = node_info.node.labels
        if not any(key in labels for key in TOPOLOGY_LABELS):
            return SUCCESS  # single-zone clusters: nodes without topology labels accept all
        for topology in topologies:
            value = labels.get(topology.key)
            if value is None:
                value = labels.get(_GA_LABEL.get(topology.key, topology.key))
            if value is None or value not in topology.values:
                return unresolvable(ERR_REASON_CONFLICT)
        return SUCCESS

    def sign_pod(self, pod: Pod) -> tuple[tuple[SignFragment, ...] | None, Status]:
        """VolumesSigner; strict adds the namespace for pods with PVC volumes."""
        return volume_sign_fragments(pod, self._signers, include_ephemeral=False), SUCCESS


def _factory(args: Mapping[str, Any], context: PluginContext) -> VolumeZone:
    return VolumeZone(context.signers)


PLUGIN = PluginInfo(NAME, _factory)
