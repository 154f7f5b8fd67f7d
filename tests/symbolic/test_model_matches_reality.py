"""Each symbolic model, evaluated concretely, gives exactly what the real plugin gives.

The model runs with literals for every field and the real helpers for every uninterpreted
function; the plugin runs through ``evaluate_plugin``. Filter codes, PreScore statuses, raw and
normalised scores must agree on every node, so the encodings cannot drift from the code. A second
property checks that equal real signatures imply every fragment part the proofs assume.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batchproof.model.framework.interfaces import SignerMode
from batchproof.properties.signatures import PairCase, pair_cases
from batchproof.properties.statistics import PathCounter
from batchproof.properties.strategies import pods
from batchproof.properties.strategies.clusters import clusters
from batchproof.properties.strategies.objects import NODE_NAMES, SELECTED_LABELS, anti_affinity_pods, lean_pods
from batchproof.properties.symbolic.encoder import OutOfModel
from batchproof.properties.symbolic.encodings import MODELS
from batchproof.properties.symbolic.model import SymbolicModel
from batchproof.properties.symbolic.reality import equal_signatures, fragment_parts, observe
from batchproof.properties.symbolic.samples import image_pods, volume_clusters, volume_pods
from batchproof.properties.world import Cluster

# pods() never sets spec.nodeName; NodeName needs pods that name one of the cluster's nodes
NAMED_PODS = st.builds(lambda pod, name: replace(pod, node_name=name), pods(), st.sampled_from(("", *NODE_NAMES[:4])))
GENERAL = (
    NAMED_PODS,
    clusters(max_nodes=3, max_existing_pods=3, existing_pods=st.one_of(pods(), anti_affinity_pods())),
)
VOLUMES = (volume_pods(), volume_clusters())
IMAGES = (image_pods(), clusters(max_nodes=3, max_existing_pods=1))
VOLUME_PLUGINS = ("VolumeRestrictions", "VolumeZone", "VolumeBinding", "NodeVolumeLimits")
EXAMPLES = 80
# InterPodAffinity rejects or scores only when a bound pod's term selects the incoming pod's
# labels in its namespace: rare on the general inputs, so half its inputs are built for it.
INTER_POD = (
    st.one_of(NAMED_PODS, lean_pods(namespaces=("default", "ns1"), labels=SELECTED_LABELS)),
    st.one_of(
        GENERAL[1],
        clusters(
            max_nodes=3,
            min_existing_pods=1,
            max_existing_pods=3,
            existing_pods=anti_affinity_pods(namespaces=("default", "ns1")),
        ),
    ),
)


def inputs(model: SymbolicModel) -> tuple[st.SearchStrategy, st.SearchStrategy]:  # type: ignore[type-arg]
    if model.plugin in VOLUME_PLUGINS:
        return VOLUMES
    if model.plugin == "ImageLocality":
        return IMAGES
    if model.plugin == "InterPodAffinity":
        return INTER_POD
    return GENERAL


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.title)
def test_symbolic_model_equals_the_real_plugin(model: SymbolicModel) -> None:
    counter = PathCounter(f"reality/{model.title}")
    pod_strategy, cluster_strategy = inputs(model)

    @settings(max_examples=EXAMPLES)
    @given(pod=pod_strategy, cluster=cluster_strategy)
    def check(pod: object, cluster: Cluster) -> None:
        try:
            observed = observe(model, pod, cluster)  # type: ignore[arg-type]
        except OutOfModel:
            counter.hit("outside the model")
            return
        counter.hit("compared")
        if any(not o.trivial for o in observed):
            counter.hit("plugin rejected or scored")
        assert all(o.agrees for o in observed), [o.describe() for o in observed if not o.agrees]

    check()
    counter.require("compared")
    if not model.trivial:
        counter.require("plugin rejected or scored")


FIRST_PODS = st.one_of(pods(), volume_pods(), image_pods())


@pytest.mark.parametrize("signers", ["upstream", "strict"])
def test_equal_real_signatures_imply_every_fragment_part(signers: SignerMode) -> None:
    """Soundness of the proofs: the parts Z3 assumes equal are equal whenever the signatures are."""
    counter = PathCounter(f"fragments/{signers}")

    @settings(max_examples=150)
    @given(case=pair_cases(first=FIRST_PODS, cluster=st.just(Cluster(()))))
    def check(case: PairCase) -> None:
        for model in MODELS:
            if case.first == case.second or not equal_signatures(model, signers, case.first, case.second):
                continue
            try:
                parts = fragment_parts(model, signers, case.first, case.second)
            except OutOfModel:
                continue
            counter.hit("equal signatures, different pods")
            assert all(parts.values()), (model.title, {k: v for k, v in parts.items() if not v}, case.mutations)

    check()
    counter.require("equal signatures, different pods")
