"""VolumeRestrictions, VolumeZone, VolumeBinding and NodeVolumeLimits over :class:`.volumes.VolumeModel`.

Each per-claim (or per-source) question is an uninterpreted function of (claim name, namespace
[, node]), answered by the real helpers when concrete:

* VolumeRestrictions: a missing claim rejects (UnschedulableAndUnresolvable); PreFilter Skips
  without inline disks (GCE PD, EBS, RBD, iSCSI) and without a ReadWriteOncePod claim in use;
  Filter: a conflicting inline disk on the node, then a ReadWriteOncePod claim in use
  (Unschedulable);
* VolumeZone: a claim that cannot be resolved rejects; PreFilter Skips when no bound PV has zone or
  region labels; Filter passes nodes without such labels, else every claim's PV topology must
  match the node;
* VolumeBinding: a node is rejected iff some claim is missing, unbound without a class, bound to
  a missing PV, restricted to other hostnames, or bound to a PV whose node affinity the node
  fails; PreScore succeeds (StorageCapacityScoring is on by default in v1.37) unless PreFilter
  left no state (a missing or unbound immediate claim: Error), and Score is 0;
* NodeVolumeLimits: PreFilter Skips without PVC, ephemeral or migratable inline volumes; a
  missing claim rejects; the pod's new unique CSI volumes not yet attached on the node, counted per
  limit key, must stay within the node's limit (Unschedulable); an unreadable existing pod is an
  Error.
"""

from __future__ import annotations

from collections.abc import Callable

import z3

from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Pod, Volume
from batchproof.model.plugins.helpers.volumes import claim_class, find_claim, find_volume
from batchproof.model.plugins.node_volume_limits import (
    AttachableVolumesError,
    attachable_volumes,
    csi_attach_limit_key,
    volume_limits,
)
from batchproof.model.plugins.volume_binding import local_volume_node_names, volume_node_affinity_matches
from batchproof.model.plugins.volume_restrictions import compute_pre_filter_state, is_volume_conflict
from batchproof.model.plugins.volume_zone import TOPOLOGY_LABELS, pv_topologies
from batchproof.properties.symbolic.encoder import (
    ERROR,
    SUCCESS,
    UNRESOLVABLE,
    UNSCHEDULABLE,
    Encoder,
    Expr,
    all_of,
    any_of,
    total,
)
from batchproof.properties.symbolic.encodings.volumes import (
    CLAIM_NAMES,
    LIMIT_KEYS,
    NAMESPACES,
    NODE_NAMES,
    SOURCES,
    UNIQUE,
    PodVars,
    VolumeModel,
    pvc_source,
    source_volume,
)
from batchproof.properties.symbolic.model import ClusterVars, Property


def _claim_pod(claim: str, namespace: str) -> Pod:
    return Pod(name="claimant", namespace=namespace, volumes=(Volume("v", *pvc_source(claim)),))


def _zone_ok(world: Snapshot) -> Callable[[str, str, str], bool]:
    def ok(claim: str, namespace: str, node: str) -> bool:
        info = world.get(node)
        labels = info.node.labels if info is not None else FrozenDict()
        topologies, _ = pv_topologies(_claim_pod(claim, namespace), world.objects)
        for topology in topologies:
            value = labels.get(topology.key)
            if value is None:
                value = labels.get(topology.key.replace("failure-domain.beta.kubernetes.io", "topology.kubernetes.io"))
            if value is None or value not in topology.values:
                return False
        return True

    return ok


def _binding_bad(world: Snapshot) -> Callable[[str, str, str], bool]:
    def bad(claim_name: str, namespace: str, node: str) -> bool:
        claim = find_claim(world.objects, namespace, claim_name)
        if claim is None:
            return True
        if not claim.volume_name:
            return not claim_class(claim)
        volume = find_volume(world.objects, claim.volume_name)
        if volume is None:
            return True
        names = local_volume_node_names(volume)
        info = world.get(node)
        if names and node not in names:
            return True
        return info is None or not volume_node_affinity_matches(volume, info.node)

    return bad


def _binding_pre_filter_fails(world: Snapshot) -> Callable[[str, str], bool]:
    """VolumeBinding's PreFilter rejects the claim (missing, or unbound without a class)."""

    def fails(claim_name: str, namespace: str) -> bool:
        claim = find_claim(world.objects, namespace, claim_name)
        return claim is None or (not claim.volume_name and not claim_class(claim))

    return fails


def _unique(world: Snapshot) -> Callable[[str, str], str | None]:
    def unique(claim: str, namespace: str) -> str | None:
        try:
            found = attachable_volumes(_claim_pod(claim, namespace), world.objects, new_pod=True)
        except AttachableVolumesError:
            return None
        return next(iter(found), None)

    return unique


def _attached(world: Snapshot, node: str) -> tuple[dict[str, str], bool]:
    info = world.get(node)
    attached: dict[str, str] = {}
    try:
        for pod in info.pods if info is not None else ():
            attached.update(attachable_volumes(pod, world.objects, new_pod=False))
    except AttachableVolumesError:
        return attached, True
    return attached, False


class VolumeRestrictionsModel(VolumeModel):
    """VolumeRestrictions."""

    title = plugin = "VolumeRestrictions"
    properties: tuple[Property, ...] = ("filter",)
    include_ephemeral = False

    def result(self, enc: Encoder, pod: PodVars, cluster: ClusterVars, prop: Property, node: int) -> tuple[Expr, ...]:
        """Missing claim; Skip; disk conflict; ReadWriteOncePod claim in use."""
        world: Snapshot = cluster.world
        k = self._kinds(enc)
        missing = enc.fn(
            "vr_missing", lambda c, ns: find_claim(world.objects, ns, c) is None, [CLAIM_NAMES, NAMESPACES], "bool"
        )
        in_use = enc.fn(
            "vr_rwop_in_use",
            lambda c, ns: (
                (compute_pre_filter_state(_claim_pod(c, ns), world)[0] or _NO_STATE).conflicting_claim_ref_count > 0
            ),
            [CLAIM_NAMES, NAMESPACES],
            "bool",
        )
        conflict = enc.fn(
            "vr_disk_conflict",
            lambda s, n: any(is_volume_conflict(source_volume(s), p) for p in _pods_on(world, n)),
            [SOURCES, NODE_NAMES],
            "bool",
        )
        claims = self.claims(enc, pod)
        target = cluster.nodes[node]
        lost = any_of(z3.And(is_claim, missing(name, pod.namespace)) for is_claim, name in claims)
        used = any_of(z3.And(is_claim, in_use(name, pod.namespace)) for is_claim, name in claims)
        restricted = [z3.And(v.present, k["restricted"](v.source)) for v in pod.volumes]
        disk = any_of(z3.And(r, conflict(v.source, target)) for r, v in zip(restricted, pod.volumes, strict=True))
        verdict = z3.If(z3.Or(disk, used), UNSCHEDULABLE, SUCCESS)
        return (z3.If(lost, UNRESOLVABLE, z3.If(z3.Or(any_of(restricted), used), verdict, SUCCESS)),)


class _NoState:
    conflicting_claim_ref_count = 0


_NO_STATE = _NoState()


class VolumeZoneModel(VolumeModel):
    """VolumeZone."""

    title = plugin = "VolumeZone"
    properties: tuple[Property, ...] = ("filter",)
    include_ephemeral = False

    def result(self, enc: Encoder, pod: PodVars, cluster: ClusterVars, prop: Property, node: int) -> tuple[Expr, ...]:
        """Unresolvable claims; Skip without PV topology; topology match on labelled nodes."""
        world: Snapshot = cluster.world
        error = enc.fn(
            "vz_error",
            lambda c, ns: not pv_topologies(_claim_pod(c, ns), world.objects)[1].is_success,
            [CLAIM_NAMES, NAMESPACES],
            "bool",
        )
        has_topology = enc.fn(
            "vz_topology",
            lambda c, ns: bool(pv_topologies(_claim_pod(c, ns), world.objects)[0]),
            [CLAIM_NAMES, NAMESPACES],
            "bool",
        )
        ok = enc.fn("vz_ok", _zone_ok(world), [CLAIM_NAMES, NAMESPACES, NODE_NAMES], "bool")
        labelled = enc.fn(
            "vz_node_labelled",
            lambda n: world.get(n) is not None and any(k in world.get(n).node.labels for k in TOPOLOGY_LABELS),  # type: ignore[union-attr]
            [NODE_NAMES],
            "bool",
        )
        claims = self.claims(enc, pod)
        target = cluster.nodes[node]
        failed = any_of(z3.And(c, error(name, pod.namespace)) for c, name in claims)
        topology = any_of(z3.And(c, has_topology(name, pod.namespace)) for c, name in claims)
        matched = all_of(z3.Implies(c, ok(name, pod.namespace, target)) for c, name in claims)
        verdict = z3.If(z3.Or(z3.Not(labelled(target)), matched), SUCCESS, UNRESOLVABLE)
        return (z3.If(failed, UNRESOLVABLE, z3.If(topology, verdict, SUCCESS)),)


class VolumeBindingModel(VolumeModel):
    """VolumeBinding (StorageCapacityScoring on, the v1.37 default)."""

    title = plugin = "VolumeBinding"
    properties: tuple[Property, ...] = ("filter", "score")

    def result(self, enc: Encoder, pod: PodVars, cluster: ClusterVars, prop: Property, node: int) -> tuple[Expr, ...]:
        """Skip without claims; Unresolvable when some claim is bad for the node; Score 0."""
        if prop == "score":
            fails = enc.fn(
                "vb_pre_filter_fails", _binding_pre_filter_fails(cluster.world), [CLAIM_NAMES, NAMESPACES], "bool"
            )
            no_state = any_of(z3.And(c, fails(name, pod.namespace)) for c, name in self.claims(enc, pod))
            return (z3.If(no_state, ERROR, SUCCESS), z3.IntVal(0))
        bad = enc.fn("vb_bad", _binding_bad(cluster.world), [CLAIM_NAMES, NAMESPACES, NODE_NAMES], "bool")
        claims = self.claims(enc, pod)
        target = cluster.nodes[node]
        rejected = any_of(z3.And(c, bad(name, pod.namespace, target)) for c, name in claims)
        return (z3.If(rejected, UNRESOLVABLE, SUCCESS),)


class NodeVolumeLimitsModel(VolumeModel):
    """NodeVolumeLimits (CSI attach limits from node allocatable)."""

    title = plugin = "NodeVolumeLimits"
    properties: tuple[Property, ...] = ("filter",)

    def result(self, enc: Encoder, pod: PodVars, cluster: ClusterVars, prop: Property, node: int) -> tuple[Expr, ...]:
        """Skip; missing claim; no new volumes or no limits; unreadable existing pod; over the limit."""
        world: Snapshot = cluster.world
        k = self._kinds(enc)
        missing = enc.fn(
            "nvl_missing", lambda c, ns: find_claim(world.objects, ns, c) is None, [CLAIM_NAMES, NAMESPACES], "bool"
        )
        unique = enc.fn("nvl_unique", _unique(world), [CLAIM_NAMES, NAMESPACES], UNIQUE)
        key = enc.fn(
            "nvl_key", lambda u: None if u is None else csi_attach_limit_key(u.rsplit("/", 1)[0]), [UNIQUE], LIMIT_KEYS
        )
        attached = enc.fn(
            "nvl_attached", lambda n, u: u is not None and u in _attached(world, n)[0], [NODE_NAMES, UNIQUE], "bool"
        )
        attached_count = enc.fn(
            "nvl_attached_count",
            lambda n, key_: sum(1 for v in _attached(world, n)[0].values() if v == key_),
            [NODE_NAMES, LIMIT_KEYS],
            "int",
        )
        limited = enc.fn("nvl_has_limit", lambda n, key_: key_ in _limits(world, n), [NODE_NAMES, LIMIT_KEYS], "bool")
        limit = enc.fn("nvl_limit", lambda n, key_: _limits(world, n).get(key_, 0), [NODE_NAMES, LIMIT_KEYS], "int")
        any_limits = enc.fn("nvl_node_limits", lambda n: bool(_limits(world, n)), [NODE_NAMES], "bool")
        broken = enc.fn("nvl_node_error", lambda n: _attached(world, n)[1], [NODE_NAMES], "bool")

        target = cluster.nodes[node]
        none = enc.const(UNIQUE, None)
        considered = any_of(
            z3.And(v.present, z3.Or(k["pvc"](v.source), k["ephemeral"](v.source), k["migratable"](v.source)))
            for v in pod.volumes
        )
        claims = self.claims(enc, pod)
        lost = any_of(z3.And(c, missing(name, pod.namespace)) for c, name in claims)
        volumes = [(z3.And(c, unique(name, pod.namespace) != none), unique(name, pod.namespace)) for c, name in claims]
        fresh = []
        for index, (counted, volume) in enumerate(volumes):
            first = all_of(z3.Not(z3.And(c, u == volume)) for c, u in volumes[:index])
            fresh.append((z3.And(counted, first, z3.Not(attached(target, volume))), volume))
        exceeded = []
        for counted, volume in fresh:
            same_key = total(z3.If(z3.And(c, key(u) == key(volume)), 1, 0) for c, u in fresh)
            over = attached_count(target, key(volume)) + same_key > limit(target, key(volume))
            exceeded.append(z3.And(counted, limited(target, key(volume)), over))
        any_new = any_of(counted for counted, _ in volumes)
        verdict = z3.If(
            z3.Not(any_new),
            SUCCESS,
            z3.If(
                z3.Not(any_limits(target)),
                SUCCESS,
                z3.If(broken(target), ERROR, z3.If(any_of(exceeded), UNSCHEDULABLE, SUCCESS)),
            ),
        )
        return (z3.If(considered, z3.If(lost, UNRESOLVABLE, verdict), SUCCESS),)


def _pods_on(world: Snapshot, node: str) -> list[Pod]:
    info = world.get(node)
    return info.pods if info is not None else []


def _limits(world: Snapshot, node: str) -> dict[str, int]:
    info = world.get(node)
    return volume_limits(info) if info is not None else {}
