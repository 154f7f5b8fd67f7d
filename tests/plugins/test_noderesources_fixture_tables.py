"""Fixture data the conformance harness does not check: fitsRequest's insufficientResources and
the TestBrokenLinearFunction side table."""

from __future__ import annotations

import json
from typing import Any

import pytest

from batchproof.model.framework.evaluate import evaluate_plugin
from batchproof.model.framework.interfaces import PluginContext
from batchproof.model.plugins.noderesources.args import UtilizationShapePoint, parse_fit_args
from batchproof.model.plugins.noderesources.fit_filter import fits_request, pod_resource_request
from batchproof.model.plugins.noderesources.scorers import broken_linear_function
from batchproof.model.plugins.registry import DEFAULT_REGISTRY
from tests.conformance.fixture_cases import FIXTURES, FixtureCase, load_cases

FIT_CASES = [case for case in load_cases() if case.file == "NodeResourcesFit"]
ENOUGH_REQUESTS = [case for case in FIT_CASES if case.case["test"] == "TestEnoughRequests"]


def _needs_device_classes(case: FixtureCase) -> bool:
    """The pod requests an extended resource that a DeviceClass maps to DRA (not modelled)."""
    names = {c["spec"].get("extendedResourceName") for c in case.case.get("deviceClasses", [])}
    pod = case.incoming_pod()
    requested = {name for c in pod.all_containers for name in c.requests}
    return bool(names & requested)


def _params() -> list[Any]:
    params = []
    for case in ENOUGH_REQUESTS:
        marks = []
        if _needs_device_classes(case):
            marks.append(
                pytest.mark.xfail(reason="DeviceClass-backed extended resources are not modelled", strict=True)
            )
        params.append(pytest.param(case, id=case.id, marks=marks))
    return params


def test_every_enough_requests_case_asserts_insufficient_resources() -> None:
    assert len(ENOUGH_REQUESTS) == 28
    assert all("insufficientResources" in c.case["expected"]["node"] for c in ENOUGH_REQUESTS)


@pytest.mark.parametrize("case", _params())
def test_fits_request_reports_the_fixture_insufficient_resources(case: FixtureCase) -> None:
    args = parse_fit_args(case.args)
    features = case.features
    snapshot = case.snapshot()
    node_info = snapshot.get("node")
    assert node_info is not None
    request = pod_resource_request(case.incoming_pod(), pod_level_resources=features.pod_level_resources)
    got = fits_request(
        request,
        node_info,
        ignored_resources=args.ignored_resources,
        ignored_resource_groups=args.ignored_resource_groups,
    )
    assert [item.to_json() for item in got] == case.case["expected"]["node"]["insufficientResources"]


def _broken_linear_tables() -> list[Any]:
    data = json.loads((FIXTURES / "NodeResourcesFit-RequestedToCapacityRatio.json").read_text())
    params = []
    for t, table in enumerate(data["brokenLinearFunction"]["tables"]):
        points = [UtilizationShapePoint(p["utilization"], p["score"]) for p in table["points"]]
        for p, expected in table["assertions"]:
            params.append(pytest.param(points, p, expected, id=f"table{t}-p{p}"))
    return params


@pytest.mark.parametrize(("points", "p", "expected"), _broken_linear_tables())
def test_broken_linear_function_matches_the_fixture_table(
    points: list[UtilizationShapePoint], p: int, expected: int
) -> None:
    assert broken_linear_function(points)(p) == expected


def test_broken_linear_function_truncates_toward_zero_on_a_falling_segment() -> None:
    # 10 + (-10 * 10) / 60: Go gives 10 - 1 = 9, Python floor division would give 8.
    f = broken_linear_function([UtilizationShapePoint(40, 10), UtilizationShapePoint(100, 0)])
    assert f(50) == 9


def _string_score_code_cases() -> list[Any]:
    """Score cases whose ``scoreCode`` is one code for every node (the harness expects a map)."""
    return [
        pytest.param(case, id=case.id)
        for case in load_cases()
        if case.file.startswith("NodeResources") and isinstance(case.case["expected"].get("scoreCode"), str)
    ]


@pytest.mark.parametrize("case", _string_score_code_cases())
def test_score_cases_with_one_score_code_for_every_node(case: FixtureCase) -> None:
    plugin = DEFAULT_REGISTRY.create(case.plugin, case.args, PluginContext(features=case.features))
    result = evaluate_plugin(plugin, case.incoming_pod(), case.snapshot())
    expected = case.case["expected"]
    assert result.raw == expected["raw"]
    assert {status.code.value for status in result.score_statuses.values()} == {expected["scoreCode"]}
