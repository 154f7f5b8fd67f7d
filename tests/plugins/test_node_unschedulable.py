"""NodeUnschedulable beyond the fixtures: the rejection reason, toleration forms, shared signing."""

from __future__ import annotations

from typing import Any

import pytest

from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import SIGNER_MODES, PluginContext, SignerMode
from batchproof.model.framework.status import Code
from batchproof.model.objects import Node, Pod, Toleration
from batchproof.model.plugins.node_unschedulable import ERR_REASON_UNSCHEDULABLE, TAINT_NODE_UNSCHEDULABLE
from batchproof.model.plugins.registry import DEFAULT_REGISTRY


def plugin(name: str = "NodeUnschedulable", mode: SignerMode = "upstream") -> Any:
    return DEFAULT_REGISTRY.create(name, None, PluginContext(signers=mode))


def verdict(pod: Pod, *, cordoned: bool) -> tuple[Code, tuple[str, ...]]:
    snapshot = Snapshot([Node("n", unschedulable=cordoned)])
    status = plugin().filter(CycleState(snapshot), pod, snapshot.node_infos()[0])
    return status.code, status.reasons


def test_cordoned_node_rejects_a_pod_without_the_toleration() -> None:
    assert verdict(Pod(name="p"), cordoned=True) == (Code.UNSCHEDULABLE_AND_UNRESOLVABLE, (ERR_REASON_UNSCHEDULABLE,))
    assert verdict(Pod(name="p"), cordoned=False) == (Code.SUCCESS, ())


@pytest.mark.parametrize(
    ("toleration", "passes"),
    [
        (Toleration(key=TAINT_NODE_UNSCHEDULABLE, operator="Exists", effect="NoSchedule"), True),
        (Toleration(key=TAINT_NODE_UNSCHEDULABLE), True),  # Equal with empty value, any effect
        (Toleration(operator="Exists"), True),
        (Toleration(key=TAINT_NODE_UNSCHEDULABLE, operator="Exists", effect="PreferNoSchedule"), False),
        (Toleration(key=TAINT_NODE_UNSCHEDULABLE, value="true"), False),
    ],
)
def test_tolerating_the_unschedulable_no_schedule_taint_passes(toleration: Toleration, passes: bool) -> None:
    code, _ = verdict(Pod(name="p", tolerations=(toleration,)), cordoned=True)
    assert (code is Code.SUCCESS) is passes


@pytest.mark.parametrize("mode", SIGNER_MODES)
def test_signs_exactly_what_taint_toleration_signs(mode: SignerMode) -> None:
    pod = Pod(
        name="p",
        tolerations=(Toleration(key="z", operator="Exists"), Toleration(key="a", value="1", effect="NoSchedule")),
    )
    mine, status = plugin(mode=mode).sign_pod(pod)
    theirs, _ = plugin("TaintToleration", mode).sign_pod(pod)
    assert status.is_success
    assert mine == theirs
