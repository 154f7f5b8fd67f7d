"""Findings confirmed on the real plugins: reproduces, does not reproduce, not checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Container, ContainerPort, Node, Pod
from batchproof.properties.upstream.confirm import confirm_pair
from batchproof.properties.world import Cluster
from batchproof.upstream import Oracle
from tests.campaign.cli import run

NODE = Node(name="n1", allocatable=FrozenDict({"cpu": 4000, "memory": 2**33, "pods": 110}))


def _pod(name: str, port: int, protocol: str = "TCP", node: str = "") -> Pod:
    ports = (ContainerPort(container_port=port, host_port=port, protocol=protocol),)
    return Pod(name=name, node_name=node, containers=(Container(name="c", image="nginx", ports=ports),))


def test_the_host_port_protocol_gap_reproduces_upstream(oracle: Oracle) -> None:
    cluster = Cluster((NODE,), (_pod("bound", 80, "UDP", node="n1"),))
    verdict = confirm_pair(
        oracle, plugin="NodePorts", args=None, first=_pod("a", 80, "TCP"), second=_pod("b", 80, "UDP"), cluster=cluster
    )
    assert verdict.verdict == "reproduces", verdict.reason
    assert "filter on n1" in verdict.reason


def test_pods_upstream_signs_differently_do_not_reproduce(oracle: Oracle) -> None:
    cluster = Cluster((NODE,), (_pod("bound", 80, node="n1"),))
    verdict = confirm_pair(
        oracle, plugin="NodePorts", args=None, first=_pod("a", 80), second=_pod("b", 81), cluster=cluster
    )
    assert verdict.verdict == "does not reproduce"
    assert "signs the pods differently (v1.Pod.Spec.HostPorts())" in verdict.reason


def test_pods_upstream_answers_equally_do_not_reproduce(oracle: Oracle) -> None:
    verdict = confirm_pair(
        oracle, plugin="NodePorts", args=None, first=_pod("a", 80), second=_pod("b", 80), cluster=Cluster((NODE,))
    )
    assert verdict.verdict == "does not reproduce"
    assert "answers them equally" in verdict.reason


def test_plugins_upstream_lacks_are_not_checked(oracle: Oracle) -> None:
    verdict = confirm_pair(
        oracle, plugin="GPUModel", args=None, first=_pod("a", 80), second=_pod("b", 80), cluster=Cluster((NODE,))
    )
    assert verdict.verdict == "not checked"


@pytest.mark.usefixtures("oracle")
def test_a_campaign_marks_every_finding_with_an_upstream_verdict(tmp_path: Path) -> None:
    report = tmp_path / "report"
    argv = ["campaign", "--max-examples", "120", "--workers", "1", "--seed", "1", "--db", "none"]
    argv += ["--property", "signature/host-ports", "--report", str(report), "--allow", "signature-gap"]
    assert run(argv) == 0
    document = json.loads((report / "report.json").read_text())
    findings = document["findings"]
    assert findings, "the host-port search found nothing to confirm"
    assert all(f["upstream"]["verdict"] in ("reproduces", "does not reproduce") for f in findings)
    assert document["summary"]["upstream"].get("reproduces", 0) >= 1
    assert "upstream: reproduces" in (report / "report.md").read_text()


@pytest.mark.usefixtures("oracle")
def test_prove_gives_each_counterexample_an_upstream_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    from batchproof.properties.cli.main import main

    code = main(["prove", "--plugin", "NodePorts", "--signers", "upstream", "--format", "json"])
    assert code == 1
    results = json.loads(capsys.readouterr().out)["results"]
    examples = [r for r in results if "counterexample" in r]
    assert examples, "NodePorts upstream signers have a known gap (spec §10.6.1)"
    assert all(r["upstream"]["verdict"] == "reproduces" for r in examples), examples[0]["upstream"]


@pytest.mark.usefixtures("oracle")
def test_the_normalisation_finding_reproduces_on_the_real_cycle(tmp_path: Path) -> None:
    report = tmp_path / "report"
    argv = ["campaign", "--max-examples", "300", "--workers", "1", "--seed", "1", "--db", "none"]
    argv += ["--property", "lockstep/normalization", "--report", str(report), "--allow", "normalization,tie"]
    assert run(argv) == 0
    findings = json.loads((report / "report.json").read_text())["findings"]
    normalization = [f for f in findings if f["class"] == "normalization"]
    assert normalization, "the normalisation search found nothing to confirm"
    verdicts = {f["upstream"]["verdict"] for f in normalization}
    assert verdicts == {"reproduces"}, [f["upstream"] for f in normalization]
    assert all("batched cycle" in f["upstream"]["reason"] for f in normalization)
