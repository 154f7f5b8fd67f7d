"""Around the framework, from the CLI: priority order, scheduling gates, every profile of a config,
and the reason an unplaced pod carries (upstream's ``0/N nodes are available: ...``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from batchproof.model.framework.status import Status, unschedulable
from batchproof.model.objects import Pod
from batchproof.model.queue import fit_error_message, queue_order
from batchproof.properties.cli.main import main

NODE = """
apiVersion: v1
kind: Node
metadata: {name: small, labels: {kubernetes.io/hostname: small}}
spec: {taints: [{key: dedicated, value: batch, effect: NoSchedule}]}
status: {allocatable: {cpu: "1", memory: 4Gi, pods: "10"}}
"""
PODS = """
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000
---
kind: Pod
metadata: {name: low}
spec:
  tolerations: [{key: dedicated, operator: Exists}]
  containers: [{name: c, image: nginx, resources: {requests: {cpu: 800m}}}]
---
kind: Pod
metadata: {name: gated}
spec:
  schedulingGates: [{name: example.com/wait}]
  tolerations: [{key: dedicated, operator: Exists}]
  containers: [{name: c, image: nginx}]
---
kind: Pod
metadata: {name: urgent}
spec:
  priorityClassName: high
  tolerations: [{key: dedicated, operator: Exists}]
  containers: [{name: c, image: nginx, resources: {requests: {cpu: 800m}}}]
"""
CONFIG = """
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- schedulerName: default-scheduler
- schedulerName: ignore-taints
  plugins: {multiPoint: {disabled: [{name: TaintToleration}]}}
"""
PROFILE_PODS = """
kind: Pod
metadata: {name: plain}
spec: {containers: [{name: c, image: nginx}]}
---
kind: Pod
metadata: {name: second}
spec: {schedulerName: ignore-taints, containers: [{name: c, image: nginx}]}
---
kind: Pod
metadata: {name: lost}
spec: {schedulerName: nope, containers: [{name: c, image: nginx}]}
"""


def _files(tmp_path: Path, **texts: str) -> dict[str, str]:
    out = {}
    for name, text in texts.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(text)
        out[name] = str(path)
    return out


def _schedule(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, dict[str, object]]:
    assert main(["schedule", *argv, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    sides = [document[s] for s in ("reference", "batched")] if "reference" in document else [document]
    rows = [{p["pod"]: p for p in side["placements"]} for side in sides]
    assert all(r == rows[0] for r in rows), "both schedulers must agree"
    return rows[0]


@pytest.mark.parametrize("scheduler", ["reference", "batched", "both"])
def test_priority_goes_first_gated_pods_wait_and_every_unplaced_pod_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], scheduler: str
) -> None:
    files = _files(tmp_path, nodes=NODE, pods=PODS)
    rows = _schedule(capsys, "--nodes", files["nodes"], "--pods", files["pods"], "--scheduler", scheduler)
    assert rows["default/urgent"]["node"] == "small"  # queued last, but priority 1000 > 0
    assert rows["default/low"]["node"] is None
    assert rows["default/low"]["reason"] == "0/1 nodes are available: 1 Insufficient cpu."
    assert rows["default/gated"]["node"] is None
    assert rows["default/gated"]["reason"] == "waiting for scheduling gates: [example.com/wait]"
    assert list(rows) == ["default/urgent", "default/low", "default/gated"]


@pytest.mark.parametrize("scheduler", ["reference", "batched", "both"])
def test_each_pod_goes_to_the_profile_its_scheduler_name_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], scheduler: str
) -> None:
    files = _files(tmp_path, nodes=NODE, pods=PROFILE_PODS, config=CONFIG)
    argv = ("--nodes", files["nodes"], "--pods", files["pods"], "--config", files["config"], "--scheduler", scheduler)
    rows = _schedule(capsys, *argv)
    assert rows["default/second"]["node"] == "small"
    # TaintToleration's own reason text differs between releases; the summary's shape does not.
    assert str(rows["default/plain"]["reason"]).startswith("0/1 nodes are available: 1 node(s) had untolerated taint")
    assert rows["default/lost"]["reason"] == 'profile not found for scheduler name "nope"'


def test_text_output_lists_the_reasons(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = _files(tmp_path, nodes=NODE, pods=PODS)
    assert main(["schedule", "--nodes", files["nodes"], "--pods", files["pods"]]) == 0
    out = capsys.readouterr().out
    assert "  default/low: 0/1 nodes are available: 1 Insufficient cpu." in out


def test_queue_order_is_priority_then_arrival() -> None:
    pods = [Pod(name="a"), Pod(name="b", priority=5), Pod(name="c", priority=0), Pod(name="d", priority=5)]
    assert [p.name for p in queue_order(pods)] == ["b", "d", "a", "c"]


def test_fit_error_counts_reasons_over_nodes_sorted_as_strings() -> None:
    statuses = {
        "n1": unschedulable("Insufficient cpu", "Insufficient memory"),
        "n2": unschedulable("Insufficient cpu"),
        "n3": unschedulable("node(s) didn't match Pod's node affinity/selector"),
        "n4": Status(),
    }
    message = fit_error_message(4, unschedulable("0/4 nodes are available"), statuses)
    assert message == (
        "0/4 nodes are available: 1 Insufficient memory, 1 node(s) didn't match Pod's node affinity/selector, "
        "2 Insufficient cpu."
    )
    prefilter = fit_error_message(3, unschedulable("node(s) didn't satisfy plugin(s) [X]"), {})
    assert prefilter == "0/3 nodes are available: node(s) didn't satisfy plugin(s) [X]."
