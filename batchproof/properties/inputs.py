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
POD_KINDS = ("Pod", "Deployment", "ReplicaSet", "StatefulSet", "Job", "ReplicationController", "DaemonSet")
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


def load_pods(paths: Sequence[str], *, nodes: Sequence[Node] | None = None) -> Manifests:
    """Pods (and workloads expanded into pods) from files, in file order; DaemonSets run on ``nodes``."""
    return load_files(paths, allowed=POD_KINDS, nodes=nodes)


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
    existing = load_pods(existing_paths, nodes=nodes) if existing_paths else Manifests()
    for pod in existing.pods:
        if pod.node_name and pod.node_name not in names:
            # The scheduler's snapshot ignores pods of nodes it does not know; say so.
            warn(f"existing pod {pod.key} is bound to unknown node {pod.node_name!r}; ignored")
    objects = load_files(object_paths, allowed=OBJECT_KINDS, nodes=nodes) if object_paths else Manifests()
    merged = objects.objects().merged(existing.objects())
    return Cluster(nodes, tuple(p for p in existing.pods if p.node_name), merged)


def named_profile(profiles: Sequence[Profile], name: str | None, *, source: str) -> Profile:
    """The profile whose ``schedulerName`` is ``name`` (the first one when ``name`` is None).

    Raises:
        ConfigError: no profile of ``source`` has that name; the message lists the ones it has.

    """
    if name is None:
        return profiles[0]
    for profile in profiles:
        if profile.scheduler_name == name:
            return profile
    names = ", ".join(repr(p.scheduler_name) for p in profiles)
    raise ConfigError(f"--profile-name {name!r}: {source} has no such profile; its profiles: {names}")


def choose_profile(
    *,
    config: str | None,
    profile: str | None,
    signers: SignerMode,
    feature_gates: str | None,
    default: str = "batching",
    profile_name: str | None = None,
    out_of_tree: tuple[str, ...] = (),
) -> Profile:
    """The profile from ``--config`` (``profile_name``, else its first profile) or ``--profile``.

    Signers and feature gates are applied to the chosen profile.

    Raises:
        ConfigError: both are given, ``profile_name`` names no profile of the source, or the
            configuration file is unusable.

    """
    if config is not None and profile is not None:
        raise ConfigError("--config and --profile are mutually exclusive")
    if config is not None:
        chosen = named_profile(load_config(config, out_of_tree=out_of_tree), profile_name, source=config)
    else:
        name = profile or default
        chosen = named_profile([built_in_profile(name)], profile_name, source=f"built-in profile {name!r}")
    features = FeatureGates.parse(feature_gates or "")
    return chosen.with_signers(signers).with_features(features)
