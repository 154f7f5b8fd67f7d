"""NodeVolumeLimits: unique CSI volumes per driver on a node must stay within the node's limit.

pkg/scheduler/framework/plugins/nodevolumelimits/csi.go (CSILimits).

* PreFilter: Skip unless the pod has a persistentVolumeClaim volume, a generic ephemeral volume
  or an inline volume of a CSI-migratable in-tree type.
* Filter: the incoming pod's claims are resolved in its namespace; a missing PVC is
  UnschedulableAndUnresolvable ``looking up PVC ns/x: persistentvolumeclaim "x" not found``
  (existing pods' missing PVCs are ignored). A claim bound to a PV with a CSI driver counts as the
  unique volume ``driver/handle`` under the limit key ``attachable-volumes-csi-<driver>``
  (GetCSIAttachLimitKey, hashed for long driver names). Volumes already attached by pods on the
  node are counted once and not again for the incoming pod. If the node has a limit for a key and
  attached + new > limit: Unschedulable "node(s) exceed max volume count". A node without
  ``attachable-volumes-*`` allocatable has no limits.

Simplifications, written down:

* limits come only from node allocatable ``attachable-volumes-csi-<driver>`` (the pre-1.18 node
  source, still read upstream); upstream today overrides them with CSINode
  ``spec.drivers[].allocatable.count``, and CSINode objects are not modelled;
* the PV model has no ``csi.volumeHandle``: the PV name stands in for it (PV names are unique,
  and so are handles within a driver in practice);
* unbound claims, and claims whose PV is missing, are counted upstream through their
  StorageClass's provisioner; without StorageClass objects they are not counted, which is what
  upstream does when the class is not found;
* in-tree volumes (inline or PV) are never translated to CSI: that needs the CSINode
  migrated-plugins annotation, which is not modelled, so they are not counted (as upstream when
  migration is off for the node). Inline CSI ephemeral volumes are not counted upstream either;
* the PVC of a generic ephemeral volume is assumed to be owned by its pod (PVC owners are not
  modelled, so ephemeral.VolumeIsForPod never fails).

Signing: VolumesSigner in both modes. Strict adds the namespace (claims are resolved in it) and
the ephemeral PVC names (built from the pod name and the volume name) — two upstream gaps.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import PluginContext, PreFilterResult, SignerMode, SignFragment
from batchproof.model.framework.status import SUCCESS, Status, skip, unresolvable, unschedulable
from batchproof.model.framework.status import error as error_status
from batchproof.model.manifests.load import ClusterObjects
from batchproof.model.objects import Pod
from batchproof.model.plugins.helpers.volumes import (
    claim_not_found,
    claim_refs,
    find_claim,
    find_volume,
    volume_sign_fragments,
)
from batchproof.model.plugins.registry import PluginInfo

NAME = "NodeVolumeLimits"
ERR_REASON_MAX_VOLUME_COUNT_EXCEEDED = "node(s) exceed max volume count"
ATTACHABLE_VOLUMES_PREFIX = "attachable-volumes-"
CSI_ATTACH_LIMIT_PREFIX = "attachable-volumes-csi-"
RESOURCE_NAME_LENGTH_LIMIT = 63
# csi-translation-lib: in-tree volume types that can be migrated to CSI (IsInlineMigratable)
MIGRATABLE_INLINE_SOURCES = frozenset(
    {
        "awsElasticBlockStore",
        "gcePersistentDisk",
        "azureDisk",
        "azureFile",
        "cinder",
        "vsphereVolume",
        "portworxVolume",
    }
)


class AttachableVolumesError(Exception):
    """filterAttachableVolumes failed; ``not_found`` marks a missing PVC of the incoming pod."""

    def __init__(self, message: str, *, not_found: bool = False) -> None:
        super().__init__(message)
        self.not_found = not_found


def csi_attach_limit_key(driver: str) -> str:
    """Return the allocatable name of a CSI driver's attach limit (GetCSIAttachLimitKey)."""
    if len(CSI_ATTACH_LIMIT_PREFIX) + len(driver) >= RESOURCE_NAME_LENGTH_LIMIT:
        hashed = hashlib.sha1(driver.encode(), usedforsecurity=False).hexdigest()[:16]
        return CSI_ATTACH_LIMIT_PREFIX + driver[:23] + hashed
    return CSI_ATTACH_LIMIT_PREFIX + driver


def attachable_volumes(pod: Pod, objects: ClusterObjects, *, new_pod: bool) -> dict[str, str]:
    """Map one pod's unique CSI volume names to their limit keys (filterAttachableVolumes).

    Raises:
        AttachableVolumesError: a claim has no name, or (for the incoming pod) its PVC is missing.

    """
    result: dict[str, str] = {}
    for ref in claim_refs(pod, include_ephemeral=True):
        if not ref.claim_name:
            raise AttachableVolumesError("PersistentVolumeClaim had no name")
        claim = find_claim(objects, pod.namespace, ref.claim_name)
        if claim is None:
            if new_pod:
                raise AttachableVolumesError(
                    f"looking up PVC {pod.namespace}/{ref.claim_name}: {claim_not_found(ref.claim_name)}",
                    not_found=True,
                )
            continue
        volume = find_volume(objects, claim.volume_name) if claim.volume_name else None
        if volume is None or not volume.csi_driver:
            continue  # StorageClass fallback and in-tree translation are not modelled
        result[f"{volume.csi_driver}/{volume.name}"] = csi_attach_limit_key(volume.csi_driver)
    return result


def volume_limits(node_info: NodeInfo) -> dict[str, int]:
    """Return the node's ``attachable-volumes-*`` allocatable entries."""
    return {k: v for k, v in node_info.node.allocatable.items() if k.startswith(ATTACHABLE_VOLUMES_PREFIX)}


class NodeVolumeLimits:
    """PreFilter and Filter on the CSI attach limits of a node (CSILimits)."""

    name = NAME

    def __init__(self, signers: SignerMode) -> None:
        self._signers: SignerMode = signers

    def pre_filter(
        self, state: CycleState, pod: Pod, nodes: Sequence[NodeInfo]
    ) -> tuple[PreFilterResult | None, Status]:
        """Skip pods without PVC, ephemeral or migratable inline volumes."""
        for volume in pod.volumes:
            if volume.source_type in ("persistentVolumeClaim", "ephemeral") or (
                volume.source_type in MIGRATABLE_INLINE_SOURCES
            ):
                return None, SUCCESS
        return None, skip()

    def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        """Attached plus new unique CSI volumes per driver must not exceed the node's limit."""
        if not pod.volumes:
            return SUCCESS
        objects = state.snapshot.objects
        try:
            new_volumes = attachable_volumes(pod, objects, new_pod=True)
        except AttachableVolumesError as failure:
            return unresolvable(str(failure)) if failure.not_found else error_status(str(failure))
        if not new_volumes:
            return SUCCESS
        limits = volume_limits(node_info)
        if not limits:
            return SUCCESS
        attached: dict[str, str] = {}
        try:
            for existing in node_info.pods:
                attached.update(attachable_volumes(existing, objects, new_pod=False))
        except AttachableVolumesError as failure:
            return error_status(str(failure))
        attached_count: dict[str, int] = {}
        for unique_name, key in attached.items():
            new_volumes.pop(unique_name, None)
            attached_count[key] = attached_count.get(key, 0) + 1
        new_count: dict[str, int] = {}
        for key in new_volumes.values():
            new_count[key] = new_count.get(key, 0) + 1
        for key, count in new_count.items():
            limit = limits.get(key)
            if limit is not None and attached_count.get(key, 0) + count > limit:
                return unschedulable(ERR_REASON_MAX_VOLUME_COUNT_EXCEEDED)
        return SUCCESS

    def sign_pod(self, pod: Pod) -> tuple[tuple[SignFragment, ...] | None, Status]:
        """VolumesSigner; strict adds the namespace and the ephemeral claim names."""
        return volume_sign_fragments(pod, self._signers, include_ephemeral=True), SUCCESS


def _factory(args: Mapping[str, Any], context: PluginContext) -> NodeVolumeLimits:
    return NodeVolumeLimits(context.signers)


PLUGIN = PluginInfo(NAME, _factory)
