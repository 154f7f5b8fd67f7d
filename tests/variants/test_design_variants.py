"""The design variants of issue 13 (batched/variants/), each on the workload its design is about.

- ``failure-cache`` with upstream signers fails a pod the reference places (a NodePorts signature
  gap: equal signatures, different protocol or hostIP), and never with strict signers;
- ``draft`` never batches several pods per node (a still-feasible last node answers Unknown), but
  batches one-pod-per-node runs;
- ``option-1`` and ``option-2a`` batch several pods per node and place them as the reference does
  (strict signers, no events); ``option-1`` runs PreScore on one node per rescore and Score on one,
  ``option-2a`` Scores every cached node;
- ``rescore-plugin`` re-scores the placed node plus the nodes a plugin reports as affected (all of
  them for a non-node-local plugin that reports nothing).
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from batchproof.batched import BatchedScheduler, VirtualClock
from batchproof.batched.variants import affected_nodes
from batchproof.model.framework.runtime import Framework, ScoredPlugin
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Container, ContainerPort, Node, Pod
from batchproof.model.profiles import batching_profile
from batchproof.properties.lockstep import BatchingOptions, Scenario, run_lockstep
from batchproof.properties.statistics import PathCounter
from batchproof.properties.strategies.workloads import roomy, scenarios, signable_templates
from batchproof.properties.world import Cluster

BATCHING = batching_profile()
STRICT = BATCHING.with_signers("strict")


@st.composite
def port_gap_scenarios(draw: st.DrawFn) -> Scenario:
    """Every node already holds host port 80/TCP; pod ``a`` asks for 80/TCP (fits nowhere), pod ``b``
    for 80 with another protocol or hostIP (fits), otherwise the same pod."""
    base = draw(scenarios(profiles=(BATCHING,), shape="several-per-node", max_nodes=4, max_pods=2))
    cluster = roomy(base.cluster)
    holder = Container(name="holder", image="pause", ports=(ContainerPort(container_port=80, host_port=80),))
    existing = tuple(
        Pod(name=f"holder-{i}", namespace="default", node_name=node.name, containers=(holder,))
        for i, node in enumerate(cluster.nodes)
    )
    template = draw(signable_templates())
    first, *rest = template.containers
    tcp = ContainerPort(container_port=80, host_port=80, protocol="TCP")
    other = draw(
        st.sampled_from(
            (
                ContainerPort(container_port=80, host_port=80, protocol="UDP"),
                ContainerPort(container_port=80, host_port=80, protocol="SCTP"),
                ContainerPort(container_port=80, host_port=80, protocol="TCP", host_ip="10.0.0.1"),
            )
        )
    )
    rest_clean = tuple(replace(c, ports=()) for c in rest)
    a = replace(template, name="a", uid="uid-a", containers=(replace(first, ports=(tcp,)), *rest_clean))
    b = replace(template, name="b", uid="uid-b", containers=(replace(first, ports=(other,)), *rest_clean))
    world = Cluster(cluster.nodes, existing, cluster.objects)
    return Scenario(world, (a, b), (BATCHING,), options=BatchingOptions(variant="failure-cache"))


def _wrongly_failed(scenario: Scenario) -> list[str]:
    run = run_lockstep(scenario)
    return [r.pod for r, b in zip(run.reference, run.batched, strict=True) if r.node is not None and b.node is None]


def test_failure_cache_with_upstream_signers_fails_a_pod_the_reference_places() -> None:
    counter = PathCounter("failure-cache/upstream")

    @given(port_gap_scenarios())
    def check(scenario: Scenario) -> None:
        run = run_lockstep(scenario)
        if run.reference[0].node is None and run.reference[1].node is not None:
            counter.hit("first fails, second fits")
        if run.batched[1].node is None and run.reference[1].node is not None:
            counter.hit("wrongly failed")
        assert run.batched[0].node is None  # 80/TCP is taken everywhere

    check()
    counter.require("first fails, second fits", "wrongly failed")


def test_failure_cache_with_strict_signers_fails_no_pod_the_reference_places() -> None:
    counter = PathCounter("failure-cache/strict")

    @given(port_gap_scenarios())
    def check(scenario: Scenario) -> None:
        scenario = scenario.with_profiles((STRICT,))
        counter.hit("example")
        assert not _wrongly_failed(scenario)
        assert not _wrongly_failed(scenario.with_profiles((STRICT,)).with_options(variant="g3"))

    check()
    counter.require("example")


def test_failure_cache_fails_a_second_identical_pod_without_filtering_until_a_node_changes() -> None:
    node = Node("n1", allocatable=FrozenDict({"cpu": 1000, "memory": 1 << 30, "pods": 10}))
    node = replace(node, capacity=node.allocatable)
    big = Pod(name="big", namespace="default", containers=(Container(name="c", requests=FrozenDict({"cpu": 2000})),))
    framework = BATCHING.build()
    scheduler = BatchedScheduler(framework, Cluster((node,)).snapshot(), clock=VirtualClock(), variant="failure-cache")
    first = scheduler.schedule_one(big)
    second = scheduler.schedule_one(replace(big, name="big-2"))
    cache = scheduler.batches[framework.scheduler_name].failure_cache
    assert cache is not None
    assert first.node is None and second.node is None
    assert cache.hits == 1 and not second.filter_statuses  # failed from the cache, no Filter ran
    scheduler.snapshot.update_node(replace(node, labels=FrozenDict({"a": "b"})))  # a Node update event
    third = scheduler.schedule_one(replace(big, name="big-3"))
    assert cache.hits == 1 and third.filter_statuses  # the event cleared the cache: filtered again


def _several_per_node(variant: str, profile: object = STRICT) -> st.SearchStrategy[Scenario]:
    def build(scenario: Scenario) -> Scenario:
        return replace(
            scenario,
            cluster=roomy(scenario.cluster),
            profiles=(profile,),  # type: ignore[arg-type]
            options=BatchingOptions(variant=variant),  # type: ignore[arg-type]
        )

    return scenarios(profiles=(STRICT,), shape="several-per-node", min_nodes=2, min_pods=3).map(build)


def test_draft_never_batches_several_pods_per_node_and_so_never_diverges() -> None:
    counter = PathCounter("draft/several-per-node")

    @given(_several_per_node("draft"))
    def check(scenario: Scenario) -> None:
        run = run_lockstep(scenario)
        assert not [d for d in run.batched if d.path == "hint"]
        assert not run.divergences
        if any(d.flush_reason == "rescore_unknown" for d in run.batched):
            counter.hit("dropped on Unknown")

    check()
    counter.require("dropped on Unknown")


def test_draft_batches_a_one_pod_per_node_run() -> None:
    counter = PathCounter("draft/one-per-node")

    @given(scenarios(profiles=(STRICT,), shape="one-per-node", min_nodes=3, options=st.just(BatchingOptions("draft"))))
    def check(scenario: Scenario) -> None:
        run = run_lockstep(scenario)
        if any(d.path == "hint" for d in run.batched):
            counter.hit("hinted placement")
        assert not run.unsafe

    check()
    counter.require("hinted placement")


def test_option_1_and_option_2a_batch_several_pods_per_node_as_the_reference_places_them() -> None:
    counter = PathCounter("options/several-per-node")

    @given(st.sampled_from(("option-1", "option-2a")).flatmap(_several_per_node))
    def check(scenario: Scenario) -> None:
        run = run_lockstep(scenario)
        assert not run.divergences, [d.to_json() for d in run.divergences]
        for decision in run.batched:
            if decision.path == "hint" and decision.rescored:
                counter.hit(f"{scenario.options.variant} rescored hint")

    check()
    counter.require("option-1 rescored hint", "option-2a rescored hint")


class _Scorer:
    """A score plugin stub: a name, optionally the #6411 ``rescore_affected`` answer."""

    def __init__(self, name: str, affected: tuple[str, ...] | None = None) -> None:
        self.name = name
        if affected is not None:
            self.rescore_affected = lambda pod, placed, candidates: affected

    def score(self, *args: object) -> tuple[int, object]:
        raise AssertionError("not called")


def _framework(*plugins: _Scorer) -> Framework:
    return Framework(scheduler_name="s", score=[ScoredPlugin(p, 1) for p in plugins])


def test_rescore_plugin_rescores_the_placed_node_and_what_plugins_report() -> None:
    pod = Pod(name="p", namespace="default")
    candidates = ["a", "b", "c"]
    node_local = _framework(_Scorer("NodeResourcesFit"), _Scorer("NodeAffinity"))
    assert affected_nodes(node_local, pod, "x", candidates) == {"x"}
    reporting = _framework(_Scorer("NodeResourcesFit"), _Scorer("ZoneSpread", affected=("b", "zzz")))
    assert affected_nodes(reporting, pod, "x", candidates) == {"x", "b"}  # unknown names are ignored
    silent = _framework(_Scorer("NodeResourcesFit"), _Scorer("OutOfTree"))
    assert affected_nodes(silent, pod, "x", candidates) == {"x", "a", "b", "c"}  # conservative
