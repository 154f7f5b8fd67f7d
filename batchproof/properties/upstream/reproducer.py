"""Write a plugin-level disagreement as manifests plus the command that replays it."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import yaml

from batchproof.model.manifests.encode import dump_manifests
from batchproof.model.objects import Pod
from batchproof.model.profiles import Profile
from batchproof.properties.upstream.compare import Disagreement
from batchproof.properties.world import Cluster
from batchproof.upstream.encode import config_document


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:60]


def write_reproducer(root: Path, profile: Profile, cluster: Cluster, pod: Pod, item: Disagreement) -> Path:
    """A directory with pod.yaml, nodes.yaml, existing.yaml, objects.yaml, config.yaml and replay.sh."""
    digest = hashlib.sha256(json.dumps(item.to_json(), sort_keys=True, default=str).encode()).hexdigest()[:8]
    target = root / f"{_slug(item.plugin)}--{_slug(item.aspect)}-{digest}"
    target.mkdir(parents=True, exist_ok=True)
    dump_manifests([pod], target / "pod.yaml")
    dump_manifests(cluster.nodes, target / "nodes.yaml")
    dump_manifests(cluster.existing, target / "existing.yaml")
    objects = cluster.objects
    dump_manifests(
        [*objects.namespaces, *objects.selecting, *objects.claims, *objects.volumes], target / "objects.yaml"
    )
    (target / "config.yaml").write_text(yaml.safe_dump(config_document(profile), sort_keys=False), encoding="utf-8")
    (target / "disagreement.json").write_text(
        json.dumps(item.to_json(), indent=2, default=str) + "\n", encoding="utf-8"
    )
    plugin = item.plugin if item.plugin != "<framework>" else "NodeResourcesFit"
    command = (
        f"batchproof eval --engine both --plugin {plugin} --pod {target}/pod.yaml --nodes {target}/nodes.yaml "
        f"--existing-pods {target}/existing.yaml --objects {target}/objects.yaml --config {target}/config.yaml "
        f"--feature-gates {','.join(f'{k}={str(v).lower()}' for k, v in profile.features.to_json().items())}"
    )
    (target / "replay.sh").write_text(f"#!/bin/sh\n{command}\n", encoding="utf-8")
    return target
