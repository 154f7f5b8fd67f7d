"""The Framework runtime as a specification (pkg/scheduler/framework/runtime/framework.go).

Every plugin here is a small fake built from callables, so these tests depend only on the
framework, never on the in-tree plugins.
"""

from __future__ import annotations

import json
from collections.abc import Callable, MutableMapping
from typing import Any

import pytest

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.errors import PluginFailure
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import PreFilterResult, SignFragment
from batchproof.model.framework.runtime import Framework, NodePluginScores, ScoredPlugin
from batchproof.model.framework.status import SUCCESS, Code, Status, error, skip, unresolvable, unschedulable
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Node, Pod

SCHEDULER = "default-scheduler"
NAME_KEY = "v1.Pod.Spec.SchedulerName"


class Stub:
    """A fake plugin: a name plus exactly the extension points passed as callables."""

    def __init__(self, name: str, **points: Callable[..., Any]) -> None:
        self.name = name
        for point, function in points.items():
            setattr(self, point, function)


def signs(*fragments: tuple[str, Any]) -> Callable[[Pod], tuple[tuple[SignFragment, ...], Status]]:
    """A sign_pod that always returns these fragments with Success."""
    return lambda pod: (tuple(SignFragment(k, v) for k, v in fragments), SUCCESS)


def prefilter(result: PreFilterResult | None = None, status: Status = SUCCESS, calls: list[str] | None = None) -> Any:
    def run(state: CycleState, pod: Pod, nodes: Any) -> tuple[PreFilterResult | None, Status]:
        if calls is not None:
            calls.append("pre_filter")
        return result, status

    return run


def only(*names: str) -> PreFilterResult:
    return PreFilterResult(frozenset(names))


def returns(status: Status, calls: list[str] | None = None, tag: str = "") -> Callable[..., Status]:
    def run(*args: Any) -> Status:
        if calls is not None:
            calls.append(tag)
        return status

    return run


def scores(table: dict[str, int]) -> Callable[..., tuple[int, Status]]:
    """A score method reading the raw score from a node-name table."""
    return lambda state, pod, info: (table[info.name], SUCCESS)


def boom(*args: Any) -> Any:
    raise RuntimeError("kaput")


NODES = [Node("a"), Node("b"), Node("c")]


def cycle() -> tuple[CycleState, list[NodeInfo]]:
    snapshot = Snapshot(NODES)
    return CycleState(snapshot), snapshot.node_infos()


POD = Pod(name="p")


# -- PreFilter -----------------------------------------------------------------------------------
def test_pre_filter_results_are_intersected_and_all_nodes_results_do_not_restrict() -> None:
    framework = Framework(
        scheduler_name=SCHEDULER,
        pre_filter=[
            Stub("A", pre_filter=prefilter(only("a", "b", "c"))),
            Stub("B", pre_filter=prefilter(None)),
            Stub("C", pre_filter=prefilter(PreFilterResult(None))),
            Stub("D", pre_filter=prefilter(only("b", "c", "x"))),
        ],
    )
    state, nodes = cycle()
    result, status = framework.run_pre_filter(state, POD, nodes)
    assert status == SUCCESS
    assert result == only("b", "c")


def test_pre_filter_without_restricting_results_allows_all_nodes() -> None:
    framework = Framework(
        scheduler_name=SCHEDULER,
        pre_filter=[Stub("A", pre_filter=prefilter(None)), Stub("B", pre_filter=prefilter(PreFilterResult(None)))],
    )
    state, nodes = cycle()
    result, status = framework.run_pre_filter(state, POD, nodes)
    assert status.is_success
    assert result is None or result.all_nodes


def test_empty_intersection_is_unresolvable_naming_the_restricting_plugins_simultaneously() -> None:
    framework = Framework(
        scheduler_name=SCHEDULER,
        pre_filter=[
            Stub("Alpha", pre_filter=prefilter(only("a"))),
            Stub("Beta", pre_filter=prefilter(None)),  # all nodes: not named
            Stub("Gamma", pre_filter=prefilter(only("b"))),
        ],
    )
    state, nodes = cycle()
    result, status = framework.run_pre_filter(state, POD, nodes)
    assert status.code is Code.UNSCHEDULABLE_AND_UNRESOLVABLE
    assert status.message == "node(s) didn't satisfy plugin(s) [Alpha Gamma] simultaneously"
    assert result is not None
    assert result.node_names == frozenset()


def test_a_single_plugin_restricting_to_nothing_is_named_alone() -> None:
    framework = Framework(scheduler_name=SCHEDULER, pre_filter=[Stub("Alpha", pre_filter=prefilter(only()))])
    state, nodes = cycle()
    _, status = framework.run_pre_filter(state, POD, nodes)
    assert status.code is Code.UNSCHEDULABLE_AND_UNRESOLVABLE
    assert status.message == "node(s) didn't satisfy plugin Alpha"


def test_empty_intersection_stops_the_remaining_pre_filter_plugins() -> None:
    calls: list[str] = []
    framework = Framework(
        scheduler_name=SCHEDULER,
        pre_filter=[
            Stub("A", pre_filter=prefilter(only("a"))),
            Stub("B", pre_filter=prefilter(only("b"))),
            Stub("C", pre_filter=prefilter(None, calls=calls)),
        ],
    )
    state, nodes = cycle()
    framework.run_pre_filter(state, POD, nodes)
    assert calls == []


def test_plugins_in_the_simultaneously_message_are_sorted_by_name() -> None:
    framework = Framework(
        scheduler_name=SCHEDULER,
        pre_filter=[Stub("Zeta", pre_filter=prefilter(only("a"))), Stub("Alpha", pre_filter=prefilter(only("b")))],
    )
    state, nodes = cycle()
    _, status = framework.run_pre_filter(state, POD, nodes)
    assert status.message == "node(s) didn't satisfy plugin(s) [Alpha Zeta] simultaneously"


def test_unresolvable_pre_filter_stops_at_once_and_is_attributed() -> None:
    calls: list[str] = []
    framework = Framework(
        scheduler_name=SCHEDULER,
        pre_filter=[
            Stub("A", pre_filter=prefilter(None, unresolvable("never"))),
            Stub("B", pre_filter=prefilter(None, calls=calls)),
        ],
    )
    state, nodes = cycle()
    result, status = framework.run_pre_filter(state, POD, nodes)
    assert result is None
    assert status == Status(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, ("never",), "A")
    assert calls == []


def test_unschedulable_pre_filter_still_runs_the_remaining_plugins() -> None:
    calls: list[str] = []
    framework = Framework(
        scheduler_name=SCHEDULER,
        pre_filter=[
            Stub("A", pre_filter=prefilter(None, unschedulable("preempt me"))),
            Stub("B", pre_filter=prefilter(None, calls=calls)),
        ],
    )
    state, nodes = cycle()
    _, status = framework.run_pre_filter(state, POD, nodes)
    assert calls == ["pre_filter"]
    assert status == Status(Code.UNSCHEDULABLE, ("preempt me",), "A")


def test_a_later_unresolvable_pre_filter_overrides_an_earlier_unschedulable() -> None:
    framework = Framework(
        scheduler_name=SCHEDULER,
        pre_filter=[
            Stub("A", pre_filter=prefilter(None, unschedulable("soft"))),
            Stub("B", pre_filter=prefilter(None, unresolvable("hard"))),
        ],
    )
    state, nodes = cycle()
    _, status = framework.run_pre_filter(state, POD, nodes)
    assert status == Status(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, ("hard",), "B")


@pytest.mark.parametrize("code", [Code.ERROR, Code.WAIT, Code.PENDING])
def test_other_pre_filter_codes_become_an_error_naming_the_plugin(code: Code) -> None:
    framework = Framework(
        scheduler_name=SCHEDULER, pre_filter=[Stub("A", pre_filter=prefilter(None, Status(code, ("boom",))))]
    )
    state, nodes = cycle()
    result, status = framework.run_pre_filter(state, POD, nodes)
    assert result is None
    assert status.code is Code.ERROR
    assert status.message == 'running PreFilter plugin "A": boom'
    assert status.plugin == "A"


def test_pre_filter_skip_ignores_the_result_and_skips_that_plugins_filter() -> None:
    calls: list[str] = []
    plugin = Stub("A", pre_filter=prefilter(only("a"), skip()), filter=returns(unschedulable("no"), calls, "A.filter"))
    other = Stub("B", filter=returns(SUCCESS, calls, "B.filter"))
    framework = Framework(scheduler_name=SCHEDULER, pre_filter=[plugin], filter=[plugin, other])
    state, nodes = cycle()
    result, status = framework.run_pre_filter(state, POD, nodes)
    assert status.is_success
    assert result is None
    assert state.skip_filter_plugins == {"A"}
    assert framework.run_filter(state, POD, nodes[0]) == SUCCESS
    assert calls == ["B.filter"]


def test_skip_is_recorded_even_when_a_later_pre_filter_plugin_rejects() -> None:
    framework = Framework(
        scheduler_name=SCHEDULER,
        pre_filter=[
            Stub("A", pre_filter=prefilter(None, skip())),
            Stub("B", pre_filter=prefilter(None, unresolvable("x"))),
        ],
    )
    state, nodes = cycle()
    framework.run_pre_filter(state, POD, nodes)
    assert state.skip_filter_plugins == {"A"}


# -- Filter ----------------------------------------------------------------------------------------
def test_filter_returns_the_first_failure_attributed_to_its_plugin() -> None:
    calls: list[str] = []
    framework = Framework(
        scheduler_name=SCHEDULER,
        filter=[
            Stub("A", filter=returns(SUCCESS, calls, "A")),
            Stub("B", filter=returns(unschedulable("b says no"), calls, "B")),
            Stub("C", filter=returns(unresolvable("c says no"), calls, "C")),
        ],
    )
    state, nodes = cycle()
    assert framework.run_filter(state, POD, nodes[0]) == Status(Code.UNSCHEDULABLE, ("b says no",), "B")
    assert calls == ["A", "B"]


def test_filter_succeeds_when_every_plugin_succeeds() -> None:
    framework = Framework(scheduler_name=SCHEDULER, filter=[Stub("A", filter=returns(SUCCESS))])
    state, nodes = cycle()
    assert framework.run_filter(state, POD, nodes[0]) == SUCCESS


@pytest.mark.parametrize("code", [Code.UNSCHEDULABLE, Code.UNSCHEDULABLE_AND_UNRESOLVABLE, Code.PENDING])
def test_rejecting_filter_codes_are_kept(code: Code) -> None:
    framework = Framework(scheduler_name=SCHEDULER, filter=[Stub("A", filter=returns(Status(code, ("why",))))])
    state, nodes = cycle()
    assert framework.run_filter(state, POD, nodes[0]) == Status(code, ("why",), "A")


@pytest.mark.parametrize("code", [Code.ERROR, Code.WAIT, Code.SKIP])
def test_non_rejecting_filter_codes_become_an_error(code: Code) -> None:
    framework = Framework(scheduler_name=SCHEDULER, filter=[Stub("A", filter=returns(Status(code, ("why",))))])
    state, nodes = cycle()
    status = framework.run_filter(state, POD, nodes[0])
    assert status.code is Code.ERROR
    assert status.message == 'running "A" filter plugin: why'
    assert status.plugin == "A"


# -- PreScore, Score, NormalizeScore -----------------------------------------------------------------
def test_pre_score_skip_removes_that_plugins_score() -> None:
    skipped = Stub("S", pre_score=returns(skip()), score=boom)
    kept = Stub("K", pre_score=returns(SUCCESS), score=scores({"a": 10, "b": 20, "c": 30}))
    framework = Framework(
        scheduler_name=SCHEDULER, pre_score=[skipped, kept], score=[ScoredPlugin(skipped, 1), ScoredPlugin(kept, 1)]
    )
    state, nodes = cycle()
    assert framework.run_pre_score(state, POD, nodes) == SUCCESS
    assert state.skip_score_plugins == {"S"}
    assert [s.plugin.name for s in framework.active_score_plugins(state)] == ["K"]
    result, status = framework.run_score(state, POD, nodes)
    assert status.is_success
    assert [dict(n.scores) for n in result] == [{"K": 10}, {"K": 20}, {"K": 30}]


def test_pre_score_failure_is_an_error_naming_the_plugin() -> None:
    framework = Framework(scheduler_name=SCHEDULER, pre_score=[Stub("A", pre_score=returns(unschedulable("boom")))])
    state, nodes = cycle()
    status = framework.run_pre_score(state, POD, nodes)
    assert status.code is Code.ERROR
    assert status.message == 'running PreScore plugin "A": boom'


def test_raw_score_collects_each_active_plugins_score_for_one_node() -> None:
    one = Stub("One", score=scores({"a": 1, "b": 2, "c": 3}))
    two = Stub("Two", score=scores({"a": 7, "b": 8, "c": 9}))
    framework = Framework(scheduler_name=SCHEDULER, score=[ScoredPlugin(one, 1), ScoredPlugin(two, 5)])
    state, nodes = cycle()
    assert framework.run_raw_score(state, POD, nodes[1]) == ({"One": 2, "Two": 8}, SUCCESS)


def test_a_failing_score_is_an_error_naming_the_plugin() -> None:
    failing = Stub("S", score=lambda state, pod, info: (0, unschedulable("boom")))
    framework = Framework(scheduler_name=SCHEDULER, score=[ScoredPlugin(failing, 1)])
    state, nodes = cycle()
    _, status = framework.run_raw_score(state, POD, nodes[0])
    assert status.code is Code.ERROR
    assert 'plugin "S" failed with: boom' in status.message
    result, status = framework.run_score(state, POD, nodes)
    assert result == []
    assert status.code is Code.ERROR


def halve(state: CycleState, pod: Pod, table: MutableMapping[str, int]) -> Status:
    for name in table:
        table[name] //= 2
    return SUCCESS


def test_normalize_rescales_raw_scores_then_weights_and_totals() -> None:
    normalized = Stub("N", score=scores({}), normalize_score=halve)
    plain = Stub("P", score=scores({}))
    framework = Framework(scheduler_name=SCHEDULER, score=[ScoredPlugin(normalized, 3), ScoredPlugin(plain, 2)])
    state, _ = cycle()
    raw = [
        NodePluginScores("a", raw_scores=FrozenDict({"N": 200, "P": 10})),
        NodePluginScores("b", raw_scores=FrozenDict({"N": 50, "P": 40})),
    ]
    result, status = framework.normalize_scores(state, POD, raw)
    assert status == SUCCESS
    assert [(n.name, dict(n.scores), n.total_score) for n in result] == [
        ("a", {"N": 300, "P": 20}, 320),
        ("b", {"N": 75, "P": 80}, 155),
    ]
    assert [n.raw_scores for n in result] == [r.raw_scores for r in raw]


def test_normalize_sees_all_nodes_at_once() -> None:
    seen: list[dict[str, int]] = []

    def record(state: CycleState, pod: Pod, table: MutableMapping[str, int]) -> Status:
        seen.append(dict(table))
        return SUCCESS

    plugin = Stub("N", score=scores({"a": 4, "b": 5, "c": 6}), normalize_score=record)
    framework = Framework(scheduler_name=SCHEDULER, score=[ScoredPlugin(plugin, 1)])
    state, nodes = cycle()
    framework.run_score(state, POD, nodes)
    assert seen == [{"a": 4, "b": 5, "c": 6}]


@pytest.mark.parametrize("bad", [101, -1])
def test_a_score_outside_0_to_100_after_normalizing_is_an_error(bad: int) -> None:
    plugin = Stub("S", score=scores({"a": 50, "b": bad, "c": 0}))
    framework = Framework(scheduler_name=SCHEDULER, score=[ScoredPlugin(plugin, 1)])
    state, nodes = cycle()
    result, status = framework.run_score(state, POD, nodes)
    assert result == []
    assert status.code is Code.ERROR
    assert f'plugin "S" returns an invalid score {bad}, it should in the range of [0, 100] after normalizing' in (
        status.message
    )


def test_raw_scores_outside_the_range_are_fine_when_normalize_brings_them_back() -> None:
    plugin = Stub("S", score=scores({"a": 200, "b": 150, "c": 0}), normalize_score=halve)
    framework = Framework(scheduler_name=SCHEDULER, score=[ScoredPlugin(plugin, 2)])
    state, nodes = cycle()
    result, status = framework.run_score(state, POD, nodes)
    assert status.is_success
    assert [n.total_score for n in result] == [200, 150, 0]
    assert [n.raw_scores["S"] for n in result] == [200, 150, 0]


def test_a_failing_normalize_is_an_error_naming_the_plugin() -> None:
    plugin = Stub("S", score=scores({"a": 1, "b": 1, "c": 1}), normalize_score=returns(error("boom")))
    framework = Framework(scheduler_name=SCHEDULER, score=[ScoredPlugin(plugin, 1)])
    state, nodes = cycle()
    _, status = framework.run_score(state, POD, nodes)
    assert status.code is Code.ERROR
    assert status.message == 'running Normalize on Score plugins: plugin "S" failed with: boom'


# -- plugin exceptions -------------------------------------------------------------------------------
def _raising_framework(point: str) -> Framework:
    plugin = Stub(
        "Bad",
        pre_filter=prefilter(),
        filter=returns(SUCCESS),
        pre_score=returns(SUCCESS),
        score=scores({"a": 1, "b": 2, "c": 3}),
        normalize_score=returns(SUCCESS),
        sign_pod=signs(),
    )
    setattr(plugin, point, boom)
    return Framework(
        scheduler_name=SCHEDULER,
        pre_filter=[plugin],
        filter=[plugin],
        pre_score=[plugin],
        score=[ScoredPlugin(plugin, 1)],
    )


def _run_every_point(framework: Framework) -> None:
    state, nodes = cycle()
    framework.run_pre_filter(state, POD, nodes)
    framework.run_filter(state, POD, nodes[0])
    framework.run_pre_score(state, POD, nodes)
    framework.run_score(state, POD, nodes)
    framework.sign_pod(POD)


@pytest.mark.parametrize("point", ["pre_filter", "filter", "pre_score", "score", "normalize_score", "sign_pod"])
def test_a_plugin_that_raises_surfaces_as_plugin_failure_naming_plugin_and_point(point: str) -> None:
    with pytest.raises(PluginFailure) as caught:
        _run_every_point(_raising_framework(point))
    assert caught.value.plugin == "Bad"
    assert caught.value.extension_point == point
    assert "Bad" in str(caught.value)
    assert point in str(caught.value)
    assert isinstance(caught.value.__cause__, RuntimeError)


# -- SignPod ------------------------------------------------------------------------------------------
def signing_framework(*plugins: Stub, **kwargs: Any) -> Framework:
    return Framework(scheduler_name=SCHEDULER, filter=list(plugins), **kwargs)


def test_signature_is_canonical_json_of_scheduler_name_and_fragments_with_sorted_keys() -> None:
    framework = signing_framework(
        Stub("B", sign_pod=signs(("z.key", [3, 1]), ("a.key", {"y": 1, "x": None}))),
        Stub("A", sign_pod=signs(("m.key", "é"))),
    )
    signature = framework.sign_pod(POD)
    assert (
        signature
        == (
            '{"a.key":{"x":null,"y":1},"m.key":"é","v1.Pod.Spec.SchedulerName":"default-scheduler","z.key":[3,1]}'
        ).encode()
    )
    assert json.loads(signature) == {
        "a.key": {"x": None, "y": 1},
        "m.key": "é",
        NAME_KEY: SCHEDULER,
        "z.key": [3, 1],
    }


def test_signature_does_not_depend_on_plugin_order() -> None:
    one = Stub("One", sign_pod=signs(("k1", 1)))
    two = Stub("Two", sign_pod=signs(("k2", 2)))
    assert signing_framework(one, two).sign_pod(POD) == signing_framework(two, one).sign_pod(POD)


def test_signature_includes_the_pods_scheduler_name() -> None:
    framework = signing_framework(Stub("A", sign_pod=signs()))
    assert framework.sign_pod(POD) != framework.sign_pod(Pod(name="p", scheduler_name="other"))


def test_a_pod_with_no_fragments_still_gets_a_signature() -> None:
    framework = signing_framework(Stub("A", sign_pod=signs()), Stub("B", sign_pod=lambda pod: (None, SUCCESS)))
    assert framework.sign_pod(POD) == b'{"v1.Pod.Spec.SchedulerName":"default-scheduler"}'


EMPTY_VALUES: tuple[Any, ...] = (None, [], {})


def test_null_empty_list_and_empty_object_sign_differently() -> None:
    signatures = {signing_framework(Stub("A", sign_pod=signs(("k", value)))).sign_pod(POD) for value in EMPTY_VALUES}
    assert len(signatures) == 3


@pytest.mark.parametrize("status", [unschedulable("refuse"), error("broken"), skip()])
def test_any_plugin_refusing_to_sign_gives_no_signature(status: Status) -> None:
    framework = signing_framework(
        Stub("A", sign_pod=signs(("k", 1))), Stub("B", sign_pod=lambda pod: ((SignFragment("x", 1),), status))
    )
    assert framework.sign_pod(POD) is None


def test_a_plugin_without_sign_pod_disables_signatures_for_the_profile() -> None:
    calls: list[str] = []

    def counted(pod: Pod) -> tuple[tuple[SignFragment, ...], Status]:
        calls.append(pod.name)
        return (), SUCCESS

    unsigned = Stub("Unsigned", filter=returns(SUCCESS))
    framework = Framework(
        scheduler_name=SCHEDULER,
        pre_filter=[Stub("Signed", pre_filter=prefilter(), sign_pod=counted)],
        score=[ScoredPlugin(unsigned, 1)],
    )
    assert framework.unsignable_plugins == ["Unsigned"]
    assert not framework.signatures_enabled
    assert framework.sign_pod(POD) is None
    assert calls == []


def test_a_profile_with_extenders_never_signs() -> None:
    assert signing_framework(Stub("A", sign_pod=signs()), has_extenders=True).sign_pod(POD) is None


def test_disabled_signatures_never_sign() -> None:
    assert signing_framework(Stub("A", sign_pod=signs()), signatures_enabled=False).sign_pod(POD) is None


def test_duplicate_fragment_keys_keep_the_last_writer_in_pre_filter_filter_pre_score_score_order() -> None:
    framework = Framework(
        scheduler_name=SCHEDULER,
        pre_filter=[Stub("P", pre_filter=prefilter(), sign_pod=signs(("k", "pre_filter")))],
        filter=[Stub("F", filter=returns(SUCCESS), sign_pod=signs(("k", "filter")))],
        pre_score=[Stub("PS", pre_score=returns(SUCCESS), sign_pod=signs(("k", "pre_score")))],
        score=[ScoredPlugin(Stub("S", score=scores({}), sign_pod=signs(("k", "score"))), 1)],
    )
    assert framework.plugin_names() == ["P", "F", "PS", "S"]
    signature = framework.sign_pod(POD)
    assert signature is not None
    assert json.loads(signature)["k"] == "score"


def test_a_plugin_at_several_extension_points_signs_once_at_its_first_position() -> None:
    calls: list[str] = []

    def counted(pod: Pod) -> tuple[tuple[SignFragment, ...], Status]:
        calls.append("Multi")
        return (SignFragment("k", "multi"),), SUCCESS

    multi = Stub("Multi", pre_filter=prefilter(), filter=returns(SUCCESS), score=scores({}), sign_pod=counted)
    later = Stub("Later", filter=returns(SUCCESS), sign_pod=signs(("k", "later")))
    framework = Framework(
        scheduler_name=SCHEDULER, pre_filter=[multi], filter=[later, multi], score=[ScoredPlugin(multi, 1)]
    )
    assert framework.plugin_names() == ["Multi", "Later"]
    signature = framework.sign_pod(POD)
    assert calls == ["Multi"]
    assert signature is not None
    assert json.loads(signature)["k"] == "later"


def test_a_fragment_that_is_not_json_serialisable_gives_no_signature() -> None:
    framework = signing_framework(Stub("A", sign_pod=signs(("k", object()))))
    assert framework.sign_pod(POD) is None


def test_a_nan_fragment_gives_no_signature_as_go_json_marshal_fails() -> None:
    framework = signing_framework(Stub("A", sign_pod=signs(("k", float("nan")))))
    assert framework.sign_pod(POD) is None
