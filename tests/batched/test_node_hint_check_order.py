"""GetNodeHint's check order with several conditions true at once, and every variant's error paths.

Spec §4 (runtime/batch.go ``batchStateCompatible`` then ``refreshHintCandidates``): empty state
(no flush) → cycle gap ``pod_skipped`` → ``pod_failed`` → ``pod_nominated`` → ``pod_incompatible``
→ ``expired`` → ``node_missing`` → the last node's Filter verdict (G1: anything not rejected is
``node_not_full``; G3 and renormalize: Error is ``filter_error``, Success rescores). When several
conditions hold, only the first is reported, counted once, and (G3) the state is dropped.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from batchproof.batched import VARIANTS
from batchproof.batched.batch import Variant
from batchproof.model.cluster import Snapshot
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.objects import Node, Pod
from tests.batched.test_batch import TableScore, entries, framework, make_batch, seed

PROFILE = "default-scheduler"
# The documented order (spec §4); "empty" is first and flushes nothing.
ORDER = ("empty", "skipped", "failed", "nominated", "incompatible", "expired", "node_missing", "filter_error")
REASON = {
    "skipped": "pod_skipped",
    "failed": "pod_failed",
    "nominated": "pod_nominated",
    "incompatible": "pod_incompatible",
    "expired": "expired",
    "node_missing": "node_missing",
    "filter_error": "filter_error",
}


def expected_reason(conditions: frozenset[str], variant: Variant) -> str | None:
    first = min(conditions, key=ORDER.index)
    if first == "empty":
        return None
    if first == "filter_error" and variant == "g1":
        return "node_not_full"  # G1: an Error verdict is "not rejected"
    return REASON[first]


def run_with(conditions: frozenset[str], variant: Variant) -> tuple[object, object]:
    """Seed a batch on n3 with n1, n2 cached, make ``conditions`` true, and ask for a hint."""
    from batchproof.batched import VirtualClock

    clock = VirtualClock()
    snapshot = Snapshot([Node("n1"), Node("n2"), Node("n3")])
    batch = make_batch(framework(filter_error="filter_error" in conditions), variant=variant, clock=clock)
    others = entries() if "empty" in conditions else entries(("n1", 5), ("n2", 1))
    seed(batch, "n3", others, snapshot, "b-1")
    if "empty" in conditions:
        # G3 stores nothing for an empty list; G1 flushed it. Either way the state is empty.
        assert batch.state is None
    cycle = 3 if "skipped" in conditions else 2
    if "failed" in conditions:
        assert batch.last_cycle is not None
        batch.last_cycle = replace(batch.last_cycle, succeeded=False)
    if "expired" in conditions:
        clock.advance(0.5001)
    if "node_missing" in conditions:
        snapshot.remove_node("n3")
    # "b" pods block each other: the last node n3 is full for a "b" pod; an "a" pod fits it, so
    # the erroring Filter plugin after the blocking one is reached.
    uid = "a-2" if "filter_error" in conditions else "b-2"
    pod = Pod(name="pod2", uid=uid, nominated_node_name="n1" if "nominated" in conditions else "")
    signature = b"other" if "incompatible" in conditions else b"sig"
    outcome = batch.get_node_hint(pod, signature, CycleState(snapshot), cycle)
    return batch, outcome


CASES = [
    *(frozenset({single}) for single in ORDER),
    *(frozenset(pair) for pair in itertools.combinations(ORDER, 2)),
    frozenset(ORDER),
    frozenset(ORDER[1:]),
]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("conditions", CASES, ids=lambda c: "+".join(sorted(c, key=ORDER.index)))
def test_the_first_condition_in_the_documented_order_wins(conditions: frozenset[str], variant: Variant) -> None:
    batch, outcome = run_with(conditions, variant)
    reason = expected_reason(conditions, variant)
    assert outcome.hint is None  # type: ignore[attr-defined]
    assert outcome.flush_reason == reason  # type: ignore[attr-defined]
    assert outcome.rescored is False  # type: ignore[attr-defined]  # every check here comes before a rescore
    flushed = {k: v for k, v in batch.metrics.flushed.items() if v}  # type: ignore[attr-defined]
    if variant == "g1" and "empty" in conditions:
        assert flushed == {(PROFILE, "empty_list"): 1}  # G1 flushes the empty list when storing it
    elif reason is None:
        assert flushed == {}
    else:
        assert flushed == {(PROFILE, reason): 1}  # counted once, for the first reason only
    assert batch.metrics.attempts[(PROFILE, "no_hint")] == 2  # type: ignore[attr-defined]
    assert batch.metrics.rescore_attempts[PROFILE] == 0  # type: ignore[attr-defined]
    if reason is not None and variant != "g1":
        assert batch.state is None  # type: ignore[attr-defined]
    if reason is not None and variant == "g1":
        assert batch.state is not None  # type: ignore[attr-defined]


@pytest.mark.parametrize("variant", VARIANTS)
def test_with_no_condition_the_cached_best_is_hinted(variant: Variant) -> None:
    batch, outcome = run_with(frozenset(), variant)
    assert (outcome.hint, outcome.flush_reason) == ("n1", None)  # type: ignore[attr-defined]
    assert not any(batch.metrics.flushed.values())  # type: ignore[attr-defined]
    assert batch.metrics.attempts[(PROFILE, "no_hint")] == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("age", [0.5, 0.5001])
def test_the_batch_lives_exactly_max_batch_age(variant: Variant, age: float) -> None:
    """``now > creation + 500ms`` expires; a batch exactly 500 ms old still hints."""
    from batchproof.batched import VirtualClock

    clock = VirtualClock()
    clock.advance(0.3)  # a batch created at a non-zero time: the age is a difference
    snapshot = Snapshot([Node("n1"), Node("n3")])
    batch = make_batch(framework(), variant=variant, clock=clock)
    seed(batch, "n3", entries(("n1", 0)), snapshot, "b-1")
    clock.advance(age)
    outcome = batch.get_node_hint(Pod(uid="b-2"), b"sig", CycleState(snapshot), 2)
    assert outcome.flush_reason == (None if age == 0.5 else "expired")
    assert outcome.hint == ("n1" if age == 0.5 else None)
    if outcome.hint:
        assert outcome.batch_age == pytest.approx(age)


# -- the last node still fits: G1 flushes, G3/renormalize rescore, and their failures -------------------------
@pytest.mark.parametrize("variant", VARIANTS)
def test_a_last_node_that_still_fits(variant: Variant) -> None:
    scorer = TableScore({"n1": 50, "n3": 100})
    snapshot = Snapshot([Node("n1"), Node("n3")])
    batch = make_batch(framework(scorer), variant=variant)
    seed(batch, "n3", entries(("n1", 50)), snapshot, "a-1")
    outcome = batch.get_node_hint(Pod(uid="a-2"), b"sig", CycleState(snapshot), 2)
    if variant == "g1":
        assert (outcome.hint, outcome.flush_reason, outcome.rescored) == (None, "node_not_full", False)
        assert batch.metrics.rescore_attempts[PROFILE] == 0
        assert batch.state is not None  # G1 keeps flushed state in place
    else:
        assert (outcome.hint, outcome.flush_reason, outcome.rescored) == ("n3", None, True)
        assert batch.metrics.rescore_attempts[PROFILE] == 1
        assert batch.metrics.rescore_duration[PROFILE].samples == 1


RESCORE_FAILURES = [
    ("fail_pre_score", "prescore_error"),
    ("fail_score", "rescore_error"),
    ("normalize_out_of_range", "normalize_error"),
    ("cached_node_missing", "node_missing"),
]


@pytest.mark.parametrize("variant", ["g3", "renormalize"])
@pytest.mark.parametrize(("setup", "reason"), RESCORE_FAILURES)
def test_rescore_failures_flush_under_every_rescoring_variant(variant: Variant, setup: str, reason: str) -> None:
    scorer = TableScore({"n1": 50, "n3": 100})
    scorer.fail_pre_score = setup == "fail_pre_score"
    scorer.fail_score = setup == "fail_score"
    scorer.normalize_to = 101 if setup == "normalize_out_of_range" else None
    snapshot = Snapshot([Node("n1"), Node("n3")])
    batch = make_batch(framework(scorer), variant=variant)
    seed(batch, "n3", entries(("n1", 50)), snapshot, "a-1")
    if setup == "cached_node_missing":
        snapshot.remove_node("n1")
    outcome = batch.get_node_hint(Pod(uid="a-2"), b"sig", CycleState(snapshot), 2)
    assert (outcome.hint, outcome.flush_reason, outcome.rescored) == (None, reason, True)
    assert batch.state is None
    assert batch.metrics.flushed[(PROFILE, reason)] == 1
    assert batch.metrics.rescore_attempts[PROFILE] == 1
    assert batch.metrics.rescore_duration[PROFILE].samples == 1  # timed even when it fails


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize(("setup", "reason"), RESCORE_FAILURES)
def test_a_full_last_node_pops_without_rescoring(variant: Variant, setup: str, reason: str) -> None:
    """One-pod-per-node: the last node is full, so nothing rescores. G1 and G3 pop the cached best
    whatever the scorer would do now; renormalize PreScores and NormalizeScores the cached list
    first and flushes on its failures (Score itself never runs)."""
    scorer = TableScore({"n1": 50, "n2": 20, "n3": 100})
    scorer.fail_pre_score = setup == "fail_pre_score"
    scorer.fail_score = setup == "fail_score"
    scorer.normalize_to = 101 if setup == "normalize_out_of_range" else None
    snapshot = Snapshot([Node("n1"), Node("n2"), Node("n3")])
    batch = make_batch(framework(scorer), variant=variant)
    seed(batch, "n3", entries(("n1", 50), ("n2", 20)), snapshot, "b-1")
    if setup == "cached_node_missing":
        snapshot.remove_node("n2")
    outcome = batch.get_node_hint(Pod(uid="b-2"), b"sig", CycleState(snapshot), 2)
    assert batch.metrics.rescore_attempts[PROFILE] == 0
    assert not outcome.rescored
    renormalize_fails = variant == "renormalize" and setup != "fail_score"
    if renormalize_fails:
        assert (outcome.hint, outcome.flush_reason) == (None, reason)
        assert batch.state is None
    else:
        assert (outcome.hint, outcome.flush_reason) == ("n1", None)
    if variant == "renormalize" and setup == "cached_node_missing":
        assert scorer.calls == []  # the missing node is found before PreScore
    elif variant == "renormalize":
        assert scorer.calls[-1] == "pre_score:n1,n2"
        assert not any(call.startswith("score:") for call in scorer.calls)
    else:
        assert scorer.calls == []


def test_renormalize_reorders_the_cached_list_over_the_remaining_nodes() -> None:
    """The proposed fix: the cached raw scores are normalised again over the nodes still cached."""
    scorer = TableScore({"n1": 50, "n2": 20})
    scorer.normalize_to = 7
    snapshot = Snapshot([Node("n1"), Node("n2"), Node("n3")])
    batch = make_batch(framework(scorer), variant="renormalize")
    seed(batch, "n3", entries(("n1", 50), ("n2", 20)), snapshot, "b-1")
    outcome = batch.get_node_hint(Pod(uid="b-2"), b"sig", CycleState(snapshot), 2)
    assert outcome.hint == "n1"  # 7 == 7: the name breaks the tie
    assert scorer.calls == ["pre_score:n1,n2"]
    assert batch.state is not None
    assert [(e.name, e.total_score) for e in batch.state.sorted_nodes.unordered_list()] == [("n2", 7)]


# -- StoreScheduleResults per variant -------------------------------------------------------------------------
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize(
    ("signature", "others", "reason"),
    [
        (None, entries(("n2", 1)), "pod_not_batchable"),
        (b"sig", None, "empty_list"),
        (b"sig", entries(), "empty_list"),
        (None, None, "empty_list"),  # both: G1 reports the empty list, G3 the unbatchable pod
    ],
)
def test_store_results_that_keep_nothing(
    variant: Variant, signature: bytes | None, others: object, reason: str
) -> None:
    batch = make_batch(framework(), variant=variant)
    attempt, stored = batch.store_schedule_results(signature, None, "n1", others, 1)  # type: ignore[arg-type]
    assert batch.state is None
    assert attempt is None
    if variant == "g1":
        assert stored == reason
        assert dict(batch.metrics.flushed) == {(PROFILE, reason): 1}
        assert not any(batch.metrics.stored.values())
    else:
        expected = "pod_not_batchable" if signature is None else "empty_list"
        assert stored == expected
        assert dict(batch.metrics.stored) == {(PROFILE, expected): 1}
        assert not any(batch.metrics.flushed.values())
    assert batch.last_cycle is not None and batch.last_cycle.chosen_node == "n1"


@pytest.mark.parametrize("variant", VARIANTS)
def test_store_results_replace_state_after_an_unused_hint(variant: Variant) -> None:
    from batchproof.batched import VirtualClock

    clock = VirtualClock()
    snapshot = Snapshot([Node("n1"), Node("n2"), Node("n3")])
    batch = make_batch(framework(), variant=variant, clock=clock)
    seed(batch, "n3", entries(("n1", 10), ("n2", 5)), snapshot, "b-1")
    clock.advance(0.2)
    assert batch.get_node_hint(Pod(uid="b-2"), b"sig", CycleState(snapshot), 2).hint == "n1"
    assert batch.store_schedule_results(b"sig", "n1", "n2", entries(("n1", 3)), 2) == ("hint_not_used", "stored")
    assert batch.state is not None
    assert batch.state.creation_time == pytest.approx(0.2)  # a new batch, a new creation time
    assert batch.metrics.attempts[(PROFILE, "hint_not_used")] == 1
    assert batch.metrics.batched_pods == 0
    assert batch.last_cycle == type(batch.last_cycle)(2, "n2", True)


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_used_hint_keeps_the_batch_and_its_creation_time(variant: Variant) -> None:
    from batchproof.batched import VirtualClock

    clock = VirtualClock()
    snapshot = Snapshot([Node("n1"), Node("n2"), Node("n3")])
    batch = make_batch(framework(), variant=variant, clock=clock)
    seed(batch, "n3", entries(("n1", 10), ("n2", 5)), snapshot, "b-1")
    clock.advance(0.2)
    assert batch.get_node_hint(Pod(uid="b-2"), b"sig", CycleState(snapshot), 2).hint == "n1"
    assert batch.store_schedule_results(b"sig", "n1", "n1", None, 2) == ("hint_used", None)
    assert batch.state is not None
    assert batch.state.creation_time == 0.0
    assert batch.state.sorted_nodes.names() == ["n2"]
    assert batch.metrics.batched_pods == 1
    assert batch.metrics.attempts[(PROFILE, "hint_used")] == 1
    assert batch.metrics.store_duration[PROFILE].samples == 2


# -- latency metrics --------------------------------------------------------------------------------------
class Ticks:
    """A timer that advances 0.25 s per reading."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        self.now += 0.25
        return self.now


@pytest.mark.parametrize("variant", VARIANTS)
def test_hint_and_store_latencies_are_observed_per_label(variant: Variant) -> None:
    """get_node_hint_duration_seconds{hinted="hint"|"no_hint"} and store_schedule_results_duration
    observe the time between two timer readings."""
    from batchproof.batched import BatchMetrics, OpportunisticBatch, VirtualClock

    snapshot = Snapshot([Node("n1"), Node("n2"), Node("n3")])
    batch = OpportunisticBatch(
        framework(), profile=PROFILE, clock=VirtualClock(), metrics=BatchMetrics(), variant=variant, timer=Ticks()
    )
    seed(batch, "n3", entries(("n1", 5), ("n2", 1)), snapshot, "b-1")
    assert {label: h.samples for (_, label), h in batch.metrics.hint_duration.items()} == {"no_hint": 1}
    assert batch.get_node_hint(Pod(uid="b-2"), b"sig", CycleState(snapshot), 2).hint == "n1"
    hinted, missed = batch.metrics.hint_duration[(PROFILE, "hint")], batch.metrics.hint_duration[(PROFILE, "no_hint")]
    assert (hinted.samples, missed.samples) == (1, 1)
    assert hinted.total == pytest.approx(0.25)
    assert missed.total == pytest.approx(0.25)
    stored = batch.metrics.store_duration[PROFILE]
    assert (stored.samples, stored.total) == (1, pytest.approx(0.25))


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_filter_error_is_the_cycle_status_not_unschedulable(variant: Variant) -> None:
    """schedulePod: a Filter Error aborts the cycle with that error, ahead of "0/N nodes are available"."""
    from batchproof.batched import BatchedScheduler
    from batchproof.model.framework.status import Code

    scheduler = BatchedScheduler(framework(filter_error=True), Snapshot([Node("n1"), Node("n2")]), variant=variant)
    decision = scheduler.schedule_one(Pod(name="p", uid="a-1"))
    assert decision.node is None
    assert decision.status.code is Code.ERROR
    assert "broken" in decision.status.message
