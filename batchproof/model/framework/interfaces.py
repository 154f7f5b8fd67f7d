"""Plugin protocols for each extension point (snake_case of the upstream interface names).

A plugin is any object with a ``name`` and one or more of these methods; the framework detects
extension points by the methods present, like upstream's type assertions.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.features import FeatureGates
from batchproof.model.framework.status import Status
from batchproof.model.objects import Pod

SignerMode = Literal["upstream", "strict"]
SIGNER_MODES: tuple[SignerMode, ...] = ("upstream", "strict")
MAX_NODE_SCORE = 100
MIN_NODE_SCORE = 0

EXTENSION_POINTS = ("pre_filter", "filter", "pre_score", "score", "normalize_score", "sign_pod")


@dataclass(frozen=True, slots=True)
class PreFilterResult:
    """Nodes PreFilter allows; None means all nodes (framework.PreFilterResult)."""

    node_names: frozenset[str] | None = None

    @property
    def all_nodes(self) -> bool:
        """True when the result does not restrict nodes."""
        return self.node_names is None

    def merge(self, other: PreFilterResult | None) -> PreFilterResult:
        """Intersection of two results (PreFilterResult.Merge)."""
        if other is None or other.node_names is None:
            return self
        if self.node_names is None:
            return other
        return PreFilterResult(self.node_names & other.node_names)


@dataclass(frozen=True, slots=True)
class SignFragment:
    """One signature fragment: a key naming the pod field, and a JSON-serialisable value."""

    key: str
    value: Any


@dataclass(frozen=True, slots=True)
class PluginContext:
    """What a plugin factory receives besides its args: feature gates and the signer mode."""

    features: FeatureGates = field(default_factory=FeatureGates)
    signers: SignerMode = "upstream"


class Plugin(Protocol):
    """Every plugin has a name."""

    name: str


@runtime_checkable
class PreFilterPlugin(Protocol):
    """PreFilter: computes per-cycle state; may restrict nodes or skip its Filter."""

    name: str

    def pre_filter(
        self, state: CycleState, pod: Pod, nodes: Sequence[NodeInfo]
    ) -> tuple[PreFilterResult | None, Status]:
        """Run before Filter once per cycle."""


@runtime_checkable
class FilterPlugin(Protocol):
    """Filter: whether the pod fits one node."""

    name: str

    def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        """Judge one node."""


@runtime_checkable
class PreScorePlugin(Protocol):
    """PreScore: computes per-cycle scoring state over the feasible nodes."""

    name: str

    def pre_score(self, state: CycleState, pod: Pod, nodes: Sequence[NodeInfo]) -> Status:
        """Run once before Score."""


@runtime_checkable
class ScorePlugin(Protocol):
    """Score: a raw integer score for one node."""

    name: str

    def score(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> tuple[int, Status]:
        """Score one node."""


@runtime_checkable
class NormalizeScorePlugin(Protocol):
    """NormalizeScore (ScoreExtensions): rescale raw scores of all scored nodes in place."""

    name: str

    def normalize_score(self, state: CycleState, pod: Pod, scores: MutableMapping[str, int]) -> Status:
        """Rewrite ``scores`` (node name to score) in place."""


@runtime_checkable
class SignPlugin(Protocol):
    """SignPod: the fragments of the pod that this plugin's results depend on."""

    name: str

    def sign_pod(self, pod: Pod) -> tuple[tuple[SignFragment, ...] | None, Status]:
        """Fragments and Success, or None and Unschedulable to refuse signing."""


def implements(plugin: object, point: str) -> bool:
    """Whether ``plugin`` implements the extension point ``point`` (a method name)."""
    return callable(getattr(plugin, point, None))
