"""Differential property: every in-tree plugin of the model answers as upstream's does.

Cases come from the strategies that drive the signature pairs: (profile, cluster, pod). For every
plugin both run, statuses (codes, and reasons except for Error), PreFilter node sets, raw and
normalised scores and signature fragments must be equal, and so must the framework's aggregated
signature. The property counts the plugin comparisons it made and fails when there were none.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import given

from batchproof.model.objects import Pod
from batchproof.model.profiles import Profile
from batchproof.properties.strategies.clusters import clusters
from batchproof.properties.strategies.objects import pods
from batchproof.properties.strategies.profiles import profiles
from batchproof.properties.upstream.plugin_diff import diff_case
from batchproof.properties.world import Cluster
from batchproof.upstream import Oracle

# Every plugin of the batching profile that upstream runs at PreFilter, Filter, PreScore or Score.
EXPECTED = {
    "NodeUnschedulable",
    "NodeName",
    "TaintToleration",
    "NodeAffinity",
    "NodePorts",
    "NodeResourcesFit",
    "VolumeRestrictions",
    "NodeVolumeLimits",
    "VolumeBinding",
    "VolumeZone",
    "PodTopologySpread",
    "InterPodAffinity",
    "DynamicResources",
    "NodeResourcesBalancedAllocation",
    "ImageLocality",
}


def test_every_plugin_agrees_with_upstream_on_generated_cases(oracle: Oracle) -> None:
    compared: Counter[str] = Counter()

    @given(profiles(signers="upstream"), clusters(), pods())
    def check(profile: Profile, cluster: Cluster, pod: Pod) -> None:
        result = diff_case(oracle, profile, cluster, pod)
        compared.update(result.plugins)
        assert not result.disagreements, "\n".join(d.describe() for d in result.disagreements)

    check()
    missing = EXPECTED - set(compared)
    assert not missing, f"plugins never compared: {sorted(missing)}"
    assert min(compared.values()) > 0
