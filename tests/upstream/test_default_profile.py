"""The model's built-in profiles run the plugins upstream's v1 defaults run, in order, with its weights.

Upstream's side is the framework the oracle builds from an empty KubeSchedulerConfiguration
(``config: null``: pkg/scheduler/apis/config/v1/default_plugins.go after multiPoint expansion).
"""

from __future__ import annotations

from typing import Any

from batchproof.model.profiles import default_profile
from batchproof.upstream import Oracle

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}}


def _model_points() -> dict[str, list[Any]]:
    framework = default_profile().build()
    return {
        "preFilter": [p.name for p in framework.pre_filter_plugins],
        "filter": [p.name for p in framework.filter_plugins],
        "preScore": [p.name for p in framework.pre_score_plugins],
        "score": [(s.plugin.name, s.weight) for s in framework.score_plugins],
    }


def _upstream_points(oracle: Oracle) -> dict[str, list[Any]]:
    points = oracle.request("evaluate", {"config": None, "pod": POD})["extensionPoints"]
    return {
        "preFilter": [p["name"] for p in points["preFilter"]],
        "filter": [p["name"] for p in points["filter"]],
        "preScore": [p["name"] for p in points["preScore"]],
        "score": [(p["name"], p["weight"]) for p in points["score"]],
    }


def test_the_default_profile_matches_upstreams_v1_defaults(oracle: Oracle) -> None:
    model, upstream = _model_points(), _upstream_points(oracle)
    for point in ("filter", "score"):
        assert model[point] == upstream[point], point
    # PreFilter and PreScore: upstream also lists plugins whose PreFilter/PreScore exists only to
    # return Skip or cache state; the model's plugins implement the same points where it matters.
    assert set(model["preFilter"]) <= set(upstream["preFilter"])
    assert set(model["preScore"]) <= set(upstream["preScore"])
