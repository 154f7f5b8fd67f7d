"""Learn which label, annotation and resource keys an out-of-tree plugin reads, by probing it.

Generated pods and nodes draw label and annotation keys from small pools; a plugin that reads
``gpu.example.com/model`` would never see that key and its check would pass vacuously. So the
plugin is run once on probe pods and nodes whose maps record every key looked up, and the
plugin-author strategies then add the keys found, with values from a shared small pool so pod
and node values collide.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from hypothesis import strategies as st

from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Container, Node, Pod
from batchproof.model.validation.names import label_value
from batchproof.properties.world import Cluster

VALUES = ("a", "b", "1")
MAX_PROBE_VALUES = 16
STANDARD_RESOURCES = frozenset({"cpu", "memory", "pods", "ephemeral-storage"})
Log = set[tuple[str, str]]


class _Recording(FrozenDict[str, Any]):
    """A FrozenDict that logs every key looked up in it, tagged with where it sits."""

    __slots__ = ("_log", "_where")

    def __init__(self, data: dict[str, Any], log: Log, where: str) -> None:
        super().__init__(data)
        self._log = log
        self._where = where

    def __getitem__(self, key: str) -> Any:
        self._log.add((self._where, key))
        return super().__getitem__(key)

    def get(self, key: str, /, default: object = None) -> Any:
        """Log, then look up."""
        self._log.add((self._where, key))
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self._log.add((self._where, key))
        return super().__contains__(key)


@dataclass(frozen=True, slots=True)
class Discovered:
    """Keys the plugin looked up, per place."""

    pod_labels: tuple[str, ...] = ()
    pod_annotations: tuple[str, ...] = ()
    node_labels: tuple[str, ...] = ()
    node_annotations: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    values: tuple[str, ...] = ()  # label values beyond VALUES: the plugin's own literals

    def to_json(self) -> dict[str, list[str]]:
        """Plain data for reports."""
        return {name: list(getattr(self, name)) for name in self.__slots__}

    @property
    def all_values(self) -> tuple[str, ...]:
        """The shared value pool and the plugin's literals."""
        return VALUES + tuple(v for v in self.values if v not in VALUES)


def _probe_pod(log: Log, annotations: dict[str, str], labels: dict[str, str]) -> Pod:
    container = Container(name="c0", requests=_Recording({}, log, "requests"), limits=_Recording({}, log, "requests"))
    return Pod(
        name="probe",
        labels=_Recording(labels, log, "pod.labels"),
        annotations=_Recording(annotations, log, "pod.annotations"),
        containers=(container,),
    )


def _probe_node(log: Log, labels: dict[str, str]) -> Node:
    allocatable = _Recording({"cpu": 4000, "memory": 8 * 1024**3, "pods": 110}, log, "allocatable")
    return Node(
        "probe-node",
        labels=_Recording(labels, log, "node.labels"),
        annotations=_Recording({}, log, "node.annotations"),
        capacity=allocatable,
        allocatable=allocatable,
    )


def _quietly(method: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        method(*args)
    except Exception:  # probing only learns keys: a plugin may reject probe objects any way it likes
        return


def _exercise(plugin: Any, pod: Pod, node: Node) -> None:
    snapshot = Snapshot((node,), ())
    infos = snapshot.node_infos()
    state = CycleState(snapshot)
    for point, args in (
        ("sign_pod", (pod,)),
        ("pre_filter", (state, pod, infos)),
        ("filter", (state, pod, infos[0])),
        ("pre_score", (state, pod, infos)),
        ("score", (state, pod, infos[0])),
        ("normalize_score", (state, pod, {node.name: 0})),
    ):
        method = getattr(plugin, point, None)
        if callable(method):
            _quietly(method, args)


def discover(plugin: Any, *, rounds: int = 3, values: tuple[str, ...] = ()) -> Discovered:
    """Probe ``plugin`` with empty maps, then with the keys found set, until no new key turns up.

    Each of ``values`` (the plugin's literals that are valid label values) is then tried as the
    value of every key found, so a key read only when another holds a given value turns up too.
    """
    log: Log = set()

    def probe(value: str) -> None:
        before = set(log)
        annotations = {k: value for where, k in before if where == "pod.annotations"}
        labels = {k: value for where, k in before if where == "pod.labels"}
        node_labels = {k: value for where, k in before if where == "node.labels"}
        _exercise(plugin, _probe_pod(log, annotations, labels), _probe_node(log, node_labels))

    for _ in range(rounds):
        before = set(log)
        probe(VALUES[0])
        if log == before:
            break
    usable = tuple(v for v in values if not label_value(v) and v not in VALUES)[:MAX_PROBE_VALUES]
    for value in usable:
        probe(value)

    def keys(where: str, *, skip: frozenset[str] = frozenset()) -> tuple[str, ...]:
        return tuple(sorted(k for w, k in log if w == where and k not in skip))

    return Discovered(
        pod_labels=keys("pod.labels"),
        pod_annotations=keys("pod.annotations"),
        node_labels=keys("node.labels"),
        node_annotations=keys("node.annotations"),
        resources=tuple(sorted({k for w, k in log if w in ("requests", "allocatable")} - STANDARD_RESOURCES)),
        values=usable,
    )


def _extra(keys: tuple[str, ...], values: tuple[str, ...] = VALUES) -> st.SearchStrategy[dict[str, str]]:
    if not keys:
        return st.just({})
    return st.dictionaries(st.sampled_from(keys), st.sampled_from(values), max_size=len(keys))


def pods_with_keys(base: st.SearchStrategy[Pod], found: Discovered) -> st.SearchStrategy[Pod]:
    """``base`` pods with some of the discovered labels, annotations and resources set."""
    resources = (
        st.dictionaries(st.sampled_from(found.resources), st.sampled_from((0, 1, 2)), max_size=len(found.resources))
        if found.resources
        else st.just({})
    )

    def extend(parts: tuple[Pod, dict[str, str], dict[str, str], dict[str, int]]) -> Pod:
        pod, labels, annotations, requests = parts
        first = pod.containers[0]
        container = replace(first, requests=FrozenDict({**first.requests, **requests}))
        return replace(
            pod,
            labels=FrozenDict({**pod.labels, **labels}),
            annotations=FrozenDict({**pod.annotations, **annotations}),
            containers=(container, *pod.containers[1:]),
        )

    pool = found.all_values
    return st.tuples(base, _extra(found.pod_labels, pool), _extra(found.pod_annotations, pool), resources).map(extend)


def clusters_with_keys(base: st.SearchStrategy[Cluster], found: Discovered) -> st.SearchStrategy[Cluster]:
    """``base`` clusters whose nodes carry some of the discovered labels, annotations and resources."""
    resources = st.fixed_dictionaries({r: st.sampled_from((0, 1, 4)) for r in found.resources})
    pool = found.all_values
    extras = st.tuples(_extra(found.node_labels, pool), _extra(found.node_annotations, pool), resources)
    return _clusters_with_keys(base, extras)


@st.composite
def _clusters_with_keys(
    draw: st.DrawFn,
    base: st.SearchStrategy[Cluster],
    extras: st.SearchStrategy[tuple[dict[str, str], dict[str, str], dict[str, int]]],
) -> Cluster:
    cluster = draw(base)
    nodes = []
    for node in cluster.nodes:
        labels, annotations, extra = draw(extras)
        allocatable = FrozenDict({**node.allocatable, **extra})
        nodes.append(
            replace(
                node,
                labels=FrozenDict({**node.labels, **labels}),
                annotations=FrozenDict({**node.annotations, **annotations}),
                allocatable=allocatable,
                capacity=allocatable,
            )
        )
    return replace(cluster, nodes=tuple(nodes))
