"""A stateful test: pods, cluster events and clock moves interleaved against both schedulers.

The machine drives a reference scheduler and a batched one over twin snapshots. After every
step the invariants hold: each batched placement passed the full Filter set when it was made,
both snapshots hold the same pods, no pod was hinted from a batch older than the batch age, and
the batching counters agree with the decisions. ``batched_cls`` lets quality tests run the same
machine against a deliberately broken batched scheduler.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from batchproof.batched import VARIANTS, BatchedScheduler, VirtualClock
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import ContainerPort, Pod, Taint
from batchproof.model.profiles import batching_profile
from batchproof.model.scheduling import Decision
from batchproof.properties.events import ClockJump, Event, NodeRemoval, NodeUpdate, PodDeletion, apply_event
from batchproof.properties.lockstep import feasible
from batchproof.properties.statistics import PathCounter
from batchproof.properties.strategies.clusters import clusters
from batchproof.properties.strategies.objects import lean_pods, taints
from batchproof.properties.strategies.workloads import roomy, signable_templates
from batchproof.reference import ReferenceScheduler

PROFILE = batching_profile()
PATHS = PathCounter("stateful lockstep")
MAX_BATCH_AGE = 0.5
STRESS_TAINT = Taint(key="batchproof.io/stress", effect="NoSchedule")
NOTHING = FrozenDict({"cpu": 0, "memory": 0, "pods": 0})
HOST_PORT = ContainerPort(container_port=8080, host_port=8080)
TEMPLATES = st.one_of(
    signable_templates(),
    lean_pods(max_containers=1, ports=(HOST_PORT,)),  # one pod per node
    lean_pods(),  # several per node
)


class LockstepMachine(RuleBasedStateMachine):
    """Both schedulers on twin snapshots, driven by pods, events and time."""

    batched_cls: type[BatchedScheduler] = BatchedScheduler
    paths: PathCounter = PATHS

    def __init__(self) -> None:
        super().__init__()
        self.clock = VirtualClock()
        self.reference: ReferenceScheduler | None = None
        self.batched: BatchedScheduler | None = None
        self.decisions: list[Decision] = []
        self.template: Pod | None = None
        self.count = 0

    @initialize(
        world=st.one_of(
            clusters(min_nodes=2, max_nodes=6, max_existing_pods=2, existing_pods=signable_templates()),
            clusters(min_nodes=2, max_nodes=6, max_existing_pods=0).map(roomy),  # where batches live long
        ),
        variant=st.sampled_from(VARIANTS),
        template=TEMPLATES,
    )
    def start(self, world: object, variant: str, template: Pod) -> None:
        self.template = template
        snapshot = world.snapshot()  # type: ignore[attr-defined]
        self.reference = ReferenceScheduler(PROFILE.build(), snapshot.clone())
        self.batched = self.batched_cls(
            PROFILE.build(),
            snapshot.clone(),
            clock=self.clock,
            variant=variant,  # type: ignore[arg-type]
            max_batch_age=MAX_BATCH_AGE,
        )

    @rule(template=TEMPLATES)
    def new_template(self, template: Pod) -> None:
        self.template = template

    @precondition(lambda self: self.template is not None)
    @rule(repeat=st.integers(1, 6))
    def schedule_copies(self, repeat: int) -> None:
        self._schedule(repeat)

    def _schedule(self, repeat: int) -> None:
        assert self.reference is not None and self.batched is not None and self.template is not None
        for _ in range(repeat):
            self.count += 1
            pod = replace(self.template, name=f"pod-{self.count}")
            framework = self.reference.frameworks[pod.scheduler_name]
            decision = self.batched.schedule_one(pod)
            if decision.node is not None:
                assert feasible(framework, self.reference.snapshot, pod, decision.node), f"{pod.key} on {decision.node}"
                self.reference.snapshot.bind(replace(pod, node_name=decision.node), decision.node)
                self.paths.hit(f"placed via {decision.path}")
            if decision.attempt_result == "hint_not_used":
                self.paths.hit("hint rejected by the re-filter")
            if decision.flush_reason == "expired":
                self.paths.hit("flush expired")
            self.decisions.append(decision)
            self.clock.advance(0.001)

    @rule(data=st.data())
    def cluster_event(self, data: st.DataObject) -> None:
        assert self.reference is not None and self.batched is not None
        nodes = self.reference.snapshot.node_infos()
        if not nodes:
            return
        info = data.draw(st.sampled_from(nodes))
        kind = data.draw(st.sampled_from(("taint", "block", "cordon", "shrink", "remove", "delete")))
        event: Event
        if kind == "taint":
            event = NodeUpdate(replace(info.node, taints=(*info.node.taints, data.draw(taints()))))
        elif kind == "block":  # a NoSchedule taint no generated pod tolerates by key
            event = NodeUpdate(replace(info.node, taints=(*info.node.taints, STRESS_TAINT)))
        elif kind == "cordon":
            event = NodeUpdate(replace(info.node, unschedulable=True))
        elif kind == "shrink":
            event = NodeUpdate(replace(info.node, allocatable=NOTHING, capacity=NOTHING))
        elif kind == "remove" and len(nodes) > 1:
            event = NodeRemoval(info.name)
        elif kind == "delete" and info.pods:
            event = PodDeletion(data.draw(st.sampled_from(info.pods)).key)
        else:
            return
        self._apply(event)

    @precondition(lambda self: self.template is not None and self._next_hint() is not None)
    @rule(kind=st.sampled_from(("block", "cordon", "shrink")))
    def break_the_next_hint(self, kind: str) -> None:
        """Make the node the live batch hints next infeasible, then schedule the next copy."""
        assert self.reference is not None
        upcoming = self._next_hint()
        info = self.reference.snapshot.get(upcoming) if upcoming is not None else None
        if info is None:
            return
        if kind == "block":
            self._apply(NodeUpdate(replace(info.node, taints=(*info.node.taints, STRESS_TAINT))))
        elif kind == "cordon":
            self._apply(NodeUpdate(replace(info.node, unschedulable=True)))
        else:
            self._apply(NodeUpdate(replace(info.node, allocatable=NOTHING, capacity=NOTHING)))
        self._schedule(1)

    @precondition(lambda self: self.template is not None and self._next_hint() is not None)
    @rule()
    def outlive_the_batch(self) -> None:
        """Move the clock past the live batch's age, then schedule the next copy."""
        self._apply(ClockJump(MAX_BATCH_AGE + 0.1))
        self._schedule(1)

    @rule(seconds=st.sampled_from((0.1, 0.6)))
    def clock_jump(self, seconds: float) -> None:
        """Time passes between pods, sometimes past the batch age."""
        self._apply(ClockJump(seconds))

    def _next_hint(self) -> str | None:
        """The cached node the batch would pop next (white-box: where an event hurts most)."""
        assert self.batched is not None
        for batch in self.batched.batches.values():
            if batch.state is not None and len(batch.state.sorted_nodes):
                return batch.state.sorted_nodes.names()[0]  # the heap's top
        return None

    def _apply(self, event: Event) -> None:
        assert self.reference is not None and self.batched is not None
        apply_event(event, self.reference.snapshot)
        apply_event(event, self.batched.snapshot, self.clock)
        self.paths.hit(f"event {type(event).__name__}")

    @invariant()
    def twins_hold_the_same_pods(self) -> None:
        if self.reference is None or self.batched is None:
            return
        ours = sorted((p.key, p.node_name) for p in self.reference.snapshot.pods())
        theirs = sorted((p.key, p.node_name) for p in self.batched.snapshot.pods())
        assert ours == theirs

    @invariant()
    def no_hint_from_a_batch_past_its_age(self) -> None:
        stale = [d.pod for d in self.decisions if d.path == "hint" and (d.batch_age or 0.0) > MAX_BATCH_AGE]
        assert not stale, f"hinted from a batch older than {MAX_BATCH_AGE}s: {stale}"

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
    PATHS.require(
        "placed via hint",
        "placed via full",
        "event NodeUpdate",
        "event ClockJump",
        "flush expired",
        "hint rejected by the re-filter",
    )
