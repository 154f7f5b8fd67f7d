"""Loading as a cluster would: defaulting, Priority admission, generateName, mixed-kind files."""

from __future__ import annotations

from pathlib import Path

import pytest

from batchproof.model.errors import ManifestError
from batchproof.model.manifests import load_files
from batchproof.model.objects import ContainerImage, Node
from batchproof.model.validation import validate_node

APP = """
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: low-default}
value: 10
globalDefault: true
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      priorityClassName: high
      containers:
      - name: web
        image: nginx
        resources: {limits: {cpu: 500m, memory: 128Mi}, requests: {memory: 64Mi}}
---
apiVersion: v1
kind: Pod
metadata: {generateName: batch-}
spec:
  hostNetwork: true
  containers: [{name: c, image: busybox, ports: [{containerPort: 9000}]}]
"""


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "app.yaml"
    path.write_text(text)
    return str(path)


def test_an_application_manifest_loads_with_its_objects(tmp_path: Path) -> None:
    loaded = load_files([write(tmp_path, APP)], allowed=("Pod", "Deployment"))
    # The Service, and the ReplicaSet the Deployment controller creates.
    assert [s.kind for s in loaded.selecting] == ["Service", "ReplicaSet"]
    assert [c.name for c in loaded.claims] == ["data"]
    assert [c.name for c in loaded.priority_classes] == ["high", "low-default"]
    assert len(loaded.pods) == 3


def test_requests_default_from_limits_and_host_network_ports_from_container_ports(tmp_path: Path) -> None:
    web, _, batch = load_files([write(tmp_path, APP)]).pods
    # pkg/apis/core/v1/defaults.go SetDefaults_Pod: a limit without a request becomes the request.
    assert web.containers[0].requests == {"cpu": 500, "memory": 64 * 1024**2}
    assert batch.containers[0].ports[0].host_port == 9000


def test_priority_admission_uses_the_named_class_or_the_global_default(tmp_path: Path) -> None:
    web, _, batch = load_files([write(tmp_path, APP)]).pods
    assert (web.priority, web.priority_class_name) == (1000, "high")
    assert (batch.priority, batch.priority_class_name) == (10, "low-default")
    assert batch.preemption_policy is None or batch.preemption_policy == "PreemptLowerPriority"


def test_without_a_default_class_priority_is_zero_and_system_classes_exist(tmp_path: Path) -> None:
    text = (
        "kind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: c, image: x}]}\n---\n"
        "kind: Pod\nmetadata: {name: b}\nspec: {priorityClassName: system-node-critical, containers: [{name: c, image: x}]}\n"
    )
    a, b = load_files([write(tmp_path, text)]).pods
    assert (a.priority, a.preemption_policy) == (0, "PreemptLowerPriority")
    assert b.priority == 2_000_001_000


def test_generate_name_gives_stable_unique_names(tmp_path: Path) -> None:
    text = "".join(
        "---\nkind: Pod\nmetadata: {generateName: run-}\nspec: {containers: [{name: c, image: x}]}\n" for _ in range(3)
    )
    path = write(tmp_path, text)
    names = [p.name for p in load_files([path]).pods]
    assert len(set(names)) == 3
    assert all(n.startswith("run-") and len(n) == len("run-") + 5 for n in names)
    assert names == [p.name for p in load_files([path]).pods]


def test_a_pod_naming_an_unknown_class_is_refused_at_its_field(tmp_path: Path) -> None:
    text = "kind: Pod\nmetadata: {name: a}\nspec: {priorityClassName: gold, containers: [{name: c, image: x}]}\n"
    with pytest.raises(ManifestError, match=r"document 1: spec\.priorityClassName: .*no PriorityClass with name gold"):
        load_files([write(tmp_path, text)])


def test_unmodelled_kinds_are_named_with_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match=r"document 1: kind: unsupported kind 'Ingress'.*remove the document"):
        load_files([write(tmp_path, "kind: Ingress\nmetadata: {name: x}\n")], allowed=("Pod",))


def test_negative_image_sizes_are_refused_deliberately() -> None:
    """Model-vs-Kubernetes difference (README): upstream does not validate status.images; no
    kubelet reports a negative size, so the model refuses one rather than score with it."""
    errors = validate_node(Node("n1", images=(ContainerImage(("nginx:latest",), -1),)))
    assert [str(e) for e in errors] == [
        "status.images[0].sizeBytes: Invalid value: -1: must be greater than or equal to 0"
    ]
