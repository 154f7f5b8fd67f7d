"""Inputs from files: pods, nodes and cluster objects from manifests, and the profile to run them with.

Shared by the CLI commands and by campaign replay, which reads back the manifests a finding wrote.
Warnings (e.g. a bound pod of an unknown node) go to a ``warn`` callback: the caller renders them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from batchproof.model.config import load_config
from batchproof.model.errors import BatchproofError, ConfigError
from batchproof.model.framework.features import FeatureGates
from batchproof.model.framework.interfaces import SignerMode
from batchproof.model.manifests.load import Manifests, load_files
from batchproof.model.objects import Node
from batchproof.model.profiles import Profile, built_in_profile
from batchproof.properties.world import Cluster

NODE_KINDS = ("Node",)
POD_KINDS = ("Pod", "Deployment", "ReplicaSet", "StatefulSet", "Job", "ReplicationController")
OBJECT_KINDS = (
    "Namespace",
    "Service",
    "ReplicaSet",
    "ReplicationController",
    "StatefulSet",
    "PersistentVolumeClaim",
    "PersistentVolume",
)

Warn = Callable[[str], None]


def _ignore(_message: str) -> None:
    """Drop a warning."""


def load_nodes(path: str, *, allow_empty: bool = False) -> tuple[Node, ...]:
    """Nodes from a file with unique names; at least one unless ``allow_empty``.

    Raises:
        BatchproofError: the file holds no Node, a nameless one or two of one name.

    """
    nodes = load_files([path], allowed=NODE_KINDS).nodes
    if not nodes and not allow_empty:
        raise BatchproofError(f"{path}: no Node found")
    seen: set[str] = set()
    for node in nodes:
        if not node.name:
            raise BatchproofError(f"{path}: a Node has no metadata.name")
        if node.name in seen:
            raise BatchproofError(f"{path}: node {node.name!r} is defined twice")
        seen.add(node.name)
    return tuple(nodes)


def load_pods(paths: Sequence[str]) -> Manifests:
    """Pods (and workloads expanded into pods) from files, in file order."""
    return load_files(paths, allowed=POD_KINDS)


def load_cluster(
    nodes_path: str,
    existing_paths: Sequence[str],
    object_paths: Sequence[str],
    *,
    allow_no_nodes: bool = False,
    warn: Warn = _ignore,
) -> Cluster:
    """Nodes, bound pods (pods of unknown nodes are ignored, with a warning) and cluster objects."""
    nodes = load_nodes(nodes_path, allow_empty=allow_no_nodes)
    names = {node.name for node in nodes}
    existing = load_pods(existing_paths) if existing_paths else Manifests()
    for pod in existing.pods:
        if pod.node_name and pod.node_name not in names:
            # The scheduler's snapshot ignores pods of nodes it does not know; say so.
            warn(f"existing pod {pod.key} is bound to unknown node {pod.node_name!r}; ignored")
    objects = load_files(object_paths, allowed=OBJECT_KINDS) if object_paths else Manifests()
    merged = objects.objects().merged(existing.objects())
    return Cluster(nodes, tuple(p for p in existing.pods if p.node_name), merged)


def choose_profile(
    *,
    config: str | None,
    profile: str | None,
    signers: SignerMode,
    feature_gates: str | None,
    default: str = "batching",
) -> Profile:
    """The profile from ``--config`` (its first profile) or ``--profile``, with signers and gates.

    Raises:
        ConfigError: both are given, or the configuration file is unusable.

    """
    if config is not None and profile is not None:
        raise ConfigError("--config and --profile are mutually exclusive")
    chosen = load_config(config)[0] if config is not None else built_in_profile(profile or default)
    features = FeatureGates.parse(feature_gates or "")
    return chosen.with_signers(signers).with_features(features)
