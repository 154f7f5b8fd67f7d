"""Clusters Z3 aims at batching hazards, replayed through both schedulers, and used as explicit
examples of Hypothesis properties."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import example, given, settings

from batchproof.model.profiles import batching_profile
from batchproof.properties.classify import classify
from batchproof.properties.lockstep import BatchingOptions, Scenario, run_lockstep
from batchproof.properties.statistics import PathCounter
from batchproof.properties.symbolic.adversarial import (
    NoCase,
    exact_fit,
    normalisation_inversion,
    rescore_tie,
)
from batchproof.properties.symbolic.samples import fit_scenarios, preferring_scenarios

INVERSION = normalisation_inversion()
JUST_FULL = exact_fit("just-full")
JUST_NOT_FULL = exact_fit("just-not-full")
TIE = rescore_tie()


def test_z3_finds_a_normalisation_inversion_with_three_nodes_and_none_with_two() -> None:
    assert INVERSION.nodes == 3
    with pytest.raises(NoCase):
        normalisation_inversion(max_nodes=2)


@pytest.mark.parametrize("profile", ["spec-10.2", "batching"])
def test_the_batched_scheduler_reproduces_the_inversion(profile: str) -> None:
    scenario = INVERSION.scenario
    if profile == "batching":
        scenario = scenario.with_profiles([batching_profile()])
    run = run_lockstep(scenario)
    assert not run.unsafe
    assert [d.path for d in run.batched] == ["full", "hint"]
    [divergence] = run.divergences
    assert divergence.pod == scenario.pods[1].key
    assert classify(scenario, divergence) == "normalization"


def test_exact_fit_boundaries_take_the_pop_and_the_rescore_path() -> None:
    full = run_lockstep(JUST_FULL.scenario).batched[1]
    assert (full.path, full.rescored) == ("hint", False)
    roomy = run_lockstep(JUST_NOT_FULL.scenario).batched[1]
    assert (roomy.path, roomy.rescored) == ("hint", True)


def test_the_rescored_node_ties_the_cached_best() -> None:
    run = run_lockstep(TIE.scenario)
    scores = run.reference[1].total_scores()
    assert len(set(scores.values())) == 1 and len(scores) == 2
    assert run.batched[1].rescored and not run.divergences


def _renormalised(scenario: Scenario) -> Scenario:
    strict = scenario.with_profiles(p.with_signers("strict") for p in scenario.profiles)
    return replace(strict, options=BatchingOptions(variant="renormalize"))


RENORMALISED = PathCounter("renormalised")


@settings(max_examples=200)
@given(scenario=preferring_scenarios())
@example(scenario=INVERSION.scenario)
def test_renormalising_on_every_pop_leaves_no_normalisation_divergence(scenario: Scenario) -> None:
    """Spec §10.2's fix: re-normalising the cached list on every pop places like the reference,
    also on the cluster Z3 built to break the upstream (G3) batch."""
    if run_lockstep(scenario).divergences:
        RENORMALISED.hit("diverges under g3")
    run = run_lockstep(_renormalised(scenario))
    assert not run.unsafe
    assert not run.divergences, [d.to_json() for d in run.divergences]


def test_renormalisation_property_met_divergent_clusters() -> None:
    test_renormalising_on_every_pop_leaves_no_normalisation_divergence()
    RENORMALISED.require("diverges under g3")


COUNTER = PathCounter("fit-boundaries")


@settings(max_examples=200)
@given(scenario=fit_scenarios())
@example(scenario=JUST_FULL.scenario)
@example(scenario=JUST_NOT_FULL.scenario)
@example(scenario=TIE.scenario)
def test_without_normalising_plugins_batching_places_like_the_reference(scenario: Scenario) -> None:
    """Spec §10.10: node-local raw scores, no events, deterministic ties: identical placements, also
    at exact-fit boundaries and when the rescored node ties the cached best."""
    run = run_lockstep(scenario)
    for decision in run.batched:
        if decision.rescored:
            COUNTER.hit("rescored")
        if decision.path == "hint" and not decision.rescored:
            COUNTER.hit("popped")
    assert not run.unsafe
    assert not run.divergences, [d.to_json() for d in run.divergences]


def test_fit_boundary_property_reached_both_batch_paths() -> None:
    test_without_normalising_plugins_batching_places_like_the_reference()
    COUNTER.require("rescored", "popped")
