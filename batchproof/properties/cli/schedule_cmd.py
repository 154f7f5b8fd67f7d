"""``batchproof schedule``: place a queue of pods with the reference or batched scheduler, or both."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from batchproof.batched import ALL_VARIANTS, BatchedScheduler, VirtualClock
from batchproof.model.config import load_config
from batchproof.model.errors import BatchproofError
from batchproof.model.framework.interfaces import SIGNER_MODES
from batchproof.model.profiles import BUILT_IN_PROFILES, Profile
from batchproof.model.queue import fit_error_message, queue_order
from batchproof.model.scheduling import Decision
from batchproof.properties.cli.inputs import choose_profile, load_cluster, load_pods
from batchproof.properties.cli.render import dumps, render_schedule
from batchproof.properties.lockstep import BatchingOptions, Scenario, run_lockstep
from batchproof.properties.world import Cluster
from batchproof.reference import ReferenceScheduler


def add_parser(sub: Any) -> None:
    """Register the ``schedule`` subcommand."""
    parser = sub.add_parser("schedule", help="schedule pods in queue order", description=__doc__)
    parser.add_argument("--nodes", required=True, help="manifest with the nodes")
    parser.add_argument(
        "--pods", required=True, action="append", help="pods to schedule: by priority, then in file order"
    )
    parser.add_argument("--existing-pods", action="append", default=[], help="pods already bound (spec.nodeName)")
    parser.add_argument("--objects", action="append", default=[], help="Namespaces, Services, controllers, PVCs, PVs")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--config", help="KubeSchedulerConfiguration file (every profile, by schedulerName)")
    source.add_argument("--profile", choices=sorted(BUILT_IN_PROFILES), help="built-in profile (default: batching)")
    parser.add_argument("--signers", choices=SIGNER_MODES, default="upstream")
    parser.add_argument("--feature-gates", default="")
    parser.add_argument(
        "--scheduler", choices=("reference", "batched", "both", "upstream", "upstream-batched"), default="reference"
    )
    parser.add_argument("--variant", choices=ALL_VARIANTS, default="g3", help="batched design (default g3)")
    parser.add_argument("--pod-interval-ms", type=float, default=1.0, help="virtual time between pods (default 1)")
    parser.add_argument("--max-batch-age-ms", type=float, default=500.0, help="batch expiry (default 500)")
    parser.add_argument("--metrics-out", help="write batching metrics in Prometheus text format to this file")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(run=run)


def placement(decision: Decision, num_nodes: int) -> dict[str, Any]:
    """One placement row of the JSON output; an unplaced pod carries its reason."""
    row: dict[str, Any] = {"pod": decision.pod, "node": decision.node, "path": decision.path}
    if decision.node is None:
        row["reason"] = unplaced_reason(decision, num_nodes)
    return row


def unplaced_reason(decision: Decision, num_nodes: int) -> str:
    """Why a pod stayed pending: its gates, a missing profile, or upstream's FitError summary."""
    message = decision.status.message
    if message.startswith(("waiting for scheduling gates", "profile not found")):
        return message
    return fit_error_message(num_nodes, decision.status, decision.filter_statuses)


def _profiles(args: argparse.Namespace) -> list[Profile]:
    """Every profile of ``--config`` (or the one built-in profile), with signers and gates."""
    first = choose_profile(
        config=args.config, profile=args.profile, signers=args.signers, feature_gates=args.feature_gates
    )
    if args.config is None:
        return [first]
    rest = [p.with_signers(args.signers).with_features(first.features) for p in load_config(args.config)[1:]]
    return [first, *rest]


def run(args: argparse.Namespace) -> int:
    """Schedule and print."""
    if args.pod_interval_ms < 0 or args.max_batch_age_ms < 0:
        raise BatchproofError("--pod-interval-ms and --max-batch-age-ms must not be negative")
    profiles = _profiles(args)
    profile = profiles[0]
    loaded = load_cluster(args.nodes, args.existing_pods, args.objects)
    queue = load_pods(args.pods, nodes=loaded.nodes)
    cluster = Cluster(loaded.nodes, loaded.existing, loaded.objects.merged(queue.objects()))
    snapshot = cluster.snapshot(profile.features)
    num_nodes = len(cluster.nodes)
    ordered = queue_order(queue.pods)  # activeQ order: priority, then arrival
    options = BatchingOptions(args.variant, args.max_batch_age_ms / 1000, args.pod_interval_ms / 1000)
    document: dict[str, Any]
    if args.scheduler in ("upstream", "upstream-batched"):
        from batchproof.properties.cli.schedule_upstream import upstream_document  # noqa: PLC0415

        document = upstream_document(args.scheduler, profiles, cluster, ordered, options)
        print(dumps(document) if args.format == "json" else render_schedule(document))
        return 0
    if args.scheduler == "both":
        lockstep = run_lockstep(Scenario(cluster, tuple(ordered), tuple(profiles), options=options))
        if args.metrics_out:
            Path(args.metrics_out).write_text(lockstep.prometheus)
        document = {
            "reference": {
                "scheduler": "reference",
                "placements": [placement(d, num_nodes) for d in lockstep.reference],
                "metrics": {},
            },
            "batched": {
                "scheduler": "batched",
                "placements": [placement(d, num_nodes) for d in lockstep.batched],
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
    frameworks = {p.scheduler_name: p.build() for p in profiles}
    if args.scheduler == "reference":
        scheduler = ReferenceScheduler(
            frameworks, snapshot, percentage_of_nodes_to_score=profile.percentage_of_nodes_to_score
        )
        decisions = [scheduler.schedule_one(pod) for pod in ordered]
    else:
        clock = VirtualClock()
        scheduler = BatchedScheduler(
            frameworks,
            snapshot,
            clock=clock,
            variant=options.variant,
            max_batch_age=options.max_batch_age,
            percentage_of_nodes_to_score=profile.percentage_of_nodes_to_score,
        )
        decisions = []
        for pod in ordered:
            decisions.append(scheduler.schedule_one(pod))
            clock.advance(options.pod_interval)
        if args.metrics_out:
            Path(args.metrics_out).write_text(scheduler.metrics_registry.prometheus())
    document = {
        "scheduler": scheduler.name,
        "placements": [placement(d, num_nodes) for d in decisions],
        "metrics": scheduler.metrics(),
    }
    print(dumps(document) if args.format == "json" else render_schedule(document))
    return 0
