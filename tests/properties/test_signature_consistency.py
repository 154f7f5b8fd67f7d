"""Equal signatures must mean equal results: strict signers prove it on generated pairs, and
upstream signers' known gaps (spec §10.6) are *found* from generated inputs, not written in."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from batchproof.model.framework.interfaces import SignerMode
from batchproof.properties.signatures import SIGNABLE_PLUGINS, PairCase, PluginUnderTest, check_plugin_pair, pair_cases
from batchproof.properties.statistics import PathCounter
from batchproof.properties.strategies import pods
from batchproof.properties.strategies.clusters import clusters

SIGNABLE_PODS = pods(affinity=False, spread=False, volumes_=False)
FIND_SETTINGS = settings(max_examples=3000, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))


def _titles(subject: PluginUnderTest) -> str:
    return subject.title


@pytest.mark.parametrize("signers", ["strict", "upstream"])
@pytest.mark.parametrize("subject", [s for s in SIGNABLE_PLUGINS if s.title in {"NodeAffinity", "TaintToleration", "NodeUnschedulable", "NodeName", "ImageLocality", "NodeResourcesBalancedAllocation", "PodTopologySpread", "DynamicResources"}] , ids=_titles)
def test_gap_free_plugins_are_consistent_in_both_modes(subject: PluginUnderTest, signers: SignerMode) -> None:
    _check_consistent(subject, signers)


@pytest.mark.parametrize("subject", SIGNABLE_PLUGINS, ids=_titles)
def test_strict_signers_are_consistent(subject: PluginUnderTest) -> None:
    _check_consistent(subject, "strict")


def _check_consistent(subject: PluginUnderTest, signers: SignerMode) -> None:
    counter = PathCounter(f"{subject.title}/{signers}")

    @given(case=st.one_of(pair_cases(first=SIGNABLE_PODS), pair_cases()))
    def check(case: PairCase) -> None:
        result = check_plugin_pair(subject, signers, case)
        if result.interesting:
            counter.hit("equal signature, different pods")
        else:
            counter.hit("signature differs or pods equal")
        assert not result.differences, "; ".join(d.describe() for d in result.differences) + f" after {case.mutations}"

    check()
    counter.require("equal signature, different pods")


def _find_gap(subject: PluginUnderTest, expected_field: str, first: st.SearchStrategy[object] | None = None) -> PairCase:
    def is_gap(case: PairCase) -> bool:
        result = check_plugin_pair(subject, "upstream", case)
        return result.inconsistent and any(expected_field in f for f in result.fields())

    strategy = pair_cases(first=first or SIGNABLE_PODS, max_mutations=1, cluster=clusters(max_existing_pods=4, existing_pods=pods(spread=False, volumes_=False)))  # type: ignore[arg-type]
    return find(strategy, is_gap, settings=FIND_SETTINGS)


@pytest.mark.parametrize(
    ("subject", "expected_field"),
    [
        (PluginUnderTest("NodePorts"), "ports"),
        (PluginUnderTest("NodeResourcesFit"), "containers"),
        (PluginUnderTest("InterPodAffinity", {"ignorePreferredTermsOfExistingPods": True}, "InterPodAffinity/IgnorePreferred"), "labels"),
        (PluginUnderTest("InterPodAffinity"), "namespace"),
    ],
    ids=["host-port-protocol-or-ip", "per-container-default-requests", "labels-unsigned", "namespace-unsigned"],
)
def test_upstream_signature_gap_is_found(subject: PluginUnderTest, expected_field: str) -> None:
    case = _find_gap(subject, expected_field)
    upstream = check_plugin_pair(subject, "upstream", case)
    assert upstream.inconsistent
    assert any(expected_field in f for f in upstream.fields())
    strict = check_plugin_pair(subject, "strict", case)
    assert not strict.inconsistent, "the strict signer must close the gap the upstream one has"
