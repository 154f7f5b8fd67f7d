"""``batchproof eval --engine upstream|both``: the same evaluation on the real upstream plugins."""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import Any

from batchproof.model.errors import BatchproofError
from batchproof.model.framework.evaluate import PluginEvaluation
from batchproof.model.framework.features import FeatureGates
from batchproof.model.manifests.load import read_documents
from batchproof.model.objects import DEFAULT_SCHEDULER_NAME, Pod
from batchproof.properties.upstream.as_model import plugin_evaluation
from batchproof.properties.upstream.compare import compare_plugin
from batchproof.properties.world import Cluster
from batchproof.upstream.client import Oracle
from batchproof.upstream.encode import CONFIG_API_VERSION, feature_gates, pod_document, world_params


def config_for(path: str | None, plugin: str, plugin_args: dict[str, Any], scheduler_name: str) -> dict[str, Any]:
    """The config document to send: the user's file, or the v1 defaults, with the plugin's args.

    Raises:
        BatchproofError: the file holds no KubeSchedulerConfiguration.

    """
    if path:
        documents = [
            d for d in read_documents(path) if isinstance(d, dict) and d.get("kind") == "KubeSchedulerConfiguration"
        ]
        if not documents:
            raise BatchproofError(f"{path}: no KubeSchedulerConfiguration document")
        config = dict(documents[0])
    else:
        config = {"apiVersion": CONFIG_API_VERSION, "kind": "KubeSchedulerConfiguration"}
    profiles = [dict(p) for p in config.get("profiles") or [{"schedulerName": scheduler_name}]]
    for profile in profiles:
        if profile.get("schedulerName", DEFAULT_SCHEDULER_NAME) != scheduler_name or not plugin_args:
            continue
        entries = [e for e in profile.get("pluginConfig") or [] if e.get("name") != plugin]
        profile["pluginConfig"] = [*entries, {"name": plugin, "args": plugin_args}]
    config["profiles"] = profiles
    return config


def evaluate_upstream(
    args: argparse.Namespace,
    *,
    plugin_args: dict[str, Any],
    features: FeatureGates,
    pod: Pod,
    cluster: Cluster,
    scored: list[str] | None,
    model: PluginEvaluation,
) -> tuple[dict[str, Any], list[str]]:
    """Upstream's ``eval`` document for the plugin and the lines where it differs from the model's.

    Raises:
        OracleError: the oracle is missing, died or rejected the input.

    """
    if args.profile_name is not None:
        # Upstream picks the profile by the pod's schedulerName: send the pod to the named one.
        pod = replace(pod, scheduler_name=args.profile_name)
    with Oracle() as oracle:
        params = {
            "config": config_for(args.config, args.plugin, plugin_args, pod.scheduler_name),
            "featureGates": feature_gates(features, oracle.version()["featureGates"]),
            **world_params(cluster.nodes, cluster.existing, cluster.objects),
            "pod": pod_document(pod),
            "scoredNodes": scored,
            "plugins": [args.plugin],
            "skipPreFilter": args.skip_prefilter,
            "skipPreScore": args.skip_prescore,
        }
        result = oracle.request("evaluate", params)
    answers = {a["plugin"]: a for a in result["plugins"]}
    if args.plugin not in answers:
        raise BatchproofError(f"upstream has no plugin {args.plugin!r} in profile {result['profile']!r}")
    answer = answers[args.plugin]
    document = plugin_evaluation(answer).to_json()
    differences = [d.describe() for d in compare_plugin(model, answer, [n.name for n in cluster.nodes])]
    return document, differences
