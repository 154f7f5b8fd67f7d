"""The model's defaulting and validation against upstream's, through the oracle's ``decode``.

(a) Generated pods and nodes: what the model stores after defaulting equals what upstream's
decode and defaulting return, read back through the model's decoder (so every field the model
reads is compared), and both accept them as valid.
(b) The repository's real manifests (examples/, deploy/, the upstream plugin-test fixture objects)
and the malformed corpus (tests/fixtures/malformed/): model and upstream agree on accept/reject.

Upstream rejects a document when decode reports errors; a KubeSchedulerConfiguration also when
upstream's framework refuses to build from it (kube-scheduler would not start), asked through
``evaluate``. Every comparison counts its examples and fails when none reached it.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given

from batchproof.model.config import load_config
from batchproof.model.errors import BatchproofError, ManifestError
from batchproof.model.manifests.encode import encode_node
from batchproof.model.manifests.load import Manifests, load_document, load_files, load_objects
from batchproof.model.manifests.reader import Reader
from batchproof.model.objects import Node, Pod
from batchproof.properties.statistics import PathCounter
from batchproof.properties.strategies import pods
from batchproof.properties.strategies.objects import (
    anti_affinity_pods,
    host_port_pods,
    lean_pods,
    node_lists,
    sparse_request_pods,
)
from batchproof.upstream import Oracle
from batchproof.upstream.encode import pod_document

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fixtures" / "malformed"
FIXTURE_CASES = ROOT / "tests" / "fixtures" / "k8s-plugin-cases"
REAL_FILES = sorted([*(ROOT / "examples").rglob("*.yaml"), *(ROOT / "deploy").glob("*.yaml")])

# Deliberate differences (README "Where the model differs from Kubernetes"), each pinned below.
MODEL_ONLY_RULES = {
    # Priority admission (plugin/pkg/admission/priority) is not validation; decode runs no admission.
    "pod-priority-class-missing.yaml": "admission",
    "pod-priority-contradicts-class.yaml": "admission",
    # Upstream does not validate node images; the model refuses a negative size (tests/model/test_admission.py).
    "node-image-size.yaml": "negative image size",
}

# The model takes a document without apiVersion (its kind's version); kubectl and the API server
# do not. Deliberate (README), pinned below; upstream gets the version filled in.
API_VERSIONS = {
    "Pod": "v1",
    "Node": "v1",
    "Service": "v1",
    "PersistentVolumeClaim": "v1",
    "Namespace": "v1",
    "ReplicationController": "v1",
    "Deployment": "apps/v1",
    "ReplicaSet": "apps/v1",
    "StatefulSet": "apps/v1",
    "DaemonSet": "apps/v1",
    "Job": "batch/v1",
    "PriorityClass": "scheduling.k8s.io/v1",
}

POD_STRATEGIES = {
    "pods": pods(),
    "signable pods": pods(affinity=False, spread=False, volumes_=False),
    "lean pods": lean_pods(),
    "sparse request pods": sparse_request_pods(),
    "host port pods": host_port_pods(),
    "anti-affinity pods": anti_affinity_pods(),
}


def _decode(oracle: Oracle, documents: list[Any]) -> list[dict[str, Any]]:
    decoded: list[dict[str, Any]] = oracle.request("decode", {"documents": documents})["documents"]
    assert len(decoded) == len(documents)
    return decoded


def _errors(decoded: dict[str, Any]) -> list[str]:
    return [f"{e['field']}: {e['message']}" for e in decoded["errors"]]


def _model_admits(document: Any) -> tuple[Manifests | None, str]:
    """What the model stores for one document on create (defaulting and validation), or why not."""
    out = Manifests()
    try:
        load_document(Reader(document, "<doc>", 1, ""), out, admit=True, nodes=())
    except ManifestError as error:
        return None, str(error)
    return out, ""


def _upstream_stored(decoded: dict[str, Any]) -> Manifests:
    """Upstream's defaulted object read back through the model's decoder (as stored, no defaulting)."""
    return load_objects([decoded["object"]], source="<upstream>")


def _check_pods(oracle: Oracle, batch: list[Pod], counter: PathCounter) -> None:
    documents = [pod_document(p) for p in batch]
    for pod, document, decoded in zip(batch, documents, _decode(oracle, documents), strict=True):
        assert decoded["validated"], decoded
        assert _errors(decoded) == [], f"upstream rejects a generated pod {pod!r}: {_errors(decoded)}"
        model, why = _model_admits(copy.deepcopy(document))
        assert model is not None, f"the model rejects a generated pod: {why}"
        assert _upstream_stored(decoded).pods == model.pods, f"defaulting differs for {pod!r}"
        counter.hit("pod compared")


def _check_nodes(oracle: Oracle, batch: list[Node], counter: PathCounter) -> None:
    documents = [encode_node(n) for n in batch]
    for node, document, decoded in zip(batch, documents, _decode(oracle, documents), strict=True):
        assert decoded["validated"], decoded
        assert _errors(decoded) == [], f"upstream rejects a generated node {node!r}: {_errors(decoded)}"
        model, why = _model_admits(copy.deepcopy(document))
        assert model is not None, f"the model rejects a generated node: {why}"
        assert _upstream_stored(decoded).nodes == model.nodes, f"defaulting differs for {node!r}"
        counter.hit("node compared")


@pytest.mark.parametrize("name", list(POD_STRATEGIES))
def test_generated_pods_default_and_validate_as_upstream(oracle: Oracle, name: str) -> None:
    counter = PathCounter(f"decode-fidelity/{name}")

    @given(POD_STRATEGIES[name])
    def check(pod: Pod) -> None:
        _check_pods(oracle, [pod], counter)

    check()
    counter.require("pod compared")


def test_generated_nodes_default_and_validate_as_upstream(oracle: Oracle) -> None:
    counter = PathCounter("decode-fidelity/nodes")

    @given(node_lists())
    def check(nodes: list[Node]) -> None:
        _check_nodes(oracle, nodes, counter)

    check()
    counter.require("node compared")


# (b) accept/reject on real manifests and the malformed corpus.


def _documents(path: Path) -> list[Any]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d is not None]


def _flatten(documents: list[Any]) -> list[Any]:
    """List items as documents of their own: upstream decodes a List without validating its items."""
    out: list[Any] = []
    for document in documents:
        if isinstance(document, dict) and str(document.get("kind", "")).endswith("List"):
            out.extend(_flatten(list(document.get("items") or [])))
        elif isinstance(document, dict) and "apiVersion" not in document and document.get("kind") in API_VERSIONS:
            out.append({"apiVersion": API_VERSIONS[document["kind"]], **document})
        else:
            out.append(document)
    return out


def _framework_refuses(oracle: Oracle, config: dict[str, Any]) -> str:
    """Why upstream's framework cannot be built from a config that decodes ('' when it can)."""
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"}, "status": {"allocatable": {"pods": "1"}}}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"}}
    pod["spec"] = {"containers": [{"name": "c", "image": "i"}]}
    profiles = [p.get("schedulerName", "default-scheduler") for p in config.get("profiles") or [{}]]
    for name in profiles:
        try:
            oracle.request("evaluate", {"config": config, "profile": name, "nodes": [node], "pod": pod})
        except BatchproofError as error:
            return str(error)
    return ""


def upstream_verdict(oracle: Oracle, path: Path) -> str:
    """'' when upstream accepts every document of the file, else its first complaint."""
    documents = _flatten(_documents(path))
    for decoded in _decode(oracle, documents):
        if decoded["errors"]:
            return f"document {decoded['index']}: {_errors(decoded)[0]}"
    for document in documents:
        if isinstance(document, dict) and document.get("kind") == "KubeSchedulerConfiguration":
            refused = _framework_refuses(oracle, document)
            if refused:
                return refused
    return ""


def model_verdict(path: Path) -> str:
    """'' when the model accepts the file as the CLI reads it, else its one-line error."""
    documents = _documents(path)
    try:
        if any(isinstance(d, dict) and d.get("kind") == "KubeSchedulerConfiguration" for d in documents):
            load_config(path)
        else:
            load_files([path], nodes=())  # DaemonSets expand over no nodes: their templates still validate
    except BatchproofError as error:
        return str(error)
    return ""


CORPUS_FILES = sorted(p for p in CORPUS.glob("*.yaml") if p.name not in MODEL_ONLY_RULES)


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.stem for p in CORPUS_FILES])
def test_upstream_rejects_every_malformed_manifest_the_model_rejects(oracle: Oracle, path: Path) -> None:
    assert model_verdict(path), "the corpus holds only manifests the model rejects"
    assert upstream_verdict(oracle, path), f"upstream accepts {path.name}; the model says: {model_verdict(path)}"


def test_the_corpus_comparison_reached_its_files() -> None:
    assert len(CORPUS_FILES) >= 40


@pytest.mark.parametrize("name", sorted(MODEL_ONLY_RULES))
def test_deliberate_model_only_rules_are_pinned(oracle: Oracle, name: str) -> None:
    """Each documented difference still holds: the model rejects the file, upstream's decode accepts it."""
    path = CORPUS / name
    assert model_verdict(path)
    assert upstream_verdict(oracle, path) == ""


def test_real_manifests_are_accepted_by_both(oracle: Oracle) -> None:
    compared = 0
    for path in REAL_FILES:
        assert model_verdict(path) == "", path
        assert upstream_verdict(oracle, path) == "", path
        compared += 1
    assert compared >= 5, f"only {compared} real manifest files compared"


def _fixture_objects() -> list[tuple[str, str, dict[str, Any]]]:
    """Every pod and node of the upstream plugin-test fixtures, as a manifest with its kind."""
    out: list[tuple[str, str, dict[str, Any]]] = []
    for path in sorted(FIXTURE_CASES.glob("*.json")):
        data = yaml.safe_load(path.read_text())
        for case in data["cases"]:
            where = f"{path.stem}: {case['name']}"
            candidates = [("Pod", case.get("pod")), *(("Pod", p) for p in case.get("existingPods") or [])]
            candidates += [("Node", n) for n in case.get("nodes") or []]
            for kind, body in candidates:
                if isinstance(body, dict):
                    out.append((where, kind, {"apiVersion": "v1", "kind": kind, **body}))
    return out


def test_fixture_objects_are_accepted_or_rejected_alike(oracle: Oracle) -> None:
    """Upstream's plugin tests build objects the API server would reject (nameless pods, nodes
    named ``nodeA``): model and upstream validation must agree on every one of them."""
    counts: Counter[str] = Counter()
    objects = _fixture_objects()
    decoded = _decode(oracle, [copy.deepcopy(o) for _, _, o in objects])
    disagreements = []
    for (where, kind, body), answer in zip(objects, decoded, strict=True):
        stored, why = _model_admits(copy.deepcopy(body))
        upstream = _errors(answer)
        counts["rejected by both" if upstream and stored is None else "accepted by both"] += 1
        if bool(upstream) != (stored is None):
            disagreements.append(
                f"{where}: {kind} {body.get('metadata')}: model {why or 'accepts'}; upstream {upstream}"
            )
    assert disagreements == []
    assert counts["accepted by both"] and counts["rejected by both"], counts


def test_a_rejection_names_a_field_upstream_also_names(oracle: Oracle) -> None:
    """Where both reject a corpus file, the model's field is among upstream's (up to index style)."""
    compared = 0
    for path in CORPUS_FILES:
        documents = _flatten(_documents(path))
        fields = {_canonical(e["field"]) for d in _decode(oracle, documents) for e in d["errors"]} - {""}
        if not fields or path.name.startswith("config-"):
            continue  # a decode error without a field, or a config refused by the framework
        expected = path.read_text().splitlines()[0].removeprefix("# expect: ")
        expected = re.sub(r"^items\[\d+\]\.", "", expected)
        assert any(f == _canonical(expected) or f.startswith(_canonical(expected) + ".") for f in fields), (
            path.name,
            expected,
            sorted(fields),
        )
        compared += 1
    assert compared >= 30, f"only {compared} corpus fields compared"


def _canonical(field: str) -> str:
    """``a[b]`` and ``a.b`` name the same map key (requests[cpu] vs requests.cpu)."""
    return re.sub(r"\[([^\]0-9][^\]]*)\]", r".\1", field)


def test_a_document_without_api_version_is_the_models_leniency(oracle: Oracle) -> None:
    """Deliberate: the model reads ``kind: Pod`` without ``apiVersion``; upstream's decoder refuses it."""
    document = {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    model, _ = _model_admits(copy.deepcopy(document))
    assert model is not None and len(model.pods) == 1
    (answer,) = _decode(oracle, [document])
    assert "apiVersion" in _errors(answer)[0]


BOTH_ACCEPT = {
    # kube-scheduler has no rule on plugin weights; the framework turns only 0 into 1.
    "negative score weight": """
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- plugins: {multiPoint: {enabled: [{name: NodeAffinity, weight: -1}]}}
""",
    # validatePluginConfig ignores a name no plugin has, even "".
    "pluginConfig without a name": """
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- pluginConfig: [{args: {}}]
""",
    # ValidatePodSpec has no rule on spec.schedulerName.
    "any scheduler name": """
apiVersion: v1
kind: Pod
metadata: {name: p}
spec: {schedulerName: My Scheduler, containers: [{name: c, image: nginx}]}
""",
    # ContainerRestartRules (beta, default on since v1.35): Never and OnFailure on any container.
    "container restartPolicy Never": """
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers: [{name: i, image: busybox, restartPolicy: Never}]
  containers: [{name: c, image: nginx, restartPolicy: OnFailure}]
""",
    # value is a plain int32: absent is 0.
    "PriorityClass without value": """
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: gold}
""",
}


@pytest.mark.parametrize("name", sorted(BOTH_ACCEPT))
def test_rules_the_model_dropped_to_follow_kubernetes_are_accepted_by_both(
    oracle: Oracle, tmp_path: Path, name: str
) -> None:
    """Differences this comparison found, fixed in the model: upstream accepts each, so the model does."""
    path = tmp_path / "doc.yaml"
    path.write_text(BOTH_ACCEPT[name])
    assert upstream_verdict(oracle, path) == ""
    assert model_verdict(path) == ""


MODEL_LENIENT = {
    # apps/v1 requires spec.selector; the model expands the template without it.
    "Deployment without a selector": """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx}]}
""",
    # The model's Pod has no pod-level restartPolicy, so it cannot refuse an unknown one.
    "pod restartPolicy Sometimes": """
apiVersion: v1
kind: Pod
metadata: {name: p}
spec: {restartPolicy: Sometimes, containers: [{name: c, image: nginx}]}
""",
}


@pytest.mark.parametrize("name", sorted(MODEL_LENIENT))
def test_documented_leniencies_hold(oracle: Oracle, tmp_path: Path, name: str) -> None:
    """Deliberate (README "Where the model differs"): upstream rejects, the model accepts."""
    path = tmp_path / "doc.yaml"
    path.write_text(MODEL_LENIENT[name])
    assert upstream_verdict(oracle, path)
    assert model_verdict(path) == ""


WORKLOAD_KINDS = ("Deployment", "ReplicaSet", "StatefulSet", "Job", "ReplicationController", "DaemonSet")
CONTROLLER_FIELDS = ("name", "uid", "labels", "annotations", "owner_references", "volumes", "tolerations", "affinity")


WORKLOADS = """
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: c, image: postgres:16, ports: [{containerPort: 5432}], resources: {limits: {cpu: "1"}}}]
      volumes: [{name: config, configMap: {name: db-config}}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      hostNetwork: true
      containers: [{name: c, image: agent, ports: [{containerPort: 9100}]}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  parallelism: 2
  completionMode: Indexed
  completions: 2
  template:
    spec:
      restartPolicy: Never
      initContainers: [{name: side, image: envoy:1, restartPolicy: Always}]
      containers: [{name: c, image: busybox, resources: {limits: {memory: 64Mi}}}]
"""


def _workloads() -> list[tuple[str, dict[str, Any]]]:
    """Every workload document of the repository's manifests, and a few of every other kind."""
    texts = [*(p.read_text() for p in REAL_FILES), WORKLOADS]
    out = []
    for text in texts:
        for document in yaml.safe_load_all(text):
            if isinstance(document, dict) and document.get("kind") in WORKLOAD_KINDS:
                out.append((f"{document['kind']}/{document['metadata']['name']}", document))
    return out


def test_workload_pods_are_defaulted_as_upstream_defaults_their_template(oracle: Oracle) -> None:
    """The pods a workload expands into are its template as upstream stores it, made a pod and
    stored again (apart from what the controller adds: names, labels, owners, claim volumes, daemon
    tolerations and affinity)."""
    workloads = _workloads()
    decoded = _decode(oracle, _flatten([copy.deepcopy(d) for _, d in workloads]))
    compared = 0
    nodes = (Node("n1"),)
    for (where, document), answer in zip(workloads, decoded, strict=True):
        assert _errors(answer) == [], (where, _errors(answer))
        out = Manifests()
        load_document(Reader(copy.deepcopy(document), where, 1, ""), out, admit=True, nodes=nodes)
        stored = answer["object"]
        # The controller creates a pod from the stored (defaulted) template; the API server then
        # defaults that pod (SetDefaults_Pod: requests from limits only happen here).
        template = {"apiVersion": "v1", "kind": "Pod", **stored["spec"]["template"]}
        template["metadata"] = {
            **template.get("metadata", {}),
            "name": "p",
            "namespace": stored["metadata"]["namespace"],
        }
        (created,) = _decode(oracle, [template])
        assert _errors(created) == [], (where, _errors(created))
        (upstream_pod,) = _upstream_stored(created).pods
        for pod in out.pods:
            mine = {f: getattr(pod, f) for f in Pod.__dataclass_fields__ if f not in CONTROLLER_FIELDS}
            theirs = {f: getattr(upstream_pod, f) for f in Pod.__dataclass_fields__ if f not in CONTROLLER_FIELDS}
            assert mine == theirs, where
            # With everything the controller added, upstream stores the pod as the model does.
            (answer_pod,) = _decode(oracle, [pod_document(pod)])
            assert _errors(answer_pod) == [], (where, pod.name, _errors(answer_pod))
            assert _upstream_stored(answer_pod).pods == [pod], (where, pod.name)
            compared += 1
    assert compared >= 5, f"only {compared} workload pods compared"


def _workload_of(kind: str, pod: Pod) -> dict[str, Any]:
    """A ``kind`` workload whose template is the generated pod (as a user would write it)."""
    document = pod_document(pod)
    labels = {**document["metadata"].get("labels", {}), "batchproof.example/workload": "gen"}
    template: dict[str, Any] = {"metadata": {"labels": labels}, "spec": dict(document["spec"])}
    if document["metadata"].get("annotations"):
        template["metadata"]["annotations"] = document["metadata"]["annotations"]
    spec: dict[str, Any] = {"template": template}
    if kind == "Job":
        template["spec"]["restartPolicy"] = "Never"
        spec.update(parallelism=2, completions=2, completionMode="Indexed")
    else:
        spec["selector"] = {"matchLabels": {"batchproof.example/workload": "gen"}}
    if kind in ("Deployment", "StatefulSet"):
        spec["replicas"] = 2
    if kind == "StatefulSet":
        claim = {"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"]}}
        spec["volumeClaimTemplates"] = [
            {**claim, "spec": {**claim["spec"], "resources": {"requests": {"storage": "1Gi"}}}}
        ]
    api = "batch/v1" if kind == "Job" else "apps/v1"
    return {"apiVersion": api, "kind": kind, "metadata": {"name": "gen", "namespace": pod.namespace}, "spec": spec}


@pytest.mark.parametrize("kind", ["Deployment", "StatefulSet", "Job", "DaemonSet"])
def test_generated_workloads_expand_into_pods_upstream_stores_unchanged(oracle: Oracle, kind: str) -> None:
    """A generated pod as a workload's template: upstream accepts the workload, and every pod the
    model's controller creates from it is one upstream validates and stores exactly as the model does."""
    counter = PathCounter(f"decode-fidelity/workloads/{kind}")

    @given(pods(), node_lists())
    def check(pod: Pod, nodes: list[Node]) -> None:
        workload = _workload_of(kind, pod)
        (answer,) = _decode(oracle, [copy.deepcopy(workload)])
        assert _errors(answer) == [], _errors(answer)
        out = Manifests()
        load_document(Reader(workload, "<gen>", 1, ""), out, admit=True, nodes=nodes)
        if not out.pods:
            return  # a DaemonSet no generated node is eligible for
        stored = _decode(oracle, [pod_document(p) for p in out.pods])
        for created, answer_pod in zip(out.pods, stored, strict=True):
            assert _errors(answer_pod) == [], (created.name, _errors(answer_pod))
            assert _upstream_stored(answer_pod).pods == [created], created.name
        counter.hit("workload compared")

    check()
    counter.require("workload compared")
