"""Strategies for scheduling profiles: plugin subsets, score weights, plugin args, signer modes.

Profiles start from the ``batching`` profile (so pods stay signable) and vary what a real
KubeSchedulerConfiguration varies: which score plugins run, their weights and their args.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import strategies as st

from batchproof.model.framework.interfaces import SIGNER_MODES, SignerMode
from batchproof.model.frozen import FrozenDict
from batchproof.model.profiles import PluginSpec, Profile, batching_profile

SCORE_PLUGINS = (
    "TaintToleration",
    "NodeAffinity",
    "NodeResourcesFit",
    "InterPodAffinity",
    "NodeResourcesBalancedAllocation",
    "ImageLocality",
)
FIT_STRATEGIES: tuple[dict[str, Any], ...] = (
    {"type": "LeastAllocated", "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}]},
    {"type": "MostAllocated", "resources": [{"name": "cpu", "weight": 2}, {"name": "memory", "weight": 1}]},
    {
        "type": "RequestedToCapacityRatio",
        "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
        "requestedToCapacityRatio": {"shape": [{"utilization": 0, "score": 0}, {"utilization": 100, "score": 10}]},
    },
)


@st.composite
def profiles(draw: st.DrawFn, *, signers: SignerMode | None = None) -> Profile:
    """Batching-profile variants: a subset of score plugins, weights 1-5, Fit strategy, IPA args."""
    base = batching_profile()
    disabled = draw(st.lists(st.sampled_from(SCORE_PLUGINS), unique=True, max_size=3))
    weights = {name: draw(st.integers(1, 5)) for name in SCORE_PLUGINS if name not in disabled}
    multi_point = tuple(PluginSpec(s.name, weights.get(s.name, s.weight)) for s in base.multi_point)
    args = dict(base.plugin_args)
    args["NodeResourcesFit"] = {"scoringStrategy": draw(st.sampled_from(FIT_STRATEGIES))}
    args["InterPodAffinity"] = {"ignorePreferredTermsOfExistingPods": draw(st.booleans())}
    mode = signers if signers is not None else draw(st.sampled_from(SIGNER_MODES))
    return replace(
        base,
        multi_point=multi_point,
        disabled=FrozenDict({"score": frozenset(disabled)}) if disabled else FrozenDict(),
        plugin_args=FrozenDict(args),
        signers=mode,
    )
