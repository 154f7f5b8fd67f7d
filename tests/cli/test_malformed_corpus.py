"""Every malformed manifest and config in tests/fixtures/malformed exits 2 with one line naming the
file, the document and the field its ``# expect:`` header names; never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from batchproof.properties.cli.main import main

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "malformed"
FILES = sorted(CORPUS.glob("*.yaml"))
NODES = Path(__file__).resolve().parents[2] / "examples" / "cluster" / "nodes.yaml"
PODS = Path(__file__).resolve().parents[2] / "examples" / "cluster" / "pods.yaml"


def _expected_field(path: Path) -> str:
    first = path.read_text().splitlines()[0]
    match = re.fullmatch(r"# expect: (.+)", first)
    assert match, f"{path.name} needs a '# expect: FIELD' first line"
    return match.group(1)


def _argv(path: Path) -> list[str]:
    base = ["schedule", "--scheduler", "reference"]
    if path.name.startswith("node-"):
        return [*base, "--nodes", str(path), "--pods", str(PODS)]
    if path.name.startswith("config-"):
        return [*base, "--nodes", str(NODES), "--pods", str(PODS), "--config", str(path)]
    return [*base, "--nodes", str(NODES), "--pods", str(path)]


def test_the_corpus_has_one_file_per_rule_and_at_least_40() -> None:
    fields = [_expected_field(p) for p in FILES]
    assert len(FILES) >= 40
    assert all(fields)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_malformed_input_exits_2_naming_file_document_and_field(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(_argv(path))
    err = capsys.readouterr().err
    field = _expected_field(path)
    assert code == 2, err
    assert "Traceback" not in err
    assert err.count("\n") == 1, err
    prefix = f"batchproof: error: {path}: document "
    assert err.startswith(prefix), err
    assert re.match(r"\d+: ", err[len(prefix) :]), err
    assert f": {field}: " in err, err


def test_the_examples_are_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    """The corpus fails for its one rule: the base manifests it is written against load."""
    assert main(["schedule", "--scheduler", "reference", "--nodes", str(NODES), "--pods", str(PODS)]) == 0
    capsys.readouterr()
