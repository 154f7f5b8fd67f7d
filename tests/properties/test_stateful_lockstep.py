"""A stateful test: pods, cluster events and clock moves interleaved against both schedulers.

The machine drives a reference scheduler and a batched one over twin snapshots. After every
step the invariants hold: each batched placement passed the full Filter set when it was made,
both snapshots hold the same pods, and the batching counters agree with the decisions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from batchproof.batched import VARIANTS, BatchedScheduler, VirtualClock
from batchproof.model.objects import Pod
from batchproof.model.profiles import batching_profile
from batchproof.model.scheduling import Decision
from batchproof.properties.events import ClockJump, Event, NodeRemoval, NodeUpdate, PodDeletion, apply_event
from batchproof.properties.lockstep import feasible
from batchproof.properties.statistics import PathCounter
from batchproof.properties.strategies.clusters import clusters
from batchproof.properties.strategies.objects import taints
from batchproof.properties.strategies.workloads import signable_templates
from batchproof.reference import ReferenceScheduler

PROFILE = batching_profile()
PATHS = PathCounter("stateful lockstep")


class LockstepMachine(RuleBasedStateMachine):
    """Both schedulers on twin snapshots, driven by pods, events and time."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = VirtualClock()
        self.reference: ReferenceScheduler | None = None
        self.batched: BatchedScheduler | None = None
        self.decisions: list[Decision] = []
        self.template: Pod | None = None
        self.count = 0

    @initialize(
        world=clusters(min_nodes=2, max_nodes=6, max_existing_pods=2, existing_pods=signable_templates()),
        variant=st.sampled_from(VARIANTS),
    )
    def start(self, world: object, variant: str) -> None:
        snapshot = world.snapshot()  # type: ignore[attr-defined]
        self.reference = ReferenceScheduler(PROFILE.build(), snapshot.clone())
        self.batched = BatchedScheduler(PROFILE.build(), snapshot.clone(), clock=self.clock, variant=variant)  # type: ignore[arg-type]

    @rule(template=signable_templates())
    def new_template(self, template: Pod) -> None:
        self.template = template

    @precondition(lambda self: self.template is not None)
    @rule(repeat=st.integers(1, 4))
    def schedule_copies(self, repeat: int) -> None:
        assert self.reference is not None and self.batched is not None and self.template is not None
        for _ in range(repeat):
            self.count += 1
            pod = replace(self.template, name=f"pod-{self.count}")
            framework = self.reference.frameworks[pod.scheduler_name]
            decision = self.batched.schedule_one(pod)
            if decision.node is not None:
                assert feasible(framework, self.reference.snapshot, pod, decision.node), f"{pod.key} on {decision.node}"
                self.reference.snapshot.bind(replace(pod, node_name=decision.node), decision.node)
                PATHS.hit(f"placed via {decision.path}")
            self.decisions.append(decision)
            self.clock.advance(0.001)

    @rule(data=st.data())
    def cluster_event(self, data: st.DataObject) -> None:
        assert self.reference is not None and self.batched is not None
        nodes = self.reference.snapshot.node_infos()
        if not nodes:
            return
        info = data.draw(st.sampled_from(nodes))
        kind = data.draw(st.sampled_from(("taint", "remove", "delete", "clock")))
        event: Event
        if kind == "taint":
            event = NodeUpdate(replace(info.node, taints=(*info.node.taints, data.draw(taints()))))
        elif kind == "remove" and len(nodes) > 1:
            event = NodeRemoval(info.name)
        elif kind == "delete" and info.pods:
            event = PodDeletion(data.draw(st.sampled_from(info.pods)).key)
        else:
            event = ClockJump(data.draw(st.sampled_from((0.1, 0.6))))
        apply_event(event, self.reference.snapshot)
        apply_event(event, self.batched.snapshot, self.clock)
        PATHS.hit(f"event {type(event).__name__}")

    @invariant()
    def twins_hold_the_same_pods(self) -> None:
        if self.reference is None or self.batched is None:
            return
        ours = sorted((p.key, p.node_name) for p in self.reference.snapshot.pods())
        theirs = sorted((p.key, p.node_name) for p in self.batched.snapshot.pods())
        assert ours == theirs

    @invariant()
    def counters_agree_with_decisions(self) -> None:
        if self.batched is None:
            return
        metrics = self.batched.metrics()
        attempts = metrics["batch_attempts_total"]
        assert isinstance(attempts, dict)
        assert attempts.get("hint_used", 0) == sum(d.path == "hint" for d in self.decisions)
        assert metrics["batch_rescore_attempts_total"] == sum(d.rescored for d in self.decisions)
        if self.batched.variant != "g1":
            stored = Counter(d.store_result for d in self.decisions if d.store_result)
            assert metrics["store_schedule_results_total"] == dict(sorted(stored.items()))


LockstepMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=20, deadline=None)
TestLockstepMachine = LockstepMachine.TestCase


def test_stateful_run_reached_hints_and_events() -> None:
    """Runs after the machine (same worker, file order): it must have exercised its paths."""
    if not PATHS.counts:
        LockstepMachine.TestCase("runTest").runTest()
    PATHS.require("placed via hint", "placed via full", "event NodeUpdate", "event ClockJump")
