"""InterPodAffinity behaviour the upstream fixtures do not cover: signer gaps, args, namespaces."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.errors import ConfigError
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.evaluate import PluginEvaluation, evaluate_plugin
from batchproof.model.framework.features import FeatureGates
from batchproof.model.framework.interfaces import PluginContext, SignerMode
from batchproof.model.framework.status import Code
from batchproof.model.frozen import FrozenDict
from batchproof.model.manifests.load import ClusterObjects
from batchproof.model.objects import (
    Affinity,
    LabelSelector,
    LabelSelectorRequirement,
    Namespace,
    Node,
    Pod,
    PodAffinity,
    PodAffinityTerm,
    WeightedPodAffinityTerm,
)
from batchproof.model.plugins.helpers.signers import LABELS_SIGNER, NAMESPACE_SIGNER
from batchproof.model.plugins.interpodaffinity.plugin import InterPodAffinity
from batchproof.model.plugins.interpodaffinity.scoring import PRE_SCORE_STATE_KEY, PreScoreState
from batchproof.model.plugins.registry import DEFAULT_REGISTRY

ZONE = "topology.kubernetes.io/zone"


def _plugin(*, signers: SignerMode = "upstream", features: FeatureGates | None = None, **args: Any) -> InterPodAffinity:
    context = PluginContext(features=features or FeatureGates(), signers=signers)
    plugin: InterPodAffinity = DEFAULT_REGISTRY.create("InterPodAffinity", args, context)
    return plugin


def _selector(**labels: str) -> LabelSelector:
    return LabelSelector(match_labels=FrozenDict(labels))


def _term(selector: LabelSelector | None, *, key: str = ZONE, **fields: Any) -> PodAffinityTerm:
    return PodAffinityTerm(topology_key=key, label_selector=selector, **fields)


def _pod(
    name: str,
    *,
    namespace: str = "default",
    labels: Mapping[str, str] | None = None,
    node: str = "",
    affinity: Affinity | None = None,
    deleting: bool = False,
) -> Pod:
    return Pod(
        name=name,
        namespace=namespace,
        labels=FrozenDict(labels or {}),
        node_name=node,
        affinity=affinity,
        deletion_timestamp="2024-01-01T00:00:00Z" if deleting else None,
    )


def _anti(*required: PodAffinityTerm) -> Affinity:
    return Affinity(pod_anti_affinity=PodAffinity(required=required))


def _nodes(*zones: str) -> list[Node]:
    return [Node(name=f"node-{z}", labels=FrozenDict({ZONE: z, "kubernetes.io/hostname": f"node-{z}"})) for z in zones]


def _cluster(pods: list[Pod], namespaces: tuple[Namespace, ...] = ()) -> Snapshot:
    return Snapshot(_nodes("a", "b"), pods, objects=ClusterObjects(namespaces=namespaces))


def _filter_codes(evaluation: PluginEvaluation) -> dict[str, Code]:
    if evaluation.pre_filter is not None and evaluation.pre_filter.is_skip:
        return dict.fromkeys(("node-a", "node-b"), Code.SUCCESS)
    return {name: status.code for name, status in evaluation.filter.items()}


# -- signatures ---------------------------------------------------------------------------------


def test_upstream_signs_nothing_with_the_ignore_option_although_filter_reads_labels() -> None:
    guard = _pod("guard", labels={"app": "guard"}, node="node-a", affinity=_anti(_term(_selector(app="web"))))
    cluster = _cluster([guard])
    web, db = _pod("web", labels={"app": "web"}), _pod("db", labels={"app": "db"})
    upstream = _plugin(ignorePreferredTermsOfExistingPods=True)
    strict = _plugin(ignorePreferredTermsOfExistingPods=True, signers="strict")

    assert upstream.sign_pod(web) == upstream.sign_pod(db)
    assert upstream.sign_pod(web)[0] is None
    assert _filter_codes(evaluate_plugin(upstream, web, cluster))["node-a"] is Code.UNSCHEDULABLE
    assert _filter_codes(evaluate_plugin(upstream, db, cluster))["node-a"] is Code.SUCCESS
    assert strict.sign_pod(web) != strict.sign_pod(db)


def test_upstream_never_signs_the_namespace_although_terms_are_namespace_scoped() -> None:
    # The guard's term has no namespaces and no namespaceSelector: it covers only its own namespace.
    guard = _pod("guard", namespace="a", node="node-a", affinity=_anti(_term(_selector(app="web"))))
    cluster = _cluster([guard])
    in_a, in_b = _pod("w1", namespace="a", labels={"app": "web"}), _pod("w2", namespace="b", labels={"app": "web"})
    upstream, strict = _plugin(), _plugin(signers="strict")

    assert upstream.sign_pod(in_a) == upstream.sign_pod(in_b)
    assert _filter_codes(evaluate_plugin(upstream, in_a, cluster))["node-a"] is Code.UNSCHEDULABLE
    assert _filter_codes(evaluate_plugin(upstream, in_b, cluster))["node-a"] is Code.SUCCESS
    assert strict.sign_pod(in_a) != strict.sign_pod(in_b)


def test_namespace_labels_decide_existing_pods_namespace_selectors_and_strict_signs_the_namespace() -> None:
    selector_term = _term(_selector(app="web"), namespace_selector=_selector(team="x"))
    guard = _pod("guard", namespace="other", node="node-a", affinity=_anti(selector_term))
    team_x = Namespace("team-x", FrozenDict({"team": "x"}))
    cluster = _cluster([guard], namespaces=(team_x,))
    in_x = _pod("w1", namespace="team-x", labels={"app": "web"})
    unlabelled = _pod("w2", namespace="no-object", labels={"app": "web"})
    upstream, strict = _plugin(), _plugin(signers="strict")

    assert upstream.sign_pod(in_x) == upstream.sign_pod(unlabelled)
    assert _filter_codes(evaluate_plugin(upstream, in_x, cluster))["node-a"] is Code.UNSCHEDULABLE
    assert _filter_codes(evaluate_plugin(upstream, unlabelled, cluster))["node-a"] is Code.SUCCESS
    assert strict.sign_pod(in_x) != strict.sign_pod(unlabelled)


def test_namespace_changes_scores_under_equal_upstream_signatures() -> None:
    preferred = WeightedPodAffinityTerm(5, _term(_selector(app="web")))
    magnet = _pod(
        "magnet", namespace="a", node="node-a", affinity=Affinity(pod_affinity=PodAffinity(preferred=(preferred,)))
    )
    cluster = _cluster([magnet])
    in_a, in_b = _pod("w1", namespace="a", labels={"app": "web"}), _pod("w2", namespace="b", labels={"app": "web"})
    upstream, strict = _plugin(), _plugin(signers="strict")

    assert upstream.sign_pod(in_a) == upstream.sign_pod(in_b)
    assert evaluate_plugin(upstream, in_a, cluster).normalized == {"node-a": 100, "node-b": 0}
    skipped = evaluate_plugin(upstream, in_b, cluster).pre_score
    assert skipped is not None
    assert skipped.code is Code.SKIP
    assert strict.sign_pod(in_a) != strict.sign_pod(in_b)


def test_strict_signs_labels_and_namespace_whatever_the_ignore_option() -> None:
    pod = _pod("p", namespace="ns", labels={"app": "web"})
    for ignore in (False, True):
        fragments, status = _plugin(signers="strict", ignorePreferredTermsOfExistingPods=ignore).sign_pod(pod)
        assert status.is_success
        assert fragments is not None
        assert {f.key: f.value for f in fragments} == {LABELS_SIGNER: {"app": "web"}, NAMESPACE_SIGNER: "ns"}


@pytest.mark.parametrize("signers", ["upstream", "strict"])
def test_pods_with_pod_affinity_or_anti_affinity_are_unsignable(signers: SignerMode) -> None:
    plugin = _plugin(signers=signers)
    for affinity in (Affinity(pod_affinity=PodAffinity()), Affinity(pod_anti_affinity=PodAffinity())):
        fragments, status = plugin.sign_pod(_pod("p", affinity=affinity))
        assert fragments is None
        assert status.code is Code.UNSCHEDULABLE


def test_equal_strict_fragments_give_equal_results() -> None:
    guard = _pod("guard", namespace="a", node="node-a", affinity=_anti(_term(_selector(app="web"))))
    preferred = WeightedPodAffinityTerm(3, _term(_selector(app="web"), namespaces=("a",)))
    magnet = _pod(
        "magnet", namespace="z", node="node-b", affinity=Affinity(pod_affinity=PodAffinity(preferred=(preferred,)))
    )
    cluster = _cluster([guard, magnet])
    strict = _plugin(signers="strict")
    first = _pod("one", namespace="a", labels={"app": "web"})
    second = Pod(
        name="two", namespace="a", labels=FrozenDict({"app": "web"}), priority=7, node_selector=FrozenDict({"x": "y"})
    )
    assert strict.sign_pod(first) == strict.sign_pod(second)
    one, two = evaluate_plugin(strict, first, cluster), evaluate_plugin(strict, second, cluster)
    assert one.filter == two.filter
    assert (one.raw, one.normalized) == (two.raw, two.normalized)


# -- filtering ----------------------------------------------------------------------------------


def test_terminating_pods_still_count() -> None:
    guard = _pod("guard", node="node-a", affinity=_anti(_term(_selector(app="web"))), deleting=True)
    result = evaluate_plugin(_plugin(), _pod("w", labels={"app": "web"}), _cluster([guard]))
    assert _filter_codes(result) == {"node-a": Code.UNSCHEDULABLE, "node-b": Code.SUCCESS}


def test_the_first_pod_of_a_self_affine_group_passes_on_nodes_with_the_key() -> None:
    affinity = Affinity(pod_affinity=PodAffinity(required=(_term(_selector(app="web")),)))
    pod = _pod("w", labels={"app": "web"}, affinity=affinity)
    snapshot = Snapshot([*_nodes("a"), Node(name="bare")])
    result = evaluate_plugin(_plugin(), pod, snapshot)
    assert result.filter["node-a"].is_success
    assert result.filter["bare"].code is Code.UNSCHEDULABLE_AND_UNRESOLVABLE


def test_match_label_keys_are_merged_only_with_the_feature_gate() -> None:
    term = _term(_selector(app="web"), match_label_keys=("version",))
    guard = _pod("guard", labels={"app": "web", "version": "v1"}, node="node-a", affinity=_anti(term))
    incoming = _pod("w", labels={"app": "web", "version": "v2"})
    on = _plugin(features=FeatureGates(match_label_keys_in_pod_affinity=True))
    off = _plugin(features=FeatureGates(match_label_keys_in_pod_affinity=False))
    assert _filter_codes(evaluate_plugin(on, incoming, _cluster([guard])))["node-a"] is Code.SUCCESS
    assert _filter_codes(evaluate_plugin(off, incoming, _cluster([guard])))["node-a"] is Code.UNSCHEDULABLE


def test_mismatch_label_keys_become_not_in() -> None:
    term = _term(_selector(app="web"), mismatch_label_keys=("tenant",))
    guard = _pod("guard", labels={"app": "web", "tenant": "t1"}, node="node-a", affinity=_anti(term))
    plugin = _plugin(features=FeatureGates(match_label_keys_in_pod_affinity=True))
    same = _pod("w1", labels={"app": "web", "tenant": "t1"})
    other = _pod("w2", labels={"app": "web", "tenant": "t2"})
    assert _filter_codes(evaluate_plugin(plugin, same, _cluster([guard])))["node-a"] is Code.SUCCESS
    assert _filter_codes(evaluate_plugin(plugin, other, _cluster([guard])))["node-a"] is Code.UNSCHEDULABLE


def test_an_existing_pod_with_an_invalid_selector_loses_that_term_list() -> None:
    bad = LabelSelector(match_expressions=(LabelSelectorRequirement("app", "In", ("{{bad}}",)),))
    guard = _pod("guard", node="node-a", affinity=_anti(_term(bad), _term(_selector(app="web"))))
    result = evaluate_plugin(_plugin(), _pod("w", labels={"app": "web"}), _cluster([guard]))
    assert result.pre_filter is not None
    assert result.pre_filter.is_skip


def test_an_invalid_preferred_term_fails_pre_filter_with_every_parse_error() -> None:
    bad_key = LabelSelector(match_expressions=(LabelSelectorRequirement("bad key", "Exists"),))
    bad_value = LabelSelector(match_expressions=(LabelSelectorRequirement("app", "In", ("{{x}}",)),))
    affinity = Affinity(
        pod_affinity=PodAffinity(required=(_term(bad_value),)),
        pod_anti_affinity=PodAffinity(preferred=(WeightedPodAffinityTerm(1, _term(bad_key)),)),
    )
    result = evaluate_plugin(_plugin(), _pod("p", affinity=affinity), _cluster([]))
    assert result.pre_filter is not None
    assert result.pre_filter.code is Code.UNSCHEDULABLE_AND_UNRESOLVABLE
    message = result.pre_filter.message
    assert message.startswith('parsing pod: [requiredAffinityTerms: values[0][app]: Invalid value: "{{x}}": ')
    assert 'preferredAntiAffinityTerms: key: Invalid value: "bad key": name part must consist of' in message
    assert message.endswith("]")


def test_filter_and_score_without_their_pre_state_are_errors() -> None:
    plugin, pod, cluster = _plugin(), _pod("p"), _cluster([])
    state = CycleState(cluster)
    info = cluster.node_infos()[0]
    assert plugin.filter(state, pod, info).code is Code.ERROR
    assert plugin.score(state, pod, info)[1].code is Code.ERROR
    assert plugin.normalize_score(state, pod, {"node-a": 1}).code is Code.ERROR


# -- scoring ------------------------------------------------------------------------------------


def test_required_terms_alone_with_zero_hard_weight_skip_pre_score() -> None:
    affinity = Affinity(pod_affinity=PodAffinity(required=(_term(_selector(app="web")),)))
    existing = _pod("e", node="node-a", affinity=affinity)
    result = evaluate_plugin(_plugin(hardPodAffinityWeight=0), _pod("w", labels={"app": "web"}), _cluster([existing]))
    assert result.pre_score is not None
    assert result.pre_score.code is Code.SKIP


def test_normalize_divides_before_multiplying_as_upstream() -> None:
    # 100 * (29 / 100) is 28.999999999999996 in float64, so upstream truncates to 28.
    state = CycleState(_cluster([]))
    state.write(PRE_SCORE_STATE_KEY, PreScoreState({ZONE: {"a": 1}}))
    scores = {"low": 0, "mid": 29, "high": 100}
    assert _plugin().normalize_score(state, _pod("p"), scores).is_success
    assert scores == {"low": 0, "mid": 28, "high": 100}


def test_negative_raw_scores_normalise_from_the_minimum() -> None:
    state = CycleState(_cluster([]))
    state.write(PRE_SCORE_STATE_KEY, PreScoreState({ZONE: {"a": -4}}))
    scores = {"a": -4, "b": 0, "c": -2}
    _plugin().normalize_score(state, _pod("p"), scores)
    assert scores == {"a": 0, "b": 100, "c": 50}


# -- args ---------------------------------------------------------------------------------------


def test_registry_defaults_are_the_v1_defaults() -> None:
    plugin = _plugin()
    assert plugin.args.hard_pod_affinity_weight == 1
    assert plugin.args.ignore_preferred_terms_of_existing_pods is False


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"hardPodAffinityWeight": 101}, "hardPodAffinityWeight"),
        ({"hardPodAffinityWeight": -1}, "hardPodAffinityWeight"),
        ({"hardPodAffinityWeight": True}, "hardPodAffinityWeight"),
        ({"ignorePreferredTermsOfExistingPods": "yes"}, "ignorePreferredTermsOfExistingPods"),
        ({"hardPodAffinityWieght": 1}, "hardPodAffinityWieght"),
    ],
)
def test_invalid_args_name_the_plugin_and_field(args: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigError, match=f"^InterPodAffinity: {field}: "):
        _plugin(**args)
