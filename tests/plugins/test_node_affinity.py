"""NodeAffinity beyond the fixtures: parse semantics, args, PreFilter node names, and the signers."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.errors import ConfigError
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.evaluate import PluginEvaluation, evaluate_plugin
from batchproof.model.framework.interfaces import PluginContext, SignerMode
from batchproof.model.framework.status import Code
from batchproof.model.frozen import FrozenDict
from batchproof.model.manifests.decode import pod as decode_pod
from batchproof.model.manifests.reader import Reader
from batchproof.model.objects import (
    Affinity,
    Node,
    NodeAffinity,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    Pod,
    PreferredSchedulingTerm,
)
from batchproof.model.plugins.helpers.signers import NODE_AFFINITY_SIGNER, NODE_SELECTOR_SIGNER
from batchproof.model.plugins.node_affinity import (
    ERR_REASON_CONFLICT,
    ERR_REASON_ENFORCED,
    ERR_REASON_POD,
    HAS_REQUIRED_SIGNER,
)
from batchproof.model.plugins.registry import DEFAULT_REGISTRY

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "k8s-plugin-cases" / "NodeAffinity.json"
NAME = "NodeAffinity"


def plugin(mode: SignerMode = "upstream", args: dict[str, Any] | None = None) -> Any:
    return DEFAULT_REGISTRY.create(NAME, args, PluginContext(signers=mode))


def req(key: str, op: str, *values: str) -> NodeSelectorRequirement:
    return NodeSelectorRequirement(key, op, values)


def affinity_pod(
    required: tuple[NodeSelectorTerm, ...] | None = None,
    preferred: tuple[PreferredSchedulingTerm, ...] = (),
    node_selector: dict[str, str] | None = None,
) -> Pod:
    return Pod(
        name="p",
        node_selector=FrozenDict(node_selector or {}),
        affinity=Affinity(node_affinity=NodeAffinity(required=required, preferred=preferred)),
    )


def nodes(*specs: tuple[str, dict[str, str]]) -> Snapshot:
    return Snapshot([Node(name, labels=FrozenDict(labels)) for name, labels in specs])


def run(pod: Pod, snapshot: Snapshot, mode: SignerMode = "upstream", **args: Any) -> PluginEvaluation:
    return evaluate_plugin(plugin(mode, args), pod, snapshot)


def test_pre_score_error_message_is_the_fixture_validation_message() -> None:
    case = next(
        c for c in json.loads(FIXTURE.read_text())["cases"] if c.get("expectedPreScore", {}).get("code") == "Error"
    )
    pod = decode_pod(Reader(case["pod"], "fixture", None, "pod"))
    status = plugin().pre_score(CycleState(Snapshot()), pod, [])
    assert status.code is Code.ERROR
    assert status.message == case["expectedPreScore"]["message"]


def test_score_without_pre_score_reports_the_same_parse_error() -> None:
    pod = affinity_pod(preferred=(PreferredSchedulingTerm(1, NodeSelectorTerm((req("k", "Gt", "x"),))),))
    snapshot = nodes(("n", {"k": "1"}))
    score, status = plugin().score(CycleState(snapshot), pod, snapshot.node_infos()[0])
    assert (score, status.code) == (0, Code.ERROR)
    assert status.message == (
        '[0].matchExpressions[0].values[0]: Invalid value: "x": '
        "for 'Gt', 'Lt' operators, the value must be an integer"
    )


def test_several_parse_errors_are_aggregated_in_brackets() -> None:
    pod = affinity_pod(
        preferred=(
            PreferredSchedulingTerm(1, NodeSelectorTerm((req("k", "In"),))),
            PreferredSchedulingTerm(0, NodeSelectorTerm((req("bad key", "In", "v"),))),  # weight 0: not parsed
            PreferredSchedulingTerm(2, NodeSelectorTerm(match_fields=(req("metadata.name", "Exists"),))),
        )
    )
    status = plugin().pre_score(CycleState(Snapshot()), pod, [])
    assert status.message == (
        "[[0].matchExpressions[0].values: Invalid value: []string(nil): "
        "for 'in', 'notin' operators, values set can't be empty, "
        '[2].matchFields[0].operator: Unsupported value: "Exists": supported values: "In", "NotIn"]'
    )


def test_gt_lt_parse_like_go_strconv() -> None:
    pod = affinity_pod(required=(NodeSelectorTerm((req("n", "Gt", "10"),)),))
    snapshot = nodes(("plain", {"n": "0011"}), ("underscore", {"n": "1_100"}), ("plus", {"n": "+20"}))
    result = run(pod, snapshot)
    assert result.filter["plain"].is_success  # "0011" is 11
    assert result.filter["underscore"].code is Code.UNSCHEDULABLE_AND_UNRESOLVABLE  # Go ParseInt rejects "_"
    assert result.filter["plus"].is_success


def test_gt_operand_must_also_be_a_valid_label_value() -> None:
    pod = affinity_pod(required=(NodeSelectorTerm((req("n", "Gt", "-5"),)),))
    assert run(pod, nodes(("a", {"n": "3"}))).filter["a"].reasons == (ERR_REASON_POD,)


def test_match_fields_on_other_keys_read_the_empty_string() -> None:
    pod = affinity_pod(required=(NodeSelectorTerm(match_fields=(req("metadata.namespace", "NotIn", "x"),)),))
    assert run(pod, nodes(("a", {}))).filter["a"].is_success


def test_pre_filter_names_are_intersected_in_a_term_and_united_across_terms() -> None:
    pod = affinity_pod(
        required=(
            NodeSelectorTerm(match_fields=(req("metadata.name", "In", "a", "b"), req("metadata.name", "In", "b", "c"))),
            NodeSelectorTerm(match_fields=(req("metadata.name", "In", "d"),)),
        )
    )
    result = run(pod, nodes(("a", {}), ("b", {}), ("d", {})))
    assert result.pre_filter_result is not None
    assert result.pre_filter_result.node_names == frozenset({"b", "d"})


def test_pre_filter_conflicting_names_reject_every_node() -> None:
    pod = affinity_pod(
        required=(NodeSelectorTerm(match_fields=(req("metadata.name", "In", "a"), req("metadata.name", "In", "b"))),)
    )
    result = run(pod, nodes(("a", {})))
    assert result.pre_filter is not None
    assert (result.pre_filter.code, result.pre_filter.reasons) == (
        Code.UNSCHEDULABLE_AND_UNRESOLVABLE,
        (ERR_REASON_CONFLICT,),
    )
    assert result.filter == {}


def test_pre_filter_result_is_unrestricted_when_one_term_names_no_node() -> None:
    pod = affinity_pod(
        required=(
            NodeSelectorTerm(match_fields=(req("metadata.name", "In", "a"),)),
            NodeSelectorTerm((req("zone", "Exists"),)),
        )
    )
    result = run(pod, nodes(("a", {}), ("b", {"zone": "z"})))
    assert result.pre_filter_result is None
    assert result.filter["b"].is_success


def test_added_affinity_is_checked_first_with_its_own_reason() -> None:
    added = {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": [{"key": "pool", "operator": "In", "values": ["batch"]}]}]
        }
    }
    pod = affinity_pod(node_selector={"zone": "z1"})
    result = run(pod, nodes(("a", {"zone": "z2"}), ("b", {"pool": "batch", "zone": "z2"})), addedAffinity=added)
    assert result.filter["a"].reasons == (ERR_REASON_ENFORCED,)
    assert result.filter["b"].reasons == (ERR_REASON_POD,)


def test_pod_without_anything_required_skips_pre_filter_unless_added_affinity_is_set() -> None:
    snapshot = nodes(("a", {}))
    assert run(Pod(name="p"), snapshot).pre_filter is not None
    assert run(Pod(name="p"), snapshot).pre_filter.code is Code.SKIP  # type: ignore[union-attr]
    added = {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": [{"key": "x", "operator": "Exists"}]}]
        }
    }
    result = run(Pod(name="p"), snapshot, addedAffinity=added)
    assert result.pre_filter is not None
    assert result.pre_filter.is_success
    assert result.filter["a"].reasons == (ERR_REASON_ENFORCED,)


def test_score_adds_pod_and_added_weights_and_normalizes_by_the_maximum() -> None:
    added = {
        "preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 5, "preference": {"matchExpressions": [{"key": "ssd", "operator": "Exists"}]}}
        ]
    }
    pod = affinity_pod(preferred=(PreferredSchedulingTerm(3, NodeSelectorTerm((req("zone", "In", "z1"),))),))
    result = run(pod, nodes(("a", {"zone": "z1", "ssd": "y"}), ("b", {"ssd": "y"}), ("c", {})), addedAffinity=added)
    assert result.raw == {"a": 8, "b": 5, "c": 0}
    assert result.normalized == {"a": 100, "b": 62, "c": 0}


@pytest.mark.parametrize(
    ("added", "path"),
    [
        (
            {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{"matchExpressions": [{"key": "k", "operator": "In"}]}]
                }
            },
            "addedAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values",
        ),
        (
            {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {"weight": 1, "preference": {"matchExpressions": [{"key": "a/b/c", "operator": "Exists"}]}}
                ]
            },
            "addedAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].matchExpressions[0].key",
        ),
        (
            {"preferredDuringSchedulingIgnoredDuringExecution": {"weight": 1}},
            "addedAffinity.preferredDuringSchedulingIgnoredDuringExecution",
        ),
    ],
)
def test_invalid_added_affinity_is_a_config_error_naming_the_field(added: dict[str, Any], path: str) -> None:
    with pytest.raises(ConfigError, match=rf"^NodeAffinity: (\[)?{re.escape(path)}"):
        plugin(args={"addedAffinity": added})


def test_unknown_args_field_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="NodeAffinity: addedAfinity: unknown field"):
        plugin(args={"addedAfinity": {}})


# -- signing -------------------------------------------------------------------------------------
def fragments(pod: Pod, mode: SignerMode) -> dict[str, Any]:
    values, status = plugin(mode).sign_pod(pod)
    assert status.is_success
    return {f.key: f.value for f in values}


def test_upstream_and_strict_agree_on_the_upstream_keys() -> None:
    pod = affinity_pod(
        required=(NodeSelectorTerm((req("zone", "In", "b", "a"),), (req("metadata.name", "In", "n1"),)),),
        preferred=(PreferredSchedulingTerm(2, NodeSelectorTerm((req("ssd", "Exists"),))),),
        node_selector={"pool": "x"},
    )
    upstream, strict = fragments(pod, "upstream"), fragments(pod, "strict")
    assert set(upstream) == {NODE_AFFINITY_SIGNER, NODE_SELECTOR_SIGNER}
    assert {k: strict[k] for k in upstream} == upstream
    assert strict[HAS_REQUIRED_SIGNER] is True
    (term,) = upstream[NODE_AFFINITY_SIGNER]["Required"]
    assert json.loads(term) == {
        "MatchExpressions": ['{"key":"zone","operator":"In","values":["a","b"]}'],
        "MatchFields": ['{"key":"metadata.name","operator":"In","values":["n1"]}'],
    }


def test_absent_and_empty_required_sign_alike_upstream_but_not_strict() -> None:
    """The one gap in the upstream NodeAffinity signer: ``Required: []`` for both."""
    preferred = (PreferredSchedulingTerm(1, NodeSelectorTerm((req("zone", "Exists"),))),)
    absent, empty = affinity_pod(preferred=preferred), affinity_pod(required=(), preferred=preferred)
    snapshot = nodes(("a", {"zone": "z"}))
    skipped = run(absent, snapshot).pre_filter
    assert skipped is not None
    assert skipped.code is Code.SKIP
    assert run(empty, snapshot).filter["a"].reasons == (ERR_REASON_POD,)
    assert fragments(absent, "upstream") == fragments(empty, "upstream")
    assert fragments(absent, "strict") != fragments(empty, "strict")


REQUIREMENTS = st.builds(
    NodeSelectorRequirement,
    key=st.sampled_from(["zone", "ssd", "n", "bad key"]),
    operator=st.sampled_from(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]),
    values=st.lists(st.sampled_from(["1", "5", "z1", "z2", "-3"]), max_size=3).map(tuple),
)
FIELDS = st.builds(
    NodeSelectorRequirement,
    key=st.just("metadata.name"),
    operator=st.sampled_from(["In", "NotIn"]),
    values=st.lists(st.sampled_from(["a", "b"]), min_size=1, max_size=2).map(tuple),
)
TERMS = st.builds(
    NodeSelectorTerm,
    match_expressions=st.lists(REQUIREMENTS, max_size=2).map(tuple),
    match_fields=st.lists(FIELDS, max_size=1).map(tuple),
)
AFFINITY_PODS = st.builds(
    affinity_pod,
    required=st.none() | st.lists(TERMS, max_size=2).map(tuple),
    preferred=st.lists(st.builds(PreferredSchedulingTerm, st.integers(0, 3), TERMS), max_size=3).map(tuple),
    node_selector=st.dictionaries(st.sampled_from(["zone", "ssd"]), st.sampled_from(["z1", "y"]), max_size=1),
)
LABELS = st.dictionaries(
    st.sampled_from(["zone", "ssd", "n"]), st.sampled_from(["1", "5", "z1", "z2", "y"]), max_size=3
)
CLUSTERS = st.lists(LABELS, min_size=1, max_size=3).map(
    lambda ls: nodes(*((name, labels) for name, labels in zip("abc", ls, strict=False)))
)


def _shuffled(pod: Pod, data: st.DataObject) -> Pod:
    """The same affinity with terms, requirements and values in another order."""

    def term(t: NodeSelectorTerm) -> NodeSelectorTerm:
        exprs = [
            NodeSelectorRequirement(r.key, r.operator, tuple(data.draw(st.permutations(r.values))))
            for r in t.match_expressions
        ]
        return NodeSelectorTerm(
            tuple(data.draw(st.permutations(exprs))), tuple(data.draw(st.permutations(t.match_fields)))
        )

    na = pod.affinity.node_affinity if pod.affinity else None
    assert na is not None
    required = None if na.required is None else tuple(data.draw(st.permutations([term(t) for t in na.required])))
    preferred = tuple(
        data.draw(st.permutations([PreferredSchedulingTerm(p.weight, term(p.preference)) for p in na.preferred]))
    )
    return affinity_pod(required, preferred, dict(pod.node_selector))


def _outcome(result: PluginEvaluation) -> tuple[Any, ...]:
    return (
        {n: (s.code, s.reasons) for n, s in result.filter.items()},
        None if result.pre_filter is None else result.pre_filter.code,
        None if result.pre_filter_result is None else result.pre_filter_result.node_names,
        None if result.pre_score is None else result.pre_score.code,
        result.raw,
        result.normalized,
    )


@settings(max_examples=300, deadline=None)
@given(pod=AFFINITY_PODS, snapshot=CLUSTERS, data=st.data())
def test_reordered_affinity_signs_alike_and_gives_equal_results(
    pod: Pod, snapshot: Snapshot, data: st.DataObject
) -> None:
    """Strict = upstream content plus one bit: reorderings sign alike and never change a result."""
    other = _shuffled(pod, data)
    for mode in ("upstream", "strict"):
        assert fragments(pod, mode) == fragments(other, mode)
    assert _outcome(run(pod, snapshot)) == _outcome(run(other, snapshot))
