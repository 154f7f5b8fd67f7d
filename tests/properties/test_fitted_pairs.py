"""The fitted pair generator: valid objects, mutants signed apart, and nodes that tell pairs apart."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Container, Pod, Toleration
from batchproof.model.resources import pod_non_zero_resource, pod_resource
from batchproof.model.validation import validate_pod
from batchproof.properties.fitted import fitted_clusters
from batchproof.properties.fitted_pairs import GROUPS, fitted_pair_batches, strict_signatures
from batchproof.properties.moves import node_affinity_moves, request_moves, toleration_moves
from batchproof.properties.pairs import compare_plugin
from batchproof.properties.signatures import PairCase, PluginUnderTest
from batchproof.properties.statistics import PathCounter
from batchproof.properties.strategies.objects import stored_pod
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
