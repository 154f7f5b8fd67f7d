"""The Framework: runs a profile's plugins at each extension point and aggregates signatures.

Mirrors pkg/scheduler/framework/runtime/framework.go: RunPreFilterPlugins (result merging, Skip
bookkeeping), RunFilterPlugins, RunPreScorePlugins, RunRawScorePlugins + NormalizeScores
(range check, weights), SignPod and computeBatchablePlugins (spec §1.3, §2.1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.errors import PluginFailure
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import (
    MAX_NODE_SCORE,
    MIN_NODE_SCORE,
    PreFilterResult,
    implements,
)
from batchproof.model.framework.status import Code, Status, error, unresolvable
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Pod
from batchproof.model.plugins.helpers.signers import SCHEDULER_NAME_SIGNER, canonical_json

PodSignature = bytes


@dataclass(frozen=True, slots=True)
class NodePluginScores:
    """One node's scores (framework.NodePluginScores): weighted per plugin, total and raw."""

    name: str
    scores: FrozenDict[str, int] = field(default_factory=FrozenDict)
    total_score: int = 0
    raw_scores: FrozenDict[str, int] = field(default_factory=FrozenDict)


@dataclass(frozen=True, slots=True)
class ScoredPlugin:
    """A score plugin with its weight."""

    plugin: Any
    weight: int


def _guard(plugin: Any, point: str, *args: Any) -> Any:
    try:
        return getattr(plugin, point)(*args)
    except PluginFailure:
        raise
    except Exception as cause:
        raise PluginFailure(plugin.name, point, cause) from cause


class Framework:
    """A profile's plugins wired per extension point, in profile order."""

    def __init__(
        self,
        *,
        scheduler_name: str,
        pre_filter: Sequence[Any] = (),
        filter: Sequence[Any] = (),
        pre_score: Sequence[Any] = (),
        score: Sequence[ScoredPlugin] = (),
        has_extenders: bool = False,
        signatures_enabled: bool = True,
    ) -> None:
        self.scheduler_name = scheduler_name
        self.pre_filter_plugins = list(pre_filter)
        self.filter_plugins = list(filter)
        self.pre_score_plugins = list(pre_score)
        self.score_plugins = list(score)
        self.batchable_plugins, self.unsignable_plugins = self._batchable()
        self._filters_for: tuple[set[str], frozenset[str], list[Any]] | None = None
        self.signatures_enabled = signatures_enabled and not has_extenders and not self.unsignable_plugins

    def _batchable(self) -> tuple[list[Any], list[str]]:
        """computeBatchablePlugins: PreFilter, Filter, PreScore, Score order, first appearance wins."""
        seen: dict[str, Any] = {}
        candidates = [*self.pre_filter_plugins, *self.filter_plugins, *self.pre_score_plugins]
        candidates += [scored.plugin for scored in self.score_plugins]
        for plugin in candidates:
            seen.setdefault(plugin.name, plugin)
        unsignable = [name for name, plugin in seen.items() if not implements(plugin, "sign_pod")]
        return list(seen.values()), unsignable

    def plugin_names(self) -> list[str]:
        """Every plugin name at any modelled extension point."""
        return [plugin.name for plugin in self.batchable_plugins]

    # -- filtering ---------------------------------------------------------------
    def run_pre_filter(
        self, state: CycleState, pod: Pod, nodes: Sequence[NodeInfo]
    ) -> tuple[PreFilterResult | None, Status]:
        """RunPreFilterPlugins: merge results, record Skip, stop on UnschedulableAndUnresolvable."""
        result: PreFilterResult | None = None
        returned = Status()
        with_nodes: list[str] = []
        skipped: set[str] = set()
        for plugin in self.pre_filter_plugins:
            plugin_result, status = _guard(plugin, "pre_filter", state, pod, nodes)
            if status.is_skip:
                skipped.add(plugin.name)
                continue
            if not status.is_success:
                status = status.with_plugin(plugin.name)
                if status.code is Code.UNSCHEDULABLE_AND_UNRESOLVABLE:
                    state.skip_filter_plugins = skipped
                    return None, status
                if status.code is Code.UNSCHEDULABLE:
                    returned = status
                    continue
                message = f'running PreFilter plugin "{plugin.name}": {status.message}'
                state.skip_filter_plugins = skipped
                return None, Status(Code.ERROR, (message,), plugin.name)
            if plugin_result is not None and not plugin_result.all_nodes:
                with_nodes.append(plugin.name)
            result = plugin_result if result is None else result.merge(plugin_result)
            if result is not None and result.node_names is not None and not result.node_names:
                state.skip_filter_plugins = skipped
                names = with_nodes[0] if len(with_nodes) == 1 else "[" + " ".join(sorted(with_nodes)) + "]"
                what = "plugin" if len(with_nodes) == 1 else "plugin(s)"
                suffix = "" if len(with_nodes) == 1 else " simultaneously"
                return result, unresolvable(f"node(s) didn't satisfy {what} {names}{suffix}")
        state.skip_filter_plugins = skipped
        return result, returned

    def run_filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        """RunFilterPlugins: the first non-success status, attributed to its plugin."""
        for plugin in self._filters_not_skipped(state.skip_filter_plugins):
            # _guard inlined: this runs per plugin per node per pod, the compare's hottest loop.
            try:
                status: Status = plugin.filter(state, pod, node_info)
            except PluginFailure:
                raise
            except Exception as cause:
                raise PluginFailure(plugin.name, "filter", cause) from cause
            if status.code is not Code.SUCCESS:
                if not status.is_rejected:
                    message = f'running "{plugin.name}" filter plugin: {status.message}'
                    return Status(Code.ERROR, (message,), plugin.name)
                return status.with_plugin(plugin.name)
        return Status()

    def _filters_not_skipped(self, skipped: set[str]) -> list[Any]:
        # One cycle filters every node with the same skip set: list the plugins it leaves once
        # per set, not per node (the copy guards against the set being changed in place).
        known = self._filters_for
        if known is None or known[0] is not skipped or known[1] != skipped:
            active = [plugin for plugin in self.filter_plugins if plugin.name not in skipped]
            known = self._filters_for = (skipped, frozenset(skipped), active)
        return known[2]

    # -- scoring -----------------------------------------------------------------
    def run_pre_score(self, state: CycleState, pod: Pod, nodes: Sequence[NodeInfo]) -> Status:
        """RunPreScorePlugins: record Skip; an error names its plugin."""
        skipped: set[str] = set()
        for plugin in self.pre_score_plugins:
            status: Status = _guard(plugin, "pre_score", state, pod, nodes)
            if status.is_skip:
                skipped.add(plugin.name)
                continue
            if not status.is_success:
                return error(f'running PreScore plugin "{plugin.name}": {status.message}').with_plugin(plugin.name)
        state.skip_score_plugins = skipped
        return Status()

    def active_score_plugins(self, state: CycleState) -> list[ScoredPlugin]:
        """Score plugins not skipped by PreScore."""
        return [s for s in self.score_plugins if s.plugin.name not in state.skip_score_plugins]

    def run_raw_score(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> tuple[dict[str, int], Status]:
        """RunRawScorePlugins: raw per-plugin scores of one node."""
        raw: dict[str, int] = {}
        skipped = state.skip_score_plugins
        for scored in self.score_plugins:  # active_score_plugins without a list per node
            plugin = scored.plugin
            name = plugin.name
            if name in skipped:
                continue
            try:
                value, status = plugin.score(state, pod, node_info)
            except PluginFailure:
                raise
            except Exception as cause:
                raise PluginFailure(name, "score", cause) from cause
            if status.code is not Code.SUCCESS:
                return raw, error(f'plugin "{name}" failed with: {status.message}').with_plugin(name)
            raw[name] = value
        return raw, Status()

    def normalize_scores(
        self, state: CycleState, pod: Pod, nodes: Sequence[NodePluginScores]
    ) -> tuple[list[NodePluginScores], Status]:
        """NormalizeScores: per plugin normalise raw scores over ``nodes``, range-check, weight, total."""
        per_node: dict[str, dict[str, int]] = {n.name: {} for n in nodes}
        for scored in self.active_score_plugins(state):
            name = scored.plugin.name
            scores = {n.name: n.raw_scores.get(name, 0) for n in nodes}
            if implements(scored.plugin, "normalize_score"):
                status: Status = _guard(scored.plugin, "normalize_score", state, pod, scores)
                if not status.is_success:
                    return [], error(
                        f'running Normalize on Score plugins: plugin "{name}" failed with: {status.message}'
                    )
            for node_name, value in scores.items():
                if not MIN_NODE_SCORE <= value <= MAX_NODE_SCORE:
                    return [], error(
                        f'plugin "{name}" returns an invalid score {value}, it should in the range of '
                        f"[{MIN_NODE_SCORE}, {MAX_NODE_SCORE}] after normalizing"
                    )
                per_node[node_name][name] = value * scored.weight
        out = [
            NodePluginScores(
                name=n.name,
                scores=FrozenDict(per_node[n.name]),
                total_score=sum(per_node[n.name].values()),
                raw_scores=n.raw_scores,
            )
            for n in nodes
        ]
        return out, Status()

    def run_score(
        self, state: CycleState, pod: Pod, nodes: Sequence[NodeInfo]
    ) -> tuple[list[NodePluginScores], Status]:
        """RunScorePlugins: raw scores on every node, then NormalizeScores."""
        raw_nodes: list[NodePluginScores] = []
        for info in nodes:
            raw, status = self.run_raw_score(state, pod, info)
            if not status.is_success:
                return [], status
            raw_nodes.append(NodePluginScores(name=info.name, raw_scores=FrozenDict(raw)))
        return self.normalize_scores(state, pod, raw_nodes)

    # -- signatures ----------------------------------------------------------------
    def sign_pod(self, pod: Pod) -> PodSignature | None:
        """frameworkImpl.SignPod: scheduler name plus every batchable plugin's fragments, or None."""
        if not self.signatures_enabled:
            return None
        fragments: dict[str, Any] = {SCHEDULER_NAME_SIGNER: pod.scheduler_name}
        for plugin in self.batchable_plugins:
            plugin_fragments, status = _guard(plugin, "sign_pod", pod)
            if not status.is_success:
                return None
            for fragment in plugin_fragments or ():
                fragments[fragment.key] = fragment.value
        try:
            return canonical_json(fragments).encode()
        except (TypeError, ValueError):
            return None
