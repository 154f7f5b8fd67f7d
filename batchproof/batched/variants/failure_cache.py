"""``failure-cache``: a signature-keyed scheduling failure cache layered on g3 (kubernetes #139369, PR #139459).

Source: when a signable pod fails with a FitError and no preemption, the cache stores
(signature -> the FitError); at the start of a scheduling cycle a pod whose signature matches an
entry, and that has no nominatedNodeName, fails at once with the cached FitError, running no
PreFilter, Filter or Score; invalidation happens in MoveAllToActiveOrBackoffQueue, when a cluster
event matches the events the rejecting plugins registered (EventsToRegister), so the entries are
cleared whenever the queue would requeue the failed pods.

Assumptions where the sources are silent:

- Invalidation: every cluster event batchproof models (node added, updated or removed; an assigned
  pod deleted) clears the whole cache, because each in-tree plugin that can reject a signable pod
  (NodeResourcesFit, NodePorts, NodeAffinity, TaintToleration, NodeUnschedulable, NodeName,
  volume plugins) registers Node events and the resource and port plugins register assigned-pod
  deletion. The scheduler's own bindings do not clear it (an assigned-pod Add only matters to
  InterPodAffinity and PodTopologySpread, which make a pod unsignable). Events are detected through
  the snapshot's generation, compared with the generation after this scheduler's last binding.
  Clock jumps clear nothing: the cache has no time-to-live. A binding by another profile's cycle
  changes the generation too and clears the cache (conservative: one cache per profile).
- A FitError is a failure with status Unschedulable or UnschedulableAndUnresolvable (from
  PreFilter or Filter), except "no nodes available"; no preemption is modelled, so every such
  failure is written.
- A fast-failed pod is popped (the cycle counter advances) and stores no results, so the next
  pod's hint check sees a cycle gap (``pod_skipped``), as after any failure (spec §6.5).
- Hints, store results and rescoring are g3's.

With a signature gap (spec §10.6), two pods with equal signatures can differ in feasibility: the
batched path only wastes a hint, but the failure cache fails the second pod although the
reference places it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.framework.status import Code, Status
from batchproof.model.objects import Pod

NO_NODES = "no nodes available to schedule pods"
FIT_ERROR_CODES = (Code.UNSCHEDULABLE, Code.UNSCHEDULABLE_AND_UNRESOLVABLE)


@dataclass(slots=True)
class FailureCache:
    """Signatures that failed with a FitError since the last invalidating cluster event."""

    entries: dict[bytes, Status] = field(default_factory=dict)
    seen_generation: int | None = None
    hits: int = 0
    invalidations: int = 0

    def _invalidate_on_event(self, snapshot: Snapshot) -> None:
        if self.seen_generation is not None and snapshot.generation != self.seen_generation:
            if self.entries:
                self.invalidations += 1
            self.entries.clear()
        self.seen_generation = snapshot.generation

    def lookup(self, pod: Pod, signature: bytes | None, snapshot: Snapshot) -> Status | None:
        """The cached FitError for ``pod``, or None when it must be scheduled."""
        self._invalidate_on_event(snapshot)
        if signature is None or pod.nominated_node_name:
            return None
        status = self.entries.get(signature)
        if status is not None:
            self.hits += 1
        return status

    def record(self, signature: bytes | None, node: str | None, status: Status, snapshot: Snapshot) -> None:
        """After a cycle (and its binding): remember a signable pod's FitError."""
        fit_error = status.code in FIT_ERROR_CODES and NO_NODES not in status.message
        if node is None and signature is not None and fit_error:
            self.entries[signature] = status
        self.seen_generation = snapshot.generation
