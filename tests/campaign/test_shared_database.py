"""A shared Redis database: campaigns on two machines see each other's findings, a killed one loses
nothing it reported, a late joiner replays the shared failures first, and a Redis that goes away
mid-run leaves the campaign running on its local database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.campaign.redis_server import RedisServer, redis_server

ROOT = Path(__file__).resolve().parents[2]
HOST_PORTS = ("--property", "signature/host-ports")
POD_LABELS = ("--property", "signature/pod-labels")
FINDINGS_KEY = "batchproof:upstream-g3-batching:findings"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    with redis_server(tmp_path / "redis") as running:
        yield running


def machine(home: Path, url: str, *args: str) -> subprocess.Popen[str]:
    """A campaign in its own working directory (so its own local database), as on another machine."""
    home.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "batchproof.properties.cli.main", "campaign", "--workers", "1"]
    command += ["--db", url, "--report", "report", "--no-plots", *args]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(command, cwd=home, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    _, err = process.communicate(timeout=180)
    return process.returncode, err


def report(home: Path) -> dict[str, Any]:
    return json.loads((home / "report" / "report.json").read_text())


def complete(home: Path) -> set[str]:
    root = home / "report" / "findings"
    return {d.name for d in root.iterdir() if (d / "finding.json").exists()} if root.is_dir() else set()


def published(server: RedisServer) -> dict[str, str]:
    raw = redis.Redis.from_url(server.url).hgetall(FINDINGS_KEY)
    return {k.decode(): json.loads(v)["machine"] for k, v in raw.items()}


def test_two_machines_share_findings_and_a_late_joiner_replays_them_first(tmp_path: Path, server: RedisServer) -> None:
    a = machine(tmp_path / "a", server.url, "--max-examples", "120", "--seed", "1", *HOST_PORTS)
    b = machine(tmp_path / "b", server.url, "--max-examples", "120", "--seed", "2", *HOST_PORTS, *POD_LABELS)
    assert finish(a)[0] == 1 and finish(b)[0] == 1
    owners = published(server)
    reports = {name: report(tmp_path / name) for name in ("a", "b")}
    names = {name: doc["run"]["shared_database"]["machine"] for name, doc in reports.items()}
    # Deduplicated by key: host-ports was found by both, published once, owned by whoever was first.
    host_ports = [k for k in owners if k.startswith("signature-host-ports--")]
    assert len(host_ports) == len(set(host_ports)) >= 1
    assert any(k.startswith("signature-pod-labels--") for k in owners)
    assert set(owners.values()) <= set(names.values())
    # The machine that finished last lists every finding, each with the machine that found it first.
    last = reports[max(reports, key=lambda name: (tmp_path / name / "report" / "report.json").stat().st_mtime_ns)]
    assert {f["id"]: f["found_by"] for f in last["findings"]} == owners
    for doc in reports.values():
        assert doc["run"]["shared_database"]["outage"] is None
        assert all(f.get("found_by") in names.values() for f in doc["findings"])
    # A machine joining late replays the shared failures before it searches (one example each here).
    late = tmp_path / "late"
    code, _ = finish(machine(late, server.url, "--max-examples", "1", *HOST_PORTS, *POD_LABELS))
    assert code == 1
    joined = report(late)
    assert {f["id"] for f in joined["findings"]} >= set(owners)
    assert sum(joined["run"]["replayed_from_database"].values()) >= len(owners)
    assert all(f["found_by"] == owners[f["id"]] for f in joined["findings"] if f["id"] in owners)
    for finding in joined["findings"]:
        assert (late / "report" / finding["directory"] / "first.yaml").is_file()


def test_a_killed_machine_loses_nothing_it_reported(tmp_path: Path, server: RedisServer) -> None:
    doomed = tmp_path / "doomed"
    process = machine(doomed, server.url, "--budget", "60", *HOST_PORTS, *POD_LABELS)
    deadline = time.time() + 60
    while (len(complete(doomed)) < 2 or not published(server)) and time.time() < deadline and process.poll() is None:
        time.sleep(0.2)
    reported = set(published(server))
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    before = complete(doomed)
    assert before, "the campaign found nothing before it was killed"
    # What it had published stays; a finding killed between its files and its publication still
    # comes back below, because its failing example reached the shared database when it failed.
    assert reported and reported <= set(published(server))
    rerun = tmp_path / "rerun"
    assert finish(machine(rerun, server.url, "--max-examples", "1", *HOST_PORTS, *POD_LABELS))[0] == 1
    after = report(rerun)
    assert before | reported <= {f["id"] for f in after["findings"]}
    assert sum(after["run"]["replayed_from_database"].values()) >= len(before)


def test_redis_going_away_mid_run_is_said_once_and_loses_nothing(tmp_path: Path, server: RedisServer) -> None:
    home = tmp_path / "alone"
    # Only the outage is under test here: a loaded machine may leave a property short of its path.
    # Count-bounded, so it finds something however busy the machine is, and runs on after Redis goes.
    args = ("--max-examples", "300", "--allow", "signature-gap", "--allow-unreached", *HOST_PORTS, *POD_LABELS)
    process = machine(home, server.url, *args)
    deadline = time.time() + 60
    while not complete(home) and time.time() < deadline and process.poll() is None:
        time.sleep(0.1)
    before = complete(home)
    server.stop()
    code, err = finish(process)
    assert before, "the campaign found nothing before Redis went away"
    assert code == 0, err
    assert err.count("shared database") == 1 and "continuing on the local database" in err, err
    doc = report(home)
    assert doc["run"]["shared_database"]["outage"]
    assert doc["summary"]["errors"] == []
    assert before <= {f["id"] for f in doc["findings"]}
    # The local directory database kept every failure: a rerun without Redis replays them.
    local = home / ".batchproof" / "db"
    assert any(p.is_file() for p in local.rglob("*"))
