"""Profile.build: which plugin runs at which point, in which order, with which weight; built-in names.

Upstream rules (k8s.io/kubernetes v1.37.2 pkg/scheduler/framework/runtime/framework.go):
``expandMultiPointPlugins`` orders each point as (1) MultiPoint plugins explicitly re-enabled at
that point, in the explicit order, (2) the MultiPoint-only ones, (3) the other explicit ones; a
point's ``disabled`` removes MultiPoint plugins (``*`` all of them) but never an explicit entry;
``getValidScoreWeights`` takes an explicit Score entry's weight over MultiPoint's and makes 0 a 1.
The same cases are checked against the real framework in tests/upstream/test_profile_expansion.py.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from batchproof.model.errors import ConfigError
from batchproof.model.framework.runtime import Framework
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Container, ContainerPort, Pod
from batchproof.model.profiles import (
    BUILT_IN_PROFILES,
    PluginSpec,
    Profile,
    batching_profile,
    built_in_profile,
    default_profile,
)

MULTI = (
    PluginSpec("PrioritySort"),  # upstream needs a queue sort and a binder; neither runs in a cycle
    PluginSpec("NodeName"),
    PluginSpec("TaintToleration", 3),
    PluginSpec("NodeAffinity", 2),
    PluginSpec("NodePorts"),
    PluginSpec("NodeResourcesFit", 1),
    PluginSpec("ImageLocality", 1),
    PluginSpec("DefaultBinder"),
)


def points(profile: Profile) -> dict[str, list[Any]]:
    framework: Framework = profile.build()
    return {
        "preFilter": [p.name for p in framework.pre_filter_plugins],
        "filter": [p.name for p in framework.filter_plugins],
        "preScore": [p.name for p in framework.pre_score_plugins],
        "score": [(s.plugin.name, s.weight) for s in framework.score_plugins],
    }


def profile(
    enabled: dict[str, tuple[PluginSpec, ...]] | None = None, disabled: dict[str, frozenset[str]] | None = None
) -> Profile:
    return Profile(multi_point=MULTI, enabled=FrozenDict(enabled or {}), disabled=FrozenDict(disabled or {}))


# (case, enabled, disabled, point, expected at that point)
CASES: list[tuple[str, dict[str, Any], dict[str, Any], str, list[Any]]] = [
    (
        "multi point only",
        {},
        {},
        "filter",
        ["NodeName", "TaintToleration", "NodeAffinity", "NodePorts", "NodeResourcesFit"],
    ),
    ("pre filter points", {}, {}, "preFilter", ["NodeAffinity", "NodePorts", "NodeResourcesFit"]),
    ("pre score points", {}, {}, "preScore", ["TaintToleration", "NodeAffinity", "NodeResourcesFit"]),
    (
        "re-enabled MultiPoint plugins go first, in the explicit order",
        {"filter": (PluginSpec("NodePorts"), PluginSpec("NodeAffinity"))},
        {},
        "filter",
        ["NodePorts", "NodeAffinity", "NodeName", "TaintToleration", "NodeResourcesFit"],
    ),
    (
        "a disabled MultiPoint plugin enabled explicitly is an explicit-only one, last",
        {"filter": (PluginSpec("NodeName"),)},
        {"filter": frozenset({"NodeName"})},
        "filter",
        ["TaintToleration", "NodeAffinity", "NodePorts", "NodeResourcesFit", "NodeName"],
    ),
    (
        "disabling a point removes the MultiPoint plugin there only",
        {},
        {"filter": frozenset({"NodePorts", "TaintToleration"})},
        "filter",
        ["NodeName", "NodeAffinity", "NodeResourcesFit"],
    ),
    (
        "* disables every MultiPoint plugin at the point, not the explicit ones",
        {"filter": (PluginSpec("NodeResourcesFit"), PluginSpec("NodeName"))},
        {"filter": frozenset({"*"})},
        "filter",
        ["NodeResourcesFit", "NodeName"],
    ),
    (
        "explicit Score weights win; an explicit entry without weight scores 1",
        {"score": (PluginSpec("TaintToleration"), PluginSpec("ImageLocality", 5))},
        {},
        "score",
        [("TaintToleration", 1), ("ImageLocality", 5), ("NodeAffinity", 2), ("NodeResourcesFit", 1)],
    ),
    (
        "MultiPoint weights, an unweighted plugin scores 1",
        {},
        {"score": frozenset({"NodeResourcesFit"})},
        "score",
        [("TaintToleration", 3), ("NodeAffinity", 2), ("ImageLocality", 1)],
    ),
    (
        "a plugin enabled at one point only runs there, after the MultiPoint ones",
        {"filter": (PluginSpec("VolumeZone"),)},
        {},
        "filter",
        ["NodeName", "TaintToleration", "NodeAffinity", "NodePorts", "NodeResourcesFit", "VolumeZone"],
    ),
    (
        "re-enabling a point does not change the other points",
        {"filter": (PluginSpec("NodePorts"),)},
        {},
        "preFilter",
        ["NodeAffinity", "NodePorts", "NodeResourcesFit"],
    ),
]


@pytest.mark.parametrize(("case", "enabled", "disabled", "point", "expected"), CASES, ids=[c[0] for c in CASES])
def test_points_follow_upstreams_multi_point_expansion(
    case: str, enabled: dict[str, Any], disabled: dict[str, Any], point: str, expected: list[Any]
) -> None:
    assert points(profile(enabled, disabled))[point] == expected


def test_built_in_profiles_by_name() -> None:
    assert set(BUILT_IN_PROFILES) == {"default", "batching"}
    assert built_in_profile("default") == default_profile()
    assert built_in_profile("batching") == batching_profile()
    with pytest.raises(ConfigError, match="unknown profile 'fast'; built-in profiles: default, batching"):
        built_in_profile("fast")


def _ported(protocol: str) -> Pod:
    return Pod(
        name="p", containers=(Container(name="c", ports=(ContainerPort(8080, host_port=8080, protocol=protocol),)),)
    )


@pytest.mark.parametrize("build", [Profile, default_profile, batching_profile])
def test_profiles_sign_as_upstream_does_unless_told_otherwise(build: Any) -> None:
    """Upstream's NodePorts fragment is the port numbers only (spec §10.6): two pods that differ
    only in a host port's protocol share a signature; strict signers tell them apart."""
    upstream = replace(build(), multi_point=(PluginSpec("NodePorts"),), plugin_args=FrozenDict())  # signable
    strict = upstream.with_signers("strict")
    tcp, udp = _ported("TCP"), _ported("UDP")
    assert upstream.build().sign_pod(tcp) == upstream.build().sign_pod(udp) is not None
    assert strict.build().sign_pod(tcp) != strict.build().sign_pod(udp)
