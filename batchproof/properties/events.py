"""Cluster events between scheduling cycles: node changes, removals, pod deletions, clock jumps.

Events are values; :func:`apply_event` performs one on a snapshot (and a clock), identically for
both schedulers of a lockstep run.
"""

from __future__ import annotations

from dataclasses import dataclass

from batchproof.batched.clock import VirtualClock
from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.objects import Node


@dataclass(frozen=True, slots=True)
class NodeUpdate:
    """A node's labels, taints or resources change (the object is replaced; pods stay)."""

    node: Node


@dataclass(frozen=True, slots=True)
class NodeAddition:
    """A node joins the cluster."""

    node: Node


@dataclass(frozen=True, slots=True)
class NodeRemoval:
    """A node leaves the cluster with its pods."""

    name: str


@dataclass(frozen=True, slots=True)
class PodDeletion:
    """A bound pod is deleted (``namespace/name``)."""

    pod: str


@dataclass(frozen=True, slots=True)
class ClockJump:
    """Virtual time moves forward, e.g. past the batch age."""

    seconds: float


Event = NodeUpdate | NodeAddition | NodeRemoval | PodDeletion | ClockJump


def apply_event(event: Event, snapshot: Snapshot, clock: VirtualClock | None = None) -> bool:
    """Apply ``event``; False when it did not apply (unknown node or pod, duplicate node)."""
    if isinstance(event, ClockJump):
        if clock is not None:
            clock.advance(event.seconds)
        return True
    if isinstance(event, NodeUpdate):
        if event.node.name not in snapshot:
            return False
        snapshot.update_node(event.node)
        return True
    if isinstance(event, NodeAddition):
        if event.node.name in snapshot:
            return False
        snapshot.add_node(event.node)
        return True
    if isinstance(event, NodeRemoval):
        if event.name not in snapshot:
            return False
        snapshot.remove_node(event.name)
        return True
    for pod in snapshot.pods():
        if pod.key == event.pod:
            return snapshot.remove_pod(pod)
    return False


def describe_event(event: Event) -> str:
    """One line for reports."""
    if isinstance(event, ClockJump):
        return f"clock +{event.seconds * 1000:g}ms"
    if isinstance(event, NodeUpdate):
        return f"update node {event.node.name}"
    if isinstance(event, NodeAddition):
        return f"add node {event.node.name}"
    if isinstance(event, NodeRemoval):
        return f"remove node {event.name}"
    return f"delete pod {event.pod}"
