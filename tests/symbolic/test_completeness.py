"""Fragment completeness with Z3: strict signers are proved complete for every signable plugin;
upstream signers yield replay-confirmed counterexamples exactly where spec §10.6 says the gaps are;
unsat cores name the fields a fragment must cover; unknown is never reported as proved."""

from __future__ import annotations

from typing import Any

import pytest
import z3

from batchproof.properties.symbolic.completeness import check, prove
from batchproof.properties.symbolic.encoder import SUCCESS, Encoder
from batchproof.properties.symbolic.encodings import MODELS, FitModel
from batchproof.properties.symbolic.model import ClusterVars, Part, Property
from batchproof.properties.symbolic.results import ProveReport
from batchproof.properties.symbolic.solver import Limits, solve


@pytest.fixture(scope="module")
def report() -> ProveReport:
    return prove(MODELS, ("upstream", "strict"))


def _by(report: ProveReport, signers: str) -> dict[tuple[str, str], Any]:
    return {(r.plugin, r.property): r for r in report.results if r.signers == signers}


def test_strict_signers_are_proved_complete_for_every_signable_plugin(report: ProveReport) -> None:
    strict = _by(report, "strict")
    assert {plugin for plugin, _ in strict} == {m.title for m in MODELS}
    assert all(r.status == "proved" for r in strict.values()), [
        r.describe() for r in strict.values() if r.status != "proved"
    ]


def test_trivial_completeness_is_said_not_hidden(report: ProveReport) -> None:
    for (plugin, _), result in _by(report, "strict").items():
        if plugin in ("PodTopologySpread", "DynamicResources"):
            assert result.detail.startswith("trivial"), result


# spec §10.6: (plugin, property) -> a manifest field the two pods of the counterexample differ in
SPEC_GAPS = {
    ("NodePorts", "filter"): ("ports", "initContainers"),  # protocol/hostIP, or plain init containers
    ("NodeResourcesFit", "score"): ("containers", "initContainers", "overhead"),  # per-container defaults
    ("InterPodAffinity", "filter"): ("namespace",),
    ("InterPodAffinity/IgnorePreferred", "filter"): ("labels", "namespace"),
}


def test_upstream_gaps_of_spec_10_6_are_real_replay_confirmed_counterexamples(report: ProveReport) -> None:
    upstream = _by(report, "upstream")
    for key, fields in SPEC_GAPS.items():
        result = upstream[key]
        assert result.status == "counterexample", result.describe()
        example = result.counterexample
        assert example is not None and example.equal_signatures
        assert example.first_result != example.second_result
        assert any(f in path for path in example.differing_fields for f in fields), example.differing_fields


def test_no_symbolic_model_is_contradicted_by_its_plugin(report: ProveReport) -> None:
    assert report.count("model-bug") == 0, [r.describe() for r in report.results if r.status == "model-bug"]
    assert report.count("unknown") == 0, [r.describe() for r in report.results if r.status == "unknown"]
    for result in report.results:
        if result.counterexample is not None:
            assert result.counterexample.equal_signatures, result.describe()


def test_unsat_cores_name_the_fields_each_property_reads(report: ProveReport) -> None:
    strict = _by(report, "strict")
    assert set(strict[("NodeResourcesFit", "score")].core) == {"NonZeroRequests().cpu", "NonZeroRequests().memory"}
    assert "NonZeroRequests().cpu" not in strict[("NodeResourcesFit", "filter")].core
    assert set(strict[("InterPodAffinity", "filter")].core) == {"Labels", "Namespace"}
    # Filter reads the required terms (their presence or their content: with at least one
    # term required of valid objects, either part carries the proof).
    assert {"NodeAffinity.HasRequired", "NodeAffinity.Required"} & set(strict[("NodeAffinity", "filter")].core)
    assert "NodeAffinity.Required" not in strict[("NodeAffinity", "score")].core
    assert "Volumes.EphemeralClaimNames()" in strict[("VolumeBinding", "filter")].core


class _Hard(FitModel):
    """Fit with a result no solver settles quickly: a cubic equation over the pod's request."""

    title = "Hard"

    def reads(self, enc: Encoder, pod: Any, prop: Property) -> None:
        return None

    def fragment(self, enc: Encoder, a: Any, b: Any, mode: str) -> list[Part]:
        return []

    def result(self, enc: Encoder, pod: Any, cluster: ClusterVars, prop: Property, node: int) -> tuple[Any, ...]:
        x = pod.app[0].value["cpu"] + 1
        y, z = cluster.nodes[node].allocatable["cpu"] + 1, cluster.nodes[node].allocatable["memory"] + 1
        return (z3.IntVal(SUCCESS), z3.If(x * x * x + y * y * y == z * z * z, 1, 0))


def test_a_timeout_is_reported_as_unknown_never_as_proved() -> None:
    result = check(_Hard(), "strict", "score", Limits(timeout_ms=50))
    assert result.status == "unknown"
    assert "z3" in result.detail


def test_solver_timeout_and_memory_guard_come_back_as_data() -> None:
    a, b, c = z3.Ints("a b c")
    cubes = [a > 0, b > 0, c > 0, a * a * a + b * b * b == c * c * c]
    outcome = solve(cubes, (), Limits(timeout_ms=50, memory_mb=64))
    assert outcome.answer == "unknown"
    assert outcome.reason


class _Blind(FitModel):
    """A wrong model: claims Fit's Filter reads nothing but the cpu request."""

    title = "Blind"

    def fragment(self, enc: Encoder, a: Any, b: Any, mode: str) -> list[Part]:
        return super().fragment(enc, a, b, mode)[:1]


def test_a_wrong_encoding_is_reported_as_a_model_bug() -> None:
    result = check(_Blind(), "strict", "filter")
    assert result.status == "model-bug", result.describe()
    assert result.counterexample is not None and not result.counterexample.equal_signatures
