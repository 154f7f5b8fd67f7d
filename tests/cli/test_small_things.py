"""Small things a user hits: eval of a multi-pod file, a closed output pipe, prove's unknown exit."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
from typing import Any

import pytest

from batchproof.properties.cli import main as cli_main
from batchproof.properties.cli import prove_cmd
from batchproof.properties.cli.main import main

NODES = str(Path(__file__).resolve().parents[2] / "examples" / "cluster" / "nodes.yaml")
DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx, resources: {requests: {cpu: 100m}}}]}
"""


def _eval(capsys: pytest.CaptureFixture[str], path: Path, *extra: str) -> tuple[int, str, str]:
    code = main(
        ["eval", "--plugin", "NodeResourcesFit", "--pod", str(path), "--nodes", NODES, "--format", "json", *extra]
    )
    out, err = capsys.readouterr()
    return code, out, err


def test_eval_takes_the_first_pod_of_a_workload_or_the_one_pod_index_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "web.yaml"
    path.write_text(DEPLOYMENT)
    code, out, err = _eval(capsys, path)
    assert code == 0, err
    assert json.loads(out)["filter"]
    assert _eval(capsys, path, "--pod-index", "2")[0] == 0
    code, _, err = _eval(capsys, path, "--pod-index", "3")
    assert code == 2
    assert "--pod-index 3: the file holds 3 pod(s)" in err


class _ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def fileno(self) -> int:
        return self._fd

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd


def test_output_into_a_closed_pipe_exits_quietly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "web.yaml"
    path.write_text(DEPLOYMENT)
    sink = (tmp_path / "sink").open("w")
    monkeypatch.setattr(cli_main.sys, "stdout", _ClosedPipe(sink.fileno()))
    code = main(["eval", "--plugin", "NodeResourcesFit", "--pod", str(path), "--nodes", NODES])
    sink.close()
    assert code == 0
    assert capsys.readouterr().err == ""


class _Report:
    failed = False
    results = ()  # no counterexample: nothing for the upstream oracle to judge

    def __init__(self, unknown: int) -> None:
        self.unknown = unknown

    def count(self, status: str) -> int:
        return self.unknown if status == "unknown" else 0


@pytest.mark.parametrize(("unknown", "allow", "expected"), [(1, False, 3), (1, True, 0), (0, False, 0)])
def test_prove_exits_3_when_a_result_is_unknown_unless_allowed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], unknown: int, allow: bool, expected: int
) -> None:
    def fake_prove(*_args: Any) -> _Report:
        return _Report(unknown)

    monkeypatch.setattr(prove_cmd, "prove", fake_prove)
    monkeypatch.setattr(prove_cmd, "render_text", lambda _report: "report")
    parser = argparse.ArgumentParser(prog="batchproof")
    prove_cmd.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["prove", "--plugin", "NodePorts", *(["--allow-unknown"] if allow else [])])
    assert args.run(args) == expected
    capsys.readouterr()
