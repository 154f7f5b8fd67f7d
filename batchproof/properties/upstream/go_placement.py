"""Placement equivalence for a Go plugin: upstream's batched cycle against its own full cycle.

The pair check sees one pod at a time, so it cannot see a plugin whose results depend on the
pods already placed (a cross-pod dependency). This check schedules a short queue built from an
equal-signature pair — the same pod repeated, or the pair alternating — on upstream's real
``scheduler.New`` with the author's plugin in the profile, once with OpportunisticBatching off
and once on, and compares where each pod lands. A pod the batched cycle placed from a hint on
another node than the full cycle, and not on one of the full cycle's tied best nodes, is a
placement gap; only the first differing pod is reported (later ones follow from it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import ContainerPort, Pod
from batchproof.model.profiles import Profile
from batchproof.properties.world import Cluster
from batchproof.upstream.client import Oracle
from batchproof.upstream.schedule import UpstreamPlacement, schedule

Pattern = Literal["repeat", "alternate"]
_HOST_PORT = 8080


@dataclass(frozen=True, slots=True)
class PlacementGap:
    """The first pod the batched cycle placed differently, with how it got there."""

    pod: str
    index: int
    full_node: str | None
    batched_node: str | None
    hinted: bool
    flush_reason: str | None
    queue: tuple[str, ...]

    def describe(self) -> str:
        """``pod run-1: full cycle node-0, batched cycle node-1 (hint)``."""
        how = "hint" if self.hinted else "full"
        if self.flush_reason:
            how += f", flush {self.flush_reason}"
        return (
            f"pod {self.pod} (queue {' '.join(self.queue)}): full cycle {self.full_node or 'unplaced'}, "
            f"batched cycle {self.batched_node or 'unplaced'} ({how})"
        )


@dataclass(frozen=True, slots=True)
class PlacementRun:
    """What one queue showed: pods compared, pods the batched cycle placed from a hint, the first gap."""

    pods: int
    hinted: int
    gap: PlacementGap | None


def queue_of(first: Pod, second: Pod, *, count: int, pattern: Pattern, one_per_node: bool) -> tuple[Pod, ...]:
    """``count`` pending copies of the pair, ``first`` repeated or the two alternating.

    With ``one_per_node`` every pod asks for host port 8080, so each node takes one: the case
    upstream's batching was built for.
    """
    templates = (
        (_batchable(first), _batchable(first)) if pattern == "repeat" else (_batchable(first), _batchable(second))
    )
    if one_per_node:
        templates = tuple(_with_host_port(t) for t in templates)  # type: ignore[assignment]
    return tuple(
        replace(templates[i % 2], name=f"run-{i}", uid=f"uid-run-{i}", node_name="", nominated_node_name="")
        for i in range(count)
    )


def _batchable(pod: Pod) -> Pod:
    """The pod without what keeps copies from batching or from fitting several nodes.

    Pod affinity, spread constraints, volumes and claims (upstream's in-tree signers refuse
    them), node selectors and node affinity (they leave one feasible node, so nothing to hint)
    go; the pair check sees those fields, and the author's plugin sees every other one here.
    """
    return replace(
        pod, affinity=None, node_selector=FrozenDict(), topology_spread_constraints=(), volumes=(), resource_claims=()
    )


def _with_host_port(pod: Pod) -> Pod:
    first, *rest = pod.containers
    port = ContainerPort(container_port=_HOST_PORT, host_port=_HOST_PORT, protocol="TCP")
    others = tuple(replace(c, ports=tuple(p for p in c.ports if p.host_port != _HOST_PORT)) for c in rest)
    return replace(pod, containers=(replace(first, ports=(port,)), *others))


def _differs(full: UpstreamPlacement, batched: UpstreamPlacement) -> bool:
    if full.node == batched.node:
        return False
    # Ties go to heap position upstream; another node of the same best total is not a gap.
    return not (full.tied is not None and batched.node in full.tied)


def compare_placements(oracle: Oracle, profile: Profile, cluster: Cluster, queue: tuple[Pod, ...]) -> PlacementRun:
    """Schedule ``queue`` with batching on; check each hinted pod against a full cycle on the same state.

    Each pod placed from a hint is scheduled again, alone, with batching off, on the cluster as
    the batched run left it (the pods before it bound where they went) — the model's lockstep
    comparison, so one early difference does not make every later pod differ.

    Raises:
        OracleError: the oracle failed or rejected the scenario.

    """

    def run(pods: tuple[Pod, ...], existing: tuple[Pod, ...], batching: bool) -> tuple[UpstreamPlacement, ...]:
        result = schedule(
            oracle,
            profiles=(profile,),
            nodes=cluster.nodes,
            existing=existing,
            objects=cluster.objects,
            queue=pods,
            batching=batching,
        )
        return result.placements

    queue = tuple(replace(p, scheduler_name=profile.scheduler_name) for p in queue)
    batched = run(queue, cluster.existing, True)
    hinted = 0
    for index, placement in enumerate(batched):
        if not placement.hinted:
            continue
        hinted += 1
        before = tuple(replace(queue[i], node_name=node) for i in range(index) if (node := batched[i].node) is not None)
        (full,) = run((queue[index],), (*cluster.existing, *before), False)
        if _differs(full, placement):
            gap = PlacementGap(
                pod=placement.pod,
                index=index,
                full_node=full.node,
                batched_node=placement.node,
                hinted=True,
                flush_reason=placement.flush_reason,
                queue=tuple(p.name for p in queue),
            )
            return PlacementRun(len(batched), hinted, gap)
    return PlacementRun(len(batched), hinted, None)
