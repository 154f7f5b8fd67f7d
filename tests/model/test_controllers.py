"""Workload controllers, as the loader models them: what each controller creates from a template.

Deployment -> ReplicaSet -> pods (pod-template-hash), StatefulSet volumeClaimTemplates -> PVCs,
Job labels, parallelism and completion index, DaemonSet one pod per eligible node.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.errors import ManifestError
from batchproof.model.framework.evaluate import evaluate_plugin
from batchproof.model.framework.interfaces import PluginContext
from batchproof.model.manifests import load_files
from batchproof.model.manifests.controllers import (
    DAEMON_TOLERATIONS,
    HOST_NETWORK_TOLERATION,
    fnv32a,
    safe_encode_string,
    template_hash,
)
from batchproof.model.objects import (
    LabelSelectorRequirement,
    Node,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    OwnerReference,
    Taint,
    Toleration,
)
from batchproof.model.plugins.podtopologyspread.defaults import default_selector
from batchproof.model.plugins.registry import DEFAULT_REGISTRY
from batchproof.properties.cli.main import main

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx}]}
"""
WEB_HASH = "5776f98846"  # template_hash of DEPLOYMENT's template (a stand-in for ComputeHash)


def write(tmp_path: Path, text: str, name: str = "w.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_fnv32a_and_safe_encode_string_are_gos() -> None:
    # hash/fnv test vectors, and rand.SafeEncodeString of a decimal hash as ComputeHash renders it.
    assert fnv32a(b"") == 0x811C9DC5
    assert fnv32a(b"a") == 0xE40C292C
    assert fnv32a(b"foobar") == 0xBF9CF968
    assert safe_encode_string("0123456789") == "456789bcdf"  # ord("0") % 27 == 21: "4"


def test_pod_template_hash_is_pinned_and_differs_from_upstreams_value() -> None:
    """The hash is deterministic from the template as written; upstream hashes the defaulted Go
    struct (DeepHashObject), so a real cluster names this ReplicaSet differently (README)."""
    template = {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    assert template_hash(template) == WEB_HASH
    assert template_hash(json.loads(json.dumps(template, sort_keys=True))) == WEB_HASH  # key order is irrelevant
    changed = {**template, "spec": {"containers": [{"name": "c", "image": "nginx:2"}]}}
    assert template_hash(changed) != WEB_HASH
    assert len(WEB_HASH) == 10 and set(WEB_HASH) <= set("bcdfghjklmnpqrstvwxz2456789")


def test_a_deployment_creates_a_replicaset_owning_hash_labelled_pods(tmp_path: Path) -> None:
    loaded = load_files([write(tmp_path, DEPLOYMENT)])
    rs_name = f"web-{WEB_HASH}"
    assert [p.name for p in loaded.pods] == [f"{rs_name}-0000{i}" for i in range(3)]
    (replica_set,) = loaded.selecting
    assert (replica_set.kind, replica_set.name, replica_set.namespace) == ("ReplicaSet", rs_name, "shop")
    assert replica_set.selector is not None
    assert dict(replica_set.selector.match_labels) == {"app": "web", "pod-template-hash": WEB_HASH}
    owner = OwnerReference("apps/v1", "ReplicaSet", rs_name, replica_set.uid, controller=True)
    for pod in loaded.pods:
        assert dict(pod.labels) == {"app": "web", "pod-template-hash": WEB_HASH}
        assert pod.owner_references == (owner,)


def test_podtopologyspread_defaults_see_the_deployments_replicaset(tmp_path: Path) -> None:
    loaded = load_files([write(tmp_path, DEPLOYMENT)])
    selector = default_selector(loaded.pods[0], loaded.selecting)
    assert selector.requirements == (
        LabelSelectorRequirement("app", "In", ("web",)),
        LabelSelectorRequirement("pod-template-hash", "In", (WEB_HASH,)),
    )


STATEFUL_SET = """
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 2
  ordinals: {start: 3}
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: c, image: postgres}]
      volumes:
      - {name: data, emptyDir: {}}
      - {name: config, configMap: {name: db-config}}
  volumeClaimTemplates:
  - metadata: {name: data, labels: {tier: storage}}
    spec:
      storageClassName: fast
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 10Gi}}
"""


def test_a_statefulset_creates_one_claim_per_template_per_pod(tmp_path: Path) -> None:
    loaded = load_files([write(tmp_path, STATEFUL_SET)])
    assert [p.name for p in loaded.pods] == ["db-3", "db-4"]
    assert [c.name for c in loaded.claims] == ["data-db-3", "data-db-4"]
    claim = loaded.claims[0]
    assert claim.namespace == "default" and claim.volume_name == ""  # unbound: pending
    assert claim.storage_class_name == "fast" and claim.access_modes == ("ReadWriteOnce",)
    assert dict(claim.requests) == {"storage": 10 * 2**30}
    assert dict(claim.labels) == {"tier": "storage", "app": "db"}  # the set's selector labels added
    pod = loaded.pods[0]
    # updateStorage: the claim replaces the template's volume of the same name; others follow.
    assert [(v.name, v.source_type, dict(v.source)) for v in pod.volumes] == [
        ("data", "persistentVolumeClaim", {"claimName": "data-db-3"}),
        ("config", "configMap", {"name": "db-config", "defaultMode": 0o644}),  # SetDefaults_ConfigMapVolumeSource
    ]
    assert pod.labels["statefulset.kubernetes.io/pod-name"] == "db-3"
    assert pod.labels["apps.kubernetes.io/pod-index"] == "3"
    assert pod.owner_references[0].kind == "StatefulSet"
    assert [s.kind for s in loaded.selecting] == ["StatefulSet"]


def _job(spec: str) -> str:
    return f"""
apiVersion: batch/v1
kind: Job
metadata: {{name: j, namespace: batch}}
spec:
  {spec}
  template:
    metadata: {{labels: {{app: j}}}}
    spec: {{restartPolicy: Never, containers: [{{name: c, image: busybox}}]}}
"""


@pytest.mark.parametrize(
    ("spec", "count"),
    [("{}", 1), ("parallelism: 3", 3), ("completions: 5", 1), ("parallelism: 4\n  completions: 2", 2)],
)
def test_a_job_starts_parallelism_pods_capped_by_completions(tmp_path: Path, spec: str, count: int) -> None:
    text = _job(spec) if spec != "{}" else _job("backoffLimit: 1")
    assert len(load_files([write(tmp_path, text)]).pods) == count


def test_job_pods_carry_the_job_strategys_labels(tmp_path: Path) -> None:
    (pod,) = load_files([write(tmp_path, _job("parallelism: 1"))]).pods
    uid = "batchproof-batch-j"  # the stand-in UID the oracle's decode also gives a Job
    assert dict(pod.labels) == {
        "app": "j",
        "job-name": "j",
        "batch.kubernetes.io/job-name": "j",
        "controller-uid": uid,
        "batch.kubernetes.io/controller-uid": uid,
    }
    assert pod.owner_references == (OwnerReference("batch/v1", "Job", "j", uid, controller=True),)
    manual = _job("manualSelector: true\n  selector: {matchLabels: {app: j}}")
    (plain,) = load_files([write(tmp_path, manual)]).pods
    assert dict(plain.labels) == {"app": "j"}


def test_an_indexed_job_gives_each_pod_its_completion_index(tmp_path: Path) -> None:
    pods = load_files([write(tmp_path, _job("completionMode: Indexed\n  completions: 3\n  parallelism: 3"))]).pods
    assert [p.labels["batch.kubernetes.io/job-completion-index"] for p in pods] == ["0", "1", "2"]
    assert [p.annotations["batch.kubernetes.io/job-completion-index"] for p in pods] == ["0", "1", "2"]
    assert [p.name.rsplit("-", 1)[0] for p in pods] == ["j-0", "j-1", "j-2"]  # podGenerateNameWithIndex
    assert len({p.name for p in pods}) == 3


@pytest.mark.parametrize(
    ("kind", "policy", "message"),
    [
        ("Job", "", 'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'),
        ("Job", "Always", "spec.template.spec.restartPolicy: Required value"),
        ("Job", "Sometimes", 'spec.template.spec.restartPolicy: Unsupported value: "Sometimes"'),
        (
            "ReplicaSet",
            "Never",
            'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
        ),
    ],
)
def test_a_template_restart_policy_is_validated_per_kind(tmp_path: Path, kind: str, policy: str, message: str) -> None:
    restart = f"restartPolicy: {policy}, " if policy else ""
    text = f"""
kind: {kind}
metadata: {{name: w}}
spec:
  selector: {{matchLabels: {{app: w}}}}
  template: {{metadata: {{labels: {{app: w}}}}, spec: {{{restart}containers: [{{name: c, image: busybox}}]}}}}
"""
    path = write(tmp_path, text)
    with pytest.raises(ManifestError) as caught:
        load_files([path])
    assert str(caught.value).startswith(f"{path}: document 1: {message}")


DAEMON_SET = """
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      hostNetwork: HOSTNET
      nodeSelector: {kubernetes.io/os: linux}
      tolerations: [{key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 300}]
      containers: [{name: c, image: agent}]
"""
LINUX = {"kubernetes.io/os": "linux"}
NODES = (
    Node("plain", labels=LINUX),
    Node("windows", labels={"kubernetes.io/os": "windows"}),
    Node("dedicated", labels=LINUX, taints=(Taint("dedicated", "gpu", "NoSchedule"),)),
    Node(
        "cordoned",
        labels=LINUX,
        unschedulable=True,
        taints=(Taint("node.kubernetes.io/unschedulable", "", "NoSchedule"),),
    ),
    Node("preferring", labels=LINUX, taints=(Taint("spot", "", "PreferNoSchedule"),)),
    Node("evicting", labels=LINUX, taints=(Taint("node.kubernetes.io/not-ready", "", "NoExecute"),)),
)


def test_a_daemonset_runs_one_pod_per_eligible_node_pinned_by_node_affinity(tmp_path: Path) -> None:
    pods = load_files([write(tmp_path, DAEMON_SET.replace("HOSTNET", "false"))], nodes=NODES).pods
    # windows fails the node selector, dedicated has an untolerated NoSchedule taint; the daemon
    # tolerations cover cordoned and evicting; PreferNoSchedule does not count.
    assert [p.affinity.node_affinity.required for p in pods if p.affinity and p.affinity.node_affinity] == [
        (NodeSelectorTerm(match_fields=(NodeSelectorRequirement("metadata.name", "In", (name,)),)),)
        for name in ("plain", "cordoned", "preferring", "evicting")
    ]
    pod = pods[0]
    assert pod.node_name == "" and pod.name == "agent-00000" and pod.namespace == "kube-system"
    assert pod.owner_references[0].kind == "DaemonSet"
    assert pod.labels["pod-template-generation"] == "1" and "controller-revision-hash" in pod.labels
    # AddOrUpdateDaemonPodTolerations: the not-ready toleration is replaced in place (no seconds).
    assert pod.tolerations == DAEMON_TOLERATIONS
    assert dict(pod.node_selector) == LINUX


def test_a_host_network_daemonset_also_tolerates_network_unavailable(tmp_path: Path) -> None:
    pods = load_files([write(tmp_path, DAEMON_SET.replace("HOSTNET", "true"))], nodes=NODES[:1]).pods
    assert pods[0].tolerations == (*DAEMON_TOLERATIONS, HOST_NETWORK_TOLERATION)
    assert Toleration("node.kubernetes.io/not-ready", "Exists", "", "NoExecute", 300) not in pods[0].tolerations


def test_a_daemonset_without_nodes_is_one_line_naming_file_and_document(tmp_path: Path) -> None:
    path = write(tmp_path, DAEMON_SET.replace("HOSTNET", "false"))
    with pytest.raises(ManifestError) as caught:
        load_files([path])
    message = str(caught.value)
    assert message.startswith(f"{path}: document 1: kind: a DaemonSet runs one pod per eligible node")
    assert "\n" not in message


def test_schedule_places_each_daemon_pod_on_its_node(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    nodes = "\n---\n".join(
        f"kind: Node\nmetadata: {{name: {name}, labels: {{kubernetes.io/os: linux}}}}\n"
        'status: {allocatable: {cpu: "4", memory: 8Gi, pods: "10"}}'
        for name in ("n1", "n2", "n3")
    )
    argv = ["schedule", "--nodes", write(tmp_path, nodes, "n.yaml")]
    argv += ["--pods", write(tmp_path, DAEMON_SET.replace("HOSTNET", "false")), "--format", "json"]
    assert main(argv) == 0
    placements = json.loads(capsys.readouterr().out)["placements"]
    assert [(p["pod"], p["node"]) for p in placements] == [
        ("kube-system/agent-00000", "n1"),
        ("kube-system/agent-00001", "n2"),
        ("kube-system/agent-00002", "n3"),
    ]


def test_podtopologyspread_scores_a_replica_against_its_replicaset_siblings(tmp_path: Path) -> None:
    """Default constraints (hostname, ScheduleAnyway) count the pods the ReplicaSet selects: a node
    holding a sibling scores lower; without the ReplicaSet object there is no default selector."""
    loaded = load_files([write(tmp_path, DEPLOYMENT)])
    nodes = [Node(n, labels={"kubernetes.io/hostname": n}, allocatable={"cpu": 4000, "pods": 10}) for n in ("n1", "n2")]
    sibling = replace(loaded.pods[0], node_name="n1")
    plugin = DEFAULT_REGISTRY.create("PodTopologySpread", {}, PluginContext())
    with_rs = evaluate_plugin(plugin, loaded.pods[1], Snapshot(nodes, [sibling], objects=loaded.objects()))
    assert with_rs.normalized["n1"] < with_rs.normalized["n2"]
    without = evaluate_plugin(plugin, loaded.pods[1], Snapshot(nodes, [sibling]))
    assert without.normalized == {}  # PreScore skips: nothing selects the pod
