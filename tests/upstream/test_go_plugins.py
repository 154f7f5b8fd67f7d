"""Plugin authors' Go plugins checked as they are: the complete example passes, the gap is named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from batchproof.properties.cli.main import main
from batchproof.upstream import OracleError
from batchproof.upstream.goplugin import inspect, locate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "goplugins"


def _check(directory: Path, examples: int, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code = main(["check-plugin", "--go", str(directory), "--max-examples", str(examples), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.usefixtures("oracle")
def test_the_go_plugin_with_a_gap_fails_naming_the_field(capsys: pytest.CaptureFixture[str]) -> None:
    code, document = _check(EXAMPLES / "gpumodelgap", 300, capsys)
    assert code == 1
    gap = document["gaps"][0]  # type: ignore[index]
    assert gap["fields"] == ['metadata.annotations["gpu.example.com/model"]']
    # The audit from single-field mutations names it too (the mutation that found the gap is one).
    assert document["audit"]["read_but_never_signed"] == ['metadata.annotations["gpu.example.com/model"]']  # type: ignore[index]
    assert "gpu.example.com/model" in gap["fix"]


@pytest.mark.usefixtures("oracle")
def test_the_complete_go_plugin_passes_and_says_what_was_exercised(capsys: pytest.CaptureFixture[str]) -> None:
    code, document = _check(EXAMPLES / "gpumodel", 200, capsys)
    assert code == 0, document
    exercised = document["exercised"]
    assert exercised["equal_signature_pairs"] > 0  # type: ignore[index]
    assert exercised["placements_from_a_hint"] > 0  # type: ignore[index]
    assert {"filter", "score"} <= set(exercised["pairs_per_extension_point"])  # type: ignore[index]
    assert document["passed"] and not document["never_batches"]
    assert document["audit"]["read_but_never_signed"] == []  # type: ignore[index]
    assert 'metadata.annotations["gpu.example.com/model"]' in document["audit"]["signed"]  # type: ignore[index]


@pytest.mark.usefixtures("oracle")
def test_a_go_plugin_scoring_by_other_pods_is_one_cross_pod_finding(capsys: pytest.CaptureFixture[str]) -> None:
    # ZoneCrowd signs everything it reads from the pod, so no pair differs; only placing a queue shows it.
    code, document = _check(EXAMPLES / "zonecrowd", 600, capsys)
    assert code == 1, document
    (gap,) = document["gaps"]  # type: ignore[misc]
    assert gap["kind"] == "cross-pod"
    assert gap["fields"] == []
    assert "refuse to sign" in gap["fix"]
    assert "batched cycle" in gap["placement"]


def test_a_directory_without_go_mod_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(OracleError, match="not a Go module directory") as caught:
        inspect(tmp_path)
    assert "\n" not in str(caught.value)


def test_a_factory_outside_the_module_is_refused() -> None:
    with pytest.raises(OracleError, match=r"is not inside module example\.com/gpumodel"):
        inspect(EXAMPLES / "gpumodel", factory="example.com/other.New")


def test_the_plugin_name_and_source_literals_are_read_from_the_package() -> None:
    plugin = inspect(EXAMPLES / "gpumodelgap")
    assert (plugin.name, plugin.factory) == ("GPUModel", "New")
    assert "gpu.example.com/model" in plugin.literals()


@pytest.mark.usefixtures("oracle")
def test_a_module_path_is_resolved_from_the_module_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOPROXY", "off")  # the cache only: no network in tests
    directory = locate("k8s.io/kube-scheduler@v0.37.2")
    assert "module k8s.io/kube-scheduler" in (directory / "go.mod").read_text(encoding="utf-8")


@pytest.mark.usefixtures("oracle")
def test_a_module_that_cannot_be_had_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOPROXY", "off")
    with pytest.raises(
        OracleError, match=r"not a directory, and go cannot download module example\.invalid/x@v0\.1\.0"
    ):
        locate("example.invalid/x@v0.1.0")
