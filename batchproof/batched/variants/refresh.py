"""Step 8 of GetNodeHint (spec §4) for the variants of this package, and the two SIG options.

``option-1`` (SIG discussion of kubernetes #137707 / KEP-5598 rescoring): PreScoreExtension.AddPod
updates the seeding pod's PreScore state with the pod just placed, then Score runs on the
selected (last chosen) node only and NormalizeScore over all cached nodes. ``option-2a``: Score
every cached node again plus the last one, then NormalizeScore over all. Both replace g3's
re-run of PreScore; both apply only when the last chosen node still passes the Filter set (the
several-pods-per-node case); a full last node is popped without re-normalising, as in g3.

Assumptions where the discussion is silent:

- option-1: the model has no AddPod; it is modelled as PreScore over the selected node alone on
  a clone of the live CycleState. For the in-tree signable plugins PreScore state depends only on
  the pod (and the snapshot), not on the node list, so this is what an exact AddPod yields; a
  plugin whose PreScore depends on the node set would see different state (the option assumes
  such plugins implement AddPod). Failures flush with g3's reasons.
- option-2a: PreScore is re-run over every cached node plus the last one (Score needs it), then
  raw Score on all of them against the current snapshot, so no cached raw score is reused;
  cost O(M) Score calls per pod, but no Filter on the cached nodes.
- Both count a rescore attempt (``batch_rescore_attempts_total``) per refresh, as g3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from batchproof.batched.sorted_nodes import SortedScoredNodes
from batchproof.batched.variants.draft import UNKNOWN_FLUSH, draft_answers
from batchproof.batched.variants.rescore_plugin import affected_nodes
from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.runtime import Framework, NodePluginScores
from batchproof.model.framework.status import Code
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Pod

if TYPE_CHECKING:
    from batchproof.batched.batch import BatchState, OpportunisticBatch

EXTENDED_VARIANTS = frozenset({"draft", "rescore-plugin", "option-1", "option-2a"})


@dataclass(frozen=True, slots=True)
class Refresh:
    """What step 8 decided: a flush reason (or None to pop) and whether a rescore ran."""

    flush: str | None = None
    rescored: bool = False


def refresh(batch: OpportunisticBatch, pod: Pod, state: CycleState, cached: BatchState, last: NodeInfo) -> Refresh:
    """Step 8 for ``batch.variant``: keep the heap (pop), rescore it, or flush."""
    framework = batch.framework
    if batch.variant == "draft":
        answers = draft_answers(framework, state, pod, last).values()
        return Refresh() if "infeasible" in answers else Refresh(UNKNOWN_FLUSH)
    verdict = framework.run_filter(state, pod, last)
    if verdict.is_rejected:
        return Refresh()
    if verdict.code is Code.ERROR:
        return Refresh("filter_error")
    batch.metrics.rescore_attempts[batch.profile] += 1
    started = batch.timer()
    try:
        return Refresh(_rescore(batch.variant, framework, pod, state, cached, last=last), rescored=True)
    finally:
        batch.metrics.rescore_duration[batch.profile].observe(batch.timer() - started)


def _rescore(
    variant: str, framework: Framework, pod: Pod, state: CycleState, cached: BatchState, *, last: NodeInfo
) -> str | None:
    snapshot = state.snapshot
    entries = cached.sorted_nodes.unordered_list()
    infos = [snapshot.get(entry.name) for entry in entries]
    if any(info is None for info in infos):
        return "node_missing"
    resolved = [info for info in infos if info is not None]
    fresh = state.clone()
    pre_score_nodes = [last] if variant == "option-1" else [*resolved, last]
    if not framework.run_pre_score(fresh, pod, pre_score_nodes).is_success:
        return "prescore_error"
    if variant == "option-2a":
        targets = {info.name for info in resolved} | {last.name}
    elif variant == "rescore-plugin":
        targets = affected_nodes(framework, pod, last.name, [info.name for info in resolved])
    else:
        targets = {last.name}
    scored: list[NodePluginScores] = []
    by_name = {info.name: info for info in [*resolved, last]}
    for entry in [*entries, NodePluginScores(name=last.name)]:
        if entry.name not in targets:
            scored.append(entry)
            continue
        raw, status = framework.run_raw_score(fresh, pod, by_name[entry.name])
        if not status.is_success:
            return "rescore_error"
        scored.append(NodePluginScores(name=entry.name, raw_scores=FrozenDict(raw)))
    normalized, status = framework.normalize_scores(fresh, pod, scored)
    if not status.is_success:
        return "normalize_error"
    cached.sorted_nodes = SortedScoredNodes(normalized)
    return None
