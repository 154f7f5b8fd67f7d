"""Load manifest files (YAML or JSON, multi-document, ``List``) into pods, nodes and cluster objects.

Workload kinds (Deployment, ReplicaSet, StatefulSet, Job, ReplicationController) expand into
their pods, named and owned as their controllers would create them; ReplicaSets, StatefulSets
and ReplicationControllers also become selecting objects for PodTopologySpread defaults.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from batchproof.model.errors import ManifestError
from batchproof.model.manifests import decode
from batchproof.model.manifests.reader import Reader
from batchproof.model.objects import (
    DEFAULT_NAMESPACE,
    Namespace,
    Node,
    OwnerReference,
    PersistentVolume,
    PersistentVolumeClaim,
    Pod,
    Selecting,
)

WORKLOAD_KINDS = ("Deployment", "ReplicaSet", "StatefulSet", "Job", "ReplicationController")
SELECTING_KINDS = ("Service", "ReplicaSet", "ReplicationController", "StatefulSet")
KNOWN_KINDS = (
    "Pod",
    "Node",
    "Namespace",
    "Service",
    "PersistentVolumeClaim",
    "PersistentVolume",
    "List",
    *WORKLOAD_KINDS,
)


@dataclass(frozen=True, slots=True)
class ClusterObjects:
    """Objects other than pods and nodes that plugins consult, held by the snapshot."""

    namespaces: tuple[Namespace, ...] = ()
    selecting: tuple[Selecting, ...] = ()
    claims: tuple[PersistentVolumeClaim, ...] = ()
    volumes: tuple[PersistentVolume, ...] = ()

    def merged(self, other: ClusterObjects) -> ClusterObjects:
        """Both sets of objects, this one's first."""
        return ClusterObjects(
            namespaces=self.namespaces + other.namespaces,
            selecting=self.selecting + other.selecting,
            claims=self.claims + other.claims,
            volumes=self.volumes + other.volumes,
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

    def objects(self) -> ClusterObjects:
        """The non-pod, non-node objects as a frozen ClusterObjects."""
        return ClusterObjects(tuple(self.namespaces), tuple(self.selecting), tuple(self.claims), tuple(self.volumes))


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


def load_files(paths: Iterable[str | Path], *, allowed: tuple[str, ...] = KNOWN_KINDS) -> Manifests:
    """Load every document of every file, in order."""
    out = Manifests()
    for path in paths:
        for index, document in enumerate(read_documents(path), start=1):
            load_document(Reader(document, str(path), index, ""), out, allowed=allowed)
    return out


def load_objects(documents: Iterable[Any], *, source: str = "<memory>") -> Manifests:
    """Load already-decoded documents (e.g. fixture JSON) with errors naming ``source``."""
    out = Manifests()
    for index, document in enumerate(documents, start=1):
        load_document(Reader(document, source, index, ""), out)
    return out


def load_document(reader: Reader, out: Manifests, *, allowed: tuple[str, ...] = KNOWN_KINDS) -> None:
    """Decode one document (or ``List``) into ``out``."""
    body = reader.mapping()
    kind = body["kind"].string()
    if not kind:
        raise body["kind"].fail("missing kind")
    if kind.endswith("List") and kind[:-4] in allowed:
        kind = "List"  # PodList, NodeList: typed lists load like a List
    if kind not in allowed and kind != "List":
        raise body["kind"].fail(f"unsupported kind {kind!r} here; expected one of {', '.join(allowed)}")
    if kind == "List":
        for item in body["items"].items():
            load_document(item, out, allowed=allowed)
        return
    if kind == "Pod":
        out.pods.append(decode.pod(body))
    elif kind == "Node":
        out.nodes.append(decode.node(body))
    elif kind == "Namespace":
        out.namespaces.append(decode.namespace(body))
    elif kind == "PersistentVolumeClaim":
        out.claims.append(decode.persistent_volume_claim(body))
    elif kind == "PersistentVolume":
        out.volumes.append(decode.persistent_volume(body))
    else:
        if kind in SELECTING_KINDS:
            out.selecting.append(decode.selecting(body, kind))
        if kind in WORKLOAD_KINDS:
            out.pods.extend(expand_workload(body, kind))


def expand_workload(reader: Reader, kind: str) -> Iterator[Pod]:
    """The pods a workload controller creates from its template, in creation order."""
    meta = reader["metadata"].mapping()
    spec = reader["spec"].mapping()
    name = meta["name"].string()
    if not name:
        raise meta["name"].fail(f"a {kind} needs a name to name its pods")
    namespace = meta["namespace"].string(DEFAULT_NAMESPACE)
    if kind == "Job":
        parallelism = spec["parallelism"].optional_integer()
        count = parallelism if parallelism is not None else spec["completions"].integer(1)
    else:
        count = spec["replicas"].integer(1)
    if count < 0:
        raise spec["replicas"].fail(f"must not be negative, got {count}")
    template = spec["template"]
    if not template.present:
        raise template.fail(f"a {kind} needs a pod template")
    base = decode.pod(template, default_namespace=namespace)
    owner_kind = "ReplicaSet" if kind == "Deployment" else kind
    owner_api = "batch/v1" if kind == "Job" else ("v1" if kind == "ReplicationController" else "apps/v1")
    owner = OwnerReference(api_version=owner_api, kind=owner_kind, name=name, uid=f"uid-{name}", controller=True)
    for ordinal in range(count):
        pod_name = f"{name}-{ordinal}" if kind == "StatefulSet" else f"{name}-{ordinal:05d}"
        yield _replace_pod(base, pod_name, namespace, owner)


def _replace_pod(base: Pod, name: str, namespace: str, owner: OwnerReference) -> Pod:
    return replace(base, name=name, namespace=namespace, owner_references=(owner,), uid=f"uid-{namespace}-{name}")
