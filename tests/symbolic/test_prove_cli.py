"""``batchproof prove``: verdicts, the JSON contract, exit codes and one-line input errors."""

from __future__ import annotations

import argparse
import json

import pytest

from batchproof.model.errors import BatchproofError
from batchproof.properties.cli import prove_cmd


def prove(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="batchproof")
    prove_cmd.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["prove", *argv])
    code = args.run(args)
    return code, capsys.readouterr().out


def test_strict_proofs_exit_zero_with_the_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = prove(
        capsys, "--plugin", "NodePorts", "--plugin", "TaintToleration", "--signers", "strict", "--format", "json"
    )
    assert code == 0
    doc = json.loads(out)
    assert {(r["plugin"], r["property"]) for r in doc["results"]} == {
        ("NodePorts", "filter"),
        ("TaintToleration", "filter"),
        ("TaintToleration", "score"),
        ("TaintToleration", "normalized"),
    }
    for result in doc["results"]:
        assert {"plugin", "signers", "property", "status", "seconds"} <= set(result)
        assert result["signers"] == "strict" and result["status"] == "proved"
    assert doc["summary"]["proved"] == 4


def test_an_upstream_gap_exits_one_with_the_counterexample(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = prove(capsys, "--plugin", "NodePorts", "--signers", "upstream", "--format", "json")
    assert code == 1
    [result] = json.loads(out)["results"]
    assert result["status"] == "counterexample"
    example = result["counterexample"]
    assert [p["kind"] for p in example["pods"]] == ["Pod", "Pod"]
    assert example["equalSignatures"] is True
    assert example["results"]["first"] != example["results"]["second"]


def test_text_output_is_a_table_and_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = prove(capsys, "--plugin", "NodeName", "--timeout", "5")
    assert code == 0
    assert out.splitlines()[0].split()[:4] == ["PLUGIN", "SIGNERS", "PROPERTY", "STATUS"]
    assert out.strip().endswith("s") and "2 proved" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--plugin", "NoSuchPlugin"], "--plugin: no symbolic model for NoSuchPlugin"),
        (["--timeout", "0"], "--timeout: must be a positive number"),
        (["--memory", "-1"], "--memory: must be a positive number"),
    ],
)
def test_bad_input_is_one_line_naming_the_option(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    with pytest.raises(BatchproofError, match=message) as raised:
        prove(capsys, *argv)
    assert "\n" not in str(raised.value)
