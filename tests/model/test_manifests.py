from pathlib import Path

import pytest

from batchproof.model.errors import ManifestError
from batchproof.model.manifests import load_files
from batchproof.model.objects import OwnerReference

POD = """
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: ns1, labels: {app: x}}
spec:
  initContainers:
  - name: sidecar
    image: envoy
    restartPolicy: Always
    resources: {requests: {cpu: 100m}}
  containers:
  - name: c
    image: nginx
    ports: [{containerPort: 80, hostPort: 8080, protocol: UDP, hostIP: 10.0.0.1}]
    resources: {requests: {cpu: "1.5", memory: 1Gi}, limits: {memory: 2Gi}}
  tolerations: [{key: k, operator: Exists, effect: NoSchedule}]
status: {nominatedNodeName: n1}
"""


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_pod_fields_are_decoded(tmp_path: Path) -> None:
    pods = load_files([write(tmp_path, "p.yaml", POD)]).pods
    assert len(pods) == 1
    pod = pods[0]
    assert pod.key == "ns1/a"
    assert pod.containers[0].requests == {"cpu": 1500, "memory": 1024**3}
    assert pod.containers[0].ports[0].protocol == "UDP"
    assert pod.containers[0].ports[0].host_ip == "10.0.0.1"
    assert pod.init_containers[0].is_sidecar
    assert pod.tolerations[0].operator == "Exists"
    assert pod.nominated_node_name == "n1"
    assert pod.scheduler_name == "default-scheduler"


def test_multi_document_list_and_json(tmp_path: Path) -> None:
    yaml_file = write(
        tmp_path,
        "nodes.yaml",
        "kind: List\nitems:\n- {kind: Node, metadata: {name: n1}}\n- {kind: Node, metadata: {name: n2}}\n---\n"
        "kind: Node\nmetadata: {name: n3}\nstatus: {capacity: {cpu: 2}}\n",
    )
    json_file = write(
        tmp_path, "n.json", '{"kind": "NodeList", "items": [{"kind": "Node", "metadata": {"name": "n4"}}]}'
    )
    nodes = load_files([yaml_file, json_file]).nodes
    assert [n.name for n in nodes] == ["n1", "n2", "n3", "n4"]
    assert nodes[2].allocatable == {"cpu": 2000}


def test_workloads_expand_into_owned_pods(tmp_path: Path) -> None:
    text = """
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx}]}
---
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 2
  selector: {matchLabels: {app: db}}
  template: {metadata: {labels: {app: db}}, spec: {containers: [{name: c, image: nginx}]}}
---
kind: Job
metadata: {name: j}
spec: {parallelism: 2, template: {spec: {restartPolicy: Never, containers: [{name: c, image: nginx}]}}}
"""
    manifests = load_files([write(tmp_path, "w.yaml", text)])
    names = [p.key for p in manifests.pods]
    assert names == [
        "shop/web-5776f98846-00000",
        "shop/web-5776f98846-00001",
        "shop/web-5776f98846-00002",
        "default/db-0",
        "default/db-1",
        "default/j-00000",
        "default/j-00001",
    ]
    rs = "web-5776f98846"
    owner = OwnerReference("apps/v1", "ReplicaSet", rs, "batchproof-shop-web-5776f98846", True)
    assert manifests.pods[0].owner_references == (owner,)
    assert [(s.kind, s.name) for s in manifests.selecting] == [("ReplicaSet", rs), ("StatefulSet", "db")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "kind: Pod\nspec: {containers: [{resources: {requests: {cpu: lots}}}]}",
            "document 1: spec.containers[0].resources.requests.cpu:",
        ),
        ("kind: Pod\nspec: {containers: {}}", "document 1: spec.containers: expected a list"),
        (
            "kind: Node\nmetadata: {name: n}\n---\nkind: Pod\nspec: {tolerations: [{effect: Sometimes}]}",
            "document 2: spec.tolerations[0].effect: unsupported value",
        ),
        ("kind: Gadget\n", "document 1: kind: unsupported kind 'Gadget'"),
        ("kind: Pod\nmetadata: [1]\n", "document 1: metadata: expected an object"),
        ("key: [unclosed\n", "invalid YAML at line"),
        ("- just a list\n", "document 1: expected an object"),
        (
            "kind: Pod\nspec: {containers: [{ports: [{containerPort: 1, hostPort: 70000}]}]}",
            "hostPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
        ),
    ],
)
def test_malformed_manifest_names_file_document_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "bad.yaml", text)
    with pytest.raises(ManifestError) as caught:
        load_files([path])
    assert str(caught.value).startswith(path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_file_is_a_manifest_error(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="cannot read file"):
        load_files([str(tmp_path / "nope.yaml")])
