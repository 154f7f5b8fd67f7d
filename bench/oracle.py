"""``evaluate`` throughput: the upstream oracle beside the model, on the same cases, in one run.

Usage: ``python -m bench.oracle [--cases 200] [--repeat 5] [--out bench/results]``.
Cases: a pod drawn by the suite's pod strategy (seeded) on 8 nodes with a few bound pods,
under the built-in ``batching`` profile. One evaluation is every plugin of the profile on one
pod: the model runs ``evaluate_plugin`` per plugin plus the framework's SignPod, the oracle
answers one ``evaluate`` request (JSON encoding, the pipe, decoding and defaulting, a fake
clientset, informers, the cache snapshot, every plugin and SignPod). Each repeat times both
over all cases, alternating which goes first; the figures are the medians.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings

from batchproof.model.framework.evaluate import evaluate_plugin
from batchproof.model.framework.interfaces import PluginContext
from batchproof.model.objects import Pod
from batchproof.model.plugins.registry import DEFAULT_REGISTRY
from batchproof.model.profiles import batching_profile
from batchproof.properties.strategies.clusters import clusters
from batchproof.properties.strategies.objects import pods
from batchproof.properties.world import Cluster
from batchproof.upstream import Oracle, evaluate

NODES = 8


def draw_cases(count: int) -> list[tuple[Cluster, Pod]]:
    """``count`` seeded (cluster of 8 nodes, pod) cases."""
    cases: list[tuple[Cluster, Pod]] = []

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @seed(20261201)
    @given(clusters(min_nodes=NODES, max_nodes=NODES, max_existing_pods=6), pods())
    def collect(cluster: Cluster, pod: Pod) -> None:
        cases.append((cluster, pod))

    collect()
    return cases[:count]


def model_pass(cases: list[tuple[Cluster, Pod]]) -> float:
    """Seconds to evaluate every case on the model."""
    profile = batching_profile()
    context = PluginContext(features=profile.features, signers=profile.signers)
    start = time.perf_counter()
    for cluster, pod in cases:
        snapshot = cluster.snapshot(profile.features)
        for name in profile.plugin_names():
            evaluate_plugin(DEFAULT_REGISTRY.create(name, profile.plugin_args.get(name), context), pod, snapshot)
        profile.build().sign_pod(pod)
    return time.perf_counter() - start


def oracle_pass(oracle: Oracle, cases: list[tuple[Cluster, Pod]]) -> float:
    """Seconds to evaluate every case on the oracle."""
    profile = batching_profile()
    start = time.perf_counter()
    for cluster, pod in cases:
        evaluate(
            oracle, profile=profile, nodes=cluster.nodes, existing=cluster.existing, objects=cluster.objects, pod=pod
        )
    return time.perf_counter() - start


def measure(cases: list[tuple[Cluster, Pod]], repeat: int) -> dict[str, Any]:
    """Median evaluations per second for both engines."""
    model_runs: list[float] = []
    oracle_runs: list[float] = []
    with Oracle() as oracle:
        version = oracle.version()["kubernetesVersion"]
        oracle_pass(oracle, cases[:5])  # warm the process
        for index in range(repeat):
            if index % 2:
                model_runs.append(model_pass(cases))
                oracle_runs.append(oracle_pass(oracle, cases))
            else:
                oracle_runs.append(oracle_pass(oracle, cases))
                model_runs.append(model_pass(cases))
    model_rate = len(cases) / statistics.median(model_runs)
    oracle_rate = len(cases) / statistics.median(oracle_runs)
    return {
        "kubernetes": version,
        "cases": len(cases),
        "nodes": NODES,
        "repeat": repeat,
        "model_evaluations_per_second": round(model_rate, 1),
        "oracle_evaluations_per_second": round(oracle_rate, 1),
        "model_over_oracle": round(model_rate / oracle_rate, 2),
        "model_seconds": [round(s, 3) for s in model_runs],
        "oracle_seconds": [round(s, 3) for s in oracle_runs],
    }


def main() -> None:
    """Measure and write bench/results/oracle.json and oracle.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", default="bench/results")
    args = parser.parse_args()
    result = measure(draw_cases(args.cases), args.repeat)
    result["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "oracle.json").write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    table = [
        "# evaluate throughput: model vs upstream oracle",
        "",
        f"{result['cases']} cases, {NODES} nodes, batching profile, every plugin plus SignPod per evaluation; "
        f"median of {result['repeat']} runs; Kubernetes {result['kubernetes']}.",
        "",
        "| engine | evaluations/s |",
        "| --- | --- |",
        f"| model (Python) | {result['model_evaluations_per_second']} |",
        f"| oracle (real v1.37 code over JSON lines) | {result['oracle_evaluations_per_second']} |",
        "",
        f"The model is {result['model_over_oracle']}x the oracle's rate.",
        "",
    ]
    (out / "oracle.md").write_text("\n".join(table))
    print("\n".join(table))


if __name__ == "__main__":
    main()
