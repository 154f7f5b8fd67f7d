"""Scheduler profiles: which plugins run at which extension point, weights, args, signer mode.

The built-in ``default`` profile is upstream's v1 default (pkg/scheduler/apis/config/v1/
default_plugins.go, spec §6.6); ``batching`` is the same with PodTopologySpread List defaulting
and no default constraints, as upstream's batching integration test configures it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from batchproof.model.errors import ConfigError
from batchproof.model.framework.features import FeatureGates
from batchproof.model.framework.interfaces import PluginContext, SignerMode, implements
from batchproof.model.framework.runtime import Framework, ScoredPlugin
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import DEFAULT_SCHEDULER_NAME
from batchproof.model.plugins.registry import DEFAULT_REGISTRY, NON_SCHEDULING_PLUGINS, Registry

POINTS = ("preFilter", "filter", "preScore", "score")
_METHOD = {"preFilter": "pre_filter", "filter": "filter", "preScore": "pre_score", "score": "score"}


@dataclass(frozen=True, slots=True)
class PluginSpec:
    """A plugin enabled in a profile, with its score weight (0 means the default, 1)."""

    name: str
    weight: int = 0


@dataclass(frozen=True, slots=True)
class Profile:
    """One scheduling profile (KubeSchedulerProfile) plus batchproof's signer mode and gates."""

    scheduler_name: str = DEFAULT_SCHEDULER_NAME
    multi_point: tuple[PluginSpec, ...] = ()
    enabled: FrozenDict[str, tuple[PluginSpec, ...]] = field(default_factory=FrozenDict)
    disabled: FrozenDict[str, frozenset[str]] = field(default_factory=FrozenDict)
    plugin_args: FrozenDict[str, Any] = field(default_factory=FrozenDict)
    percentage_of_nodes_to_score: int | None = None
    signers: SignerMode = "upstream"
    features: FeatureGates = field(default_factory=FeatureGates)
    has_extenders: bool = False

    def with_signers(self, signers: SignerMode) -> Profile:
        """The same profile with another signer mode."""
        return replace(self, signers=signers)

    def with_features(self, features: FeatureGates) -> Profile:
        """The same profile with other feature gates."""
        return replace(self, features=features)

    def with_plugin_args(self, name: str, args: Mapping[str, Any]) -> Profile:
        """The same profile with ``args`` for plugin ``name``."""
        return replace(self, plugin_args=FrozenDict({**self.plugin_args, name: dict(args)}))

    def plugin_names(self) -> list[str]:
        """Every scheduling plugin the profile enables anywhere, in first-mention order."""
        names = [s.name for s in self.multi_point]
        names += [s.name for point in POINTS for s in self.enabled.get(point, ())]
        return [n for n in dict.fromkeys(names) if n not in NON_SCHEDULING_PLUGINS]

    def build(self, registry: Registry = DEFAULT_REGISTRY) -> Framework:
        """Instantiate every plugin once and wire the Framework.

        Raises:
            UnknownPluginError: a plugin name is not registered.
            ConfigError: plugin args are invalid.

        """
        context = PluginContext(features=self.features, signers=self.signers)
        instances = {name: registry.create(name, self.plugin_args.get(name), context) for name in self.plugin_names()}
        points: dict[str, list[PluginSpec]] = {}
        for point in POINTS:
            disabled = self.disabled.get(point, frozenset())
            expanded = [
                spec
                for spec in self.multi_point
                if spec.name in instances
                and spec.name not in disabled
                and "*" not in disabled
                and implements(instances[spec.name], _METHOD[point])
            ]
            explicit = self.enabled.get(point, ())
            named = {s.name for s in explicit}
            overridden = named & {s.name for s in expanded}
            # framework.go expandMultiPointPlugins: explicitly re-configured MultiPoint plugins first
            # (in their explicit order), then the MultiPoint-only ones, then the other explicit ones.
            points[point] = [
                *(s for s in explicit if s.name in overridden),
                *(s for s in expanded if s.name not in named),
                *(s for s in explicit if s.name not in overridden),
            ]
        # framework.go getValidScoreWeights: an explicit Score entry's weight wins over MultiPoint's,
        # and a zero weight is 1 (an explicit entry without a weight does not inherit MultiPoint's).
        scored = [ScoredPlugin(instances[spec.name], spec.weight or 1) for spec in points["score"]]
        return Framework(
            scheduler_name=self.scheduler_name,
            pre_filter=[instances[s.name] for s in points["preFilter"]],
            filter=[instances[s.name] for s in points["filter"]],
            pre_score=[instances[s.name] for s in points["preScore"]],
            score=scored,
            has_extenders=self.has_extenders,
            signatures_enabled=self.features.opportunistic_batching,
        )


# pkg/scheduler/apis/config/v1/default_plugins.go (MultiPoint order and score weights), v1.37.2,
# after applyFeatureGates with the 1.37 gate defaults: DynamicResources (weight 2) inserted before
# DefaultPreemption (DynamicResourceAllocation GA, locked on), NodeDeclaredFeatures appended (GA,
# locked on); InPlacePodVerticalScalingSchedulerPreemption, GenericWorkload and
# TopologyAwareWorkloadScheduling are off, so their plugins are not added.
DEFAULT_MULTI_POINT: tuple[PluginSpec, ...] = (
    PluginSpec("SchedulingGates"),
    PluginSpec("PrioritySort"),
    PluginSpec("NodeName"),
    PluginSpec("NodeUnschedulable"),
    PluginSpec("TaintToleration", 3),
    PluginSpec("NodeAffinity", 2),
    PluginSpec("NodePorts"),
    PluginSpec("NodeResourcesFit", 1),
    PluginSpec("VolumeRestrictions"),
    PluginSpec("NodeVolumeLimits"),
    PluginSpec("VolumeBinding"),
    PluginSpec("VolumeZone"),
    PluginSpec("PodTopologySpread", 2),
    PluginSpec("InterPodAffinity", 2),
    PluginSpec("DynamicResources", 2),
    PluginSpec("DefaultPreemption"),
    PluginSpec("NodeResourcesBalancedAllocation", 1),
    PluginSpec("ImageLocality", 1),
    PluginSpec("DefaultBinder"),
    PluginSpec("NodeDeclaredFeatures"),
)

BATCHING_SPREAD_ARGS: dict[str, Any] = {"defaultingType": "List", "defaultConstraints": []}


def default_profile() -> Profile:
    """Upstream's default profile: nothing batches, because of PodTopologySpread System defaulting."""
    return Profile(multi_point=DEFAULT_MULTI_POINT)


def batching_profile() -> Profile:
    """The default profile with PodTopologySpread List defaulting and no default constraints."""
    return default_profile().with_plugin_args("PodTopologySpread", BATCHING_SPREAD_ARGS)


BUILT_IN_PROFILES = {"default": default_profile, "batching": batching_profile}


def built_in_profile(name: str) -> Profile:
    """A built-in profile by name.

    Raises:
        ConfigError: no such profile.

    """
    if name not in BUILT_IN_PROFILES:
        raise ConfigError(f"unknown profile {name!r}; built-in profiles: {', '.join(BUILT_IN_PROFILES)}")
    return BUILT_IN_PROFILES[name]()
