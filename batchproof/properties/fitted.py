"""Clusters fitted to pods, so that some node tells two of them apart.

A pair that differs only in the field a signer forgot proves nothing on a cluster where no node
cares about that field: a mutated nodeSelector value is invisible when no node carries the key,
a toleration's effect when no node has the matching taint, a cpu request when every node has
room to spare. Generic clusters make such a node rare. Here every node is built *for* one of the
pods: it satisfies that pod's node selector, one required node affinity term (including a
``metadata.name`` field term, by its name) and some preferred terms; it carries a taint made from
one of its tolerations (or is cordoned, when it tolerates the unschedulable taint); its
allocatable is that pod's requests (or their non-zero defaults) with little or no room to spare;
it holds its images. Bound pods copy the pod's host ports and disks, and select its labels with
required and preferred anti-affinity in its namespace; PVC volumes get claims bound to volumes
in a node's zone and a CSI attach limit. Another pod that differs in a field that matters then
usually fails or scores differently on that node.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import strategies as st

from batchproof.model.frozen import FrozenDict
from batchproof.model.manifests.load import ClusterObjects
from batchproof.model.objects import (
    Affinity,
    Container,
    ContainerImage,
    LabelSelector,
    Node,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    PersistentVolume,
    PersistentVolumeClaim,
    Pod,
    PodAffinity,
    PodAffinityTerm,
    Taint,
    Toleration,
    WeightedPodAffinityTerm,
)
from batchproof.model.resources import pod_non_zero_resource, pod_resource
from batchproof.properties.moves import other_specific_address
from batchproof.properties.strategies.objects import (
    EFFECTS,
    LABEL_VALUES,
    LEAN_IMAGE,
    MI,
    NODE_NAMES,
    TAINT_KEYS,
    ZONES,
    stored_pod,
)
from batchproof.properties.world import Cluster

UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable"  # nodeunschedulable/node_unschedulable.go
ZONE_KEY = "topology.kubernetes.io/zone"
HOSTNAME_KEY = "kubernetes.io/hostname"
CSI_DRIVER = "pd.csi.storage.gke.io"
CLAIM_NAMES = ("data-a", "data-b")
PLACEHOLDER = Cluster(nodes=())
UNSCHEDULABLE_TOLERATIONS = (
    Toleration(key=UNSCHEDULABLE_TAINT, operator="Exists", effect="NoSchedule"),
    Toleration(key=UNSCHEDULABLE_TAINT, operator="Exists"),
    Toleration(key=UNSCHEDULABLE_TAINT, operator="Equal", value="", effect="NoSchedule"),
    Toleration(key=UNSCHEDULABLE_TAINT, operator="Equal", value=""),
    Toleration(key=UNSCHEDULABLE_TAINT, value="", effect="NoSchedule"),
)


def _satisfy(draw: st.DrawFn, requirement: NodeSelectorRequirement, labels: dict[str, str]) -> None:
    """Make ``labels`` meet one node selector requirement (nodeaffinity's operators)."""
    key, values = requirement.key, requirement.values
    if requirement.operator == "In" and values:
        labels[key] = draw(st.sampled_from(values))
    elif requirement.operator == "NotIn":
        others = [v for v in LABEL_VALUES if v not in values]
        keep = draw(st.booleans())
        if others and keep:
            labels[key] = draw(st.sampled_from(others))
        else:
            labels.pop(key, None)
    elif requirement.operator == "Exists":
        labels.setdefault(key, draw(st.sampled_from(LABEL_VALUES)))
    elif requirement.operator == "DoesNotExist":
        labels.pop(key, None)
    elif requirement.operator in ("Gt", "Lt") and values and values[0].isdigit():
        bound = int(values[0])
        if requirement.operator == "Gt":
            labels[key] = str(bound + 1)
        elif bound > 0:
            labels[key] = str(bound - 1)


def _satisfy_term(draw: st.DrawFn, term: NodeSelectorTerm, labels: dict[str, str]) -> str | None:
    """Meet a term's expressions; the node name its ``metadata.name`` In field asks for, if any."""
    for requirement in term.match_expressions:
        _satisfy(draw, requirement, labels)
    for requirement in term.match_fields:
        if requirement.key == "metadata.name" and requirement.operator == "In" and requirement.values:
            return requirement.values[0]
    return None


def _labels_for(draw: st.DrawFn, pod: Pod) -> tuple[dict[str, str], str | None]:
    labels: dict[str, str] = {ZONE_KEY: draw(st.sampled_from(ZONES))}
    name = pod.node_name or None
    node_affinity = pod.affinity.node_affinity if pod.affinity is not None else None
    if node_affinity is not None:
        for preferred in node_affinity.preferred:
            if draw(st.booleans()):
                name = _satisfy_term(draw, preferred.preference, labels) or name
        if node_affinity.required:
            name = _satisfy_term(draw, draw(st.sampled_from(node_affinity.required)), labels) or name
    labels.update(pod.node_selector)
    return labels, name


def _taint_for(draw: st.DrawFn, toleration: Toleration) -> Taint:
    """A taint that ``toleration`` tolerates (its key, value and effect, or ones it wildcards)."""
    key = toleration.key or draw(st.sampled_from(TAINT_KEYS))
    value = toleration.value if toleration.operator in ("", "Equal") else draw(st.sampled_from(("true", "x", "")))
    effect = toleration.effect or draw(st.sampled_from(EFFECTS))
    return Taint(key=key, value=value, effect=effect)


def _room(draw: st.DrawFn, amount: int, unit: int) -> int:
    """Allocatable for a request of ``amount``: exactly it, a unit more, or double."""
    base = max(amount, unit)
    return base + draw(st.sampled_from((0, 0, unit, base)))


@st.composite
def _node_for(draw: st.DrawFn, pod: Pod, name: str, labels: dict[str, str], used: FrozenDict[str, int]) -> Node:
    """A node fitted to ``pod`` (see the module docstring), ``used`` already requested on it."""
    labels = {**labels, HOSTNAME_KEY: name}
    requests = pod_resource(pod)
    non_zero = pod_non_zero_resource(pod)
    cpu = draw(st.sampled_from((requests.milli_cpu, non_zero.milli_cpu)))
    memory = draw(st.sampled_from((requests.memory, non_zero.memory)))
    allocatable: dict[str, int] = {
        "cpu": _room(draw, cpu, 100) + used.get("cpu", 0),
        "memory": _room(draw, memory, 64 * MI) + used.get("memory", 0),
        "pods": 110,
    }
    if requests.ephemeral_storage:
        allocatable["ephemeral-storage"] = _room(draw, requests.ephemeral_storage, MI)
    for resource, amount in requests.scalar_resources.items():
        allocatable[resource] = amount + draw(st.sampled_from((0, 1))) + used.get(resource, 0)
    taints: tuple[Taint, ...] = ()
    cordons = any(t.key == UNSCHEDULABLE_TAINT for t in pod.tolerations)
    unschedulable = draw(st.booleans() if cordons else st.sampled_from((False, False, False, True)))
    tainted = draw(st.booleans())
    others = [t for t in pod.tolerations if t.key != UNSCHEDULABLE_TAINT]
    if others and tainted:
        taints = (_taint_for(draw, draw(st.sampled_from(others))),)
    if pod.volumes and any(v.claim_name for v in pod.volumes):
        allocatable[f"attachable-volumes-csi-{CSI_DRIVER}"] = draw(st.sampled_from((1, 2)))
    images = tuple(
        ContainerImage(names=(c.image if ":" in c.image else f"{c.image}:latest",), size_bytes=300 * MI)
        for c in pod.containers
        if draw(st.booleans())
    )
    resources = FrozenDict(allocatable)
    return Node(
        name,
        labels=FrozenDict(labels),
        capacity=resources,
        allocatable=resources,
        taints=taints,
        unschedulable=unschedulable,
        images=tuple(dict.fromkeys(images)),
    )


def _bound(pod: Pod, node: str, index: int) -> Pod | None:
    return stored_pod(replace(pod, name=f"e{index}", node_name=node))


@st.composite
def _existing_for(draw: st.DrawFn, pod: Pod, node: str, index: int) -> Pod | None:
    """A pod bound to ``node`` that collides with ``pod``: its ports, its disks, or its labels."""
    ports = tuple(p for c in (*pod.containers, *pod.init_containers) for p in c.ports if p.host_port)
    disks = tuple(v for v in pod.volumes if v.source_type == "gcePersistentDisk")
    kinds = [k for k, present in (("ports", ports), ("disks", disks)) if present]
    kinds += ["anti-affinity", "preferred"] if pod.labels else []
    if not kinds:
        return None
    kind = draw(st.sampled_from(kinds))
    container = Container(name="c0", image=LEAN_IMAGE, image_pull_policy="IfNotPresent")
    namespace = draw(st.sampled_from((pod.namespace, pod.namespace, "ns2")))
    base = Pod(name="e", namespace=namespace, containers=(container,))
    if kind == "ports":
        if draw(st.booleans()):
            # Another specific address on the same ports: only a pod on every address collides.
            ports = tuple(replace(p, host_ip=other_specific_address(p.host_ip)) for p in ports)
        return _bound(replace(base, containers=(replace(container, ports=ports),)), node, index)
    if kind == "disks":
        return _bound(replace(base, volumes=disks), node, index)
    keys = sorted(pod.labels)
    chosen = draw(st.sampled_from((keys, *([k] for k in keys))))
    term = PodAffinityTerm(
        topology_key=draw(st.sampled_from((HOSTNAME_KEY, ZONE_KEY))),
        label_selector=LabelSelector(match_labels=FrozenDict({k: pod.labels[k] for k in chosen})),
        namespaces=draw(st.sampled_from(((), (pod.namespace,)))),
    )
    if kind == "anti-affinity":
        affinity = Affinity(pod_anti_affinity=PodAffinity(required=(term,)))
    else:
        weighted = (WeightedPodAffinityTerm(weight=draw(st.integers(1, 100)), term=term),)
        affinity = draw(
            st.sampled_from(
                (
                    Affinity(pod_affinity=PodAffinity(preferred=weighted)),
                    Affinity(pod_anti_affinity=PodAffinity(preferred=weighted)),
                )
            )
        )
    return _bound(replace(base, affinity=affinity), node, index)


def _claim_objects(draw: st.DrawFn, pods_: tuple[Pod, ...], nodes: tuple[Node, ...]) -> ClusterObjects:
    """Claims for the pods' PVC volumes, bound to CSI volumes in one node's zone, or missing."""
    claims: list[PersistentVolumeClaim] = []
    volumes: list[PersistentVolume] = []
    wanted = sorted({(p.namespace, v.claim_name) for p in pods_ for v in p.volumes if v.claim_name})
    for index, (namespace, name) in enumerate(wanted):
        if not draw(st.sampled_from((True, True, True, False))):
            continue
        zone = nodes[draw(st.integers(0, len(nodes) - 1))].labels.get(ZONE_KEY, ZONES[0]) if nodes else ZONES[0]
        volume = f"pv-{index}"
        affinity = None
        if draw(st.booleans()) and nodes:
            host = nodes[draw(st.integers(0, len(nodes) - 1))].name
            affinity = (NodeSelectorTerm(match_expressions=(NodeSelectorRequirement(HOSTNAME_KEY, "In", (host,)),)),)
        volumes.append(
            PersistentVolume(volume, labels=FrozenDict({ZONE_KEY: zone}), node_affinity=affinity, csi_driver=CSI_DRIVER)
        )
        claims.append(PersistentVolumeClaim(name, namespace, volume_name=volume, access_modes=("ReadWriteOnce",)))
    return ClusterObjects(claims=tuple(claims), volumes=tuple(volumes))


@st.composite
def fitted_clusters(draw: st.DrawFn, pods_: tuple[Pod, ...], *, extra: tuple[int, int] | None = None) -> Cluster:
    """Nodes each fitted to one of ``pods_``, and bound pods that collide with them.

    Every pod gets a node while names last, then ``extra`` more (by default one to four, at least
    three for a pair) go to pods drawn at random.
    """
    low, high = extra if extra is not None else (1 if len(pods_) > 2 else 3, 4)
    count = min(len(NODE_NAMES), len(pods_) + draw(st.integers(low, high)))
    targets = [*pods_, *(draw(st.sampled_from(pods_)) for _ in range(count - len(pods_)))][:count]
    names: list[str] = []
    labels: list[dict[str, str]] = []
    for target in targets:
        fitted, wanted = _labels_for(draw, target)
        free = [n for n in NODE_NAMES if n not in names]
        names.append(wanted if wanted is not None and wanted not in names else free[0])
        labels.append(fitted)
    existing: list[Pod] = []
    for index in range(draw(st.integers(1, 2 + count))):
        slot = draw(st.integers(0, count - 1))
        bound = draw(_existing_for(targets[slot], names[slot], index))
        if bound is not None:
            existing.append(bound)
    nodes = []
    for target, name, fitted in zip(targets, names, labels, strict=True):
        used: dict[str, int] = {}
        for pod in existing:
            if pod.node_name == name:
                usage = pod_resource(pod)
                used["cpu"] = used.get("cpu", 0) + usage.milli_cpu
                used["memory"] = used.get("memory", 0) + usage.memory
        nodes.append(draw(_node_for(target, name, fitted, FrozenDict(used))))
    objects = _claim_objects(draw, pods_, tuple(nodes))
    return Cluster(nodes=tuple(nodes), existing=tuple(existing), objects=objects)
