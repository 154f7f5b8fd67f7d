"""Signature consistency: generate equal-signature pairs by mutation and check them.

A pair is *interesting* when the two pods differ but the plugin (or profile) signs them
equally; it is a *finding* when such a pair gets different plugin results on some cluster.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.framework.features import FeatureGates
from batchproof.model.framework.interfaces import PluginContext, SignerMode
from batchproof.model.objects import Pod
from batchproof.model.plugins.registry import DEFAULT_REGISTRY, Registry
from batchproof.properties.mutate import Mutation, mutate
from batchproof.properties.pairs import Difference, compare_plugin, plugin_signature
from batchproof.properties.strategies.clusters import clusters
from batchproof.properties.strategies.objects import pods, stored_pod
from batchproof.properties.world import Cluster


@dataclass(frozen=True, slots=True)
class PluginUnderTest:
    """A plugin name with the args it is checked under, and a label for reports."""

    name: str
    args: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""

    @property
    def title(self) -> str:
        """The label, or the plugin name."""
        return self.label or self.name

    def build(
        self, signers: SignerMode, features: FeatureGates | None = None, registry: Registry = DEFAULT_REGISTRY
    ) -> Any:
        """Instantiate the plugin."""
        return registry.create(
            self.name, dict(self.args), PluginContext(features=features or FeatureGates(), signers=signers)
        )


SIGNABLE_PLUGINS: tuple[PluginUnderTest, ...] = (
    PluginUnderTest("NodeResourcesFit"),
    PluginUnderTest(
        "NodeResourcesFit",
        {
            "scoringStrategy": {
                "type": "MostAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            }
        },
        "NodeResourcesFit/MostAllocated",
    ),
    PluginUnderTest("NodeResourcesBalancedAllocation"),
    PluginUnderTest("NodePorts"),
    PluginUnderTest("TaintToleration"),
    PluginUnderTest("NodeUnschedulable"),
    PluginUnderTest("NodeAffinity"),
    PluginUnderTest("NodeName"),
    PluginUnderTest("ImageLocality"),
    PluginUnderTest("InterPodAffinity"),
    PluginUnderTest(
        "InterPodAffinity", {"ignorePreferredTermsOfExistingPods": True}, "InterPodAffinity/IgnorePreferred"
    ),
    PluginUnderTest("PodTopologySpread", {"defaultingType": "List", "defaultConstraints": []}),
    PluginUnderTest("VolumeRestrictions"),
    PluginUnderTest("VolumeZone"),
    PluginUnderTest("VolumeBinding"),
    PluginUnderTest("NodeVolumeLimits"),
    PluginUnderTest("DynamicResources"),
)


@dataclass(frozen=True, slots=True)
class PairCase:
    """A pod, its mutant, the mutations that made it, and the cluster they are judged on."""

    first: Pod
    second: Pod
    mutations: tuple[Mutation, ...]
    cluster: Cluster


@dataclass(frozen=True, slots=True)
class PairCheck:
    """The verdict on one pair for one plugin."""

    plugin: str
    signers: SignerMode
    case: PairCase
    equal_signature: bool
    differences: tuple[Difference, ...] = ()

    @property
    def interesting(self) -> bool:
        """Distinct pods with equal, non-nil signatures."""
        return self.equal_signature and self.case.first != self.case.second

    @property
    def inconsistent(self) -> bool:
        """An interesting pair whose results differ: a signature gap."""
        return self.interesting and bool(self.differences)

    def fields(self) -> tuple[str, ...]:
        """The mutated fields, indices removed (e.g. ``containers.ports.protocol``)."""
        return tuple(sorted({field_of(m.path) for m in self.case.mutations if m.kind != "none"}))


def field_of(path: str) -> str:
    """A mutation path without list indices or map keys."""
    return re.sub(r"\[[^\]]*\]", "", path)


@st.composite
def pair_cases(
    draw: st.DrawFn,
    *,
    first: st.SearchStrategy[Pod] | None = None,
    max_mutations: int = 2,
    cluster: st.SearchStrategy[Cluster] | None = None,
) -> PairCase:
    """A pod, a mutant made by up to ``max_mutations`` generic mutations, and a cluster."""
    strategy = first if first is not None else pods()
    pod = draw(strategy)
    mutant = pod
    applied: list[Mutation] = []
    for _ in range(draw(st.integers(1, max_mutations))):
        donor = draw(strategy)
        mutant, mutation = mutate(draw, mutant, donor)
        applied.append(mutation)
    # The mutant is stored as the API server would store it; one it would reject is dropped, so
    # no finding can rest on an object no cluster can hold (issue 12).
    stored = stored_pod(mutant)
    if stored is None:
        stored = pod
        applied.append(Mutation("<root>", "dropped: rejected by validation"))
    mutant = stored
    world = draw(cluster if cluster is not None else clusters())
    return PairCase(pod, mutant, tuple(applied), world)


def check_plugin_pair(
    subject: PluginUnderTest,
    signers: SignerMode,
    case: PairCase,
    features: FeatureGates | None = None,
    *,
    snapshot: Snapshot | None = None,
) -> PairCheck:
    """Sign both pods with the plugin; when equal, compare every result on the cluster.

    ``snapshot`` is the case's cluster snapshot under ``features`` when the caller already has
    one (checking many plugins on one case); plugins only read it.
    """
    gates = features or FeatureGates()
    plugin = subject.build(signers, gates)
    first_sig = plugin_signature(plugin, case.first)
    equal = first_sig is not None and first_sig == plugin_signature(plugin, case.second)
    if not equal or case.first == case.second:
        return PairCheck(subject.title, signers, case, equal)
    world = snapshot if snapshot is not None else case.cluster.snapshot(gates)
    differences = compare_plugin(plugin, case.first, case.second, world)
    return PairCheck(subject.title, signers, case, equal, tuple(differences))
