"""NodeInfo and Snapshot bookkeeping as a specification.

Upstream: pkg/scheduler/framework/types.go (NodeInfo.AddPodInfo/RemovePod/update, HostPortInfo)
and pkg/scheduler/backend/cache/snapshot.go (image existence counts).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batchproof.model.cluster.node_info import HostPort, NodeInfo, has_pod_affinity, pod_host_ports
from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.errors import BatchproofError
from batchproof.model.frozen import FrozenDict
from batchproof.model.manifests.load import ClusterObjects
from batchproof.model.objects import (
    Affinity,
    Container,
    ContainerImage,
    ContainerPort,
    Namespace,
    Node,
    Pod,
    PodAffinity,
    PodAffinityTerm,
    WeightedPodAffinityTerm,
)
from batchproof.model.resources import (
    DEFAULT_MEMORY_REQUEST,
    DEFAULT_MILLI_CPU_REQUEST,
    NON_ZERO_DEFAULTS,
    Resource,
    pod_level_requests_set,
    pod_requests,
)

MI = 1024 * 1024
TERM = PodAffinityTerm(topology_key="zone")
AFFINITY = Affinity(pod_affinity=PodAffinity(required=(TERM,)))
REQUIRED_ANTI = Affinity(pod_anti_affinity=PodAffinity(required=(TERM,)))
PREFERRED_ANTI = Affinity(pod_anti_affinity=PodAffinity(preferred=(WeightedPodAffinityTerm(1, TERM),)))


def box(
    requests: dict[str, int] | None = None, *, ports: tuple[ContainerPort, ...] = (), sidecar: bool = False
) -> Container:
    return Container(requests=FrozenDict(requests or {}), ports=ports, restart_policy="Always" if sidecar else "")


def placed(name: str, node: str, *containers: Container, **fields: object) -> Pod:
    return Pod(name=name, node_name=node, containers=containers, **fields)  # type: ignore[arg-type]


def images(*names: str) -> tuple[ContainerImage, ...]:
    return (ContainerImage(names=names),)


# -- bind and remove ---------------------------------------------------------------------------------
def test_bind_accounts_requests_and_non_zero_defaults_and_remove_undoes_it() -> None:
    snapshot = Snapshot([Node("n")])
    first = placed("a", "n", box({"cpu": 300, "example.com/gpu": 1}))
    second = placed("b", "n", box(), box({"memory": MI}))
    snapshot.bind(first, "n")
    snapshot.bind(second, "n")
    info = snapshot.get("n")
    assert info is not None
    assert info.pods == [first, second]
    assert info.requested == Resource(300, MI, scalar_resources=FrozenDict({"example.com/gpu": 1}))
    assert info.non_zero_requested == Resource(
        300 + 2 * DEFAULT_MILLI_CPU_REQUEST, DEFAULT_MEMORY_REQUEST + DEFAULT_MEMORY_REQUEST + MI
    )
    assert snapshot.remove_pod(first)
    assert info.pods == [second]
    assert info.requested.milli_cpu == 0
    assert info.requested.memory == MI
    assert info.requested.get("example.com/gpu") == 0
    assert info.non_zero_requested == Resource(2 * DEFAULT_MILLI_CPU_REQUEST, DEFAULT_MEMORY_REQUEST + MI)


def test_non_zero_defaults_apply_only_to_containers_missing_the_request() -> None:
    info = NodeInfo(Node("n"))
    info.add_pod(placed("a", "n", box({"cpu": 0, "memory": 0}), box({"cpu": 50})))
    assert info.non_zero_requested == Resource(50, DEFAULT_MEMORY_REQUEST)


def test_node_info_honours_the_pod_level_resources_gate() -> None:
    pod = placed("a", "n", box({"cpu": 100}), resources=box({"cpu": 2000}))
    on, off = Snapshot([Node("n")]), Snapshot([Node("n")], pod_level_resources=False)
    on.bind(pod, "n")
    off.bind(pod, "n")
    assert [s.get("n").requested.milli_cpu for s in (on, off)] == [2000, 100]  # type: ignore[union-attr]


def test_removal_matches_by_namespace_and_name_and_reports_unknown_pods() -> None:
    snapshot = Snapshot([Node("n"), Node("m")])
    pod = placed("a", "n", box({"cpu": 1}))
    snapshot.bind(pod, "n")
    generation = snapshot.generation
    assert not snapshot.remove_pod(replace(pod, namespace="other"))
    assert not snapshot.remove_pod(replace(pod, node_name="m"))
    assert not snapshot.remove_pod(replace(pod, node_name="missing"))
    assert snapshot.generation == generation
    assert snapshot.remove_pod(replace(pod, containers=()))  # same identity, different spec
    assert snapshot.get("n").requested.milli_cpu == 0  # type: ignore[union-attr]  # the stored pod is subtracted
    assert snapshot.generation == generation + 1


def test_pods_with_affinity_and_required_anti_affinity_are_tracked() -> None:
    snapshot = Snapshot([Node("n"), Node("m"), Node("o")])
    plain = placed("plain", "n")
    with_affinity = placed("aff", "n", affinity=AFFINITY)
    required_anti = placed("anti", "m", affinity=REQUIRED_ANTI)
    preferred_anti = placed("pref", "m", affinity=PREFERRED_ANTI)
    for pod in (plain, with_affinity, required_anti, preferred_anti):
        snapshot.bind(pod, pod.node_name)
    n, m = snapshot.get("n"), snapshot.get("m")
    assert n is not None
    assert m is not None
    assert n.pods_with_affinity == [with_affinity]
    assert n.pods_with_required_anti_affinity == []
    assert m.pods_with_affinity == [required_anti, preferred_anti]
    assert m.pods_with_required_anti_affinity == [required_anti]
    assert [i.name for i in snapshot.have_pods_with_affinity()] == ["n", "m"]
    assert [i.name for i in snapshot.have_pods_with_required_anti_affinity()] == ["m"]
    snapshot.remove_pod(required_anti)
    assert m.pods_with_affinity == [preferred_anti]
    assert snapshot.have_pods_with_required_anti_affinity() == []


# -- host ports -------------------------------------------------------------------------------------
def test_used_ports_default_ip_and_protocol_and_ignore_port_zero() -> None:
    pod = placed(
        "a",
        "n",
        box(
            ports=(
                ContainerPort(80, host_port=8080, protocol="", host_ip=""),
                ContainerPort(81, host_port=8081, protocol="UDP", host_ip="10.0.0.1"),
                ContainerPort(82),
            )
        ),
    )
    assert pod_host_ports(pod) == (HostPort("0.0.0.0", "TCP", 8080), HostPort("10.0.0.1", "UDP", 8081))


def test_used_ports_are_counted_so_a_port_stays_used_until_its_last_user_leaves() -> None:
    info = NodeInfo(Node("n"))
    port = (ContainerPort(80, host_port=80),)
    first, second = placed("a", "n", box(ports=port)), placed("b", "n", box(ports=port))
    info.add_pod(first)
    info.add_pod(second)
    assert info.used_ports == {HostPort("0.0.0.0", "TCP", 80): 2}
    info.remove_pod(first)
    assert info.used_ports == {HostPort("0.0.0.0", "TCP", 80): 1}
    info.remove_pod(second)
    assert info.used_ports == {}


def test_sidecar_host_ports_are_in_use() -> None:
    pod = Pod(name="a", init_containers=(box(ports=(ContainerPort(80, host_port=9000),), sidecar=True),))
    assert pod_host_ports(pod) == (HostPort("0.0.0.0", "TCP", 9000),)


def test_ports_of_regular_init_containers_are_not_in_use() -> None:
    pod = Pod(name="a", init_containers=(box(ports=(ContainerPort(80, host_port=9000),)),))
    assert pod_host_ports(pod) == ()


@pytest.mark.parametrize(
    ("used", "wanted", "conflict"),
    [
        (HostPort("0.0.0.0", "TCP", 80), HostPort("10.0.0.1", "TCP", 80), True),
        (HostPort("10.0.0.1", "TCP", 80), HostPort("0.0.0.0", "TCP", 80), True),
        (HostPort("10.0.0.1", "TCP", 80), HostPort("10.0.0.1", "TCP", 80), True),
        (HostPort("10.0.0.1", "TCP", 80), HostPort("10.0.0.2", "TCP", 80), False),
        (HostPort("0.0.0.0", "TCP", 80), HostPort("0.0.0.0", "UDP", 80), False),
        (HostPort("0.0.0.0", "TCP", 80), HostPort("0.0.0.0", "TCP", 81), False),
    ],
)
def test_port_conflicts_follow_host_port_info_check_conflict(used: HostPort, wanted: HostPort, conflict: bool) -> None:
    info = NodeInfo(Node("n"))
    info.add_pod(
        placed("a", "n", box(ports=(ContainerPort(1, host_port=used.port, protocol=used.protocol, host_ip=used.ip),)))
    )
    assert info.port_conflicts(wanted) is conflict


# -- nodes and images -----------------------------------------------------------------------------------
def test_image_node_counts_follow_add_update_and_remove_node() -> None:
    snapshot = Snapshot([Node("n", images=images("nginx:1", "nginx@sha")), Node("m", images=images("nginx:1"))])
    assert snapshot.image_num_nodes("nginx:1") == 2
    assert snapshot.image_num_nodes("nginx@sha") == 1
    assert snapshot.image_num_nodes("redis") == 0
    snapshot.update_node(Node("m", images=images("redis")))
    assert (snapshot.image_num_nodes("nginx:1"), snapshot.image_num_nodes("redis")) == (1, 1)
    snapshot.add_node(Node("o", images=images("redis", "nginx:1")))
    assert (snapshot.image_num_nodes("nginx:1"), snapshot.image_num_nodes("redis")) == (2, 2)
    snapshot.remove_node("n")
    assert (snapshot.image_num_nodes("nginx:1"), snapshot.image_num_nodes("nginx@sha")) == (1, 0)


def test_a_node_listing_an_image_name_twice_counts_once() -> None:
    node = Node("n", images=(ContainerImage(names=("a", "a")), ContainerImage(names=("a",))))
    snapshot = Snapshot([node])
    assert snapshot.image_num_nodes("a") == 1
    snapshot.remove_node("n")
    assert snapshot.image_num_nodes("a") == 0


def test_update_node_keeps_the_pods_and_their_aggregates() -> None:
    snapshot = Snapshot([Node("n", allocatable=FrozenDict({"cpu": 1000}))], [placed("a", "n", box({"cpu": 5}))])
    snapshot.update_node(Node("n", labels=FrozenDict({"zone": "z1"}), allocatable=FrozenDict({"cpu": 2000})))
    info = snapshot.get("n")
    assert info is not None
    assert info.node.labels == {"zone": "z1"}
    assert info.allocatable == Resource(milli_cpu=2000)
    assert [p.name for p in info.pods] == ["a"]
    assert info.requested.milli_cpu == 5


def test_remove_node_returns_its_pods() -> None:
    pod = placed("a", "n")
    snapshot = Snapshot([Node("n")], [pod])
    assert snapshot.remove_node("n") == [pod]
    assert "n" not in snapshot
    assert list(snapshot.pods()) == []


def test_removing_and_re_adding_a_node_forgets_its_affinity_pods() -> None:
    snapshot = Snapshot([Node("n"), Node("m")], [placed("a", "n", affinity=REQUIRED_ANTI)])
    assert [i.name for i in snapshot.have_pods_with_required_anti_affinity()] == ["n"]
    snapshot.remove_node("n")
    snapshot.add_node(Node("n"))
    assert snapshot.have_pods_with_affinity() == []
    assert snapshot.have_pods_with_required_anti_affinity() == []


def test_affinity_node_lists_keep_node_insertion_order() -> None:
    snapshot = Snapshot([Node("z"), Node("a"), Node("m")])
    for name in ("m", "z", "a"):
        snapshot.bind(placed(f"p-{name}", name, affinity=AFFINITY), name)
    assert [i.name for i in snapshot.have_pods_with_affinity()] == ["z", "a", "m"]


def test_a_node_name_can_only_be_added_once() -> None:
    snapshot = Snapshot([Node("n")])
    with pytest.raises(BatchproofError, match="'n'"):
        snapshot.add_node(Node("n"))


def test_initial_pods_are_bound_by_node_name_and_others_ignored() -> None:
    snapshot = Snapshot([Node("b"), Node("a")], [placed("x", "a"), placed("y", ""), placed("z", "gone")])
    assert [i.name for i in snapshot.node_infos()] == ["b", "a"]
    assert [p.name for p in snapshot.pods()] == ["x"]


def test_namespace_lookup_reads_the_cluster_objects() -> None:
    team = Namespace("team", labels=FrozenDict({"tier": "gold"}))
    snapshot = Snapshot(objects=ClusterObjects(namespaces=(team,)))
    assert snapshot.namespace("team") == team
    assert snapshot.namespace("other") is None


def test_generation_advances_on_every_change() -> None:
    snapshot = Snapshot()
    steps: list[Callable[[], object]] = [
        lambda: snapshot.add_node(Node("n")),
        lambda: snapshot.bind(placed("a", "n"), "n"),
        lambda: snapshot.remove_pod(placed("a", "n")),
        lambda: snapshot.update_node(Node("n")),
        lambda: snapshot.remove_node("n"),
    ]
    for step in steps:
        before = snapshot.generation
        step()
        assert snapshot.generation > before


# -- clones -----------------------------------------------------------------------------------------------
def test_a_snapshot_clone_is_independent_in_both_directions() -> None:
    port = (ContainerPort(80, host_port=80),)
    original = Snapshot(
        [Node("n", images=images("i"))], [placed("a", "n", box({"cpu": 1}, ports=port), affinity=AFFINITY)]
    )
    copy = original.clone()
    copy.bind(placed("b", "n", box({"cpu": 10}, ports=port), affinity=REQUIRED_ANTI), "n")
    copy.add_node(Node("m", images=images("i")))
    original.remove_pod(placed("a", "n"))
    original_info, copied = original.get("n"), copy.get("n")
    assert original_info is not None
    assert copied is not None
    assert (len(original_info.pods), original_info.requested.milli_cpu, original_info.used_ports) == (0, 0, {})
    assert (len(copied.pods), copied.requested.milli_cpu) == (2, 11)
    assert copied.used_ports == {HostPort("0.0.0.0", "TCP", 80): 2}
    assert original_info.pods_with_affinity == []
    assert [p.name for p in copied.pods_with_affinity] == ["a", "b"]
    assert [p.name for p in copied.pods_with_required_anti_affinity] == ["b"]
    assert (original.image_num_nodes("i"), copy.image_num_nodes("i")) == (1, 2)
    assert "m" not in original


def test_a_node_info_clone_is_independent() -> None:
    info = NodeInfo(Node("n"))
    info.add_pod(placed("a", "n", box({"cpu": 1}, ports=(ContainerPort(80, host_port=80),)), affinity=AFFINITY))
    copy = info.clone()
    copy.remove_pod(placed("a", "n"))
    assert len(info.pods) == 1
    assert info.used_ports == {HostPort("0.0.0.0", "TCP", 80): 1}
    assert len(info.pods_with_affinity) == 1
    assert info.requested.milli_cpu == 1
    assert (copy.pods, copy.used_ports, copy.requested.milli_cpu) == ([], {}, 0)


# -- property: incremental aggregates equal aggregates recomputed from scratch -----------------------------
NODE_NAMES = ("n0", "n1", "n2")
RESOURCE_NAMES = ("cpu", "memory", "ephemeral-storage", "pods", "example.com/gpu", "hugepages-2Mi", "foo")

requests_st = st.dictionaries(st.sampled_from(RESOURCE_NAMES), st.integers(0, 4000), max_size=4).map(FrozenDict)
ports_st = st.builds(
    ContainerPort,
    container_port=st.just(80),
    host_port=st.sampled_from([0, 80, 443]),
    protocol=st.sampled_from(["", "TCP", "UDP"]),
    host_ip=st.sampled_from(["", "0.0.0.0", "10.0.0.1"]),
)
containers_st = st.builds(
    Container,
    requests=requests_st,
    ports=st.lists(ports_st, max_size=2).map(tuple),
    restart_policy=st.sampled_from(["", "Always"]),
)
pods_st = st.builds(
    Pod,
    containers=st.lists(containers_st, max_size=3).map(tuple),
    init_containers=st.lists(containers_st, max_size=2).map(tuple),
    overhead=st.dictionaries(st.sampled_from(["cpu", "memory"]), st.integers(0, 100), max_size=2).map(FrozenDict),
    resources=st.none() | st.builds(Container, requests=requests_st),
    affinity=st.sampled_from([None, AFFINITY, REQUIRED_ANTI, PREFERRED_ANTI]),
)


def _without_zero_scalars(resource: Resource) -> Resource:
    """Upstream keeps zero-valued ScalarResources entries after removals too; they read as 0."""
    return replace(resource, scalar_resources=FrozenDict({k: v for k, v in resource.scalar_resources.items() if v}))


def upstream_non_zero_requests(pod: Pod) -> dict[str, int]:
    """PodInfo.CalculateResource (pkg/scheduler/framework/types.go, v1.37.2), restated.

    Without pod-level requests every container gets the 100m/200Mi default for a resource it
    does not request. With pod-level requests set (gate on), getNonMissingContainerRequests
    defaults only a resource absent from PodRequests (containers, pod level and overhead): a
    pod-level ``memory: 0`` or a container's ``cpu: 0`` counts as set, and stays 0.
    """
    requests = pod_requests(pod)
    if pod.resources is None or not pod_level_requests_set(pod):
        return pod_requests(pod, non_missing=NON_ZERO_DEFAULTS)
    missing = {name: amount for name, amount in NON_ZERO_DEFAULTS.items() if name not in requests}
    return pod_requests(pod, non_missing=missing) if missing else requests


def test_pod_level_zero_memory_counts_as_set_for_non_zero_requests() -> None:
    """The example the aggregate property found (and upstream's rule): pod-level ``memory: 0``
    and an init container's ``cpu: 0`` keep both non-zero requests at 0."""
    pod = Pod(
        name="p",
        node_name="n",
        init_containers=(box(), box({"cpu": 0})),
        resources=Container(requests=FrozenDict({"memory": 0})),
    )
    info = NodeInfo(Node("n"))
    info.add_pod(pod)
    assert (info.non_zero_requested.milli_cpu, info.non_zero_requested.memory) == (0, 0)


def test_pod_level_cpu_only_defaults_memory_per_container() -> None:
    """Pod-level cpu set, memory requested nowhere: memory gets 200Mi per container, cpu stays."""
    pod = Pod(
        name="p",
        node_name="n",
        containers=(box(), box({"cpu": 100})),
        resources=Container(requests=FrozenDict({"cpu": 700})),
    )
    info = NodeInfo(Node("n"))
    info.add_pod(pod)
    assert info.non_zero_requested.milli_cpu == 700
    assert info.non_zero_requested.memory == 2 * DEFAULT_MEMORY_REQUEST


def assert_aggregates_match_pods(info: NodeInfo) -> None:
    total: Counter[str] = Counter()
    non_zero: Counter[str] = Counter()
    for pod in info.pods:
        total.update(pod_requests(pod))
        non_zero.update(upstream_non_zero_requests(pod))
    assert _without_zero_scalars(info.requested) == _without_zero_scalars(Resource.from_list(total))
    assert info.non_zero_requested == Resource(milli_cpu=non_zero["cpu"], memory=non_zero["memory"])
    assert info.used_ports == Counter(port for pod in info.pods for port in pod_host_ports(pod))
    assert info.pods_with_affinity == [p for p in info.pods if has_pod_affinity(p)]
    required = [p for p in info.pods if p.affinity is REQUIRED_ANTI]
    assert info.pods_with_required_anti_affinity == required


@given(
    pool=st.lists(pods_st, min_size=1, max_size=6),
    operations=st.lists(st.tuples(st.booleans(), st.integers(0, 5), st.sampled_from(NODE_NAMES)), max_size=30),
)
def test_any_sequence_of_binds_and_removals_keeps_aggregates_equal_to_a_recomputation(
    pool: list[Pod], operations: list[tuple[bool, int, str]]
) -> None:
    pool = [replace(pod, name=f"p{i}") for i, pod in enumerate(pool)]
    snapshot = Snapshot([Node(name) for name in NODE_NAMES])
    bound: dict[str, Pod] = {}
    expected: dict[str, list[str]] = {name: [] for name in NODE_NAMES}
    for is_bind, index, node in operations:
        pod = pool[index % len(pool)]
        if is_bind and pod.name not in bound:
            bound[pod.name] = replace(pod, node_name=node)
            snapshot.bind(bound[pod.name], node)
            expected[node].append(pod.name)
        elif not is_bind and pod.name in bound:
            gone = bound.pop(pod.name)
            assert snapshot.remove_pod(gone)
            expected[gone.node_name].remove(pod.name)
    for info in snapshot:
        assert sorted(p.name for p in info.pods) == sorted(expected[info.name])
        assert_aggregates_match_pods(info)
    assert snapshot.have_pods_with_affinity() == [i for i in snapshot if i.pods_with_affinity]
    assert snapshot.have_pods_with_required_anti_affinity() == [
        i for i in snapshot if i.pods_with_required_anti_affinity
    ]
