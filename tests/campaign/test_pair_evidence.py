"""Pair evidence (campaign/evidence.py): differences the framework makes nothing of are no finding.

A PreFilter Skip and a PreFilter Success whose Filter passes everywhere place a pod alike, as
upstream/compare.py judges upstream's own answers; reduction must not keep a pair whose only
difference is that (it did, and upstream then said "does not reproduce").
"""

from __future__ import annotations

from collections import Counter

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Container, ContainerPort, Node, Pod
from batchproof.properties.campaign.evidence import Subject, pair_candidates, same_effect
from batchproof.properties.pairs import Difference
from batchproof.properties.signatures import PairCase
from batchproof.properties.strategies.objects import stored_pod
from batchproof.properties.world import Cluster

NODE = Node(
    "node-0",
    labels=FrozenDict({"kubernetes.io/hostname": "node-0"}),
    capacity=FrozenDict({"cpu": 4000, "memory": 4 * 1024**3, "pods": 110}),
    allocatable=FrozenDict({"cpu": 4000, "memory": 4 * 1024**3, "pods": 110}),
)


def _pod(name: str, *, sidecar: bool) -> Pod:
    init = Container(
        name="init-0",
        image="busybox",
        restart_policy="Always" if sidecar else "",
        ports=(ContainerPort(container_port=8080, host_port=443),),
    )
    pod = stored_pod(Pod(name=name, containers=(Container(name="c1", image="nginx"),), init_containers=(init,)))
    assert pod is not None
    return pod


def _candidates(cluster: Cluster) -> list[str]:
    case = PairCase(_pod("p", sidecar=False), _pod("p", sidecar=True), (), cluster)
    found = pair_candidates("t", Subject("NodePorts"), "upstream", case, Counter())
    return [c.key.field for c in found]


def test_skip_against_a_filter_that_passes_everywhere_is_no_finding() -> None:
    """Upstream signs every init container's host ports but checks only sidecars' (spec §10.6.1):
    on a node where nothing holds port 443 both pods pass, so there is nothing to report."""
    assert _candidates(Cluster((NODE,))) == []


def test_the_same_pair_is_a_finding_where_a_bound_pod_holds_the_port() -> None:
    holder = stored_pod(
        Pod(
            name="holder",
            node_name="node-0",
            containers=(Container(name="c", image="nginx", ports=(ContainerPort(container_port=80, host_port=443),)),),
        )
    )
    assert holder is not None
    assert _candidates(Cluster((NODE,), (holder,))) == ["init_containers.restart_policy"]


def test_same_effect_keeps_differences_that_change_what_the_framework_does() -> None:
    skip, success, rejected = ("Skip", ()), ("Success", ()), ("Unschedulable", ("node(s) didn't have free ports",))
    assert same_effect(Difference("NodePorts", "preFilter", None, skip, success))
    assert same_effect(Difference("NodePorts", "filter", "n", None, success))
    assert not same_effect(Difference("NodePorts", "filter", "n", None, rejected))
    assert same_effect(Difference("ImageLocality", "raw", "n", (0, success), None))
    assert not same_effect(Difference("ImageLocality", "raw", "n", (7, success), None))
    assert same_effect(Difference("ImageLocality", "normalized", "n", None, 0))
    assert not same_effect(Difference("NodePorts", "preFilter", None, rejected, success))
    assert not same_effect(Difference("X", "filter", "n", success, rejected))
