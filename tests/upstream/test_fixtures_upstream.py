"""Every upstream plugin-test fixture case, answered by the real plugins through the oracle.

The fixtures were taken from upstream's own tests, so the real code must reproduce them, apart
from cases whose expectation belongs to another release (pinned below with the reason).
"""

from __future__ import annotations

from typing import Any

import pytest

from batchproof.properties.upstream.as_model import plugin_evaluation
from batchproof.upstream import Oracle, OracleRequestError
from tests.conformance import test_plugin_fixtures as conformance
from tests.conformance.fixture_cases import FixtureCase, load_cases

CASES = load_cases()
# Gates the fixtures set per case (plfeature.Features) that the v1.37 release still has.
GATES = {"podLevelResources": "PodLevelResources"}


# Fixture expectations the real v1.37.2 code does not give through a KubeSchedulerConfiguration
# (README "Model and Kubernetes: known differences" lists them).
PINNED = {
    "NodeResourcesFit-MostAllocated:1:Resources not set, pods scheduled with error": (
        "the Go test passes args without defaults; a v1 config defaults empty resources to cpu and memory"
    ),
    "NodeResourcesFit-MostAllocated:5:resource with zero weight": (
        "the Go test passes args without defaults; a v1 config defaults a zero weight to 1"
    ),
    "TaintToleration:3:A pod having no tolerations can't be scheduled onto a node with nonempty taints": (
        "older release's reason text; v1.37 tainttoleration.go says 'node(s) had untolerated taint(s)'"
    ),
    "NodeResourcesFit:25:extended resource backed by DRA": (
        "the oracle's DRA manager does not resolve the DeviceClass's extendedResourceName within one request"
    ),
}


def _params() -> list[Any]:
    params = []
    for case in CASES:
        marks = []
        features = case.case.get("features", {})
        if (
            case.case["kind"] == "sign"
            and case.case["expected"].get("unsignable")
            and features.get("draExtendedResource")
        ):
            marks.append(
                pytest.mark.xfail(reason="v1.35 expectation: v1.37 needs a DRA DeviceClass to refuse", strict=True)
            )
        if features.get("draExtendedResource") is False and "DRAExtendedResource" in case.case.get("requires", []):
            marks.append(pytest.mark.skip(reason="needs DRAExtendedResource off; the gate is locked on in v1.37"))
        reason = PINNED.get(case.id)
        if reason:
            marks.append(pytest.mark.xfail(reason=reason, strict=True))
        params.append(pytest.param(case, id=case.id, marks=marks))
    return params


def _request(case: FixtureCase) -> dict[str, Any]:
    data = case.case
    profile: dict[str, Any] = {"schedulerName": "default-scheduler"}
    if case.args:
        profile["pluginConfig"] = [{"name": case.plugin, "args": case.args}]
    objects = [{"apiVersion": "v1", "kind": "Namespace", **n} for n in data.get("namespaces", [])]
    objects += list(data.get("objects", [])) + list(data.get("deviceClasses", []))
    pod = dict(data["pod"])
    pod.setdefault("apiVersion", "v1")
    pod.setdefault("kind", "Pod")
    return {
        "config": {
            "apiVersion": "kubescheduler.config.k8s.io/v1",
            "kind": "KubeSchedulerConfiguration",
            "profiles": [profile],
        },
        "featureGates": {GATES[k]: bool(v) for k, v in data.get("features", {}).items() if k in GATES},
        "nodes": [{"apiVersion": "v1", "kind": "Node", **n} for n in data.get("nodes", [])],
        "pods": [
            {"apiVersion": "v1", "kind": "Pod", **p}
            for p in data.get("existingPods", [])
            if p.get("spec", {}).get("nodeName")
        ],
        "objects": objects,
        "pod": pod,
        "scoredNodes": data.get("scoredNodes"),
        "plugins": [case.plugin],
        "skipPreFilter": data.get("skipPreFilter", False) or data.get("runPreFilter") is False,
        "skipPreScore": data.get("runPreScore") is False,
    }


@pytest.mark.parametrize("case", _params())
def test_upstream_reproduces_the_fixture(case: FixtureCase, oracle: Oracle) -> None:
    expected = case.case["expected"]
    if case.case["kind"] == "score" and "configError" in expected:
        with pytest.raises(OracleRequestError, match=expected["configError"]["field"].split(".")[-1]):
            oracle.request("evaluate", _request(case))
        return
    result = oracle.request("evaluate", _request(case))
    answer = {a["plugin"]: a for a in result["plugins"]}[case.plugin]
    evaluation = plugin_evaluation(answer)
    kind = case.case["kind"]
    if kind == "filter":
        conformance._check_filter(case, evaluation)
    elif kind == "sign":
        conformance._check_sign(case, evaluation)
    else:
        _check_score(case, evaluation)


def _check_score(case: FixtureCase, result: Any) -> None:
    data = case.case
    expected = data["expected"]
    expected_pre = data.get("expectedPreScore")
    if expected_pre is not None:
        assert result.pre_score is not None and result.pre_score.code.value == expected_pre["code"]
        if expected_pre["code"] in ("Skip", "Error"):
            return
    score_code = expected.get("scoreCode", {})
    if isinstance(score_code, str):
        score_code = dict.fromkeys(result.score_statuses, score_code)
    for node, code in score_code.items():
        assert result.score_statuses[node].code.value == code
    if "raw" in expected:
        assert result.raw == expected["raw"]
    if "normalized" in expected:
        assert result.normalized == expected["normalized"]
