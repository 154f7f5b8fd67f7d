"""``classify``: one hand-built scenario per divergence class, and the documented precedence.

classify.py: a divergence is ``tie`` when the batched node scores as high as the reference's
choice; otherwise the first cause, in the order sampling → stale-cache → signature-gap →
normalization, whose removal makes it disappear; ``unexplained`` when none does.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given

import batchproof.properties.classify as classify_module
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import (
    Affinity,
    Container,
    Pod,
)
from batchproof.model.profiles import PluginSpec, Profile
from batchproof.properties.classify import CLASSES, classify, explain
from batchproof.properties.events import NodeUpdate
from batchproof.properties.lockstep import BatchingOptions, Comparison, Scenario, run_lockstep
from batchproof.properties.statistics import PathCounter
from batchproof.properties.strategies.resizing import preferring_nodes, resizing_scenarios
from batchproof.properties.strategies.resizing import sized_node as node
from batchproof.properties.world import Cluster

GI = 1024**3
FIT = Profile(multi_point=(PluginSpec("NodeResourcesFit", 1),))
AFFINITY_AND_FIT = Profile(multi_point=(PluginSpec("NodeAffinity", 2), PluginSpec("NodeResourcesFit", 1)))


def prefer(**weights: int) -> Affinity:
    """Preferred node affinity for nodes by name (matchFields metadata.name)."""
    return preferring_nodes(weights)


def pod(index: int, *containers: Container, affinity: Affinity | None = None) -> Pod:
    boxes = containers or (Container(name="c", requests=FrozenDict({"cpu": 1000, "memory": GI})),)
    return Pod(name=f"p{index}", uid=f"u{index}", containers=boxes, affinity=affinity)


def normalization_scenario() -> Scenario:
    """Spec §10.2's worked example: NodeAffinity (max-normalised) against NodeResourcesFit."""
    wants = prefer(a=10, b=2, c=3)
    nodes = (node("a", 1000, GI), node("b", 100_000, 100 * GI), node("c", 4000, 4 * GI))
    return Scenario(Cluster(nodes), (pod(1, affinity=wants), pod(2, affinity=wants)), (AFFINITY_AND_FIT,))


def stale_cache_scenario() -> Scenario:
    """Node b shrinks between the pods; the batch still hints b from its cached score."""
    wants = prefer(a=10)
    nodes = (node("a", 1000, GI), node("b", 8000, 8 * GI), node("c", 4000, 4 * GI))
    shrink = NodeUpdate(node("b", 2000, 2 * GI))
    return Scenario(
        Cluster(nodes), (pod(1, affinity=wants), pod(2, affinity=wants)), (AFFINITY_AND_FIT,), events=((1, shrink),)
    )


def tie_scenario() -> Scenario:
    """Node c shrinks to b's size: the batch hints c (cached higher), the reference picks b by name."""
    wants = prefer(a=10)
    nodes = (node("a", 1000, GI), node("b", 4000, 4 * GI), node("c", 8000, 8 * GI))
    shrink = NodeUpdate(node("c", 4000, 4 * GI))
    return Scenario(
        Cluster(nodes), (pod(1, affinity=wants), pod(2, affinity=wants)), (AFFINITY_AND_FIT,), events=((1, shrink),)
    )


def signature_gap_scenario(b_cpu: int = 1500, c_memory: int = int(1.6 * GI)) -> Scenario:
    """Spec §10.6.2: an extra container without requests adds non-zero defaults to scoring only,
    and the upstream signer signs the aggregate request, so the second pod reuses the first's list."""
    wants = prefer(a=10)
    nodes = (node("a", 1000, GI), node("b", b_cpu, 100 * GI), node("c", 100_000, c_memory))
    first = pod(1, affinity=wants)
    second = pod(2, *first.containers, Container(name="empty"), affinity=wants)
    return Scenario(Cluster(nodes), (first, second), (AFFINITY_AND_FIT,))


def sampling_scenario() -> Scenario:
    """200 nodes scoring 10 %: the seeding pod never sees the big node the reference's next window has."""
    nodes = tuple(
        node(f"n{i:03d}", 160_000, 160 * GI) if i == 150 else node(f"n{i:03d}", 16_000, 16 * GI) for i in range(200)
    )
    return Scenario(Cluster(nodes), (pod(1), pod(2)), (replace(FIT, percentage_of_nodes_to_score=10),))


def only_divergence(scenario: Scenario) -> Comparison:
    run = run_lockstep(scenario)
    assert [c.index for c in run.divergences] == [1], [c.to_json() for c in run.comparisons]
    return run.divergences[0]


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (normalization_scenario, "normalization"),
        (stale_cache_scenario, "stale-cache"),
        (tie_scenario, "tie"),
        (signature_gap_scenario, "signature-gap"),
        (sampling_scenario, "sampling"),
    ],
)
def test_a_scenario_per_class_is_classified_as_that_class(build: object, expected: str) -> None:
    scenario = build()  # type: ignore[operator]
    divergence = only_divergence(scenario)
    assert classify(scenario, divergence) == expected
    assert divergence.tie is (expected == "tie")
    [classified] = explain(scenario, run_lockstep(scenario))
    assert classified.cls == expected
    assert classified.diff, "a divergence carries the deepdiff of the two decisions"


def test_a_tie_that_is_also_a_signature_gap_is_a_tie() -> None:
    """Two causes, real inputs: the gap makes the batched pod pick c, which the reference scores
    exactly as high as its choice b; tie comes first."""
    scenario = signature_gap_scenario(b_cpu=1400, c_memory=int(1.5 * GI))
    divergence = only_divergence(scenario)
    assert divergence.tie
    strict = scenario.with_profiles(p.with_signers("strict") for p in scenario.profiles)
    assert not run_lockstep(strict).divergences, "strict signers remove it too"
    assert classify(scenario, divergence) == "tie"


def test_an_event_that_is_not_the_cause_does_not_make_it_stale_cache() -> None:
    """An irrelevant event (a label on a node) leaves the gap the cause: signature-gap."""
    base = signature_gap_scenario()
    label = NodeUpdate(replace(base.cluster.nodes[2], labels=FrozenDict({"kubernetes.io/hostname": "c", "x": "y"})))
    scenario = replace(base, events=((1, label),))
    assert classify(scenario, only_divergence(scenario)) == "signature-gap"


def test_a_cause_the_variant_already_removed_is_not_reported() -> None:
    """The normalisation example under renormalize does not diverge at all."""
    scenario = normalization_scenario().with_options(variant="renormalize")
    assert not run_lockstep(scenario).divergences


# -- precedence over every combination of causes (the re-runs are faked) -----------------------------------
CAUSES = ("sampling", "stale-cache", "signature-gap", "normalization")


def _removed(original: Scenario, rerun: Scenario) -> set[str]:
    removed = set()
    if all(p.percentage_of_nodes_to_score == 100 for p in rerun.profiles) and not all(
        p.percentage_of_nodes_to_score == 100 for p in original.profiles
    ):
        removed.add("sampling")
    if original.events and not rerun.events:
        removed.add("stale-cache")
    if all(p.signers == "strict" for p in rerun.profiles) and original.profiles[0].signers != "strict":
        removed.add("signature-gap")
    if rerun.options.variant == "renormalize" and original.options.variant != "renormalize":
        removed.add("normalization")
    return removed


def _comparison(tie: bool) -> Comparison:
    return Comparison(1, "ns/p2", "b", "c", "hint", {"b": 10, "c": 10 if tie else 5}, tie, 0 if tie else 5)


def _original() -> Scenario:
    """Every cause can apply: 150 nodes at 50 % (a 100-node window), an event, upstream signers, g3."""
    base = normalization_scenario()
    fillers = tuple(node(f"z{i:03d}", 1000, GI) for i in range(147))
    return replace(
        base,
        cluster=Cluster(base.cluster.nodes + fillers),
        profiles=(replace(AFFINITY_AND_FIT, percentage_of_nodes_to_score=50),),
        events=((1, NodeUpdate(base.cluster.nodes[1])),),
        options=BatchingOptions(variant="g3"),
    )


@pytest.mark.parametrize("tie", [False, True])
@pytest.mark.parametrize(
    "fixing",
    [frozenset(c) for n in range(len(CAUSES) + 1) for c in itertools.combinations(CAUSES, n)],
    ids=lambda causes: "+".join(sorted(causes)) or "none",
)
def test_the_first_cause_in_the_documented_order_wins(
    fixing: frozenset[str], tie: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = _original()
    reruns: list[set[str]] = []

    def still_diverges(scenario: Scenario, index: int) -> bool:
        assert index == 1
        removed = _removed(original, scenario)
        assert len(removed) == 1, "each re-run removes exactly one cause"
        reruns.append(removed)
        return not (removed & fixing)

    monkeypatch.setattr(classify_module, "_still_diverges", still_diverges)
    result = classify(original, _comparison(tie))
    if tie:
        assert (result, reruns) == ("tie", [])
        return
    expected = next((cause for cause in CAUSES if cause in fixing), "unexplained")
    assert result == expected
    tried = [next(iter(r)) for r in reruns]
    assert tried == list(CAUSES[: CAUSES.index(expected) + 1] if expected != "unexplained" else CAUSES)


@pytest.mark.parametrize(
    ("change", "skipped"),
    [
        ({"percentage": None, "nodes": 100}, "sampling"),
        ({"percentage": 10, "nodes": 99}, "sampling"),
        ({"percentage": 100}, "sampling"),
        ({"events": ()}, "stale-cache"),
        ({"signers": "strict"}, "signature-gap"),
        ({"variant": "renormalize"}, "normalization"),
    ],
)
def test_a_cause_that_cannot_apply_is_not_tried(
    change: dict[str, Any], skipped: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No sampling with a window as large as the cluster (percentage 100, or at most 100 nodes);
    no events, no stale cache; strict signers, no gap; renormalize already, no normalisation: the
    next cause is tried instead."""
    scenario = _original()
    if "nodes" in change:
        scenario = replace(scenario, cluster=Cluster(scenario.cluster.nodes[: change["nodes"]]))
    if "percentage" in change:
        scenario = scenario.with_profiles(
            replace(p, percentage_of_nodes_to_score=change["percentage"]) for p in scenario.profiles
        )
    if "events" in change:
        scenario = replace(scenario, events=())
    if "signers" in change:
        scenario = scenario.with_profiles(p.with_signers("strict") for p in scenario.profiles)
    if "variant" in change:
        scenario = scenario.with_options(variant="renormalize")
    tried: list[str] = []

    def still_diverges(rerun: Scenario, index: int) -> bool:
        removed = _removed(scenario, rerun)
        assert len(removed) == 1, "a re-run that removes no cause is wasted"
        tried.extend(removed)
        return True

    monkeypatch.setattr(classify_module, "_still_diverges", still_diverges)
    assert classify(scenario, _comparison(False)) == "unexplained"
    assert tried == [c for c in CAUSES if c != skipped]


def _tried_sampling(scenario: Scenario, monkeypatch: pytest.MonkeyPatch) -> bool:
    tried: list[bool] = []

    def still_diverges(rerun: Scenario, index: int) -> bool:
        tried.append("sampling" in _removed(scenario, rerun))
        return True

    monkeypatch.setattr(classify_module, "_still_diverges", still_diverges)
    classify(scenario, _comparison(False))
    return any(tried)


@pytest.mark.parametrize(
    ("nodes", "added", "percentage", "sampled"),
    [
        (100, 0, None, False),  # numFeasibleNodesToFind(100) is 100: every node is seen
        (101, 0, None, True),  # adaptive: max(101 * 50 // 100, 100) = 100 < 101
        (100, 1, None, True),  # a node addition makes 101
        (99, 1, None, False),
        (150, 0, 100, False),
        (150, 0, 99, True),
        (50, 0, 10, False),  # under 100 nodes every node is seen whatever the percentage
    ],
)
def test_sampling_is_tried_exactly_when_a_window_can_be_smaller_than_the_cluster(
    nodes: int, added: int, percentage: int | None, sampled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from batchproof.properties.events import NodeAddition

    cluster = Cluster(tuple(node(f"n{i:03d}", 1000, GI) for i in range(nodes)))
    events = tuple((1, NodeAddition(node(f"m{i}", 1000, GI))) for i in range(added))
    profile = replace(FIT, percentage_of_nodes_to_score=percentage, signers="strict")
    scenario = Scenario(cluster, (pod(1), pod(2)), (profile,), events=events)
    assert classify_module.may_sample(scenario) is sampled
    assert _tried_sampling(scenario, monkeypatch) is sampled


def test_sampling_is_tried_with_two_hundred_nodes_at_the_default_percentage(monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = sampling_scenario().with_profiles([FIT])
    tried: list[str] = []

    def still_diverges(rerun: Scenario, index: int) -> bool:
        tried.append("sampling" if all(p.percentage_of_nodes_to_score == 100 for p in rerun.profiles) else "other")
        return False

    monkeypatch.setattr(classify_module, "_still_diverges", still_diverges)
    assert classify(scenario, _comparison(False)) == "sampling"
    assert tried == ["sampling"]


def test_classes_are_the_documented_ones() -> None:
    assert CLASSES == ("tie", "sampling", "stale-cache", "signature-gap", "normalization", "unexplained")


# -- the tie class where ties are generated -----------------------------------------------------------------


def test_generated_resizing_runs_produce_tie_and_stale_cache_divergences() -> None:
    """Where ties are generated the tie class must be reached (and stale-cache beside it), and every
    tie is a real tie of the reference's totals."""
    counter = PathCounter("classify/generated")

    @given(resizing_scenarios(profiles=(AFFINITY_AND_FIT,)))
    def check(scenario: Scenario) -> None:
        run = run_lockstep(scenario)
        for divergence in run.divergences:
            cls = classify(scenario, divergence)
            counter.hit(f"divergence {cls}")
            assert cls in ("tie", "stale-cache"), (cls, scenario)
            if cls == "tie":
                best = max(divergence.reference_scores.values())
                assert divergence.reference_scores[divergence.batched_node or ""] == best
                assert divergence.batched_node != divergence.reference_node

    check()
    counter.require("divergence tie", "divergence stale-cache")
