"""The CLI contract: JSON shapes, exit codes and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from batchproof.properties.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
NODES = str(ROOT / "examples" / "cluster" / "nodes.yaml")
PODS = str(ROOT / "examples" / "cluster" / "pods.yaml")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def node_manifests(count: int, *, cpu: str, memory: str) -> str:
    """``count`` identical nodes n0, n1, ... as multi-document YAML."""
    return "\n---\n".join(
        f"kind: Node\nmetadata: {{name: n{i}}}\nstatus: {{allocatable: {{cpu: '{cpu}', memory: {memory}, pods: '110'}}}}"
        for i in range(count)
    )


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_eval_prints_the_contract(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pod = write(
        tmp_path,
        "pod.yaml",
        "kind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: nginx, resources: {requests: {cpu: '1'}}}]\n",
    )
    code, out, err = run(
        capsys, "eval", "--plugin", "NodeResourcesFit", "--pod", pod, "--nodes", NODES, "--format", "json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert set(doc) == {"plugin", "preFilter", "filter", "preScore", "score", "sign"}
    assert doc["preFilter"] == {"code": "Success", "reasons": [], "result": None}
    assert set(doc["filter"]) == {f"node-{i}" for i in range(8)}
    assert set(doc["score"]) == {"raw", "normalized"}
    assert doc["score"]["raw"] == doc["score"]["normalized"]  # Fit has no NormalizeScore
    assert doc["sign"]["code"] == "Success"
    assert "v1.Pod.Spec.ContainerRequestsAndOverheads()" in doc["sign"]["fragments"]


def test_eval_scored_nodes_and_skip_prefilter(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pod = write(tmp_path, "pod.yaml", "kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: nginx}]}\n")
    code, out, _ = run(
        capsys,
        "eval",
        "--plugin",
        "NodeResourcesFit",
        "--pod",
        pod,
        "--nodes",
        NODES,
        "--scored-nodes",
        "node-0,node-1",
        "--skip-prefilter",
        "--format",
        "json",
    )
    assert code == 0
    doc = json.loads(out)
    assert set(doc["score"]["raw"]) == {"node-0", "node-1"}
    assert all(v["code"] == "Error" for v in doc["filter"].values())  # Filter without PreFilter state


def test_schedule_reference_places_pods_in_file_order(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "schedule", "--nodes", NODES, "--pods", PODS, "--scheduler", "reference", "--format", "json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["scheduler"] == "reference"
    # Deployment pods are named after their ReplicaSet, <deployment>-<pod-template-hash>.
    assert [p["pod"] for p in doc["placements"]][:2] == ["shop/web-5dc45b996f-00000", "shop/web-5dc45b996f-00001"]
    assert all(p["path"] == "full" and p["node"] for p in doc["placements"])
    assert doc["metrics"] == {}


def test_schedule_both_reports_divergences_and_metrics(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    metrics = tmp_path / "metrics.prom"
    code, out, err = run(
        capsys,
        "schedule",
        "--nodes",
        NODES,
        "--pods",
        PODS,
        "--scheduler",
        "both",
        "--metrics-out",
        str(metrics),
        "--format",
        "json",
    )
    assert code == 0, err
    doc = json.loads(out)
    assert set(doc) == {"reference", "batched", "divergences"}
    batched = doc["batched"]
    assert {p["path"] for p in batched["placements"]} <= {"full", "hint", "nominated"}
    assert set(batched["metrics"]) == {
        "batch_attempts_total",
        "batch_cache_flushed_total",
        "store_schedule_results_total",
        "batch_rescore_attempts_total",
    }
    assert "scheduler_batch_attempts_total" in metrics.read_text()


def test_one_pod_per_node_run_is_hinted_and_default_profile_never_batches(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    nodes = node_manifests(6, cpu="4", memory="8Gi")
    pods = """kind: Deployment
metadata: {name: web}
spec:
  replicas: 5
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80, hostPort: 80}], resources: {requests: {cpu: 100m}}}]}
"""
    nodes_file, pods_file = write(tmp_path, "n.yaml", nodes), write(tmp_path, "p.yaml", pods)
    code, out, _ = run(
        capsys,
        "schedule",
        "--nodes",
        nodes_file,
        "--pods",
        pods_file,
        "--scheduler",
        "both",
        "--profile",
        "batching",
        "--format",
        "json",
    )
    assert code == 0
    doc = json.loads(out)
    assert sum(p["path"] == "hint" for p in doc["batched"]["placements"]) == 4
    assert doc["divergences"] == []
    code, out, _ = run(
        capsys,
        "schedule",
        "--nodes",
        nodes_file,
        "--pods",
        pods_file,
        "--scheduler",
        "both",
        "--profile",
        "default",
        "--format",
        "json",
    )
    assert code == 0
    assert all(p["path"] == "full" for p in json.loads(out)["batched"]["placements"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["eval", "--plugin", "Nope", "--pod", "x", "--nodes", "y"], "unknown plugin 'Nope'; known plugins:"),
        (["schedule", "--nodes", "/missing.yaml", "--pods", "x"], "/missing.yaml: cannot read file"),
        (["schedule", "--nodes", "NODES", "--pods", "NODES"], "unsupported kind 'Node' here"),
        (["schedule", "--nodes", "NODES", "--pods", "PODS", "--feature-gates", "Bogus=true"], "unknown gate 'Bogus'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    argv = [NODES if a == "NODES" else PODS if a == "PODS" else a for a in argv]
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert message in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_malformed_manifest_names_file_document_and_field(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pods = write(
        tmp_path,
        "bad.yaml",
        "kind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: c, image: nginx}]}\n---\nkind: Pod\nmetadata: {name: b}\nspec: {containers: [{resources: {requests: {memory: 12XB}}}]}\n",
    )
    code, _, err = run(capsys, "schedule", "--nodes", NODES, "--pods", pods)
    assert code == 2
    assert err.startswith(f"batchproof: error: {pods}: document 2: spec.containers[0].resources.requests.memory:")


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["schedule"])
    assert exit_info.value.code == 2


def test_several_pods_per_node_rescores_under_g3_and_flushes_under_g1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    nodes = node_manifests(4, cpu="8", memory="16Gi")
    pods = """kind: ReplicaSet
metadata: {name: small}
spec:
  replicas: 6
  selector: {matchLabels: {app: small}}
  template:
    metadata: {labels: {app: small}}
    spec: {containers: [{name: c, image: nginx, resources: {requests: {cpu: 100m, memory: 64Mi}}}]}
"""
    nodes_file, pods_file = write(tmp_path, "n.yaml", nodes), write(tmp_path, "p.yaml", pods)
    base = ["schedule", "--nodes", nodes_file, "--pods", pods_file, "--scheduler", "batched", "--format", "json"]
    code, out, _ = run(capsys, *base, "--variant", "g3")
    assert code == 0
    g3 = json.loads(out)
    assert g3["metrics"]["batch_rescore_attempts_total"] > 0
    assert any(p["path"] == "hint" for p in g3["placements"])
    code, out, _ = run(capsys, *base, "--variant", "g1")
    assert code == 0
    g1 = json.loads(out)
    assert g1["metrics"]["batch_cache_flushed_total"].get("node_not_full", 0) > 0
    assert g1["metrics"]["batch_rescore_attempts_total"] == 0


def test_prove_through_main_proves_strict_and_finds_upstream_gaps(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "prove", "--plugin", "NodePorts", "--signers", "strict", "--format", "json")
    assert code == 0, err
    assert {r["status"] for r in json.loads(out)["results"]} == {"proved"}
    code, out, _ = run(capsys, "prove", "--plugin", "NodePorts", "--signers", "upstream", "--format", "json")
    assert code == 1
    assert "counterexample" in {r["status"] for r in json.loads(out)["results"]}
