"""The PodTopologySpread fixture's preFilterState side table (upstream TestPreFilterState).

Each entry is checked through :func:`compute_pre_filter_state` and the key-indexed views of
its result (``TpKeyToDomainsNum``, ``TpPairToMatchNum``, ``TpKeyToCriticalPaths``).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import PluginContext
from batchproof.model.manifests.decode import label_selector
from batchproof.model.manifests.reader import Reader
from batchproof.model.plugins.podtopologyspread.common import Selector, SpreadConstraint
from batchproof.model.plugins.podtopologyspread.filtering import (
    MAX_INT32,
    CriticalPaths,
    PreFilterState,
    compute_pre_filter_state,
)
from batchproof.model.plugins.registry import DEFAULT_REGISTRY
from tests.conformance.fixture_cases import FIXTURES, FixtureCase

TABLE: list[dict[str, Any]] = json.loads((FIXTURES / "PodTopologySpread.json").read_text())["preFilterState"]


def _case(entry: dict[str, Any]) -> FixtureCase:
    return FixtureCase("PodTopologySpread", "PodTopologySpread", 0, entry, {})


def _selector_set(raw: Any) -> Any:
    return Selector.from_label_selector(label_selector(Reader(raw, "fixture", None, "selector"))).requirement_set()


def _constraint_json(constraint: SpreadConstraint) -> dict[str, Any]:
    return {
        "maxSkew": constraint.max_skew,
        "topologyKey": constraint.topology_key,
        "selector": constraint.selector.requirement_set(),
        "minDomains": constraint.min_domains,
        "nodeAffinityPolicy": constraint.node_affinity_policy,
        "nodeTaintsPolicy": constraint.node_taints_policy,
    }


def _check_paths(key: str, got: CriticalPaths, want: list[dict[str, Any]], pairs: dict[tuple[str, str], int]) -> None:
    """Go compares the two paths ignoring order only where match numbers tie; check what is determined."""
    assert [p.match_num for p in got] == [p["matchNum"] for p in want], key
    if want[0]["matchNum"] != want[1]["matchNum"]:
        assert [p.topology_value for p in got] == [p["topologyValue"] for p in want], key
    for path in got:
        if path.match_num != MAX_INT32:
            assert pairs[(key, path.topology_value)] == path.match_num, key
    counts = [count for (k, _), count in pairs.items() if k == key]
    if counts:
        assert got[0].match_num == min(counts), key


def test_the_side_table_is_present() -> None:
    assert len(TABLE) == 35


@pytest.mark.parametrize("entry", TABLE, ids=[entry["name"] for entry in TABLE])
def test_pre_filter_state_matches_the_fixture(entry: dict[str, Any]) -> None:
    case = _case(entry)
    plugin = DEFAULT_REGISTRY.create("PodTopologySpread", case.args, PluginContext(features=case.features))
    pod, snapshot = case.incoming_pod(), case.snapshot()
    _, status = plugin.pre_filter(CycleState(snapshot), pod, snapshot.node_infos())
    assert status.code.value == entry["expectedPreFilter"]["code"]
    state: PreFilterState = compute_pre_filter_state(
        pod, snapshot.node_infos(), plugin.config, snapshot.objects.selecting
    )
    want = entry.get("expectedState")
    if want is None:
        assert state.constraints == ()
        return
    assert [_constraint_json(c) for c in state.constraints] == [
        {**c, "selector": None if c["selector"] is None else _selector_set(c["selector"])} for c in want["constraints"]
    ]
    assert state.tp_key_to_domains_num() == want["tpKeyToDomainsNum"]
    pairs = state.tp_pair_to_match_num()
    assert pairs == {(row["key"], row["value"]): row["count"] for row in want["tpPairToMatchNum"]}
    paths = state.tp_key_to_critical_paths()
    assert set(paths) == set(want["criticalPaths"])
    for key, expected in want["criticalPaths"].items():
        _check_paths(key, paths[key], expected, pairs)
