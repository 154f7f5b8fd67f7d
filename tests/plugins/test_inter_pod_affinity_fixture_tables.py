"""The InterPodAffinity fixture's incomingAffinityCounts side table.

Upstream TestGetTPMapMatchingIncomingAffinityAntiAffinity.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from batchproof.model.plugins.inter_pod_affinity import incoming_pod_affinity_counts
from tests.conformance.fixture_cases import FIXTURES, FixtureCase

TABLE: list[dict[str, Any]] = json.loads((FIXTURES / "InterPodAffinity.json").read_text())["incomingAffinityCounts"]


def _as_counts(rows: list[dict[str, Any]]) -> dict[tuple[str, str], int]:
    return {(row["key"], row["value"]): row["count"] for row in rows}


def test_the_side_table_is_present() -> None:
    assert len(TABLE) == 8


@pytest.mark.parametrize("entry", TABLE, ids=[entry["name"] for entry in TABLE])
def test_incoming_affinity_counts_match_the_fixture(entry: dict[str, Any]) -> None:
    case = FixtureCase("InterPodAffinity", "InterPodAffinity", 0, entry, {})
    affinity, anti_affinity = incoming_pod_affinity_counts(case.incoming_pod(), case.snapshot())
    assert affinity == _as_counts(entry["expected"]["affinityCounts"])
    assert anti_affinity == _as_counts(entry["expected"]["antiAffinityCounts"])
