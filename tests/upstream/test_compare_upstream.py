"""``batchproof compare`` puts upstream's hint rate beside the model's g3 row (v1.37.2 batches as g3)."""

from __future__ import annotations

import json

import pytest

from batchproof.model.profiles import batching_profile
from batchproof.properties.cli.main import main
from batchproof.properties.compare import Plan, load_catalogue, run_plan, select
from batchproof.properties.compare.upstream_rate import upstream_hint_rates, with_upstream_rates
from batchproof.upstream.client import Oracle

FAMILIES = ("host-port-conflict", "alternating-signatures", "several-per-node", "interleaved-signatures", "event-churn")


def test_upstream_hints_as_often_as_the_model_g3_on_the_small_catalogue(oracle: Oracle) -> None:
    plan = Plan(("g3",), tuple(select(load_catalogue(), list(FAMILIES))), seeds=1)
    profile = batching_profile()
    rates, skipped = upstream_hint_rates(oracle, plan, profile)
    assert skipped == {}
    rows = with_upstream_rates(run_plan(plan, profile), rates)
    g3 = {r.workload: r for r in rows if r.variant == "g3"}
    assert set(g3) == set(FAMILIES)
    assert sum(rate.hinted for rate in rates.values()) > 0, "upstream never hinted: nothing was compared"
    for name, row in g3.items():
        assert rates[name].pods == row.pods, name
        assert row.upstream_hint_rate == row.hint_rate, (name, row.hint_rate, row.upstream_hint_rate)


@pytest.mark.usefixtures("oracle")
def test_the_compare_table_carries_upstream_beside_g3_only(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["compare", "--variants", "g1", "g3", "--workloads", "several-per-node", "--seeds", "1", "--format", "json"]
    )
    document = json.loads(capsys.readouterr().out)
    assert code == 0
    rates = {r["variant"]: r["upstream_hint_rate"] for r in document["rows"]}
    assert rates["g1"] is None and rates["reference"] is None
    assert rates["g3"] is not None and rates["g3"] > 0.9  # several pods per node: rescoring keeps the hint
