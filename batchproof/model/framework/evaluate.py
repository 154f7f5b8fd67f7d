"""Run one plugin's extension points on a pod and a cluster, as upstream plugin unit tests do.

This is what ``batchproof eval`` prints and what the conformance tests compare with the
upstream fixtures: PreFilter once; Filter on every node unless PreFilter rejected or skipped;
PreScore once and Score on every scored node; NormalizeScore (or raw when the plugin has none);
SignPod.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.errors import PluginFailure
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import PreFilterResult, SignFragment, implements
from batchproof.model.framework.status import Code, Status
from batchproof.model.objects import Pod


@dataclass(frozen=True, slots=True)
class PluginEvaluation:
    """Everything one plugin said about one pod on one cluster."""

    plugin: str
    pre_filter: Status | None
    pre_filter_result: PreFilterResult | None
    filter: dict[str, Status] = field(default_factory=dict)
    pre_score: Status | None = None
    score_statuses: dict[str, Status] = field(default_factory=dict)
    raw: dict[str, int] = field(default_factory=dict)
    normalized: dict[str, int] = field(default_factory=dict)
    normalize_status: Status | None = None
    sign_status: Status | None = None
    fragments: tuple[SignFragment, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``batchproof eval --format json`` document."""
        pre_filter = self.pre_filter or Status()
        result = self.pre_filter_result
        return {
            "plugin": self.plugin,
            "preFilter": {
                **pre_filter.to_json(),
                "result": None
                if result is None or result.node_names is None
                else {"nodeNames": sorted(result.node_names)},
            },
            "filter": {name: status.to_json() for name, status in self.filter.items()},
            "preScore": {"code": (self.pre_score or Status()).code.value},
            "score": {"raw": dict(self.raw), "normalized": dict(self.normalized)},
            "sign": {
                "code": (self.sign_status or Status()).code.value,
                "fragments": None if self.fragments is None else {f.key: f.value for f in self.fragments},
            },
        }


def _call(plugin: Any, point: str, *args: Any) -> Any:
    try:
        return getattr(plugin, point)(*args)
    except Exception as error:  # a plugin bug must name the plugin, not leak a traceback
        raise PluginFailure(getattr(plugin, "name", type(plugin).__name__), point, error) from error


def evaluate_plugin(
    plugin: Any,
    pod: Pod,
    snapshot: Snapshot,
    *,
    scored_nodes: Sequence[str] | None = None,
    skip_pre_filter: bool = False,
    skip_pre_score: bool = False,
) -> PluginEvaluation:
    """Evaluate every extension point ``plugin`` implements.

    Raises:
        PluginFailure: the plugin raised an exception.

    """
    name: str = plugin.name
    nodes: Sequence[NodeInfo] = snapshot.node_infos()
    state = CycleState(snapshot)
    pre_filter: Status | None = None
    pre_filter_result: PreFilterResult | None = None
    filters: dict[str, Status] = {}
    run_filter = implements(plugin, "filter")
    if implements(plugin, "pre_filter") and not skip_pre_filter:
        pre_filter_result, pre_filter = _call(plugin, "pre_filter", state, pod, nodes)
        if not pre_filter.is_success:
            run_filter = False
    if run_filter:
        for info in nodes:
            filters[info.name] = _call(plugin, "filter", state, pod, info).with_plugin("")

    scored = nodes if scored_nodes is None else [info for info in nodes if info.name in set(scored_nodes)]
    pre_score: Status | None = None
    raw: dict[str, int] = {}
    statuses: dict[str, Status] = {}
    normalized: dict[str, int] = {}
    normalize_status: Status | None = None
    run_score = implements(plugin, "score")
    if implements(plugin, "pre_score") and not skip_pre_score:
        pre_score = _call(plugin, "pre_score", state, pod, scored)
        if not pre_score.is_success:
            run_score = False
    if run_score:
        for info in scored:
            value, status = _call(plugin, "score", state, pod, info)
            raw[info.name] = value
            statuses[info.name] = status
        normalized = dict(raw)
        if implements(plugin, "normalize_score") and all(s.is_success for s in statuses.values()):
            normalize_status = _call(plugin, "normalize_score", state, pod, normalized)

    sign_status: Status | None = None
    fragments: tuple[SignFragment, ...] | None = None
    if implements(plugin, "sign_pod"):
        fragments, sign_status = _call(plugin, "sign_pod", pod)
        if sign_status.code is not Code.SUCCESS:
            fragments = None
    return PluginEvaluation(
        plugin=name,
        pre_filter=pre_filter,
        pre_filter_result=pre_filter_result,
        filter=filters,
        pre_score=pre_score,
        score_statuses=statuses,
        raw=raw,
        normalized=normalized,
        normalize_status=normalize_status,
        sign_status=sign_status,
        fragments=fragments,
    )
