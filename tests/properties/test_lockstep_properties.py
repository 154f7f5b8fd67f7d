"""Lockstep properties of the batched scheduler against the reference (spec §10).

Safety always; strict placement equivalence where spec §10.10 says it must hold; batching
effectiveness; metrics that add up; metamorphic relations. Each property counts the examples
that reached its interesting path and fails if there were none.
"""

from __future__ import annotations

import json
import shlex
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from batchproof.batched import ALL_VARIANTS, BatchedScheduler, Variant
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import (
    Affinity,
    NodeAffinity,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    Pod,
    PreferredSchedulingTerm,
)
from batchproof.model.profiles import batching_profile
from batchproof.properties.classify import classify
from batchproof.properties.cli.main import main
from batchproof.properties.lockstep import BatchingOptions, LockstepRun, Scenario, run_lockstep
from batchproof.properties.metamorphic import permuted, renamed, with_infeasible_node
from batchproof.properties.reproducer import write_reproducer
from batchproof.properties.statistics import PathCounter
from batchproof.properties.strategies.batches import batch_stress_scenarios
from batchproof.properties.strategies.workloads import other_profile, scenarios

BATCHING = batching_profile()
STRICT = BATCHING.with_signers("strict")
# ImageLocality's spread factor depends on the node count, so adding a node changes scores.
NO_IMAGE_LOCALITY = replace(BATCHING, disabled=FrozenDict({"score": frozenset({"ImageLocality"})}))


def _paths(counter: PathCounter, run: LockstepRun) -> None:
    for decision in run.batched:
        if decision.path == "hint":
            counter.hit("hinted placement")
        if decision.rescored:
            counter.hit("rescored")
        if decision.flush_reason:
            counter.hit(f"flush {decision.flush_reason}")


def safety_property(
    variant: Variant, *, batched_cls: type[BatchedScheduler] = BatchedScheduler
) -> tuple[Callable[[], None], PathCounter]:
    """The safety property as a Hypothesis test, with its path counter.

    Every batched placement passes the full Filter set against the current snapshot, and no pod
    is hinted from a batch older than the batch age (spec §4 step 6, §10 invariant). Drawn from
    the general scenarios with events and from runs built to break a live batch
    (``batch_stress_scenarios``). ``batched_cls`` lets quality tests run the very same property
    against a deliberately broken scheduler.
    """
    counter = PathCounter(f"safety/{variant}")
    options = st.just(BatchingOptions(variant=variant))

    @given(
        st.one_of(
            scenarios(profiles=(BATCHING, other_profile(BATCHING)), events=True, options=options),
            batch_stress_scenarios(profiles=(BATCHING,), options=options),
        )
    )
    def check(scenario: Scenario) -> None:
        counter.hit("example")
        run = run_lockstep(scenario, batched_cls=batched_cls)
        _paths(counter, run)
        if scenario.events:
            counter.hit("with events")
        for decision in run.batched:
            if decision.attempt_result == "hint_not_used":
                counter.hit("hint rejected by the re-filter")
        assert not run.unsafe, run.unsafe
        assert not run.stale_hints(scenario.options.max_batch_age), run.stale_hints(scenario.options.max_batch_age)

    return check, counter


@pytest.mark.parametrize("variant", ALL_VARIANTS)
def test_safety_no_placement_fails_the_full_filter_set(variant: Variant) -> None:
    check, counter = safety_property(variant)
    check()
    counter.require("hinted placement", "with events", "flush expired", "hint rejected by the re-filter")


def test_placement_equivalence_with_strict_signers_and_renormalisation() -> None:
    """No events, < 100 nodes, deterministic ties: strict signers + re-normalisation on every pop
    must place every pod exactly where the reference does (spec §10.10)."""
    counter = PathCounter("equivalence/strict+renormalize")

    @given(scenarios(profiles=(STRICT, other_profile(STRICT)), options=st.just(BatchingOptions(variant="renormalize"))))
    def check(scenario: Scenario) -> None:
        run = run_lockstep(scenario)
        _paths(counter, run)
        assert not run.divergences, [d.to_json() for d in run.divergences]

    check()
    counter.require("hinted placement", "rescored")


def test_one_pod_per_node_run_is_hinted_for_all_but_the_first_pod() -> None:
    counter = PathCounter("effectiveness")

    @given(scenarios(profiles=(BATCHING,), shape="one-per-node", min_nodes=3))
    def check(scenario: Scenario) -> None:
        run = run_lockstep(scenario)
        first = run.reference[0]
        if first.node is None or run.batched[0].signature is None:
            counter.hit("first pod unplaced or unsignable")
            return
        feasible = sum(1 for status in first.filter_statuses.values() if status.is_success)
        expected_hinted = min(len(scenario.pods), feasible) - 1
        counter.hit("batch seeded")
        for decision in run.batched[1 : 1 + expected_hinted]:
            assert decision.path == "hint", (decision.pod, decision.flush_reason)
            counter.hit("hinted placement")

    check()
    counter.require("batch seeded", "hinted placement")


def test_metrics_agree_with_decisions() -> None:
    counter = PathCounter("metrics")

    @given(
        scenarios(
            profiles=(BATCHING, other_profile(BATCHING)),
            events=True,
            options=st.sampled_from([BatchingOptions(variant=v) for v in ALL_VARIANTS]),
        )
    )
    def check(scenario: Scenario) -> None:
        run = run_lockstep(scenario)
        _paths(counter, run)
        counter.hit(f"variant {scenario.options.variant}")
        metrics = run.metrics
        attempts = metrics["batch_attempts_total"]
        assert isinstance(attempts, dict)
        assert attempts.get("hint_used", 0) == sum(d.attempt_result == "hint_used" for d in run.batched)
        assert attempts.get("hint_used", 0) == sum(d.path == "hint" for d in run.batched)
        assert attempts.get("hint_not_used", 0) == sum(d.attempt_result == "hint_not_used" for d in run.batched)
        stored = Counter(d.store_result for d in run.batched if d.store_result)
        flushed = Counter(d.flush_reason for d in run.batched if d.flush_reason)
        if scenario.options.variant == "g1":
            for reason in ("empty_list", "pod_not_batchable"):
                if reason in stored:
                    flushed[reason] += stored.pop(reason)
            stored.pop("stored", None)
        assert metrics["store_schedule_results_total"] == dict(sorted(stored.items()))
        assert metrics["batch_cache_flushed_total"] == dict(sorted(flushed.items()))
        assert metrics["batch_rescore_attempts_total"] == sum(d.rescored for d in run.batched)

    check()
    counter.require("hinted placement", *(f"variant {v}" for v in ALL_VARIANTS))


def test_metamorphic_renaming_reordering_and_an_infeasible_node_change_nothing() -> None:
    counter = PathCounter("metamorphic")

    @given(scenarios(profiles=(NO_IMAGE_LOCALITY,)), st.randoms(use_true_random=False))
    def check(scenario: Scenario, random: object) -> None:
        base = run_lockstep(scenario)
        _paths(counter, base)
        order = list(range(len(scenario.cluster.nodes)))
        random.shuffle(order)  # type: ignore[attr-defined]
        for variant in (permuted(scenario, order), with_infeasible_node(scenario)):
            other = run_lockstep(variant)
            assert [d.node for d in other.batched] == [d.node for d in base.batched]
            assert [d.node for d in other.reference] == [d.node for d in base.reference]
        renamed_scenario, mapping = renamed(scenario)
        other = run_lockstep(renamed_scenario)
        assert [d.node for d in other.batched] == [
            mapping.get(d.node, d.node) if d.node else None for d in base.batched
        ]
        counter.hit("compared")

    check()
    counter.require("compared", "hinted placement")


def _preferring(template: Pod, terms: tuple[PreferredSchedulingTerm, ...]) -> Pod:
    return replace(template, affinity=Affinity(node_affinity=NodeAffinity(preferred=terms)))


@st.composite
def preferring_scenarios(draw: st.DrawFn) -> Scenario:
    """One-pod-per-node runs of pods that prefer some of the cluster's nodes by name, with
    weights and requests that make max-normalised NodeAffinity compete with NodeResourcesFit."""
    base = draw(scenarios(profiles=(BATCHING,), shape="one-per-node", min_nodes=3, max_nodes=5, max_pods=4))
    names = [n.name for n in base.cluster.nodes]
    chosen = draw(st.lists(st.sampled_from(names), min_size=2, max_size=len(names), unique=True))
    terms = tuple(
        PreferredSchedulingTerm(
            weight=draw(st.integers(1, 10)),
            preference=NodeSelectorTerm(match_fields=(NodeSelectorRequirement("metadata.name", "In", (name,)),)),
        )
        for name in chosen
    )
    cpu = draw(st.sampled_from((500, 800, 1000)))
    requests = FrozenDict({"cpu": cpu, "memory": 256 * 1024 * 1024})
    pods = []
    for pod in base.pods:
        first = replace(pod.containers[0], requests=requests)
        pods.append(replace(_preferring(pod, terms), containers=(first,), init_containers=()))
    return replace(base, pods=tuple(pods))


@pytest.mark.parametrize(("signers", "variant"), [("upstream", "g3"), ("strict", "renormalize")])
def test_normalisation_divergence_is_found_upstream_and_absent_when_renormalised(
    signers: str, variant: Variant
) -> None:
    """Spec §10.2: popping the cached heap without re-normalising can pick a worse node. The suite
    finds such a run from generated inputs and classifies it ``normalization``; with strict
    signers and re-normalisation on every pop the same generated runs never diverge."""
    counter = PathCounter(f"normalization/{signers}/{variant}")
    profile = BATCHING.with_signers(signers)  # type: ignore[arg-type]

    @settings(max_examples=400, phases=[Phase.explicit, Phase.generate])
    @given(preferring_scenarios())
    def search(scenario: Scenario) -> None:
        scenario = replace(scenario, profiles=(profile,), options=BatchingOptions(variant=variant))
        run = run_lockstep(scenario)
        _paths(counter, run)
        for divergence in run.divergences:
            counter.hit(f"divergence {classify(scenario, divergence)}")

    search()
    if variant == "renormalize":
        assert not [k for k in counter.counts if k.startswith("divergence")], counter
        counter.require("hinted placement")
    else:
        counter.require("hinted placement", "divergence normalization")


def test_a_found_divergence_replays_from_its_reproducer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The reproducer of a normalisation divergence, replayed through the CLI, shows it again."""
    found: list[Scenario] = []

    @settings(max_examples=400, phases=[Phase.generate])
    @given(preferring_scenarios())
    def search(scenario: Scenario) -> None:
        scenario = replace(scenario, events=())  # the normalisation divergence needs no event
        if not found and run_lockstep(scenario).divergences:
            found.append(scenario)

    search()
    assert found, "no divergence to replay"
    scenario = found[0]
    reproducer = write_reproducer(scenario, tmp_path / "finding")
    argv = [*shlex.split(reproducer.command)[1:], "--format", "json"]
    assert main(argv) == 0
    replayed = json.loads(capsys.readouterr().out)
    expected = [c.to_json() for c in run_lockstep(scenario).divergences]
    assert replayed["divergences"] == expected
