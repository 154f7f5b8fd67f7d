"""``batchproof compare``: the catalogue builds every family at its small size, runs are deterministic
per seed, and the figures show what each design is for."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from batchproof.model.profiles import batching_profile
from batchproof.properties.cli.main import main
from batchproof.properties.compare import Plan, load_catalogue, run_plan, scenarios_of, to_json
from batchproof.properties.compare.pair import ReferenceMemo, Tally, run_pair
from batchproof.properties.compare.run import percentile

CATALOGUE = load_catalogue()
PROFILE = batching_profile()


def _without_times(document: dict[str, object]) -> dict[str, object]:
    rows = [dict(r, time_per_pod_us=None) for r in document["rows"]]  # type: ignore[attr-defined]
    return dict(document, rows=rows)


def test_the_catalogue_has_the_scheduler_perf_scenarios_at_their_real_size() -> None:
    full = {name: family.size("full") for name, family in CATALOGUE.items()}
    assert full["host-port-conflict"]["nodes"] == 5000
    assert full["alternating-signatures"]["pods"] == 5000
    assert CATALOGUE["resource-saturation"].spec["groups"][0]["cpu"] == "3"
    assert CATALOGUE["host-port-conflict"].spec["groups"][0]["host_port"] == 80


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_family_builds_deterministically_at_the_small_size(name: str) -> None:
    first = scenarios_of(CATALOGUE[name], "small", 1, PROFILE)
    again = scenarios_of(CATALOGUE[name], "small", 1, PROFILE)
    assert first and first == again
    assert all(scenario.pods for scenario in first)


def test_the_same_seeds_give_the_same_figures_apart_from_times() -> None:
    plan = Plan(("g3", "failure-cache"), (CATALOGUE["alternating-signatures"], CATALOGUE["generated"]), seeds=1)
    first = to_json(plan, run_plan(plan, PROFILE))
    second = to_json(plan, run_plan(plan, PROFILE))
    assert _without_times(first) == _without_times(second)


def test_rescoring_every_cached_node_removes_the_divergence_event_churn_causes_in_g3() -> None:
    plan = Plan(("g3", "option-2a"), (CATALOGUE["event-churn"],), seeds=1)
    rows = {r.variant: r for r in run_plan(plan, PROFILE)}
    assert rows["g3"].strict_identical < 1.0 and rows["g3"].regret_max > 0
    assert rows["option-2a"].strict_identical == 1.0
    assert rows["option-2a"].calls_per_pod["Score"] > rows["g3"].calls_per_pod["Score"]
    assert rows["reference"].calls_per_pod["Filter"] > rows["g3"].calls_per_pod["Filter"]


def test_renormalisation_removes_the_normalisation_divergence_of_preferred_affinity() -> None:
    plan = Plan(("g3", "renormalize"), (CATALOGUE["preferred-affinity-taints"],), seeds=5)
    rows = {r.variant: r for r in run_plan(plan, PROFILE.with_signers("strict"))}
    assert rows["g3"].strict_identical < 1.0
    assert rows["renormalize"].strict_identical == 1.0 and rows["renormalize"].hint_rate > 0.5


def test_a_process_pool_gives_the_rows_of_one_process_in_plan_order() -> None:
    families = (CATALOGUE["several-per-node"], CATALOGUE["signature-gap"], CATALOGUE["generated"])
    plan = Plan(("g1", "g3", "failure-cache"), families, seeds=2)
    alone = run_plan(plan, PROFILE)
    pooled = run_plan(plan, PROFILE, jobs=2)
    assert [replace(r, time_per_pod_us=0.0) for r in pooled] == [replace(r, time_per_pod_us=0.0) for r in alone]
    assert [(r.workload, r.variant) for r in pooled] == [
        (family.name, variant) for family in families for variant in (*plan.variants, "reference")
    ]
    assert _without_times(to_json(plan, pooled)) == _without_times(to_json(plan, alone))


def test_reused_reference_decisions_give_the_figures_of_deciding_again() -> None:
    scenario = scenarios_of(CATALOGUE["event-churn"], "small", 0, PROFILE)[0]
    memo: ReferenceMemo = {}
    run_pair(scenario, "g3", Tally(), Tally(), memo=memo)
    for variant in ("g3", "g1", "option-2a"):  # the same placements, then diverging ones
        fresh, fresh_reference = Tally(), Tally()
        run_pair(scenario, variant, fresh, fresh_reference)
        reused, reused_reference = Tally(), Tally()
        run_pair(scenario, variant, reused, reused_reference, memo=memo, reuse=True)
        assert replace(reused, seconds=0.0) == replace(fresh, seconds=0.0)
        assert reused_reference.calls["Filter"] < fresh_reference.calls["Filter"]


def test_the_cli_prints_the_same_figures_whatever_jobs(capsys: pytest.CaptureFixture[str]) -> None:
    documents = []
    for jobs in ("1", "2"):
        args = ["compare", "--variants", "g3", "draft", "--workloads", "interleaved-signatures", "event-churn"]
        assert main([*args, "--seeds", "1", "--format", "json", "--jobs", jobs]) == 0
        documents.append(json.loads(capsys.readouterr().out))
    assert _without_times(documents[0]) == _without_times(documents[1])
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", "--jobs", "0"])
    assert exit_info.value.code == 2


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 50) == 0
    assert percentile([5, 1, 3, 2, 4], 50) == 3
    assert percentile(list(range(1, 101)), 99) == 99


def test_the_cli_writes_the_tables_and_plots(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = ["--format", "json", "--out", str(tmp_path)]
    output += ["--jobs", "1"]
    code = main(["compare", "--variants", "g1", "draft", "--workloads", "host-port-conflict", "--seeds", "1", *output])
    document = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [r["variant"] for r in document["rows"]] == ["g1", "draft", "reference"]
    assert document["rows"][0]["hint_rate"] > 0.9
    assert {p.name for p in tmp_path.iterdir()} == {"compare.json", "compare.md", "compare.html"}
    code = main(["compare", "--variants", "nope"])
    assert code == 2


def test_option_1_places_as_g3_but_gives_prescore_one_node_per_rescore() -> None:
    plan = Plan(("g3", "option-1"), (CATALOGUE["several-per-node"],), seeds=1)
    rows = {r.variant: r for r in run_plan(plan, PROFILE.with_signers("strict"))}
    g3, option_1 = rows["g3"], rows["option-1"]
    assert option_1.strict_identical == g3.strict_identical == 1.0
    assert option_1.calls_per_pod["PreScore"] == g3.calls_per_pod["PreScore"]
    assert option_1.calls_per_pod["PreScore nodes"] < g3.calls_per_pod["PreScore nodes"] / 5
