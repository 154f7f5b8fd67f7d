"""Hypothesis strategies for Kubernetes objects: quantities, containers, pods, nodes.

House style: plural nouns, keyword-only tuning with validated bounds, values drawn from small
pools so that generated pods and nodes collide on labels, taints, ports and images (boundaries:
exact fits, equal scores, zero and missing requests). Generated objects are the frozen model
dataclasses, whose reprs paste back as code.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import strategies as st

from batchproof.model.errors import BatchproofError
from batchproof.model.frozen import FrozenDict
from batchproof.model.manifests.defaults import default_pod, default_pull_policy
from batchproof.model.objects import (
    Affinity,
    Container,
    ContainerImage,
    ContainerPort,
    LabelSelector,
    LabelSelectorRequirement,
    Node,
    NodeAffinity,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    Pod,
    PodAffinity,
    PodAffinityTerm,
    PreferredSchedulingTerm,
    Taint,
    Toleration,
    TopologySpreadConstraint,
    Volume,
    WeightedPodAffinityTerm,
)
from batchproof.model.resources import is_hugepages, is_native_resource
from batchproof.model.validation.pod import validate_pod

LABEL_KEYS = ("app", "tier", "zone", "disk", "team")
LABEL_VALUES = ("a", "b", "c", "1", "2")
NAMESPACES = ("default", "ns1", "ns2")
ZONES = ("zone-a", "zone-b", "zone-c")
IMAGES = ("nginx", "nginx:1.25", "redis:7", "registry.k8s.io/pause:3.10", "busybox")
TAINT_KEYS = ("dedicated", "gpu", "spot")
EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
HOST_PORTS = (80, 443, 8080)
PROTOCOLS = ("TCP", "UDP", "SCTP")
HOST_IPS = ("", "0.0.0.0", "10.0.0.1", "10.0.0.2")
MI = 1024 * 1024
LEAN_IMAGE = "example.com/app:v1"  # on no node: ImageLocality scores it 0 everywhere


def _label_pool() -> tuple[FrozenDict[str, str], ...]:
    maps: list[FrozenDict[str, str]] = [FrozenDict()]
    for key in LABEL_KEYS:
        for value in LABEL_VALUES[:3]:
            maps.append(FrozenDict({key: value}))
    for first, second in (("app", "tier"), ("app", "team"), ("tier", "disk"), ("zone", "team")):
        for value in LABEL_VALUES[:2]:
            maps.append(FrozenDict({first: value, second: LABEL_VALUES[1]}))
    return tuple(maps)


# Pools of prebuilt values: one draw picks a whole sub-object, which keeps generation fast
# (a pod is a few dozen draws, not hundreds) while values still collide across pods and nodes.
LABEL_POOL = _label_pool()
CPU_POOL: tuple[int | None, ...] = (None, 0, 100, 250, 500, 1000, 2000, 1, 3999)
MEMORY_POOL: tuple[int | None, ...] = (None, 0, 200 * MI, 256 * MI, 512 * MI, 1024 * MI, MI)


def _requests(cpu: int | None, memory: int | None, gpu: int | None) -> FrozenDict[str, int]:
    out: dict[str, int] = {}
    if cpu is not None:
        out["cpu"] = cpu
    if memory is not None:
        out["memory"] = memory
    if gpu is not None:
        out["example.com/gpu"] = gpu
    return FrozenDict(out)


ZONE_SELECTORS = tuple(FrozenDict({"topology.kubernetes.io/zone": z}) for z in ("zone-a", "zone-b", "zone-c"))


_USUALLY = st.sampled_from((True, True, True, False))


def _mostly(common: object, rare: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``common`` three times in four, else a draw from ``rare`` (boundaries stay reachable)."""
    return _usually(common, rare)


@st.composite
def _usually(draw: st.DrawFn, common: object, rare: st.SearchStrategy[Any]) -> Any:
    # The choices of _USUALLY.flatmap(lambda usual: just(common) if usual else rare), without
    # building a strategy on every draw.
    return common if draw(_USUALLY) else draw(rare)


def _stored(container: Container, *, name: str) -> Container:
    """A container as the API server stores it (validateResourceRequirements, SetDefaults_Pod).

    Its name set, requests defaulted from limits, limits never below requests, and extended
    resources with limit == request.
    """
    requests = dict(container.requests)
    limits = dict(container.limits)
    for key, limit in limits.items():
        requests.setdefault(key, limit)
    for key, request in requests.items():
        overcommit = is_native_resource(key) and not is_hugepages(key)
        if not overcommit or (key in limits and limits[key] < request):
            limits[key] = request
    policy = container.image_pull_policy or default_pull_policy(container.image)
    return replace(
        container, name=name, requests=FrozenDict(requests), limits=FrozenDict(limits), image_pull_policy=policy
    )


def _unique_host_ports(containers: tuple[Container, ...]) -> tuple[Container, ...]:
    """Drop ports that would repeat a protocol/hostIP/hostPort of an earlier app container."""
    seen: set[tuple[str, str, int]] = set()
    out = []
    for c in containers:
        kept = []
        for port in c.ports:
            key = (port.protocol, port.host_ip, port.host_port)
            if port.host_port and key in seen:
                continue
            seen.add(key)
            kept.append(port)
        out.append(c if len(kept) == len(c.ports) else replace(c, ports=tuple(kept)))
    return tuple(out)


def valid_pod(pod: Pod) -> Pod:
    """The pod made valid by construction (names, requests/limits, host ports).

    It is also a fixed point of defaulting, so every generated pod is one the API server could store.
    """
    containers = tuple(_stored(c, name=f"c{i}") for i, c in enumerate(pod.containers))
    init = tuple(_stored(c, name=f"init-{i}") for i, c in enumerate(pod.init_containers))
    return replace(pod, containers=_unique_host_ports(containers), init_containers=init)


def stored_pod(pod: Pod) -> Pod | None:
    """The pod as the API server stores it (defaulted), or None when validation rejects it.

    How a derived pod (a mutant, an overlay) is kept: no finding may rest on an object no cluster
    can hold (issue 12).
    """
    stored = default_pod(pod)
    return None if validate_pod(stored) else stored


class StrategyArgumentError(BatchproofError):
    """A strategy was given arguments that cannot work."""


def _check_size(min_size: int, max_size: int) -> None:
    if min_size < 0 or max_size < min_size:
        raise StrategyArgumentError(f"need 0 <= min_size <= max_size, got {min_size}, {max_size}")


def label_maps(*, max_size: int = 2) -> st.SearchStrategy[FrozenDict[str, str]]:
    """Label maps over a small key/value pool, so selectors often match."""
    _check_size(0, max_size)
    return st.sampled_from([m for m in LABEL_POOL if len(m) <= max_size])


def cpu_quantities() -> st.SearchStrategy[int]:
    """Milli-CPU amounts biased to boundaries: 0, the 100m default, round values."""
    return st.one_of(st.sampled_from((0, 100, 250, 500, 1000, 2000)), st.integers(min_value=1, max_value=4000))


def memory_quantities() -> st.SearchStrategy[int]:
    """Byte amounts biased to boundaries: 0, the 200Mi default, binary multiples."""
    return st.one_of(
        st.sampled_from((0, 200 * MI, 256 * MI, 512 * MI, 1024 * MI)),
        st.integers(min_value=1, max_value=4096).map(lambda m: m * MI),
    )


def resource_requests() -> st.SearchStrategy[FrozenDict[str, int]]:
    """Container requests where cpu and memory may each be missing, zero or set."""
    return st.builds(
        _requests,
        st.sampled_from(CPU_POOL),
        st.sampled_from(MEMORY_POOL),
        st.sampled_from((None, None, None, None, None, None, None, 0, 1)),
    )


PORT_POOL = tuple(
    ContainerPort(container_port=8080, host_port=port, protocol=protocol, host_ip=ip)
    for port in HOST_PORTS
    for protocol in PROTOCOLS
    for ip in HOST_IPS
)


def container_ports(*, host: bool = True) -> st.SearchStrategy[ContainerPort]:
    """Container ports; with ``host`` they claim a host port, protocol and IP from a small pool."""
    if not host:
        return st.sampled_from((ContainerPort(80), ContainerPort(8080)))
    return st.sampled_from(PORT_POOL)


def containers(*, sidecar: bool = False, max_ports: int = 1) -> st.SearchStrategy[Container]:
    """Containers with requests (possibly missing), limits, an image and host ports."""
    return _containers(
        ports=st.lists(container_ports(), max_size=max_ports).map(tuple),
        restart_policy="Always" if sidecar else "",
    )


LIMIT_POOL: tuple[FrozenDict[str, int], ...] = (
    FrozenDict(),
    FrozenDict({"cpu": 2000}),
    FrozenDict({"memory": 1024 * MI}),
)
_CONTAINER_NAMES = st.sampled_from(("c0", "c1", "c2"))
_IMAGES = st.sampled_from(IMAGES)
_PULL_POLICIES = st.sampled_from(("", "IfNotPresent", "Always"))
_REQUESTS = resource_requests()
_LIMITS = st.sampled_from(LIMIT_POOL)


# Composites draw the same choices as builds() over the same fields, in the same order, without
# its per-draw bookkeeping; the object prints as its own (pasteable) repr.
@st.composite
def _containers(
    draw: st.DrawFn, *, ports: st.SearchStrategy[tuple[ContainerPort, ...]], restart_policy: str
) -> Container:
    name = draw(_CONTAINER_NAMES)
    image = draw(_IMAGES)
    policy = draw(_PULL_POLICIES)
    chosen_ports = draw(ports)
    requests = draw(_REQUESTS)
    limits = draw(_LIMITS)
    return Container(
        name=name,
        image=image,
        image_pull_policy=policy,
        ports=chosen_ports,
        requests=requests,
        limits=limits,
        restart_policy=restart_policy,
    )


TOLERATION_POOL = (
    *(Toleration(key=k, operator="Exists", effect=e) for k in TAINT_KEYS for e in ("", *EFFECTS)),
    *(
        Toleration(key=k, operator=o, value=v, effect=e)
        for k in TAINT_KEYS
        for o in ("", "Equal")
        for v in ("true", "x")
        for e in ("", *EFFECTS)
    ),
    Toleration(operator="Exists"),
    Toleration(key="node.kubernetes.io/unschedulable", operator="Exists", effect="NoSchedule"),
)


def tolerations() -> st.SearchStrategy[Toleration]:
    """Tolerations over the taint pool, incl. wildcard Exists, empty effects and unschedulable."""
    return st.sampled_from(TOLERATION_POOL)


def node_selector_requirements() -> st.SearchStrategy[NodeSelectorRequirement]:
    """Node selector requirements over node labels (incl. Gt/Lt on numeric values)."""
    return st.one_of(
        st.builds(
            NodeSelectorRequirement,
            key=st.sampled_from(LABEL_KEYS),
            operator=st.sampled_from(("In", "NotIn")),
            values=st.lists(st.sampled_from(LABEL_VALUES), min_size=1, max_size=2, unique=True).map(tuple),
        ),
        st.builds(
            NodeSelectorRequirement,
            key=st.sampled_from(LABEL_KEYS),
            operator=st.sampled_from(("Exists", "DoesNotExist")),
        ),
        st.builds(
            NodeSelectorRequirement,
            key=st.just("tier"),
            operator=st.sampled_from(("Gt", "Lt")),
            values=st.sampled_from((("1",), ("2",))),
        ),
    )


def node_selector_terms(*, fields: bool = True) -> st.SearchStrategy[NodeSelectorTerm]:
    """Non-empty node selector terms, sometimes by metadata.name matchFields."""
    name_fields = st.lists(
        st.builds(
            NodeSelectorRequirement,
            key=st.just("metadata.name"),
            operator=st.just("In"),
            values=st.sampled_from(NODE_NAMES).map(lambda n: (n,)),
        ),
        max_size=1 if fields else 0,
    ).map(tuple)
    return st.builds(
        NodeSelectorTerm,
        match_expressions=st.lists(node_selector_requirements(), max_size=2).map(tuple),
        match_fields=name_fields,
    ).filter(lambda t: bool(t.match_expressions or t.match_fields))


def node_affinities() -> st.SearchStrategy[NodeAffinity]:
    """Required and/or preferred node affinity."""
    return st.builds(
        NodeAffinity,
        required=_mostly(None, st.lists(node_selector_terms(), min_size=1, max_size=2).map(tuple)),
        preferred=st.lists(
            st.builds(PreferredSchedulingTerm, weight=st.integers(1, 100), preference=node_selector_terms()), max_size=3
        ).map(tuple),
    )


def label_selectors() -> st.SearchStrategy[LabelSelector]:
    """Label selectors over the label pool (including the empty, match-all selector)."""
    return st.builds(
        LabelSelector,
        match_labels=label_maps(max_size=1),
        match_expressions=st.lists(
            st.builds(LabelSelectorRequirement, key=st.sampled_from(LABEL_KEYS), operator=st.just("Exists")), max_size=1
        ).map(tuple),
    )


def pod_affinity_terms() -> st.SearchStrategy[PodAffinityTerm]:
    """Pod affinity terms keyed on hostname or zone, sometimes with namespaces."""
    return st.builds(
        PodAffinityTerm,
        topology_key=st.sampled_from(("kubernetes.io/hostname", "topology.kubernetes.io/zone")),
        label_selector=label_selectors(),
        namespaces=st.lists(st.sampled_from(NAMESPACES), max_size=1).map(tuple),
    )


def pod_affinities() -> st.SearchStrategy[PodAffinity]:
    """Required and preferred pod (anti-)affinity."""
    return st.builds(
        PodAffinity,
        required=st.lists(pod_affinity_terms(), max_size=1).map(tuple),
        preferred=st.lists(
            st.builds(WeightedPodAffinityTerm, weight=st.integers(1, 100), term=pod_affinity_terms()), max_size=1
        ).map(tuple),
    )


def spread_constraints() -> st.SearchStrategy[TopologySpreadConstraint]:
    """Topology spread constraints over zones and hostnames."""
    return st.builds(
        TopologySpreadConstraint,
        max_skew=st.integers(1, 2),
        topology_key=st.sampled_from(("kubernetes.io/hostname", "topology.kubernetes.io/zone")),
        when_unsatisfiable=st.sampled_from(("DoNotSchedule", "ScheduleAnyway")),
        label_selector=label_selectors(),
    )


def volumes() -> st.SearchStrategy[Volume]:
    """Volumes: configMap/secret (unsigned upstream), emptyDir, hostPath and inline disks."""
    return st.one_of(
        st.builds(
            Volume,
            name=st.sampled_from(("kube-api-access-1", "kube-api-access-2")),
            source_type=st.just("configMap"),
            source=st.just(FrozenDict({"name": "cfg", "defaultMode": 0o644})),  # as stored (defaulted)
        ),
        st.builds(
            Volume,
            name=st.sampled_from(("data", "scratch")),
            source_type=st.just("emptyDir"),
            source=st.just(FrozenDict()),
        ),
        st.builds(
            Volume,
            name=st.just("disk"),
            source_type=st.just("gcePersistentDisk"),
            source=st.sampled_from(("pd-1", "pd-2")).map(lambda pd: FrozenDict({"pdName": pd})),
        ),
    )


def pods(
    *,
    affinity: bool = True,
    spread: bool = True,
    volumes_: bool = True,
    max_containers: int = 2,
    namespaces: tuple[str, ...] = NAMESPACES,
) -> st.SearchStrategy[Pod]:
    """Pods over the whole modelled surface; switch off parts that make pods unsignable."""
    _check_size(1, max_containers)
    affinities = st.builds(
        Affinity,
        node_affinity=st.none() | node_affinities(),
        pod_affinity=(st.none() | pod_affinities()) if affinity else st.none(),
        pod_anti_affinity=(st.none() | pod_affinities()) if affinity else st.none(),
    )
    return _pods(
        names=st.sampled_from(("p", "q", "r")),
        namespaces=st.sampled_from(namespaces),
        containers=st.lists(containers(), min_size=1, max_size=max_containers).map(tuple),
        init_containers=st.lists(st.one_of(containers(), containers(sidecar=True)), max_size=1).map(tuple),
        node_selector=_mostly(FrozenDict(), st.sampled_from(ZONE_SELECTORS) | label_maps(max_size=1)),
        affinity=_mostly(None, affinities),
        spread=st.lists(spread_constraints(), max_size=1).map(tuple) if spread else None,
        volumes=st.lists(volumes(), max_size=2, unique_by=_volume_name).map(tuple) if volumes_ else None,
    )


def _volume_name(volume: Volume) -> str:
    return volume.name


@st.composite
def _pods(
    draw: st.DrawFn,
    *,
    names: st.SearchStrategy[str],
    namespaces: st.SearchStrategy[str],
    containers: st.SearchStrategy[tuple[Container, ...]],
    init_containers: st.SearchStrategy[tuple[Container, ...]],
    node_selector: st.SearchStrategy[FrozenDict[str, str]],
    affinity: st.SearchStrategy[Affinity | None],
    spread: st.SearchStrategy[tuple[TopologySpreadConstraint, ...]] | None,
    volumes: st.SearchStrategy[tuple[Volume, ...]] | None,
) -> Pod:
    # The choices of builds(Pod, ...) over these fields in this order (see _containers).
    name = draw(names)
    namespace = draw(namespaces)
    labels = draw(_LABELS)
    annotations = draw(_ANNOTATIONS)
    chosen_containers = draw(containers)
    chosen_init = draw(init_containers)
    overhead = draw(_OVERHEADS)
    chosen_tolerations = draw(_TOLERATIONS)
    selector = draw(node_selector)
    chosen_affinity = draw(affinity)
    constraints = draw(spread) if spread is not None else ()
    chosen_volumes = draw(volumes) if volumes is not None else ()
    # Admissible without PriorityClass objects: the Priority admission plugin computes 0.
    priority = draw(_PRIORITIES)
    pod = Pod(
        name=name,
        namespace=namespace,
        labels=labels,
        annotations=annotations,
        containers=chosen_containers,
        init_containers=chosen_init,
        overhead=overhead,
        tolerations=chosen_tolerations,
        node_selector=selector,
        affinity=chosen_affinity,
        topology_spread_constraints=constraints,
        volumes=chosen_volumes,
        priority=priority,
    )
    return valid_pod(pod)


_LABELS = label_maps()
_ANNOTATIONS = label_maps(max_size=1)
_OVERHEADS = st.sampled_from((FrozenDict(), FrozenDict({"cpu": 50})))
_TOLERATIONS = st.lists(tolerations(), max_size=2).map(tuple)
_PRIORITIES: st.SearchStrategy[int | None] = st.none() | st.just(0)


NODE_NAMES = tuple(f"node-{i}" for i in range(12))
IMAGE_POOL = tuple(
    ContainerImage(names=(image if ":" in image else f"{image}:latest",), size_bytes=size)
    for image in IMAGES
    for size in (300 * MI, 10 * MI, 900 * MI)
)


TAINT_POOL = tuple(Taint(key=k, value=v, effect=e) for e in EFFECTS for k in TAINT_KEYS for v in ("true", "", "x"))


def taints() -> st.SearchStrategy[Taint]:
    """Taints of every effect over a small key pool."""
    return st.sampled_from(TAINT_POOL)


def nodes(*, name: str | st.SearchStrategy[str] | None = None, max_taints: int = 2) -> st.SearchStrategy[Node]:
    """Nodes with allocatable biased to exact-fit boundaries, labels incl. zone, taints, images."""
    names = st.just(name) if isinstance(name, str) else (name if name is not None else st.sampled_from(NODE_NAMES))
    return st.builds(
        _node,
        name=names,
        labels=label_maps(),
        zone=st.sampled_from(ZONES),
        cpu=st.sampled_from((8000, 4000, 2000, 1000)),
        memory=st.sampled_from((8192 * MI, 4096 * MI, 16384 * MI, 1024 * MI)),
        pods=st.sampled_from((110, 110, 4, 1)),
        gpu=st.sampled_from((0, 1, 2)),
        taints=_mostly((), st.lists(taints(), min_size=1, max_size=max_taints, unique_by=_taint_key).map(tuple)),
        unschedulable=st.sampled_from((False, False, False, False, True)),
        images=st.lists(st.sampled_from(IMAGE_POOL), max_size=2, unique=True).map(tuple),
    )


def _taint_key(taint: Taint) -> tuple[str, str]:
    return (taint.key, taint.effect)


def _node(
    *,
    name: str,
    labels: FrozenDict[str, str],
    zone: str,
    cpu: int,
    memory: int,
    pods: int,
    gpu: int,
    taints: tuple[Taint, ...],
    unschedulable: bool,
    images: tuple[ContainerImage, ...],
) -> Node:
    resources: dict[str, int] = {"cpu": cpu, "memory": memory, "pods": pods}
    if gpu:
        resources["example.com/gpu"] = gpu
    allocatable = FrozenDict(resources)
    all_labels = FrozenDict({**labels, "kubernetes.io/hostname": name, "topology.kubernetes.io/zone": zone})
    return Node(
        name,
        labels=all_labels,
        capacity=allocatable,
        allocatable=allocatable,
        taints=taints,
        unschedulable=unschedulable,
        images=images,
    )


def named(node: Node, name: str) -> Node:
    """``node`` under another name (its hostname label follows, as :func:`nodes` sets it)."""
    return replace(node, name=name, labels=FrozenDict({**node.labels, "kubernetes.io/hostname": name}))


@st.composite
def _numbered_node_lists(
    draw: st.DrawFn, nodes_: st.SearchStrategy[Node], counts: st.SearchStrategy[int]
) -> list[Node]:
    return [named(draw(nodes_), NODE_NAMES[index]) for index in range(draw(counts))]


def numbered_node_lists(
    nodes_: st.SearchStrategy[Node], *, min_size: int = 1, max_size: int = 8
) -> st.SearchStrategy[list[Node]]:
    """Lists of ``nodes_`` named ``node-0``, ``node-1``, ... in order (for pooled nodes, whose names repeat)."""
    _check_size(min_size, max_size)
    if max_size > len(NODE_NAMES):
        raise StrategyArgumentError(f"max_size must be at most {len(NODE_NAMES)}")
    return _numbered_node_lists(nodes_, st.integers(min_size, max_size))


def node_lists(*, min_size: int = 1, max_size: int = 8) -> st.SearchStrategy[list[Node]]:
    """Node lists with unique names."""
    _check_size(min_size, max_size)
    if max_size > len(NODE_NAMES):
        raise StrategyArgumentError(f"max_size must be at most {len(NODE_NAMES)}")
    return st.lists(nodes(), min_size=min_size, max_size=max_size, unique_by=lambda n: n.name)


SELECTED_LABELS = LABEL_POOL[1:7]


def anti_affinity_pods(*, namespaces: tuple[str, ...] = NAMESPACES) -> st.SearchStrategy[Pod]:
    """Pods with one required pod anti-affinity term, to judge incoming pods as existing pods.

    Selectors use the label pool's first keys, so they often match.
    """
    selectors = st.sampled_from(tuple(LabelSelector(match_labels=m) for m in SELECTED_LABELS))
    required = st.builds(
        PodAffinityTerm,
        topology_key=st.sampled_from(("kubernetes.io/hostname", "topology.kubernetes.io/zone")),
        label_selector=selectors,
        namespaces=st.sampled_from(((), (), ("ns1",))),
    )
    return st.builds(
        Pod,
        name=st.just("e"),
        namespace=st.sampled_from(namespaces),
        labels=label_maps(max_size=1),
        containers=st.just((Container(name="c0", image=LEAN_IMAGE, image_pull_policy="IfNotPresent"),)),
        affinity=required.map(lambda term: Affinity(pod_anti_affinity=PodAffinity(required=(term,)))),
    )


REQUEST_SHAPES: tuple[FrozenDict[str, int], ...] = (
    FrozenDict(),
    FrozenDict({"cpu": 0}),
    FrozenDict({"memory": 0}),
    FrozenDict({"cpu": 0, "memory": 0}),
    FrozenDict({"cpu": 200, "memory": 200 * MI}),
    FrozenDict({"cpu": 200}),
)
COLLIDING_PORTS = tuple(
    ContainerPort(container_port=80, host_port=80, protocol=protocol, host_ip=ip)
    for protocol in ("TCP", "UDP")
    for ip in ("", "10.0.0.1")
)


def lean_pods(
    *,
    ports: tuple[ContainerPort, ...] = (),
    requests: tuple[FrozenDict[str, int], ...] = REQUEST_SHAPES,
    max_containers: int = 2,
    namespaces: tuple[str, ...] = NAMESPACES,
    labels: tuple[FrozenDict[str, str], ...] | None = None,
) -> st.SearchStrategy[Pod]:
    """Small signable pods: namespace, labels, containers with requests and optional host ports.

    Few fields, so a generic mutation lands on the interesting ones often.
    """
    _check_size(1, max_containers)
    return _lean_pods(
        namespaces=st.sampled_from(namespaces),
        labels=st.sampled_from(labels) if labels else label_maps(max_size=1),
        containers=st.lists(
            _lean_containers(
                names=st.sampled_from(("c0", "c1")),
                requests=st.sampled_from(requests),
                ports=st.sampled_from(tuple((p,) for p in ports)) if ports else None,
            ),
            min_size=1,
            max_size=max_containers,
        ).map(tuple),
    )


# Composites rather than builds over single-value strategies: the same choices, fewer draws and
# no per-draw bookkeeping. Fields stay separate choices, so containers and pods share ports,
# requests, labels or namespaces as often as before (what the gap searches need).
@st.composite
def _lean_containers(
    draw: st.DrawFn,
    *,
    names: st.SearchStrategy[str],
    requests: st.SearchStrategy[FrozenDict[str, int]],
    ports: st.SearchStrategy[tuple[ContainerPort, ...]] | None,
) -> Container:
    name = draw(names)
    request = draw(requests)
    return Container(name=name, image=LEAN_IMAGE, requests=request, ports=draw(ports) if ports is not None else ())


@st.composite
def _lean_pods(
    draw: st.DrawFn,
    *,
    namespaces: st.SearchStrategy[str],
    labels: st.SearchStrategy[FrozenDict[str, str]],
    containers: st.SearchStrategy[tuple[Container, ...]],
) -> Pod:
    namespace = draw(namespaces)
    chosen = draw(labels)
    return valid_pod(Pod(name="p", namespace=namespace, labels=chosen, containers=draw(containers)))


def sparse_request_pods() -> st.SearchStrategy[Pod]:
    """Lean pods whose containers often omit or zero their requests (non-zero default boundaries)."""
    return lean_pods(max_containers=3)


def host_port_pods() -> st.SearchStrategy[Pod]:
    """Lean pods whose containers claim host port 80 over two protocols and two host IPs."""
    return lean_pods(ports=COLLIDING_PORTS, max_containers=1)
