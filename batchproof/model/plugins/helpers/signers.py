"""Shared signers and signer key names (staging k8s.io/kube-scheduler/framework/signers.go).

Each ``*_fragment`` returns the fragment value in the given signer mode: ``upstream`` is what
Kubernetes signs today (gaps included, spec §10.6); ``strict`` signs everything the plugins read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from batchproof.model.cluster.node_info import pod_host_ports
from batchproof.model.framework.interfaces import SignerMode
from batchproof.model.manifests.reader import thaw_json
from batchproof.model.objects import NodeSelectorRequirement, NodeSelectorTerm, Pod, Toleration

DYNAMIC_RESOURCES_SIGNER = "v1.Pod.Spec.DynamicResources"
IMAGE_NAMES_SIGNER = "v1.Pod.Spec.CanonicalImageNames()"
LABELS_SIGNER = "v1.Pod.Labels"
NODE_NAME_SIGNER = "v1.Pod.Spec.NodeName"
NODE_AFFINITY_SIGNER = "v1.Pod.Spec.Affinity.NodeAffinity"
NODE_SELECTOR_SIGNER = "v1.Pod.Spec.Affinity.NodeSelector"
HOST_PORTS_SIGNER = "v1.Pod.Spec.HostPorts()"
RESOURCES_SIGNER = "v1.Pod.Spec.ContainerRequestsAndOverheads()"
SCHEDULER_NAME_SIGNER = "v1.Pod.Spec.SchedulerName"
TOLERATIONS_SIGNER = "v1.Pod.Spec.Tolerations"
VOLUMES_SIGNER = "v1.Pod.Spec.Volumes.NonSyntheticSources()"
FEATURES_SIGNER = "v1.Pod.Spec.RequiredFeatures()"
# strict-mode keys for fields upstream leaves unsigned
NAMESPACE_SIGNER = "v1.Pod.Namespace"


def _json_default(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces (Go's map encoding is sorted too).

    Raises:
        ValueError: NaN or infinity (Go's json.Marshal fails on them too).
        TypeError: a value JSON cannot encode.

    """
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_json_default
    )


_GO_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def go_json(value: Any) -> str:
    """``json.Marshal`` of a Go struct, as signers.go builds its strings.

    Fields in declaration order (the dict's insertion order), no spaces, and Go's HTML-safe
    escaping of ``<``, ``>``, ``&``, U+2028 and U+2029.

    Raises:
        ValueError: NaN or infinity.
        TypeError: a value JSON cannot encode.

    """
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_json_default)
    return "".join(_GO_HTML_ESCAPES.get(char, char) for char in text)


def host_ports_fragment(pod: Pod, mode: SignerMode) -> list[Any]:
    """The host ports fragment in the given signer mode.

    Upstream: sorted unique host port numbers of every container and init container; strict:
    sorted unique (hostIP, protocol, port) of the ports Filter checks (sidecars and app
    containers, util.GetHostPorts).
    """
    if mode == "upstream":
        return sorted({p.port for p in pod_host_ports(pod, all_init_containers=True)})
    return [list(t) for t in sorted({(p.ip, p.protocol, p.port) for p in pod_host_ports(pod)})]


def _toleration_json(toleration: Toleration) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if toleration.key:
        body["key"] = toleration.key
    if toleration.operator:
        body["operator"] = toleration.operator
    if toleration.value:
        body["value"] = toleration.value
    if toleration.effect:
        body["effect"] = toleration.effect
    if toleration.toleration_seconds is not None:
        body["tolerationSeconds"] = toleration.toleration_seconds
    return body


def tolerations_fragment(pod: Pod, mode: SignerMode) -> list[dict[str, Any]]:
    """The tolerations fragment in the given signer mode.

    Upstream: tolerations sorted by (key, value) only, a stable sort of the input order
    (upstream's sort is not total, so reordered equal-keyed tolerations can sign differently);
    strict: a total order over every field, so the value depends only on the set.
    """
    if mode == "upstream":
        ordered = sorted(pod.tolerations, key=lambda t: (t.key, t.value))
    else:
        ordered = sorted(set(pod.tolerations), key=lambda t: canonical_json(_toleration_json(t)))
    return [_toleration_json(t) for t in ordered]


def _requirement_json(requirement: NodeSelectorRequirement) -> str:
    # v1.NodeSelectorRequirement field order: key, operator, values (omitempty)
    body: dict[str, Any] = {"key": requirement.key, "operator": requirement.operator}
    if requirement.values:
        body["values"] = sorted(requirement.values)
    return go_json(body)


def _term_json(term: NodeSelectorTerm) -> dict[str, Any]:
    # nodeSelTermSignResult{MatchExpressions, MatchFields} (kube-scheduler framework/signers.go)
    return {
        "MatchExpressions": sorted(_requirement_json(r) for r in term.match_expressions),
        "MatchFields": sorted(_requirement_json(r) for r in term.match_fields),
    }


def node_affinity_fragment(pod: Pod) -> dict[str, Any] | None:
    """NodeAffinitySigner: None without nodeAffinity, else canonical required and preferred terms.

    Each term is Go's ``json.Marshal`` of the signer's result struct, so a preferred term reads
    ``{"Weight":..,"Preference":..}`` in that field order (prefSchedTermSignResult, signers.go).
    """
    affinity = pod.affinity.node_affinity if pod.affinity else None
    if affinity is None:
        return None
    required = sorted(go_json(_term_json(t)) for t in affinity.required or ())
    preferred = sorted(
        go_json({"Weight": p.weight, "Preference": _term_json(p.preference)}) for p in affinity.preferred
    )
    return {"Required": required, "Preferred": preferred}


def node_selector_fragment(pod: Pod) -> dict[str, str] | None:
    """spec.nodeSelector as a map; None when empty.

    Upstream signs ``pod.Spec.NodeSelector``, a Go map: nil marshals as ``null``, and the API server
    drops an empty ``omitempty`` map, so an empty selector is nil (nodeaffinity/node_affinity.go
    SignPod).
    """
    return dict(pod.node_selector) or None


def labels_fragment(pod: Pod) -> dict[str, str] | None:
    """metadata.labels as a map; None when empty (a nil Go map, as for the node selector)."""
    return dict(pod.labels) or None


def volumes_fragment(pod: Pod) -> list[str]:
    """VolumesSigner: JSON of each non-ConfigMap/Secret volume *source* (names dropped), sorted."""
    return sorted(
        canonical_json({volume.source_type: thaw_json(volume.source)})
        for volume in pod.volumes
        if volume.source_type not in ("configMap", "secret")
    )
