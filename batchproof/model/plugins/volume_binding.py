"""VolumeBinding: the pod's PVCs must exist, and bound PVs must be reachable from the node.

pkg/scheduler/framework/plugins/volumebinding/volume_binding.go and binder.go.

* PreFilter (podHasPVCs, GetPodVolumeClaims, GetEligibleNodes): persistentVolumeClaim and
  generic ephemeral volumes (PVC ``<pod>-<volume>``) are looked up in the pod's namespace. A
  missing PVC is UnschedulableAndUnresolvable ``persistentvolumeclaim "x" not found`` (for an
  ephemeral volume: ``waiting for ephemeral volume controller to create the
  persistentvolumeclaim "x"``). A pod without such volumes gets Skip. An unbound PVC without a
  storage class is an unbound *immediate* claim: UnschedulableAndUnresolvable "pod has unbound
  immediate PersistentVolumeClaims". Bound PVs whose required node affinity has
  ``kubernetes.io/hostname In`` values restrict the nodes (a PreFilterResult of those names,
  intersected across PVs; no restriction if a bound PV is missing).
* Filter (FindPodVolumes): a bound claim whose PV is missing gives "node(s) unavailable due to one
  or more pvc(s) bound to non-existent pv(s)"; a PV whose required node affinity does not match
  the node's labels gives "node(s) had volume node affinity conflict" (the PV affinity is matched
  against a node made of the labels only, as volume.CheckNodeAffinity does, so ``matchFields``
  never match). Both are UnschedulableAndUnresolvable. Without PreFilter state: Error.
* PreScore/Score (volume_binding.go, v1.37): without the StorageCapacityScoring gate there is no
  scorer and PreScore returns Skip. With it (Beta, on by default in v1.37) PreScore succeeds and
  Score averages the capacity utilisation score of each storage class over the node's static
  bindings, or else its dynamic provisions with a known node capacity; the model produces neither
  (no PV matching and no CSIStorageCapacity, see below), so Score is 0 on every node, as upstream's
  scorer gives for no classes.

Simplifications (no StorageClass, CSIStorageCapacity, CSINode objects; PVCs carry no
annotations, status or owners; PVs no class, capacity or claimRef):

* a PVC with ``volumeName`` is fully bound (the bind-completed annotation and the ClaimLost phase
  are not modelled; PVCs being deleted are not modelled);
* an unbound PVC with a storage class uses a WaitForFirstConsumer class with a dynamic
  provisioner, no allowedTopologies and no capacity tracking: it is never matched to an existing
  PV and is dynamically provisionable on every node;
* ephemeral PVCs are assumed to be owned by their pod; in-tree PVs are not translated to CSI.

Signing: VolumesSigner in both modes. Strict adds the namespace (claims are resolved in it) and
the PVC names of ephemeral volumes (built from the pod name and the volume name, which the
VolumesSigner drops) — two upstream signature gaps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.errors import ConfigError
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import PluginContext, PreFilterResult, SignerMode, SignFragment
from batchproof.model.framework.status import SUCCESS, Status, skip, unresolvable
from batchproof.model.framework.status import error as error_status
from batchproof.model.manifests.load import ClusterObjects
from batchproof.model.objects import Node, PersistentVolume, PersistentVolumeClaim, Pod
from batchproof.model.plugins.helpers.node_selectors import terms_match
from batchproof.model.plugins.helpers.volumes import (
    claim_class,
    claim_not_found,
    claim_refs,
    find_claim,
    find_volume,
    volume_sign_fragments,
)
from batchproof.model.plugins.registry import PluginInfo

NAME = "VolumeBinding"
STATE_KEY = NAME
LABEL_HOSTNAME = "kubernetes.io/hostname"
ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind"
ERR_REASON_NODE_CONFLICT = "node(s) had volume node affinity conflict"
ERR_REASON_NOT_ENOUGH_SPACE = "node(s) did not have enough free storage"
ERR_REASON_PV_NOT_EXIST = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"
ERR_UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims"
DEFAULT_BIND_TIMEOUT_SECONDS = 600
MAX_CUSTOM_PRIORITY_SCORE = 10


@dataclass(frozen=True, slots=True)
class PodVolumeClaims:
    """The pod's PVCs split into bound and unbound-with-delayed-binding (GetPodVolumeClaims)."""

    bound: tuple[PersistentVolumeClaim, ...] = ()
    unbound_delay_binding: tuple[PersistentVolumeClaim, ...] = ()


@dataclass(frozen=True, slots=True)
class StateData:
    """PreFilter state; ``claims`` is None when the pod has no PVCs (PreFilter returned Skip)."""

    claims: PodVolumeClaims | None = None
    has_static_bindings: bool = False


def pod_volume_claims(pod: Pod, objects: ClusterObjects) -> tuple[PodVolumeClaims | None, Status]:
    """Resolve and classify the pod's PVCs (podHasPVCs, GetPodVolumeClaims); None: no PVC."""
    bound: list[PersistentVolumeClaim] = []
    delayed: list[PersistentVolumeClaim] = []
    immediate = False
    refs = list(claim_refs(pod, include_ephemeral=True))
    if not refs:
        return None, SUCCESS
    for ref in refs:
        claim = find_claim(objects, pod.namespace, ref.claim_name)
        if claim is None:
            if ref.ephemeral:
                return None, unresolvable(
                    f'waiting for ephemeral volume controller to create the persistentvolumeclaim "{ref.claim_name}"'
                )
            return None, unresolvable(claim_not_found(ref.claim_name))
        if claim.volume_name:
            bound.append(claim)
        elif claim_class(claim):
            delayed.append(claim)
        else:
            immediate = True
    if immediate:
        return None, unresolvable(ERR_UNBOUND_IMMEDIATE)
    return PodVolumeClaims(tuple(bound), tuple(delayed)), SUCCESS


def local_volume_node_names(volume: PersistentVolume) -> frozenset[str]:
    """util.GetLocalPersistentVolumeNodeNames: hostname In values, ANDed per term, ORed over terms."""
    result: set[str] = set()
    for term in volume.node_affinity or ():
        nodes: set[str] | None = None
        for requirement in term.match_expressions:
            if requirement.key == LABEL_HOSTNAME and requirement.operator == "In":
                values = set(requirement.values)
                nodes = values if nodes is None else nodes & values
        result |= nodes or set()
    return frozenset(result)


def eligible_nodes(bound: Sequence[PersistentVolumeClaim], objects: ClusterObjects) -> frozenset[str] | None:
    """GetEligibleNodes: node names allowed by local bound PVs; None means no restriction."""
    eligible: frozenset[str] | None = None
    for claim in bound:
        volume = find_volume(objects, claim.volume_name)
        if volume is None:
            return None
        names = local_volume_node_names(volume)
        if names:
            eligible = names if eligible is None else eligible & names
    return eligible


def volume_node_affinity_matches(volume: PersistentVolume, node: Node) -> bool:
    """volume.CheckNodeAffinity: required terms against a node holding only the labels."""
    if volume.node_affinity is None:
        return True
    return terms_match(volume.node_affinity, Node(name="", labels=node.labels))


def find_pod_volumes(claims: PodVolumeClaims, node: Node, objects: ClusterObjects) -> tuple[str, ...]:
    """FindPodVolumes: the conflict reasons for one node, in upstream order."""
    bound_satisfied = True
    bound_pvs_found = True
    for claim in claims.bound:
        volume = find_volume(objects, claim.volume_name)
        if volume is None:
            bound_pvs_found = False
            break
        if not volume_node_affinity_matches(volume, node):
            bound_satisfied = False
            break
    # unbound delayed-binding claims are always dynamically provisionable in this model
    reasons: list[str] = []
    if not bound_satisfied:
        reasons.append(ERR_REASON_NODE_CONFLICT)
    if not bound_pvs_found:
        reasons.append(ERR_REASON_PV_NOT_EXIST)
    return tuple(reasons)


class VolumeBinding:
    """PreFilter, Filter, PreScore and Score of the VolumeBinding plugin."""

    name = NAME

    def __init__(self, signers: SignerMode, *, capacity_scoring: bool) -> None:
        self._signers: SignerMode = signers
        self._capacity_scoring = capacity_scoring

    def pre_filter(
        self, state: CycleState, pod: Pod, nodes: Sequence[NodeInfo]
    ) -> tuple[PreFilterResult | None, Status]:
        """Resolve the pod's claims; Skip without PVCs; restrict nodes for local PVs."""
        objects = state.snapshot.objects
        claims, status = pod_volume_claims(pod, objects)
        if not status.is_success:
            return None, status
        if claims is None:
            state.write(STATE_KEY, StateData())
            return None, skip()
        eligible = eligible_nodes(claims.bound, objects)
        state.write(STATE_KEY, StateData(claims))
        return (None if eligible is None else PreFilterResult(eligible)), SUCCESS

    def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        """Bound PVs must exist and their node affinity must match the node."""
        data = state.read(STATE_KEY)
        if not isinstance(data, StateData):
            return error_status("not found")
        if data.claims is None:
            return SUCCESS
        reasons = find_pod_volumes(data.claims, node_info.node, state.snapshot.objects)
        return unresolvable(*reasons) if reasons else SUCCESS

    def pre_score(self, state: CycleState, pod: Pod, nodes: Sequence[NodeInfo]) -> Status:
        """Skip without StorageCapacityScoring (no scorer); with it, Success (v1.37 PreScore)."""
        if not self._capacity_scoring:
            return skip()
        data = state.read(STATE_KEY)
        if not isinstance(data, StateData):
            return error_status("not found")
        return SUCCESS

    def score(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> tuple[int, Status]:
        """0: the model has no static bindings, so there is no capacity to score."""
        if not self._capacity_scoring:
            return 0, SUCCESS
        if not isinstance(state.read(STATE_KEY), StateData):
            return 0, error_status("not found")
        return 0, SUCCESS

    def sign_pod(self, pod: Pod) -> tuple[tuple[SignFragment, ...] | None, Status]:
        """VolumesSigner; strict adds the namespace and the ephemeral claim names."""
        return volume_sign_fragments(pod, self._signers, include_ephemeral=True), SUCCESS


def _validate_shape(shape: Any) -> None:
    """Validate VolumeBindingArgs.shape (validateFunctionShape)."""
    if not isinstance(shape, list | tuple) or not shape:
        raise ConfigError(f"{NAME}: shape: Required value: at least one point must be specified")
    points: list[tuple[int, int]] = []
    for index, point in enumerate(shape):
        if not isinstance(point, Mapping):
            raise ConfigError(f"{NAME}: shape[{index}]: expected a {{utilization, score}} mapping")
        utilization, score = point.get("utilization", 0), point.get("score", 0)
        if not isinstance(utilization, int) or not isinstance(score, int):
            raise ConfigError(f"{NAME}: shape[{index}]: utilization and score must be integers")
        points.append((utilization, score))
    for index in range(1, len(points)):
        if points[index - 1][0] >= points[index][0]:
            raise ConfigError(
                f"{NAME}: shape[{index}].utilization: Invalid value: {points[index][0]}: "
                "values must be sorted in increasing order"
            )
    for index, (utilization, score) in enumerate(points):
        if not 0 <= utilization <= 100:
            raise ConfigError(
                f"{NAME}: shape[{index}].utilization: Invalid value: {utilization}: not in valid range [0, 100]"
            )
        if not 0 <= score <= MAX_CUSTOM_PRIORITY_SCORE:
            raise ConfigError(
                f"{NAME}: shape[{index}].score: Invalid value: {score}: "
                f"not in valid range [0, {MAX_CUSTOM_PRIORITY_SCORE}]"
            )


def _factory(args: Mapping[str, Any], context: PluginContext) -> VolumeBinding:
    """ValidateVolumeBindingArgsWithOptions, then the plugin."""
    timeout = args.get("bindTimeoutSeconds", DEFAULT_BIND_TIMEOUT_SECONDS)
    if not isinstance(timeout, int) or isinstance(timeout, bool):
        raise ConfigError(f"{NAME}: bindTimeoutSeconds: expected an integer, got {timeout!r}")
    if timeout < 0:
        raise ConfigError(
            f"{NAME}: bindTimeoutSeconds: Invalid value: {timeout}: "
            "invalid BindTimeoutSeconds, should not be a negative value"
        )
    capacity_scoring = context.features.storage_capacity_scoring
    shape = args.get("shape")
    if capacity_scoring:
        if shape is not None:
            _validate_shape(shape)
    elif shape is not None:
        raise ConfigError(
            f"{NAME}: shape: Invalid value: unexpected field `shape`, "
            "remove it or turn on the feature gate StorageCapacityScoring"
        )
    return VolumeBinding(context.signers, capacity_scoring=capacity_scoring)


PLUGIN = PluginInfo(NAME, _factory, {"bindTimeoutSeconds": DEFAULT_BIND_TIMEOUT_SECONDS})
