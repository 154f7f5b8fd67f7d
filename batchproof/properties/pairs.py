"""Equal-signature pairs: equal signatures must mean equal Filter, raw and normalised results.

Two pods a plugin (or a profile) signs identically must get identical Filter statuses, raw
scores and normalised scores on every cluster (spec §10, recommendation b).

The functions here compare one pair on one cluster and report every difference with the plugin
and node where it shows; strategies and tests decide which pairs to try.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.evaluate import PluginEvaluation, evaluate_plugin
from batchproof.model.framework.interfaces import implements
from batchproof.model.framework.runtime import Framework
from batchproof.model.objects import Pod
from batchproof.model.plugins.helpers.signers import SCHEDULER_NAME_SIGNER, canonical_json


@dataclass(frozen=True, slots=True)
class Difference:
    """One result that differs between the two pods of an equal-signature pair."""

    plugin: str
    point: str  # preFilter | filter | preScore | raw | normalized
    node: str | None
    first: Any
    second: Any

    def describe(self) -> str:
        """One line."""
        where = f" on {self.node}" if self.node else ""
        return f"{self.plugin} {self.point}{where}: {self.first!r} vs {self.second!r}"


def plugin_signature(plugin: Any, pod: Pod) -> bytes | None:
    """The signature one plugin alone gives a pod (scheduler name plus its fragments)."""
    if not implements(plugin, "sign_pod"):
        return None
    fragments, status = plugin.sign_pod(pod)
    if not status.is_success:
        return None
    body: dict[str, Any] = {SCHEDULER_NAME_SIGNER: pod.scheduler_name}
    for fragment in fragments or ():
        body[fragment.key] = fragment.value
    return canonical_json(body).encode()


def _status(status: Any) -> Any:
    return None if status is None else (status.code.value, tuple(status.reasons))


def _evaluation_view(result: PluginEvaluation) -> dict[tuple[str, str | None], Any]:
    view: dict[tuple[str, str | None], Any] = {
        ("preFilter", None): _status(result.pre_filter),
        ("preFilterResult", None): None if result.pre_filter_result is None else result.pre_filter_result.node_names,
        ("preScore", None): _status(result.pre_score),
    }
    for node, status in result.filter.items():
        view[("filter", node)] = _status(status)
    for node, value in result.raw.items():
        view[("raw", node)] = (value, _status(result.score_statuses.get(node)))
    for node, value in result.normalized.items():
        view[("normalized", node)] = value
    return view


def compare_plugin(plugin: Any, first: Pod, second: Pod, snapshot: Snapshot) -> list[Difference]:
    """Every extension-point result of ``plugin`` that differs between the two pods."""
    a = _evaluation_view(evaluate_plugin(plugin, first, snapshot))
    b = _evaluation_view(evaluate_plugin(plugin, second, snapshot))
    out = []
    for key in sorted(set(a) | set(b), key=repr):
        if a.get(key) != b.get(key):
            out.append(Difference(plugin.name, key[0], key[1], a.get(key), b.get(key)))
    return out


def _profile_view(framework: Framework, pod: Pod, snapshot: Snapshot) -> dict[tuple[str, str, str | None], Any]:
    state = CycleState(snapshot)
    nodes = snapshot.node_infos()
    result, status = framework.run_pre_filter(state, pod, nodes)
    view: dict[tuple[str, str, str | None], Any] = {("*", "preFilter", None): _status(status)}
    view[("*", "preFilterResult", None)] = None if result is None else result.node_names
    if not status.is_success:
        return view
    for info in nodes:
        view[(framework.scheduler_name, "filter", info.name)] = _status(framework.run_filter(state, pod, info))
    pre_score = framework.run_pre_score(state, pod, nodes)
    view[("*", "preScore", None)] = _status(pre_score)
    if not pre_score.is_success:
        return view
    scores, score_status = framework.run_score(state, pod, nodes)
    view[("*", "score", None)] = _status(score_status)
    for entry in scores:
        for plugin, value in entry.raw_scores.items():
            view[(plugin, "raw", entry.name)] = value
        for plugin, value in entry.scores.items():
            view[(plugin, "normalized", entry.name)] = value
    return view


def compare_profile(framework: Framework, first: Pod, second: Pod, snapshot: Snapshot) -> list[Difference]:
    """Every framework-level result (filter verdicts, raw and weighted scores) that differs."""
    a = _profile_view(framework, first, snapshot)
    b = _profile_view(framework, second, snapshot)
    out = []
    for key in sorted(set(a) | set(b), key=repr):
        if a.get(key) != b.get(key):
            plugin, point, node = key
            out.append(Difference(plugin, point, node, a.get(key), b.get(key)))
    return out
