"""``--profile-name`` picks one profile of a multi-profile config for ``eval`` and ``campaign``;
an unknown name is a one-line error listing the profiles there are."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from batchproof.model.errors import ConfigError
from batchproof.properties.campaign.config import CampaignConfig
from batchproof.properties.campaign.properties import campaign_profile
from batchproof.properties.cli.main import main

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


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    out = {}
    for name, text in {"config": CONFIG, "nodes": NODES, "existing": EXISTING, "pod": POD}.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(text)
        out[name] = str(path)
    return out


def _scores(files: dict[str, str], capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, int]:
    argv = ["eval", "--plugin", "NodeResourcesFit", "--config", files["config"], "--pod", files["pod"]]
    argv += ["--nodes", files["nodes"], "--existing-pods", files["existing"], "--format", "json", *extra]
    assert main(argv) == 0
    document = json.loads(capsys.readouterr().out)
    return dict(document["score"]["raw"])


def test_eval_profile_name_takes_that_profiles_plugin_args(
    files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    first = _scores(files, capsys)
    packing = _scores(files, capsys, "--profile-name", "packing")
    assert first["idle"] > first["busy"]  # LeastAllocated (the first profile) spreads
    assert packing["busy"] > packing["idle"]  # MostAllocated (the named profile) packs
    assert _scores(files, capsys, "--profile-name", "default-scheduler") == first


def test_eval_unknown_profile_name_is_one_line_listing_the_profiles(
    files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["eval", "--plugin", "NodeResourcesFit", "--config", files["config"], "--pod", files["pod"]]
    assert main([*argv, "--nodes", files["nodes"], "--profile-name", "nope"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "'nope'" in err and files["config"] in err and "'default-scheduler', 'packing'" in err


def test_eval_profile_name_needs_a_config(files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["eval", "--plugin", "NodeResourcesFit", "--pod", files["pod"], "--nodes", files["nodes"]]
    assert main([*argv, "--profile-name", "packing"]) == 2
    assert "--profile-name needs --config" in capsys.readouterr().err


def test_campaign_profile_name_targets_that_profile(files: dict[str, str]) -> None:
    first = campaign_profile(CampaignConfig(config_file=files["config"]))
    packing = campaign_profile(CampaignConfig(config_file=files["config"], profile_name="packing"))
    assert "TaintToleration" in first.build().plugin_names()
    assert "TaintToleration" not in packing.build().plugin_names()
    # Generated pods name the default scheduler: the campaign schedules them with the chosen profile.
    assert packing.scheduler_name == "default-scheduler"
    assert packing.plugin_args["NodeResourcesFit"]["scoringStrategy"]["type"] == "MostAllocated"
    named = CampaignConfig(config_file=files["config"], profile_name="packing")
    assert "packing" in named.configuration_name()
    assert named.describe()["profile_name"] == "packing"
    assert CampaignConfig.from_json(named.to_json()) == named


def test_campaign_unknown_profile_name_is_one_line(files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ConfigError, match=r"--profile-name 'nope': .* its profiles: 'default-scheduler', 'packing'"):
        campaign_profile(CampaignConfig(config_file=files["config"], profile_name="nope"))
    argv = ["campaign", "--config", files["config"], "--profile-name", "nope", "--max-examples", "1"]
    assert main([*argv, "--workers", "1", "--db", "none", "--report", str(Path(files["config"]).parent / "r")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "'nope'" in err
