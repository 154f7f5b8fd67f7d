"""``batchproof schedule``: place a queue of pods with the reference or batched scheduler."""

from __future__ import annotations

import argparse
from typing import Any

from batchproof.model.framework.interfaces import SIGNER_MODES
from batchproof.model.profiles import BUILT_IN_PROFILES
from batchproof.model.scheduling import Decision
from batchproof.properties.cli.inputs import choose_profile, load_cluster, load_pods
from batchproof.properties.cli.render import dumps, render_schedule
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
    parser.add_argument("--scheduler", choices=("reference",), default="reference")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(run=run)


def placement(decision: Decision) -> dict[str, Any]:
    """One placement row of the JSON output."""
    return {"pod": decision.pod, "node": decision.node, "path": decision.path}


def run(args: argparse.Namespace) -> int:
    """Schedule and print."""
    profile = choose_profile(
        config=args.config, profile=args.profile, signers=args.signers, feature_gates=args.feature_gates
    )
    cluster = load_cluster(args.nodes, args.existing_pods, args.objects)
    queue = load_pods(args.pods)
    objects = cluster.objects.merged(queue.objects())
    snapshot = cluster.snapshot(profile.features)
    snapshot.objects = objects
    scheduler = ReferenceScheduler(
        profile.build(), snapshot, percentage_of_nodes_to_score=profile.percentage_of_nodes_to_score
    )
    decisions = [scheduler.schedule_one(pod) for pod in queue.pods]
    document = {
        "scheduler": scheduler.name,
        "placements": [placement(d) for d in decisions],
        "metrics": scheduler.metrics(),
    }
    print(dumps(document) if args.format == "json" else render_schedule(document))
    return 0
