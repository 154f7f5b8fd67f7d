"""``compare``: strict, tie-aware and regret comparison of two decisions, on hand-built decisions.

DESIGN.md (Harness): strict means the same node; tie-aware means the batched node is among the
reference's best (its total equals the reference's best total); regret is the reference's best
total minus the total the reference gives the batched choice.
"""

from __future__ import annotations

import pytest

from batchproof.model.framework.runtime import NodePluginScores
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Pod
from batchproof.model.scheduling import Decision
from batchproof.properties.lockstep import compare

POD = Pod(name="p", namespace="ns")


def decision(node: str | None, path: str = "full", **totals: int) -> Decision:
    scores = tuple(NodePluginScores(name, FrozenDict({"x": t}), t, FrozenDict({"x": t})) for name, t in totals.items())
    return Decision("ns/p", node, path=path, scores=scores)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("case", "ours", "theirs", "diverged", "tie", "regret"),
    [
        ("equal decisions", decision("a", a=10, b=5), decision("a", "hint"), False, True, 0),
        ("tied but different node", decision("a", a=10, b=10, c=3), decision("b", "hint"), True, True, 0),
        ("different, worse node", decision("a", a=10, b=7), decision("b", "hint"), True, False, 3),
        ("different node the reference did not score", decision("a", a=10), decision("z", "hint"), True, False, None),
        ("same node, nothing scored (one feasible node)", decision("a"), decision("a"), False, False, 0),
        ("batched found nothing", decision("a", a=10), decision(None), True, False, None),
        ("reference found nothing", decision(None), decision("a", "hint"), True, False, None),
        ("neither found a node", decision(None), decision(None), False, False, None),
    ],
)
def test_compare_hand_built_decisions(
    case: str, ours: Decision, theirs: Decision, diverged: bool, tie: bool, regret: int | None
) -> None:
    comparison = compare(4, POD, ours, theirs)
    assert comparison.diverged is diverged, case
    assert comparison.tie is tie, case
    assert comparison.regret == regret, case
    assert (comparison.index, comparison.pod) == (4, "ns/p")
    assert (comparison.reference_node, comparison.batched_node) == (ours.node, theirs.node)
    assert comparison.path == theirs.path
    assert comparison.reference_scores == ours.total_scores()


def test_the_tie_uses_the_reference_totals_not_the_batched_ones() -> None:
    """The batched side's own (possibly stale) scores never make a different node a tie."""
    ours = decision("a", a=10, b=4)
    theirs = decision("b", "full", a=1, b=10)
    comparison = compare(0, POD, ours, theirs)
    assert (comparison.tie, comparison.regret) == (False, 6)


def test_the_divergence_record_sorts_reference_scores() -> None:
    comparison = compare(0, POD, decision("a", c=1, a=10, b=10), decision("b", "hint"))
    assert comparison.to_json() == {
        "pod": "ns/p",
        "reference_node": "a",
        "batched_node": "b",
        "reference_scores": {"a": 10, "b": 10, "c": 1},
    }
    assert list(comparison.to_json()["reference_scores"]) == ["a", "b", "c"]
