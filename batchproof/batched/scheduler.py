"""The batched scheduler: upstream ``schedulePod`` with KEP-5598 opportunistic batching (spec §6).

Pods are signed when enqueued (and re-signed when updated); every pop bumps one cycle counter
shared by all profiles. Each cycle runs PreFilter, asks the profile's batch for a hint,
evaluates the hinted or nominated node with the full Filter set, falls back to the full
pipeline (with the upstream sampling window), and stores the results for the next pod.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from batchproof.batched.batch import DEFAULT_MAX_BATCH_AGE, OpportunisticBatch, Variant
from batchproof.batched.clock import Clock, VirtualClock
from batchproof.batched.metrics import BatchMetrics
from batchproof.batched.sorted_nodes import SortedScoredNodes
from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.runtime import Framework, PodSignature
from batchproof.model.framework.status import Status, unresolvable, unschedulable
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Pod
from batchproof.model.queue import gated_status, no_profile_status, pod_priority
from batchproof.model.scheduling import Decision, find_nodes_that_pass_filters, rank

NO_NODES = "no nodes available to schedule pods"


@dataclass(frozen=True, slots=True)
class QueuedPod:
    """QueuedPodInfo: the pod and the signature computed when it entered the queue."""

    pod: Pod
    signature: PodSignature | None


class BatchedScheduler:
    """KEP-5598 batching over one or more profiles, bound to one snapshot."""

    name = "batched"

    def __init__(
        self,
        frameworks: Framework | Mapping[str, Framework],
        snapshot: Snapshot,
        *,
        clock: Clock | None = None,
        variant: Variant = "g3",
        max_batch_age: float = DEFAULT_MAX_BATCH_AGE,
        percentage_of_nodes_to_score: int | None = 100,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        if isinstance(frameworks, Framework):
            frameworks = {frameworks.scheduler_name: frameworks}
        self.frameworks = dict(frameworks)
        self.snapshot = snapshot
        self.clock = clock or VirtualClock()
        self.variant = variant
        self.metrics_registry = BatchMetrics()
        self.batches = {
            name: OpportunisticBatch(
                fw,
                profile=name,
                clock=self.clock,
                metrics=self.metrics_registry,
                variant=variant,
                max_batch_age=max_batch_age,
                timer=timer,
            )
            for name, fw in self.frameworks.items()
        }
        self.percentage_of_nodes_to_score = percentage_of_nodes_to_score
        self.next_start_node_index = 0
        self.scheduling_cycle = 0
        self.queue: deque[QueuedPod] = deque()

    # -- queue -------------------------------------------------------------------
    def sign(self, pod: Pod) -> PodSignature | None:
        """PriorityQueue.signPod: nil without a profile for the pod's schedulerName."""
        framework = self.frameworks.get(pod.scheduler_name)
        return framework.sign_pod(pod) if framework is not None else None

    def enqueue(self, pod: Pod) -> None:
        """Add a pod to the queue, signing it now."""
        self.queue.append(QueuedPod(pod, self.sign(pod)))

    def update(self, pod: Pod) -> bool:
        """Replace a queued pod (same namespace/name) and re-sign it; False if not queued."""
        for index, queued in enumerate(self.queue):
            if queued.pod.key == pod.key:
                self.queue[index] = QueuedPod(pod, self.sign(pod))
                return True
        return False

    def schedule_next(self) -> Decision | None:
        """Pop the next pod and schedule it; None when the queue is empty."""
        ready = [i for i, queued in enumerate(self.queue) if gated_status(queued.pod) is None]
        if not ready:
            return None  # empty, or only gated pods (they wait in unschedulablePods)
        # activeQ order (PrioritySort): higher priority first, then earlier arrival.
        index = min(ready, key=lambda i: (-pod_priority(self.queue[i].pod), i))
        queued = self.queue[index]
        del self.queue[index]
        return self._schedule(queued)

    def schedule_one(self, pod: Pod) -> Decision:
        """Enqueue ``pod`` and schedule it at once."""
        queued = QueuedPod(pod, self.sign(pod))
        return self._schedule(queued)

    def metrics(self) -> dict[str, object]:
        """The batching counters in the CLI's JSON shape."""
        return self.metrics_registry.to_json()

    # -- schedulePod -----------------------------------------------------------------
    def _schedule(self, queued: QueuedPod) -> Decision:
        gated = gated_status(queued.pod)
        if gated is not None:
            return Decision(queued.pod.key, None, status=gated)  # PreEnqueue: no scheduling cycle
        self.scheduling_cycle += 1
        cycle = self.scheduling_cycle
        pod = queued.pod
        framework = self.frameworks.get(pod.scheduler_name)
        if framework is None:
            return Decision(pod.key, None, status=no_profile_status(pod))
        batch = self.batches[pod.scheduler_name]
        fast_failed = batch.fast_fail(pod, queued.signature, self.snapshot)  # the failure-cache variant's read
        decision = fast_failed or self._decide(framework, batch, queued, cycle)
        if decision.node is not None:
            self.snapshot.bind(replace(pod, node_name=decision.node, nominated_node_name=""), decision.node)
        batch.after_cycle(queued.signature, decision, self.snapshot)  # the failure-cache variant's write
        return decision

    def evaluate_nominated_node(self, framework: Framework, state: CycleState, pod: Pod, info: NodeInfo) -> Status:
        """evaluateNominatedNode: the hinted or nominated node against the full Filter set."""
        return framework.run_filter(state, pod, info)

    def _decide(self, framework: Framework, batch: OpportunisticBatch, queued: QueuedPod, cycle: int) -> Decision:
        pod, signature = queued.pod, queued.signature
        nodes = self.snapshot.node_infos()
        if not nodes:
            return Decision(pod.key, None, status=unresolvable(NO_NODES), signature=signature)
        state = CycleState(self.snapshot)
        result, status = framework.run_pre_filter(state, pod, nodes)
        if not status.is_success:
            return Decision(pod.key, None, status=status, signature=signature)
        outcome = batch.get_node_hint(pod, signature, state, cycle)

        def finish(node: str | None, other: SortedScoredNodes | None = None, **fields: Any) -> Decision:
            attempt = stored = None
            if node is not None:
                attempt, stored = batch.store_schedule_results(signature, outcome.hint, node, other, cycle)
            return Decision(
                pod.key,
                node,
                signature=signature,
                flush_reason=outcome.flush_reason,
                rescored=outcome.rescored,
                batch_age=outcome.batch_age,
                attempt_result=attempt,
                store_result=stored,
                **fields,
            )

        candidate = pod.nominated_node_name or outcome.hint
        info = self.snapshot.get(candidate) if candidate else None
        if info is not None:
            verdict = self.evaluate_nominated_node(framework, state, pod, info)
            if verdict.is_success:
                path = "nominated" if pod.nominated_node_name else "hint"
                return finish(info.name, path=path, filter_statuses=FrozenDict({info.name: verdict}))
        passed = find_nodes_that_pass_filters(
            framework,
            state,
            pod,
            nodes,
            pre_filter_result=result,
            start_index=self.next_start_node_index,
            percentage_of_nodes_to_score=self.percentage_of_nodes_to_score,
        )
        self.next_start_node_index = passed.next_start_index
        statuses = FrozenDict(passed.statuses)
        if passed.error is not None:
            return finish(None, status=passed.error, filter_statuses=statuses)
        if not passed.feasible:
            return finish(
                None, status=unschedulable(f"0/{len(self.snapshot)} nodes are available"), filter_statuses=statuses
            )
        if len(passed.feasible) == 1:
            return finish(passed.feasible[0].name, filter_statuses=statuses)
        status = framework.run_pre_score(state, pod, passed.feasible)
        scores, score_status = framework.run_score(state, pod, passed.feasible) if status.is_success else ([], status)
        if not score_status.is_success:
            return finish(None, status=score_status, filter_statuses=statuses)
        heap = SortedScoredNodes(scores)
        winner = heap.pop()
        return finish(winner.name, heap, filter_statuses=statuses, scores=tuple(rank(scores)))
