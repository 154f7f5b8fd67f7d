"""The reference scheduler as a specification, driven by a Framework of small fake plugins.

Upstream: pkg/scheduler/schedule_one.go (schedulePod, findNodesThatFitPod, evaluateNominatedNode,
findNodesThatPassFilters, numFeasibleNodesToFind); spec §6.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import PreFilterResult, SignFragment
from batchproof.model.framework.runtime import Framework, ScoredPlugin
from batchproof.model.framework.status import SUCCESS, Code, Status, error, unresolvable, unschedulable
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Container, Node, Pod
from batchproof.model.scheduling import num_feasible_nodes_to_find
from batchproof.reference import ReferenceScheduler
from batchproof.reference.scheduler import NO_NODES

SCHEDULER = "default-scheduler"


class Plugin:
    """Base of the fakes: every fake signs (with no fragments) and records its calls."""

    name = "Fake"

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def sign_pod(self, pod: Pod) -> tuple[tuple[SignFragment, ...], Status]:
        return (), SUCCESS


class CpuFit(Plugin):
    """Filter: the pod's cpu fits in allocatable minus what is already requested on the node."""

    name = "CpuFit"

    def filter(self, state: CycleState, pod: Pod, info: NodeInfo) -> Status:
        self.calls.append(("filter", info.name))
        wanted = sum(c.requests.get("cpu") or 0 for c in pod.containers)
        if info.requested.milli_cpu + wanted <= info.allocatable.milli_cpu:
            return SUCCESS
        return unschedulable("Insufficient cpu")


class LabelScore(Plugin):
    """Score: the node's ``score`` label (0 when absent)."""

    name = "LabelScore"

    def score(self, state: CycleState, pod: Pod, info: NodeInfo) -> tuple[int, Status]:
        self.calls.append(("score", info.name))
        return int(info.node.labels.get("score") or "0"), SUCCESS


class Restrict(Plugin):
    """PreFilter: restricts the nodes to a fixed set, or rejects with a fixed status."""

    name = "Restrict"

    def __init__(self, names: Sequence[str] | None = None, status: Status = SUCCESS) -> None:
        super().__init__()
        self.result = PreFilterResult(frozenset(names)) if names is not None else None
        self.status = status

    def pre_filter(
        self, state: CycleState, pod: Pod, nodes: Sequence[NodeInfo]
    ) -> tuple[PreFilterResult | None, Status]:
        self.calls.append(("pre_filter", pod.name))
        return self.result, self.status


def node(name: str, *, cpu: int = 1000, score: int | None = None) -> Node:
    labels = {"score": str(score)} if score is not None else {}
    return Node(name, labels=FrozenDict(labels), allocatable=FrozenDict({"cpu": cpu}))


def pod(name: str, cpu: int = 100, **fields: Any) -> Pod:
    return Pod(name=name, containers=(Container(requests=FrozenDict({"cpu": cpu})),), **fields)


def scheduler(
    nodes: Sequence[Node],
    *,
    pre_filter: Sequence[Any] = (),
    filter: Sequence[Any] = (),
    score: Sequence[Any] = (),
    percentage: int | None = 100,
) -> ReferenceScheduler:
    framework = Framework(
        scheduler_name=SCHEDULER,
        pre_filter=pre_filter,
        filter=filter,
        score=[ScoredPlugin(plugin, 1) for plugin in score],
    )
    return ReferenceScheduler(framework, Snapshot(nodes), percentage_of_nodes_to_score=percentage)


# -- choosing a node ------------------------------------------------------------------------------------
def test_the_node_with_the_best_total_score_wins() -> None:
    sched = scheduler(
        [node("a", score=10), node("b", score=50), node("c", score=30)], filter=[CpuFit()], score=[LabelScore()]
    )
    decision = sched.schedule_one(pod("p"))
    assert decision.node == "b"
    assert decision.path == "full"
    assert decision.status.is_success
    assert [s.name for s in decision.scores] == ["b", "c", "a"]
    assert decision.total_scores() == {"a": 10, "b": 50, "c": 30}


def test_ties_are_broken_by_node_name_ascending() -> None:
    sched = scheduler(
        [node("c", score=5), node("a", score=5), node("b", score=5)], filter=[CpuFit()], score=[LabelScore()]
    )
    assert sched.schedule_one(pod("p")).node == "a"


def test_weights_multiply_scores_before_totalling() -> None:
    class Inverse(LabelScore):
        name = "Inverse"

        def score(self, state: CycleState, pod: Pod, info: NodeInfo) -> tuple[int, Status]:
            return 100 - int(info.node.labels["score"]), SUCCESS

    framework = Framework(
        scheduler_name=SCHEDULER,
        filter=[CpuFit()],
        score=[ScoredPlugin(LabelScore(), 1), ScoredPlugin(Inverse(), 3)],
    )
    sched = ReferenceScheduler(framework, Snapshot([node("a", score=10), node("b", score=90)]))
    decision = sched.schedule_one(pod("p"))
    assert decision.total_scores() == {"a": 10 + 3 * 90, "b": 90 + 3 * 10}
    assert decision.node == "a"


def test_binding_makes_later_pods_see_earlier_ones() -> None:
    fit = CpuFit()
    sched = scheduler([node("a", score=90), node("b", score=10)], filter=[fit], score=[LabelScore()])
    first, second, third = (sched.schedule_one(pod(name, cpu=600)) for name in ("p1", "p2", "p3"))
    assert (first.node, second.node, third.node) == ("a", "b", None)
    assert third.status.code is Code.UNSCHEDULABLE
    a, b = sched.snapshot.get("a"), sched.snapshot.get("b")
    assert a is not None
    assert b is not None
    assert [(p.name, p.node_name) for p in a.pods] == [("p1", "a")]
    assert a.requested.milli_cpu == 600
    assert [p.name for p in b.pods] == ["p2"]


def test_the_bound_copy_carries_its_node_name_and_no_nomination() -> None:
    sched = scheduler([node("a")], filter=[CpuFit()])
    sched.schedule_one(pod("p", nominated_node_name="gone"))
    (bound,) = sched.snapshot.pods()
    assert (bound.node_name, bound.nominated_node_name) == ("a", "")


def test_decide_does_not_bind() -> None:
    sched = scheduler([node("a")], filter=[CpuFit()])
    assert sched.decide(pod("p")).node == "a"
    assert list(sched.snapshot.pods()) == []


def test_a_single_feasible_node_is_chosen_without_scoring() -> None:
    scorer = LabelScore()
    sched = scheduler([node("a", cpu=0), node("b"), node("c", cpu=0)], filter=[CpuFit()], score=[scorer])
    decision = sched.schedule_one(pod("p"))
    assert decision.node == "b"
    assert decision.scores == ()
    assert scorer.calls == []


# -- failures ---------------------------------------------------------------------------------------------
def test_no_feasible_node_gives_no_node_and_every_nodes_status() -> None:
    sched = scheduler([node("a", cpu=10), node("b", cpu=10)], filter=[CpuFit()], score=[LabelScore()])
    decision = sched.schedule_one(pod("p"))
    assert decision.node is None
    assert decision.status.code is Code.UNSCHEDULABLE
    assert dict(decision.filter_statuses) == {
        "a": Status(Code.UNSCHEDULABLE, ("Insufficient cpu",), "CpuFit"),
        "b": Status(Code.UNSCHEDULABLE, ("Insufficient cpu",), "CpuFit"),
    }
    assert list(sched.snapshot.pods()) == []


def test_no_nodes_at_all_is_unresolvable() -> None:
    decision = scheduler([], filter=[CpuFit()]).schedule_one(pod("p"))
    assert decision.node is None
    assert decision.status == unresolvable(NO_NODES)


def test_a_pre_filter_rejection_ends_the_cycle_before_any_filter() -> None:
    fit = CpuFit()
    sched = scheduler([node("a"), node("b")], pre_filter=[Restrict(status=unresolvable("no way"))], filter=[fit])
    decision = sched.schedule_one(pod("p"))
    assert decision.node is None
    assert decision.status == Status(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, ("no way",), "Restrict")
    assert fit.calls == []
    assert sched.next_start_node_index == 0


def test_a_score_error_gives_no_node_and_the_error() -> None:
    class Broken(LabelScore):
        name = "Broken"

        def score(self, state: CycleState, pod: Pod, info: NodeInfo) -> tuple[int, Status]:
            return 0, error("no data")

    decision = scheduler([node("a"), node("b")], filter=[CpuFit()], score=[Broken()]).schedule_one(pod("p"))
    assert decision.node is None
    assert decision.status.code is Code.ERROR
    assert "no data" in decision.status.message


def test_a_filter_error_aborts_the_cycle() -> None:
    class Flaky(CpuFit):
        name = "Flaky"

        def filter(self, state: CycleState, pod: Pod, info: NodeInfo) -> Status:
            return error("lost the cache") if info.name == "b" else SUCCESS

    sched = scheduler([node("a"), node("b"), node("c")], filter=[Flaky()], score=[LabelScore()])
    decision = sched.schedule_one(pod("p"))
    assert decision.node is None
    assert decision.status.code is Code.ERROR


# -- nominated node and PreFilterResult ----------------------------------------------------------------------
def test_a_feasible_nominated_node_is_taken_without_scoring_or_advancing_the_start_index() -> None:
    scorer = LabelScore()
    sched = scheduler([node("a", score=90), node("b", score=10)], filter=[CpuFit()], score=[scorer])
    decision = sched.schedule_one(pod("p", nominated_node_name="b"))
    assert (decision.node, decision.path) == ("b", "nominated")
    assert scorer.calls == []
    assert sched.next_start_node_index == 0


def test_an_infeasible_nominated_node_falls_back_to_the_full_pipeline() -> None:
    sched = scheduler(
        [node("a", score=10), node("b", score=50), node("c", cpu=0, score=90)], filter=[CpuFit()], score=[LabelScore()]
    )
    decision = sched.schedule_one(pod("p", nominated_node_name="c"))
    assert (decision.node, decision.path) == ("b", "full")


def test_a_nominated_node_missing_from_the_snapshot_is_ignored() -> None:
    sched = scheduler([node("a", score=10), node("b", score=50)], filter=[CpuFit()], score=[LabelScore()])
    assert sched.schedule_one(pod("p", nominated_node_name="gone")).node == "b"


def test_the_nominated_node_is_tried_even_outside_the_pre_filter_result() -> None:
    sched = scheduler([node("a"), node("b")], pre_filter=[Restrict(["a"])], filter=[CpuFit()], score=[LabelScore()])
    assert sched.schedule_one(pod("p", nominated_node_name="b")).node == "b"


def test_a_pre_filter_result_restricts_the_nodes_filtered_and_scored() -> None:
    fit, scorer = CpuFit(), LabelScore()
    sched = scheduler(
        [node("a", score=10), node("b", score=99), node("c", score=20)],
        pre_filter=[Restrict(["a", "c", "unknown"])],
        filter=[fit],
        score=[scorer],
    )
    decision = sched.schedule_one(pod("p"))
    assert decision.node == "c"
    assert {name for _, name in fit.calls} == {"a", "c"}
    assert {name for _, name in scorer.calls} == {"a", "c"}
    assert set(decision.filter_statuses) == {"a", "c"}


# -- sampling and the start index -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("num_nodes", "percentage", "expected"),
    [
        (0, None, 0),
        (99, 10, 99),  # fewer than 100 nodes: all of them
        (100, 0, 100),
        (200, 10, 100),  # 20 is raised to the minimum of 100
        (1000, 30, 300),
        (1000, 100, 1000),
        (1000, None, 420),  # adaptive: 50 - 1000/125 = 42 %
        (1000, 0, 420),
        (5000, 0, 500),  # 50 - 40 = 10 %
        (10_000, 0, 500),  # 50 - 80 is floored at 5 %
        (6249, 0, 312),  # 50 - 49 = 1 %, floored at 5 %
        (1999, 0, 699),  # 50 - 15 = 35 %, truncated
    ],
)
def test_num_feasible_nodes_to_find_follows_the_upstream_formula(
    num_nodes: int, percentage: int | None, expected: int
) -> None:
    assert num_feasible_nodes_to_find(num_nodes, percentage) == expected


def many_nodes(count: int) -> list[Node]:
    return [node(f"n{i:03d}", score=i // 2) for i in range(count)]


def test_sampling_scores_only_a_window_of_nodes_and_advances_the_start_index() -> None:
    fit = CpuFit()
    sched = scheduler(many_nodes(200), filter=[fit], score=[LabelScore()], percentage=10)
    first = sched.schedule_one(pod("p1", cpu=0))
    assert len(first.scores) == 100
    assert first.node == "n098"  # best of n000..n099 (score 49, tie broken by name)
    assert sched.next_start_node_index == 100
    second = sched.schedule_one(pod("p2", cpu=0))
    assert {s.name for s in second.scores} == {f"n{i:03d}" for i in range(100, 200)}
    assert second.node == "n198"
    assert sched.next_start_node_index == 0
    assert len(fit.calls) == 200


def test_the_default_percentage_scores_every_node() -> None:
    sched = scheduler(many_nodes(150), filter=[CpuFit()], score=[LabelScore()])
    assert len(sched.schedule_one(pod("p", cpu=0)).scores) == 150


def test_without_score_plugins_the_first_feasible_node_from_the_start_index_wins() -> None:
    sched = scheduler([node("a", cpu=0), node("b"), node("c")], filter=[CpuFit()])
    decisions = [sched.schedule_one(pod(f"p{i}")).node for i in range(4)]
    # p0: a fails, b passes (2 processed); p1 starts at c; p2 wraps to a (fails), b; p3 starts at c.
    assert decisions == ["b", "c", "b", "c"]


def test_the_start_index_advances_over_all_nodes_even_when_pre_filter_narrows_them() -> None:
    restrict = Restrict(["a", "b"])
    sched = scheduler([node("a"), node("b"), node("c")], pre_filter=[restrict], filter=[CpuFit()])
    # upstream: p0 -> a (index 0 -> 1); p1 -> nodes[(1 + 0) % 2] = b (index -> 2);
    # p2 without the restriction starts at index 2 -> c.
    assert [sched.schedule_one(pod(n, cpu=0)).node for n in ("p0", "p1")] == ["a", "b"]
    assert sched.next_start_node_index == 2
    restrict.result = None
    assert sched.schedule_one(pod("p2", cpu=0)).node == "c"
