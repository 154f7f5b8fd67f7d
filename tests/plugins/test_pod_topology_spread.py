"""PodTopologySpread behaviour the upstream fixtures do not cover: args, SignPod, defaults, edges."""

from __future__ import annotations

from typing import Any

import pytest

from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.errors import ConfigError
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.evaluate import evaluate_plugin
from batchproof.model.framework.features import FeatureGates
from batchproof.model.framework.interfaces import PluginContext, SignerMode
from batchproof.model.framework.status import Code
from batchproof.model.frozen import FrozenDict
from batchproof.model.manifests import ClusterObjects
from batchproof.model.objects import (
    Affinity,
    LabelSelector,
    LabelSelectorRequirement,
    Node,
    NodeAffinity,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    OwnerReference,
    Pod,
    Selecting,
    Taint,
    Toleration,
    TopologySpreadConstraint,
)
from batchproof.model.plugins.podtopologyspread.common import Selector
from batchproof.model.plugins.podtopologyspread.defaults import default_selector
from batchproof.model.plugins.podtopologyspread.filtering import (
    ERR_REASON_CONSTRAINTS_NOT_MATCH,
    ERR_REASON_NODE_LABEL_NOT_MATCH,
)
from batchproof.model.plugins.podtopologyspread.plugin import NOT_SIGNABLE_DEFAULT, NOT_SIGNABLE_OWN
from batchproof.model.plugins.registry import DEFAULT_REGISTRY

NAME = "PodTopologySpread"
LIST_NO_DEFAULTS: dict[str, Any] = {"defaultingType": "List", "defaultConstraints": []}
ZONE_HARD = {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}


def plugin(args: dict[str, Any] | None = None, mode: SignerMode = "upstream", **features: bool) -> Any:
    return DEFAULT_REGISTRY.create(NAME, args, PluginContext(features=FeatureGates(**features), signers=mode))


def labels(**items: str) -> FrozenDict[str, str]:
    return FrozenDict(items)


def node(name: str, **node_labels: str) -> Node:
    return Node(name, labels=FrozenDict({"kubernetes.io/hostname": name, **node_labels}))


def pod(name: str, node_name: str = "", namespace: str = "default", **pod_labels: str) -> Pod:
    return Pod(name=name, namespace=namespace, node_name=node_name, labels=FrozenDict(pod_labels))


def spread(key: str, action: str = "DoNotSchedule", selector: LabelSelector | None = None, **kw: Any) -> Any:
    return TopologySpreadConstraint(
        max_skew=kw.pop("max_skew", 1), topology_key=key, when_unsatisfiable=action, label_selector=selector, **kw
    )


APP = LabelSelector(match_labels=labels(app="web"))
NODES = [node("a1", zone="a"), node("a2", zone="a"), node("b1", zone="b")]


# -- args ----------------------------------------------------------------------------------------
def test_default_args_are_system_defaulting_and_make_every_pod_unsignable() -> None:
    fragments, status = plugin().sign_pod(pod("p"))
    assert fragments is None
    assert status.code is Code.UNSCHEDULABLE
    assert status.reasons == (NOT_SIGNABLE_DEFAULT,)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"defaultingType": "Other"}, "defaultingType: Unsupported value"),
        ({"defaultingType": "System", "defaultConstraints": [ZONE_HARD]}, "defaultingType: Invalid value"),
        ({"defaultConstraints": [ZONE_HARD]}, "defaultingType: Invalid value"),  # v1 defaulting picks System
        (
            {"defaultingType": "List", "defaultConstraints": [{**ZONE_HARD, "labelSelector": {}}]},
            "defaultConstraints[0].labelSelector: Forbidden",
        ),
        ({"defaultingType": "List", "defaultConstraints": [{**ZONE_HARD, "maxSkew": 0}]}, "[0].maxSkew: Invalid"),
        ({"defaultingType": "List", "defaultConstraints": [{**ZONE_HARD, "topologyKey": ""}]}, "topologyKey: Required"),
        (
            {"defaultingType": "List", "defaultConstraints": [{**ZONE_HARD, "topologyKey": "a b"}]},
            "topologyKey: Invalid",
        ),
        (
            {"defaultingType": "List", "defaultConstraints": [{"maxSkew": 1, "topologyKey": "zone"}]},
            "whenUnsatisfiable: Required",
        ),
        (
            {"defaultingType": "List", "defaultConstraints": [{**ZONE_HARD, "whenUnsatisfiable": "Maybe"}]},
            "whenUnsatisfiable: Unsupported value",
        ),
        ({"defaultingType": "List", "defaultConstraints": [ZONE_HARD, ZONE_HARD]}, "defaultConstraints[1]: Duplicate"),
        ({"defaultingType": "List", "defaultConstraints": [{**ZONE_HARD, "maxSkew": "x"}]}, "[0].maxSkew: expected"),
    ],
)
def test_invalid_args_name_the_plugin_and_field(args: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigError, match=r"^PodTopologySpread: ") as raised:
        plugin(args)
    assert field in str(raised.value)


def test_list_defaulting_accepts_distinct_default_constraints() -> None:
    soft = {**ZONE_HARD, "whenUnsatisfiable": "ScheduleAnyway"}
    built = plugin({"defaultingType": "List", "defaultConstraints": [ZONE_HARD, soft]})
    assert [c.when_unsatisfiable for c in built.config.default_constraints] == ["DoNotSchedule", "ScheduleAnyway"]
    assert not built.config.system_defaulted


# -- SignPod -------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["upstream", "strict"])
@pytest.mark.parametrize("args", [None, LIST_NO_DEFAULTS])
def test_pods_with_their_own_constraints_are_unsignable(mode: SignerMode, args: dict[str, Any] | None) -> None:
    constrained = Pod(name="p", topology_spread_constraints=(spread("zone", "ScheduleAnyway", APP),))
    fragments, status = plugin(args, mode).sign_pod(constrained)
    assert fragments is None
    assert status.code is Code.UNSCHEDULABLE
    assert status.reasons == (NOT_SIGNABLE_OWN,)


@pytest.mark.parametrize("mode", ["upstream", "strict"])
def test_list_default_constraints_make_every_pod_unsignable(mode: SignerMode) -> None:
    built = plugin({"defaultingType": "List", "defaultConstraints": [ZONE_HARD]}, mode)
    fragments, status = built.sign_pod(pod("p"))
    assert (fragments, status.code, status.reasons) == (None, Code.UNSCHEDULABLE, (NOT_SIGNABLE_DEFAULT,))


@pytest.mark.parametrize("mode", ["upstream", "strict"])
def test_without_constraints_or_defaults_a_pod_signs_with_no_fragments(mode: SignerMode) -> None:
    fragments, status = plugin(LIST_NO_DEFAULTS, mode).sign_pod(pod("p", app="web"))
    assert fragments is None
    assert status.is_success


def _busy_cluster() -> Snapshot:
    services = (Selecting("Service", "web", "default", APP), Selecting("ReplicaSet", "rs", "default", APP))
    existing = [pod(f"e{i}", n.name, app="web") for i, n in enumerate(NODES) for _ in range(i + 1)]
    return Snapshot(NODES, existing, objects=ClusterObjects(selecting=services))


SIGNABLE_PODS = [
    pod("plain"),
    pod("web", app="web"),
    pod("other-ns", namespace="team", app="web"),
    Pod(
        name="owned",
        labels=labels(app="web"),
        owner_references=(OwnerReference("apps/v1", "ReplicaSet", "rs", controller=True),),
    ),
    Pod(name="pinned", labels=labels(app="web"), node_selector=labels(zone="a")),
]


@pytest.mark.parametrize("mode", ["upstream", "strict"])
def test_strict_signing_is_complete_because_signable_pods_see_a_constant_plugin(mode: SignerMode) -> None:
    """Every signable pod gets the same (empty) signature and the same verdicts on any cluster.

    Upstream signs no fragment, so there is no pair of equally signed pods with different
    Filter/Score results to exhibit: without own constraints and defaults, PreFilter and
    PreScore skip, whatever the pod's labels, namespace, owner or node selector.
    """
    built = plugin(LIST_NO_DEFAULTS, mode)
    snapshot = _busy_cluster()
    outcomes = set()
    for candidate in SIGNABLE_PODS:
        fragments, status = built.sign_pod(candidate)
        assert fragments is None
        assert status.is_success
        result = evaluate_plugin(built, candidate, snapshot)
        assert result.pre_filter is not None
        assert result.pre_filter.is_skip
        assert result.pre_score is not None
        assert result.pre_score.is_skip
        outcomes.add((result.filter == {}, tuple(result.raw.items()), tuple(result.normalized.items())))
    assert outcomes == {(True, (), ())}


def test_system_defaults_would_spread_the_same_pods_differently() -> None:
    """The reason System defaulting refuses all pods: the defaults make scores pod-dependent."""
    built = plugin()
    snapshot = _busy_cluster()
    web = evaluate_plugin(built, pod("web", app="web"), snapshot)
    plain = evaluate_plugin(built, pod("plain"), snapshot)
    assert plain.pre_score is not None
    assert plain.pre_score.is_skip
    assert web.pre_score is not None
    assert web.pre_score.is_success
    assert web.normalized["a1"] > web.normalized["b1"]  # a1 holds 1 web pod, b1 holds 3


# -- the default selector ------------------------------------------------------------------------
def _requirements(selector: Selector) -> Any:
    return selector.requirement_set()


def _in(key: str, value: str) -> LabelSelectorRequirement:
    return LabelSelectorRequirement(key, "In", (value,))


def test_default_selector_merges_matching_services_of_the_pod_namespace_only() -> None:
    incoming = pod("p", app="web", tier="front")
    objects = [
        Selecting("Service", "web", "default", LabelSelector(match_labels=labels(app="web"))),
        Selecting("Service", "front", "default", LabelSelector(match_labels=labels(tier="front"))),
        Selecting("Service", "elsewhere", "team", LabelSelector(match_labels=labels(app="web", x="y"))),
        Selecting("Service", "mismatch", "default", LabelSelector(match_labels=labels(app="db"))),
        Selecting("Service", "headless", "default", None),
    ]
    assert _requirements(default_selector(incoming, objects)) == {_in("app", "web"), _in("tier", "front")}


def test_default_selector_adds_the_controlling_replica_set_requirements() -> None:
    exists = LabelSelectorRequirement("track", "Exists")
    rs = Selecting("ReplicaSet", "rs", "default", LabelSelector(labels(app="web"), (exists,)))
    owned = Pod(
        name="p",
        labels=labels(app="web", track="x"),
        owner_references=(
            OwnerReference("apps/v1", "StatefulSet", "not-controller"),
            OwnerReference("apps/v1", "ReplicaSet", "rs", controller=True),
        ),
    )
    assert _requirements(default_selector(owned, [rs])) == {_in("app", "web"), exists}


def test_default_selector_merges_a_replication_controller_map_without_checking_it() -> None:
    rc = Selecting("ReplicationController", "rc", "default", LabelSelector(match_labels=labels(name="other")))
    owned = Pod(
        name="p",
        labels=labels(app="web"),
        owner_references=(OwnerReference("v1", "ReplicationController", "rc", controller=True),),
    )
    assert _requirements(default_selector(owned, [rc])) == {_in("name", "other")}


@pytest.mark.parametrize(
    "owner",
    [
        OwnerReference("extensions/v1beta1", "ReplicaSet", "rs", controller=True),  # not apps/v1
        OwnerReference("apps/v1", "ReplicaSet", "missing", controller=True),
        OwnerReference("apps/v1", "ReplicaSet", "rs", controller=False),
        OwnerReference("apps/v1", "Deployment", "rs", controller=True),
    ],
)
def test_default_selector_ignores_owners_that_are_not_a_known_controller(owner: OwnerReference) -> None:
    rs = Selecting("ReplicaSet", "rs", "default", APP)
    assert default_selector(Pod(name="p", labels=labels(app="web"), owner_references=(owner,)), [rs]).empty


def test_a_nil_replica_set_selector_adds_nothing() -> None:
    rs = Selecting("StatefulSet", "ss", "default", None)
    owned = Pod(
        name="p",
        labels=labels(app="web"),
        owner_references=(OwnerReference("apps/v1", "StatefulSet", "ss", controller=True),),
    )
    assert default_selector(owned, [rs]).empty


# -- PreFilter / Filter edges --------------------------------------------------------------------
def test_filter_without_pre_filter_state_is_an_error_naming_the_state_key() -> None:
    status = plugin(LIST_NO_DEFAULTS).filter(CycleState(Snapshot(NODES)), pod("p"), Snapshot(NODES).node_infos()[0])
    assert status.code is Code.ERROR
    assert status.reasons == ('reading "PreFilterPodTopologySpread" from cycleState: not found',)


def test_score_and_normalize_without_pre_score_state_are_errors() -> None:
    built, snapshot = plugin(LIST_NO_DEFAULTS), Snapshot(NODES)
    state = CycleState(snapshot)
    value, status = built.score(state, pod("p"), snapshot.node_infos()[0])
    assert (value, status.code) == (0, Code.ERROR)
    assert built.normalize_score(state, pod("p"), {"a1": 0}).code is Code.ERROR


def test_filter_reasons_are_upstreams() -> None:
    nodes = [node("a1", zone="a"), node("b1", zone="b"), node("x")]
    existing = [pod("e1", "a1", app="web")]
    incoming = Pod(name="p", labels=labels(app="web"), topology_spread_constraints=(spread("zone", selector=APP),))
    result = evaluate_plugin(plugin(LIST_NO_DEFAULTS), incoming, Snapshot(nodes, existing))
    assert result.filter["a1"].code is Code.UNSCHEDULABLE
    assert result.filter["a1"].reasons == (ERR_REASON_CONSTRAINTS_NOT_MATCH,)
    assert result.filter["b1"].is_success
    assert result.filter["x"].code is Code.UNSCHEDULABLE_AND_UNRESOLVABLE
    assert result.filter["x"].reasons == (ERR_REASON_NODE_LABEL_NOT_MATCH,)


def test_an_empty_selector_counts_no_existing_pod_but_matches_the_incoming_one() -> None:
    existing = [pod(f"e{i}", "a1", app="web") for i in range(5)]
    constraint = spread("zone", selector=LabelSelector(), max_skew=1)
    incoming = Pod(name="p", labels=labels(app="web"), topology_spread_constraints=(constraint,))
    result = evaluate_plugin(plugin(LIST_NO_DEFAULTS), incoming, Snapshot(NODES, existing))
    assert all(status.is_success for status in result.filter.values())  # 0 + 1 - 0 <= 1 everywhere
    tight = Pod(
        name="p",
        labels=labels(app="web"),
        topology_spread_constraints=(spread("zone", selector=LabelSelector(), max_skew=0),),
    )
    result = evaluate_plugin(plugin(LIST_NO_DEFAULTS), tight, Snapshot(NODES, existing))
    assert all(status.code is Code.UNSCHEDULABLE for status in result.filter.values())  # the self-match alone


def test_terminating_and_other_namespace_pods_are_not_counted() -> None:
    existing = [
        Pod(name="gone", node_name="a1", labels=labels(app="web"), deletion_timestamp="2024-01-01T00:00:00Z"),
        pod("foreign", "a1", namespace="team", app="web"),
    ]
    incoming = Pod(name="p", labels=labels(app="web"), topology_spread_constraints=(spread("zone", selector=APP),))
    result = evaluate_plugin(plugin(LIST_NO_DEFAULTS), incoming, Snapshot(NODES, existing))
    assert all(status.is_success for status in result.filter.values())


def test_constraints_on_the_same_key_count_separately() -> None:
    """Current upstream keeps counts per constraint (TpValueToMatchNum), not per topology pair."""
    existing = [pod("w", "a1", app="web"), pod("d", "b1", app="db")]
    incoming = Pod(
        name="p",
        labels=labels(app="web"),
        topology_spread_constraints=(
            spread("zone", selector=APP),
            spread("zone", selector=LabelSelector(match_labels=labels(app="db")), max_skew=1),
        ),
    )
    result = evaluate_plugin(plugin(LIST_NO_DEFAULTS), incoming, Snapshot(NODES, existing))
    # web: a=1, b=0 so zone a fails (1+1-0 > 1); db: a=0, b=1, no self-match, so both pass.
    assert result.filter["a1"].code is Code.UNSCHEDULABLE
    assert result.filter["b1"].is_success


def test_an_invalid_label_selector_fails_pre_filter_and_pre_score() -> None:
    bad = LabelSelector(match_labels=labels(app="not valid!"))
    hard = Pod(name="p", topology_spread_constraints=(spread("zone", selector=bad),))
    result = evaluate_plugin(plugin(LIST_NO_DEFAULTS), hard, Snapshot(NODES))
    assert result.pre_filter is not None
    assert result.pre_filter.code is Code.ERROR
    assert "obtaining pod's hard topology spread constraints" in result.pre_filter.message
    soft = Pod(name="p", topology_spread_constraints=(spread("zone", "ScheduleAnyway", bad),))
    result = evaluate_plugin(plugin(LIST_NO_DEFAULTS), soft, Snapshot(NODES))
    assert result.pre_score is not None
    assert result.pre_score.code is Code.ERROR
    assert "calculating preScoreState: obtaining pod's soft topology spread constraints" in result.pre_score.message


def test_node_taints_policy_honor_leaves_untolerated_nodes_out_of_the_domains() -> None:
    tainted = Node("b1", labels=labels(zone="b"), taints=(Taint("dedicated", "x", "NoSchedule"),))
    nodes = [node("a1", zone="a"), tainted]
    existing = [pod("w", "a1", app="web")]
    constraint = spread("zone", selector=APP, node_taints_policy="Honor")
    incoming = Pod(name="p", labels=labels(app="web"), topology_spread_constraints=(constraint,))
    # Zone b is not a domain, so the global minimum is zone a's count: 1 + 1 - 1 <= 1.
    result = evaluate_plugin(
        plugin(LIST_NO_DEFAULTS, node_inclusion_policy_in_pod_topology_spread=True), incoming, Snapshot(nodes, existing)
    )
    assert result.filter["a1"].is_success
    tolerant = Pod(
        name="p",
        labels=labels(app="web"),
        tolerations=(Toleration(key="dedicated", operator="Exists"),),
        topology_spread_constraints=(constraint,),
    )
    result = evaluate_plugin(
        plugin(LIST_NO_DEFAULTS, node_inclusion_policy_in_pod_topology_spread=True), tolerant, Snapshot(nodes, existing)
    )
    assert result.filter["a1"].code is Code.UNSCHEDULABLE  # zone b (0 pods) now counts


def test_required_node_affinity_limits_domains_when_the_inclusion_gate_is_off() -> None:
    only_a = NodeAffinity(required=(NodeSelectorTerm((NodeSelectorRequirement("zone", "In", ("a",)),)),))
    existing = [pod("w", "a1", app="web")]
    incoming = Pod(
        name="p",
        labels=labels(app="web"),
        affinity=Affinity(node_affinity=only_a),
        topology_spread_constraints=(spread("zone", selector=APP),),
    )
    result = evaluate_plugin(
        plugin(LIST_NO_DEFAULTS, node_inclusion_policy_in_pod_topology_spread=False),
        incoming,
        Snapshot(NODES, existing),
    )
    assert result.filter["a1"].is_success  # zone b is not a domain: min is zone a's 1


# -- scoring edges -------------------------------------------------------------------------------
def test_pre_score_skips_on_an_empty_cluster() -> None:
    soft = Pod(name="p", topology_spread_constraints=(spread("zone", "ScheduleAnyway", APP),))
    result = evaluate_plugin(plugin(LIST_NO_DEFAULTS), soft, Snapshot())
    assert result.pre_score is not None
    assert result.pre_score.is_skip


def test_list_default_soft_constraints_ignore_nodes_without_the_key() -> None:
    args = {
        "defaultingType": "List",
        "defaultConstraints": [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway"}],
    }
    nodes = [*NODES, node("bare")]
    snapshot = Snapshot(
        nodes,
        [pod("w", "a1", app="web")],
        objects=ClusterObjects(selecting=(Selecting("Service", "s", "default", APP),)),
    )
    result = evaluate_plugin(plugin(args), pod("p", app="web"), snapshot)
    assert result.normalized["bare"] == 0  # ignored: List defaults require every key
    assert result.normalized["b1"] == 100
    assert result.normalized["a1"] < 100


def test_system_defaults_keep_hostname_spreading_on_nodes_without_a_zone() -> None:
    nodes = [node("n1"), node("n2")]
    snapshot = Snapshot(
        nodes,
        [pod("w", "n1", app="web")],
        objects=ClusterObjects(selecting=(Selecting("Service", "s", "default", APP),)),
    )
    result = evaluate_plugin(plugin(), pod("p", app="web"), snapshot)
    assert result.normalized == {"n1": result.normalized["n1"], "n2": 100}
    assert result.normalized["n1"] < 100
