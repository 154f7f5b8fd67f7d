"""The oracle process and its protocol, seen from the Python client."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Container, Node, Pod
from batchproof.model.profiles import batching_profile
from batchproof.upstream import Oracle, OracleError, OracleRequestError, evaluate


def test_version_names_the_pinned_release_and_protocol(oracle: Oracle) -> None:
    version = oracle.version()
    assert version["kubernetesVersion"] == "v1.37.2"
    assert version["protocol"] == 1
    assert version["featureGates"]["OpportunisticBatching"] is True


def test_a_malformed_request_gets_an_error_naming_the_field_and_the_process_keeps_serving(oracle: Oracle) -> None:
    with pytest.raises(OracleRequestError) as caught:
        oracle.request("evaluate", {"nodez": []})
    assert caught.value.field == "params"
    assert "nodez" in caught.value.message
    with pytest.raises(OracleRequestError) as missing:
        oracle.request("evaluate", {})
    assert missing.value.field == "params.pod"
    assert oracle.request("version", {})["protocol"] == 1


def test_an_object_the_scheme_cannot_decode_is_named(oracle: Oracle) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}}
    with pytest.raises(OracleRequestError, match=r"params.nodes\[1\]"):
        oracle.request(
            "evaluate",
            {"pod": pod, "nodes": [{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "a"}}, {"kind": "Nope"}]},
        )


def test_a_locked_feature_gate_cannot_be_turned_off(oracle: Oracle) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}}
    with pytest.raises(OracleRequestError, match="DRAExtendedResource: locked to true"):
        oracle.request("evaluate", {"pod": pod, "featureGates": {"DRAExtendedResource": False}})
    # The failed request left no gate behind.
    assert oracle.request("version", {})["featureGates"]["DRAExtendedResource"] is True


def test_unknown_request_types_are_refused_before_sending(oracle: Oracle) -> None:
    with pytest.raises(OracleError, match="unknown oracle request type"):
        oracle.request("frobnicate", {})


def test_a_killed_process_is_restarted_once_then_fails_clearly(oracle: Oracle) -> None:
    own = Oracle(oracle.path)
    try:
        own.start()
        assert own._process is not None
        os.kill(own._process.pid, signal.SIGKILL)
        own._process.wait()
        assert own.request("version", {})["protocol"] == 1  # restarted
        os.kill(own._process.pid, signal.SIGKILL)
        own._process.wait()
        with pytest.raises(OracleError, match="died again"):
            own.request("version", {})
    finally:
        own.stop()


def test_a_missing_binary_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(OracleError, match="batchproof upstream build") as caught:
        Oracle(tmp_path / "no-such-oracle").start()
    assert "\n" not in str(caught.value)


def test_a_request_that_never_answers_times_out(tmp_path: Path) -> None:
    silent = tmp_path / "silent-oracle"
    silent.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(60)\n")
    silent.chmod(0o755)
    with Oracle(silent, timeout=0.5) as hung, pytest.raises(OracleError, match=r"did not answer within 0\.5s"):
        hung.request("version", {})


def test_evaluate_reports_every_plugin_and_the_aggregated_signature(oracle: Oracle) -> None:
    pod = Pod(name="web", containers=(Container(name="c", image="nginx", requests=FrozenDict({"cpu": 500})),))
    nodes = (Node(name="n1", allocatable=FrozenDict({"cpu": 4000, "memory": 2**33, "pods": 110})),)
    result = evaluate(oracle, profile=batching_profile(), nodes=nodes, pod=pod)
    assert {"NodeResourcesFit", "TaintToleration", "NodeAffinity", "ImageLocality"} <= set(result.plugins)
    fit = result.plugins["NodeResourcesFit"]
    assert fit["filter"]["n1"]["code"] == "Success"
    assert fit["sign"]["fragments"]["v1.Pod.Spec.ContainerRequestsAndOverheads()"]["MilliCPU"] == 500
    assert result.signature_json()["v1.Pod.Spec.SchedulerName"] == "default-scheduler"
