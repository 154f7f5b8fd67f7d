"""``draft``: the early KEP-5598 draft's per-plugin Rescore and Nominate (enhancements #5599 review text).

Source: the draft said that after a placement each plugin's Rescore(pod, node) answers
*Infeasible* (the node can no longer take a pod of this signature: drop it and use the next
cached node), *Updated* (the plugin refreshed the node's score; if *all* plugins answer Updated
the node is kept and reordered — "not in v1, possible for v2") or *Unknown* (a plugin that
does not implement Rescore answers Unknown for every call). If no plugin answers Infeasible and
any answers Unknown, all cached results are dropped. v1 was to implement Infeasible for "key
plugins that we know can tell (nodeports, noderesources, etc)", limiting batching to
one-pod-per-node workloads. Nominate gives the next pod of the same signature the first cached
node as its nominated node.

Assumptions where the draft is silent:

- The plugins that answer Infeasible are NodePorts and NodeResourcesFit (the two the draft names);
  each answers Infeasible exactly when its own Filter rejects the last chosen node for the next
  pod, and Unknown otherwise. Every other plugin answers Unknown. No plugin answers Updated (v1),
  so the reorder branch is never taken and a still-feasible last node always drops the batch.
- Rescore runs lazily, when the next pod asks for a hint, with that pod and its live CycleState
  (so it also sees events between the two cycles), after the same checks 1-7 as g3 (spec §4).
- The drop is counted as a flush with the reason ``rescore_unknown`` (not an upstream label).
- Nominate is modelled as the hint of spec §4 step 9: the popped node is evaluated with the full
  Filter set by evaluateNominatedNode and a failure falls back to the full pipeline; the
  nomination is not written to ``status.nominatedNodeName`` (so it neither triggers the
  ``pod_nominated`` flush nor preemption bookkeeping, which the draft does not discuss).
- Store results follow g3 (spec §5).
"""

from __future__ import annotations

from typing import Literal

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.runtime import Framework
from batchproof.model.objects import Pod

RescoreAnswer = Literal["infeasible", "updated", "unknown"]
DRAFT_INFEASIBLE_PLUGINS = frozenset({"NodePorts", "NodeResourcesFit"})
UNKNOWN_FLUSH = "rescore_unknown"


def draft_answers(framework: Framework, state: CycleState, pod: Pod, node: NodeInfo) -> dict[str, RescoreAnswer]:
    """Each Filter or Score plugin's Rescore answer for ``node`` (profile order, first appearance)."""
    answers: dict[str, RescoreAnswer] = {}
    for plugin in framework.filter_plugins:
        if plugin.name in DRAFT_INFEASIBLE_PLUGINS and plugin.name not in state.skip_filter_plugins:
            rejected = plugin.filter(state, pod, node).is_rejected
            answers[plugin.name] = "infeasible" if rejected else "unknown"
        else:
            answers.setdefault(plugin.name, "unknown")
    for scored in framework.score_plugins:
        answers.setdefault(scored.plugin.name, "unknown")
    return answers
