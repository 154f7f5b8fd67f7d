"""``batchproof schedule --scheduler upstream|upstream-batched``: the queue through upstream's cycle."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from batchproof.model.objects import Pod
from batchproof.model.profiles import Profile
from batchproof.properties.lockstep import BatchingOptions
from batchproof.properties.world import Cluster
from batchproof.upstream.client import Oracle
from batchproof.upstream.schedule import schedule


def upstream_document(
    scheduler: str, profiles: Sequence[Profile], cluster: Cluster, queue: Sequence[Pod], options: BatchingOptions
) -> dict[str, Any]:
    """The ``schedule --format json`` document of the oracle's run (same shape as the model's).

    Raises:
        OracleError: the oracle failed or rejected the request.

    """
    with Oracle() as oracle:
        result = schedule(
            oracle,
            profiles=profiles,
            nodes=cluster.nodes,
            existing=cluster.existing,
            objects=cluster.objects,
            queue=queue,
            batching=scheduler == "upstream-batched",
            max_batch_age=options.max_batch_age,
            pod_interval=options.pod_interval,
        )
    placements: list[dict[str, Any]] = []
    for placement in result.placements:
        row: dict[str, Any] = {"pod": placement.pod, "node": placement.node, "path": placement.path}
        if placement.node is None and placement.status is not None:
            row["reason"] = placement.status.message
        placements.append(row)
    return {"scheduler": scheduler, "placements": placements, "metrics": result.metrics}
