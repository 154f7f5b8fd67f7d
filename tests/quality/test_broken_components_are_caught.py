"""Quality: deliberately broken plugins and schedulers that the property suite must catch.

Each test plants one bug and runs the property that should notice it; the test passes only if
a counterexample is found (Hypothesis ``find`` with a bounded, derandomized budget).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from batchproof.batched import BatchedScheduler
from batchproof.model.cluster import NodeInfo, pod_host_ports
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import PluginContext, SignFragment
from batchproof.model.framework.runtime import Framework
from batchproof.model.framework.status import SUCCESS, Status
from batchproof.model.objects import Pod
from batchproof.model.plugins.node_ports import PLUGIN as NODE_PORTS
from batchproof.model.plugins.registry import PluginInfo, Registry
from batchproof.model.profiles import batching_profile
from batchproof.properties.lockstep import BatchingOptions, Scenario, run_lockstep
from batchproof.properties.pairs import compare_plugin, plugin_signature
from batchproof.properties.signatures import PairCase, PluginUnderTest, check_plugin_pair, pair_cases
from batchproof.properties.statistics import PathCounter
from batchproof.properties.strategies.clusters import clusters
from batchproof.properties.strategies.objects import host_port_pods, lean_pods
from batchproof.properties.strategies.workloads import scenarios, signable_templates

# Generation only: the first counterexample is proof enough, and shrinking lockstep runs is slow.
BUDGET = settings(
    max_examples=1500,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


class PortBlindNodePorts:
    """NodePorts whose signer drops the host ports its Filter reads."""

    name = "NodePorts"

    def __init__(self, context: PluginContext) -> None:
        self.inner = NODE_PORTS.factory({}, context)

    def pre_filter(self, state: CycleState, pod: Pod, nodes: Any) -> Any:
        return self.inner.pre_filter(state, pod, nodes)

    def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        return self.inner.filter(state, pod, node_info)  # type: ignore[no-any-return]

    def sign_pod(self, pod: Pod) -> tuple[tuple[SignFragment, ...], Status]:
        return (), SUCCESS


class TierScorer:
    """A scorer that reads the pod's ``tier`` label but signs nothing."""

    name = "TierScorer"

    def score(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> tuple[int, Status]:
        wanted = pod.labels.get("tier")
        return (100 if wanted is not None and node_info.node.labels.get("tier") == wanted else 0), SUCCESS

    def sign_pod(self, pod: Pod) -> tuple[tuple[SignFragment, ...], Status]:
        return (), SUCCESS


def _factory(cls: type) -> Any:
    def build(args: Mapping[str, Any], context: PluginContext) -> Any:
        return cls(context) if cls is PortBlindNodePorts else cls()

    return build


REGISTRY = Registry(
    {
        "PortBlindNodePorts": PluginInfo("PortBlindNodePorts", _factory(PortBlindNodePorts)),
        "TierScorer": PluginInfo("TierScorer", _factory(TierScorer)),
    }
)


def _gap_found(plugin_name: str, strategy: st.SearchStrategy[PairCase]) -> PairCase:
    subject = PluginUnderTest(plugin_name)

    def inconsistent(case: PairCase) -> bool:
        plugin = subject.build("strict", registry=REGISTRY)
        same = plugin_signature(plugin, case.first) == plugin_signature(plugin, case.second) is not None
        return (
            same
            and case.first != case.second
            and bool(compare_plugin(plugin, case.first, case.second, case.cluster.snapshot()))
        )

    return find(strategy, inconsistent, settings=BUDGET)


def test_a_signer_that_drops_a_field_its_filter_reads_is_caught() -> None:
    strategy = pair_cases(
        first=host_port_pods(), cluster=clusters(max_nodes=3, min_existing_pods=1, existing_pods=host_port_pods())
    )
    case = _gap_found("PortBlindNodePorts", strategy)
    assert pod_host_ports(case.first) != pod_host_ports(case.second)


def test_a_scorer_that_reads_an_unsigned_label_is_caught() -> None:
    case = _gap_found("TierScorer", pair_cases(first=lean_pods(), cluster=clusters(max_nodes=4)))
    assert case.first.labels.get("tier") != case.second.labels.get("tier")


def test_the_real_strict_node_ports_signer_passes_the_same_search() -> None:
    """Control: the same search on the real plugin finds no inconsistent pair."""
    subject = PluginUnderTest("NodePorts")
    counter = PathCounter("control/NodePorts")

    @settings(BUDGET, max_examples=200, phases=[Phase.generate, Phase.shrink])
    @given(pair_cases(first=signable_templates()))
    def check(case: PairCase) -> None:
        result = check_plugin_pair(subject, "strict", case)
        if result.interesting:
            counter.hit("equal signature, different pods")
        assert not result.inconsistent

    check()
    counter.require("equal signature, different pods")


class NoRefilterBatchedScheduler(BatchedScheduler):
    """Trusts the hint without re-running the Filter plugins on it."""

    def evaluate_nominated_node(self, framework: Framework, state: CycleState, pod: Pod, info: NodeInfo) -> Status:
        return SUCCESS


class NeverExpiringBatchedScheduler(BatchedScheduler):
    """Never flushes a batch on age."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for batch in self.batches.values():
            batch.max_batch_age = float("inf")


def test_a_batched_scheduler_that_skips_the_hint_refilter_is_caught_by_safety() -> None:
    profile = batching_profile()

    def unsafe(scenario: Scenario) -> bool:
        return bool(run_lockstep(scenario, batched_cls=NoRefilterBatchedScheduler).unsafe)

    scenario = find(scenarios(profiles=(profile,), events=True), unsafe, settings=BUDGET)
    assert scenario.events, "only an event between cycles can invalidate a cached node"
    assert not run_lockstep(scenario).unsafe, "the real scheduler is safe on the same scenario"


def test_a_batched_scheduler_that_never_flushes_on_age_is_caught() -> None:
    profile = batching_profile()
    options = BatchingOptions()

    def stale(scenario: Scenario) -> bool:
        return bool(
            run_lockstep(scenario, batched_cls=NeverExpiringBatchedScheduler).stale_hints(options.max_batch_age)
        )

    scenario = find(
        scenarios(profiles=(profile,), events=True, shape="one-per-node", options=st.just(options)),
        stale,
        settings=BUDGET,
    )
    assert not run_lockstep(scenario).stale_hints(options.max_batch_age)
