"""NodeResourcesFit (LeastAllocated, MostAllocated) and NodeResourcesBalancedAllocation.

Exact bounded integer arithmetic: the pod's aggregate request (app containers and sidecars
summed, maxed against each init container's peak, plus overhead; with or without the per-container
non-zero defaults of 100m CPU and 200Mi memory), Fit's Filter (pod count, cpu, memory and the
extended resource ``example.com/gpu``; Unschedulable, or UnschedulableAndUnresolvable when the
request alone exceeds allocatable), the strategies' per-resource scores with Go's truncating
division, and BalancedAllocation's ``50 + (50 + with - without) / 2``. The float standard
deviation inside BalancedAllocation is an uninterpreted function of the four integers it reads.

Shape: two app containers, two init containers (each may be a sidecar), overhead; one existing
pod per node. Not covered: pod-level resources, ephemeral-storage, other scalar resources.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import z3

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Container, Node, Pod
from batchproof.model.plugins.noderesources.scorers import balance
from batchproof.model.resources import DEFAULT_MEMORY_REQUEST, DEFAULT_MILLI_CPU_REQUEST, pod_level_requests_set
from batchproof.properties.symbolic.encoder import (
    SKIP,
    SUCCESS,
    UNRESOLVABLE,
    UNSCHEDULABLE,
    Encoder,
    Expr,
    OutOfModel,
    any_of,
    go_div,
    z_max,
    z_min,
)
from batchproof.properties.symbolic.model import ClusterVars, Part, Property, SymbolicModel
from batchproof.properties.world import Cluster

CPU, MEMORY, GPU = "cpu", "memory", "example.com/gpu"
RESOURCES = (CPU, MEMORY, GPU)
BOUNDS = {CPU: 64_000, MEMORY: 1 << 36, GPU: 8}
DEFAULTS = {CPU: DEFAULT_MILLI_CPU_REQUEST, MEMORY: DEFAULT_MEMORY_REQUEST}
MAX_PODS = 110
SHAPE = "2 app + 2 init containers (sidecar or not) x {cpu, memory, example.com/gpu} + overhead; 1 existing pod/node"


@dataclass(frozen=True, slots=True)
class Amount:
    """One resource of an aggregate: its value (0 when absent) and whether the key is present."""

    value: Expr
    present: Expr


Vector = dict[str, Amount]


@dataclass(frozen=True, slots=True)
class ContainerVars:
    """A container's presence, sidecar flag and per-resource request (``has`` false = key absent)."""

    present: Expr
    sidecar: Expr
    has: dict[str, Expr]
    value: dict[str, Expr]


@dataclass(frozen=True, slots=True)
class PodVars:
    """App containers, init containers and overhead."""

    app: tuple[ContainerVars, ...]
    init: tuple[ContainerVars, ...]
    overhead: ContainerVars


@dataclass(frozen=True, slots=True)
class NodeVars:
    """Allocatable, actual and non-zero usage and pod count; the existing pod when symbolic."""

    allocatable: dict[str, Expr]
    requested: dict[str, Expr]
    non_zero: dict[str, Expr]
    pod_count: Expr
    existing: tuple[Expr, PodVars] | None = None


def _fresh_container(enc: Encoder, prefix: str, *, init: bool) -> ContainerVars:
    return ContainerVars(
        present=enc.flag(f"{prefix}.present"),
        sidecar=enc.flag(f"{prefix}.sidecar") if init else z3.BoolVal(False),
        has={r: enc.flag(f"{prefix}.has.{r}") for r in RESOURCES},
        value={r: enc.integer(f"{prefix}.{r}", 0, BOUNDS[r]) for r in RESOURCES},
    )


def fresh_pod(enc: Encoder, prefix: str, *, apps: int = 2, inits: int = 2) -> PodVars:
    """A symbolic pod of the module's shape."""
    return PodVars(
        app=tuple(_fresh_container(enc, f"{prefix}.c{i}", init=False) for i in range(apps)),
        init=tuple(_fresh_container(enc, f"{prefix}.i{i}", init=True) for i in range(inits)),
        overhead=_fresh_container(enc, f"{prefix}.overhead", init=False),
    )


def _literal_container(requests: Any, *, sidecar: bool = False) -> ContainerVars:
    unknown = sorted(set(requests) - set(RESOURCES))
    if unknown:
        raise OutOfModel(f"requests {', '.join(unknown)} are not modelled")
    return ContainerVars(
        present=z3.BoolVal(True),
        sidecar=z3.BoolVal(sidecar),
        has={r: z3.BoolVal(r in requests) for r in RESOURCES},
        value={r: z3.IntVal(requests.get(r, 0)) for r in RESOURCES},
    )


def pod_of(pod: Pod) -> PodVars:
    """A concrete pod's fields."""
    if pod.resources is not None and pod_level_requests_set(pod):
        raise OutOfModel("pod-level resources are not modelled")
    return PodVars(
        app=tuple(_literal_container(c.requests) for c in pod.containers),
        init=tuple(_literal_container(c.requests, sidecar=c.is_sidecar) for c in pod.init_containers),
        overhead=_literal_container(pod.overhead),
    )


def _request(container: ContainerVars, resource: str, *, defaults: bool) -> Amount:
    has = container.has[resource]
    if defaults and resource in DEFAULTS:
        value = z3.If(has, container.value[resource], DEFAULTS[resource])
        return Amount(z3.If(container.present, value, 0), container.present)
    return Amount(z3.If(z3.And(container.present, has), container.value[resource], 0), z3.And(container.present, has))


def _plus(a: Amount, b: Amount) -> Amount:
    return Amount(a.value + b.value, z3.Or(a.present, b.present))


def _peak(a: Amount, b: Amount) -> Amount:
    return Amount(z_max(a.value, b.value), z3.Or(a.present, b.present))


def _choose(flag: Expr, a: Amount, b: Amount) -> Amount:
    return Amount(z3.If(flag, a.value, b.value), z3.If(flag, a.present, b.present))


def requests(pod: PodVars, *, defaults: bool) -> Vector:
    """resourcehelper.PodRequests without pod-level resources (AggregateContainerRequests + overhead)."""
    zero = Amount(z3.IntVal(0), z3.BoolVal(False))
    out: Vector = {}
    for resource in RESOURCES:
        result = zero
        for container in pod.app:
            result = _plus(result, _request(container, resource, defaults=defaults))
        sidecars, peak = zero, zero
        for container in pod.init:
            own = _request(container, resource, defaults=defaults)
            with_sidecar = _plus(sidecars, own)
            result = _choose(container.sidecar, _plus(result, own), result)
            peak = _peak(peak, with_sidecar)  # a sidecar's running total or a plain init's peak
            sidecars = _choose(container.sidecar, with_sidecar, sidecars)
        result = _peak(result, peak)
        out[resource] = _plus(result, _request(pod.overhead, resource, defaults=False))
    return out


def _existing_pod(enc: Encoder, prefix: str) -> tuple[Expr, PodVars]:
    return enc.flag(f"{prefix}.present"), fresh_pod(enc, prefix, apps=1, inits=0)


def fresh_node(enc: Encoder, prefix: str) -> NodeVars:
    """A symbolic node with one optional existing pod."""
    present, existing = _existing_pod(enc, f"{prefix}.existing")
    actual = requests(existing, defaults=False)
    non_zero = requests(existing, defaults=True)
    allocatable = {r: enc.integer(f"{prefix}.allocatable.{r}", 0, BOUNDS[r]) for r in RESOURCES}
    allocatable["pods"] = enc.integer(f"{prefix}.allocatable.pods", 0, MAX_PODS)
    return NodeVars(
        allocatable=allocatable,
        requested={r: z3.If(present, actual[r].value, 0) for r in RESOURCES},
        non_zero={r: z3.If(present, non_zero[r].value, 0) for r in (CPU, MEMORY)},
        pod_count=z3.If(present, 1, 0),
        existing=(present, existing),
    )


def node_of(cluster: Cluster) -> tuple[NodeVars, ...]:
    """Concrete nodes from a snapshot's aggregates."""
    out = []
    for info in cluster.snapshot().node_infos():
        alloc, used, non_zero = info.allocatable, info.requested, info.non_zero_requested
        out.append(
            NodeVars(
                allocatable={CPU: z3.IntVal(alloc.milli_cpu), MEMORY: z3.IntVal(alloc.memory)}
                | {GPU: z3.IntVal(alloc.scalar_resources.get(GPU, 0)), "pods": z3.IntVal(alloc.allowed_pod_number)},
                requested={CPU: z3.IntVal(used.milli_cpu), MEMORY: z3.IntVal(used.memory)}
                | {GPU: z3.IntVal(used.scalar_resources.get(GPU, 0))},
                non_zero={CPU: z3.IntVal(non_zero.milli_cpu), MEMORY: z3.IntVal(non_zero.memory)},
                pod_count=z3.IntVal(len(info.pods)),
            )
        )
    return tuple(out)


def _decode_container(enc: Encoder, model: Any, container: ContainerVars, name: str) -> Container | None:
    if not enc.read_bool(model, container.present):
        return None
    requests_ = {
        r: enc.read_int(model, container.value[r]) for r in RESOURCES if enc.read_bool(model, container.has[r])
    }
    sidecar = enc.read_bool(model, container.sidecar)
    return Container(name=name, requests=FrozenDict(requests_), restart_policy="Always" if sidecar else "")


def decode_pod(enc: Encoder, model: Any, pod: PodVars, name: str) -> Pod:
    """The pod a model describes."""
    app = [_decode_container(enc, model, c, f"c{i}") for i, c in enumerate(pod.app)]
    init = [_decode_container(enc, model, c, f"i{i}") for i, c in enumerate(pod.init)]
    overhead = _decode_container(enc, model, pod.overhead, "overhead")
    return Pod(
        name=name,
        containers=tuple(c for c in app if c is not None),
        init_containers=tuple(c for c in init if c is not None),
        overhead=overhead.requests if overhead is not None else FrozenDict(),
    )


def decode_cluster(enc: Encoder, model: Any, nodes: tuple[NodeVars, ...]) -> Cluster:
    """The nodes and existing pods a model describes."""
    out_nodes, existing = [], []
    for index, node in enumerate(nodes):
        name = f"node-{index}"
        allocatable = {r: enc.read_int(model, node.allocatable[r]) for r in (CPU, MEMORY, "pods")}
        gpu = enc.read_int(model, node.allocatable[GPU])
        if gpu:
            allocatable[GPU] = gpu
        out_nodes.append(
            Node(name, labels=FrozenDict({"kubernetes.io/hostname": name}), allocatable=FrozenDict(allocatable))
        )
        if node.existing is not None and enc.read_bool(model, node.existing[0]):
            pod = decode_pod(enc, model, node.existing[1], f"existing-{index}")
            existing.append(replace(pod, node_name=name))
    return Cluster(tuple(out_nodes), tuple(existing))


def resources_part(a: Vector, b: Vector) -> list[Part]:
    """ResourcesSignerName: the aggregate framework.Resource (MilliCPU, Memory, ScalarResources)."""
    prefix = "ContainerRequestsAndOverheads()"
    gpu = z3.And(a[GPU].present == b[GPU].present, z3.Implies(a[GPU].present, a[GPU].value == b[GPU].value))
    return [
        Part(f"{prefix}.MilliCPU", a[CPU].value == b[CPU].value),
        Part(f"{prefix}.Memory", a[MEMORY].value == b[MEMORY].value),
        Part(f"{prefix}.ScalarResources", gpu),
    ]


def fit_filter(request: dict[str, Expr], node: NodeVars) -> Expr:
    """Fit.Filter's code (fitsRequest and the unresolvable rule)."""
    alloc, used = node.allocatable, node.requested
    too_many = node.pod_count + 1 > alloc["pods"]
    short, unresolvable = [], []
    for resource in RESOURCES:
        wanted = request[resource]
        lacking = z3.And(wanted > 0, wanted > alloc[resource] - used[resource])
        short.append(lacking)
        unresolvable.append(z3.And(lacking, wanted > alloc[resource]))
    return z3.If(z3.Or(too_many, any_of(short)), z3.If(any_of(unresolvable), UNRESOLVABLE, UNSCHEDULABLE), SUCCESS)


def _least(requested: Expr, capacity: Expr) -> Expr:
    return z3.If(z3.Or(capacity == 0, requested > capacity), 0, go_div((capacity - requested) * 100, capacity))


def _most(requested: Expr, capacity: Expr) -> Expr:
    return z3.If(capacity == 0, 0, go_div(z_min(requested, capacity) * 100, capacity))


def strategy_score(strategy: str, pod_non_zero: dict[str, Expr], node: NodeVars) -> Expr:
    """LeastAllocated or MostAllocated over cpu=1, memory=1 (resources with allocatable 0 skipped)."""
    per_resource = _least if strategy == "LeastAllocated" else _most
    score_sum, weights = [], []
    for resource in (CPU, MEMORY):
        capacity = node.allocatable[resource]
        requested = node.non_zero[resource] + pod_non_zero[resource]
        score_sum.append(z3.If(capacity == 0, 0, per_resource(requested, capacity)))
        weights.append(z3.If(capacity == 0, 0, 1))
    weight = z3.Sum(*weights)
    return z3.If(weight == 0, 0, go_div(z3.Sum(*score_sum), weight))


class FitModel(SymbolicModel):
    """NodeResourcesFit with the LeastAllocated (default) or MostAllocated strategy."""

    plugin = "NodeResourcesFit"
    properties: tuple[Property, ...] = ("filter", "score")
    nodes = 1
    shape = SHAPE

    def __init__(self, strategy: str = "LeastAllocated") -> None:
        self.strategy = strategy
        if strategy == "LeastAllocated":
            self.title = self.plugin
        else:
            self.title = f"{self.plugin}/{strategy}"
            self.args = {
                "scoringStrategy": {
                    "type": strategy,
                    "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
                }
            }

    def fresh_pod(self, enc: Encoder, prefix: str) -> PodVars:
        """A symbolic pod."""
        return fresh_pod(enc, prefix)

    def fresh_cluster(self, enc: Encoder) -> ClusterVars:
        """Nodes with one optional existing pod each."""
        return ClusterVars(tuple(fresh_node(enc, f"n{i}") for i in range(self.nodes)))

    def pod_of(self, enc: Encoder, pod: Pod) -> PodVars:
        """A concrete pod."""
        return pod_of(pod)

    def cluster_of(self, enc: Encoder, cluster: Cluster) -> ClusterVars:
        """Concrete node aggregates."""
        return ClusterVars(node_of(cluster))

    def fragment(self, enc: Encoder, a: PodVars, b: PodVars, mode: str) -> list[Part]:
        """The aggregate request; strict adds the non-zero cpu/memory requests scoring reads."""
        parts = resources_part(requests(a, defaults=False), requests(b, defaults=False))
        if mode == "strict":
            nz_a, nz_b = requests(a, defaults=True), requests(b, defaults=True)
            parts += [Part(f"NonZeroRequests().{r}", nz_a[r].value == nz_b[r].value) for r in (CPU, MEMORY)]
        return parts

    def reads(self, enc: Encoder, pod: PodVars, prop: Property) -> tuple[Expr, ...]:
        """Filter reads the aggregate request; scoring the non-zero cpu and memory requests."""
        if prop == "filter":
            actual = requests(pod, defaults=False)
            return tuple(actual[r].value for r in RESOURCES)
        non_zero = requests(pod, defaults=True)
        return (non_zero[CPU].value, non_zero[MEMORY].value)

    def result(self, enc: Encoder, pod: PodVars, cluster: ClusterVars, prop: Property, node: int) -> tuple[Expr, ...]:
        """Filter code, or (Success, raw score), computed from :meth:`reads` only."""
        target: NodeVars = cluster.nodes[node]
        read = self.reads(enc, pod, prop)
        if prop == "filter":
            return (fit_filter(dict(zip(RESOURCES, read, strict=True)), target),)
        return (z3.IntVal(SUCCESS), strategy_score(self.strategy, dict(zip((CPU, MEMORY), read, strict=True)), target))

    def assumptions(self, enc: Encoder, pod: PodVars) -> Expr:
        """A valid pod has at least one app container."""
        return pod.app[0].present

    def decode_pod(self, enc: Encoder, model: Any, pod: PodVars, name: str) -> Pod:
        """The pod in a model."""
        return decode_pod(enc, model, pod, name)

    def decode_cluster(self, enc: Encoder, model: Any, cluster: ClusterVars) -> Cluster:
        """The cluster in a model."""
        return decode_cluster(enc, model, cluster.nodes)


class BalancedModel(FitModel):
    """NodeResourcesBalancedAllocation over cpu and memory (its default resources)."""

    plugin = "NodeResourcesBalancedAllocation"
    properties: tuple[Property, ...] = ("score",)

    def __init__(self) -> None:
        self.title = self.plugin
        self.args = {}

    def fragment(self, enc: Encoder, a: PodVars, b: PodVars, mode: str) -> list[Part]:
        """The aggregate request; strict adds every non-zero request by name."""
        actual_a, actual_b = requests(a, defaults=False), requests(b, defaults=False)
        parts = resources_part(actual_a, actual_b)
        if mode == "strict":
            parts += [Part(f"Requests().{r}", actual_a[r].value == actual_b[r].value) for r in RESOURCES]
        return parts

    def reads(self, enc: Encoder, pod: PodVars, prop: Property) -> tuple[Expr, ...]:
        """The actual aggregate cpu and memory requests."""
        actual = requests(pod, defaults=False)
        return (actual[CPU].value, actual[MEMORY].value)

    def result(self, enc: Encoder, pod: PodVars, cluster: ClusterVars, prop: Property, node: int) -> tuple[Expr, ...]:
        """Skip for best-effort pods, else the balance-delta score, computed from :meth:`reads` only."""
        target: NodeVars = cluster.nodes[node]
        actual = dict(zip((CPU, MEMORY), self.reads(enc, pod, prop), strict=True))
        best_effort = z3.And(actual[CPU] == 0, actual[MEMORY] == 0)
        bal2 = enc.fn("balance2", lambda u1, a1, u2, a2: balance([u1, u2], [a1, a2]), ["int"] * 4, "int")

        def balanced(usage: dict[str, Expr]) -> Expr:
            cpu, memory = target.allocatable[CPU], target.allocatable[MEMORY]
            both = z3.And(cpu != 0, memory != 0)
            return z3.If(both, bal2(usage[CPU], cpu, usage[MEMORY], memory), 100)

        used = {r: target.requested[r] for r in (CPU, MEMORY)}
        with_pod = {r: used[r] + actual[r] for r in (CPU, MEMORY)}
        score = 50 + go_div(50 + balanced(with_pod) - balanced(used), 2)
        return (z3.If(best_effort, SKIP, SUCCESS), z3.If(best_effort, 0, score))
