"""``run_lockstep``'s own checks: safety of every batched placement and hints from stale batches.

lockstep.py: each batched placement is checked against PreFilter and the full Filter set of its
profile on the reference's snapshot (a pod without a profile has nothing to check against);
``stale_hints`` lists hinted placements whose batch was older than the maximum age, and only those.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings

from batchproof.batched import BatchedScheduler
from batchproof.model.objects import DEFAULT_SCHEDULER_NAME, Pod
from batchproof.model.plugins.registry import DEFAULT_REGISTRY
from batchproof.model.profiles import batching_profile
from batchproof.model.scheduling import Decision
from batchproof.properties.campaign.loader import registered
from batchproof.properties.lockstep import BatchingOptions, LockstepRun, Scenario, framework_of, run_lockstep
from batchproof.properties.statistics import PathCounter
from batchproof.properties.strategies.resizing import resizing_scenarios
from batchproof.properties.world import Cluster
from tests.properties.test_harness_classify import FIT, GI, node, pod


class AlwaysOnSmall(BatchedScheduler):
    """A broken scheduler: binds every pod to node ``small`` without filtering."""

    def schedule_one(self, pod: Pod) -> Decision:
        self.snapshot.bind(replace(pod, node_name="small"), "small")
        return Decision(pod.key, "small", path="hint")


def scenario(*pods: Pod) -> Scenario:
    nodes = (node("small", 500, GI), node("big", 8000, 8 * GI))
    return Scenario(Cluster(nodes), pods, (FIT,))


def test_safe_placements_are_not_reported() -> None:
    run = run_lockstep(scenario(pod(1), pod(2)))
    assert [d.node for d in run.batched] == ["big", "big"]
    assert run.unsafe == []


def test_a_placement_that_fails_the_filter_set_is_reported_once_per_pod() -> None:
    run = run_lockstep(scenario(pod(1), pod(2)), batched_cls=AlwaysOnSmall)
    assert run.unsafe == [
        "default/p1 bound to small, which fails the full Filter set",
        "default/p2 bound to small, which fails the full Filter set",
    ]


def test_a_feasible_placement_by_a_broken_scheduler_is_safe() -> None:
    tiny = Pod(name="t", uid="t", containers=())
    run = run_lockstep(scenario(tiny), batched_cls=AlwaysOnSmall)
    assert run.unsafe == []


def test_a_pod_without_a_profile_has_no_filter_set_to_fail() -> None:
    stray = replace(pod(1), scheduler_name="other-scheduler")
    run = run_lockstep(scenario(stray), batched_cls=AlwaysOnSmall)
    assert run.reference[0].node is None
    assert run.unsafe == []


def test_stale_hints_are_hinted_placements_older_than_the_maximum_age() -> None:
    batched = [
        Decision("ns/old", "n1", path="hint", batch_age=0.6),
        Decision("ns/exact", "n1", path="hint", batch_age=0.5),  # exactly the age: not stale
        Decision("ns/full", "n1", path="full", batch_age=0.9),  # not a hint
        Decision("ns/nominated", "n1", path="nominated", batch_age=0.9),
        Decision("ns/unknown", "n1", path="hint", batch_age=None),
    ]
    run = LockstepRun(batched=batched)
    assert run.stale_hints(0.5) == ["ns/old hinted from a batch 600ms old"]
    assert run.stale_hints(0.55) == ["ns/old hinted from a batch 600ms old"]
    assert run.stale_hints(0.6) == []
    assert run.stale_hints(0.4) == [
        "ns/old hinted from a batch 600ms old",
        "ns/exact hinted from a batch 500ms old",
    ]


def test_a_real_run_has_no_stale_hints() -> None:
    run = run_lockstep(scenario(*(replace(pod(i), containers=()) for i in range(4))))
    assert any(d.path == "hint" for d in run.batched)
    assert run.stale_hints(0.5) == []


def small_pods(count: int) -> tuple[Pod, ...]:
    return tuple(replace(pod(i), containers=()) for i in range(count))


def test_events_reach_both_schedulers() -> None:
    """A node removed before the second pod: neither side may use it (the batched hint included)."""
    from batchproof.properties.events import NodeRemoval

    big_only = (pod(1), pod(2))
    run = run_lockstep(replace(scenario(*big_only), events=((1, NodeRemoval("big")),)))
    assert [d.node for d in run.reference] == ["big", None]
    assert [d.node for d in run.batched] == ["big", None]
    assert run.unsafe == []


def test_a_clock_jump_reaches_the_batched_schedulers_clock() -> None:
    from batchproof.properties.events import ClockJump

    run = run_lockstep(replace(scenario(*small_pods(2)), events=((1, ClockJump(1.0)),)))
    assert run.batched[1].flush_reason == "expired"


def test_the_virtual_clock_advances_by_the_pod_interval_between_pods() -> None:
    run = run_lockstep(replace(scenario(*small_pods(3)), options=BatchingOptions(pod_interval=0.01)))
    assert [d.path for d in run.batched] == ["full", "hint", "hint"]
    assert [d.batch_age for d in run.batched[1:]] == [pytest.approx(0.01), pytest.approx(0.02)]


def test_the_run_carries_the_batched_schedulers_metrics() -> None:
    run = run_lockstep(scenario(*small_pods(3)))
    assert run.metrics["batch_attempts_total"] == {"hint_used": 2, "no_hint": 1}
    assert 'scheduler_batch_attempts_total{profile="default-scheduler",result="hint_used"} 2' in run.prometheus


def test_frameworks_are_reused_per_profile_and_rebuilt_when_a_plugin_is_replaced() -> None:
    first = framework_of(FIT)
    assert framework_of(FIT) is first
    assert framework_of(replace(FIT)) is not first, "another profile object gets its own"
    info = DEFAULT_REGISTRY.info("NodeResourcesFit")
    with registered(replace(info)):
        inside = framework_of(FIT)
        assert inside is not first
        assert framework_of(FIT) is not inside, "an out-of-tree plugin's framework is built afresh"
    assert framework_of(FIT) is first


def test_a_reused_framework_decides_as_a_fresh_one() -> None:
    """The plugins' memos, warm from earlier runs, change no decision."""
    counter = PathCounter("lockstep/reused-frameworks")
    profile = replace(batching_profile(), scheduler_name=DEFAULT_SCHEDULER_NAME)

    @settings(max_examples=40)
    @given(resizing_scenarios(profiles=(profile,)))
    def check(scenario: Scenario) -> None:
        warm = run_lockstep(scenario)
        fresh = run_lockstep(scenario.with_profiles([replace(profile)]))
        assert [(d.node, d.path) for d in warm.batched] == [(d.node, d.path) for d in fresh.batched]
        assert [d.total_scores() for d in warm.reference] == [d.total_scores() for d in fresh.reference]
        counter.hit("hinted" if any(d.path == "hint" for d in warm.batched) else "not hinted")

    check()
    counter.require("hinted")
