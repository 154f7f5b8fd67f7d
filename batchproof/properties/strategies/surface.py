"""The rest of the Pod surface: fields the base strategies leave unset, every enum value, boundary numbers.

:func:`batchproof.properties.strategies.objects.pods` draws the fields in-tree plugins read,
from small pools so values collide. An out-of-tree plugin may read any other field the model
has — ``spec.os``, ``spec.runtimeClassName``, ``spec.hostNetwork``, the priority of a critical
pod, scheduling gates, pull policies — and compare it with a value no pool holds. This overlay
sets each such field on about half the pods, to one of the API's values for it (every enum
value), a boundary number, or a string from ``strings`` (the literals of the plugin's source).
Every pod it returns validates; an overlay that would not is dropped (the base pod is kept).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import strategies as st

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Container, Pod
from batchproof.model.validation.names import dns1123_subdomain, label_value, qualified_name
from batchproof.properties.strategies.objects import stored_pod

# Priority with the class that gives it: admission (plugin/pkg/admission/priority) computes
# spec.priority from the class, so only the system classes every cluster has are used here.
PRIORITIES: tuple[tuple[int | None, str], ...] = (
    (None, ""),
    (0, ""),
    (2_000_000_000, "system-cluster-critical"),
    (2_000_001_000, "system-node-critical"),
)
OS_NAMES = (None, "linux", "windows")  # core/v1 OSName
RUNTIME_CLASSES = (None, "runc", "gvisor", "kata")
PULL_POLICIES = ("", "Always", "IfNotPresent", "Never")  # core/v1 PullPolicy
GATES = ((), ("example.com/gate",))
CPU_BOUNDARIES = (0, 1, 999, 1000, 1001, 64_000)
UNSET: Any = object()


def _usable(strings: tuple[str, ...], check: Any) -> tuple[str, ...]:
    return tuple(s for s in strings if s and not check(s))


def _maybe(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """UNSET (keep the base pod's value) half the time."""
    return st.one_of(st.just(UNSET), values)


@st.composite
def surface_pods(
    draw: st.DrawFn, base: st.SearchStrategy[Pod], *, strings: tuple[str, ...] = (), numbers: tuple[int, ...] = ()
) -> Pod:
    """``base`` pods with some of the rarely set fields set; ``strings`` and ``numbers`` join the pools."""
    pod = draw(base)
    names = _usable(strings, dns1123_subdomain)
    values = _usable(strings, label_value)
    keys = _usable(strings, qualified_name)
    changes: dict[str, Any] = {}
    fields: tuple[tuple[str, st.SearchStrategy[Any]], ...] = (
        ("os", st.sampled_from(OS_NAMES)),
        ("runtime_class_name", st.sampled_from(RUNTIME_CLASSES + names)),
        ("host_network", st.booleans()),
        ("scheduling_gates", st.sampled_from(GATES + tuple((k,) for k in keys))),
    )
    for name, strategy in fields:
        value = draw(_maybe(strategy))
        if value is not UNSET:
            changes[name] = value
    priority = draw(_maybe(st.sampled_from(PRIORITIES)))
    if priority is not UNSET:
        changes["priority"], changes["priority_class_name"] = priority
    relabel = draw(st.booleans())
    if values and relabel:
        labels = st.dictionaries(st.sampled_from(keys or ("app",)), st.sampled_from(values), min_size=1, max_size=2)
        changes["labels"] = FrozenDict({**pod.labels, **draw(labels)})
    cpus = CPU_BOUNDARIES + tuple(n + d for n in numbers if 0 < n <= 64_000 for d in (-1, 0, 1))
    containers = tuple(_container(draw, c, cpus) for c in pod.containers)
    if containers != pod.containers:
        changes["containers"] = containers
    stored = stored_pod(replace(pod, **changes))
    return pod if stored is None else stored


def _container(draw: st.DrawFn, container: Container, cpus: tuple[int, ...]) -> Container:
    policy = draw(_maybe(st.sampled_from(PULL_POLICIES)))
    cpu = draw(_maybe(st.sampled_from(cpus)))
    changed = container
    if policy is not UNSET:
        changed = replace(changed, image_pull_policy=policy)
    if cpu is not UNSET and "cpu" not in container.limits:
        changed = replace(changed, requests=FrozenDict({**container.requests, "cpu": cpu}))
    return changed
