"""VolumeRestrictions: inline disk conflicts, ReadWriteOncePod claims, signing (upstream and strict)."""

from __future__ import annotations

from typing import Any

import pytest

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.evaluate import PluginEvaluation, evaluate_plugin
from batchproof.model.framework.interfaces import PluginContext, SignerMode
from batchproof.model.framework.status import Code
from batchproof.model.manifests.load import ClusterObjects
from batchproof.model.manifests.reader import freeze_json
from batchproof.model.objects import Node, PersistentVolumeClaim, Pod, Volume
from batchproof.model.plugins.helpers.signers import NAMESPACE_SIGNER, VOLUMES_SIGNER
from batchproof.model.plugins.registry import DEFAULT_REGISTRY
from batchproof.model.plugins.volume_restrictions import (
    ERR_REASON_DISK_CONFLICT,
    ERR_REASON_READ_WRITE_ONCE_POD_CONFLICT,
)

NAME = "VolumeRestrictions"


def plugin(mode: SignerMode = "upstream") -> Any:
    return DEFAULT_REGISTRY.create(NAME, None, PluginContext(signers=mode))


def volume(kind: str, name: str = "v", **source: Any) -> Volume:
    return Volume(name, kind, freeze_json(source))


def pvc(claim: str, name: str = "v") -> Volume:
    return volume("persistentVolumeClaim", name, claimName=claim)


def pod(name: str, *volumes: Volume, namespace: str = "default", node: str = "") -> Pod:
    return Pod(name=name, namespace=namespace, node_name=node, volumes=volumes)


def evaluate(
    incoming: Pod, existing: tuple[Pod, ...] = (), claims: tuple[PersistentVolumeClaim, ...] = ()
) -> PluginEvaluation:
    snapshot = Snapshot([Node("n1"), Node("n2")], existing, objects=ClusterObjects(claims=claims))
    return evaluate_plugin(plugin(), incoming, snapshot)


def codes(result: PluginEvaluation) -> dict[str, Code]:
    return {name: status.code for name, status in result.filter.items()}


GCE = "gcePersistentDisk"


@pytest.mark.parametrize(
    ("mine", "theirs", "conflict"),
    [
        (volume(GCE, pdName="a"), volume(GCE, pdName="a"), True),
        (volume(GCE, pdName="a", readOnly=True), volume(GCE, pdName="a"), True),
        (volume(GCE, pdName="a", readOnly=True), volume(GCE, pdName="a", readOnly=True), False),
        (volume(GCE, pdName="a"), volume(GCE, pdName="b"), False),
        (
            volume("awsElasticBlockStore", volumeID="x", readOnly=True),
            volume("awsElasticBlockStore", volumeID="x"),
            True,
        ),
        (volume("awsElasticBlockStore", volumeID="x"), volume("awsElasticBlockStore", volumeID="y"), False),
        (volume("iscsi", iqn="q"), volume("iscsi", iqn="q", readOnly=True), True),
        (volume("iscsi", iqn="q", readOnly=True), volume("iscsi", iqn="q", readOnly=True), False),
        (volume("rbd", monitors=["m1", "m2"], image="i"), volume("rbd", monitors=["m2"], pool="rbd", image="i"), True),
        (volume("rbd", monitors=["m1"], image="i"), volume("rbd", monitors=["m2"], image="i"), False),
        (volume("rbd", monitors=["m1"], pool="p", image="i"), volume("rbd", monitors=["m1"], image="i"), False),
        (volume("rbd", monitors=["m1"], image="i", readOnly=True), volume("rbd", monitors=["m1"], image="i"), True),
        (volume(GCE, pdName="a"), volume("awsElasticBlockStore", volumeID="a"), False),
    ],
)
def test_inline_disk_conflicts_only_on_the_node_holding_the_other_pod(
    mine: Volume, theirs: Volume, conflict: bool
) -> None:
    result = evaluate(pod("p", mine), (pod("other", theirs, node="n1"),))
    assert result.pre_filter is not None
    assert result.pre_filter.code is Code.SUCCESS
    assert result.filter["n2"].code is Code.SUCCESS
    if conflict:
        assert result.filter["n1"].code is Code.UNSCHEDULABLE
        assert result.filter["n1"].reasons == (ERR_REASON_DISK_CONFLICT,)
    else:
        assert result.filter["n1"].code is Code.SUCCESS


def test_pre_filter_skips_pods_without_disks_or_read_write_once_pod_conflicts() -> None:
    claims = (PersistentVolumeClaim("data", "default", access_modes=("ReadWriteOnce",)),)
    result = evaluate(pod("p", pvc("data"), volume("emptyDir")), (pod("q", pvc("data"), node="n1"),), claims)
    assert result.pre_filter is not None
    assert result.pre_filter.code is Code.SKIP
    assert result.filter == {}


def test_missing_claim_is_unresolvable_in_pre_filter() -> None:
    result = evaluate(pod("p", pvc("data")))
    assert result.pre_filter is not None
    assert result.pre_filter.code is Code.UNSCHEDULABLE_AND_UNRESOLVABLE
    assert result.pre_filter.reasons == ('persistentvolumeclaim "data" not found',)


def test_read_write_once_pod_claim_used_anywhere_rejects_every_node() -> None:
    claims = (PersistentVolumeClaim("data", "default", access_modes=("ReadWriteOncePod",)),)
    result = evaluate(pod("p", pvc("data")), (pod("q", pvc("data"), node="n2"),), claims)
    assert result.pre_filter is not None
    assert result.pre_filter.code is Code.SUCCESS
    # upstream returns Unschedulable (preemption may free the claim), not UnschedulableAndUnresolvable
    assert codes(result) == {"n1": Code.UNSCHEDULABLE, "n2": Code.UNSCHEDULABLE}
    assert result.filter["n1"].reasons == (ERR_REASON_READ_WRITE_ONCE_POD_CONFLICT,)


def test_read_write_once_pod_claim_of_another_namespace_does_not_conflict() -> None:
    claims = (PersistentVolumeClaim("data", "default", access_modes=("ReadWriteOncePod",)),)
    result = evaluate(pod("p", pvc("data")), (pod("q", pvc("data"), namespace="other", node="n2"),), claims)
    assert result.pre_filter is not None
    assert result.pre_filter.code is Code.SKIP


def test_filter_without_pre_filter_state_checks_disks_then_errors() -> None:
    existing = pod("q", volume(GCE, pdName="a"), node="n1")
    snapshot = Snapshot([Node("n1"), Node("n2")], [existing])
    incoming = pod("p", volume(GCE, pdName="a"))
    state = CycleState(snapshot)
    infos: dict[str, NodeInfo] = {info.name: info for info in snapshot.node_infos()}
    assert plugin().filter(state, incoming, infos["n1"]).code is Code.UNSCHEDULABLE
    assert plugin().filter(state, incoming, infos["n2"]).code is Code.ERROR


def test_upstream_signs_volume_sources_only() -> None:
    incoming = pod("p", pvc("data", name="x"), Volume("cm", "configMap", freeze_json({"name": "c"})), namespace="ns")
    fragments, status = plugin().sign_pod(incoming)
    assert status.is_success
    assert fragments is not None
    assert {f.key: f.value for f in fragments} == {VOLUMES_SIGNER: ['{"persistentVolumeClaim":{"claimName":"data"}}']}


def test_strict_signs_the_namespace_only_for_pods_with_claims() -> None:
    with_claim, status = plugin("strict").sign_pod(pod("p", pvc("data"), namespace="ns"))
    assert status.is_success
    assert with_claim is not None
    assert {f.key: f.value for f in with_claim}[NAMESPACE_SIGNER] == "ns"
    without, _ = plugin("strict").sign_pod(pod("p", volume(GCE, pdName="a"), namespace="ns"))
    assert without is not None
    assert NAMESPACE_SIGNER not in {f.key for f in without}


def test_upstream_gap_namespace_decides_read_write_once_pod_conflicts_and_strict_closes_it() -> None:
    """Equal volume sources in two namespaces: one claim is in use, the other is not."""
    claims = (
        PersistentVolumeClaim("data", "a", access_modes=("ReadWriteOncePod",)),
        PersistentVolumeClaim("data", "b", access_modes=("ReadWriteOncePod",)),
    )
    snapshot = Snapshot(
        [Node("n1")], [pod("user", pvc("data"), namespace="a", node="n1")], objects=ClusterObjects(claims=claims)
    )
    in_a, in_b = pod("p", pvc("data"), namespace="a"), pod("p", pvc("data"), namespace="b")
    result_a, result_b = evaluate_plugin(plugin(), in_a, snapshot), evaluate_plugin(plugin(), in_b, snapshot)
    assert result_a.filter["n1"].code is Code.UNSCHEDULABLE
    assert result_b.pre_filter is not None
    assert result_b.pre_filter.code is Code.SKIP
    assert plugin("upstream").sign_pod(in_a) == plugin("upstream").sign_pod(in_b)
    assert plugin("strict").sign_pod(in_a) != plugin("strict").sign_pod(in_b)
