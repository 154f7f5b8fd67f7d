"""``batchproof eval``: one plugin's PreFilter, Filter, PreScore, Score, NormalizeScore and SignPod."""

from __future__ import annotations

import argparse
from typing import Any

from batchproof.model.config import load_config
from batchproof.model.errors import BatchproofError
from batchproof.model.framework.evaluate import evaluate_plugin
from batchproof.model.framework.features import FeatureGates
from batchproof.model.framework.interfaces import SIGNER_MODES, PluginContext
from batchproof.model.plugins.registry import DEFAULT_REGISTRY
from batchproof.properties.cli.inputs import load_cluster, load_pods, parse_args_json
from batchproof.properties.cli.render import dumps, render_eval
from batchproof.properties.inputs import named_profile


def add_parser(sub: Any) -> None:
    """Register the ``eval`` subcommand."""
    parser = sub.add_parser("eval", help="evaluate one plugin on a pod and nodes", description=__doc__)
    parser.add_argument("--plugin", required=True, help="plugin name, e.g. NodeResourcesFit")
    parser.add_argument("--config", help="KubeSchedulerConfiguration whose pluginConfig supplies the args")
    parser.add_argument(
        "--profile-name", metavar="NAME", help="the --config profile of this schedulerName (default: the first)"
    )
    parser.add_argument("--args", help="plugin args as a JSON object (overrides --config)")
    parser.add_argument("--pod", required=True, help="manifest with the pod (the first one, or --pod-index)")
    parser.add_argument("--pod-index", type=int, default=0, metavar="N", help="which pod of --pod (0-based; default 0)")
    parser.add_argument("--nodes", required=True, help="manifest with the nodes")
    parser.add_argument("--existing-pods", action="append", default=[], help="pods already bound (spec.nodeName)")
    parser.add_argument("--objects", action="append", default=[], help="Namespaces, Services, controllers, PVCs, PVs")
    parser.add_argument("--scored-nodes", help="comma-separated nodes PreScore/Score run on (default: all)")
    parser.add_argument("--signers", choices=SIGNER_MODES, default="upstream")
    parser.add_argument("--feature-gates", default="", help="e.g. PodLevelResources=true,SidecarContainers=false")
    parser.add_argument("--skip-prefilter", action="store_true", help="call Filter on an empty CycleState")
    parser.add_argument("--skip-prescore", action="store_true", help="call Score on an empty CycleState")
    parser.add_argument(
        "--engine",
        choices=("model", "upstream", "both"),
        default="model",
        help="the Python model, the real upstream code (the oracle), or both with their differences",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Evaluate and print."""
    features = FeatureGates.parse(args.feature_gates)
    plugin_args: dict[str, Any] = {}
    if args.profile_name is not None and not args.config:
        raise BatchproofError("--profile-name needs --config: it names one of the configuration's profiles")
    if args.config:
        profile = named_profile(load_config(args.config), args.profile_name, source=args.config)
        plugin_args.update(profile.plugin_args.get(args.plugin, {}))
    plugin_args.update(parse_args_json(args.args) or {})
    plugin = DEFAULT_REGISTRY.create(args.plugin, plugin_args, PluginContext(features=features, signers=args.signers))
    cluster = load_cluster(args.nodes, args.existing_pods, args.objects, allow_no_nodes=True)
    loaded = load_pods([args.pod], nodes=cluster.nodes).pods
    if not 0 <= args.pod_index < len(loaded):
        raise BatchproofError(f"{args.pod}: --pod-index {args.pod_index}: the file holds {len(loaded)} pod(s)")
    pods = [loaded[args.pod_index]]
    scored = None
    if args.scored_nodes is not None:
        scored = [name.strip() for name in args.scored_nodes.split(",") if name.strip()]
        unknown = sorted(set(scored) - {node.name for node in cluster.nodes})
        if unknown:
            raise BatchproofError(f"--scored-nodes: unknown node(s) {', '.join(unknown)}")
    evaluation = evaluate_plugin(
        plugin,
        pods[0],
        cluster.snapshot(features),
        scored_nodes=scored,
        skip_pre_filter=args.skip_prefilter,
        skip_pre_score=args.skip_prescore,
    )
    document = evaluation.to_json()
    if args.engine != "model":
        from batchproof.properties.cli.eval_upstream import evaluate_upstream  # noqa: PLC0415 (only with --engine)

        upstream, differences = evaluate_upstream(
            args,
            plugin_args=plugin_args,
            features=features,
            pod=pods[0],
            cluster=cluster,
            scored=scored,
            model=evaluation,
        )
        if args.engine == "upstream":
            document = upstream
        else:
            document = {**document, "upstream": upstream, "differences": differences}
    print(dumps(document) if args.format == "json" else render_eval(document))
    if args.engine == "both" and args.format != "json":
        for line in document["differences"] or ["model and upstream agree"]:
            print(line)
    return 0
