"""``eval --engine both --profile-name``: upstream evaluates the pod with the named profile too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from batchproof.properties.cli.main import main
from batchproof.upstream import Oracle

# As in tests/cli/test_profile_name.py: a second profile packs (MostAllocated).
CONFIG = """
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- schedulerName: default-scheduler
  pluginConfig:
  - name: NodeResourcesFit
    args: {scoringStrategy: {type: LeastAllocated}}
- schedulerName: packing
  plugins: {multiPoint: {disabled: [{name: TaintToleration}]}}
  pluginConfig:
  - name: NodeResourcesFit
    args: {scoringStrategy: {type: MostAllocated}}
"""

NODES = """
apiVersion: v1
kind: Node
metadata: {name: busy}
status: {allocatable: {cpu: "4", memory: 8Gi, pods: "10"}}
---
apiVersion: v1
kind: Node
metadata: {name: idle}
status: {allocatable: {cpu: "4", memory: 8Gi, pods: "10"}}
"""

EXISTING = """
apiVersion: v1
kind: Pod
metadata: {name: load}
spec: {nodeName: busy, containers: [{name: c, image: nginx, resources: {requests: {cpu: "2", memory: 4Gi}}}]}
"""

POD = """
apiVersion: v1
kind: Pod
metadata: {name: p}
spec: {containers: [{name: c, image: nginx, resources: {requests: {cpu: "1", memory: 1Gi}}}]}
"""


def test_eval_both_with_a_profile_name_agrees_with_upstream(
    oracle: Oracle, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BATCHPROOF_ORACLE", str(oracle.path))
    files = {}
    for name, text in {"config": CONFIG, "nodes": NODES, "existing": EXISTING, "pod": POD}.items():
        files[name] = tmp_path / f"{name}.yaml"
        files[name].write_text(text)
    argv = ["eval", "--plugin", "NodeResourcesFit", "--config", str(files["config"]), "--profile-name", "packing"]
    argv += ["--pod", str(files["pod"]), "--nodes", str(files["nodes"]), "--existing-pods", str(files["existing"])]
    assert main([*argv, "--engine", "both", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["differences"] == []
    raw = document["upstream"]["score"]["raw"]
    assert raw["busy"] > raw["idle"]  # MostAllocated: the named profile's args reached upstream
