"""Generated inputs are valid by construction: every pod and node a strategy draws is one the API
server would store (validation passes, defaulting and Priority admission change nothing)."""

from __future__ import annotations

import pytest
from hypothesis import given

from batchproof.model.manifests.admission import admit_pod
from batchproof.model.manifests.defaults import default_pod
from batchproof.model.objects import Node, Pod
from batchproof.model.profiles import built_in_profile
from batchproof.model.validation import validate_node, validate_pod
from batchproof.properties.lockstep import Scenario
from batchproof.properties.statistics import PathCounter
from batchproof.properties.strategies import pods
from batchproof.properties.strategies.clusters import clusters
from batchproof.properties.strategies.objects import (
    anti_affinity_pods,
    host_port_pods,
    lean_pods,
    node_lists,
    sparse_request_pods,
)
from batchproof.properties.strategies.workloads import scenarios
from batchproof.properties.world import Cluster

POD_STRATEGIES = {
    "pods": pods(),
    "signable pods": pods(affinity=False, spread=False, volumes_=False),
    "lean pods": lean_pods(),
    "sparse request pods": sparse_request_pods(),
    "host port pods": host_port_pods(),
    "anti-affinity pods": anti_affinity_pods(),
}


def _check_pod(pod: Pod, counter: PathCounter) -> None:
    assert validate_pod(pod) == (), [str(e) for e in validate_pod(pod)]
    assert default_pod(pod) == pod, "a generated pod must already be defaulted"
    assert admit_pod(pod, ()).priority in (pod.priority, 0)
    counter.hit("pod checked")


def _check_node(node: Node, counter: PathCounter) -> None:
    assert validate_node(node) == (), [str(e) for e in validate_node(node)]
    counter.hit("node checked")


@pytest.mark.parametrize("name", list(POD_STRATEGIES))
def test_every_generated_pod_validates(name: str) -> None:
    counter = PathCounter(f"validity/{name}")

    @given(POD_STRATEGIES[name])
    def check(pod: Pod) -> None:
        _check_pod(pod, counter)

    check()
    counter.require("pod checked")


def test_every_generated_node_and_cluster_validates() -> None:
    counter = PathCounter("validity/clusters")

    @given(node_lists(), clusters(max_nodes=4, max_existing_pods=3))
    def check(nodes: list[Node], cluster: Cluster) -> None:
        for node in [*nodes, *cluster.nodes]:
            _check_node(node, counter)
        for pod in cluster.existing:
            _check_pod(pod, counter)

    check()
    counter.require("node checked", "pod checked")


def test_every_pod_of_a_generated_scenario_validates() -> None:
    counter = PathCounter("validity/scenarios")

    @given(scenarios(profiles=(built_in_profile("batching"),), events=True))
    def check(scenario: Scenario) -> None:
        for pod in (*scenario.pods, *scenario.cluster.existing):
            _check_pod(pod, counter)
        for node in scenario.cluster.nodes:
            _check_node(node, counter)

    check()
    counter.require("pod checked", "node checked")


def test_the_validity_check_can_fail() -> None:
    """The property is not vacuous: an object the API server rejects fails it."""
    counter = PathCounter("validity/negative")
    with pytest.raises(AssertionError, match=r"spec\.containers"):
        _check_pod(Pod(name="p"), counter)
    with pytest.raises(AssertionError, match=r"metadata\.name"):
        _check_node(Node("Node_A"), counter)
    assert not counter.counts
