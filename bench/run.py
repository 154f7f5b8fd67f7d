"""Scheduling benchmarks: reference vs batched per-pod time and peak memory.

Usage: ``python -m bench.run [--sizes 500,1000,5000] [--pods 400] [--out bench/results]``.
Writes ``scheduling.json`` and ``scheduling.md``. Both schedulers run the built-in ``batching``
profile with upstream's adaptive percentageOfNodesToScore, in the same process, one after the
other, on identical clusters.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from batchproof.batched import BatchedScheduler, VirtualClock
from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.profiles import batching_profile
from batchproof.reference import ReferenceScheduler
from bench.workloads import pod_run, uniform_nodes


def _scheduler(kind: str, nodes: int) -> tuple[Any, Callable[[], None]]:
    profile = batching_profile()
    snapshot = Snapshot(uniform_nodes(nodes))
    if kind == "reference":
        return ReferenceScheduler(profile.build(), snapshot, percentage_of_nodes_to_score=None), lambda: None
    clock = VirtualClock()
    scheduler = BatchedScheduler(profile.build(), snapshot, clock=clock, percentage_of_nodes_to_score=None)
    return scheduler, lambda: clock.advance(0.001)


def measure(kind: str, nodes: int, pods: int, *, one_per_node: bool) -> dict[str, Any]:
    """Per-pod wall time of scheduling ``pods`` identical pods on ``nodes`` nodes."""
    scheduler, tick = _scheduler(kind, nodes)
    pods = min(pods, nodes) if one_per_node else pods  # a node takes one pod: no more pods than nodes
    queue = pod_run(pods, one_per_node=one_per_node)
    started = time.perf_counter()
    placed = hinted = 0
    for pod in queue:
        decision = scheduler.schedule_one(pod)
        placed += decision.node is not None
        hinted += decision.path == "hint"
        tick()
    elapsed = time.perf_counter() - started
    scheduler, tick = _scheduler(kind, nodes)
    tracemalloc.start()
    for pod in queue[: min(pods, 20)]:
        scheduler.schedule_one(pod)
        tick()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "scheduler": kind,
        "nodes": nodes,
        "pods": pods,
        "workload": "one-pod-per-node" if one_per_node else "several-pods-per-node",
        "per_pod_ms": round(elapsed / pods * 1000, 4),
        "placed": placed,
        "hinted": hinted,
        "peak_memory_mib_first_20_pods": round(peak / 2**20, 2),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark matrix and write the results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,500,1000,5000")
    parser.add_argument("--pods", type=int, default=400)
    parser.add_argument("--out", default="bench/results")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    for one_per_node in (True, False):
        for nodes in sizes:
            pair = {
                kind: measure(kind, nodes, args.pods, one_per_node=one_per_node) for kind in ("reference", "batched")
            }
            ratio = pair["reference"]["per_pod_ms"] / max(pair["batched"]["per_pod_ms"], 1e-9)
            rows.append({**pair, "speedup": round(ratio, 1)})
            print(
                f"{pair['reference']['workload']:22} nodes={nodes:5d} reference={pair['reference']['per_pod_ms']:9.3f}ms "
                f"batched={pair['batched']['per_pod_ms']:8.3f}ms speedup={ratio:7.1f}x hinted={pair['batched']['hinted']}"
            )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    document = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "pods_per_run": args.pods,
        "rows": rows,
    }
    (out / "scheduling.json").write_text(json.dumps(document, indent=2) + "\n")
    lines = [
        "| workload | nodes | reference ms/pod | batched ms/pod | speedup | hinted | peak MiB ref / batched |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        ref, bat = row["reference"], row["batched"]
        lines.append(
            f"| {ref['workload']} | {ref['nodes']} | {ref['per_pod_ms']} | {bat['per_pod_ms']} | {row['speedup']}x | {bat['hinted']}/{bat['pods']} | {ref['peak_memory_mib_first_20_pods']} / {bat['peak_memory_mib_first_20_pods']} |"
        )
    (out / "scheduling.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
