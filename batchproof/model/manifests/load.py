"""Load manifest files (YAML or JSON, multi-document, ``List``) into pods, nodes and cluster objects.

Workload kinds (Deployment, ReplicaSet, StatefulSet, Job, ReplicationController, DaemonSet)
expand into the pods their controllers would create (:mod:`.controllers`), with the ReplicaSets
and PVCs those controllers create beside them; ReplicaSets, StatefulSets and
ReplicationControllers also become selecting objects for PodTopologySpread defaults. A DaemonSet
needs the cluster's nodes (``nodes``): it runs one pod per eligible node.

Files may mix kinds as application manifests do: wherever pods are read, object kinds
(Service, PVC, PriorityClass, ...) load as cluster objects beside them. With ``admit`` (the
default for files) every pod and node goes through what the API server does on create:
``generateName``, defaulting (:mod:`.defaults`), Priority admission (:mod:`.admission`) and
validation (:mod:`batchproof.model.validation`); the first error names file, document and field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from batchproof.model.errors import ManifestError
from batchproof.model.manifests import decode
from batchproof.model.manifests.admission import AdmissionDenied, admit_pod
from batchproof.model.manifests.controllers import (
    WORKLOAD_KINDS,
    NodesNeeded,
    expand_workload,
    suffix,
    template_restart_policy_errors,
)
from batchproof.model.manifests.defaults import default_pod
from batchproof.model.manifests.reader import Reader
from batchproof.model.objects import (
    DEFAULT_NAMESPACE,
    Namespace,
    Node,
    PersistentVolume,
    PersistentVolumeClaim,
    Pod,
    PriorityClass,
    Selecting,
)
from batchproof.model.validation import FieldError, validate_node, validate_pod

SELECTING_KINDS = ("Service", "ReplicaSet", "ReplicationController", "StatefulSet")
KNOWN_KINDS = (
    "Pod",
    "Node",
    "Namespace",
    "Service",
    "PersistentVolumeClaim",
    "PersistentVolume",
    "PriorityClass",
    "List",
    *WORKLOAD_KINDS,
)
# Kinds that load as cluster objects wherever pods are read (mixed application manifests).
OBJECT_KINDS = ("Namespace", "Service", "PersistentVolumeClaim", "PersistentVolume", "PriorityClass")


@dataclass(frozen=True, slots=True)
class ClusterObjects:
    """Objects other than pods and nodes that plugins consult, held by the snapshot."""

    namespaces: tuple[Namespace, ...] = ()
    selecting: tuple[Selecting, ...] = ()
    claims: tuple[PersistentVolumeClaim, ...] = ()
    volumes: tuple[PersistentVolume, ...] = ()
    priority_classes: tuple[PriorityClass, ...] = ()

    def merged(self, other: ClusterObjects) -> ClusterObjects:
        """Both sets of objects, this one's first."""
        return ClusterObjects(
            namespaces=self.namespaces + other.namespaces,
            selecting=self.selecting + other.selecting,
            claims=self.claims + other.claims,
            volumes=self.volumes + other.volumes,
            priority_classes=self.priority_classes + other.priority_classes,
        )


@dataclass(slots=True)
class Manifests:
    """Everything decoded from one or more manifest files, in file order."""

    pods: list[Pod] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    namespaces: list[Namespace] = field(default_factory=list)
    selecting: list[Selecting] = field(default_factory=list)
    claims: list[PersistentVolumeClaim] = field(default_factory=list)
    volumes: list[PersistentVolume] = field(default_factory=list)
    priority_classes: list[PriorityClass] = field(default_factory=list)
    origins: list[Reader] = field(default_factory=list)  # where each pod came from, for admission errors

    def objects(self) -> ClusterObjects:
        """The non-pod, non-node objects as a frozen ClusterObjects."""
        return ClusterObjects(
            tuple(self.namespaces),
            tuple(self.selecting),
            tuple(self.claims),
            tuple(self.volumes),
            tuple(self.priority_classes),
        )


def read_documents(path: str | Path) -> list[Any]:
    """Parse a YAML or JSON file into its documents (empty documents dropped).

    Raises:
        ManifestError: the file cannot be read or parsed.

    """
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ManifestError(name, None, "", f"cannot read file: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ManifestError(name, None, "", "file is not UTF-8 text") from None
    if name.endswith(".json"):
        try:
            return [json.loads(text)]
        except json.JSONDecodeError as error:
            raise ManifestError(name, None, "", f"invalid JSON at line {error.lineno}: {error.msg}") from None
    try:
        return [doc for doc in yaml.safe_load_all(text) if doc is not None]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ManifestError(name, None, "", f"invalid YAML{where}: {problem}") from None


def load_files(
    paths: Iterable[str | Path],
    *,
    allowed: tuple[str, ...] = KNOWN_KINDS,
    admit: bool = True,
    nodes: Sequence[Node] | None = None,
) -> Manifests:
    """Load every document of every file, in order (as the API server admits them unless ``admit`` is off).

    Where ``allowed`` holds pod or workload kinds, object kinds load too (mixed manifests).
    ``nodes`` are the cluster's nodes a DaemonSet runs on (None: a DaemonSet is an error).

    Raises:
        ManifestError: a document is malformed, of an unsupported kind, or rejected by
            admission or validation; the message names the file, document and field.

    """
    out = Manifests()
    for path in paths:
        for index, document in enumerate(read_documents(path), start=1):
            reader = Reader(document, str(path), index, "")
            load_document(reader, out, allowed=_widened(allowed), admit=admit, nodes=nodes)
    if admit:
        admit_priorities(out)
    return out


def load_objects(
    documents: Iterable[Any], *, source: str = "<memory>", admit: bool = False, nodes: Sequence[Node] | None = None
) -> Manifests:
    """Load already-decoded documents (e.g. fixture JSON) with errors naming ``source``.

    In-memory objects are taken as stored (no defaulting, admission or validation) unless ``admit``;
    a DaemonSet expands over ``nodes``.
    """
    out = Manifests()
    for index, document in enumerate(documents, start=1):
        load_document(Reader(document, source, index, ""), out, admit=admit, nodes=nodes)
    if admit:
        admit_priorities(out)
    return out


def _widened(allowed: tuple[str, ...]) -> tuple[str, ...]:
    """Pod and workload readers also take the object kinds an application manifest holds."""
    if any(kind in allowed for kind in ("Pod", *WORKLOAD_KINDS)):
        return tuple(dict.fromkeys((*allowed, *OBJECT_KINDS, *SELECTING_KINDS, *WORKLOAD_KINDS, "Pod")))
    return allowed


def admit_priorities(out: Manifests) -> None:
    """Run Priority admission over every loaded pod with the PriorityClasses loaded beside them.

    Raises:
        ManifestError: a pod names a class that does not exist, or contradicts its class.

    """
    for i, (pod, origin) in enumerate(zip(out.pods, out.origins, strict=True)):
        try:
            out.pods[i] = admit_pod(pod, out.priority_classes)
        except AdmissionDenied as denied:
            where = origin.child("spec") if origin.path else origin
            path = f"{origin.path}.{denied.field}" if origin.path else denied.field
            hint = (
                " (PriorityClass objects load from the same files as the pods)"
                if "no PriorityClass" in denied.message
                else ""
            )
            raise ManifestError(
                where.file, where.document, path, f'pods "{pod.name}" is forbidden: {denied.message}{hint}'
            ) from None


def _unsupported(kind: str, allowed: tuple[str, ...]) -> str:
    if kind == "Node":
        return "unsupported kind 'Node' here: nodes are read from --nodes"
    if kind == "KubeSchedulerConfiguration":
        return "unsupported kind 'KubeSchedulerConfiguration' here: a scheduler configuration is read from --config"
    if kind in KNOWN_KINDS:
        return f"unsupported kind {kind!r} here; expected one of {', '.join(allowed)}"
    return (
        f"unsupported kind {kind!r} here; expected one of {', '.join(allowed)} "
        "(batchproof does not model it: remove the document or move it to another file)"
    )


def load_document(
    reader: Reader,
    out: Manifests,
    *,
    allowed: tuple[str, ...] = KNOWN_KINDS,
    admit: bool = False,
    nodes: Sequence[Node] | None = None,
) -> None:
    """Decode one document (or ``List``) into ``out``; with ``admit``, default and validate its pods and nodes.

    A DaemonSet expands over ``nodes``.
    """
    body = reader.mapping()
    kind = body["kind"].string()
    if not kind:
        raise body["kind"].fail("missing kind")
    if kind.endswith("List") and kind[:-4] in allowed:
        kind = "List"  # PodList, NodeList: typed lists load like a List
    if kind not in allowed and kind != "List":
        raise body["kind"].fail(_unsupported(kind, allowed))
    if kind == "List":
        for item in body["items"].items():
            load_document(item, out, allowed=allowed, admit=admit, nodes=nodes)
        return
    if kind == "Pod":
        _add_pod(out, decode.pod(body), body, admit=admit)
    elif kind == "Node":
        node = decode.node(body)
        if admit:
            node = _named_node(node, body)
            _raise_first(validate_node(node), body)
        out.nodes.append(node)
    elif kind == "PriorityClass":
        out.priority_classes.append(decode.priority_class(body))
    elif kind == "Namespace":
        out.namespaces.append(decode.namespace(body))
    elif kind == "PersistentVolumeClaim":
        claim = decode.persistent_volume_claim(body)
        out.claims.append(replace(claim, namespace=DEFAULT_NAMESPACE) if admit and not claim.namespace else claim)
    elif kind == "PersistentVolume":
        out.volumes.append(decode.persistent_volume(body))
    else:
        if kind in SELECTING_KINDS:
            chosen = decode.selecting(body, kind)
            empty = admit and not chosen.namespace
            out.selecting.append(replace(chosen, namespace=DEFAULT_NAMESPACE) if empty else chosen)
        if kind in WORKLOAD_KINDS:
            _add_workload(out, body, kind, admit=admit, nodes=nodes)


def _add_workload(out: Manifests, body: Reader, kind: str, *, admit: bool, nodes: Sequence[Node] | None) -> None:
    """Append a workload's pods and the ReplicaSet and PVCs its controller creates beside them."""
    template = body["spec"]["template"]
    try:
        expansion = expand_workload(body, kind, nodes=nodes)
    except NodesNeeded:
        raise body["kind"].fail(
            "a DaemonSet runs one pod per eligible node, so it loads only where the cluster's nodes are "
            "known (--pods or --existing-pods of a command given --nodes)"
        ) from None
    if admit:
        _raise_first(template_restart_policy_errors(kind, template), body)
    out.selecting.extend(expansion.selecting)
    out.claims.extend(expansion.claims)
    for pod in expansion.pods:
        _add_pod(out, pod, template, admit=admit)


def _add_pod(out: Manifests, pod: Pod, origin: Reader, *, admit: bool) -> None:
    """Append a pod: with ``admit``, named from generateName, defaulted and validated first."""
    if admit:
        if not pod.namespace:
            # An empty namespace takes the request's (kubectl's default), as when a file is applied.
            pod = replace(pod, namespace=DEFAULT_NAMESPACE)
        pod = default_pod(_named_pod(pod, origin, len(out.pods)))
        _raise_first(validate_pod(pod), origin)
    out.pods.append(pod)
    out.origins.append(origin)


def _named_pod(pod: Pod, origin: Reader, index: int) -> Pod:
    """``metadata.generateName`` plus a deterministic 5-character suffix (upstream: random)."""
    prefix = origin.mapping()["metadata"].mapping()["generateName"].string()
    if pod.name or not prefix:
        return pod
    name = f"{prefix}{suffix(f'{origin.file}/{origin.document}/{index}')}"
    return replace(pod, name=name, uid=pod.uid or f"uid-{pod.namespace}-{name}")


def _named_node(node: Node, origin: Reader) -> Node:
    prefix = origin["metadata"].mapping()["generateName"].string()
    if node.name or not prefix:
        return node
    return replace(node, name=f"{prefix}{suffix(f'{origin.file}/{origin.document}')}")


def _raise_first(errors: tuple[FieldError, ...], origin: Reader) -> None:
    """Raise the first validation error at its field, under ``origin``'s path."""
    if errors:
        first = errors[0]
        path = f"{origin.path}.{first.path}" if origin.path else first.path
        raise ManifestError(origin.file, origin.document, path, first.body())
