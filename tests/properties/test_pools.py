"""Pools (strategies/pools.py): drawn once per key and seed, picked mostly from, fresh sometimes;
pooled nodes renamed in order keep their hostname label."""

from __future__ import annotations

from hypothesis import given, settings

from batchproof.model.objects import Node, Pod
from batchproof.properties.statistics import PathCounter
from batchproof.properties.strategies.objects import NODE_NAMES, lean_pods, nodes, numbered_node_lists
from batchproof.properties.strategies.pools import drawn_once, pooled
from tests.properties.test_generated_validity import _check_node


def test_a_pool_is_the_same_for_the_same_seed_and_another_for_another() -> None:
    first = drawn_once(lean_pods(), key="test-lean", seed_value=1, size=40)
    assert drawn_once(lean_pods(), key="test-lean", seed_value=1, size=40) is first
    assert len(first) == len(set(first)) > 20, "distinct examples"
    other = drawn_once(lean_pods(), key="test-lean", seed_value=2, size=40)
    assert other != first


def test_pooled_picks_come_from_the_pool_and_sometimes_fresh() -> None:
    counter = PathCounter("pools/picks")
    pool = set(drawn_once(lean_pods(), key="test-lean", seed_value=3, size=40))
    strategy = pooled(lean_pods(), key="test-lean", seed_value=3, size=40)

    @settings(max_examples=300)
    @given(strategy)
    def check(pod: Pod) -> None:
        counter.hit("from the pool" if pod in pool else "fresh")

    check()
    counter.require("from the pool", "fresh")
    assert counter.counts["from the pool"] > counter.counts["fresh"]


def test_numbered_node_lists_rename_pooled_nodes_in_order() -> None:
    counter = PathCounter("pools/nodes")
    strategy = numbered_node_lists(pooled(nodes(), key="test-nodes", seed_value=0, size=30), min_size=2, max_size=6)

    @settings(max_examples=60)
    @given(strategy)
    def check(listed: list[Node]) -> None:
        assert [n.name for n in listed] == list(NODE_NAMES[: len(listed)])
        for node in listed:
            assert node.labels["kubernetes.io/hostname"] == node.name
            _check_node(node, counter)

    check()
    counter.require("node checked")
