"""NodeDeclaredFeatures: a node must declare every feature the pod's spec requires of it.

pkg/scheduler/framework/plugins/nodedeclaredfeatures/nodedeclaredfeatures.go over the feature
library k8s.io/component-helpers/nodedeclaredfeatures (v0.37.2). The NodeDeclaredFeatures gate is
GA and locked on in v1.37, and the plugin is in the default profile (default_plugins.go
applyFeatureGates appends it to MultiPoint), so it is modelled as always enabled.

* Inference (``Framework.InferForPodScheduling``): each registered feature, in name order, may
  require itself of the node from the pod spec. Three do in v0.37.2:
  RestartAllContainersOnContainerExits (a container or init container restart rule with action
  RestartAllContainers), UserNamespacesHostNetworkSupport (``hostNetwork`` with ``hostUsers:
  false``) and VolumeBindMountOptions (a volume mount with ``bindMountOptions``). No feature has a
  MaxVersion, so the scheduler's version drops none.
* PreFilter: Skip when nothing is required, else the requirement set goes to the cycle state.
* Filter: UnschedulableAndUnresolvable "node(s) didn't match Pod's required features" unless the
  requirements are a subset of the node's ``status.declaredFeatures`` (unknown names ignored,
  ``TryMap``); Error without PreFilter state.
* SignPod: ``v1.Pod.Spec.RequiredFeatures()`` = ``FeatureSet.String()``, one ``0``/``1`` per
  registered feature in name order (bitmap.go). It is everything PreFilter and Filter read of the
  pod, so the strict signer is the same.

The model's objects carry none of restartPolicyRules, hostUsers, volumeMounts nor the node's
declaredFeatures (README "Model and Kubernetes: known differences"): :func:`pod_feature_facts`
reads what exists (``hostNetwork``) and takes the upstream default for the rest, so every
modelled pod requires nothing, PreFilter skips and the fragment is all zeros, exactly what
upstream answers for the same objects. The inference over the full facts is modelled and tested.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import PluginContext, PreFilterResult, SignFragment
from batchproof.model.framework.status import SUCCESS, Status, error, skip, unresolvable
from batchproof.model.objects import Node, Pod
from batchproof.model.plugins.helpers.signers import FEATURES_SIGNER
from batchproof.model.plugins.registry import PluginInfo

NAME = "NodeDeclaredFeatures"
PRE_FILTER_STATE_KEY = "PreFilter" + NAME
ERR_REASON_UNSATISFIED_REQUIREMENTS = "node(s) didn't match Pod's required features"

RESTART_ALL_CONTAINERS = "RestartAllContainersOnContainerExits"
USER_NAMESPACES_HOST_NETWORK = "UserNamespacesHostNetworkSupport"
VOLUME_BIND_MOUNT_OPTIONS = "VolumeBindMountOptions"

# features/registry.go AllFeatures, sorted by name as nodedeclaredfeatures.New sorts them: the bit
# order of a FeatureSet.
REGISTERED_FEATURES: tuple[str, ...] = tuple(
    sorted(
        (
            RESTART_ALL_CONTAINERS,
            "InPlacePodLevelResourcesVerticalScaling",
            "ExtendWebSocketsToKubelet",
            "InPlacePodVerticalScalingInitContainers",
            "InPlacePodVerticalScalingMemoryBackedVolumes",
            USER_NAMESPACES_HOST_NETWORK,
            "DRANodeAllocatableResources",
            VOLUME_BIND_MOUNT_OPTIONS,
            "DRAOptionalNodeOperations",
        )
    )
)


@dataclass(frozen=True, slots=True)
class PodFeatureFacts:
    """The pod spec facts the v0.37.2 features infer requirements from."""

    restart_all_containers_rule: bool = False
    host_network: bool = False
    host_users: bool | None = None
    bind_mount_options: bool = False


def pod_feature_facts(pod: Pod) -> PodFeatureFacts:
    """The facts of a modelled pod: ``hostNetwork``; the model has no field for the others.

    Without ``restartPolicyRules``, ``hostUsers`` and ``volumeMounts`` they take their API
    defaults (no rules, hostUsers unset, no mounts), which require nothing.
    """
    return PodFeatureFacts(host_network=pod.host_network)


def infer_for_scheduling(facts: PodFeatureFacts) -> frozenset[str]:
    """InferForPodScheduling: the features the pod needs the node to declare."""
    required = set()
    if facts.restart_all_containers_rule:  # restartallcontainers/restart_all_containers.go
        required.add(RESTART_ALL_CONTAINERS)
    if facts.host_network and facts.host_users is False:  # usernamespaceshostnetwork
        required.add(USER_NAMESPACES_HOST_NETWORK)
    if facts.bind_mount_options:  # volumebindmountoptions/feature.go
        required.add(VOLUME_BIND_MOUNT_OPTIONS)
    return frozenset(required)


def required_features(pod: Pod) -> frozenset[str]:
    """The features ``pod`` requires of its node."""
    return infer_for_scheduling(pod_feature_facts(pod))


def feature_set_string(features: frozenset[str]) -> str:
    """FeatureSet.String(): ``1`` or ``0`` per registered feature, in name order."""
    return "".join("1" if name in features else "0" for name in REGISTERED_FEATURES)


def node_declared_features(node: Node) -> frozenset[str]:
    """The registered features the node declares (``TryMap`` of status.declaredFeatures).

    The model's Node has no ``status.declaredFeatures``: a node declares nothing.
    """
    return frozenset()


@dataclass(frozen=True, slots=True)
class PreFilterState:
    """The pod's required features."""

    required: frozenset[str]


class NodeDeclaredFeatures:
    """PreFilter, Filter and SignPod of NodeDeclaredFeatures (identical in both signer modes)."""

    name = NAME

    def pre_filter(
        self, state: CycleState, pod: Pod, nodes: Sequence[NodeInfo]
    ) -> tuple[PreFilterResult | None, Status]:
        """Skip when the pod requires no feature; otherwise keep the requirements."""
        required = required_features(pod)
        if not required:
            return None, skip()
        state.write(PRE_FILTER_STATE_KEY, PreFilterState(required))
        return None, SUCCESS

    def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        """The node must declare every required feature."""
        data = state.read(PRE_FILTER_STATE_KEY)
        if not isinstance(data, PreFilterState):
            return error(f'error reading "{PRE_FILTER_STATE_KEY}" from cycle-state: not found')
        if data.required <= node_declared_features(node_info.node):
            return SUCCESS
        return unresolvable(ERR_REASON_UNSATISFIED_REQUIREMENTS)

    def sign_pod(self, pod: Pod) -> tuple[tuple[SignFragment, ...] | None, Status]:
        """FeaturesSigner: the required feature set as its bit string."""
        return (SignFragment(FEATURES_SIGNER, feature_set_string(required_features(pod))),), SUCCESS


def _factory(args: Mapping[str, Any], context: PluginContext) -> NodeDeclaredFeatures:
    return NodeDeclaredFeatures()


PLUGIN = PluginInfo(NAME, _factory)
