"""Around the framework: the scheduling queue's order, scheduling gates and the unplaced reason.

Shared by both schedulers and their drivers (``reference`` and ``batched`` never import each
other): PrioritySort's order (pkg/scheduler/framework/plugins/queuesort/priority_sort.go),
SchedulingGates' PreEnqueue (framework/plugins/schedulinggates/scheduling_gates.go), and the
``FitError`` summary an unplaced pod carries (pkg/scheduler/framework/types.go).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from batchproof.model.framework.status import Status, unresolvable
from batchproof.model.objects import Pod


def pod_priority(pod: Pod) -> int:
    """corev1helpers.PodPriority: ``spec.priority``, 0 when unset."""
    return pod.priority if pod.priority is not None else 0


def queue_order(pods: Iterable[Pod]) -> list[Pod]:
    """The order activeQ pops pods: higher priority first, then earlier arrival (PrioritySort.Less)."""
    arrivals = list(pods)
    return [pod for _, pod in sorted(enumerate(arrivals), key=lambda item: (-pod_priority(item[1]), item[0]))]


def gated_status(pod: Pod) -> Status | None:
    """SchedulingGates.PreEnqueue: a pod with gates never enters activeQ; None when it has none."""
    if not pod.scheduling_gates:
        return None
    return unresolvable(f"waiting for scheduling gates: [{' '.join(pod.scheduling_gates)}]")


def no_profile_status(pod: Pod) -> Status:
    """schedule_one.go frameworkForPod: the pod names no profile of this scheduler."""
    return unresolvable(f'profile not found for scheduler name "{pod.scheduler_name}"')


def fit_error_message(num_nodes: int, status: Status, filter_statuses: Mapping[str, Status]) -> str:
    """``FitError.Error()``: ``0/N nodes are available: <reasons>.``.

    A PreFilter rejection gives its message; otherwise every filter reason is counted over the
    nodes, as ``<count> <reason>``, sorted as strings.
    """
    message = f"0/{num_nodes} nodes are available:"
    failed = {name: s for name, s in filter_statuses.items() if not s.is_success}
    if not failed and status.reasons:
        return f"{message} {status.message}."
    counts = Counter(reason for s in failed.values() for reason in s.reasons)
    histogram = sorted(f"{count} {reason}" for reason, count in counts.items())
    return f"{message} {', '.join(histogram)}." if histogram else message
