"""OpportunisticBatch: GetNodeHint and StoreScheduleResults of one profile (runtime/batch.go).

Check order and flush reasons follow spec §4, store results §5, rescoring §7. The variant picks
the generation: ``g1`` flushes ``node_not_full`` when the last chosen node still fits and keeps
a flushed state in place; ``g3`` (default) rescores that node and drops flushed state;
``renormalize`` is g3 plus re-normalising the cached list on every pop (a proposed fix, not
upstream behaviour). ``generic_workload`` accepts an equal cycle count (one PodGroup cycle, #138754).
The design variants ``draft``, ``rescore-plugin``, ``option-1``, ``option-2a`` (step 8) and
``failure-cache`` (g3 plus a signature-keyed failure cache) live in ``batched/variants/``, each
module documenting its source and assumptions.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from batchproof.batched.clock import Clock
from batchproof.batched.metrics import BatchMetrics
from batchproof.batched.sorted_nodes import SortedScoredNodes
from batchproof.batched.variants import EXTENDED_VARIANTS, FailureCache, refresh
from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.errors import BatchproofError
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.runtime import Framework, NodePluginScores, PodSignature
from batchproof.model.framework.status import Code
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Pod
from batchproof.model.scheduling import Decision

Variant = Literal["g1", "g3", "renormalize", "draft", "rescore-plugin", "option-1", "option-2a", "failure-cache"]
VARIANTS: tuple[Variant, ...] = ("g1", "g3", "renormalize")
# The proposed designs of issue 13 (batched/variants/); ALL_VARIANTS is what ``batchproof compare`` runs.
DESIGN_VARIANTS: tuple[Variant, ...] = ("draft", "rescore-plugin", "option-1", "option-2a", "failure-cache")
ALL_VARIANTS: tuple[Variant, ...] = VARIANTS + DESIGN_VARIANTS
DEFAULT_MAX_BATCH_AGE = 0.5


@dataclass(frozen=True, slots=True)
class LastCycle:
    """What StoreScheduleResults remembers of the previous pod."""

    cycle_count: int
    chosen_node: str
    succeeded: bool = True


@dataclass(slots=True)
class BatchState:
    """The cached batch: signature, remaining scored nodes and when it was stored."""

    signature: PodSignature
    sorted_nodes: SortedScoredNodes
    creation_time: float


@dataclass(frozen=True, slots=True)
class HintOutcome:
    """What one GetNodeHint call did."""

    hint: str | None
    flush_reason: str | None = None
    rescored: bool = False
    batch_age: float | None = None  # seconds since the batch was stored, when a hint is given


class OpportunisticBatch:
    """Batch state of one profile, with the metrics it writes.

    Raises:
        BatchproofError: ``variant`` is not one of ``ALL_VARIANTS``.

    """

    def __init__(
        self,
        framework: Framework,
        *,
        profile: str,
        clock: Clock,
        metrics: BatchMetrics,
        variant: Variant = "g3",
        max_batch_age: float = DEFAULT_MAX_BATCH_AGE,
        timer: Callable[[], float] = time.perf_counter,
        generic_workload: bool = False,
    ) -> None:
        if variant not in ALL_VARIANTS:
            # An unknown name would silently batch as g3 (every check compares against one name).
            raise BatchproofError(f"unknown batching variant {variant!r}; variants: {', '.join(ALL_VARIANTS)}")
        self.framework = framework
        self.generic_workload = generic_workload
        self.profile = profile
        self.clock = clock
        self.metrics = metrics
        self.variant = variant
        self.max_batch_age = max_batch_age
        self.timer = timer
        self.state: BatchState | None = None
        self.last_cycle: LastCycle | None = None
        self.failure_cache = FailureCache() if variant == "failure-cache" else None

    # -- GetNodeHint ---------------------------------------------------------------
    def get_node_hint(
        self, pod: Pod, signature: PodSignature | None, state: CycleState, cycle_count: int
    ) -> HintOutcome:
        """The node the previous pod's results suggest for ``pod``, or no hint (spec §4)."""
        started = self.timer()
        outcome = self._hint(pod, signature, state, cycle_count)
        hinted = "hint" if outcome.hint is not None else "no_hint"
        self.metrics.hint_duration[(self.profile, hinted)].observe(self.timer() - started)
        if outcome.hint is None:
            self.metrics.attempts[(self.profile, "no_hint")] += 1
        return outcome

    def _flush(self, reason: str, *, rescored: bool = False) -> HintOutcome:
        self.metrics.flushed[(self.profile, reason)] += 1
        if self.variant != "g1":
            self.state = None
        return HintOutcome(None, reason, rescored)

    def _hint(self, pod: Pod, signature: PodSignature | None, state: CycleState, cycle_count: int) -> HintOutcome:
        batch = self.state
        last = self.last_cycle
        if batch is None or len(batch.sorted_nodes) == 0 or last is None:
            return HintOutcome(None)
        same_group_cycle = self.generic_workload and cycle_count == last.cycle_count
        if cycle_count != last.cycle_count + 1 and not same_group_cycle:
            return self._flush("pod_skipped")
        if not last.succeeded:
            return self._flush("pod_failed")
        if pod.nominated_node_name:
            return self._flush("pod_nominated")
        if signature is None or signature != batch.signature:
            return self._flush("pod_incompatible")
        if self.clock.now() > batch.creation_time + self.max_batch_age:
            return self._flush("expired")
        snapshot = state.snapshot
        last_node = snapshot.get(last.chosen_node)
        if last_node is None:
            return self._flush("node_missing")
        if self.variant in EXTENDED_VARIANTS:
            step = refresh(self, pod, state, batch, last_node)
            if step.flush is not None:
                return self._flush(step.flush, rescored=step.rescored)
            age = self.clock.now() - batch.creation_time
            return HintOutcome(batch.sorted_nodes.pop().name, rescored=step.rescored, batch_age=age)
        # The live CycleState, without nominated pods (spec §4 step 8, §10.7).
        verdict = self.framework.run_filter(state, pod, last_node)
        rescored = False
        if verdict.is_rejected:
            if self.variant == "renormalize":
                failure = self._renormalize(pod, state, batch)
                if failure is not None:
                    return self._flush(failure)
        elif self.variant == "g1":
            return self._flush("node_not_full")
        elif verdict.code is Code.ERROR:
            return self._flush("filter_error")
        else:
            failure = self._rescore(pod, state, batch, last.chosen_node)
            if failure is not None:
                return self._flush(failure, rescored=True)
            rescored = True
        age = self.clock.now() - batch.creation_time
        return HintOutcome(batch.sorted_nodes.pop().name, rescored=rescored, batch_age=age)

    def _rescore(self, pod: Pod, state: CycleState, batch: BatchState, last_node: str) -> str | None:
        """RefreshHintCandidates / rescoreHintedNode (spec §7); a flush reason on failure.

        PreScore, Score and NormalizeScore run on a clone of the pod's live CycleState, as v1.37.2
        does (``state.Clone()``): PreScore plugins that read their PreFilter data (VolumeBinding)
        need it, and a brand-new state would flush every rescore with ``prescore_error``.
        """
        snapshot = state.snapshot
        self.metrics.rescore_attempts[self.profile] += 1
        started = self.timer()
        try:
            cached = batch.sorted_nodes.unordered_list()
            infos = [snapshot.get(entry.name) for entry in cached]
            last_info = snapshot.get(last_node)
            if any(info is None for info in infos) or last_info is None:
                return "node_missing"
            fresh = state.clone()
            candidates = [info for info in infos if info is not None] + [last_info]
            if not self.framework.run_pre_score(fresh, pod, candidates).is_success:
                return "prescore_error"
            raw, status = self.framework.run_raw_score(fresh, pod, last_info)
            if not status.is_success:
                return "rescore_error"
            everything = [*cached, NodePluginScores(name=last_node, raw_scores=FrozenDict(raw))]
            normalized, status = self.framework.normalize_scores(fresh, pod, everything)
            if not status.is_success:
                return "normalize_error"
            batch.sorted_nodes = SortedScoredNodes(normalized)
            return None
        finally:
            self.metrics.rescore_duration[self.profile].observe(self.timer() - started)

    def _renormalize(self, pod: Pod, state: CycleState, batch: BatchState) -> str | None:
        """Proposed fix: PreScore and NormalizeScore the cached raw scores over the remaining nodes.

        On a clone of the live CycleState, as the rescore: a brand-new state made VolumeBinding's
        PreScore fail (it reads its PreFilter data), so every pop flushed ``prescore_error``.
        """
        cached = batch.sorted_nodes.unordered_list()
        infos = [state.snapshot.get(entry.name) for entry in cached]
        if any(info is None for info in infos):
            return "node_missing"
        fresh = state.clone()
        if not self.framework.run_pre_score(fresh, pod, [i for i in infos if i is not None]).is_success:
            return "prescore_error"
        normalized, status = self.framework.normalize_scores(fresh, pod, cached)
        if not status.is_success:
            return "normalize_error"
        batch.sorted_nodes = SortedScoredNodes(normalized)
        return None

    # -- failure cache (variant failure-cache) ---------------------------------------
    def fast_fail(self, pod: Pod, signature: PodSignature | None, snapshot: Snapshot) -> Decision | None:
        """The cached FitError decision for ``pod`` under ``failure-cache``, else None (schedule it)."""
        if self.failure_cache is None:
            return None
        status = self.failure_cache.lookup(pod, signature, snapshot)
        return None if status is None else Decision(pod.key, None, status=status, signature=signature)

    def after_cycle(self, signature: PodSignature | None, decision: Decision, snapshot: Snapshot) -> None:
        """Called after each cycle's binding: the failure cache remembers FitErrors."""
        if self.failure_cache is not None:
            self.failure_cache.record(signature, decision.node, decision.status, snapshot)

    # -- StoreScheduleResults --------------------------------------------------------
    def store_schedule_results(
        self,
        signature: PodSignature | None,
        hinted_node: str | None,
        chosen_node: str,
        other_nodes: SortedScoredNodes | None,
        cycle_count: int,
    ) -> tuple[str | None, str | None]:
        """Remember the cycle and replace or keep the batch (spec §5); (attempt result, store result)."""
        started = self.timer()
        try:
            self.last_cycle = LastCycle(cycle_count, chosen_node, True)
            if hinted_node and hinted_node == chosen_node:
                self.metrics.attempts[(self.profile, "hint_used")] += 1
                self.metrics.batched_pods += 1
                return "hint_used", None
            attempt = None
            if hinted_node:
                self.metrics.attempts[(self.profile, "hint_not_used")] += 1
                attempt = "hint_not_used"
            empty = other_nodes is None or len(other_nodes) == 0
            if self.variant == "g1":
                if signature is not None and not empty and other_nodes is not None:
                    self.state = BatchState(signature, other_nodes, self.clock.now())
                    return attempt, "stored"
                reason = "empty_list" if empty else "pod_not_batchable"
                self.metrics.flushed[(self.profile, reason)] += 1
                self.state = None
                return attempt, reason
            if signature is None:
                result = "pod_not_batchable"
                self.state = None
            elif empty or other_nodes is None:
                result = "empty_list"
                self.state = None
            else:
                result = "stored"
                self.state = BatchState(signature, other_nodes, self.clock.now())
            self.metrics.stored[(self.profile, result)] += 1
            return attempt, result
        finally:
            self.metrics.store_duration[self.profile].observe(self.timer() - started)
