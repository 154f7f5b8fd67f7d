"""``rescore-plugin``: the generalised Rescore extension point of enhancements #6411 (KEP-5598 update, open).

Source: #6411 documents "generalized rescoring via a new Rescore extension point", the future
work of the merged rescoring design (spec §7): instead of the framework assuming that placing a
pod changes only the last chosen node's score, each score plugin reports which cached nodes the
placement affected, so plugins whose scores are not node-local (the proposal names
PodTopologySpread and InterPodAffinity) can take part; the framework re-scores those nodes and
re-normalises every cached node.

Assumptions where the proposal (as far as its text specifies it) is silent:

- A plugin opts in with ``rescore_affected(pod, placed_node, candidates) -> names``; the
  framework re-scores the union of the answers. A plugin without the method answers
  ``{placed_node}`` when it is node-local for signable pods (``NODE_LOCAL_SCORE_PLUGINS``: the
  in-tree scorers whose raw score for a node reads only that node and the pod; PodTopologySpread
  and InterPodAffinity are included because a signable pod has no spread constraints and no
  affinity terms, so placing one changes no other node's score for the next) and every candidate
  otherwise (conservative: a placement may have moved any node's score).
- The trigger is g3's: the last chosen node passes the Filter set (spec §4 step 8); a full last
  node is popped without re-normalising, as in g3; a Filter Error flushes ``filter_error``.
- PreScore runs over every candidate plus the last node on a clone of the live CycleState (as
  g3), raw Score on the affected nodes, NormalizeScore over all; failures flush with g3's reasons.
- With in-tree signable pods every plugin is node-local, so placements and cost equal g3's; the
  variant differs where an out-of-tree plugin reports more nodes.
"""

from __future__ import annotations

from collections.abc import Sequence

from batchproof.model.framework.runtime import Framework
from batchproof.model.objects import Pod

NODE_LOCAL_SCORE_PLUGINS = frozenset(
    {
        "NodeResourcesFit",
        "NodeResourcesBalancedAllocation",
        "TaintToleration",
        "NodeAffinity",
        "ImageLocality",
        "VolumeBinding",
        "DynamicResources",
        "PodTopologySpread",
        "InterPodAffinity",
    }
)


def affected_nodes(framework: Framework, pod: Pod, placed: str, candidates: Sequence[str]) -> set[str]:
    """The cached nodes whose raw scores the previous placement on ``placed`` may have changed."""
    affected = {placed}
    for scored in framework.score_plugins:
        plugin = scored.plugin
        reporter = getattr(plugin, "rescore_affected", None)
        if callable(reporter):
            affected |= set(reporter(pod, placed, tuple(candidates))) & {*candidates, placed}
        elif plugin.name not in NODE_LOCAL_SCORE_PLUGINS:
            affected |= set(candidates)
    return affected
