"""The fitted pair generator: valid objects, mutants signed apart, and nodes that tell pairs apart."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given, settings

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Container, Pod, Toleration
from batchproof.model.resources import pod_non_zero_resource, pod_resource
from batchproof.model.validation import validate_pod
from batchproof.properties.campaign.evidence import Subject, pair_candidates
from batchproof.properties.campaign.searches import gap_searches
from batchproof.properties.fitted import fitted_clusters
from batchproof.properties.fitted_pairs import GROUPS, fitted_pair_batches, moved_pair_cases, strict_signatures
from batchproof.properties.moves import (
    container_moves,
    label_moves,
    node_affinity_moves,
    port_moves,
    request_moves,
    toleration_moves,
)
from batchproof.properties.pairs import compare_plugin, plugin_signature
from batchproof.properties.signatures import PairCase, PluginUnderTest
from batchproof.properties.statistics import PathCounter
from batchproof.properties.strategies.objects import (
    SELECTED_LABELS,
    host_port_pods,
    lean_pods,
    sparse_request_pods,
    stored_pod,
)
from batchproof.properties.world import Cluster
from tests.properties.test_generated_validity import _check_node, _check_pod


def test_every_fitted_pod_node_and_bound_pod_validates() -> None:
    counter = PathCounter("fitted/validity")

    @settings(max_examples=60)
    @given(fitted_pair_batches())
    def check(cases: tuple[PairCase, ...]) -> None:
        cluster = cases[0].cluster
        assert all(case.cluster == cluster for case in cases), "a batch shares one cluster"
        names = [node.name for node in cluster.nodes]
        assert len(names) == len(set(names))
        for node in cluster.nodes:
            _check_node(node, counter)
        for pod in cluster.existing:
            assert pod.node_name in names, "bound pods sit on fitted nodes"
        for pod in (*cluster.existing, *(p for case in cases for p in (case.first, case.second))):
            _check_pod(pod, counter)
        for case in cases:
            if case.first != case.second:
                counter.hit("mutant")

    check()
    counter.require("node checked", "pod checked", "mutant")


def test_every_mutant_of_a_batch_is_signed_apart_by_some_strict_signer() -> None:
    counter = PathCounter("fitted/signed")

    @settings(max_examples=40)
    @given(fitted_pair_batches())
    def check(cases: tuple[PairCase, ...]) -> None:
        for case in cases:
            if case.first == case.second:
                continue
            if case.mutations[0].kind in ("move", "balanced"):
                counter.hit("move")
                continue
            assert strict_signatures(case.first) != strict_signatures(case.second), case.mutations
            counter.hit("signed apart")

    check()
    counter.require("signed apart", "move")


def _pod(**changes: object) -> Pod:
    base = Pod(name="p", namespace="default", containers=(Container(name="c0", image="nginx"),))
    stored = stored_pod(replace(base, **changes))  # type: ignore[arg-type]
    assert stored is not None
    return stored


def test_request_moves_hit_both_sides_of_the_non_zero_default() -> None:
    """Setting a missing cpu request to the default keeps the scoring view and changes the
    aggregate; setting it to 0 does the opposite (spec §10.6.2)."""
    pod = _pod()
    moves = dict(request_moves(pod))
    to_default = moves["containers[0].requests.cpu = 100 (the default)"]
    to_zero = moves["containers[0].requests.cpu = 0"]
    assert pod_non_zero_resource(to_default) == pod_non_zero_resource(pod)
    assert pod_resource(to_default) != pod_resource(pod)
    assert pod_non_zero_resource(to_zero) != pod_non_zero_resource(pod)
    assert pod_resource(to_zero) == pod_resource(pod)
    gpu = stored_pod(moves["containers[0].requests.example.com/gpu + 1"])
    assert gpu is not None, "an extended request comes with the equal limit validation needs"
    assert validate_pod(gpu) == ()


def test_toleration_and_node_affinity_moves_change_one_field() -> None:
    pod = _pod(tolerations=(Toleration(key="dedicated", operator="Exists", effect="NoSchedule"),))
    names = [name for name, _ in toleration_moves(pod)]
    assert "tolerations[0].operator = Equal" in names
    assert {"tolerations[0].effect = (all)", "tolerations[0].effect = NoExecute"} <= set(names)
    assert node_affinity_moves(pod) == []


def test_a_fitted_cluster_always_tells_a_node_selector_pair_apart() -> None:
    """Every pod gets a node fitted to it, so pods apart only by a nodeSelector value always
    meet a node that filters them apart."""
    counter = PathCounter("fitted/selector")
    plugin = PluginUnderTest("NodeAffinity").build("strict")
    first = _pod(node_selector=FrozenDict({"disk": "a"}))
    second = _pod(node_selector=FrozenDict({"disk": "b"}))

    @settings(max_examples=30)
    @given(fitted_clusters((first, second)))
    def check(cluster: Cluster) -> None:
        differences = compare_plugin(plugin, first, second, cluster.snapshot())
        assert any(d.point == "filter" for d in differences), differences
        counter.hit("told apart")

    check()
    counter.require("told apart")


def test_the_groups_cover_what_in_tree_plugins_read() -> None:
    groups = {
        "tolerations",
        "node_selector",
        "affinity",
        "labels",
        "resources",
        "ports",
        "volumes",
        "node_name",
        "images",
    }
    assert set(GROUPS) == groups


def test_container_moves_keep_the_aggregate_that_upstream_signs() -> None:
    """A container (or init container) without requests added or removed leaves the aggregate
    request, which is all upstream's Fit signer sees, and changes the scoring view (non-zero
    defaults per container) whenever it is an app container (spec §10.6.2)."""
    counter = PathCounter("moves/containers")
    upstream = PluginUnderTest("NodeResourcesFit").build("upstream")

    @settings(max_examples=60)
    @given(sparse_request_pods())
    def check(pod: Pod) -> None:
        for name, moved in container_moves(pod):
            stored = stored_pod(moved)
            if stored is None:
                continue
            assert pod_resource(stored) == pod_resource(pod), name
            assert plugin_signature(upstream, stored) == plugin_signature(upstream, pod), name
            if name.startswith("containers"):
                assert pod_non_zero_resource(stored) != pod_non_zero_resource(pod), name
            counter.hit(name.split("[")[0].split(" ")[0])

    check()
    counter.require("containers", "init_containers")


# What each targeted campaign search must reach through its boundary moves alone.
GAP_FIELDS = {
    "host-ports": ("containers.ports.protocol", "containers.ports.host_ip"),
    "container-requests": ("containers", "init_containers"),
    "pod-labels": ("labels",),
    "pod-namespace": ("namespace",),
}
MOVES = {
    "host-ports": (host_port_pods, (port_moves,)),
    "container-requests": (sparse_request_pods, (request_moves, container_moves)),
    "pod-labels": (lambda: lean_pods(namespaces=("default", "ns1"), labels=SELECTED_LABELS), (label_moves,)),
    "pod-namespace": (lambda: lean_pods(namespaces=("default", "ns1"), labels=SELECTED_LABELS), (label_moves,)),
}


@pytest.mark.parametrize("gap", sorted(GAP_FIELDS))
def test_boundary_moves_on_fitted_clusters_reach_each_upstream_gap(gap: str) -> None:
    """The moved half of each gap search finds the gap's fields with upstream signers (spec §10.6)."""
    counter = PathCounter(f"moves/{gap}")
    plugin = gap_searches()[gap][0]
    first, moves = MOVES[gap]

    @settings(max_examples=300)
    @given(moved_pair_cases(first(), moves))
    def check(case: PairCase) -> None:
        for candidate in pair_candidates("t", Subject.of(plugin), "upstream", case, Counter()):
            counter.hit(candidate.key.field)

    check()
    counter.require(*GAP_FIELDS[gap])
