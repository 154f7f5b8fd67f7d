"""The harness's helpers on hand-built inputs: ``feasible``, the lockstep safety check,
``decision_view`` and the plain-data diff (each surviving a mutant before these tests)."""

from __future__ import annotations

from collections.abc import Sequence

from batchproof.model.cluster import NodeInfo, Snapshot
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import PreFilterResult
from batchproof.model.framework.runtime import Framework, NodePluginScores
from batchproof.model.framework.status import SUCCESS, Status, unschedulable
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Node, Pod, Volume
from batchproof.model.plugins.helpers.signers import volumes_fragment
from batchproof.model.profiles import built_in_profile
from batchproof.model.scheduling import Decision
from batchproof.properties.classify import _plain, decision_view
from batchproof.properties.lockstep import feasible


class OnlyN1:
    """PreFilter narrows to n1 (or rejects pods named "reject"); no Filter of its own."""

    name = "onlyN1"

    def pre_filter(self, state: CycleState, pod: Pod, nodes: Sequence[NodeInfo]) -> tuple[PreFilterResult, Status]:
        if pod.name == "reject":
            return PreFilterResult(), unschedulable("no")
        return PreFilterResult(frozenset({"n1"})), SUCCESS


class RejectN3:
    name = "rejectN3"

    def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        return unschedulable("n3") if node_info.name == "n3" else SUCCESS


def _setup() -> tuple[Framework, Snapshot]:
    framework = Framework(scheduler_name="default-scheduler", pre_filter=[OnlyN1()], filter=[RejectN3()])
    return framework, Snapshot([Node("n1"), Node("n2"), Node("n3")])


def test_feasible_honours_prefilter_result_rejection_filter_and_missing_nodes() -> None:
    framework, snapshot = _setup()
    pod = Pod(name="p")
    assert feasible(framework, snapshot, pod, "n1")
    assert not feasible(framework, snapshot, pod, "n2"), "outside the PreFilterResult although Filter passes"
    assert not feasible(framework, snapshot, pod, "nope"), "a node that is not in the snapshot"
    assert not feasible(framework, snapshot, Pod(name="reject"), "n1"), "PreFilter rejects the pod"
    everything = Framework(scheduler_name="default-scheduler", filter=[RejectN3()])
    assert feasible(everything, snapshot, pod, "n2"), "no PreFilterResult: every node"
    assert not feasible(everything, snapshot, pod, "n3")


def test_decision_view_names_every_field_a_diff_shows() -> None:
    scores = (NodePluginScores("n1", FrozenDict({"a": 2}), 4, FrozenDict({"a": 1})),)
    decision = Decision(
        "ns/p",
        "n1",
        path="hint",
        scores=scores,
        flush_reason="expired",
        store_result="stored",
        attempt_result="hint_used",
    )
    view = decision_view(decision)
    assert view == {
        "node": "n1",
        "path": "hint",
        "status": decision.status.to_json(),
        "flush_reason": "expired",
        "store_result": "stored",
        "attempt_result": "hint_used",
        "scores": {"n1": {"total": 4, "raw": {"a": 1}, "weighted": {"a": 2}}},
    }


def test_plain_turns_a_diff_into_json_data() -> None:
    class Opaque:
        def __repr__(self) -> str:
            return "<opaque>"

    value = {1: (1, "a", None), "s": {2.5, True}, "o": Opaque(), "n": None, "nested": [{"k": Opaque()}]}
    plain = _plain(value)
    assert plain == {
        "1": [1, "a", None],
        "s": list({2.5, True}),
        "o": "<opaque>",
        "n": None,
        "nested": [{"k": "<opaque>"}],
    }


def test_volumes_fragment_skips_config_maps_and_secrets() -> None:
    pod = Pod(
        name="p",
        volumes=(
            Volume("a", "configMap", FrozenDict({"name": "cfg"})),
            Volume("b", "secret", FrozenDict({"secretName": "s"})),
            Volume("c", "emptyDir"),
        ),
    )
    assert volumes_fragment(pod) == ['{"emptyDir":{}}']


def test_built_in_profiles_by_name_and_their_prefilter_plugins() -> None:
    default, batching = built_in_profile("default"), built_in_profile("batching")
    assert batching.plugin_args and not default.plugin_args
    # NodeDeclaredFeatures (last upstream) is being added to the model; tolerated either way.
    pre_filters = [p.name for p in default.build().pre_filter_plugins if p.name != "NodeDeclaredFeatures"]
    assert pre_filters == [
        "NodeAffinity",
        "NodePorts",
        "NodeResourcesFit",
        "VolumeRestrictions",
        "NodeVolumeLimits",
        "VolumeBinding",
        "VolumeZone",
        "PodTopologySpread",
        "InterPodAffinity",
        "DynamicResources",
    ]
