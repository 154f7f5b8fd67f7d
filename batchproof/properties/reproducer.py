"""Write a scenario as manifests a person can read and replay with the ``batchproof`` CLI.

A reproducer directory holds ``nodes.yaml``, ``pods.yaml`` (the queue, in order),
``existing.yaml`` (pods already bound), ``objects.yaml`` (Namespaces, Services, controllers),
``config.yaml`` (the profile as a KubeSchedulerConfiguration) and ``scenario.json`` (signer
mode, variant, timing and the event stream, which the manifests cannot express).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from batchproof.model.manifests.encode import ModelObject, dump_manifests, encode_node
from batchproof.model.profiles import Profile
from batchproof.properties.events import describe_event
from batchproof.properties.lockstep import Scenario

CONFIG_API = "kubescheduler.config.k8s.io/v1"


@dataclass(frozen=True, slots=True)
class Reproducer:
    """Where a scenario was written and the command that replays it."""

    directory: Path
    command: str

    def to_json(self) -> dict[str, Any]:
        """Plain data for reports."""
        return {"directory": str(self.directory), "command": self.command}


def profile_config(profiles: tuple[Profile, ...]) -> dict[str, Any]:
    """The profiles as a KubeSchedulerConfiguration document (loads back with model.config)."""
    documents = []
    for profile in profiles:
        plugins: dict[str, Any] = {
            "multiPoint": {
                "disabled": [{"name": "*"}],
                "enabled": [
                    {"name": s.name, **({"weight": s.weight} if s.weight else {})} for s in profile.multi_point
                ],
            }
        }
        for point, names in profile.disabled.items():
            plugins.setdefault(point, {})["disabled"] = [{"name": n} for n in sorted(names)]
        for point, specs in profile.enabled.items():
            enabled = [{"name": s.name, **({"weight": s.weight} if s.weight else {})} for s in specs]
            plugins.setdefault(point, {})["enabled"] = enabled
        entry: dict[str, Any] = {"schedulerName": profile.scheduler_name, "plugins": plugins}
        if profile.plugin_args:
            entry["pluginConfig"] = [{"name": n, "args": dict(a)} for n, a in profile.plugin_args.items()]
        if profile.percentage_of_nodes_to_score is not None:
            entry["percentageOfNodesToScore"] = profile.percentage_of_nodes_to_score
        documents.append(entry)
    return {"apiVersion": CONFIG_API, "kind": "KubeSchedulerConfiguration", "profiles": documents}


def write_reproducer(scenario: Scenario, directory: str | Path) -> Reproducer:
    """Write ``scenario`` under ``directory`` and return the replay command."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    cluster = scenario.cluster
    dump_manifests(cluster.nodes, out / "nodes.yaml")
    dump_manifests(scenario.pods, out / "pods.yaml")
    dump_manifests(cluster.existing, out / "existing.yaml")
    objects: tuple[ModelObject, ...] = (
        *cluster.objects.namespaces,
        *cluster.objects.selecting,
        *cluster.objects.claims,
        *cluster.objects.volumes,
    )
    dump_manifests(objects, out / "objects.yaml")
    (out / "config.yaml").write_text(yaml.safe_dump(profile_config(scenario.profiles), sort_keys=False))
    first = scenario.profiles[0]
    options = scenario.options
    meta = {
        "signers": first.signers,
        "variant": options.variant,
        "max_batch_age_ms": options.max_batch_age * 1000,
        "pod_interval_ms": options.pod_interval * 1000,
        "events": [{"before_pod": i, "event": describe_event(e), "node": _event_node(e)} for i, e in scenario.events],
    }
    (out / "scenario.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    parts = [
        "batchproof schedule",
        f"--nodes {out / 'nodes.yaml'}",
        f"--pods {out / 'pods.yaml'}",
        f"--existing-pods {out / 'existing.yaml'}" if cluster.existing else "",
        f"--objects {out / 'objects.yaml'}" if objects else "",
        f"--config {out / 'config.yaml'}",
        f"--signers {first.signers}",
        "--scheduler both",
        f"--variant {options.variant}",
        f"--pod-interval-ms {options.pod_interval * 1000:g}",
        f"--max-batch-age-ms {options.max_batch_age * 1000:g}",
    ]
    return Reproducer(out, " ".join(p for p in parts if p))


def _event_node(event: Any) -> Any:
    node = getattr(event, "node", None)
    return encode_node(node) if node is not None else None
