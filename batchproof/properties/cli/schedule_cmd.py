"""``batchproof schedule``: place a queue of pods with the reference or batched scheduler, or both."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from batchproof.batched import VARIANTS, BatchedScheduler, VirtualClock
from batchproof.model.errors import BatchproofError
from batchproof.model.framework.interfaces import SIGNER_MODES
from batchproof.model.profiles import BUILT_IN_PROFILES
from batchproof.model.scheduling import Decision
from batchproof.properties.cli.inputs import choose_profile, load_cluster, load_pods
from batchproof.properties.cli.render import dumps, render_schedule
from batchproof.properties.lockstep import BatchingOptions, Scenario, run_lockstep
from batchproof.properties.world import Cluster
from batchproof.reference import ReferenceScheduler


def add_parser(sub: Any) -> None:
    """Register the ``schedule`` subcommand."""
    parser = sub.add_parser("schedule", help="schedule pods in file order", description=__doc__)
    parser.add_argument("--nodes", required=True, help="manifest with the nodes")
    parser.add_argument("--pods", required=True, action="append", help="pods to schedule, queued in file order")
    parser.add_argument("--existing-pods", action="append", default=[], help="pods already bound (spec.nodeName)")
    parser.add_argument("--objects", action="append", default=[], help="Namespaces, Services, controllers, PVCs, PVs")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--config", help="KubeSchedulerConfiguration file (its first profile)")
    source.add_argument("--profile", choices=sorted(BUILT_IN_PROFILES), help="built-in profile (default: batching)")
    parser.add_argument("--signers", choices=SIGNER_MODES, default="upstream")
    parser.add_argument("--feature-gates", default="")
    parser.add_argument(
        "--scheduler", choices=("reference", "batched", "both", "upstream", "upstream-batched"), default="reference"
    )
    parser.add_argument("--variant", choices=VARIANTS, default="g3", help="batched generation (default g3)")
    parser.add_argument("--pod-interval-ms", type=float, default=1.0, help="virtual time between pods (default 1)")
    parser.add_argument("--max-batch-age-ms", type=float, default=500.0, help="batch expiry (default 500)")
    parser.add_argument("--metrics-out", help="write batching metrics in Prometheus text format to this file")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(run=run)


def placement(decision: Decision) -> dict[str, Any]:
    """One placement row of the JSON output."""
    return {"pod": decision.pod, "node": decision.node, "path": decision.path}


def run(args: argparse.Namespace) -> int:
    """Schedule and print."""
    if args.pod_interval_ms < 0 or args.max_batch_age_ms < 0:
        raise BatchproofError("--pod-interval-ms and --max-batch-age-ms must not be negative")
    profile = choose_profile(
        config=args.config, profile=args.profile, signers=args.signers, feature_gates=args.feature_gates
    )
    loaded = load_cluster(args.nodes, args.existing_pods, args.objects)
    queue = load_pods(args.pods)
    cluster = Cluster(loaded.nodes, loaded.existing, loaded.objects.merged(queue.objects()))
    snapshot = cluster.snapshot(profile.features)
    options = BatchingOptions(args.variant, args.max_batch_age_ms / 1000, args.pod_interval_ms / 1000)
    document: dict[str, Any]
    if args.scheduler in ("upstream", "upstream-batched"):
        from batchproof.properties.cli.schedule_upstream import upstream_document  # noqa: PLC0415

        document = upstream_document(args.scheduler, (profile,), cluster, queue.pods, options)
        print(dumps(document) if args.format == "json" else render_schedule(document))
        return 0
    if args.scheduler == "both":
        lockstep = run_lockstep(Scenario(cluster, tuple(queue.pods), (profile,), options=options))
        if args.metrics_out:
            Path(args.metrics_out).write_text(lockstep.prometheus)
        document = {
            "reference": {
                "scheduler": "reference",
                "placements": [placement(d) for d in lockstep.reference],
                "metrics": {},
            },
            "batched": {
                "scheduler": "batched",
                "placements": [placement(d) for d in lockstep.batched],
                "metrics": lockstep.metrics,
            },
            "divergences": [d.to_json() for d in lockstep.divergences],
        }
        text = "\n\n".join(render_schedule(document[side]) for side in ("reference", "batched"))
        text += f"\n\ndivergences: {len(lockstep.divergences)}"
        for divergence in lockstep.divergences:
            text += f"\n  {divergence.pod}: reference {divergence.reference_node}, batched {divergence.batched_node}"
        print(dumps(document) if args.format == "json" else text)
        return 0
    scheduler: ReferenceScheduler | BatchedScheduler
    if args.scheduler == "reference":
        scheduler = ReferenceScheduler(
            profile.build(), snapshot, percentage_of_nodes_to_score=profile.percentage_of_nodes_to_score
        )
        decisions = [scheduler.schedule_one(pod) for pod in queue.pods]
    else:
        clock = VirtualClock()
        scheduler = BatchedScheduler(
            profile.build(),
            snapshot,
            clock=clock,
            variant=options.variant,
            max_batch_age=options.max_batch_age,
            percentage_of_nodes_to_score=profile.percentage_of_nodes_to_score,
        )
        decisions = []
        for pod in queue.pods:
            decisions.append(scheduler.schedule_one(pod))
            clock.advance(options.pod_interval)
        if args.metrics_out:
            Path(args.metrics_out).write_text(scheduler.metrics_registry.prometheus())
    document = {
        "scheduler": scheduler.name,
        "placements": [placement(d) for d in decisions],
        "metrics": scheduler.metrics(),
    }
    print(dumps(document) if args.format == "json" else render_schedule(document))
    return 0
