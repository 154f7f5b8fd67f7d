"""VolumeZone: PV zone/region labels against node labels, claim errors, signing (upstream and strict)."""

from __future__ import annotations

from typing import Any

import pytest

from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.evaluate import PluginEvaluation, evaluate_plugin
from batchproof.model.framework.interfaces import PluginContext, SignerMode
from batchproof.model.framework.status import Code, Status
from batchproof.model.frozen import FrozenDict
from batchproof.model.manifests.load import ClusterObjects
from batchproof.model.manifests.reader import freeze_json
from batchproof.model.objects import Node, PersistentVolume, PersistentVolumeClaim, Pod, Volume
from batchproof.model.plugins.helpers.signers import NAMESPACE_SIGNER
from batchproof.model.plugins.registry import DEFAULT_REGISTRY
from batchproof.model.plugins.volume_zone import ERR_REASON_CONFLICT, label_zones_to_set

NAME = "VolumeZone"
ZONE = "topology.kubernetes.io/zone"
REGION = "topology.kubernetes.io/region"
BETA_ZONE = "failure-domain.beta.kubernetes.io/zone"


def plugin(mode: SignerMode = "upstream") -> Any:
    return DEFAULT_REGISTRY.create(NAME, None, PluginContext(signers=mode))


def pvc_pod(*claims: str, namespace: str = "default") -> Pod:
    volumes = tuple(
        Volume(f"v{i}", "persistentVolumeClaim", freeze_json({"claimName": c})) for i, c in enumerate(claims)
    )
    return Pod(name="p", namespace=namespace, volumes=volumes)


def zoned_node(name: str, zone: str | None = None, region: str | None = None) -> Node:
    labels = {}
    if zone is not None:
        labels[ZONE] = zone
    if region is not None:
        labels[REGION] = region
    return Node(name, labels=FrozenDict(labels))


def pv(name: str, **labels: str) -> PersistentVolume:
    return PersistentVolume(name, labels=FrozenDict(labels))


def bound(claim: str, volume: str, namespace: str = "default") -> PersistentVolumeClaim:
    return PersistentVolumeClaim(claim, namespace, volume_name=volume)


def evaluate(
    incoming: Pod, nodes: list[Node], claims: tuple[Any, ...] = (), volumes: tuple[Any, ...] = ()
) -> PluginEvaluation:
    snapshot = Snapshot(nodes, objects=ClusterObjects(claims=claims, volumes=volumes))
    return evaluate_plugin(plugin(), incoming, snapshot)


def pre_filter(result: PluginEvaluation) -> Status:
    assert result.pre_filter is not None
    return result.pre_filter


def codes(result: PluginEvaluation) -> dict[str, Code]:
    return {name: status.code for name, status in result.filter.items()}


NODES = [zoned_node("a", "z1", "r1"), zoned_node("b", "z2", "r1"), zoned_node("c", region="r1"), Node("plain")]


def test_pv_zone_must_match_the_node_zone() -> None:
    result = evaluate(pvc_pod("data"), NODES, (bound("data", "pv1"),), (pv("pv1", **{ZONE: "z1"}),))
    assert pre_filter(result).code is Code.SUCCESS
    assert codes(result) == {
        "a": Code.SUCCESS,
        "b": Code.UNSCHEDULABLE_AND_UNRESOLVABLE,
        "c": Code.UNSCHEDULABLE_AND_UNRESOLVABLE,  # has topology labels, lacks the zone
        "plain": Code.SUCCESS,  # no topology label at all: single-zone clusters pass
    }
    assert result.filter["b"].reasons == (ERR_REASON_CONFLICT,)


def test_multi_zone_values_are_double_underscore_separated() -> None:
    result = evaluate(pvc_pod("data"), NODES, (bound("data", "pv1"),), (pv("pv1", **{ZONE: "z1__ z2"}),))
    assert codes(result)["a"] is Code.SUCCESS
    assert codes(result)["b"] is Code.SUCCESS


def test_beta_pv_label_falls_back_to_the_ga_node_label() -> None:
    result = evaluate(pvc_pod("data"), NODES, (bound("data", "pv1"),), (pv("pv1", **{BETA_ZONE: "z2"}),))
    assert codes(result)["a"] is Code.UNSCHEDULABLE_AND_UNRESOLVABLE
    assert codes(result)["b"] is Code.SUCCESS


def test_region_label_is_checked_too() -> None:
    result = evaluate(pvc_pod("data"), NODES, (bound("data", "pv1"),), (pv("pv1", **{REGION: "r2"}),))
    rejected = Code.UNSCHEDULABLE_AND_UNRESOLVABLE
    assert codes(result) == {"a": rejected, "b": rejected, "c": rejected, "plain": Code.SUCCESS}


def test_label_with_an_empty_zone_is_ignored() -> None:
    assert label_zones_to_set("z1____z2") is None
    result = evaluate(pvc_pod("data"), NODES, (bound("data", "pv1"),), (pv("pv1", **{ZONE: "z1____z2"}),))
    assert pre_filter(result).code is Code.SKIP


@pytest.mark.parametrize(
    ("claims", "volumes", "reason"),
    [
        ((), (), 'persistentvolumeclaim "data" not found'),
        ((bound("data", "pv1"),), (), 'persistentvolume "pv1" not found'),
        ((PersistentVolumeClaim("data", "default"),), (), "PersistentVolumeClaim had no pv name and storageClass name"),
    ],
)
def test_claim_errors_are_unresolvable(claims: tuple[Any, ...], volumes: tuple[Any, ...], reason: str) -> None:
    status = pre_filter(evaluate(pvc_pod("data"), NODES, claims, volumes))
    assert status.code is Code.UNSCHEDULABLE_AND_UNRESOLVABLE
    assert status.reasons == (reason,)


def test_claim_without_a_name_is_unresolvable() -> None:
    status = pre_filter(evaluate(pvc_pod(""), NODES))
    assert status.reasons == ("PersistentVolumeClaim had no name",)


def test_unbound_claim_with_a_class_is_skipped_as_wait_for_first_consumer() -> None:
    claims = (PersistentVolumeClaim("data", "default", storage_class_name="fast"),)
    assert pre_filter(evaluate(pvc_pod("data"), NODES, claims)).code is Code.SKIP


def test_filter_without_pre_filter_state_recomputes() -> None:
    snapshot = Snapshot(
        NODES, objects=ClusterObjects(claims=(bound("data", "pv1"),), volumes=(pv("pv1", **{ZONE: "z1"}),))
    )
    infos = {info.name: info for info in snapshot.node_infos()}
    state = CycleState(snapshot)
    assert plugin().filter(state, pvc_pod("data"), infos["a"]).code is Code.SUCCESS
    assert plugin().filter(state, pvc_pod("data"), infos["b"]).code is Code.UNSCHEDULABLE_AND_UNRESOLVABLE
    assert plugin().filter(state, pvc_pod("missing"), infos["a"]).reasons == (
        'persistentvolumeclaim "missing" not found',
    )


def fragments(mode: SignerMode, pod: Pod) -> dict[str, Any]:
    result, status = plugin(mode).sign_pod(pod)
    assert status.is_success
    assert result is not None
    return {f.key: f.value for f in result}


def test_upstream_gap_namespace_decides_the_zone_and_strict_closes_it() -> None:
    """The same claimName in two namespaces names PVCs bound to PVs in different zones."""
    claims = (bound("data", "pv-a", namespace="a"), bound("data", "pv-b", namespace="b"))
    volumes = (pv("pv-a", **{ZONE: "z1"}), pv("pv-b", **{ZONE: "z2"}))
    in_a, in_b = pvc_pod("data", namespace="a"), pvc_pod("data", namespace="b")
    result_a, result_b = evaluate(in_a, NODES, claims, volumes), evaluate(in_b, NODES, claims, volumes)
    assert result_a.filter["a"].code is Code.SUCCESS
    assert result_b.filter["a"].code is Code.UNSCHEDULABLE_AND_UNRESOLVABLE
    assert fragments("upstream", in_a) == fragments("upstream", in_b)
    assert fragments("strict", in_a) != fragments("strict", in_b)
    assert fragments("strict", in_a)[NAMESPACE_SIGNER] == "a"
