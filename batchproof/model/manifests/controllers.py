"""What a workload's controller creates from its pod template (kube-controller-manager, pkg/controller).

Each workload kind expands into the pods its controller would create, named, labelled and owned
as that controller does, plus the objects it creates beside them:

- Deployment: a ReplicaSet ``<deployment>-<pod-template-hash>`` (also a selecting object, so
  PodTopologySpread's default constraints see it) owning ``replicas`` pods labelled with the hash.
- ReplicaSet, ReplicationController: ``replicas`` owned pods.
- StatefulSet: pods ``<set>-<ordinal>`` with their identity labels, and per pod one unbound PVC
  ``<claimTemplate>-<set>-<ordinal>`` per ``volumeClaimTemplates`` entry, mounted as a volume.
- Job: ``parallelism`` pods (capped by ``completions``) with the labels the Job strategy adds,
  and for an Indexed Job the completion index.
- DaemonSet: one pod per eligible node, pinned there by node affinity, with the daemon tolerations.

Names upstream draws at random (``generateName`` suffixes) and hashes upstream computes over Go
structs (``pod-template-hash``, ``controller-revision-hash``) are deterministic stand-ins derived
from the manifest, so runs are reproducible; :func:`template_hash` says how it differs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from batchproof.model.frozen import FrozenDict
from batchproof.model.manifests import decode
from batchproof.model.manifests.reader import Reader, freeze_json
from batchproof.model.objects import (
    DEFAULT_NAMESPACE,
    Affinity,
    LabelSelector,
    Node,
    NodeAffinity,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    OwnerReference,
    PersistentVolumeClaim,
    Pod,
    Selecting,
    Toleration,
    Volume,
)
from batchproof.model.validation.field import FieldError, not_supported, required

# k8s.io/api/apps/v1/types.go
POD_TEMPLATE_HASH_LABEL = "pod-template-hash"  # DefaultDeploymentUniqueLabelKey
CONTROLLER_REVISION_HASH_LABEL = "controller-revision-hash"  # ControllerRevisionHashLabelKey
STATEFUL_SET_POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"  # StatefulSetPodNameLabel
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"  # PodIndexLabel
# k8s.io/api/extensions/v1beta1/types.go
DAEMON_SET_TEMPLATE_GENERATION_LABEL = "pod-template-generation"  # DaemonSetTemplateGenerationKey
# k8s.io/api/batch/v1/types.go
JOB_NAME_LABEL = "batch.kubernetes.io/job-name"
LEGACY_JOB_NAME_LABEL = "job-name"
CONTROLLER_UID_LABEL = "batch.kubernetes.io/controller-uid"
LEGACY_CONTROLLER_UID_LABEL = "controller-uid"
JOB_COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index"  # annotation and label

WORKLOAD_KINDS = ("Deployment", "ReplicaSet", "StatefulSet", "Job", "ReplicationController", "DaemonSet")
_OWNER_API = {"ReplicaSet": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1", "Job": "batch/v1"}

# The daemon tolerations in the order AddOrUpdateDaemonPodTolerations adds them
# (pkg/controller/daemon/util/daemonset_util.go); the last only for hostNetwork pods.
DAEMON_TOLERATIONS = (
    Toleration("node.kubernetes.io/not-ready", "Exists", "", "NoExecute"),
    Toleration("node.kubernetes.io/unreachable", "Exists", "", "NoExecute"),
    Toleration("node.kubernetes.io/disk-pressure", "Exists", "", "NoSchedule"),
    Toleration("node.kubernetes.io/memory-pressure", "Exists", "", "NoSchedule"),
    Toleration("node.kubernetes.io/pid-pressure", "Exists", "", "NoSchedule"),
    Toleration("node.kubernetes.io/unschedulable", "Exists", "", "NoSchedule"),
)
HOST_NETWORK_TOLERATION = Toleration("node.kubernetes.io/network-unavailable", "Exists", "", "NoSchedule")

_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # apimachinery/pkg/util/rand/rand.go alphanums


class NodesNeeded(Exception):
    """A DaemonSet was expanded without the cluster's nodes (the loader turns it into a ManifestError)."""


@dataclass(frozen=True, slots=True)
class Expansion:
    """The pods a workload's controller creates, and the objects it creates beside them."""

    pods: tuple[Pod, ...] = ()
    selecting: tuple[Selecting, ...] = ()
    claims: tuple[PersistentVolumeClaim, ...] = ()


def suffix(seed: str) -> str:
    """Five characters of the generateName alphabet derived from ``seed`` (upstream: random)."""
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest[:5])


def safe_encode_string(text: str) -> str:
    """apimachinery/pkg/util/rand/rand.go SafeEncodeString: each character mapped into the alphabet."""
    return "".join(_ALPHABET[ord(c) % len(_ALPHABET)] for c in text)


def fnv32a(data: bytes) -> int:
    """The 32-bit FNV-1a hash (Go's hash/fnv New32a)."""
    value = 0x811C9DC5
    for byte in data:
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def template_hash(template: Any) -> str:
    """A ``pod-template-hash`` for a pod template, deterministic from its content.

    pkg/controller/controller_utils.go ComputeHash is ``SafeEncodeString(fmt.Sprint(fnv32a(
    DeepHashObject(template) [+ collisionCount])))``. DeepHashObject prints the *defaulted Go
    struct* with go-spew, which cannot be reproduced from a manifest without the Go types, so
    this hashes the template *as written* (canonical JSON, sorted keys) with the same fnv32a and
    encoding, and no collisionCount: the same shape of value (digits of the alphabet), stable
    for one template, different from the value a real cluster would compute.
    """
    canonical = json.dumps(template, sort_keys=True, separators=(",", ":"), default=str)
    return safe_encode_string(str(fnv32a(canonical.encode())))


def stand_in_uid(namespace: str, name: str) -> str:
    """The UID given to a controller object without ``metadata.uid`` (as the oracle's decode does)."""
    return f"batchproof-{namespace}-{name}"


def expand_workload(reader: Reader, kind: str, *, nodes: Sequence[Node] | None = None) -> Expansion:
    """The pods (and ReplicaSet, PVCs) the controller of a ``kind`` workload creates, in creation order.

    Raises:
        ManifestError: a field the expansion needs is missing or malformed.
        NodesNeeded: a DaemonSet without ``nodes``.

    """
    meta = reader["metadata"].mapping()
    spec = reader["spec"].mapping()
    name = meta["name"].string()
    if not name:
        raise meta["name"].fail(f"a {kind} needs a name to name its pods")
    namespace = meta["namespace"].string(DEFAULT_NAMESPACE)
    template = spec["template"]
    if not template.present:
        raise template.fail(f"a {kind} needs a pod template")
    base = decode.pod(template, default_namespace=namespace)
    uid = meta["uid"].string() or stand_in_uid(namespace, name)
    if kind == "Deployment":
        return _deployment(spec, name, namespace, base)
    if kind == "StatefulSet":
        return _stateful_set(spec, name, namespace, uid, base)
    if kind == "Job":
        return Expansion(_job(spec, name, namespace, uid, base))
    if kind == "DaemonSet":
        if nodes is None:
            raise NodesNeeded(name)
        return Expansion(_daemon_set(template, name, namespace, uid, base, nodes=nodes))
    # ReplicaSet, ReplicationController: pkg/controller/replicaset/replica_set.go manageReplicas.
    owner = OwnerReference(_OWNER_API.get(kind, "v1"), kind, name, uid, controller=True)
    count = _replicas(spec)
    return Expansion(tuple(_owned(base, f"{name}-{i:05d}", namespace, owner) for i in range(count)))


def _replicas(spec: Reader) -> int:
    count = spec["replicas"].integer(1)  # apps/v1 defaults: replicas 1
    if count < 0:
        raise spec["replicas"].fail(f"must not be negative, got {count}")
    return count


def _owned(base: Pod, name: str, namespace: str, owner: OwnerReference, **changes: Any) -> Pod:
    """controller_utils.go GetPodFromTemplate: the template's pod, named, namespaced and owned."""
    return replace(
        base, name=name, namespace=namespace, owner_references=(owner,), uid=f"uid-{namespace}-{name}", **changes
    )


def _deployment(spec: Reader, name: str, namespace: str, base: Pod) -> Expansion:
    """pkg/controller/deployment/sync.go getNewReplicaSet: the hash labels template and selector."""
    pod_hash = template_hash(spec["template"].value)
    rs_name = f"{name}-{pod_hash}"
    rs_uid = stand_in_uid(namespace, rs_name)
    selector = decode.label_selector(spec["selector"]) or LabelSelector()
    # labelsutil.CloneSelectorAndAddLabel: the ReplicaSet selects only its own pods.
    rs_labels = FrozenDict({**selector.match_labels, POD_TEMPLATE_HASH_LABEL: pod_hash})
    rs_selector = replace(selector, match_labels=rs_labels)
    replica_set = Selecting("ReplicaSet", rs_name, namespace, rs_selector, uid=rs_uid)
    owner = OwnerReference("apps/v1", "ReplicaSet", rs_name, rs_uid, controller=True)
    labels = FrozenDict({**base.labels, POD_TEMPLATE_HASH_LABEL: pod_hash})
    pods = tuple(_owned(base, f"{rs_name}-{i:05d}", namespace, owner, labels=labels) for i in range(_replicas(spec)))
    return Expansion(pods, (replica_set,))


def _stateful_set(spec: Reader, name: str, namespace: str, uid: str, base: Pod) -> Expansion:
    """pkg/controller/statefulset/stateful_set_utils.go newStatefulSetPod: identity and storage."""
    owner = OwnerReference("apps/v1", "StatefulSet", name, uid, controller=True)
    start = spec["ordinals"].mapping()["start"].integer(0)
    selector = decode.label_selector(spec["selector"])
    selector_labels: Mapping[str, str] = selector.match_labels if selector else {}
    templates = spec["volumeClaimTemplates"].list_of(lambda r: (r, decode.persistent_volume_claim(r)))
    revision = f"{name}-{template_hash(spec['template'].value)}"  # history.ControllerRevisionName
    pods: list[Pod] = []
    claims: list[PersistentVolumeClaim] = []
    for ordinal in range(start, start + _replicas(spec)):
        pod_name = f"{name}-{ordinal}"  # getPodName
        own: list[PersistentVolumeClaim] = []
        for reader, template in templates:
            if not template.name:
                raise reader["metadata"].fail("a volumeClaimTemplate needs metadata.name")
            # getPersistentVolumeClaims: named <template>-<set>-<ordinal>, the set's selector labels added.
            own.append(
                replace(
                    template,
                    name=f"{template.name}-{name}-{ordinal}",
                    namespace=namespace,
                    labels=FrozenDict({**template.labels, **selector_labels}),
                )
            )
        # updateStorage: one volume per claim template (template order; upstream: map order), then
        # the template's other volumes.
        claim_names = {t.name for _, t in templates}
        volumes = tuple(
            Volume(t.name, "persistentVolumeClaim", freeze_json({"claimName": c.name}))
            for (_, t), c in zip(templates, own, strict=True)
        ) + tuple(v for v in base.volumes if v.name not in claim_names)
        # updateIdentity and setPodRevision.
        labels = FrozenDict(
            {
                **base.labels,
                STATEFUL_SET_POD_NAME_LABEL: pod_name,
                POD_INDEX_LABEL: str(ordinal),
                CONTROLLER_REVISION_HASH_LABEL: revision,
            }
        )
        pods.append(_owned(base, pod_name, namespace, owner, labels=labels, volumes=volumes))
        claims.extend(own)
    return Expansion(tuple(pods), claims=tuple(claims))


def _job(spec: Reader, name: str, namespace: str, uid: str, base: Pod) -> tuple[Pod, ...]:
    """The Job strategy's labels and the Job controller's first pods.

    pkg/apis/batch/v1/defaults.go: parallelism defaults to 1 (and completions to 1 when neither
    is set); pkg/controller/job/job_controller.go manageJob creates min(parallelism, completions)
    pods at first.
    """
    parallelism = spec["parallelism"].optional_integer()
    completions = spec["completions"].optional_integer()
    for key, count_value in (("parallelism", parallelism), ("completions", completions)):
        if count_value is not None and count_value < 0:
            raise spec[key].fail(f"must not be negative, got {count_value}")
    count = 1 if parallelism is None else parallelism
    if completions is not None:
        count = min(count, completions)
    labels = dict(base.labels)
    if not spec["manualSelector"].boolean():
        # pkg/registry/batch/job/strategy.go generateSelectorIfNeeded: labels the template
        # (existing values kept) with the Job's name and UID.
        for key, value in (
            (LEGACY_JOB_NAME_LABEL, name),
            (JOB_NAME_LABEL, name),
            (LEGACY_CONTROLLER_UID_LABEL, uid),
            (CONTROLLER_UID_LABEL, uid),
        ):
            labels.setdefault(key, value)
    owner = OwnerReference("batch/v1", "Job", name, uid, controller=True)
    indexed = spec["completionMode"].one_of(("NonIndexed", "Indexed"), "NonIndexed") == "Indexed"
    pods: list[Pod] = []
    for i in range(count):
        if not indexed:
            pods.append(_owned(base, f"{name}-{i:05d}", namespace, owner, labels=FrozenDict(labels)))
            continue
        # indexed_job_utils.go addCompletionIndexAnnotation / addCompletionIndexLabel and
        # podGenerateNameWithIndex (<job>-<index>-<random>).
        index = str(i)
        pod_name = f"{name}-{index}-{suffix(f'{namespace}/{name}/{index}')}"
        pods.append(
            _owned(
                base,
                pod_name,
                namespace,
                owner,
                labels=FrozenDict({**labels, JOB_COMPLETION_INDEX: index}),
                annotations=FrozenDict({**base.annotations, JOB_COMPLETION_INDEX: index}),
            )
        )
    return tuple(pods)


def daemon_tolerations(pod: Pod) -> tuple[Toleration, ...]:
    """daemonset_util.go AddOrUpdateDaemonPodTolerations over the pod's tolerations.

    v1helper.AddOrUpdateTolerationInPodSpec: a toleration matching on key, operator, value and
    effect is replaced in place (unless equal), any other is appended.
    """
    out = list(pod.tolerations)
    extra = (*DAEMON_TOLERATIONS, HOST_NETWORK_TOLERATION) if pod.host_network else DAEMON_TOLERATIONS
    for toleration in extra:
        same = [
            i
            for i, t in enumerate(out)
            if (t.key, t.operator, t.value, t.effect)
            == (toleration.key, toleration.operator, toleration.value, toleration.effect)
        ]
        if not same:
            out.append(toleration)
        for i in same:
            out[i] = toleration
    return tuple(out)


def node_name_affinity(affinity: Affinity | None, node: str) -> Affinity:
    """daemonset_util.go ReplaceDaemonSetPodNodeNameNodeAffinity: required terms become ``metadata.name In [node]``."""
    term = NodeSelectorTerm(match_fields=(NodeSelectorRequirement("metadata.name", "In", (node,)),))
    base = affinity or Affinity()
    node_affinity = base.node_affinity or NodeAffinity()
    return replace(base, node_affinity=replace(node_affinity, required=(term,)))


def should_run(pod: Pod, node: Node) -> bool:
    """daemon_controller.go nodeShouldRunDaemonPod for a new pod: node name, node affinity, taints.

    predicates(): the template's nodeSelector and required node affinity must match, and no
    NoSchedule/NoExecute taint may be left untolerated by the daemon pod's tolerations.
    """
    # Imported here: the plugins import the manifest decoders, which import this module.
    from batchproof.model.plugins.helpers.taints import find_untolerated_taint  # noqa: PLC0415
    from batchproof.model.plugins.node_affinity import RequiredNodeAffinity  # noqa: PLC0415

    if pod.node_name and pod.node_name != node.name:
        return False
    if not RequiredNodeAffinity.of(pod).matches(node):
        return False
    blocking = ("NoSchedule", "NoExecute")
    return find_untolerated_taint(node.taints, pod.tolerations, lambda t: t.effect in blocking) is None


def _daemon_set(
    template: Reader, name: str, namespace: str, uid: str, base: Pod, *, nodes: Sequence[Node]
) -> tuple[Pod, ...]:
    """daemon_controller.go syncNodes: one pod per node that should run it, pinned by node affinity."""
    owner = OwnerReference("apps/v1", "DaemonSet", name, uid, controller=True)
    # util.CreatePodTemplate: daemon tolerations, template generation 1 (a new DaemonSet) and the
    # revision hash (a stand-in, see template_hash).
    labels = FrozenDict(
        {
            **base.labels,
            DAEMON_SET_TEMPLATE_GENERATION_LABEL: "1",
            CONTROLLER_REVISION_HASH_LABEL: template_hash(template.value),
        }
    )
    daemon = replace(base, tolerations=daemon_tolerations(base), labels=labels)
    pods: list[Pod] = []
    for node in nodes:
        if should_run(daemon, node):
            pinned = replace(daemon, affinity=node_name_affinity(daemon.affinity, node.name))
            pods.append(_owned(pinned, f"{name}-{len(pods):05d}", namespace, owner))
    return tuple(pods)


def template_restart_policy_errors(kind: str, template: Reader) -> tuple[FieldError, ...]:
    """The restartPolicy a workload's template may have (the model's Pod does not carry one).

    pkg/apis/batch/validation/validation.go validateJobSpec: OnFailure or Never (empty defaults
    to Always, which is rejected); pkg/apis/apps/validation/validation.go: Always for the others.
    """
    policy = template.mapping()["spec"].mapping()["restartPolicy"].string()
    where = "spec.template.spec.restartPolicy"
    if kind == "Job":
        if policy in ("", "Always"):
            return (required(where, 'valid values: "OnFailure", "Never"'),)
        if policy not in ("OnFailure", "Never"):
            return (not_supported(where, policy, ("OnFailure", "Never")),)
        return ()
    if policy not in ("", "Always"):
        return (not_supported(where, policy, ("Always",)),)
    return ()
