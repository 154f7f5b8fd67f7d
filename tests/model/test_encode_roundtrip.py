"""Encoding model objects as manifests is the inverse of decoding them: decode(encode(x)) == x."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batchproof.model.frozen import FrozenDict
from batchproof.model.manifests import load_files, load_objects
from batchproof.model.manifests.encode import (
    EncodeError,
    ModelObject,
    dump_manifests,
    encode_claim,
    encode_namespace,
    encode_node,
    encode_object,
    encode_pod,
    encode_selecting,
    encode_volume,
    manifest_text,
    quantity,
)
from batchproof.model.manifests.load import Manifests
from batchproof.model.objects import (
    Affinity,
    Container,
    ContainerImage,
    ContainerPort,
    LabelSelector,
    LabelSelectorRequirement,
    Namespace,
    Node,
    NodeAffinity,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    OwnerReference,
    PersistentVolume,
    PersistentVolumeClaim,
    Pod,
    PodAffinity,
    PodAffinityTerm,
    PodResourceClaim,
    PreferredSchedulingTerm,
    Selecting,
    Taint,
    Toleration,
    TopologySpreadConstraint,
    Volume,
    WeightedPodAffinityTerm,
)
from batchproof.properties.strategies.objects import nodes, pods

# ---------------------------------------------------------------------------------------------
# Strategies for objects with every optional field set (the shared strategies leave many unset).

# Strings that YAML would read back as something else unless quoted.
TRICKY = ("", "yes", "no", "on", "null", "~", "1", "0x1F", "1e3", "2024-01-01", "2024-01-01T00:00:00Z", "a: b", "- x")
texts = st.one_of(st.sampled_from(TRICKY), st.text(st.characters(exclude_categories=["Cs"]), max_size=8))
names = st.one_of(st.sampled_from(("a", "web-0", "node-1")), texts)
string_maps = st.dictionaries(texts, texts, max_size=3).map(FrozenDict)
string_tuples = st.lists(texts, max_size=2).map(tuple)
RESOURCE_NAMES = ("cpu", "memory", "ephemeral-storage", "hugepages-2Mi", "pods", "example.com/gpu")
amounts = st.one_of(
    st.integers(0, 2**62), st.integers(0, 64).map(lambda n: n * 2**20), st.sampled_from((0, 1000, 1500))
)
resource_lists = st.dictionaries(st.sampled_from(RESOURCE_NAMES), amounts, max_size=4).map(FrozenDict)
json_leaves = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**53), 2**53), st.floats(allow_nan=False, allow_infinity=False), texts
)
json_values = st.recursive(
    json_leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(tuple), st.dictionaries(texts, inner, max_size=3).map(FrozenDict)
    ),
    max_leaves=8,
)
LABEL_OPS = ("In", "NotIn", "Exists", "DoesNotExist")
NODE_OPS = (*LABEL_OPS, "Gt", "Lt")

label_requirements = st.builds(
    LabelSelectorRequirement, key=texts, operator=st.sampled_from(LABEL_OPS), values=string_tuples
)
label_selectors = st.builds(
    LabelSelector, match_labels=string_maps, match_expressions=st.lists(label_requirements, max_size=2).map(tuple)
)
node_requirements = st.builds(
    NodeSelectorRequirement, key=texts, operator=st.sampled_from(NODE_OPS), values=string_tuples
)
node_terms = st.builds(
    NodeSelectorTerm,
    match_expressions=st.lists(node_requirements, max_size=2).map(tuple),
    match_fields=st.lists(node_requirements, max_size=1).map(tuple),
)
node_term_lists = st.lists(node_terms, max_size=2).map(tuple)
node_affinities = st.builds(
    NodeAffinity,
    required=st.none() | node_term_lists,
    preferred=st.lists(
        st.builds(PreferredSchedulingTerm, weight=st.integers(1, 100), preference=node_terms), max_size=2
    ).map(tuple),
)
pod_affinity_terms = st.builds(
    PodAffinityTerm,
    topology_key=texts,
    label_selector=st.none() | label_selectors,
    namespaces=string_tuples,
    namespace_selector=st.none() | label_selectors,
    match_label_keys=string_tuples,
    mismatch_label_keys=string_tuples,
)
pod_affinities = st.builds(
    PodAffinity,
    required=st.lists(pod_affinity_terms, max_size=2).map(tuple),
    preferred=st.lists(
        st.builds(WeightedPodAffinityTerm, weight=st.integers(1, 100), term=pod_affinity_terms), max_size=2
    ).map(tuple),
)
affinities = st.builds(
    Affinity,
    node_affinity=st.none() | node_affinities,
    pod_affinity=st.none() | pod_affinities,
    pod_anti_affinity=st.none() | pod_affinities,
)
spread_constraints = st.builds(
    TopologySpreadConstraint,
    max_skew=st.integers(1, 5),
    topology_key=texts,
    when_unsatisfiable=st.sampled_from(("DoNotSchedule", "ScheduleAnyway")),
    label_selector=st.none() | label_selectors,
    min_domains=st.none() | st.integers(1, 5),
    node_affinity_policy=st.none() | st.sampled_from(("Honor", "Ignore")),
    node_taints_policy=st.none() | st.sampled_from(("Honor", "Ignore")),
    match_label_keys=string_tuples,
)
ports = st.builds(
    ContainerPort,
    container_port=st.integers(1, 65535),
    host_port=st.integers(0, 65535),
    protocol=st.sampled_from(("TCP", "UDP", "SCTP")),
    host_ip=st.sampled_from(("", "0.0.0.0", "::1")),
    name=st.sampled_from(("", "http")),
)
full_containers = st.builds(
    Container,
    name=names,
    image=texts,
    image_pull_policy=st.sampled_from(("", "Always", "IfNotPresent", "Never")),
    ports=st.lists(ports, max_size=2).map(tuple),
    requests=resource_lists,
    limits=resource_lists,
    restart_policy=st.sampled_from(("", "Always")),
)
SOURCE_TYPES = ("emptyDir", "configMap", "secret", "hostPath", "persistentVolumeClaim", "csi", "ephemeral", "projected")
volumes = st.builds(
    Volume,
    name=names,
    source_type=st.sampled_from(SOURCE_TYPES),
    source=st.dictionaries(texts, json_values, max_size=3).map(FrozenDict),
)
tolerations = st.builds(
    Toleration,
    key=texts,
    operator=st.sampled_from(("", "Equal", "Exists")),
    value=texts,
    effect=st.sampled_from(("", "NoSchedule", "PreferNoSchedule", "NoExecute")),
    toleration_seconds=st.none() | st.integers(-10, 3600),
)
owners = st.builds(OwnerReference, api_version=texts, kind=texts, name=names, uid=texts, controller=st.booleans())
claims = st.builds(
    PodResourceClaim,
    name=names,
    resource_claim_name=st.none() | texts,
    resource_claim_template_name=st.none() | texts,
)
full_pods = st.builds(
    Pod,
    name=names,
    namespace=st.sampled_from(("default", "", "ns1")) | texts,
    uid=texts,
    labels=string_maps,
    annotations=string_maps,
    owner_references=st.lists(owners, max_size=2).map(tuple),
    deletion_timestamp=st.none() | st.sampled_from(("2024-01-01T00:00:00Z", "")),
    scheduler_name=st.sampled_from(("default-scheduler", "", "batch-scheduler")),
    node_name=texts,
    priority=st.none() | st.integers(-(2**31), 2**31 - 1),
    priority_class_name=texts,
    preemption_policy=st.none() | st.sampled_from(("Never", "PreemptLowerPriority")),
    runtime_class_name=st.none() | texts,
    host_network=st.booleans(),
    os=st.none() | st.sampled_from(("linux", "windows", "")),
    scheduling_gates=string_tuples,
    containers=st.lists(full_containers, max_size=2).map(tuple),
    init_containers=st.lists(full_containers, max_size=2).map(tuple),
    overhead=resource_lists,
    resources=st.none() | st.builds(Container, requests=resource_lists, limits=resource_lists),
    tolerations=st.lists(tolerations, max_size=2).map(tuple),
    node_selector=string_maps,
    affinity=st.none() | affinities,
    topology_spread_constraints=st.lists(spread_constraints, max_size=2).map(tuple),
    volumes=st.lists(volumes, max_size=3).map(tuple),
    resource_claims=st.lists(claims, max_size=2).map(tuple),
    nominated_node_name=texts,
)
full_nodes = st.builds(
    Node,
    name=names,
    labels=string_maps,
    annotations=string_maps,
    capacity=resource_lists,
    allocatable=resource_lists,
    taints=st.lists(
        st.builds(
            Taint, key=texts, value=texts, effect=st.sampled_from(("", "NoSchedule", "PreferNoSchedule", "NoExecute"))
        ),
        max_size=2,
    ).map(tuple),
    unschedulable=st.booleans(),
    images=st.lists(st.builds(ContainerImage, names=string_tuples, size_bytes=st.integers(0, 2**40)), max_size=2).map(
        tuple
    ),
)
namespaces = st.builds(Namespace, name=names, labels=string_maps)
map_selecting = st.builds(
    Selecting,
    kind=st.sampled_from(("Service", "ReplicationController")),
    name=st.sampled_from(("svc", "rc")),  # a ReplicationController is a workload: it needs a name
    namespace=texts,
    selector=st.none() | st.builds(LabelSelector, match_labels=string_maps),
    uid=texts,
)
set_selecting = st.builds(
    Selecting,
    kind=st.sampled_from(("ReplicaSet", "StatefulSet")),
    name=st.sampled_from(("rs", "web")),  # workloads need a name to be loaded
    namespace=texts,
    selector=st.none() | label_selectors,
    uid=texts,
)
selecting = map_selecting | set_selecting
persistent_claims = st.builds(
    PersistentVolumeClaim,
    name=names,
    namespace=texts,
    volume_name=texts,
    storage_class_name=st.none() | texts,
    access_modes=st.lists(st.sampled_from(("ReadWriteOnce", "ReadOnlyMany", "ReadWriteOncePod")), max_size=2).map(
        tuple
    ),
)
persistent_volumes = st.builds(
    PersistentVolume,
    name=names,
    labels=string_maps,
    node_affinity=st.none() | node_term_lists,
    csi_driver=st.sampled_from(("", "ebs.csi.aws.com")),
)
any_objects = st.one_of(full_pods, full_nodes, namespaces, selecting, persistent_claims, persistent_volumes)

# ---------------------------------------------------------------------------------------------
# Helpers: decode through the real loaders.


def decoded(objects: list[ModelObject]) -> list[ModelObject]:
    """Encode, then load the documents back, in the loader's per-kind order."""
    return flatten(load_objects([encode_object(obj) for obj in objects]))


def flatten(manifests: Manifests) -> list[ModelObject]:
    return [
        *manifests.pods,
        *manifests.nodes,
        *manifests.namespaces,
        *manifests.selecting,
        *manifests.claims,
        *manifests.volumes,
    ]


def by_kind(objects: list[ModelObject]) -> list[ModelObject]:
    order = (Pod, Node, Namespace, Selecting, PersistentVolumeClaim, PersistentVolume)
    return [obj for kind in order for obj in objects if isinstance(obj, kind)]


def through_yaml_file(objects: list[ModelObject]) -> list[ModelObject]:
    with tempfile.TemporaryDirectory() as directory:
        path = dump_manifests(objects, Path(directory) / "repro.yaml")
        return flatten(load_files([path], admit=False))


# ---------------------------------------------------------------------------------------------
# Properties.


@given(pods())
def test_strategy_pods_round_trip(pod: Pod) -> None:
    assert decoded([pod]) == [pod]


@given(nodes())
def test_strategy_nodes_round_trip(node: Node) -> None:
    assert decoded([node]) == [node]


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(full_pods)
def test_pods_with_every_optional_field_round_trip(pod: Pod) -> None:
    assert decoded([pod]) == [pod]


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(any_objects)
def test_every_kind_round_trips(obj: ModelObject) -> None:
    assert decoded([obj]) == [obj]


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=50)
@given(st.lists(any_objects | pods() | nodes(), max_size=6))
def test_yaml_file_round_trip(objects: list[ModelObject]) -> None:
    assert through_yaml_file(objects) == by_kind(objects)


# ---------------------------------------------------------------------------------------------
# Explicit examples.

SELECT_WEB = LabelSelector(match_labels=FrozenDict({"app": "web"}))
SELECT_EXPR = LabelSelector(match_expressions=(LabelSelectorRequirement("tier", "In", ("a", "b")),))
FULL_POD = Pod(
    name="web-0",
    namespace="ns1",
    uid="uid-web-0",
    labels=FrozenDict({"app": "web", "tier": "a"}),
    annotations=FrozenDict({"note": "yes", "count": "1"}),
    owner_references=(OwnerReference("apps/v1", "StatefulSet", "web", uid="uid-web", controller=True),),
    deletion_timestamp="2024-05-01T12:00:00Z",
    scheduler_name="batch-scheduler",
    priority=1000,
    priority_class_name="high",
    preemption_policy="Never",
    runtime_class_name="gvisor",
    host_network=True,
    os="linux",
    scheduling_gates=("example.com/quota",),
    init_containers=(
        Container(name="init", image="busybox", requests=FrozenDict({"cpu": 50})),
        Container(
            name="proxy",
            image="envoy",
            restart_policy="Always",
            requests=FrozenDict({"cpu": 100, "memory": 64 * 2**20}),
        ),
    ),
    containers=(
        Container(
            name="app",
            image="nginx:1.25",
            image_pull_policy="IfNotPresent",
            ports=(
                ContainerPort(80, host_port=8080, protocol="UDP", host_ip="10.0.0.1", name="http"),
                ContainerPort(9090),
            ),
            requests=FrozenDict({"cpu": 1500, "memory": 2**30, "example.com/gpu": 1}),
            limits=FrozenDict({"cpu": 2000, "memory": 3 * 10**9}),
        ),
    ),
    overhead=FrozenDict({"cpu": 250, "memory": 120 * 2**20}),
    resources=Container(requests=FrozenDict({"cpu": 4000}), limits=FrozenDict({"memory": 8 * 2**30})),
    tolerations=(
        Toleration(key="gpu", operator="Exists", effect="NoSchedule"),
        Toleration(key="spot", value="true", effect="NoExecute", toleration_seconds=30),
        Toleration(operator="Exists"),
    ),
    node_selector=FrozenDict({"disk": "ssd"}),
    affinity=Affinity(
        node_affinity=NodeAffinity(
            required=(
                NodeSelectorTerm(
                    match_expressions=(NodeSelectorRequirement("zone", "In", ("zone-a",)),),
                    match_fields=(NodeSelectorRequirement("metadata.name", "In", ("node-1",)),),
                ),
            ),
            preferred=(
                PreferredSchedulingTerm(10, NodeSelectorTerm((NodeSelectorRequirement("cpus", "Gt", ("4",)),))),
            ),
        ),
        pod_affinity=PodAffinity(
            required=(
                PodAffinityTerm(
                    "topology.kubernetes.io/zone",
                    label_selector=SELECT_WEB,
                    namespace_selector=LabelSelector(),
                    match_label_keys=("pod-template-hash",),
                ),
            ),
            preferred=(
                WeightedPodAffinityTerm(
                    5,
                    PodAffinityTerm(
                        "kubernetes.io/hostname",
                        label_selector=SELECT_EXPR,
                        namespaces=("ns1", "ns2"),
                        namespace_selector=SELECT_WEB,
                    ),
                ),
            ),
        ),
        pod_anti_affinity=PodAffinity(
            required=(
                PodAffinityTerm("kubernetes.io/hostname", label_selector=SELECT_WEB, mismatch_label_keys=("tenant",)),
            ),
            preferred=(WeightedPodAffinityTerm(100, PodAffinityTerm("kubernetes.io/hostname")),),
        ),
    ),
    topology_spread_constraints=(
        TopologySpreadConstraint(
            max_skew=1,
            topology_key="topology.kubernetes.io/zone",
            when_unsatisfiable="DoNotSchedule",
            label_selector=SELECT_WEB,
            min_domains=3,
            node_affinity_policy="Honor",
            node_taints_policy="Ignore",
            match_label_keys=("pod-template-hash",),
        ),
        TopologySpreadConstraint(2, "kubernetes.io/hostname", "ScheduleAnyway"),
    ),
    volumes=(
        Volume("data", "persistentVolumeClaim", FrozenDict({"claimName": "data-web-0", "readOnly": True})),
        Volume("scratch", "emptyDir", FrozenDict()),
        Volume("cfg", "configMap", FrozenDict({"name": "cfg", "items": (FrozenDict({"key": "a", "path": "a"}),)})),
        Volume("disk", "gcePersistentDisk", FrozenDict({"pdName": "pd-1", "fsType": "ext4"})),
        Volume(
            "inline", "csi", FrozenDict({"driver": "ebs.csi.aws.com", "volumeAttributes": FrozenDict({"size": "1"})})
        ),
    ),
    resource_claims=(
        PodResourceClaim("gpu", resource_claim_name="gpu-claim"),
        PodResourceClaim("nic", resource_claim_template_name="nic-template"),
    ),
    nominated_node_name="node-1",
)
FULL_NODE = Node(
    "node-1",
    labels=FrozenDict({"kubernetes.io/hostname": "node-1", "topology.kubernetes.io/zone": "zone-a"}),
    annotations=FrozenDict({"csi.volume.kubernetes.io/nodeid": "{}"}),
    capacity=FrozenDict({"cpu": 8000, "memory": 32 * 2**30, "pods": 110}),
    allocatable=FrozenDict({"cpu": 7500, "memory": 30 * 2**30, "pods": 110}),
    taints=(Taint("dedicated", "batch", "NoSchedule"), Taint("spot", effect="PreferNoSchedule")),
    unschedulable=True,
    images=(ContainerImage(("nginx:1.25", "nginx@sha256:abc"), 100 * 2**20), ContainerImage(("pause",))),
)
CLUSTER_OBJECTS: list[ModelObject] = [
    Namespace("ns1", labels=FrozenDict({"team": "a"})),
    Namespace(""),
    Selecting("Service", "web", "ns1", selector=SELECT_WEB, uid="svc-uid"),
    Selecting("Service", "headless", "ns1"),
    Selecting("Service", "all", "ns1", selector=LabelSelector()),
    Selecting("ReplicationController", "rc", "", selector=SELECT_WEB),
    Selecting("ReplicaSet", "rs", "default", selector=SELECT_EXPR),
    Selecting("StatefulSet", "web", "ns1", selector=LabelSelector()),
    Selecting("StatefulSet", "bare", "ns1"),
    PersistentVolumeClaim(
        "data-web-0", "ns1", volume_name="pv-1", storage_class_name="", access_modes=("ReadWriteOnce",)
    ),
    PersistentVolumeClaim("pending", "default", storage_class_name="fast"),
    PersistentVolume(
        "pv-1",
        labels=FrozenDict({"topology.kubernetes.io/zone": "zone-a"}),
        node_affinity=(NodeSelectorTerm((NodeSelectorRequirement("zone", "In", ("zone-a",)),)),),
        csi_driver="ebs.csi.aws.com",
    ),
    PersistentVolume("pv-empty-affinity", node_affinity=()),
]


@pytest.mark.parametrize(
    "obj",
    [
        FULL_POD,
        FULL_NODE,
        Pod(),
        Pod(name="p", namespace=""),
        Pod(name="p", resources=Container()),
        Pod(name="p", affinity=Affinity()),
        Pod(name="p", affinity=Affinity(node_affinity=NodeAffinity(required=()), pod_affinity=PodAffinity())),
        Pod(name="p", affinity=Affinity(node_affinity=NodeAffinity(required=(NodeSelectorTerm(),)))),
        Pod(
            name="p",
            topology_spread_constraints=(
                TopologySpreadConstraint(1, "zone", "DoNotSchedule", label_selector=LabelSelector()),
            ),
        ),
        Pod(name="p", scheduler_name=""),
        Pod(name="p", deletion_timestamp=""),
        Node("n", capacity=FrozenDict({"cpu": 1000})),
        Node("n", allocatable=FrozenDict({"cpu": 1000})),
        Node("n", capacity=FrozenDict({"cpu": 1000}), allocatable=FrozenDict()),
        *CLUSTER_OBJECTS,
    ],
    ids=repr,
)
def test_explicit_examples_round_trip(obj: ModelObject) -> None:
    assert decoded([obj]) == [obj]


def test_full_cluster_round_trips_through_a_yaml_file(tmp_path: Path) -> None:
    objects: list[ModelObject] = [FULL_NODE, FULL_POD, *CLUSTER_OBJECTS, Pod(name="q", namespace="")]
    path = dump_manifests(objects, tmp_path / "repro.yaml")
    assert path.read_text(encoding="utf-8").count("\n---\n") == len(objects) - 1
    assert flatten(load_files([path], admit=False)) == by_kind(objects)


# ---------------------------------------------------------------------------------------------
# The output reads like a hand-written manifest.


def test_defaults_are_omitted() -> None:
    pod = Pod(name="p", containers=(Container(name="c", image="nginx", requests=FrozenDict({"cpu": 500})),))
    assert encode_pod(pod) == {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": "500m"}}}]},
    }
    resources = FrozenDict({"cpu": 4000, "memory": 16 * 2**30, "pods": 110})
    node = Node("n", capacity=resources, allocatable=resources)
    assert encode_node(node) == {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "n"},
        "status": {"capacity": {"cpu": "4", "memory": "16Gi", "pods": "110"}},
    }
    only_capacity = encode_node(Node("n", capacity=resources))  # allocatable {} is not the default
    assert only_capacity["status"]["allocatable"] == {}


def test_empty_namespace_is_written_explicitly() -> None:
    assert encode_pod(Pod(name="p", namespace=""))["metadata"] == {"name": "p", "namespace": ""}
    assert encode_claim(PersistentVolumeClaim("c", ""))["metadata"] == {"name": "c", "namespace": ""}
    assert "namespace" not in encode_pod(Pod(name="p"))["metadata"]


def test_absent_and_empty_stay_distinct() -> None:
    absent = encode_pod(Pod(name="p", affinity=Affinity(node_affinity=NodeAffinity())))
    empty = encode_pod(Pod(name="p", affinity=Affinity(node_affinity=NodeAffinity(required=()))))
    assert absent["spec"]["affinity"] == {"nodeAffinity": {}}
    assert empty["spec"]["affinity"] == {
        "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": []}}
    }
    term = PodAffinityTerm("zone", namespace_selector=LabelSelector())
    assert encode_pod(Pod(affinity=Affinity(pod_affinity=PodAffinity(required=(term,)))))["spec"]["affinity"] == {
        "podAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [{"topologyKey": "zone", "namespaceSelector": {}}]
        }
    }
    assert encode_pod(Pod(resources=Container()))["spec"]["resources"] == {}
    assert "resources" not in encode_pod(Pod())["spec"]
    assert encode_volume(PersistentVolume("pv", node_affinity=()))["spec"] == {
        "nodeAffinity": {"required": {"nodeSelectorTerms": []}}
    }
    assert "spec" not in encode_volume(PersistentVolume("pv"))


@pytest.mark.parametrize(
    ("resource", "amount", "text"),
    [
        ("cpu", 1500, "1500m"),
        ("cpu", 2000, "2"),
        ("cpu", 0, "0"),
        ("memory", 256 * 2**20, "256Mi"),
        ("memory", 2**30, "1Gi"),
        ("memory", 1536 * 2**20, "1536Mi"),
        ("memory", 10**9, "1000000000"),
        ("ephemeral-storage", 2**10, "1Ki"),
        ("hugepages-2Mi", 4 * 2**20, "4Mi"),
        ("pods", 1024, "1024"),
        ("example.com/gpu", 2, "2"),
    ],
)
def test_quantities_read_as_people_write_them(resource: str, amount: int, text: str) -> None:
    assert quantity(resource, amount) == text


def test_workloads_are_written_with_zero_replicas() -> None:
    doc = encode_selecting(Selecting("ReplicaSet", "rs", "ns1", selector=SELECT_WEB))
    assert doc["apiVersion"] == "apps/v1"
    assert doc["spec"] == {
        "replicas": 0,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}}},
    }
    assert load_objects([doc]).pods == []
    service = encode_selecting(Selecting("Service", "svc", "default", selector=SELECT_WEB))
    assert service["spec"] == {"selector": {"app": "web"}}


def test_manifest_text_is_multi_document_yaml() -> None:
    text = manifest_text([Namespace("ns1"), Node("n")])
    assert list(yaml.safe_load_all(text)) == [encode_namespace(Namespace("ns1")), encode_node(Node("n"))]
    assert text.startswith("apiVersion: v1\nkind: Namespace\n")


def test_timestamps_and_yaml_keywords_stay_strings() -> None:
    pod = Pod(name="yes", deletion_timestamp="2024-05-01T12:00:00Z", labels=FrozenDict({"on": "1", "null": "~"}))
    assert through_yaml_file([pod]) == [pod]


@pytest.mark.parametrize(
    "obj",
    [
        Selecting("Service", "s", "default", selector=SELECT_EXPR),
        Selecting("ReplicationController", "rc", "default", selector=SELECT_EXPR),
        Selecting("Deployment", "d", "default"),
        Selecting("StatefulSet", "", "default"),
    ],
    ids=repr,
)
def test_unencodable_selecting_objects_are_refused(obj: Selecting) -> None:
    with pytest.raises(EncodeError, match=obj.kind):
        encode_object(obj)


def test_unknown_types_are_refused() -> None:
    bogus: Any = Container()
    with pytest.raises(EncodeError, match="Container"):
        encode_object(bogus)
