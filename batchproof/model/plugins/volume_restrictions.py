"""VolumeRestrictions: inline disk conflicts and ReadWriteOncePod claims.

pkg/scheduler/framework/plugins/volumerestrictions/volume_restrictions.go.

* PreFilter looks up every persistentVolumeClaim volume in the pod's namespace (a missing PVC is
  UnschedulableAndUnresolvable ``persistentvolumeclaim "x" not found``), keeps the claims with
  the ReadWriteOncePod access mode and counts those already used by a pod anywhere in the
  snapshot (StorageInfos.IsPVCUsedByPods). It returns Skip when the pod has no GCE PD, AWS EBS,
  RBD or iSCSI volume and no such conflict.
* Filter fails with Unschedulable "node(s) had no available disk" when an inline disk conflicts
  with a pod on the node (GCE PD: same pdName unless both readOnly; AWS EBS: same volumeID;
  iSCSI: same IQN unless both readOnly; RBD: a shared monitor, same pool and image unless both
  readOnly), then with Unschedulable (not UnschedulableAndUnresolvable: upstream lets preemption
  free the claim) when a ReadWriteOncePod claim is in use. Without PreFilter state it returns
  Error after the disk check, like upstream.

Simplifications: decoded volume sources are not API-defaulted, so an RBD source without
``pool`` is compared as pool ``rbd`` (the API default). The PreFilter AddPod/RemovePod extensions
(used by preemption) are not modelled.

Signing: VolumesSigner in both modes. Strict adds the namespace for pods with a PVC volume: the
ReadWriteOncePod lookup resolves the claim name in the pod's namespace, so equal volume sources
in two namespaces can name a used and an unused claim.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import PluginContext, PreFilterResult, SignerMode, SignFragment
from batchproof.model.framework.status import SUCCESS, Status, skip, unresolvable, unschedulable
from batchproof.model.framework.status import error as error_status
from batchproof.model.objects import Pod, Volume
from batchproof.model.plugins.helpers.volumes import (
    PVC_SOURCE,
    READ_WRITE_ONCE_POD,
    claim_not_found,
    claim_refs,
    find_claim,
    source_bool,
    source_string,
    source_strings,
    volume_sign_fragments,
)
from batchproof.model.plugins.registry import PluginInfo

NAME = "VolumeRestrictions"
PRE_FILTER_STATE_KEY = "PreFilter" + NAME
ERR_REASON_DISK_CONFLICT = "node(s) had no available disk"
ERR_REASON_READ_WRITE_ONCE_POD_CONFLICT = (
    "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode"
)
RESTRICTED_SOURCES = frozenset({"gcePersistentDisk", "awsElasticBlockStore", "rbd", "iscsi"})
DEFAULT_RBD_POOL = "rbd"


@dataclass(frozen=True, slots=True)
class PreFilterState:
    """The pod's ReadWriteOncePod claim names and how many of them pods already use."""

    read_write_once_pod_claims: frozenset[str]
    conflicting_claim_ref_count: int


def needs_restrictions_check(volume: Volume) -> bool:
    """Tell whether the volume is a GCE PD, AWS EBS, RBD or iSCSI disk."""
    return volume.source_type in RESTRICTED_SOURCES


def _rbd_pool(source: Any) -> str:
    return source_string(source, "pool") or DEFAULT_RBD_POOL


def is_volume_conflict(volume: Volume, existing_pod: Pod) -> bool:
    """isVolumeConflict: ``volume`` clashes with one of ``existing_pod``'s volumes."""
    kind, source = volume.source_type, volume.source
    read_only = source_bool(source, "readOnly")
    for existing in existing_pod.volumes:
        if existing.source_type != kind:
            continue
        other = existing.source
        both_read_only = read_only and source_bool(other, "readOnly")
        if kind == "gcePersistentDisk":
            if source_string(source, "pdName") == source_string(other, "pdName") and not both_read_only:
                return True
        elif kind == "awsElasticBlockStore":
            if source_string(source, "volumeID") == source_string(other, "volumeID"):
                return True
        elif kind == "iscsi":
            if source_string(source, "iqn") == source_string(other, "iqn") and not both_read_only:
                return True
        elif kind == "rbd" and (
            set(source_strings(source, "monitors")) & set(source_strings(other, "monitors"))
            and _rbd_pool(source) == _rbd_pool(other)
            and source_string(source, "image") == source_string(other, "image")
            and not both_read_only
        ):
            return True
    return False


def satisfies_volume_conflicts(pod: Pod, node_info: NodeInfo) -> bool:
    """No restricted volume of ``pod`` conflicts with a pod on the node."""
    for volume in pod.volumes:
        if not needs_restrictions_check(volume):
            continue
        if any(is_volume_conflict(volume, existing) for existing in node_info.pods):
            return False
    return True


def _claim_used_by_pods(snapshot: Snapshot, namespace: str, claim_name: str) -> bool:
    return any(
        pod.namespace == namespace
        and any(v.source_type == PVC_SOURCE and v.claim_name == claim_name for v in pod.volumes)
        for pod in snapshot.pods()
    )


def compute_pre_filter_state(pod: Pod, snapshot: Snapshot) -> tuple[PreFilterState | None, Status]:
    """Compute the ReadWriteOncePod state (readWriteOncePodPVCsForPod, calPreFilterState)."""
    claims: set[str] = set()
    for ref in claim_refs(pod, include_ephemeral=False):
        claim = find_claim(snapshot.objects, pod.namespace, ref.claim_name)
        if claim is None:
            return None, unresolvable(claim_not_found(ref.claim_name))
        if READ_WRITE_ONCE_POD in claim.access_modes:
            claims.add(claim.name)
    conflicts = sum(1 for name in claims if _claim_used_by_pods(snapshot, pod.namespace, name))
    return PreFilterState(frozenset(claims), conflicts), SUCCESS


class VolumeRestrictions:
    """PreFilter and Filter on inline disk conflicts and ReadWriteOncePod claims."""

    name = NAME

    def __init__(self, signers: SignerMode) -> None:
        self._signers: SignerMode = signers

    def pre_filter(
        self, state: CycleState, pod: Pod, nodes: Sequence[NodeInfo]
    ) -> tuple[PreFilterResult | None, Status]:
        """Compute the ReadWriteOncePod state; Skip when nothing needs checking."""
        needs_check = any(needs_restrictions_check(volume) for volume in pod.volumes)
        computed, status = compute_pre_filter_state(pod, state.snapshot)
        if computed is None:
            return None, status
        if not needs_check and computed.conflicting_claim_ref_count == 0:
            return None, skip()
        state.write(PRE_FILTER_STATE_KEY, computed)
        return None, SUCCESS

    def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        """Disk conflicts on this node, then ReadWriteOncePod claims in use."""
        if not satisfies_volume_conflicts(pod, node_info):
            return unschedulable(ERR_REASON_DISK_CONFLICT)
        computed = state.read(PRE_FILTER_STATE_KEY)
        if not isinstance(computed, PreFilterState):
            return error_status(f'cannot read "{PRE_FILTER_STATE_KEY}" from cycleState')
        if computed.conflicting_claim_ref_count > 0:
            return unschedulable(ERR_REASON_READ_WRITE_ONCE_POD_CONFLICT)
        return SUCCESS

    def sign_pod(self, pod: Pod) -> tuple[tuple[SignFragment, ...] | None, Status]:
        """VolumesSigner; strict adds the namespace for pods with PVC volumes."""
        return volume_sign_fragments(pod, self._signers, include_ephemeral=False), SUCCESS


def _factory(args: Mapping[str, Any], context: PluginContext) -> VolumeRestrictions:
    return VolumeRestrictions(context.signers)


PLUGIN = PluginInfo(NAME, _factory)
