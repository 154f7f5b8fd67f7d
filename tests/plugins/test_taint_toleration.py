"""TaintToleration beyond the fixtures: Filter order and effects, Score state, and toleration signing."""

from __future__ import annotations

from typing import Any

import pytest

from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.evaluate import evaluate_plugin
from batchproof.model.framework.interfaces import PluginContext, SignerMode
from batchproof.model.framework.status import Code
from batchproof.model.objects import Node, Pod, Taint, Toleration
from batchproof.model.plugins.helpers.signers import TOLERATIONS_SIGNER
from batchproof.model.plugins.registry import DEFAULT_REGISTRY

NAME = "TaintToleration"


def plugin(mode: SignerMode = "upstream") -> Any:
    return DEFAULT_REGISTRY.create(NAME, None, PluginContext(signers=mode))


def cluster(**taints: tuple[Taint, ...]) -> Snapshot:
    return Snapshot([Node(name, taints=t) for name, t in taints.items()])


def test_filter_rejects_an_untolerated_no_schedule_or_no_execute_taint_with_the_v1_37_reason() -> None:
    """v1.37 taint_toleration.go: the reason no longer names the taint (v1.35 said ``{evict: now}``)."""
    node_taints = (
        Taint("soft", "x", "PreferNoSchedule"),
        Taint("tolerated", "v", "NoSchedule"),
        Taint("evict", "now", "NoExecute"),
        Taint("later", "y", "NoSchedule"),
    )
    pod = Pod(name="p", tolerations=(Toleration(key="tolerated", operator="Exists"),))
    status = plugin().filter(CycleState(Snapshot()), pod, cluster(a=node_taints).node_infos()[0])
    assert (status.code, status.reasons) == (
        Code.UNSCHEDULABLE_AND_UNRESOLVABLE,
        ("node(s) had untolerated taint(s)",),
    )
    tolerated = Pod(name="q", tolerations=(Toleration(operator="Exists"),))
    assert plugin().filter(CycleState(Snapshot()), tolerated, cluster(a=node_taints).node_infos()[0]).is_success


@pytest.mark.parametrize(
    ("toleration", "tolerated"),
    [
        (Toleration(operator="Exists"), True),  # empty key + Exists tolerates everything
        (Toleration(key="k", operator="Exists", effect="NoExecute"), False),  # effect must match when set
        (Toleration(key="k", value="v"), True),  # empty operator means Equal
        (Toleration(key="k", operator="Equal", value="w"), False),
    ],
)
def test_toleration_matching(toleration: Toleration, tolerated: bool) -> None:
    snapshot = cluster(a=(Taint("k", "v", "NoSchedule"),))
    status = plugin().filter(CycleState(snapshot), Pod(name="p", tolerations=(toleration,)), snapshot.node_infos()[0])
    assert status.is_success is tolerated


def test_score_counts_untolerated_prefer_no_schedule_taints_and_normalizes_reversed() -> None:
    snapshot = cluster(
        none=(),
        one=(Taint("a", "1", "PreferNoSchedule"), Taint("hard", "", "NoSchedule")),
        two=(
            Taint("a", "1", "PreferNoSchedule"),
            Taint("b", "2", "PreferNoSchedule"),
            Taint("ok", "", "PreferNoSchedule"),
        ),
    )
    pod = Pod(
        name="p",
        tolerations=(Toleration(key="ok", operator="Exists"), Toleration(key="b", effect="NoSchedule", value="2")),
    )
    result = evaluate_plugin(plugin(), pod, snapshot)
    assert result.raw == {"none": 0, "one": 1, "two": 2}
    assert result.normalized == {"none": 100, "one": 50, "two": 0}


def test_score_without_pre_score_state_is_an_error_like_upstream() -> None:
    snapshot = cluster(a=())
    score, status = plugin().score(CycleState(snapshot), Pod(name="p"), snapshot.node_infos()[0])
    assert (score, status.code) == (0, Code.ERROR)


def test_all_nodes_score_100_when_nothing_is_untolerated() -> None:
    result = evaluate_plugin(plugin(), Pod(name="p"), cluster(a=(), b=(Taint("x", "", "NoSchedule"),)))
    assert result.normalized == {"a": 100, "b": 100}


def _sign(pod: Pod, mode: SignerMode) -> Any:
    fragments, status = plugin(mode).sign_pod(pod)
    assert status.is_success
    assert [f.key for f in fragments] == [TOLERATIONS_SIGNER]
    return fragments[0].value


def test_reordered_tolerations_sign_apart_upstream_but_alike_strict() -> None:
    """Upstream sorts by (key, value) only; equal keys keep their input order (spec §10.6.4)."""
    first = (
        Toleration(key="k", operator="Exists", effect="NoSchedule"),
        Toleration(key="k", operator="Exists", effect="NoExecute"),
    )
    a, b = Pod(name="a", tolerations=first), Pod(name="b", tolerations=first[::-1])
    snapshot = cluster(
        n1=(Taint("k", "", "NoExecute"),), n2=(Taint("k", "", "PreferNoSchedule"),), n3=(Taint("k", "", "NoSchedule"),)
    )
    assert _sign(a, "upstream") != _sign(b, "upstream")
    assert _sign(a, "strict") == _sign(b, "strict")
    left, right = evaluate_plugin(plugin(), a, snapshot), evaluate_plugin(plugin(), b, snapshot)
    assert left.filter == right.filter
    assert (left.raw, left.normalized) == (right.raw, right.normalized)


def test_signature_keeps_every_toleration_field() -> None:
    pod = Pod(
        name="p",
        tolerations=(
            Toleration(key="b", operator="Equal", value="2", effect="NoExecute", toleration_seconds=30),
            Toleration(key="a"),
        ),
    )
    assert _sign(pod, "upstream") == [
        {"key": "a"},
        {"key": "b", "operator": "Equal", "value": "2", "effect": "NoExecute", "tolerationSeconds": 30},
    ]
