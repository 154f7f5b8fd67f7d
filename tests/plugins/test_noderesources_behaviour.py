"""NodeResourcesFit and BalancedAllocation behaviour the upstream fixtures leave uncovered."""

from __future__ import annotations

from typing import Any

from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.features import FeatureGates
from batchproof.model.framework.interfaces import PluginContext
from batchproof.model.framework.status import Code
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Container, Node, Pod
from batchproof.model.plugins.noderesources.fit_filter import RESTARTABLE_INIT_REASON
from batchproof.model.plugins.registry import DEFAULT_REGISTRY

MI = 1024 * 1024


def container(**requests: int) -> Container:
    return Container(requests=FrozenDict({k.replace("_", "-"): v for k, v in requests.items()}))


def pod(*containers: Container, name: str = "p", init: tuple[Container, ...] = ()) -> Pod:
    return Pod(name=name, containers=containers, init_containers=init)


def node(name: str = "n", **allocatable: int) -> Node:
    return Node(name=name, allocatable=FrozenDict({k.replace("_", "-"): v for k, v in allocatable.items()}))


def fit(args: dict[str, Any] | None = None, features: FeatureGates | None = None) -> Any:
    return DEFAULT_REGISTRY.create("NodeResourcesFit", args, PluginContext(features=features or FeatureGates()))


def balanced(args: dict[str, Any] | None = None) -> Any:
    return DEFAULT_REGISTRY.create("NodeResourcesBalancedAllocation", args, PluginContext())


def test_filter_without_pre_filter_state_is_an_error() -> None:
    snapshot = Snapshot([node(cpu=1000, pods=10)])
    status = fit().filter(CycleState(snapshot), pod(container(cpu=1)), snapshot.node_infos()[0])
    assert status.code is Code.ERROR


def _filter(plugin: Any, incoming: Pod, snapshot: Snapshot) -> Any:
    state = CycleState(snapshot)
    _, pre = plugin.pre_filter(state, incoming, snapshot.node_infos())
    assert pre.is_success
    return plugin.filter(state, incoming, snapshot.node_infos()[0])


def test_too_many_pods_is_reported_together_with_short_resources() -> None:
    existing = Pod(name="e", node_name="n", containers=(container(cpu=600),))
    snapshot = Snapshot([node(cpu=1000, memory=100, pods=1)], [existing])
    status = _filter(fit(), pod(container(cpu=500)), snapshot)
    assert status.code is Code.UNSCHEDULABLE
    assert status.reasons == ("Too many pods", "Insufficient cpu")


def test_any_unresolvable_resource_makes_the_node_unresolvable() -> None:
    existing = Pod(name="e", node_name="n", containers=(container(cpu=600),))
    snapshot = Snapshot([node(cpu=1000, memory=100, pods=10)], [existing])
    # cpu is short only because of the existing pod; memory can never fit.
    status = _filter(fit(), pod(container(cpu=500, memory=200)), snapshot)
    assert status.code is Code.UNSCHEDULABLE_AND_UNRESOLVABLE
    assert status.reasons == ("Insufficient cpu", "Insufficient memory")


def test_ignored_resource_groups_skip_extended_resources_of_that_domain_only() -> None:
    snapshot = Snapshot([node(cpu=1000, pods=10)])
    incoming = Pod(containers=(Container(requests=FrozenDict({"example.com/a": 1, "other.io/b": 1})),))
    status = _filter(fit({"ignoredResourceGroups": ["example.com"]}), incoming, snapshot)
    assert status.reasons == ("Insufficient other.io/b",)


def test_pre_filter_rejects_sidecars_when_the_feature_is_off() -> None:
    sidecar = Container(requests=FrozenDict({"cpu": 1}), restart_policy="Always")
    incoming = pod(container(cpu=1), init=(sidecar,))
    snapshot = Snapshot([node(cpu=1000, pods=10)])
    _, status = fit(features=FeatureGates(sidecar_containers=False)).pre_filter(
        CycleState(snapshot), incoming, snapshot.node_infos()
    )
    assert status.code is Code.UNSCHEDULABLE_AND_UNRESOLVABLE
    assert status.reasons == (RESTARTABLE_INIT_REASON,)


def test_scoring_applies_non_zero_defaults_only_to_missing_requests() -> None:
    snapshot = Snapshot([node(cpu=1000, memory=1000 * MI, pods=10)])
    info = snapshot.node_infos()[0]
    plugin = fit({"scoringStrategy": {"type": "MostAllocated", "resources": [{"name": "cpu", "weight": 1}]}})
    missing, _ = plugin.score(CycleState(snapshot), pod(container(memory=1)), info)
    explicit_zero, _ = plugin.score(CycleState(snapshot), pod(container(cpu=0, memory=1)), info)
    assert (missing, explicit_zero) == (10, 0)  # 100m of 1000m vs 0m


def test_score_without_pre_score_recomputes_the_same_value() -> None:
    existing = Pod(name="e", node_name="n", containers=(container(cpu=300, memory=100 * MI),))
    snapshot = Snapshot([node(cpu=1000, memory=1000 * MI, pods=10)], [existing])
    info = snapshot.node_infos()[0]
    incoming = pod(container(cpu=200), container(memory=300 * MI))
    for plugin in (fit(), balanced()):
        state = CycleState(snapshot)
        assert plugin.pre_score(state, incoming, [info]).is_success
        assert plugin.score(state, incoming, info) == plugin.score(CycleState(snapshot), incoming, info)


def test_balanced_allocation_skips_or_scores_zero_for_best_effort_pods() -> None:
    snapshot = Snapshot([node(cpu=1000, memory=1000, pods=10)])
    plugin = balanced()
    best_effort = pod(Container())
    assert plugin.pre_score(CycleState(snapshot), best_effort, snapshot.node_infos()).code is Code.SKIP
    value, status = plugin.score(CycleState(snapshot), best_effort, snapshot.node_infos()[0])
    assert (value, status.is_success) == (0, True)


def test_balanced_allocation_uses_the_population_deviation_for_three_resources() -> None:
    snapshot = Snapshot([node(cpu=1000, memory=1000, ephemeral_storage=1000, pods=10)])
    plugin = balanced({"resources": [{"name": "cpu"}, {"name": "memory"}, {"name": "ephemeral-storage"}]})
    incoming = pod(container(cpu=600, memory=300, ephemeral_storage=0))
    # with the pod: fractions .6 .3 0 -> std 0.2449 -> 75; without: all 0 -> 100; 50 + (50+75-100)/2 = 62
    value, _ = plugin.score(CycleState(snapshot), incoming, snapshot.node_infos()[0])
    assert value == 62


def test_the_most_unbalancing_pod_on_an_empty_node_scores_50() -> None:
    snapshot = Snapshot([node(cpu=1000, memory=1000, pods=10)])
    # with the pod: fractions 1 and 0 -> std .5 -> 50; without: 100; 50 + (50+50-100)/2 = 50
    value, _ = balanced().score(CycleState(snapshot), pod(container(cpu=1000, memory=0)), snapshot.node_infos()[0])
    assert value == 50


def test_score_with_no_configured_resources_is_an_error() -> None:
    snapshot = Snapshot([node(cpu=1000, pods=10)])
    plugin = fit({"scoringStrategy": {"type": "LeastAllocated", "resources": []}})
    value, status = plugin.score(CycleState(snapshot), pod(container(cpu=1)), snapshot.node_infos()[0])
    assert (value, status.code, status.reasons) == (0, Code.ERROR, ("resources not found",))
