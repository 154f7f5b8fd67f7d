"""Shared pieces of the volume plugins: PVC/PV lookups, claim names and the volume signers.

The lookups read the snapshot's ClusterObjects the way upstream reads its PVC and PV listers;
a missing object yields the lister's NotFound text (``persistentvolumeclaim "x" not found``).
Generic ephemeral volumes resolve to the PVC ``<pod name>-<volume name>``
(k8s.io/component-helpers/storage/ephemeral VolumeClaimName).

Signers: every volume plugin signs ``VolumesSigner`` (helpers/signers.py) in both modes. The
strict mode adds what the Filters read beyond the volume sources:

* ``v1.Pod.Namespace`` whenever the plugin resolves a claim name, because claim names are
  namespaced: the same ``claimName`` in two namespaces names two different PVCs;
* ``v1.Pod.Spec.Volumes.EphemeralClaimNames()`` for generic ephemeral volumes, because their
  PVC name is built from the pod name and the volume name, neither of which VolumesSigner keeps.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from batchproof.model.framework.interfaces import SignerMode, SignFragment
from batchproof.model.manifests.load import ClusterObjects
from batchproof.model.objects import JsonValue, PersistentVolume, PersistentVolumeClaim, Pod, Volume
from batchproof.model.plugins.helpers.signers import NAMESPACE_SIGNER, VOLUMES_SIGNER, volumes_fragment

PVC_SOURCE = "persistentVolumeClaim"
EPHEMERAL_SOURCE = "ephemeral"
READ_WRITE_ONCE_POD = "ReadWriteOncePod"
# strict-mode key: the PVC names of generic ephemeral volumes (pod name + "-" + volume name)
EPHEMERAL_CLAIM_NAMES_SIGNER = "v1.Pod.Spec.Volumes.EphemeralClaimNames()"


@dataclass(frozen=True, slots=True)
class ClaimRef:
    """A pod volume that names a PVC: the claim name and whether it is a generic ephemeral one."""

    volume: str
    claim_name: str
    ephemeral: bool


def ephemeral_claim_name(pod: Pod, volume: Volume) -> str:
    """Return the PVC name of a generic ephemeral volume (ephemeral.VolumeClaimName)."""
    return f"{pod.name}-{volume.name}"


def claim_refs(pod: Pod, *, include_ephemeral: bool) -> Iterator[ClaimRef]:
    """Yield the pod's PVC volumes (and generic ephemeral ones when asked), in spec order.

    A persistentVolumeClaim volume without a string ``claimName`` yields an empty claim name,
    as the Go struct's zero value does.
    """
    for volume in pod.volumes:
        if volume.source_type == PVC_SOURCE:
            yield ClaimRef(volume.name, volume.claim_name or "", ephemeral=False)
        elif include_ephemeral and volume.source_type == EPHEMERAL_SOURCE:
            yield ClaimRef(volume.name, ephemeral_claim_name(pod, volume), ephemeral=True)


def find_claim(objects: ClusterObjects, namespace: str, name: str) -> PersistentVolumeClaim | None:
    """Find the PVC ``namespace/name``; None if the snapshot has none."""
    for claim in objects.claims:
        if claim.namespace == namespace and claim.name == name:
            return claim
    return None


def find_volume(objects: ClusterObjects, name: str) -> PersistentVolume | None:
    """Find the PV ``name``; None if the snapshot has none."""
    for volume in objects.volumes:
        if volume.name == name:
            return volume
    return None


def claim_not_found(name: str) -> str:
    """Return the PVC lister's NotFound message."""
    return f'persistentvolumeclaim "{name}" not found'


def volume_not_found(name: str) -> str:
    """Return the PV lister's NotFound message."""
    return f'persistentvolume "{name}" not found'


def claim_class(claim: PersistentVolumeClaim) -> str:
    """Return the claim's class name, "" when unset (GetPersistentVolumeClaimClass)."""
    return claim.storage_class_name or ""


def _field(source: JsonValue, key: str) -> JsonValue:
    return source.get(key) if isinstance(source, Mapping) else None


def source_string(source: JsonValue, key: str) -> str:
    """Read a string field of a volume source; "" when absent (Go's zero value)."""
    value = _field(source, key)
    return value if isinstance(value, str) else ""


def source_bool(source: JsonValue, key: str) -> bool:
    """Read a bool field of a volume source; False when absent."""
    return _field(source, key) is True


def source_strings(source: JsonValue, key: str) -> tuple[str, ...]:
    """Read a string-list field of a volume source; () when absent."""
    value = _field(source, key)
    if not isinstance(value, tuple | list):
        return ()
    return tuple(item for item in value if isinstance(item, str))


def volume_sign_fragments(pod: Pod, mode: SignerMode, *, include_ephemeral: bool) -> tuple[SignFragment, ...]:
    """Return the volume plugins' SignPod fragments.

    Args:
        pod: the pod to sign.
        mode: ``upstream`` signs VolumesSigner only; ``strict`` adds the namespace when the pod
            has a volume the plugin resolves to a PVC, and the ephemeral claim names.
        include_ephemeral: the plugin resolves generic ephemeral volumes to PVCs as well as
            persistentVolumeClaim volumes.

    """
    fragments = [SignFragment(VOLUMES_SIGNER, volumes_fragment(pod))]
    if mode == "strict":
        refs = list(claim_refs(pod, include_ephemeral=include_ephemeral))
        if refs:
            fragments.append(SignFragment(NAMESPACE_SIGNER, pod.namespace))
        ephemeral = sorted(ref.claim_name for ref in refs if ref.ephemeral)
        if ephemeral:
            fragments.append(SignFragment(EPHEMERAL_CLAIM_NAMES_SIGNER, ephemeral))
    return tuple(fragments)
