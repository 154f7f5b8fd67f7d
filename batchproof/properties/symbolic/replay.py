"""The real plugins' results in the encodings' terms, and replay of symbolic counterexamples.

Views follow what a framework acts on (codes of :mod:`.encoder`):

* ``filter``: a PreFilter Skip means the node passes; a rejecting PreFilter rejects every node
  with its code; a node outside the PreFilterResult is UnschedulableAndUnresolvable; otherwise
  the Filter code. Reason strings are not compared (they are messages, not verdicts).
* ``score``: (PreScore status, raw score), the score 0 unless PreScore and Score succeeded.
* ``normalized``: (PreScore status, normalised score of every node in snapshot order).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.framework.evaluate import PluginEvaluation, evaluate_plugin
from batchproof.model.framework.interfaces import SignerMode, implements
from batchproof.model.framework.status import Code
from batchproof.model.objects import Pod
from batchproof.properties.pairs import plugin_signature
from batchproof.properties.symbolic.encoder import CODES, SKIP, SUCCESS, UNRESOLVABLE
from batchproof.properties.symbolic.model import Property, SymbolicModel
from batchproof.properties.world import Cluster


def filter_view(evaluation: PluginEvaluation, node: str) -> int:
    """The effective PreFilter/Filter code for ``node``."""
    pre = evaluation.pre_filter
    if pre is not None:
        if pre.code is Code.SKIP:
            return SUCCESS
        if not pre.is_success:
            return CODES[pre.code]
        result = evaluation.pre_filter_result
        if result is not None and result.node_names is not None and node not in result.node_names:
            return UNRESOLVABLE
    status = evaluation.filter.get(node)
    return SUCCESS if status is None else CODES[status.code]


def _pre_score_code(evaluation: PluginEvaluation) -> int:
    pre = evaluation.pre_score
    return SUCCESS if pre is None else CODES[pre.code]


def score_view(evaluation: PluginEvaluation, node: str) -> tuple[int, int]:
    """(PreScore code, raw score) for ``node``."""
    code = _pre_score_code(evaluation)
    if code != SUCCESS:
        return code, 0
    status = evaluation.score_statuses.get(node)
    if status is None or not status.is_success:
        return (CODES[status.code] if status is not None else SKIP), 0
    return SUCCESS, evaluation.raw[node]


def normalized_view(evaluation: PluginEvaluation, nodes: tuple[str, ...]) -> tuple[int, ...]:
    """(PreScore code, normalised score of each node)."""
    code = _pre_score_code(evaluation)
    if code != SUCCESS:
        return (code, *(0 for _ in nodes))
    return (code, *(evaluation.normalized.get(name, 0) for name in nodes))


def real_result(plugin: Any, pod: Pod, snapshot: Snapshot, prop: Property, node: int) -> tuple[int, ...]:
    """The real plugin's view of ``prop`` on the snapshot's ``node``-th node."""
    names = tuple(info.name for info in snapshot.node_infos())
    evaluation = evaluate_plugin(plugin, pod, snapshot)
    if prop == "filter":
        return (filter_view(evaluation, names[node]),)
    if prop == "score":
        return score_view(evaluation, names[node])
    return normalized_view(evaluation, names)


def has_property(plugin: Any, prop: Property) -> bool:
    """Whether the plugin has the extension points ``prop`` is about."""
    if prop == "filter":
        return implements(plugin, "filter") or implements(plugin, "pre_filter")
    if prop == "score":
        return implements(plugin, "score")
    return implements(plugin, "normalize_score")


@dataclass(frozen=True, slots=True)
class Replay:
    """Two pods and a cluster run through the real plugin: signatures and results."""

    equal_signatures: bool
    first: tuple[int, ...]
    second: tuple[int, ...]

    @property
    def confirmed(self) -> bool:
        """The real plugin signs the pods alike yet gives them different results: a real gap."""
        return self.equal_signatures and self.first != self.second


def replay(
    model: SymbolicModel, signers: SignerMode, prop: Property, *, first: Pod, second: Pod, cluster: Cluster
) -> Replay:
    """Sign both pods with the real plugin and compare its results on node 0 (all nodes if normalised)."""
    plugin = model.subject.build(signers)
    signature = plugin_signature(plugin, first)
    equal = signature is not None and signature == plugin_signature(plugin, second)
    snapshot = cluster.snapshot()
    return Replay(
        equal,
        real_result(plugin, first, snapshot, prop, 0),
        real_result(plugin, second, cluster.snapshot(), prop, 0),
    )
