"""End-to-end scenarios of upstream test/integration/scheduler/batch/batch_test.go.

Same inputs (pods request 10 CPU and 4Mi, nodes have 100 CPU, 4Gi and ``maxPods`` pods; pods
prefer nodes through weighted ``metadata.name`` matchFields terms) and the same expected nodes
and batched-or-not outcomes, on the ``batching`` profile plus the ``mysched``, ``nosign`` and
``emptysign`` profiles of the upstream test.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from batchproof.batched import BatchedScheduler, Variant, VirtualClock
from batchproof.model.cluster import NodeInfo, Snapshot
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import PluginContext
from batchproof.model.framework.runtime import Framework
from batchproof.model.framework.status import SUCCESS, Status, unschedulable
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import (
    Affinity,
    Container,
    Node,
    NodeAffinity,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    Pod,
    PreferredSchedulingTerm,
)
from batchproof.model.plugins.registry import PluginInfo, Registry
from batchproof.model.profiles import PluginSpec, Profile, batching_profile


class NoSign:
    """A filter plugin without SignPod: the whole profile becomes unbatchable."""

    name = "nosign"

    def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        return SUCCESS


class EmptySign(NoSign):
    """A filter plugin that refuses to sign every pod."""

    name = "emptysign"

    def sign_pod(self, pod: Pod) -> tuple[None, Status]:
        return None, unschedulable()


def _factory(cls: type[NoSign]) -> Any:
    def build(args: Mapping[str, Any], context: PluginContext) -> NoSign:
        return cls()

    return build


REGISTRY = Registry(
    {"nosign": PluginInfo("nosign", _factory(NoSign)), "emptysign": PluginInfo("emptysign", _factory(EmptySign))}
)


def frameworks() -> dict[str, Framework]:
    base = batching_profile()
    profiles: dict[str, Profile] = {
        "default-scheduler": base,
        "mysched": replace(base, scheduler_name="mysched"),
        "nosign": replace(base, scheduler_name="nosign", enabled=FrozenDict({"filter": (PluginSpec("nosign"),)})),
        "emptysign": replace(
            base, scheduler_name="emptysign", enabled=FrozenDict({"filter": (PluginSpec("emptysign"),)})
        ),
    }
    return {name: profile.build(REGISTRY) for name, profile in profiles.items()}


@dataclass(frozen=True)
class PodDef:
    name: str
    expected_node: str
    node_affinity: tuple[str, ...] = ()
    node_selector: Mapping[str, str] = field(default_factory=dict)
    expect_batched: bool = False
    nnn: str = ""
    scheduler: str = "default-scheduler"

    def pod(self) -> Pod:
        preferred = tuple(
            PreferredSchedulingTerm(
                weight=len(self.node_affinity) - i,
                preference=NodeSelectorTerm(match_fields=(NodeSelectorRequirement("metadata.name", "In", (node,)),)),
            )
            for i, node in enumerate(self.node_affinity)
        )
        return Pod(
            name=self.name,
            namespace="default",
            scheduler_name=self.scheduler,
            containers=(
                Container(
                    name="pause",
                    image="registry.k8s.io/pause:3.10",
                    requests=FrozenDict({"cpu": 10_000, "memory": 4 * 1024 * 1024}),
                ),
            ),
            affinity=Affinity(node_affinity=NodeAffinity(preferred=preferred)),
            node_selector=FrozenDict(self.node_selector),
            nominated_node_name=self.nnn,
        )


def node(name: str, max_pods: int, labels: Mapping[str, str] | None = None) -> Node:
    resources = FrozenDict({"cpu": 100_000, "memory": 4 * 1024**3, "pods": max_pods})
    return Node(name, labels=FrozenDict(labels or {}), capacity=resources, allocatable=resources)


def aff(prefix: str, *nodes: int) -> tuple[str, ...]:
    return tuple(f"{prefix}-batchn{n}" for n in nodes)


SCENARIOS: dict[str, tuple[list[PodDef], list[Node]]] = {
    "one pod one node": ([PodDef("1ppn-batchp1", "1ppn-batchn1")], [node("1ppn-batchn1", 1)]),
    "distinct pods on distinct nodes": (
        [PodDef(f"dpdn-batchp{i}", f"dpdn-batchn{i}", node_selector={"forpod": str(i)}) for i in (1, 2, 3)],
        [node(f"dpdn-batchn{i}", 10, {"forpod": str(i)}) for i in (3, 2, 1)],
    ),
    "three pod batch": (
        [
            PodDef("tpb-batchp1", "tpb-batchn1", aff("tpb", 1, 2, 3)),
            PodDef("tpb-batchp2", "tpb-batchn2", aff("tpb", 1, 2, 3), expect_batched=True),
            PodDef("tpb-batchp3", "tpb-batchn3", aff("tpb", 1, 2, 3), expect_batched=True),
        ],
        [node(f"tpb-batchn{i}", 1) for i in (3, 2, 1)],
    ),
    "two consecutive batches": (
        [
            PodDef("tcb-batchp1", "tcb-batchn1", aff("tcb", 1, 2)),
            PodDef("tcb-batchp2", "tcb-batchn2", aff("tcb", 1, 2), expect_batched=True),
            PodDef("tcb-batchp3", "tcb-batchn4", aff("tcb", 4, 3)),
            PodDef("tcb-batchp4", "tcb-batchn3", aff("tcb", 4, 3), expect_batched=True),
        ],
        [node(f"tcb-batchn{i}", 1) for i in (4, 3, 2, 1)],
    ),
    "multiple pods per node means no batching": (
        [
            PodDef("mppn-batchp1", "mppn-batchn1", aff("mppn", 1, 2)),
            PodDef("mppn-batchp2", "mppn-batchn1", aff("mppn", 1, 2)),
            PodDef("mppn-batchp3", "mppn-batchn4", aff("mppn", 4, 3)),
            PodDef("mppn-batchp4", "mppn-batchn4", aff("mppn", 4, 3)),
        ],
        [node(f"mppn-batchn{i}", 2) for i in (4, 3, 2, 1)],
    ),
    "nnn trumps hint": (
        [
            PodDef("nnn-batchp1", "nnn-batchn1", aff("nnn", 1, 2, 3)),
            PodDef("nnn-batchp2", "nnn-batchn3", aff("nnn", 1, 2, 3), nnn="nnn-batchn3"),
        ],
        [node(f"nnn-batchn{i}", 1) for i in (3, 2, 1)],
    ),
    "no batching between schedulers": (
        [
            PodDef("bts--batchp1", "bts--batchn1", aff("bts-", 1, 2, 3)),
            PodDef("bts--batchp2", "bts--batchn2", aff("bts-", 1, 2, 3), scheduler="mysched"),
        ],
        [node(f"bts--batchn{i}", 1) for i in (3, 2, 1)],
    ),
    "no batching missing sign": (
        [
            PodDef("nsg-batchp1", "nsg-batchn1", aff("nsg", 1, 2, 3), scheduler="nosign"),
            PodDef("nsg-batchp2", "nsg-batchn2", aff("nsg", 1, 2, 3), scheduler="nosign"),
        ],
        [node(f"nsg-batchn{i}", 1) for i in (3, 2, 1)],
    ),
    "no batching empty sign": (
        [
            PodDef("esg-batchp1", "esg-batchn1", aff("esg", 1, 2, 3), scheduler="emptysign"),
            PodDef("esg-batchp2", "esg-batchn2", aff("esg", 1, 2, 3), scheduler="emptysign"),
        ],
        [node(f"esg-batchn{i}", 1) for i in (3, 2, 1)],
    ),
}


def run(name: str, variant: Variant) -> list[tuple[str | None, bool]]:
    pods, nodes = SCENARIOS[name]
    clock = VirtualClock()
    scheduler = BatchedScheduler(frameworks(), Snapshot(nodes), clock=clock, variant=variant)
    outcomes = []
    for definition in pods:
        before = scheduler.metrics_registry.batched_pods
        decision = scheduler.schedule_one(definition.pod())
        outcomes.append((decision.node, scheduler.metrics_registry.batched_pods > before))
        clock.advance(0.001)
    return outcomes


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_upstream_scenario_under_g1(name: str) -> None:
    pods, _ = SCENARIOS[name]
    assert run(name, "g1") == [(p.expected_node, p.expect_batched) for p in pods]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_upstream_scenario_under_g3(name: str) -> None:
    """G3 places every pod where upstream's test expects; with rescoring, the second pod of a
    several-pods-per-node run is hinted onto the rescored node instead of flushing node_not_full."""
    pods, _ = SCENARIOS[name]
    expected = [(p.expected_node, p.expect_batched) for p in pods]
    if name == "multiple pods per node means no batching":
        expected = [(p.expected_node, i % 2 == 1) for i, p in enumerate(pods)]
    assert run(name, "g3") == expected
