"""``evaluate`` on the oracle: one pod through every plugin of a profile on the real code."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from batchproof.model.manifests.load import ClusterObjects
from batchproof.model.objects import Node, Pod
from batchproof.model.profiles import Profile
from batchproof.upstream.client import Oracle
from batchproof.upstream.encode import config_document, feature_gates, pod_document, world_params


@dataclass(frozen=True, slots=True)
class UpstreamEvaluation:
    """What upstream's plugins said about one pod (see oracle/PROTOCOL.md, ``evaluate``)."""

    profile: str
    plugins: dict[str, dict[str, Any]]
    extension_points: dict[str, list[dict[str, Any]]]
    signature: str | None
    pod: dict[str, Any] = field(default_factory=dict)

    def signature_json(self) -> Any:
        """The aggregated signature parsed, or None."""
        return None if self.signature is None else json.loads(self.signature)


def evaluate(
    oracle: Oracle,
    *,
    profile: Profile,
    nodes: tuple[Node, ...],
    pod: Pod,
    existing: tuple[Pod, ...] = (),
    objects: ClusterObjects | None = None,
    scored_nodes: Sequence[str] | None = None,
    plugins: Sequence[str] | None = None,
    skip_pre_filter: bool = False,
    skip_pre_score: bool = False,
    config: dict[str, Any] | None = None,
) -> UpstreamEvaluation:
    """Evaluate ``pod`` on upstream under ``profile`` (or a raw ``config`` document).

    Raises:
        OracleError: the oracle failed or rejected the request.

    """
    params: dict[str, Any] = {
        "config": config if config is not None else config_document(profile),
        "profile": profile.scheduler_name,
        "featureGates": feature_gates(profile.features, oracle.version()["featureGates"]),
        **world_params(nodes, existing, objects or ClusterObjects()),
        "pod": pod_document(pod),
        "scoredNodes": None if scored_nodes is None else list(scored_nodes),
        "plugins": None if plugins is None else list(plugins),
        "skipPreFilter": skip_pre_filter,
        "skipPreScore": skip_pre_score,
    }
    result = oracle.request("evaluate", params)
    return UpstreamEvaluation(
        profile=result["profile"],
        plugins={answer["plugin"]: answer for answer in result["plugins"]},
        extension_points=result["extensionPoints"],
        signature=result["signature"],
        pod=result.get("pod") or {},
    )
