"""Encode the frozen objects of ``model.objects`` back into Kubernetes API JSON (inverse of decode).

Every encoder returns a full manifest document (apiVersion, kind, metadata, ...) that omits
fields at their defaults, so the output reads like a hand-written manifest, and that decodes
back to an equal object: ``decode(encode(x)) == x``. Absent and empty stay distinct where the
decoder keeps them apart (``NodeAffinity.required`` None vs (), a None vs empty LabelSelector,
``Pod.resources`` None vs empty, node allocatable vs capacity, an explicit ``namespace: ""``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from batchproof.model.errors import BatchproofError
from batchproof.model.manifests.reader import thaw_json
from batchproof.model.objects import (
    DEFAULT_NAMESPACE,
    DEFAULT_SCHEDULER_NAME,
    Affinity,
    Container,
    ContainerImage,
    ContainerPort,
    LabelSelector,
    LabelSelectorRequirement,
    Namespace,
    Node,
    NodeAffinity,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    OwnerReference,
    PersistentVolume,
    PersistentVolumeClaim,
    Pod,
    PodAffinity,
    PodAffinityTerm,
    PodResourceClaim,
    Selecting,
    Taint,
    Toleration,
    TopologySpreadConstraint,
    Volume,
)
from batchproof.model.quantity import format_quantity

Document = dict[str, Any]
ModelObject = Pod | Node | Namespace | Selecting | PersistentVolumeClaim | PersistentVolume

_REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"
_PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution"
_BINARY_SUFFIXES = (("Ei", 2**60), ("Pi", 2**50), ("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10))
_SELECTING_API = {"Service": "v1", "ReplicationController": "v1", "ReplicaSet": "apps/v1", "StatefulSet": "apps/v1"}


class EncodeError(BatchproofError):
    """An object cannot be written as a manifest that decodes back to it."""


def quantity(resource: str, amount: int) -> str:
    """Render scheduler units as a quantity: ``1500m`` cpu, ``256Mi`` memory, ``3`` otherwise.

    Byte-sized resources (memory, ephemeral-storage, hugepages-*) that are exact binary
    multiples use the largest Ki..Ei suffix, as people write them; everything else goes through
    :func:`batchproof.model.quantity.format_quantity`.
    """
    if amount > 0 and (resource in ("memory", "ephemeral-storage") or resource.startswith("hugepages-")):
        for suffix, size in _BINARY_SUFFIXES:
            if amount % size == 0:
                return f"{amount // size}{suffix}"
    return format_quantity(resource, amount)


def resource_list(resources: Mapping[str, int]) -> dict[str, str]:
    """Encode a ResourceList: resource names to quantity strings."""
    return {name: quantity(name, amount) for name, amount in resources.items()}


def _metadata(name: str, namespace: str | None, **fields: Any) -> Document:
    """Build metadata with ``name``, ``namespace`` (None: cluster-scoped) and the non-empty extras."""
    meta: Document = {"name": name}
    if namespace is not None and namespace != DEFAULT_NAMESPACE:
        meta["namespace"] = namespace  # "" stays explicit: the decoder defaults a missing one
    meta.update({key: value for key, value in fields.items() if value})
    return meta


def label_selector(selector: LabelSelector) -> Document:
    """Encode a metav1.LabelSelector (the empty selector is ``{}``)."""
    out: Document = {}
    if selector.match_labels:
        out["matchLabels"] = dict(selector.match_labels)
    if selector.match_expressions:
        out["matchExpressions"] = [_requirement(r) for r in selector.match_expressions]
    return out


def _requirement(requirement: LabelSelectorRequirement | NodeSelectorRequirement) -> Document:
    out: Document = {"key": requirement.key, "operator": requirement.operator}
    if requirement.values:
        out["values"] = list(requirement.values)
    return out


def node_selector_term(term: NodeSelectorTerm) -> Document:
    """Encode a NodeSelectorTerm."""
    out: Document = {}
    if term.match_expressions:
        out["matchExpressions"] = [_requirement(r) for r in term.match_expressions]
    if term.match_fields:
        out["matchFields"] = [_requirement(r) for r in term.match_fields]
    return out


def node_affinity(affinity: NodeAffinity) -> Document:
    """Encode spec.affinity.nodeAffinity; a required of () stays ``nodeSelectorTerms: []``."""
    out: Document = {}
    if affinity.required is not None:
        out[_REQUIRED] = {"nodeSelectorTerms": [node_selector_term(t) for t in affinity.required]}
    if affinity.preferred:
        out[_PREFERRED] = [
            {"weight": p.weight, "preference": node_selector_term(p.preference)} for p in affinity.preferred
        ]
    return out


def pod_affinity_term(term: PodAffinityTerm) -> Document:
    """Encode a PodAffinityTerm."""
    out: Document = {}
    if term.label_selector is not None:
        out["labelSelector"] = label_selector(term.label_selector)
    if term.namespaces:
        out["namespaces"] = list(term.namespaces)
    out["topologyKey"] = term.topology_key
    if term.namespace_selector is not None:
        out["namespaceSelector"] = label_selector(term.namespace_selector)
    if term.match_label_keys:
        out["matchLabelKeys"] = list(term.match_label_keys)
    if term.mismatch_label_keys:
        out["mismatchLabelKeys"] = list(term.mismatch_label_keys)
    return out


def pod_affinity(affinity: PodAffinity) -> Document:
    """Encode spec.affinity.podAffinity or podAntiAffinity."""
    out: Document = {}
    if affinity.required:
        out[_REQUIRED] = [pod_affinity_term(t) for t in affinity.required]
    if affinity.preferred:
        out[_PREFERRED] = [
            {"weight": w.weight, "podAffinityTerm": pod_affinity_term(w.term)} for w in affinity.preferred
        ]
    return out


def affinity(value: Affinity) -> Document:
    """Encode spec.affinity."""
    out: Document = {}
    if value.node_affinity is not None:
        out["nodeAffinity"] = node_affinity(value.node_affinity)
    if value.pod_affinity is not None:
        out["podAffinity"] = pod_affinity(value.pod_affinity)
    if value.pod_anti_affinity is not None:
        out["podAntiAffinity"] = pod_affinity(value.pod_anti_affinity)
    return out


def toleration(value: Toleration) -> Document:
    """Encode a Toleration."""
    out: Document = {}
    for key, field in (("key", value.key), ("operator", value.operator), ("value", value.value)):
        if field:
            out[key] = field
    if value.effect:
        out["effect"] = value.effect
    if value.toleration_seconds is not None:
        out["tolerationSeconds"] = value.toleration_seconds
    return out


def taint(value: Taint) -> Document:
    """Encode a node Taint."""
    out: Document = {"key": value.key}
    if value.value:
        out["value"] = value.value
    if value.effect:
        out["effect"] = value.effect
    return out


def spread_constraint(value: TopologySpreadConstraint) -> Document:
    """Encode a TopologySpreadConstraint."""
    out: Document = {
        "maxSkew": value.max_skew,
        "topologyKey": value.topology_key,
        "whenUnsatisfiable": value.when_unsatisfiable,
    }
    if value.label_selector is not None:
        out["labelSelector"] = label_selector(value.label_selector)
    if value.min_domains is not None:
        out["minDomains"] = value.min_domains
    if value.node_affinity_policy is not None:
        out["nodeAffinityPolicy"] = value.node_affinity_policy
    if value.node_taints_policy is not None:
        out["nodeTaintsPolicy"] = value.node_taints_policy
    if value.match_label_keys:
        out["matchLabelKeys"] = list(value.match_label_keys)
    return out


def _port(port: ContainerPort) -> Document:
    out: Document = {}
    if port.name:
        out["name"] = port.name
    out["containerPort"] = port.container_port
    if port.host_port:
        out["hostPort"] = port.host_port
    if port.protocol != "TCP":
        out["protocol"] = port.protocol
    if port.host_ip:
        out["hostIP"] = port.host_ip
    return out


def _resources(value: Container) -> Document:
    out: Document = {}
    if value.requests:
        out["requests"] = resource_list(value.requests)
    if value.limits:
        out["limits"] = resource_list(value.limits)
    return out


def container(value: Container) -> Document:
    """Encode a Container (app, init or sidecar)."""
    out: Document = {}
    for key, field in (("name", value.name), ("image", value.image), ("imagePullPolicy", value.image_pull_policy)):
        if field:
            out[key] = field
    if value.restart_policy:
        out["restartPolicy"] = value.restart_policy
    if value.ports:
        out["ports"] = [_port(p) for p in value.ports]
    resources = _resources(value)
    if resources:
        out["resources"] = resources
    return out


def volume(value: Volume) -> Document:
    """Encode a Volume: its name and its single source."""
    return {"name": value.name, value.source_type: thaw_json(value.source)}


def _resource_claim(claim: PodResourceClaim) -> Document:
    out: Document = {"name": claim.name}
    if claim.resource_claim_name is not None:
        out["resourceClaimName"] = claim.resource_claim_name
    if claim.resource_claim_template_name is not None:
        out["resourceClaimTemplateName"] = claim.resource_claim_template_name
    return out


def owner_reference(owner: OwnerReference) -> Document:
    """Encode metadata.ownerReferences[]."""
    out: Document = {"apiVersion": owner.api_version, "kind": owner.kind, "name": owner.name}
    if owner.uid:
        out["uid"] = owner.uid
    if owner.controller:
        out["controller"] = True
    return out


def pod_spec(pod: Pod) -> Document:
    """Encode a Pod spec (containers always present, everything else only when set)."""
    spec: Document = {}
    optional: tuple[tuple[str, Any], ...] = (
        ("schedulerName", pod.scheduler_name if pod.scheduler_name != DEFAULT_SCHEDULER_NAME else None),
        ("nodeName", pod.node_name or None),
        ("priorityClassName", pod.priority_class_name or None),
        ("priority", pod.priority),
        ("preemptionPolicy", pod.preemption_policy),
        ("runtimeClassName", pod.runtime_class_name),
        ("hostNetwork", True if pod.host_network else None),
        ("os", {"name": pod.os} if pod.os is not None else None),
        ("schedulingGates", [{"name": g} for g in pod.scheduling_gates] or None),
        ("nodeSelector", dict(pod.node_selector) or None),
        ("affinity", affinity(pod.affinity) if pod.affinity is not None else None),
        ("tolerations", [toleration(t) for t in pod.tolerations] or None),
        ("topologySpreadConstraints", [spread_constraint(c) for c in pod.topology_spread_constraints] or None),
        ("initContainers", [container(c) for c in pod.init_containers] or None),
        ("containers", [container(c) for c in pod.containers]),
        ("resources", _resources(pod.resources) if pod.resources is not None else None),
        ("overhead", resource_list(pod.overhead) or None),
        ("volumes", [volume(v) for v in pod.volumes] or None),
        ("resourceClaims", [_resource_claim(c) for c in pod.resource_claims] or None),
    )
    for key, value in optional:
        if value is not None:
            spec[key] = value
    return spec


def encode_pod(pod: Pod) -> Document:
    """Encode a v1 Pod manifest (metadata, spec and, when nominated, status.nominatedNodeName)."""
    meta = _metadata(
        pod.name,
        pod.namespace,
        uid=pod.uid,
        labels=dict(pod.labels),
        annotations=dict(pod.annotations),
        ownerReferences=[owner_reference(o) for o in pod.owner_references],
    )
    if pod.deletion_timestamp is not None:
        meta["deletionTimestamp"] = pod.deletion_timestamp
    out: Document = {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": pod_spec(pod)}
    if pod.nominated_node_name:
        out["status"] = {"nominatedNodeName": pod.nominated_node_name}
    return out


def _image(image: ContainerImage) -> Document:
    out: Document = {"names": list(image.names)}
    if image.size_bytes:
        out["sizeBytes"] = image.size_bytes
    return out


def encode_node(node: Node) -> Document:
    """Encode a v1 Node manifest; allocatable is omitted when it equals capacity (the decoder's default)."""
    out: Document = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": _metadata(node.name, None, labels=dict(node.labels), annotations=dict(node.annotations)),
    }
    spec: Document = {}
    if node.unschedulable:
        spec["unschedulable"] = True
    if node.taints:
        spec["taints"] = [taint(t) for t in node.taints]
    if spec:
        out["spec"] = spec
    status: Document = {}
    if node.capacity:
        status["capacity"] = resource_list(node.capacity)
    if node.allocatable != node.capacity:
        status["allocatable"] = resource_list(node.allocatable)
    if node.images:
        status["images"] = [_image(i) for i in node.images]
    if status:
        out["status"] = status
    return out


def encode_namespace(namespace: Namespace) -> Document:
    """Encode a v1 Namespace manifest."""
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": _metadata(namespace.name, None, labels=dict(namespace.labels)),
    }


def encode_selecting(obj: Selecting) -> Document:
    """Encode a Service, ReplicationController, ReplicaSet or StatefulSet manifest.

    Workload kinds are written with ``replicas: 0`` and a template carrying the selector's
    labels: the loader expands workloads into pods, and the pods of a model are written as
    pods of their own.

    Raises:
        EncodeError: the kind is not a selecting kind, a workload has no name (the loader
            refuses it), or a Service/ReplicationController selector has match expressions
            (their selectors are plain label maps).

    """
    api_version = _SELECTING_API.get(obj.kind)
    if api_version is None:
        raise EncodeError(f"{obj.kind} {obj.namespace}/{obj.name}: not one of {', '.join(_SELECTING_API)}")
    if obj.kind != "Service" and not obj.name:
        raise EncodeError(f"{obj.kind} in namespace {obj.namespace!r}: a workload needs a name to be loaded")
    map_selector = obj.kind in ("Service", "ReplicationController")
    spec: Document = {}
    if obj.kind != "Service":
        spec["replicas"] = 0
    if obj.selector is not None:
        if map_selector and obj.selector.match_expressions:
            raise EncodeError(
                f"{obj.kind} {obj.namespace}/{obj.name}: a {obj.kind} selector is a label map, "
                "it cannot hold matchExpressions"
            )
        spec["selector"] = dict(obj.selector.match_labels) if map_selector else label_selector(obj.selector)
    if obj.kind != "Service":
        labels = dict(obj.selector.match_labels) if obj.selector is not None else {}
        spec["template"] = {"metadata": {"labels": labels}} if labels else {}
    return {
        "apiVersion": api_version,
        "kind": obj.kind,
        "metadata": _metadata(obj.name, obj.namespace, uid=obj.uid),
        "spec": spec,
    }


def encode_claim(claim: PersistentVolumeClaim) -> Document:
    """Encode a v1 PersistentVolumeClaim manifest."""
    out: Document = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": _metadata(claim.name, claim.namespace, labels=dict(claim.labels)),
    }
    spec: Document = {}
    if claim.access_modes:
        spec["accessModes"] = list(claim.access_modes)
    if claim.requests:
        spec["resources"] = {"requests": resource_list(claim.requests)}
    if claim.storage_class_name is not None:
        spec["storageClassName"] = claim.storage_class_name
    if claim.volume_name:
        spec["volumeName"] = claim.volume_name
    if spec:
        out["spec"] = spec
    return out


def encode_volume(volume: PersistentVolume) -> Document:
    """Encode a v1 PersistentVolume manifest (labels, CSI driver, required node affinity)."""
    out: Document = {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": _metadata(volume.name, None, labels=dict(volume.labels)),
    }
    spec: Document = {}
    if volume.csi_driver:
        spec["csi"] = {"driver": volume.csi_driver}
    if volume.node_affinity is not None:
        terms = [node_selector_term(t) for t in volume.node_affinity]
        spec["nodeAffinity"] = {"required": {"nodeSelectorTerms": terms}}
    if spec:
        out["spec"] = spec
    return out


def encode_object(obj: ModelObject) -> Document:
    """Encode any model object as a manifest, dispatching on its type.

    Raises:
        EncodeError: the object is not a model object, or cannot be encoded faithfully.

    """
    if isinstance(obj, Pod):
        return encode_pod(obj)
    if isinstance(obj, Node):
        return encode_node(obj)
    if isinstance(obj, Namespace):
        return encode_namespace(obj)
    if isinstance(obj, Selecting):
        return encode_selecting(obj)
    if isinstance(obj, PersistentVolumeClaim):
        return encode_claim(obj)
    if isinstance(obj, PersistentVolume):
        return encode_volume(obj)
    raise EncodeError(f"cannot encode a {type(obj).__name__} as a manifest")


def manifest_text(objects: Iterable[ModelObject]) -> str:
    """Render the objects as multi-document YAML text, one document per object, in order.

    Non-ASCII text is escaped: PyYAML writes a raw U+0085 (NEL) that it then reads as a line
    break, so ``allow_unicode`` would not round-trip.
    """
    return yaml.safe_dump_all([encode_object(obj) for obj in objects], sort_keys=False, default_flow_style=False)


def dump_manifests(objects: Iterable[ModelObject], path: str | Path) -> Path:
    """Write the objects as a multi-document YAML file (e.g. a reproducer); returns the path."""
    target = Path(path)
    target.write_text(manifest_text(objects), encoding="utf-8")
    return target
