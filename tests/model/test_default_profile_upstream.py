"""The built-in default profile pinned against upstream Kubernetes v1.37.2.

Expected values are copied from the module cache, k8s.io/kubernetes@v1.37.2:
- pkg/scheduler/apis/config/v1/default_plugins.go ``getDefaultPlugins`` / ``applyFeatureGates``;
- pkg/features/kube_features.go for the gates at their 1.37 defaults (NodeDeclaredFeatures GA and
  locked on, DynamicResourceAllocation GA locked on, InPlacePodVerticalScalingSchedulerPreemption,
  GenericWorkload and TopologyAwareWorkloadScheduling off);
- pkg/scheduler/apis/config/v1/defaults.go (``defaultResourceSpec``, ``SetDefaults_*Args``) and
  pkg/scheduler/apis/config/types.go (``DefaultPercentageOfNodesToScore = 0``);
- pkg/scheduler/framework/plugins/podtopologyspread/plugin.go (``systemDefaultConstraints``).

Everything must match exactly, so a changed weight, order or argument fails.
"""

from __future__ import annotations

from batchproof.model.framework.runtime import Framework
from batchproof.model.profiles import DEFAULT_MULTI_POINT, batching_profile, default_profile
from batchproof.model.scheduling import DEFAULT_PERCENTAGE_OF_NODES_TO_SCORE

# getDefaultPlugins() MultiPoint, v1.37.2, after applyFeatureGates with 1.37 default gates:
# NodeDeclaredFeatures is appended (gate GA, on), then DynamicResources (weight 2) is inserted
# before DefaultPreemption (DynamicResourceAllocation GA, on). ``None`` = no weight given.
UPSTREAM_V1_37_2_MULTI_POINT: tuple[tuple[str, int | None], ...] = (
    ("SchedulingGates", None),
    ("PrioritySort", None),
    ("NodeName", None),
    ("NodeUnschedulable", None),
    ("TaintToleration", 3),
    ("NodeAffinity", 2),
    ("NodePorts", None),
    ("NodeResourcesFit", 1),
    ("VolumeRestrictions", None),
    ("NodeVolumeLimits", None),
    ("VolumeBinding", None),
    ("VolumeZone", None),
    ("PodTopologySpread", 2),
    ("InterPodAffinity", 2),
    ("DynamicResources", 2),
    ("DefaultPreemption", None),
    ("NodeResourcesBalancedAllocation", 1),
    ("ImageLocality", 1),
    ("DefaultBinder", None),
    ("NodeDeclaredFeatures", None),
)


def _model_multi_point() -> list[tuple[str, int | None]]:
    return [(spec.name, spec.weight or None) for spec in DEFAULT_MULTI_POINT]


def test_default_multi_point_equals_upstream_v1_37_2_exactly() -> None:
    """Order and weights: NodeName before NodeUnschedulable, DynamicResources weight 2 before
    DefaultPreemption, NodeDeclaredFeatures appended last."""
    assert _model_multi_point() == list(UPSTREAM_V1_37_2_MULTI_POINT)


def _score_weights(framework: Framework) -> dict[str, int]:
    return {scored.plugin.name: scored.weight for scored in framework.score_plugins}


def test_built_default_profile_scores_with_upstream_weights() -> None:
    """Upstream weights for every plugin the model scores with; an unweighted MultiPoint plugin
    scores with weight 1 (framework.go: a zero weight becomes 1)."""
    upstream = {name: weight or 1 for name, weight in UPSTREAM_V1_37_2_MULTI_POINT}
    weights = _score_weights(default_profile().build())
    assert weights == {name: upstream[name] for name in weights}
    assert set(weights) == {
        "TaintToleration",
        "NodeAffinity",
        "NodeResourcesFit",
        "VolumeBinding",
        "PodTopologySpread",
        "InterPodAffinity",
        "DynamicResources",
        "NodeResourcesBalancedAllocation",
        "ImageLocality",
    }
    assert list(weights) == [n for n, _ in UPSTREAM_V1_37_2_MULTI_POINT if n in weights]  # score order


# Default plugins without a Filter extension point (upstream and model alike).
NOT_FILTERS = frozenset(
    {
        "SchedulingGates",
        "PrioritySort",
        "DefaultPreemption",
        "DefaultBinder",
        "NodeResourcesBalancedAllocation",
        "ImageLocality",
    }
)


def test_built_default_profile_filters_in_upstream_order() -> None:
    filters = [plugin.name for plugin in default_profile().build().filter_plugins]
    assert filters == [n for n, _ in UPSTREAM_V1_37_2_MULTI_POINT if n not in NOT_FILTERS]


def _plugin(framework: Framework, name: str) -> object:
    everything = [
        *framework.pre_filter_plugins,
        *framework.filter_plugins,
        *framework.pre_score_plugins,
        *(s.plugin for s in framework.score_plugins),
    ]
    return next(p for p in everything if p.name == name)


def test_default_plugin_args_equal_upstream_defaults() -> None:
    """defaults.go: NodeResourcesFit LeastAllocated over cpu=1, memory=1; BalancedAllocation over
    cpu=1, memory=1; InterPodAffinity hardPodAffinityWeight 1 and preferred terms of existing pods
    honoured; PodTopologySpread System defaulting with systemDefaultConstraints."""
    framework = default_profile().build()
    fit = _plugin(framework, "NodeResourcesFit")
    strategy = fit.args.scoring_strategy  # type: ignore[attr-defined]
    assert strategy.type == "LeastAllocated"
    assert [(r.name, r.weight) for r in strategy.resources] == [("cpu", 1), ("memory", 1)]
    assert fit.args.ignored_resources == frozenset()  # type: ignore[attr-defined]
    assert fit.args.ignored_resource_groups == frozenset()  # type: ignore[attr-defined]
    balanced = _plugin(framework, "NodeResourcesBalancedAllocation")
    assert [(r.name, r.weight) for r in balanced.scorer.resources] == [("cpu", 1), ("memory", 1)]  # type: ignore[attr-defined]
    affinity = _plugin(framework, "InterPodAffinity")
    assert affinity.args.hard_pod_affinity_weight == 1  # type: ignore[attr-defined]
    assert affinity.args.ignore_preferred_terms_of_existing_pods is False  # type: ignore[attr-defined]
    spread = _plugin(framework, "PodTopologySpread")
    config = spread.config  # type: ignore[attr-defined]
    assert config.system_defaulted is True
    assert [(c.topology_key, c.max_skew, c.when_unsatisfiable) for c in config.default_constraints] == [
        ("kubernetes.io/hostname", 3, "ScheduleAnyway"),
        ("topology.kubernetes.io/zone", 5, "ScheduleAnyway"),
    ]
    assert all(c.label_selector is None for c in config.default_constraints)
    assert default_profile().percentage_of_nodes_to_score is None  # unset: the global default applies
    assert DEFAULT_PERCENTAGE_OF_NODES_TO_SCORE == 0  # types.go DefaultPercentageOfNodesToScore (adaptive)


def test_batching_profile_changes_only_pod_topology_spread_defaulting() -> None:
    """The batching profile is the default one with List defaulting and no default constraints."""
    default, batching = default_profile(), batching_profile()
    assert batching.multi_point == default.multi_point
    assert dict(batching.plugin_args) == {"PodTopologySpread": {"defaultingType": "List", "defaultConstraints": []}}
    spread = _plugin(batching.build(), "PodTopologySpread")
    assert spread.config.default_constraints == ()  # type: ignore[attr-defined]
    assert _score_weights(batching.build()) == _score_weights(default.build())


# Default plugins with a PreFilter / PreScore method in v1.37.2 (``func (pl *X) PreFilter(`` and
# ``PreScore(`` under pkg/scheduler/framework/plugins/), in MultiPoint order.
UPSTREAM_PRE_FILTER = (
    "NodeName",
    "NodeUnschedulable",
    "TaintToleration",
    "NodeAffinity",
    "NodePorts",
    "NodeResourcesFit",
    "VolumeRestrictions",
    "NodeVolumeLimits",
    "VolumeBinding",
    "VolumeZone",
    "PodTopologySpread",
    "InterPodAffinity",
    "DynamicResources",
    "NodeDeclaredFeatures",
)
UPSTREAM_PRE_SCORE = (
    "TaintToleration",
    "NodeAffinity",
    "NodeResourcesFit",
    "VolumeBinding",
    "PodTopologySpread",
    "InterPodAffinity",
    "NodeResourcesBalancedAllocation",
)
# Known differences: NodeUnschedulable's and TaintToleration's PreFilter return (nil, nil) unless
# InPlacePodVerticalScalingSchedulerPreemption is on (off in 1.37), so they change nothing; NodeName's
# PreFilter narrows the nodes to spec.nodeName when set, which the model's NodeName Filter decides
# node by node instead (the same feasible set).
PRE_FILTER_NOT_MODELLED = frozenset({"NodeName", "NodeUnschedulable", "TaintToleration"})


def test_built_default_profile_pre_filters_and_pre_scores_in_upstream_order() -> None:
    framework = default_profile().build()
    assert [p.name for p in framework.pre_filter_plugins] == [
        n for n in UPSTREAM_PRE_FILTER if n not in PRE_FILTER_NOT_MODELLED
    ]
    assert [p.name for p in framework.pre_score_plugins] == list(UPSTREAM_PRE_SCORE)
    multi_point_order = [n for n, _ in UPSTREAM_V1_37_2_MULTI_POINT]
    assert sorted(UPSTREAM_PRE_FILTER, key=multi_point_order.index) == list(UPSTREAM_PRE_FILTER)
