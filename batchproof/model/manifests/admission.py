"""The Priority admission plugin (plugin/pkg/admission/priority/admission.go) on pod create.

A pod naming a PriorityClass gets its value as ``spec.priority`` (and its preemption policy);
a pod naming none gets the global default class (the lowest-valued one when several are
default) or priority 0. The two system classes every cluster has are always known.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from batchproof.model.objects import Pod, PriorityClass

# pkg/apis/scheduling/types.go: SystemCriticalPriority = 2 * HighestUserDefinablePriority.
SYSTEM_PRIORITY_CLASSES = (
    PriorityClass("system-cluster-critical", 2_000_000_000),
    PriorityClass("system-node-critical", 2_000_001_000),
)
DEFAULT_PREEMPTION_POLICY = "PreemptLowerPriority"


class AdmissionDenied(Exception):
    """The admission plugin rejects the pod; ``field`` names the spec field at fault."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(message)


def admit_pod(pod: Pod, classes: Iterable[PriorityClass]) -> Pod:
    """The pod with ``spec.priority`` (and preemption policy) set as admission sets them.

    Raises:
        AdmissionDenied: the class does not exist, or the pod's own priority or preemption
            policy differs from the one the class gives.

    """
    known = {c.name: c for c in (*SYSTEM_PRIORITY_CLASSES, *classes)}
    if pod.priority_class_name:
        chosen = known.get(pod.priority_class_name)
        if chosen is None:
            message = f"no PriorityClass with name {pod.priority_class_name} was found"
            raise AdmissionDenied("spec.priorityClassName", message)
        name, value, policy = chosen.name, chosen.value, chosen.preemption_policy
    else:
        defaults = [c for c in known.values() if c.global_default]
        if defaults:
            chosen = min(defaults, key=lambda c: c.value)
            name, value, policy = chosen.name, chosen.value, chosen.preemption_policy
        else:
            name, value, policy = "", 0, DEFAULT_PREEMPTION_POLICY
    if pod.priority is not None and pod.priority != value:
        message = (
            f"the integer value of priority ({pod.priority}) must not be provided in pod spec; "
            f"priority admission controller computed {value} from the given PriorityClass name"
        )
        raise AdmissionDenied("spec.priority", message)
    if policy is not None and pod.preemption_policy is not None and pod.preemption_policy != policy:
        message = (
            f"the string value of PreemptionPolicy ({pod.preemption_policy}) must not be provided in pod spec; "
            f"priority admission controller computed {policy} from the given PriorityClass name"
        )
        raise AdmissionDenied("spec.preemptionPolicy", message)
    return replace(
        pod,
        priority_class_name=name,
        priority=value,
        preemption_policy=policy if policy is not None else pod.preemption_policy,
    )
