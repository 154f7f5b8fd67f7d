"""Feature gates that change plugin behaviour, with upstream defaults for the modelled release."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from batchproof.model.errors import ConfigError


@dataclass(frozen=True, slots=True)
class FeatureGates:
    """Feature gates (pkg/features/kube_features.go) with upstream defaults.

    DRAExtendedResource is GA and locked on in v1.37; NodeResourcesFit and BalancedAllocation
    then refuse to sign only pods requesting a DRA-backed extended resource (fit.go SignPod).
    StorageCapacityScoring is Beta and on by default in v1.37 (VolumeBinding scores).
    NodeDeclaredFeatures is GA and locked on in v1.37, so it is no gate here: the plugin is always
    enabled.
    """

    pod_level_resources: bool = True
    sidecar_containers: bool = True
    dra_extended_resource: bool = True
    node_inclusion_policy_in_pod_topology_spread: bool = True
    match_label_keys_in_pod_topology_spread: bool = True
    match_label_keys_in_pod_affinity: bool = True
    opportunistic_batching: bool = True
    storage_capacity_scoring: bool = True

    @classmethod
    def parse(cls, text: str) -> FeatureGates:
        """Parse ``Name=true,Other=false`` using upstream gate names.

        Raises:
            ConfigError: an unknown gate or a value that is not true/false.

        """
        gates = cls()
        for item in filter(None, (part.strip() for part in text.split(","))):
            name, _, raw = item.partition("=")
            attribute = UPSTREAM_NAMES.get(name.strip())
            if attribute is None:
                raise ConfigError(f"--feature-gates: unknown gate {name!r}; known: {', '.join(sorted(UPSTREAM_NAMES))}")
            value = raw.strip().lower()
            if value not in ("true", "false"):
                raise ConfigError(f"--feature-gates: {name}: expected true or false, got {raw!r}")
            gates = replace(gates, **{attribute: value == "true"})
        return gates

    def to_json(self) -> dict[str, bool]:
        """Upstream names to values."""
        reverse = {v: k for k, v in UPSTREAM_NAMES.items()}
        return {reverse[f.name]: getattr(self, f.name) for f in fields(self)}


UPSTREAM_NAMES = {
    "PodLevelResources": "pod_level_resources",
    "SidecarContainers": "sidecar_containers",
    "DRAExtendedResource": "dra_extended_resource",
    "NodeInclusionPolicyInPodTopologySpread": "node_inclusion_policy_in_pod_topology_spread",
    "MatchLabelKeysInPodTopologySpread": "match_label_keys_in_pod_topology_spread",
    "MatchLabelKeysInPodAffinity": "match_label_keys_in_pod_affinity",
    "OpportunisticBatching": "opportunistic_batching",
    "StorageCapacityScoring": "storage_capacity_scoring",
}
