"""Plugin behaviour corrected to agree with upstream v1.37.2, as the oracle diff showed (issue 10).

Each test pins one disagreement the plugin-level diff (``batchproof/properties/upstream``) met,
with the upstream file it follows: nil maps sign as ``null``, signer strings are Go's
``json.Marshal`` of the signer structs, TaintToleration's v1.37 reason, ImageLocality's set-valued
fragment and the scheduler cache's image sizes, DynamicResources' Score, and the v1.37 gates.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.evaluate import evaluate_plugin
from batchproof.model.framework.features import FeatureGates
from batchproof.model.framework.interfaces import PluginContext, SignerMode
from batchproof.model.framework.status import Code
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import (
    Affinity,
    Container,
    ContainerImage,
    Node,
    NodeAffinity,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    Pod,
    PreferredSchedulingTerm,
    Taint,
)
from batchproof.model.plugins.helpers.signers import (
    IMAGE_NAMES_SIGNER,
    LABELS_SIGNER,
    NODE_AFFINITY_SIGNER,
    NODE_SELECTOR_SIGNER,
    go_json,
)
from batchproof.model.plugins.image_locality import MB
from batchproof.model.plugins.registry import DEFAULT_REGISTRY
from batchproof.model.profiles import batching_profile, default_profile


def plugin(name: str, mode: SignerMode = "upstream", args: dict[str, Any] | None = None) -> Any:
    return DEFAULT_REGISTRY.create(name, args, PluginContext(signers=mode))


def fragments(name: str, pod: Pod, mode: SignerMode = "upstream", args: dict[str, Any] | None = None) -> dict[str, Any]:
    values, status = plugin(name, mode, args).sign_pod(pod)
    assert status.is_success
    return {f.key: f.value for f in values or ()}


# -- nil maps: nodeaffinity/node_affinity.go and interpodaffinity/plugin.go SignPod -----------------


@pytest.mark.parametrize("mode", ["upstream", "strict"])
def test_an_empty_node_selector_signs_as_null_like_a_nil_go_map(mode: SignerMode) -> None:
    assert fragments("NodeAffinity", Pod(name="p"), mode)[NODE_SELECTOR_SIGNER] is None
    selected = Pod(name="p", node_selector=FrozenDict({"disk": "ssd"}))
    assert fragments("NodeAffinity", selected, mode)[NODE_SELECTOR_SIGNER] == {"disk": "ssd"}


@pytest.mark.parametrize("mode", ["upstream", "strict"])
def test_no_labels_sign_as_null_for_inter_pod_affinity(mode: SignerMode) -> None:
    assert fragments("InterPodAffinity", Pod(name="p"), mode)[LABELS_SIGNER] is None
    labelled = Pod(name="p", labels=FrozenDict({"app": "web"}))
    assert fragments("InterPodAffinity", labelled, mode)[LABELS_SIGNER] == {"app": "web"}


def test_the_aggregated_signature_carries_null_for_empty_selector_and_labels() -> None:
    signed = batching_profile().build().sign_pod(Pod(name="p", containers=(Container("c", image="nginx"),)))
    assert signed is not None
    body = json.loads(signed)
    assert body[NODE_SELECTOR_SIGNER] is None
    assert body[LABELS_SIGNER] is None


# -- Go's json.Marshal of the signer structs: kube-scheduler framework/signers.go --------------------


def test_preferred_terms_are_marshalled_in_go_struct_field_order() -> None:
    """prefSchedTermSignResult{Weight, Preference}: Weight first, as Go writes struct fields."""
    term = NodeSelectorTerm(
        match_expressions=(NodeSelectorRequirement("app", "NotIn", ("2", "1")),),
        match_fields=(NodeSelectorRequirement("metadata.name", "In", ("node-3",)),),
    )
    pod = Pod(name="p", affinity=Affinity(node_affinity=NodeAffinity(preferred=(PreferredSchedulingTerm(60, term),))))
    value = fragments("NodeAffinity", pod)[NODE_AFFINITY_SIGNER]
    assert value["Required"] == []
    assert value["Preferred"] == [
        '{"Weight":60,"Preference":{"MatchExpressions":["{\\"key\\":\\"app\\",\\"operator\\":\\"NotIn\\",'
        '\\"values\\":[\\"1\\",\\"2\\"]}"],"MatchFields":["{\\"key\\":\\"metadata.name\\",\\"operator\\":'
        '\\"In\\",\\"values\\":[\\"node-3\\"]}"]}}'
    ]


def test_go_json_keeps_field_order_and_escapes_html_like_go() -> None:
    assert go_json({"b": 1, "a": [True, None]}) == '{"b":1,"a":[true,null]}'
    assert go_json({"k": "<a&b>\u2028"}) == '{"k":"\\u003ca\\u0026b\\u003e\\u2028"}'


# -- TaintToleration: tainttoleration/taint_toleration.go Filter (v1.37) -----------------------------


def test_taint_toleration_filter_reason_is_the_v1_37_text() -> None:
    snapshot = Snapshot([Node("a", taints=(Taint("dedicated", "user1", "NoSchedule"),))])
    status = plugin("TaintToleration").filter(CycleState(snapshot), Pod(name="p"), snapshot.node_infos()[0])
    assert (status.code, status.reasons) == (Code.UNSCHEDULABLE_AND_UNRESOLVABLE, ("node(s) had untolerated taint(s)",))


# -- ImageLocality: imagelocality/image_locality.go and backend/cache/cache.go -----------------------


def image_pod(*images: str) -> Pod:
    return Pod(name="p", containers=tuple(Container(f"c{i}", image=image) for i, image in enumerate(images)))


def test_upstream_signs_the_set_of_canonical_image_names() -> None:
    """SignPod inserts the names into a set: a repeated image signs once (upstream)."""
    assert fragments("ImageLocality", image_pod("busybox", "busybox:latest"))[IMAGE_NAMES_SIGNER] == ["busybox:latest"]


def test_strict_keeps_repeats_because_score_counts_them_an_upstream_gap() -> None:
    """Score counts a repeated image twice (in the sum and the image count), so one image and the
    same image twice sign alike upstream yet score apart: strict signs the list with repeats."""
    snapshot = Snapshot([Node("a", images=(ContainerImage(("x:latest",), 500 * MB),))])
    once, twice = image_pod("x"), image_pod("x", "x")
    assert evaluate_plugin(plugin("ImageLocality"), once, snapshot).raw == {"a": 48}  # 477 * 100 / 977
    assert evaluate_plugin(plugin("ImageLocality"), twice, snapshot).raw == {"a": 49}  # 977 * 100 / 1977
    assert fragments("ImageLocality", once) == fragments("ImageLocality", twice)
    assert fragments("ImageLocality", once, "strict") != fragments("ImageLocality", twice, "strict")


def test_image_size_is_the_first_reported_cluster_wide_as_the_scheduler_cache_keeps_it() -> None:
    """addNodeImageStates: the first node to report a name fixes its size; node-0's own 300 MiB is
    ignored for the 900 MiB node-6 reported first (the oracle's case: upstream 28, not 7)."""
    nodes = [
        Node("node-5"),
        Node("node-6", images=(ContainerImage(("nginx:latest",), 900 * MB),)),
        Node("node-11"),
        Node("node-7"),
        Node("node-0", images=(ContainerImage(("nginx:latest",), 300 * MB),)),
        Node("node-4"),
    ]
    raw = evaluate_plugin(plugin("ImageLocality"), image_pod("nginx"), Snapshot(nodes)).raw
    # 900 MiB * 2/6 = 300 MiB on both nodes: 100 * (300 - 23) / (1000 - 23) = 28
    assert raw["node-0"] == raw["node-6"] == 28


def test_snapshot_image_sizes_follow_the_cache_through_node_updates_and_removals() -> None:
    first = Node("a", images=(ContainerImage(("x:latest",), 10), ContainerImage(("x:latest",), 20)))
    snapshot = Snapshot([first, Node("b", images=(ContainerImage(("x:latest",), 30),))])
    assert snapshot.image_size("x:latest") == 10  # the first entry of the first node
    snapshot.remove_node("a")
    assert snapshot.image_size("x:latest") == 10  # still held by b: the cache keeps the entry
    snapshot.update_node(Node("b", images=(ContainerImage(("x:latest",), 40),)))
    assert snapshot.image_size("x:latest") == 40  # b was the only holder: the entry was recreated
    snapshot.update_node(Node("b"))
    assert snapshot.image_size("x:latest") == 0
    assert snapshot.image_num_nodes("x:latest") == 0
    clone = Snapshot([first]).clone()
    assert clone.image_size("x:latest") == 10


# -- DynamicResources: dynamicresources/dynamicresources.go Score (weight 2 in v1.37) ----------------


def test_dynamic_resources_scores_zero_for_pods_without_claims_and_errors_without_state() -> None:
    snapshot = Snapshot([Node("a"), Node("b")])
    result = evaluate_plugin(plugin("DynamicResources"), Pod(name="p"), snapshot)
    assert result.pre_filter is not None and result.pre_filter.code is Code.SKIP
    assert result.raw == {"a": 0, "b": 0}
    assert result.normalized == {"a": 0, "b": 0}
    _, status = plugin("DynamicResources").score(CycleState(snapshot), Pod(name="p"), snapshot.node_infos()[0])
    assert status.code is Code.ERROR


def test_dynamic_resources_scores_with_weight_two_in_the_default_profile() -> None:
    weights = {s.plugin.name: s.weight for s in default_profile().build().score_plugins}
    assert weights["DynamicResources"] == 2


# -- v1.37 gate defaults: pkg/features/kube_features.go -----------------------------------------------


def test_storage_capacity_scoring_is_on_by_default_as_in_v1_37() -> None:
    assert FeatureGates().storage_capacity_scoring is True
    assert FeatureGates().to_json()["StorageCapacityScoring"] is True
