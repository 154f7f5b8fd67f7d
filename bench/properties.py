"""Property-suite throughput: equal-signature pair checks and lockstep runs per second.

Usage: ``python -m bench.properties [--pairs 300] [--runs 100] [--out bench/results]``.
Inputs are generated first (derandomized) and timed separately, so the figures split the time
between generation and checking. Pair checks use the ``batching`` profile on 8-node clusters;
lockstep runs use 8 nodes and 12 pods.
"""

from __future__ import annotations

import argparse
import json
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


def _collect(strategy: st.SearchStrategy[Any], count: int) -> tuple[list[Any], float]:
    items: list[Any] = []

    @settings(QUIET, max_examples=count)
    @given(strategy)
    def collect(value: Any) -> None:
        items.append(value)

    started = time.perf_counter()
    collect()
    return items, time.perf_counter() - started


def pair_checks(count: int) -> dict[str, Any]:
    """Sign both pods with the profile and, when equal, compare every result on 8 nodes."""
    framework = batching_profile().build()
    cases, generation = _collect(
        pair_cases(first=signable_templates(), cluster=clusters(min_nodes=8, max_nodes=8)), count
    )
    started = time.perf_counter()
    equal = 0
    for case in cases:
        assert isinstance(case, PairCase)
        if framework.sign_pod(case.first) == framework.sign_pod(case.second):
            equal += 1
        compare_profile(framework, case.first, case.second, case.cluster.snapshot())
    elapsed = time.perf_counter() - started
    return {
        "pairs": len(cases),
        "equal_signature_pairs": equal,
        "checks_per_second": round(len(cases) / elapsed, 1),
        "generation_per_second": round(len(cases) / generation, 1),
    }


def lockstep_runs(count: int) -> dict[str, Any]:
    """Full lockstep runs (both schedulers, comparisons, safety checks) of 12 pods on 8 nodes."""
    profile = batching_profile()
    strategy = scenarios(profiles=(profile,), min_nodes=8, max_nodes=8, min_pods=12, max_pods=12)
    items, generation = _collect(strategy, count)
    started = time.perf_counter()
    pods = 0
    for scenario in items:
        assert isinstance(scenario, Scenario)
        pods += len(scenario.pods)
        run_lockstep(scenario)
    elapsed = time.perf_counter() - started
    return {
        "runs": len(items),
        "mean_pods_per_run": round(pods / max(len(items), 1), 1),
        "runs_per_second": round(len(items) / elapsed, 1),
        "generation_per_second": round(len(items) / generation, 1),
    }


def main(argv: list[str] | None = None) -> int:
    """Measure and write ``bench/results/properties.json``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=300)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--out", default="bench/results")
    args = parser.parse_args(argv)
    result = {"pair_checks": pair_checks(args.pairs), "lockstep": lockstep_runs(args.runs)}
    print(json.dumps(result, indent=2))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "properties.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
