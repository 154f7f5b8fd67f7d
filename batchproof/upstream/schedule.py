"""``schedule`` on the oracle: a pod sequence with events through the real scheduling cycle."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from batchproof.model.manifests.encode import encode_node
from batchproof.model.manifests.load import ClusterObjects
from batchproof.model.objects import Node, Pod
from batchproof.model.profiles import Profile
from batchproof.upstream.client import Oracle
from batchproof.upstream.encode import config_document, feature_gates, pod_document, world_params
from batchproof.upstream.protocol import OracleError

EventKind = Literal["nodeUpdate", "nodeAddition", "nodeRemoval", "podDeletion", "clockAdvance"]
UPSTREAM_MAX_BATCH_AGE = 0.5


@dataclass(frozen=True, slots=True)
class ScheduleEvent:
    """A cluster change or clock jump applied before the pod at index ``before``."""

    before: int
    kind: EventKind
    node: Node | None = None
    name: str = ""
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The protocol's event object."""
        event: dict[str, Any] = {"before": self.before, "type": self.kind}
        if self.node is not None:
            event["node"] = encode_node(self.node)
        if self.name:
            event["name"] = self.name
        if self.kind == "clockAdvance":
            event["seconds"] = self.seconds
        return event


@dataclass(frozen=True, slots=True)
class UpstreamStatus:
    """The failure status upstream's cycle handed to its FailureHandler."""

    code: str
    reasons: tuple[str, ...]
    message: str


@dataclass(frozen=True, slots=True)
class UpstreamPlacement:
    """One pod's cycle on upstream (see oracle/PROTOCOL.md, ``schedule``)."""

    pod: str
    profile: str
    cycle: int
    node: str | None
    status: UpstreamStatus | None
    hint: str | None
    hinted: bool
    attempt: str
    flush_reason: str | None
    store_result: str | None
    rescored: bool
    scores: dict[str, int] = field(default_factory=dict)
    tied: tuple[str, ...] | None = None
    hint_tied: tuple[str, ...] | None = None

    @property
    def path(self) -> str:
        """The model's name for how the node was found: ``hint``, ``nominated`` or ``full``."""
        return "hint" if self.hinted else "full"


@dataclass(frozen=True, slots=True)
class UpstreamSchedule:
    """Every pod's cycle, whether each event applied, and the batching counters."""

    batching: bool
    placements: tuple[UpstreamPlacement, ...]
    events_applied: tuple[bool, ...]
    metrics: dict[str, Any]


def _placement(entry: dict[str, Any]) -> UpstreamPlacement:
    status = entry.get("status")
    tied = entry.get("tied")
    return UpstreamPlacement(
        pod=entry["pod"],
        profile=entry["profile"],
        cycle=int(entry["cycle"]),
        node=entry.get("node"),
        status=None
        if status is None
        else UpstreamStatus(status["code"], tuple(status.get("reasons") or ()), status.get("message", "")),
        hint=entry.get("hint"),
        hinted=bool(entry.get("hinted")),
        attempt=entry.get("attempt", ""),
        flush_reason=entry.get("flushReason"),
        store_result=entry.get("storeResult"),
        rescored=bool(entry.get("rescored")),
        scores={name: int(total) for name, total in (entry.get("scores") or {}).items()},
        tied=None if tied is None else tuple(tied),
        hint_tied=None if entry.get("hintTied") is None else tuple(entry["hintTied"]),
    )


def schedule(
    oracle: Oracle,
    *,
    profiles: Sequence[Profile],
    nodes: tuple[Node, ...],
    queue: Sequence[Pod],
    existing: tuple[Pod, ...] = (),
    objects: ClusterObjects | None = None,
    events: Sequence[ScheduleEvent] = (),
    batching: bool = True,
    max_batch_age: float = UPSTREAM_MAX_BATCH_AGE,
    pod_interval: float = 0.0,
    config: dict[str, Any] | None = None,
) -> UpstreamSchedule:
    """Schedule ``queue`` in order on upstream under ``profiles`` (or a raw ``config`` document).

    The first profile's feature gates apply, with OpportunisticBatching set to ``batching``.

    Raises:
        OracleError: no profile, or the oracle failed or rejected the request.

    """
    if not profiles and config is None:
        raise OracleError("schedule needs at least one profile or a config document")
    gates = feature_gates(profiles[0].features, oracle.version()["featureGates"]) if profiles else {}
    gates["OpportunisticBatching"] = batching
    params: dict[str, Any] = {
        "config": config if config is not None else config_document(*profiles),
        "featureGates": gates,
        **world_params(nodes, existing, objects or ClusterObjects()),
        "queue": [pod_document(p) for p in queue],
        "events": [e.to_json() for e in events],
        "maxBatchAge": max_batch_age,
        "podInterval": pod_interval,
    }
    result = oracle.request("schedule", params)
    return UpstreamSchedule(
        batching=bool(result["batching"]),
        placements=tuple(_placement(entry) for entry in result["pods"]),
        events_applied=tuple(bool(e["applied"]) for e in result["events"]),
        metrics=result["metrics"],
    )
