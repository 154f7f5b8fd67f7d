"""The plugin author's check: the example plugin with a signature gap fails with the field, the
results and the missing fragment named; the correct one passes; both from the CLI and pytest."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from batchproof.properties.campaign.discovery import discover
from batchproof.properties.campaign.loader import load_plugin
from examples.plugins.gpu_model import GPUModel
from tests.campaign.cli import run

ROOT = Path(__file__).resolve().parents[2]


def test_the_gap_is_caught_with_field_results_and_fragment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        [
            "check-plugin",
            "examples.plugins.gap:PLUGIN",
            "--max-examples",
            "150",
            "--db",
            "none",
            "--report",
            str(tmp_path / "gap"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 1, out
    assert "FAIL" in out
    assert 'field that differs: metadata.annotations["gpu.example.com/model"]' in out
    assert "result that differs: GPUModel filter" in out
    assert (
        'fix: SignPod must return a SignFragment whose value includes metadata.annotations["gpu.example.com/model"]'
        in out
    )
    replay = next(line.split("replay: ", 1)[1] for line in out.splitlines() if "replay: batchproof replay" in line)
    assert run(replay.split()[1:]) == 1


def test_the_correct_plugin_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        [
            "check-plugin",
            "examples.plugins.good:PLUGIN",
            "--max-examples",
            "150",
            "--db",
            "none",
            "--report",
            str(tmp_path / "good"),
            "--format",
            "json",
        ]
    )
    document = json.loads(capsys.readouterr().out)
    assert code == 0, document["report"]["summary"]
    assert document["passed"] and document["signs"]
    assert document["reads"]["pod_annotations"] == ["gpu.example.com/model"]
    properties = document["report"]["properties"]
    assert properties["plugin/signature"]["reached_required_path"]
    assert properties["plugin/placement"]["reached_required_path"]


def test_discovery_finds_the_keys_the_plugin_reads() -> None:
    found = discover(GPUModel(complete=True))
    assert found.pod_annotations == ("gpu.example.com/model",)
    assert found.node_labels == ("gpu.example.com/model",)
    assert found.resources == ("example.com/gpu",)


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("examples.plugins.good", "expected MODULE:OBJECT"),
        ("examples.plugins.nothere:PLUGIN", "cannot import module"),
        ("examples.plugins.good:NOPE", "has no attribute"),
        ("examples.plugins.gpu_model:MODEL", "is not a plugin"),
    ],
)
def test_a_bad_plugin_reference_is_one_line_exit_2(ref: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check-plugin", ref]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err


def test_a_plugin_without_sign_pod_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    module = tmp_path / "unsigned_plugin.py"
    module.write_text(
        "from batchproof.model.framework.status import SUCCESS\n"
        "class Unsigned:\n"
        "    name = 'Unsigned'\n"
        "    def filter(self, state, pod, node_info):\n"
        "        return SUCCESS\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        assert load_plugin("unsigned_plugin:Unsigned").points == ("filter",)
        assert run(["check-plugin", "unsigned_plugin:Unsigned", "--report", str(tmp_path / "r")]) == 1
    finally:
        sys.path.remove(str(tmp_path))
    assert "does not implement sign_pod" in capsys.readouterr().out


def test_pytest_option_runs_the_check_in_a_plugin_authors_ci(tmp_path: Path) -> None:
    (tmp_path / "test_nothing.py").write_text("def test_nothing():\n    pass\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(tmp_path / "test_nothing.py"),
            "--rootdir",
            str(tmp_path),
            "-p",
            "no:cacheprovider",
            "--batchproof-plugin",
            "examples.plugins.gap:PLUGIN",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 1 passed" in result.stdout
    assert 'metadata.annotations["gpu.example.com/model"]' in result.stdout
