"""The model's schedulers against upstream's real scheduling cycle (the oracle's ``schedule``).

Reference vs upstream with batching off, batched (g3, upstream signers) vs upstream with batching
on, over the lockstep properties' scenarios; upstream's batch integration scenarios through the
oracle; and one pinning test per known difference (README "Model and Kubernetes: known
differences").
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pytest

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Container, Node, Pod, TopologySpreadConstraint
from batchproof.model.profiles import Profile, batching_profile
from batchproof.properties.events import Event
from batchproof.properties.lockstep import BatchingOptions, Scenario, run_lockstep
from batchproof.properties.upstream.scheduler_diff import (
    KNOWN_KEPT_STATE,
    KNOWN_STORE_PRECEDENCE,
    KNOWN_TIE,
    diff_batched,
    diff_reference,
    diff_scenario,
    run_upstream,
)
from batchproof.properties.upstream.scheduler_run import run_scheduler_diff
from batchproof.properties.world import Cluster
from batchproof.upstream import Oracle, schedule

BATCHING = batching_profile()
ROOM = FrozenDict({"cpu": 4000, "memory": 8 * 1024**3, "pods": 110})


def _node(name: str, resources: FrozenDict[str, int] = ROOM) -> Node:
    return Node(name, labels=FrozenDict({"kubernetes.io/hostname": name}), capacity=resources, allocatable=resources)


def _pod(name: str, cpu: int, **fields: object) -> Pod:
    container = Container(name="c", image="registry.k8s.io/pause:3.10", requests=FrozenDict({"cpu": cpu}))
    return replace(Pod(name=name, namespace="default", containers=(container,)), **fields)  # type: ignore[arg-type]


def _scenario(nodes: list[Node], pods: list[Pod], events: tuple[tuple[int, Event], ...] = ()) -> Scenario:
    return Scenario(Cluster(tuple(nodes)), tuple(pods), (BATCHING,), events)


def test_model_schedulers_agree_with_the_upstream_cycle_on_generated_scenarios(oracle: Oracle) -> None:
    """Same node up to ties, same hinted flag, flush reason, store result, rescore and counters."""
    report = run_scheduler_diff(oracle, examples=20, seed_value=0)
    assert report.cases > 0, "no scenario was compared"
    assert report.pods > 0, "no pod was compared with batching off"
    assert report.batched_pods > 0, "no pod was compared with batching on"
    assert report.disagreements == [], report.disagreements


def _integration_module() -> ModuleType:
    path = Path(__file__).parents[1] / "batched" / "test_integration_scenarios.py"
    spec = importlib.util.spec_from_file_location("integration_scenarios_for_upstream", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module while the class is built
    spec.loader.exec_module(module)
    return module


INTEGRATION = _integration_module()
# nosign/emptysign use out-of-tree test plugins that only upstream's integration test registers.
ORACLE_SCENARIOS = sorted(
    name
    for name, (pods, _) in INTEGRATION.SCENARIOS.items()
    if all(p.scheduler in ("default-scheduler", "mysched") for p in pods)
)


@pytest.mark.parametrize("name", ORACLE_SCENARIOS)
def test_upstream_batch_integration_scenario_on_the_real_cycle(oracle: Oracle, name: str) -> None:
    """Upstream's batch_test.go scenario on the real cycle: the nodes and hints the model's g3 gives."""
    definitions, nodes = INTEGRATION.SCENARIOS[name]
    profiles = (BATCHING, replace(BATCHING, scheduler_name="mysched"))
    result = schedule(
        oracle, profiles=profiles, nodes=tuple(nodes), queue=[d.pod() for d in definitions], pod_interval=0.001
    )
    assert [(p.node, p.hinted) for p in result.placements] == INTEGRATION.run(name, "g3")
    expected_nodes = [d.expected_node for d in definitions]
    assert [p.node for p in result.placements] == expected_nodes


def test_pinned_upstream_breaks_score_ties_by_heap_position_not_node_name(oracle: Oracle) -> None:
    """Known difference `tie`: equal totals go to the first node in snapshot order upstream."""
    scenario = _scenario([_node("node-b"), _node("node-a")], [_pod("p", 100)])
    upstream = run_upstream(oracle, scenario, batching=False)
    (placement,) = upstream.placements
    assert placement.node == "node-b"
    assert placement.tied == ("node-a", "node-b")
    result = diff_reference(scenario, upstream)
    assert result.known == (KNOWN_TIE,)
    assert result.disagreements == ()


def test_pinned_upstream_keeps_a_flushed_batch_state(oracle: Oracle) -> None:
    """Known difference `flushed-state-kept`: v1.37.2's logUnusableState counts and keeps the state,
    so the pod after a flushed-and-failed one flushes it again with pod_skipped; the model drops it."""
    nodes = [_node(f"n{i}") for i in (1, 2, 3)]
    pods = [_pod("a", 3000), _pod("big", 5000), _pod("b", 3000)]
    scenario = _scenario(nodes, pods)
    upstream = run_upstream(oracle, scenario, batching=True)
    assert [p.flush_reason for p in upstream.placements] == [None, "pod_incompatible", "pod_skipped"]
    assert [d.flush_reason for d in run_lockstep(scenario).batched] == [None, "pod_incompatible", None]
    result = diff_batched(scenario, upstream)
    assert KNOWN_KEPT_STATE in result.known
    assert result.disagreements == ()


def test_pinned_store_results_are_flushes_with_empty_list_first_in_v1_37(oracle: Oracle) -> None:
    """Known differences `store-precedence` and `store-metric`: an unsignable pod with one feasible
    node is `pod_not_batchable` in the model's G3 store metric, an `empty_list` flush upstream."""
    spread = TopologySpreadConstraint(1, "kubernetes.io/hostname", "DoNotSchedule")
    scenario = _scenario([_node("only")], [_pod("p", 100, topology_spread_constraints=(spread,))])
    upstream = run_upstream(oracle, scenario, batching=True)
    assert upstream.placements[0].store_result == "empty_list"
    assert upstream.metrics["batch_cache_flushed_total"] == {"empty_list": 1}
    assert "store_schedule_results_total" not in upstream.metrics
    model = run_lockstep(scenario)
    assert model.batched[0].store_result == "pod_not_batchable"
    assert model.metrics["store_schedule_results_total"] == {"pod_not_batchable": 1}
    result = diff_batched(scenario, upstream)
    assert KNOWN_STORE_PRECEDENCE in result.known
    assert result.disagreements == ()


def test_rescoring_under_volume_binding_hints_on_both(oracle: Oracle) -> None:
    """Fixed model bug: the rescore runs on a clone of the live CycleState (v1.37.2), so
    VolumeBinding's PreScore finds its PreFilter data and several pods per node are hinted."""
    profile: Profile = BATCHING
    assert any(spec.name == "VolumeBinding" for spec in profile.multi_point)
    scenario = _scenario([_node("n1"), _node("n2")], [_pod(f"p{i}", 100) for i in range(4)])
    scenario = scenario.with_options(pod_interval=BatchingOptions().pod_interval)
    result = diff_scenario(oracle, scenario)
    assert result.disagreements == ()
    upstream = run_upstream(oracle, scenario, batching=True)
    assert [p.hinted for p in upstream.placements] == [False, True, True, True]
    assert all(p.rescored for p in upstream.placements[1:])
    assert [d.path for d in run_lockstep(scenario).batched] == ["full", "hint", "hint", "hint"]
