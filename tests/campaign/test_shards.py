"""Shards split a campaign without overlap (together they run the unsharded campaign), and the
deploy/ manifests that run them as an Indexed Job beside a Redis load in batchproof's loader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from batchproof.model.errors import BatchproofError
from batchproof.model.manifests.load import load_files
from batchproof.properties.campaign.shards import assignments, parse_shard
from tests.campaign.cli import run

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PROPERTIES = ("signature/host-ports", "signature/pod-labels", "signature/pod-namespace")


@pytest.mark.parametrize("count", [1, 3, 8])
@pytest.mark.parametrize("shards", [1, 2, 3, 5, 8, 13])
def test_shards_cover_every_property_without_overlap(count: int, shards: int) -> None:
    runs = [(a.position, a.seed) for i in range(shards) for a in assignments(count, (i, shards), 7)]
    assert len(runs) == len(set(runs)), "two shards run the same property with the same seed"
    assert {position for position, _ in runs} == set(range(count))
    if shards <= count:
        assert sorted(runs) == [(j, 7) for j in range(count)]  # exactly the unsharded campaign
    else:
        assert len(runs) == shards  # one property each, replicas on seeds of their own


def test_shard_syntax() -> None:
    assert parse_shard("2/4") == (2, 4)
    for bad in ("4/4", "-1/4", "1", "a/b", "1/0"):
        with pytest.raises(BatchproofError):
            parse_shard(bad)
    assert run(["campaign", "--shard", "3/3", "--report", "unused"]) == 2


def _campaign(tmp_path: Path, name: str, *args: str) -> dict[str, Any]:
    report = tmp_path / name
    argv = ["campaign", "--workers", "1", "--db", "none", "--report", str(report), "--max-examples", "40"]
    for prop in PROPERTIES:
        argv += ["--property", prop]
    assert run([*argv, "--format", "json", *args]) in (0, 1)
    return json.loads((report / "report.json").read_text())


def test_two_shards_run_exactly_the_unsharded_campaign(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    whole = _campaign(tmp_path, "whole")
    parts = [_campaign(tmp_path, f"shard{i}", "--shard", f"{i}/2") for i in range(2)]
    capsys.readouterr()
    names = [set(part["properties"]) for part in parts]
    assert names[0].isdisjoint(names[1]) and names[0] | names[1] == set(PROPERTIES)
    assert [part["campaign"]["shard"] for part in parts] == ["0/2", "1/2"]
    for name, record in whole["properties"].items():
        part = next(p for p in parts if name in p["properties"])
        assert part["properties"][name] == record
    assert sorted(f["id"] for p in parts for f in p["findings"]) == sorted(f["id"] for f in whole["findings"])


def test_the_deploy_manifests_load_as_workloads_and_services() -> None:
    documents = [doc for path in sorted(DEPLOY.glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text())]
    kinds = {doc["kind"]: doc for doc in documents}
    assert set(kinds) == {"Job", "Deployment", "Service"}
    job = kinds["Job"]["spec"]
    assert job["completionMode"] == "Indexed" and job["completions"] == job["parallelism"]
    command = " ".join(job["template"]["spec"]["containers"][0]["args"])
    assert f'--shard "${{JOB_COMPLETION_INDEX}}/{job["completions"]}"' in command
    assert "--db redis://batchproof-redis:6379/0" in command
    service = kinds["Service"]
    assert service["spec"]["selector"] == kinds["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert service["metadata"]["name"] == "batchproof-redis"
    loaded = load_files(sorted(DEPLOY.glob("*.yaml")))
    owners = [p.owner_references[0].kind for p in loaded.pods if p.owner_references]
    assert owners.count("Job") == job["parallelism"]
    assert len(loaded.pods) == job["parallelism"] + kinds["Deployment"]["spec"]["replicas"]
    assert loaded.selecting, "the Service is loaded as a selecting object"


def test_the_upstream_oracle_decodes_the_deploy_manifests() -> None:
    from batchproof.upstream import Oracle, existing_binary

    binary = existing_binary()
    if binary is None:
        pytest.skip("no built upstream oracle (batchproof upstream build)")
    documents = [doc for path in sorted(DEPLOY.glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text())]
    with Oracle(binary) as oracle:
        decoded = oracle.request("decode", {"documents": documents})["documents"]
    assert [d["kind"] for d in decoded] == [d["kind"] for d in documents]
    assert all(d["validated"] for d in decoded)
    errors = {d["kind"]: [e["message"] for e in d["errors"]] for d in decoded}
    assert errors == {"Job": [], "Deployment": [], "Service": []}
