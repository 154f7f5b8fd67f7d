"""The prover never reports a counterexample built from objects the API server rejects (issue 12)."""

from __future__ import annotations

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Affinity, Container, Node, NodeAffinity, Pod
from batchproof.properties.symbolic.completeness import check
from batchproof.properties.symbolic.encodings.node_affinity import NodeAffinityModel
from batchproof.properties.symbolic.stored import rejection, stored_pod
from batchproof.properties.world import Cluster


def test_a_realised_pod_gets_what_no_plugin_read_and_is_defaulted() -> None:
    pod = stored_pod(
        Pod(
            name="p",
            containers=(Container("c0", requests=FrozenDict({"example.com/gpu": 1}), limits=FrozenDict({"cpu": 500})),),
        )
    )
    container = pod.containers[0]
    assert container.image
    assert container.limits == {"cpu": 500, "example.com/gpu": 1}
    assert container.requests == {"cpu": 500, "example.com/gpu": 1}
    assert rejection(pod, pod, Cluster((Node("n1"),))) is None


def test_a_realisation_the_api_server_rejects_is_named_and_dropped() -> None:
    empty_terms = Pod(
        name="p", containers=(Container("c0", image="x"),), affinity=Affinity(node_affinity=NodeAffinity(required=()))
    )
    reason = rejection(empty_terms, empty_terms, Cluster((Node("n1"),)))
    assert reason is not None
    assert "nodeSelectorTerms: Required value: must have at least one node selector term" in reason


def test_node_affinity_filter_is_proved_over_valid_pods() -> None:
    """Upstream's NodeAffinity signer was 'refuted' only by a pod with nodeSelectorTerms: [], which
    validation rejects; over valid pods the fragment is complete."""
    result = check(NodeAffinityModel(), "upstream", "filter")
    assert result.status == "proved", result.describe()
