"""Which variant takes which path: names, defaults, the design variants' step 8, the failure cache.

Spec §4 (checks 1-7 are shared by every variant, step 8 differs), ``batched/variants/`` for the
design variants, and ``batch.py``'s docstring for the three generations (g3 is the default).
"""

from __future__ import annotations

import pytest

from batchproof.batched import ALL_VARIANTS, DESIGN_VARIANTS, VARIANTS, BatchMetrics, OpportunisticBatch, VirtualClock
from batchproof.batched.batch import Variant
from batchproof.batched.scheduler import BatchedScheduler
from batchproof.batched.variants import EXTENDED_VARIANTS
from batchproof.model.cluster import Snapshot
from batchproof.model.errors import BatchproofError
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.status import unresolvable, unschedulable
from batchproof.model.objects import Node, Pod
from batchproof.model.scheduling import Decision
from tests.batched.test_batch import TableScore, entries, framework, make_batch, seed
from tests.batched.test_node_hint_check_order import ORDER, expected_reason, run_with

PROFILE = "default-scheduler"

# What each generation does when the last chosen node still fits the next pod (batch.py docstring):
# g1 flushes node_not_full, g3 rescores it, renormalize is g3 plus re-normalising on every pop.
STILL_FITS = {"g1": (None, "node_not_full", False), "g3": ("n3", None, True), "renormalize": ("n3", None, True)}


def still_fits(variant: str | None) -> tuple[object, object, object]:
    scorer = TableScore({"n1": 50, "n3": 100})
    snapshot = Snapshot([Node("n1"), Node("n3")])
    fw = framework(scorer)
    if variant is None:
        batch = OpportunisticBatch(fw, profile=PROFILE, clock=VirtualClock(), metrics=BatchMetrics())
    else:
        batch = make_batch(fw, variant=variant)  # type: ignore[arg-type]
    seed(batch, "n3", entries(("n1", 50)), snapshot, "a-1")
    outcome = batch.get_node_hint(Pod(uid="a-2"), b"sig", CycleState(snapshot), 2)
    return outcome.hint, outcome.flush_reason, outcome.rescored


def test_the_generations_are_g1_g3_and_renormalize_each_with_its_own_behaviour() -> None:
    assert set(VARIANTS) == set(STILL_FITS)
    for name, expected in STILL_FITS.items():
        assert still_fits(name) == expected, name


def test_the_default_variant_is_g3() -> None:
    """Upstream v1.37 behaviour: a batch constructed without a variant rescores like g3."""
    assert still_fits(None) == STILL_FITS["g3"]
    scheduler = BatchedScheduler(framework(), Snapshot([Node("n1")]))
    assert scheduler.variant == "g3"
    assert {b.variant for b in scheduler.batches.values()} == {"g3"}


def test_without_generic_workload_a_second_pod_in_the_same_cycle_is_a_skipped_cycle() -> None:
    """GenericWorkload is off by default (1.37): an equal cycle count is no PodGroup cycle."""
    snapshot = Snapshot([Node("n1"), Node("n3")])
    batch = OpportunisticBatch(framework(), profile=PROFILE, clock=VirtualClock(), metrics=BatchMetrics())
    seed(batch, "n3", entries(("n1", 0)), snapshot, "b-1")
    assert batch.get_node_hint(Pod(uid="b-2"), b"sig", CycleState(snapshot), 1).flush_reason == "pod_skipped"


def cached(batch: OpportunisticBatch) -> list[str] | None:
    return None if batch.state is None else sorted(batch.state.sorted_nodes.names())


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize(("signature", "others"), [(None, [("n1", 1)]), (b"sig", []), (b"sig", None)])
def test_storing_a_cycle_with_nothing_to_keep_drops_the_previous_batch(
    variant: Variant, signature: bytes | None, others: list[tuple[str, int]] | None
) -> None:
    snapshot = Snapshot([Node("n1"), Node("n2"), Node("n3")])
    batch = make_batch(framework(), variant=variant)
    seed(batch, "n3", entries(("n1", 10), ("n2", 5)), snapshot, "b-1")
    assert cached(batch) == ["n1", "n2"]
    remaining = None if others is None else entries(*others)
    _, stored = batch.store_schedule_results(signature, None, "n2", remaining, 2)
    assert stored == ("pod_not_batchable" if signature is None else "empty_list")
    assert cached(batch) is None
    assert batch.get_node_hint(Pod(uid="b-3"), b"sig", CycleState(snapshot), 3).hint is None


@pytest.mark.parametrize("name", ["g2", "G3", "renormalise", "", "g3 "])
def test_an_unknown_variant_is_an_error_naming_the_variants(name: str) -> None:
    with pytest.raises(BatchproofError, match="unknown batching variant") as raised:
        make_batch(framework(), variant=name)  # type: ignore[arg-type]
    assert all(known in str(raised.value) for known in ALL_VARIANTS)
    with pytest.raises(BatchproofError):
        BatchedScheduler(framework(), Snapshot([Node("n1")]), variant=name)  # type: ignore[arg-type]


@pytest.mark.parametrize("variant", ALL_VARIANTS)
def test_every_listed_variant_is_accepted(variant: Variant) -> None:
    assert make_batch(framework(), variant=variant).variant == variant


def test_design_variants_are_the_refresh_variants_and_the_failure_cache() -> None:
    """Every design variant but failure-cache replaces step 8 (variants/refresh.py); failure-cache is g3's."""
    assert set(DESIGN_VARIANTS) == EXTENDED_VARIANTS | {"failure-cache"}
    assert not set(VARIANTS) & set(DESIGN_VARIANTS)


# -- checks 1-7 are shared: the design variants report the same first flush reason -----------------------
SHARED = [c for c in ORDER if c != "filter_error"]
PAIRS = [frozenset({a, b}) for i, a in enumerate(SHARED) for b in SHARED[i + 1 :]]


@pytest.mark.parametrize("variant", DESIGN_VARIANTS)
@pytest.mark.parametrize(
    "conditions",
    [frozenset({c}) for c in SHARED] + PAIRS,
    ids=lambda c: "+".join(sorted(c, key=ORDER.index)),
)
def test_design_variants_share_the_check_order_up_to_node_missing(conditions: frozenset[str], variant: Variant) -> None:
    batch, outcome = run_with(conditions, variant)
    assert outcome.hint is None  # type: ignore[attr-defined]
    assert outcome.flush_reason == expected_reason(conditions, "g3")  # type: ignore[attr-defined]
    if outcome.flush_reason is not None:  # type: ignore[attr-defined]
        assert batch.state is None  # type: ignore[attr-defined]


# -- step 8 of the refresh variants ---------------------------------------------------------------------
@pytest.mark.parametrize("variant", ["rescore-plugin", "option-1", "option-2a"])
def test_refresh_variants_pop_past_a_full_last_node_with_the_batch_age(variant: Variant) -> None:
    clock = VirtualClock()
    clock.advance(0.3)  # created at a non-zero time: the age is a difference
    snapshot = Snapshot([Node("n1"), Node("n2"), Node("n3")])
    batch = make_batch(framework(TableScore({"n1": 50, "n2": 20})), variant=variant, clock=clock)
    seed(batch, "n3", entries(("n1", 50), ("n2", 20)), snapshot, "b-1")
    clock.advance(0.125)
    outcome = batch.get_node_hint(Pod(uid="b-2"), b"sig", CycleState(snapshot), 2)
    assert (outcome.hint, outcome.flush_reason, outcome.rescored) == ("n1", None, False)
    assert outcome.batch_age == pytest.approx(0.125)
    assert not any(batch.metrics.flushed.values())


@pytest.mark.parametrize("variant", ["rescore-plugin", "option-1", "option-2a"])
def test_refresh_variants_rescore_a_last_node_that_still_fits(variant: Variant) -> None:
    snapshot = Snapshot([Node("n1"), Node("n3")])
    batch = make_batch(framework(TableScore({"n1": 50, "n3": 100})), variant=variant)
    seed(batch, "n3", entries(("n1", 50)), snapshot, "a-1")
    outcome = batch.get_node_hint(Pod(uid="a-2"), b"sig", CycleState(snapshot), 2)
    assert (outcome.hint, outcome.flush_reason, outcome.rescored) == ("n3", None, True)
    assert batch.metrics.rescore_attempts[PROFILE] == 1


@pytest.mark.parametrize("variant", ["rescore-plugin", "option-1", "option-2a"])
def test_a_refresh_failure_flushes_with_its_reason_and_the_rescore_flag(variant: Variant) -> None:
    scorer = TableScore({"n1": 50, "n3": 100})
    scorer.fail_score = True
    snapshot = Snapshot([Node("n1"), Node("n3")])
    batch = make_batch(framework(scorer), variant=variant)
    seed(batch, "n3", entries(("n1", 50)), snapshot, "a-1")
    outcome = batch.get_node_hint(Pod(uid="a-2"), b"sig", CycleState(snapshot), 2)
    assert (outcome.hint, outcome.flush_reason, outcome.rescored) == (None, "rescore_error", True)
    assert batch.metrics.flushed[(PROFILE, "rescore_error")] == 1
    assert batch.state is None


def test_draft_drops_the_batch_when_no_plugin_can_answer_infeasible() -> None:
    """The test framework has no NodePorts/NodeResourcesFit, so every plugin answers Unknown."""
    snapshot = Snapshot([Node("n1"), Node("n3")])
    batch = make_batch(framework(), variant="draft")
    seed(batch, "n3", entries(("n1", 0)), snapshot, "b-1")
    outcome = batch.get_node_hint(Pod(uid="b-2"), b"sig", CycleState(snapshot), 2)
    assert (outcome.hint, outcome.flush_reason, outcome.rescored) == (None, "rescore_unknown", False)
    assert batch.state is None


# -- rescore latency ------------------------------------------------------------------------------------
class Ticks:
    """A timer that advances 0.25 s per reading."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        self.now += 0.25
        return self.now


@pytest.mark.parametrize("variant", ["g3", "option-1"])
def test_the_rescore_latency_is_the_time_between_two_readings(variant: Variant) -> None:
    snapshot = Snapshot([Node("n1"), Node("n3")])
    batch = OpportunisticBatch(
        framework(TableScore({"n1": 50, "n3": 100})),
        profile=PROFILE,
        clock=VirtualClock(),
        metrics=BatchMetrics(),
        variant=variant,
        timer=Ticks(),
    )
    seed(batch, "n3", entries(("n1", 50)), snapshot, "a-1")
    assert batch.get_node_hint(Pod(uid="a-2"), b"sig", CycleState(snapshot), 2).rescored
    rescore = batch.metrics.rescore_duration[PROFILE]
    assert rescore.samples == 1
    assert rescore.total == pytest.approx(0.25)


# -- the failure cache is read and written only by its variant ----------------------------------------------
FIT_ERROR = unschedulable("0/1 nodes are available")


@pytest.mark.parametrize("variant", ALL_VARIANTS)
def test_only_the_failure_cache_variant_fails_a_pod_fast(variant: Variant) -> None:
    snapshot = Snapshot([Node("n1")])
    batch = make_batch(framework(), variant=variant)
    pod = Pod(name="p2", uid="b-2")
    assert batch.fast_fail(pod, b"sig", snapshot) is None  # nothing recorded yet
    batch.after_cycle(b"sig", Decision("default/p1", None, status=FIT_ERROR, signature=b"sig"), snapshot)
    decision = batch.fast_fail(pod, b"sig", snapshot)
    if variant == "failure-cache":
        assert decision == Decision(pod.key, None, status=FIT_ERROR, signature=b"sig")
    else:
        assert decision is None
        assert batch.failure_cache is None


def test_the_batched_scheduler_writes_and_reads_the_failure_cache_each_cycle() -> None:
    """A pod that fits nowhere is a FitError; its identical successor fails from the cache, unfiltered."""
    fw = framework(TableScore({}))
    scheduler = BatchedScheduler(fw, Snapshot([Node("n1")]), variant="failure-cache")
    assert scheduler.schedule_one(Pod(name="p1", uid="b-1")).node == "n1"
    second = scheduler.schedule_one(Pod(name="p2", uid="b-2"))  # n1 holds a blocking pod
    third = scheduler.schedule_one(Pod(name="p3", uid="b-3"))
    assert second.node is None and third.node is None
    assert second.filter_statuses and not third.filter_statuses  # the third ran no Filter
    assert third.status == second.status
    batch = scheduler.batches[PROFILE]
    assert batch.failure_cache is not None and batch.failure_cache.hits == 1


def test_the_failure_cache_passes_pods_it_has_no_fit_error_for() -> None:
    snapshot = Snapshot([Node("n1")])
    batch = make_batch(framework(), variant="failure-cache")
    pod = Pod(name="p2", uid="b-2")
    batch.after_cycle(b"sig", Decision("default/p1", "n1", signature=b"sig"), snapshot)  # placed: nothing to cache
    batch.after_cycle(b"other", Decision("default/p0", None, status=unresolvable("x"), signature=b"other"), snapshot)
    assert batch.fast_fail(pod, b"sig", snapshot) is None
    assert batch.fast_fail(pod, b"other", snapshot) is not None
