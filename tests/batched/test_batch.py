"""OpportunisticBatch scenarios carried over from upstream batch_test.go, plus G3 rescoring.

A fake "blocking" filter lets a node hold one pod whose uid starts with ``b``; pods starting with
``a`` never block each other (the upstream test's trick for one-pod-per-node vs several).
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass, field

import pytest

from batchproof.batched import BatchMetrics, OpportunisticBatch, VirtualClock
from batchproof.batched.batch import Variant
from batchproof.batched.sorted_nodes import SortedScoredNodes
from batchproof.model.cluster import NodeInfo, Snapshot
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.runtime import Framework, NodePluginScores, ScoredPlugin
from batchproof.model.framework.status import SUCCESS, Status, error, unschedulable
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Node, Pod


class BlockingFilter:
    name = "batchTest"

    def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        if pod.uid.startswith("b") and any(p.uid.startswith("b") for p in node_info.pods):
            return unschedulable("unsched")
        return SUCCESS

    def sign_pod(self, pod: Pod) -> tuple[tuple[()], Status]:
        return (), SUCCESS


@dataclass
class TableScore:
    """Scores from a table; can be told to fail at any point."""

    table: dict[str, int]
    name: str = "tableScore"
    fail_pre_score: bool = False
    fail_score: bool = False
    normalize_to: int | None = None
    calls: list[str] = field(default_factory=list)

    def pre_score(self, state: CycleState, pod: Pod, nodes: Sequence[NodeInfo]) -> Status:
        self.calls.append("pre_score:" + ",".join(sorted(n.name for n in nodes)))
        return error("boom") if self.fail_pre_score else SUCCESS

    def score(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> tuple[int, Status]:
        self.calls.append("score:" + node_info.name)
        return self.table.get(node_info.name, 0), (error("boom") if self.fail_score else SUCCESS)

    def normalize_score(self, state: CycleState, pod: Pod, scores: MutableMapping[str, int]) -> Status:
        if self.normalize_to is not None:
            for name in scores:
                scores[name] = self.normalize_to
        return SUCCESS

    def sign_pod(self, pod: Pod) -> tuple[tuple[()], Status]:
        return (), SUCCESS


def cluster(*names: str) -> Snapshot:
    return Snapshot([Node(name) for name in names])


def framework(score: TableScore | None = None, *, filter_error: bool = False) -> Framework:
    filters: list[object] = [BlockingFilter()]
    if filter_error:

        class Failing:
            name = "failing"

            def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
                return error("broken")

        filters.append(Failing())
    scores = [ScoredPlugin(score, 1)] if score is not None else []
    pre_scores = [score] if score is not None else []
    return Framework(scheduler_name="default-scheduler", filter=filters, pre_score=pre_scores, score=scores)


def entries(*pairs: tuple[str, int]) -> SortedScoredNodes:
    return SortedScoredNodes(
        NodePluginScores(name, FrozenDict({"tableScore": total}), total, FrozenDict({"tableScore": total}))
        for name, total in pairs
    )


def make_batch(
    fw: Framework, *, variant: Variant = "g3", clock: VirtualClock | None = None, generic: bool = False
) -> OpportunisticBatch:
    return OpportunisticBatch(
        fw,
        profile="default-scheduler",
        clock=clock or VirtualClock(),
        metrics=BatchMetrics(),
        variant=variant,
        generic_workload=generic,
    )


def seed(
    batch: OpportunisticBatch, chosen: str, others: SortedScoredNodes | None, snapshot: Snapshot, first_uid: str
) -> None:
    """Run the first pod through GetNodeHint and StoreScheduleResults, and bind it."""
    outcome = batch.get_node_hint(Pod(name="pod", uid=first_uid), b"sig", CycleState(snapshot), 1)
    assert outcome.hint is None
    batch.store_schedule_results(b"sig", None, chosen, others, 1)
    snapshot.bind(Pod(name="pod", uid=first_uid, node_name=chosen), chosen)


@pytest.mark.parametrize(
    ("case", "first", "second", "others", "cycle", "second_sig", "nominated", "expected_hint", "expected_flush"),
    [
        ("same signature gets a hint", "b-1", "b-2", [("n1", 0)], 2, b"sig", "", "n1", None),
        ("different signature gets no hint", "a-1", "a-2", [("n1", 0)], 2, b"sig2", "", None, "pod_incompatible"),
        ("nil signature gets no hint", "b-1", "b-2", [("n1", 0)], 2, None, "", None, "pod_incompatible"),
        ("empty list gets no hint and no flush", "b-1", "b-2", [], 2, b"sig", "", None, None),
        ("another profile's pod in between", "b-1", "b-2", [("n1", 0)], 3, b"sig", "", None, "pod_skipped"),
        ("same PodGroup cycle without GenericWorkload", "b-1", "b-2", [("n1", 0)], 1, b"sig", "", None, "pod_skipped"),
        ("nominated pod gets no hint", "b-1", "b-2", [("n1", 0)], 2, b"sig", "n1", None, "pod_nominated"),
    ],
)
def test_upstream_batch_basic(
    case: str,
    first: str,
    second: str,
    others: list[tuple[str, int]],
    cycle: int,
    second_sig: bytes | None,
    nominated: str,
    expected_hint: str | None,
    expected_flush: str | None,
) -> None:
    snapshot = cluster("n1", "n2", "n3")
    batch = make_batch(framework())
    seed(batch, "n3", entries(*others), snapshot, first)
    pod = Pod(name="pod2", uid=second, nominated_node_name=nominated)
    outcome = batch.get_node_hint(pod, second_sig, CycleState(snapshot), cycle)
    assert outcome.hint == expected_hint, case
    assert outcome.flush_reason == expected_flush, case
    if expected_flush:
        assert batch.metrics.flushed[("default-scheduler", expected_flush)] == 1
        assert batch.state is None  # G3 drops flushed state
    if expected_hint is None:
        assert batch.metrics.attempts[("default-scheduler", "no_hint")] == 2


def test_nil_list_stores_nothing() -> None:
    snapshot = cluster("n3")
    batch = make_batch(framework())
    seed(batch, "n3", None, snapshot, "b-1")
    assert batch.state is None
    assert batch.metrics.stored[("default-scheduler", "empty_list")] == 1


def test_previous_pod_not_scheduled_means_no_hint() -> None:
    snapshot = cluster("n1", "n3")
    batch = make_batch(framework())
    assert batch.get_node_hint(Pod(uid="b-1"), b"sig", CycleState(snapshot), 1).hint is None
    outcome = batch.get_node_hint(Pod(uid="b-2"), b"sig", CycleState(snapshot), 2)
    assert outcome.hint is None
    assert outcome.flush_reason is None


def test_same_podgroup_cycle_with_generic_workload_gets_hint() -> None:
    snapshot = cluster("n1", "n3")
    batch = make_batch(framework(), generic=True)
    seed(batch, "n3", entries(("n1", 0)), snapshot, "b-1")
    assert batch.get_node_hint(Pod(uid="b-2"), b"sig", CycleState(snapshot), 1).hint == "n1"


def test_hint_used_leaves_remaining_batch_for_next_pod() -> None:
    snapshot = cluster("n1", "n2", "n3")
    batch = make_batch(framework())
    seed(batch, "n3", entries(("n1", 10), ("n2", 5)), snapshot, "b-1")
    outcome = batch.get_node_hint(Pod(uid="b-2"), b"sig", CycleState(snapshot), 2)
    assert outcome.hint == "n1"
    attempt, stored = batch.store_schedule_results(b"sig", "n1", "n1", None, 2)
    assert (attempt, stored) == ("hint_used", None)
    assert batch.state is not None
    assert batch.state.signature == b"sig"
    assert batch.state.sorted_nodes.names() == ["n2"]
    assert batch.metrics.batched_pods == 1
    assert batch.metrics.stored[("default-scheduler", "stored")] == 1  # only the seeding pod stored


def test_hint_not_used_replaces_state() -> None:
    snapshot = cluster("n1", "n2", "n3")
    batch = make_batch(framework())
    seed(batch, "n3", entries(("n1", 10), ("n2", 5)), snapshot, "b-1")
    assert batch.get_node_hint(Pod(uid="b-2"), b"sig", CycleState(snapshot), 2).hint == "n1"
    attempt, stored = batch.store_schedule_results(b"sig", "n1", "n2", entries(("n1", 3)), 2)
    assert (attempt, stored) == ("hint_not_used", "stored")
    assert batch.state is not None and batch.state.sorted_nodes.names() == ["n1"]


def test_expired_batch_is_flushed() -> None:
    clock = VirtualClock()
    snapshot = cluster("n1", "n2", "n3")
    batch = make_batch(framework(), clock=clock)
    seed(batch, "n3", entries(("n1", 1), ("n2", 0)), snapshot, "b-1")
    clock.advance(0.5)
    assert batch.get_node_hint(Pod(uid="b-2"), b"sig", CycleState(snapshot), 2).hint == "n1"  # age == limit is fine
    batch.store_schedule_results(b"sig", "n1", "n1", None, 2)
    clock.advance(0.001)
    outcome = batch.get_node_hint(Pod(uid="b-3"), b"sig", CycleState(snapshot), 3)
    assert outcome.flush_reason == "expired"


def test_missing_last_node_is_flushed() -> None:
    snapshot = cluster("n1", "n3")
    batch = make_batch(framework())
    seed(batch, "n3", entries(("n1", 0)), snapshot, "b-1")
    snapshot.remove_node("n3")
    assert batch.get_node_hint(Pod(uid="b-2"), b"sig", CycleState(snapshot), 2).flush_reason == "node_missing"


def test_g1_flushes_node_not_full_and_keeps_state() -> None:
    snapshot = cluster("n1", "n3")
    batch = make_batch(framework(), variant="g1")
    seed(batch, "n3", entries(("n1", 0)), snapshot, "a-1")
    outcome = batch.get_node_hint(Pod(uid="a-2"), b"sig", CycleState(snapshot), 2)
    assert (outcome.hint, outcome.flush_reason) == (None, "node_not_full")
    assert batch.state is not None


def test_g3_filter_error_on_last_node_is_flushed() -> None:
    snapshot = cluster("n1", "n3")
    batch = make_batch(framework(filter_error=True))
    seed(batch, "n3", entries(("n1", 0)), snapshot, "a-1")
    assert batch.get_node_hint(Pod(uid="a-2"), b"sig", CycleState(snapshot), 2).flush_reason == "filter_error"


@pytest.mark.parametrize(("fresh", "expected"), [(100, "n3"), (10, "n1")])
def test_rescored_node_wins_or_loses(fresh: int, expected: str) -> None:
    scorer = TableScore({"n1": 50, "n2": 20, "n3": fresh})
    snapshot = cluster("n1", "n2", "n3")
    batch = make_batch(framework(scorer))
    seed(batch, "n3", entries(("n1", 50), ("n2", 20)), snapshot, "a-1")
    outcome = batch.get_node_hint(Pod(uid="a-2"), b"sig", CycleState(snapshot), 2)
    assert outcome.hint == expected
    assert outcome.rescored
    assert batch.metrics.rescore_attempts["default-scheduler"] == 1
    # PreScore sees every cached candidate plus the last node; Score runs on the last node only.
    assert scorer.calls == ["pre_score:n1,n2,n3", "score:n3"]
    assert batch.state is not None
    remaining = sorted(batch.state.sorted_nodes.names())
    assert remaining == sorted({"n1", "n2", "n3"} - {expected})


def test_rescore_chain_keeps_creation_time() -> None:
    clock = VirtualClock()
    scorer = TableScore({"n1": 50, "n3": 100})
    snapshot = cluster("n1", "n3")
    batch = make_batch(framework(scorer), clock=clock)
    seed(batch, "n3", entries(("n1", 50)), snapshot, "a-1")
    created = batch.state.creation_time if batch.state else None
    for cycle in (2, 3, 4):
        clock.advance(0.1)
        outcome = batch.get_node_hint(Pod(uid=f"a-{cycle}"), b"sig", CycleState(snapshot), cycle)
        assert outcome.hint == "n3"
        batch.store_schedule_results(b"sig", "n3", "n3", None, cycle)
        snapshot.bind(Pod(name=f"p{cycle}", uid=f"a-{cycle}", node_name="n3"), "n3")
    assert batch.state is not None and batch.state.creation_time == created
    assert batch.metrics.rescore_attempts["default-scheduler"] == 3


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ("fail_pre_score", "prescore_error"),
        ("fail_score", "rescore_error"),
        ("normalize_out_of_range", "normalize_error"),
        ("cached_node_missing", "node_missing"),
    ],
)
def test_rescore_errors_flush(setup: str, reason: str) -> None:
    scorer = TableScore({"n1": 50, "n3": 100})
    scorer.fail_pre_score = setup == "fail_pre_score"
    scorer.fail_score = setup == "fail_score"
    scorer.normalize_to = 101 if setup == "normalize_out_of_range" else None
    snapshot = cluster("n1", "n3")
    batch = make_batch(framework(scorer))
    seed(batch, "n3", entries(("n1", 50)), snapshot, "a-1")
    if setup == "cached_node_missing":
        snapshot.remove_node("n1")
    outcome = batch.get_node_hint(Pod(uid="a-2"), b"sig", CycleState(snapshot), 2)
    assert (outcome.hint, outcome.flush_reason) == (None, reason)
    assert batch.state is None


def test_store_results_without_signature_is_not_batchable() -> None:
    batch = make_batch(framework())
    assert batch.store_schedule_results(None, None, "n1", entries(("n2", 1)), 1) == (None, "pod_not_batchable")
    assert batch.state is None


def test_g1_store_results_flushes_instead_of_counting_store() -> None:
    batch = make_batch(framework(), variant="g1")
    batch.store_schedule_results(b"sig", None, "n1", None, 1)
    batch.store_schedule_results(None, None, "n1", entries(("n2", 1)), 2)
    assert batch.metrics.flushed[("default-scheduler", "empty_list")] == 1
    assert batch.metrics.flushed[("default-scheduler", "pod_not_batchable")] == 1
    assert not batch.metrics.stored


def test_signature_is_computed_at_enqueue_and_recomputed_on_update() -> None:
    from batchproof.batched import BatchedScheduler
    from batchproof.model.objects import Toleration

    class TolerationSigner(BlockingFilter):
        def sign_pod(self, pod: Pod) -> tuple[tuple[()], Status]:
            return (), SUCCESS if not pod.tolerations else unschedulable("refuses tolerating pods")

    framework = Framework(scheduler_name="default-scheduler", filter=[TolerationSigner()])
    scheduler = BatchedScheduler(framework, cluster("n1"))
    scheduler.enqueue(Pod(name="p", uid="a-1"))
    assert scheduler.queue[0].signature is not None
    assert scheduler.update(Pod(name="p", uid="a-1", tolerations=(Toleration(operator="Exists"),)))
    assert scheduler.queue[0].signature is None
    decision = scheduler.schedule_next()
    assert decision is not None and decision.signature is None


def test_hinted_cycles_do_not_advance_the_sampling_window() -> None:
    from batchproof.batched import BatchedScheduler

    snapshot = Snapshot([Node(f"n{i:03d}") for i in range(200)])
    scorer = TableScore({})
    scheduler = BatchedScheduler(framework(scorer), snapshot, percentage_of_nodes_to_score=10)
    first = scheduler.schedule_one(Pod(name="p0", uid="b-0"))
    assert first.path == "full"
    start = scheduler.next_start_node_index
    assert start != 0  # the full pipeline advanced it by the nodes it processed
    second = scheduler.schedule_one(Pod(name="p1", uid="b-1"))
    assert second.path == "hint"
    assert scheduler.next_start_node_index == start
