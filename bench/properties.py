"""Property-suite throughput: equal-signature pair checks and lockstep runs per second.

Usage: ``python -m bench.properties [--pairs 300] [--runs 100] [--out bench/results] [--baseline DIR]
[--source DIR]``. Inputs are generated first (derandomized) and timed separately, so the figures
split the time between generation and checking. Pair checks use the ``batching`` profile on
8-node clusters; lockstep runs use 8 nodes and 12 pods. Rates are per wall-clock second and per
CPU second of this process (the latter is less sensitive to other processes on the machine).
``campaign_generation`` times the campaign's busiest searches drawn afresh and from pools
(:mod:`batchproof.properties.strategies.pools`), and building the pools.

With ``--baseline DIR`` the same measurement runs first with the batchproof of checkout ``DIR``
and then with this one (or ``--source``), each in a fresh process; the result has a ``before``
and an ``after`` part.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batchproof.model.profiles import batching_profile
from batchproof.properties.lockstep import Scenario, run_lockstep
from batchproof.properties.pairs import compare_profile
from batchproof.properties.signatures import PairCase, pair_cases
from batchproof.properties.strategies.clusters import clusters
from batchproof.properties.strategies.workloads import scenarios, signable_templates

QUIET = settings(database=None, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))


def _collect(strategy: st.SearchStrategy[Any], count: int) -> tuple[list[Any], float, float]:
    items: list[Any] = []

    @settings(QUIET, max_examples=count)
    @given(strategy)
    def collect(value: Any) -> None:
        items.append(value)

    started, cpu = time.perf_counter(), time.process_time()
    collect()
    return items, time.perf_counter() - started, time.process_time() - cpu


def pair_checks(count: int) -> dict[str, Any]:
    """Sign both pods with the profile and, when equal, compare every result on 8 nodes."""
    framework = batching_profile().build()
    cases, generation, generation_cpu = _collect(
        pair_cases(first=signable_templates(), cluster=clusters(min_nodes=8, max_nodes=8)), count
    )
    started, cpu = time.perf_counter(), time.process_time()
    equal = 0
    for case in cases:
        assert isinstance(case, PairCase)
        if framework.sign_pod(case.first) == framework.sign_pod(case.second):
            equal += 1
        compare_profile(framework, case.first, case.second, case.cluster.snapshot())
    elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "pairs": len(cases),
        "equal_signature_pairs": equal,
        "checks_per_second": round(len(cases) / elapsed, 1),
        "generation_per_second": round(len(cases) / generation, 1),
        "checks_per_cpu_second": round(len(cases) / elapsed_cpu, 1),
        "generation_per_cpu_second": round(len(cases) / generation_cpu, 1),
    }


def lockstep_runs(count: int) -> dict[str, Any]:
    """Full lockstep runs (both schedulers, comparisons, safety checks) of 12 pods on 8 nodes."""
    profile = batching_profile()
    strategy = scenarios(profiles=(profile,), min_nodes=8, max_nodes=8, min_pods=12, max_pods=12)
    items, generation, generation_cpu = _collect(strategy, count)
    started, cpu = time.perf_counter(), time.process_time()
    pods = 0
    for scenario in items:
        assert isinstance(scenario, Scenario)
        pods += len(scenario.pods)
        run_lockstep(scenario)
    elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "runs": len(items),
        "mean_pods_per_run": round(pods / max(len(items), 1), 1),
        "runs_per_second": round(len(items) / elapsed, 1),
        "generation_per_second": round(len(items) / generation, 1),
        "runs_per_cpu_second": round(len(items) / elapsed_cpu, 1),
        "generation_per_cpu_second": round(len(items) / generation_cpu, 1),
    }


def campaign_generation(count: int) -> dict[str, Any] | None:
    """The campaign's two busiest searches drawn afresh and from pools, and the pools' build time.

    ``signature/all-plugins`` pairs and ``lockstep/events`` scenarios, per wall-clock second; None
    for a checkout without pools.
    """
    try:
        from batchproof.properties.campaign.searches import all_plugin_pairs, lockstep_scenarios  # noqa: PLC0415
        from batchproof.properties.lockstep import BatchingOptions  # noqa: PLC0415
        from batchproof.properties.strategies import pools  # noqa: PLC0415
    except ImportError:
        return None
    profile = batching_profile()

    def events(pool_seed: int | None) -> st.SearchStrategy[Any]:
        return lockstep_scenarios(profile=profile, options=BatchingOptions(), events=True, pool_seed=pool_seed)

    started = time.perf_counter()
    pooled = {"all_plugin_pairs": all_plugin_pairs(0), "event_scenarios": events(0)}
    build = time.perf_counter() - started
    fresh = {"all_plugin_pairs": all_plugin_pairs(), "event_scenarios": events(None)}
    out: dict[str, Any] = {"pool_size": pools.POOL_SIZE, "pool_build_seconds": round(build, 2)}
    for name in pooled:
        rates = {}
        for kind, strategies in (("fresh", fresh), ("pooled", pooled)):
            items, seconds, _ = _collect(strategies[name], count)
            rates[f"{kind}_per_second"] = round(len(items) / seconds, 1)
        out[name] = rates
    return out


def measure(pairs: int, runs: int) -> dict[str, Any]:
    """The measurements, with the machine's load average around them."""
    load = os.getloadavg()[0]
    result = {"pair_checks": pair_checks(pairs), "lockstep": lockstep_runs(runs)}
    campaign = campaign_generation(pairs)
    if campaign is not None:
        result["campaign_generation"] = campaign
    return {**result, "load_average_1min": {"before": round(load, 2), "after": round(os.getloadavg()[0], 2)}}


def _measure_in(checkout: Path | None, pairs: int, runs: int) -> dict[str, Any]:
    """:func:`measure` in a fresh process importing the batchproof of ``checkout`` (default: the installed one)."""
    env = {**os.environ, "PYTHONPATH": str(checkout.resolve())} if checkout is not None else None
    command = [sys.executable, str(Path(__file__).resolve()), "--pairs", str(pairs), "--runs", str(runs), "--print"]
    done = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    measured: dict[str, Any] = json.loads(done.stdout)
    return measured


def main(argv: list[str] | None = None) -> int:
    """Measure and write ``bench/results/properties.json``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=300)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--out", default="bench/results")
    parser.add_argument("--baseline", type=Path, help="a checkout to measure first (the 'before')")
    parser.add_argument("--source", type=Path, help="the checkout to measure (default: the installed batchproof)")
    parser.add_argument("--print", action="store_true", help=argparse.SUPPRESS)  # one measurement to stdout
    args = parser.parse_args(argv)
    if args.print:
        print(json.dumps(measure(args.pairs, args.runs)))
        return 0
    setup = {"cpus": os.cpu_count(), "pairs": args.pairs, "runs": args.runs}
    result: dict[str, Any]
    if args.baseline is not None:
        before = _measure_in(args.baseline, args.pairs, args.runs)
        result = {"setup": setup, "before": before, "after": _measure_in(args.source, args.pairs, args.runs)}
    else:
        result = {"setup": setup, **_measure_in(args.source, args.pairs, args.runs)}
    print(json.dumps(result, indent=2))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "properties.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
