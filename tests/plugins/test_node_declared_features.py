"""NodeDeclaredFeatures (v1.37 default profile): inference, bit-string signing, PreFilter and Filter.

Upstream: pkg/scheduler/framework/plugins/nodedeclaredfeatures/nodedeclaredfeatures.go and
k8s.io/component-helpers@v0.37.2/nodedeclaredfeatures (framework.go, bitmap.go, features/).
"""

from __future__ import annotations

from typing import Any

import pytest

from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.evaluate import evaluate_plugin
from batchproof.model.framework.interfaces import PluginContext, SignerMode
from batchproof.model.framework.status import Code
from batchproof.model.objects import Node, Pod
from batchproof.model.plugins import node_declared_features as ndf
from batchproof.model.plugins.helpers.signers import FEATURES_SIGNER
from batchproof.model.plugins.registry import DEFAULT_REGISTRY
from batchproof.model.profiles import DEFAULT_MULTI_POINT, batching_profile

NAME = "NodeDeclaredFeatures"


def plugin(mode: SignerMode = "upstream") -> Any:
    return DEFAULT_REGISTRY.create(NAME, None, PluginContext(signers=mode))


def test_registered_features_are_v0_37_2_all_features_in_name_order() -> None:
    assert ndf.REGISTERED_FEATURES == (
        "DRANodeAllocatableResources",
        "DRAOptionalNodeOperations",
        "ExtendWebSocketsToKubelet",
        "InPlacePodLevelResourcesVerticalScaling",
        "InPlacePodVerticalScalingInitContainers",
        "InPlacePodVerticalScalingMemoryBackedVolumes",
        "RestartAllContainersOnContainerExits",
        "UserNamespacesHostNetworkSupport",
        "VolumeBindMountOptions",
    )


@pytest.mark.parametrize(
    ("facts", "required", "bits"),
    [
        (ndf.PodFeatureFacts(), frozenset(), "000000000"),
        (ndf.PodFeatureFacts(host_network=True), frozenset(), "000000000"),
        (ndf.PodFeatureFacts(host_network=True, host_users=True), frozenset(), "000000000"),
        (ndf.PodFeatureFacts(host_users=False), frozenset(), "000000000"),  # needs hostNetwork too
        (ndf.PodFeatureFacts(host_network=True, host_users=False), {ndf.USER_NAMESPACES_HOST_NETWORK}, "000000010"),
        (ndf.PodFeatureFacts(restart_all_containers_rule=True), {ndf.RESTART_ALL_CONTAINERS}, "000000100"),
        (ndf.PodFeatureFacts(bind_mount_options=True), {ndf.VOLUME_BIND_MOUNT_OPTIONS}, "000000001"),
        (
            ndf.PodFeatureFacts(True, True, False, True),
            {ndf.RESTART_ALL_CONTAINERS, ndf.USER_NAMESPACES_HOST_NETWORK, ndf.VOLUME_BIND_MOUNT_OPTIONS},
            "000000111",
        ),
    ],
)
def test_inference_and_feature_set_string(facts: ndf.PodFeatureFacts, required: set[str], bits: str) -> None:
    assert ndf.infer_for_scheduling(facts) == required
    assert ndf.feature_set_string(ndf.infer_for_scheduling(facts)) == bits


@pytest.mark.parametrize("mode", ["upstream", "strict"])
def test_a_modelled_pod_requires_nothing_so_pre_filter_skips_and_it_signs_all_zeros(mode: SignerMode) -> None:
    snapshot = Snapshot([Node("a"), Node("b")])
    pod = Pod(name="p", host_network=True)
    result = evaluate_plugin(plugin(mode), pod, snapshot)
    assert result.pre_filter is not None and result.pre_filter.code is Code.SKIP
    assert result.filter == {}
    assert result.sign_status is not None and result.sign_status.is_success
    assert {f.key: f.value for f in result.fragments or ()} == {FEATURES_SIGNER: "000000000"}


def test_filter_rejects_a_node_that_does_not_declare_a_required_feature() -> None:
    snapshot = Snapshot([Node("a")])
    state = CycleState(snapshot)
    state.write(ndf.PRE_FILTER_STATE_KEY, ndf.PreFilterState(frozenset({ndf.VOLUME_BIND_MOUNT_OPTIONS})))
    status = plugin().filter(state, Pod(name="p"), snapshot.node_infos()[0])
    assert (status.code, status.reasons) == (
        Code.UNSCHEDULABLE_AND_UNRESOLVABLE,
        ("node(s) didn't match Pod's required features",),
    )
    state.write(ndf.PRE_FILTER_STATE_KEY, ndf.PreFilterState(frozenset()))
    assert plugin().filter(state, Pod(name="p"), snapshot.node_infos()[0]).is_success


def test_filter_without_pre_filter_state_is_an_error() -> None:
    snapshot = Snapshot([Node("a")])
    assert plugin().filter(CycleState(snapshot), Pod(name="p"), snapshot.node_infos()[0]).code is Code.ERROR


def test_it_is_last_in_the_default_multi_point_and_keeps_batching_possible() -> None:
    """default_plugins.go applyFeatureGates appends it (gate GA, locked on in v1.37)."""
    assert DEFAULT_MULTI_POINT[-1].name == NAME
    framework = batching_profile().build()
    assert NAME in [p.name for p in framework.filter_plugins]
    signature = framework.sign_pod(Pod(name="p"))
    assert signature is not None and b'"v1.Pod.Spec.RequiredFeatures()":"000000000"' in signature
