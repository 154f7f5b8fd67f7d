"""Model values as oracle parameters: profiles as KubeSchedulerConfiguration v1, clusters as API JSON."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from batchproof.model.framework.features import FeatureGates
from batchproof.model.manifests.encode import ModelObject, encode_node, encode_object, encode_pod
from batchproof.model.manifests.load import ClusterObjects
from batchproof.model.objects import Namespace, Node, Pod
from batchproof.model.profiles import POINTS, PluginSpec, Profile
from batchproof.upstream.protocol import OracleError

CONFIG_API_VERSION = "kubescheduler.config.k8s.io/v1"


def _plugin(spec: PluginSpec) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": spec.name}
    if spec.weight:
        entry["weight"] = spec.weight
    return entry


def profile_document(profile: Profile) -> dict[str, Any]:
    """One ``profiles`` entry that enables exactly the profile's plugins, weights and args.

    MultiPoint starts from ``disabled: [*]`` so upstream's defaults never add a plugin the model
    profile lacks; the comparison of upstream's default set with the model's is a separate test.
    """
    plugins: dict[str, Any] = {
        "multiPoint": {"enabled": [_plugin(s) for s in profile.multi_point], "disabled": [{"name": "*"}]}
    }
    for point in POINTS:
        section: dict[str, Any] = {}
        if point in profile.enabled:
            section["enabled"] = [_plugin(s) for s in profile.enabled[point]]
        if point in profile.disabled:
            section["disabled"] = [{"name": name} for name in sorted(profile.disabled[point])]
        if section:
            plugins[point] = section
    document: dict[str, Any] = {"schedulerName": profile.scheduler_name, "plugins": plugins}
    if profile.plugin_args:
        document["pluginConfig"] = [{"name": name, "args": dict(args)} for name, args in profile.plugin_args.items()]
    if profile.percentage_of_nodes_to_score is not None:
        document["percentageOfNodesToScore"] = profile.percentage_of_nodes_to_score
    return document


def config_document(*profiles: Profile) -> dict[str, Any]:
    """A KubeSchedulerConfiguration holding the profiles."""
    return {
        "apiVersion": CONFIG_API_VERSION,
        "kind": "KubeSchedulerConfiguration",
        "profiles": [profile_document(p) for p in profiles],
    }


def feature_gates(features: FeatureGates, known: Mapping[str, bool] | None = None) -> dict[str, bool]:
    """The model's gates under their upstream names, limited to the gates the release ``known`` has.

    A gate the release has removed (it graduated, like SidecarContainers) is always on there, so
    the model's value must be on too.

    Raises:
        OracleError: the model turns off a gate the release no longer has.

    """
    gates = features.to_json()
    if known is None:
        return gates
    removed_off = sorted(name for name, value in gates.items() if name not in known and not value)
    if removed_off:
        raise OracleError(
            f"feature gate(s) {', '.join(removed_off)} cannot be turned off on the upstream release: "
            "they graduated and were removed"
        )
    return {name: value for name, value in gates.items() if name in known}


def objects_documents(objects: ClusterObjects) -> list[dict[str, Any]]:
    """Every cluster object a scheduler plugin consults, as API JSON.

    PriorityClasses are not sent: admission reads them, no scheduler plugin does.
    """
    everything: list[ModelObject] = [*objects.namespaces, *objects.selecting, *objects.claims, *objects.volumes]
    documents = []
    for obj in everything:
        document = encode_object(obj)
        namespace = getattr(obj, "namespace", None)
        if isinstance(namespace, str) and not isinstance(obj, Namespace):
            document.setdefault("metadata", {}).setdefault("namespace", namespace)
        documents.append(document)
    return documents


def pod_document(pod: Pod) -> dict[str, Any]:
    """A pod as the API server would hold it: the manifest with its namespace always written.

    Manifests leave ``default`` implicit (kubectl fills it in from the request); the oracle gets
    objects as stored, so an empty namespace there would put the pod in namespace "".
    """
    document = encode_pod(pod)
    document.setdefault("metadata", {}).setdefault("namespace", pod.namespace)
    return document


def world_params(nodes: tuple[Node, ...], existing: tuple[Pod, ...], objects: ClusterObjects) -> dict[str, Any]:
    """The ``nodes``, ``pods`` and ``objects`` parameters of evaluate and schedule."""
    return {
        "nodes": [encode_node(n) for n in nodes],
        "pods": [pod_document(p) for p in existing],
        "objects": objects_documents(objects),
    }
