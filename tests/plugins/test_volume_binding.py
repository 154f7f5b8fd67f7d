"""VolumeBinding: claim resolution, PV node affinity, local-PV node restriction, args, signing."""

from __future__ import annotations

from typing import Any

import pytest

from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.errors import ConfigError
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.evaluate import PluginEvaluation, evaluate_plugin
from batchproof.model.framework.features import FeatureGates
from batchproof.model.framework.interfaces import PluginContext, PreFilterResult, SignerMode
from batchproof.model.framework.status import Code, Status
from batchproof.model.frozen import FrozenDict
from batchproof.model.manifests.load import ClusterObjects
from batchproof.model.manifests.reader import freeze_json
from batchproof.model.objects import (
    Node,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    PersistentVolume,
    PersistentVolumeClaim,
    Pod,
    Volume,
)
from batchproof.model.plugins.helpers.signers import NAMESPACE_SIGNER
from batchproof.model.plugins.helpers.volumes import EPHEMERAL_CLAIM_NAMES_SIGNER
from batchproof.model.plugins.registry import DEFAULT_REGISTRY
from batchproof.model.plugins.volume_binding import (
    ERR_REASON_NODE_CONFLICT,
    ERR_REASON_PV_NOT_EXIST,
    ERR_UNBOUND_IMMEDIATE,
)

NAME = "VolumeBinding"
HOSTNAME = "kubernetes.io/hostname"
ZONE = "topology.kubernetes.io/zone"


def plugin(mode: SignerMode = "upstream", args: dict[str, Any] | None = None, *, capacity: bool = False) -> Any:
    features = FeatureGates(storage_capacity_scoring=capacity)
    return DEFAULT_REGISTRY.create(NAME, args, PluginContext(features=features, signers=mode))


def pvc(claim: str, name: str = "v") -> Volume:
    return Volume(name, "persistentVolumeClaim", freeze_json({"claimName": claim}))


def ephemeral(name: str) -> Volume:
    template = {"volumeClaimTemplate": {"spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "fast"}}}
    return Volume(name, "ephemeral", freeze_json(template))


def pod(*volumes: Volume, name: str = "p", namespace: str = "default") -> Pod:
    return Pod(name=name, namespace=namespace, volumes=volumes)


def requirement(key: str, *values: str, operator: str = "In") -> NodeSelectorRequirement:
    return NodeSelectorRequirement(key, operator, values)


def pv(name: str, *terms: NodeSelectorTerm, driver: str = "") -> PersistentVolume:
    return PersistentVolume(name, node_affinity=terms or None, csi_driver=driver)


def bound(claim: str, volume: str, namespace: str = "default") -> PersistentVolumeClaim:
    return PersistentVolumeClaim(claim, namespace, volume_name=volume)


NODES = [
    Node("a", labels=FrozenDict({HOSTNAME: "a", ZONE: "z1"})),
    Node("b", labels=FrozenDict({HOSTNAME: "b", ZONE: "z2"})),
    Node("c", labels=FrozenDict({HOSTNAME: "c", ZONE: "z1"})),
]


def evaluate(
    incoming: Pod, claims: tuple[Any, ...] = (), volumes: tuple[Any, ...] = (), **kwargs: Any
) -> PluginEvaluation:
    snapshot = Snapshot(NODES, objects=ClusterObjects(claims=claims, volumes=volumes))
    return evaluate_plugin(plugin(**kwargs), incoming, snapshot)


def pre_filter(result: PluginEvaluation) -> Status:
    assert result.pre_filter is not None
    return result.pre_filter


def codes(result: PluginEvaluation) -> dict[str, Code]:
    return {name: status.code for name, status in result.filter.items()}


def test_pod_without_claims_is_skipped() -> None:
    assert pre_filter(evaluate(pod(Volume("e", "emptyDir")))).code is Code.SKIP


@pytest.mark.parametrize(
    ("incoming", "claims", "reason"),
    [
        (pod(pvc("data")), (), 'persistentvolumeclaim "data" not found'),
        (
            pod(ephemeral("scratch")),
            (),
            'waiting for ephemeral volume controller to create the persistentvolumeclaim "p-scratch"',
        ),
        (pod(pvc("data")), (PersistentVolumeClaim("data", "default"),), ERR_UNBOUND_IMMEDIATE),
    ],
)
def test_pre_filter_rejects_missing_and_unbound_immediate_claims(
    incoming: Pod, claims: tuple[Any, ...], reason: str
) -> None:
    status = pre_filter(evaluate(incoming, claims))
    assert status.code is Code.UNSCHEDULABLE_AND_UNRESOLVABLE
    assert status.reasons == (reason,)


def test_unbound_claim_with_a_class_is_provisionable_everywhere() -> None:
    claims = (PersistentVolumeClaim("data", "default", storage_class_name="fast"),)
    result = evaluate(pod(pvc("data")), claims)
    assert pre_filter(result).code is Code.SUCCESS
    assert result.pre_filter_result is None
    assert set(codes(result).values()) == {Code.SUCCESS}


def test_ephemeral_claim_resolves_to_pod_name_dash_volume_name() -> None:
    claims = (PersistentVolumeClaim("p-scratch", "default", storage_class_name="fast"),)
    assert pre_filter(evaluate(pod(ephemeral("scratch")), claims)).code is Code.SUCCESS


def test_bound_pv_node_affinity_must_match_the_node_labels() -> None:
    volumes = (pv("pv1", NodeSelectorTerm((requirement(ZONE, "z1"),))),)
    result = evaluate(pod(pvc("data")), (bound("data", "pv1"),), volumes)
    assert codes(result) == {"a": Code.SUCCESS, "b": Code.UNSCHEDULABLE_AND_UNRESOLVABLE, "c": Code.SUCCESS}
    assert result.filter["b"].reasons == (ERR_REASON_NODE_CONFLICT,)


def test_pv_affinity_match_fields_never_match_because_only_labels_are_checked() -> None:
    term = NodeSelectorTerm(match_fields=(requirement("metadata.name", "a"),))
    result = evaluate(pod(pvc("data")), (bound("data", "pv1"),), (pv("pv1", term),))
    assert set(codes(result).values()) == {Code.UNSCHEDULABLE_AND_UNRESOLVABLE}


def test_pv_without_node_affinity_fits_everywhere() -> None:
    result = evaluate(pod(pvc("data")), (bound("data", "pv1"),), (pv("pv1"),))
    assert set(codes(result).values()) == {Code.SUCCESS}


def test_claim_bound_to_a_missing_pv_is_unresolvable_on_every_node() -> None:
    result = evaluate(pod(pvc("data")), (bound("data", "gone"),))
    assert pre_filter(result).code is Code.SUCCESS
    assert result.pre_filter_result is None
    assert {status.reasons for status in result.filter.values()} == {(ERR_REASON_PV_NOT_EXIST,)}


def test_local_pvs_restrict_pre_filter_to_their_hostnames() -> None:
    first = pv("pv1", NodeSelectorTerm((requirement(HOSTNAME, "a", "b"),)))
    second = pv("pv2", NodeSelectorTerm((requirement(HOSTNAME, "b", "c"),)))
    claims = (bound("one", "pv1"), bound("two", "pv2"))
    result = evaluate(pod(pvc("one", "x"), pvc("two", "y")), claims, (first, second))
    assert result.pre_filter_result == PreFilterResult(frozenset({"b"}))
    assert codes(result) == {
        "a": Code.UNSCHEDULABLE_AND_UNRESOLVABLE,
        "b": Code.SUCCESS,
        "c": Code.UNSCHEDULABLE_AND_UNRESOLVABLE,
    }


def test_filter_without_pre_filter_state_is_an_error() -> None:
    snapshot = Snapshot(NODES)
    status = plugin().filter(CycleState(snapshot), pod(pvc("data")), snapshot.node_infos()[0])
    assert status.code is Code.ERROR


def test_scoring_is_skipped_without_storage_capacity_scoring() -> None:
    claims = (PersistentVolumeClaim("data", "default", storage_class_name="fast"),)
    result = evaluate(pod(pvc("data")), claims, capacity=False)
    assert result.pre_score is not None
    assert result.pre_score.code is Code.SKIP
    assert result.raw == {}


def test_storage_capacity_scoring_is_on_by_default_and_scores_zero_without_capacity_data() -> None:
    """v1.37: the gate is Beta and on; PreScore succeeds (volume_binding.go PreScore) and Score is 0
    on every node, as upstream's scorer gives when no class has static bindings or known capacity."""
    assert FeatureGates().storage_capacity_scoring is True
    claims = (PersistentVolumeClaim("data", "default", storage_class_name="fast"),)
    for volumes in ((pvc("data"),), ()):
        result = evaluate(pod(*volumes), claims, capacity=True)
        assert result.pre_score is not None
        assert result.pre_score.code is Code.SUCCESS
        assert result.raw == dict.fromkeys(result.raw, 0)
        assert set(result.raw) == {n.name for n in NODES}
    snapshot = Snapshot(NODES)
    assert plugin(capacity=True).score(CycleState(snapshot), pod(), snapshot.node_infos()[0])[1].code is Code.ERROR


@pytest.mark.parametrize(
    ("args", "capacity", "message"),
    [
        ({"bindTimeoutSeconds": -1}, False, "VolumeBinding: bindTimeoutSeconds: Invalid value: -1"),
        ({"shape": [{"utilization": 0, "score": 0}]}, False, "VolumeBinding: shape: Invalid value"),
        ({"shape": []}, True, "VolumeBinding: shape: Required value"),
        ({"shape": [{"utilization": 50, "score": 1}, {"utilization": 50, "score": 2}]}, True, "shape[1].utilization"),
        ({"shape": [{"utilization": 0, "score": 11}]}, True, "shape[0].score: Invalid value: 11"),
        ({"shape": [{"utilization": 101, "score": 1}]}, True, "shape[0].utilization: Invalid value: 101"),
    ],
)
def test_invalid_args_name_the_field(args: dict[str, Any], capacity: bool, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        plugin(args=args, capacity=capacity)


def test_valid_shape_is_accepted_with_the_gate() -> None:
    shape = [{"utilization": 0, "score": 0}, {"utilization": 100, "score": 10}]
    assert plugin(args={"shape": shape, "bindTimeoutSeconds": 0}, capacity=True).name == NAME


def fragments(mode: SignerMode, incoming: Pod) -> dict[str, Any]:
    result, status = plugin(mode).sign_pod(incoming)
    assert status.is_success
    assert result is not None
    return {f.key: f.value for f in result}


def test_upstream_gap_namespace_decides_the_pv_and_strict_closes_it() -> None:
    """The same claimName in two namespaces names PVCs bound to PVs pinned to different zones."""
    claims = (bound("data", "pv-a", namespace="a"), bound("data", "pv-b", namespace="b"))
    volumes = (
        pv("pv-a", NodeSelectorTerm((requirement(ZONE, "z1"),))),
        pv("pv-b", NodeSelectorTerm((requirement(ZONE, "z2"),))),
    )
    in_a, in_b = pod(pvc("data"), namespace="a"), pod(pvc("data"), namespace="b")
    assert codes(evaluate(in_a, claims, volumes))["a"] is Code.SUCCESS
    assert codes(evaluate(in_b, claims, volumes))["a"] is Code.UNSCHEDULABLE_AND_UNRESOLVABLE
    assert fragments("upstream", in_a) == fragments("upstream", in_b)
    assert fragments("strict", in_a) != fragments("strict", in_b)
    assert fragments("strict", in_b)[NAMESPACE_SIGNER] == "b"


def test_upstream_gap_ephemeral_claim_name_depends_on_the_pod_name_and_strict_closes_it() -> None:
    """Two replicas with the same ephemeral volume own different PVCs (``<pod>-<volume>``)."""
    claims = (bound("web-0-scratch", "pv-0"), bound("web-1-scratch", "pv-1"))
    volumes = (
        pv("pv-0", NodeSelectorTerm((requirement(HOSTNAME, "a"),))),
        pv("pv-1", NodeSelectorTerm((requirement(HOSTNAME, "b"),))),
    )
    first, second = pod(ephemeral("scratch"), name="web-0"), pod(ephemeral("scratch"), name="web-1")
    assert codes(evaluate(first, claims, volumes))["a"] is Code.SUCCESS
    assert codes(evaluate(second, claims, volumes))["a"] is Code.UNSCHEDULABLE_AND_UNRESOLVABLE
    assert fragments("upstream", first) == fragments("upstream", second)
    assert fragments("strict", first) != fragments("strict", second)
    assert fragments("strict", first)[EPHEMERAL_CLAIM_NAMES_SIGNER] == ["web-0-scratch"]


def test_upstream_gap_ephemeral_volume_name_is_dropped_by_the_volumes_signer() -> None:
    """Renaming an ephemeral volume renames its PVC, yet the VolumesSigner drops volume names."""
    claims = (PersistentVolumeClaim("p-one", "default", storage_class_name="fast"),)
    named_one, named_two = pod(ephemeral("one")), pod(ephemeral("two"))
    assert pre_filter(evaluate(named_one, claims)).code is Code.SUCCESS
    assert pre_filter(evaluate(named_two, claims)).code is Code.UNSCHEDULABLE_AND_UNRESOLVABLE
    assert fragments("upstream", named_one) == fragments("upstream", named_two)
    assert fragments("strict", named_one) != fragments("strict", named_two)
