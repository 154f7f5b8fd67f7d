"""NodeVolumeLimits (CSI): unique volumes per driver against node allocatable limits, signing."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.framework.evaluate import PluginEvaluation, evaluate_plugin
from batchproof.model.framework.interfaces import PluginContext, SignerMode
from batchproof.model.framework.status import Code, Status
from batchproof.model.frozen import FrozenDict
from batchproof.model.manifests.load import ClusterObjects
from batchproof.model.manifests.reader import freeze_json
from batchproof.model.objects import Node, PersistentVolume, PersistentVolumeClaim, Pod, Volume
from batchproof.model.plugins.helpers.signers import NAMESPACE_SIGNER
from batchproof.model.plugins.helpers.volumes import EPHEMERAL_CLAIM_NAMES_SIGNER
from batchproof.model.plugins.node_volume_limits import ERR_REASON_MAX_VOLUME_COUNT_EXCEEDED, csi_attach_limit_key
from batchproof.model.plugins.registry import DEFAULT_REGISTRY

NAME = "NodeVolumeLimits"
EBS = "ebs.csi.aws.com"
EBS_KEY = f"attachable-volumes-csi-{EBS}"


def plugin(mode: SignerMode = "upstream") -> Any:
    return DEFAULT_REGISTRY.create(NAME, None, PluginContext(signers=mode))


def pvc(claim: str, name: str = "v") -> Volume:
    return Volume(name, "persistentVolumeClaim", freeze_json({"claimName": claim}))


def ephemeral(name: str) -> Volume:
    return Volume(name, "ephemeral", freeze_json({"volumeClaimTemplate": {"spec": {"storageClassName": "fast"}}}))


def pod(*volumes: Volume, name: str = "p", namespace: str = "default", node: str = "") -> Pod:
    return Pod(name=name, namespace=namespace, node_name=node, volumes=volumes)


def csi_claim(claim: str, volume: str, namespace: str = "default") -> PersistentVolumeClaim:
    return PersistentVolumeClaim(claim, namespace, volume_name=volume)


def limited(name: str, limit: int, key: str = EBS_KEY) -> Node:
    return Node(name, allocatable=FrozenDict({"cpu": 1000, key: limit}))


CLAIMS = (csi_claim("old", "pv-old"), csi_claim("new", "pv-new"), csi_claim("intree", "pv-intree"))
VOLUMES = (
    PersistentVolume("pv-old", csi_driver=EBS),
    PersistentVolume("pv-new", csi_driver=EBS),
    PersistentVolume("pv-intree"),
)


def evaluate(
    incoming: Pod,
    nodes: list[Node],
    existing: tuple[Pod, ...] = (),
    claims: tuple[Any, ...] = CLAIMS,
    volumes: tuple[Any, ...] = VOLUMES,
) -> PluginEvaluation:
    snapshot = Snapshot(nodes, existing, objects=ClusterObjects(claims=claims, volumes=volumes))
    return evaluate_plugin(plugin(), incoming, snapshot)


def pre_filter(result: PluginEvaluation) -> Status:
    assert result.pre_filter is not None
    return result.pre_filter


def test_pre_filter_skips_pods_without_claims_or_migratable_volumes() -> None:
    nodes = [limited("n", 1)]
    assert pre_filter(evaluate(pod(Volume("e", "emptyDir")), nodes)).code is Code.SKIP
    assert pre_filter(evaluate(pod(pvc("new")), nodes)).code is Code.SUCCESS
    inline = Volume("d", "gcePersistentDisk", freeze_json({"pdName": "x"}))
    assert pre_filter(evaluate(pod(inline), nodes)).code is Code.SUCCESS


def test_new_csi_volume_over_the_limit_is_unschedulable() -> None:
    existing = (pod(pvc("old"), name="q", node="full"), pod(pvc("old"), name="r", node="roomy"))
    nodes = [limited("full", 1), limited("roomy", 2), Node("unlimited")]
    result = evaluate(pod(pvc("new")), nodes, existing)
    assert result.filter["full"].code is Code.UNSCHEDULABLE
    assert result.filter["full"].reasons == (ERR_REASON_MAX_VOLUME_COUNT_EXCEEDED,)
    assert result.filter["roomy"].code is Code.SUCCESS
    assert result.filter["unlimited"].code is Code.SUCCESS


def test_volume_already_attached_to_the_node_is_not_counted_twice() -> None:
    existing = (pod(pvc("old"), name="q", node="full"),)
    result = evaluate(pod(pvc("old"), pvc("old", "again")), [limited("full", 1)], existing)
    assert result.filter["full"].code is Code.SUCCESS


def test_non_csi_and_unbound_claims_are_not_counted() -> None:
    claims = (*CLAIMS, PersistentVolumeClaim("unbound", "default", storage_class_name="fast"))
    result = evaluate(pod(pvc("intree"), pvc("unbound", "u")), [limited("zero", 0)], claims=claims)
    assert result.filter["zero"].code is Code.SUCCESS
    assert evaluate(pod(pvc("new")), [limited("zero", 0)]).filter["zero"].code is Code.UNSCHEDULABLE


def test_limit_of_another_driver_does_not_apply() -> None:
    result = evaluate(pod(pvc("new")), [limited("other", 0, key="attachable-volumes-csi-pd.csi.storage.gke.io")])
    assert result.filter["other"].code is Code.SUCCESS


def test_missing_claim_of_the_incoming_pod_is_unresolvable_but_ignored_for_existing_pods() -> None:
    result = evaluate(pod(pvc("gone"), namespace="ns"), [limited("n", 1)])
    assert result.filter["n"].code is Code.UNSCHEDULABLE_AND_UNRESOLVABLE
    assert result.filter["n"].reasons == ('looking up PVC ns/gone: persistentvolumeclaim "gone" not found',)
    existing = (pod(pvc("gone"), name="q", node="n"),)
    assert evaluate(pod(pvc("new")), [limited("n", 1)], existing).filter["n"].code is Code.SUCCESS


def test_long_driver_names_get_a_hashed_limit_key() -> None:
    driver = "a-very-long-csi-driver-name.storage.example.com"
    digest = hashlib.sha1(driver.encode(), usedforsecurity=False).hexdigest()[:16]
    assert csi_attach_limit_key(driver) == "attachable-volumes-csi-" + driver[:23] + digest
    assert csi_attach_limit_key(EBS) == EBS_KEY


def fragments(mode: SignerMode, incoming: Pod) -> dict[str, Any]:
    result, status = plugin(mode).sign_pod(incoming)
    assert status.is_success
    assert result is not None
    return {f.key: f.value for f in result}


def test_upstream_gap_namespace_decides_whether_the_volume_counts_and_strict_closes_it() -> None:
    claims = (csi_claim("data", "pv-new", namespace="a"), csi_claim("data", "pv-intree", namespace="b"))
    in_a, in_b = pod(pvc("data"), namespace="a"), pod(pvc("data"), namespace="b")
    assert evaluate(in_a, [limited("n", 0)], claims=claims).filter["n"].code is Code.UNSCHEDULABLE
    assert evaluate(in_b, [limited("n", 0)], claims=claims).filter["n"].code is Code.SUCCESS
    assert fragments("upstream", in_a) == fragments("upstream", in_b)
    assert fragments("strict", in_a) != fragments("strict", in_b)
    assert fragments("strict", in_a)[NAMESPACE_SIGNER] == "a"


def test_upstream_gap_ephemeral_claims_depend_on_the_pod_name_and_strict_closes_it() -> None:
    claims = (csi_claim("web-0-scratch", "pv-new"), csi_claim("web-1-scratch", "pv-old"))
    existing = (pod(pvc("web-1-scratch"), name="holder", node="n"),)
    first, second = pod(ephemeral("scratch"), name="web-0"), pod(ephemeral("scratch"), name="web-1")
    assert evaluate(first, [limited("n", 1)], existing, claims=claims).filter["n"].code is Code.UNSCHEDULABLE
    assert evaluate(second, [limited("n", 1)], existing, claims=claims).filter["n"].code is Code.SUCCESS
    assert fragments("upstream", first) == fragments("upstream", second)
    assert fragments("strict", first)[EPHEMERAL_CLAIM_NAMES_SIGNER] == ["web-0-scratch"]
    assert fragments("strict", first) != fragments("strict", second)


@pytest.mark.parametrize("mode", ["upstream", "strict"])
def test_pods_without_claims_sign_only_their_volume_sources(mode: SignerMode) -> None:
    assert list(fragments(mode, pod(Volume("e", "emptyDir")))) == ["v1.Pod.Spec.Volumes.NonSyntheticSources()"]
