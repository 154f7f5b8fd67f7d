"""Campaigns: findings of the upstream classes with replayable reproducers, none with strict
signers and re-normalisation, identical reports for identical seeds and counts, and no finding
lost when a campaign is killed."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.campaign.cli import run

ROOT = Path(__file__).resolve().parents[2]


def campaign(tmp_path: Path, name: str, *args: str) -> tuple[int, dict[str, Any]]:
    report = tmp_path / name
    code = run(["campaign", "--workers", "1", "--db", "none", "--report", str(report), "--format", "json", *args])
    return code, json.loads((report / "report.json").read_text())


def replay_exit(command: str) -> int:
    argv = shlex.split(command)
    assert argv[:2] == ["batchproof", "replay"]
    return run(argv[1:])


def test_upstream_signature_gaps_are_found_and_replay(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = campaign(
        tmp_path,
        "up",
        "--max-examples",
        "150",
        "--property",
        "signature/host-ports",
        "--property",
        "signature/container-requests",
    )
    capsys.readouterr()
    assert code == 1
    assert report["summary"]["classes"].get("signature-gap", 0) >= 2
    specs = {f["spec"] for f in report["findings"]}
    assert {"§10.6.1", "§10.6.2"} <= specs
    for finding in report["findings"]:
        assert finding["reproduces_from_manifests"], finding["id"]
        assert replay_exit(finding["replay"]) == 1, finding["replay"]
        directory = tmp_path / "up" / finding["directory"]
        assert {"first.yaml", "second.yaml", "nodes.yaml", "finding.json"} <= {p.name for p in directory.iterdir()}
    assert report["properties"]["signature/host-ports"]["reached_required_path"]


def test_normalisation_divergence_is_found_with_a_schedule_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = campaign(tmp_path, "norm", "--max-examples", "100", "--property", "lockstep/normalization")
    capsys.readouterr()
    assert code == 1
    found = [f for f in report["findings"] if f["class"] == "normalization"]
    assert found, report["summary"]
    finding = found[0]
    assert finding["spec"] == "§10.2" and "NodeAffinity" in finding["plugin"]
    assert finding["diff"] and finding["decisions"]["reference"]["node"] != finding["decisions"]["batched"]["node"]
    assert replay_exit(finding["replay"]) == 1
    assert "still reproduces" in capsys.readouterr().out
    # Without events the reproducer also replays through `batchproof schedule`.
    assert run([*shlex.split(finding["schedule_command"])[1:], "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["divergences"]


def test_resized_nodes_give_stale_cache_and_tie_findings_that_replay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = campaign(tmp_path, "resize", "--max-examples", "60", "--property", "lockstep/resizing")
    capsys.readouterr()
    assert code == 1
    classes = {f["class"]: f for f in report["findings"]}
    assert {"stale-cache", "tie"} <= set(classes), report["summary"]
    assert (classes["stale-cache"]["spec"], classes["tie"]["spec"]) == ("§10.1", "§10.5")
    for finding in classes.values():
        assert finding["reproduces_from_manifests"], finding["id"]
        assert replay_exit(finding["replay"]) == 1, finding["replay"]
    assert report["properties"]["lockstep/resizing"]["reached_required_path"]


def test_strict_signers_with_renormalisation_report_none_of_those_classes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = campaign(
        tmp_path,
        "strict",
        "--max-examples",
        "100",
        "--signers",
        "strict",
        "--variant",
        "renormalize",
        "--property",
        "signature/host-ports",
        "--property",
        "lockstep/normalization",
    )
    capsys.readouterr()
    assert code == 0, report["summary"]
    assert report["findings"] == []
    assert all(p["reached_required_path"] for p in report["properties"].values())


def test_same_seed_and_count_give_the_same_report_apart_from_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = (
        "--max-examples",
        "60",
        "--seed",
        "3",
        "--property",
        "signature/pod-namespace",
        "--property",
        "lockstep/equivalence",
    )
    _, first = campaign(tmp_path, "a", *args)
    _, second = campaign(tmp_path, "b", *args)
    capsys.readouterr()
    first.pop("run")
    second.pop("run")
    # The replay commands name each run's own report directory; everything else is equal.
    for doc, name in ((first, "a"), (second, "b")):
        for finding in doc["findings"]:
            finding["replay"] = finding["replay"].replace(str(tmp_path / name), "<report>")
            finding.pop("schedule_command", None)
    assert first == second


def test_allow_and_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = campaign(
        tmp_path, "allow", "--max-examples", "150", "--property", "signature/host-ports", "--allow", "signature-gap"
    )
    assert code == 0 and report["findings"]
    for bad in (
        ["--budget", "0"],
        ["--max-examples", "0"],
        ["--allow", "bogus"],
        ["--property", "nope"],
        ["--config", str(tmp_path / "missing.yaml")],
        ["--workers", "none"],
    ):
        assert run(["campaign", "--report", str(tmp_path / "bad"), *bad]) == 2, bad
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err, err
    assert run(["replay", str(tmp_path / "nowhere")]) == 2


def _campaign_process(report: Path, db: Path, *args: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "tests.campaign.cli", "campaign", "--report", str(report), "--db", str(db), *args]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _complete(report: Path) -> set[str]:
    root = report / "findings"
    return {d.name for d in root.iterdir() if (d / "finding.json").exists()} if root.is_dir() else set()


def test_killed_campaign_loses_no_finding_and_the_rerun_replays_them_first(tmp_path: Path) -> None:
    report, db = tmp_path / "report", tmp_path / "db"
    process = _campaign_process(
        report,
        db,
        "--budget",
        "60",
        "--workers",
        "1",
        "--property",
        "signature/host-ports",
        "--property",
        "signature/pod-labels",
    )
    deadline = time.time() + 60
    while len(_complete(report)) < 2 and time.time() < deadline and process.poll() is None:
        time.sleep(0.2)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    before = _complete(report)
    assert before, "the campaign found nothing before it was killed"
    rerun = _campaign_process(
        report,
        db,
        "--max-examples",
        "1",
        "--workers",
        "1",
        "--property",
        "signature/host-ports",
        "--property",
        "signature/pod-labels",
    )
    assert rerun.wait(timeout=120) == 1
    document = json.loads((report / "report.json").read_text())
    after = {f["id"] for f in document["findings"]}
    assert before <= after
    assert sum(document["run"]["replayed_from_database"].values()) >= len(before)


def test_forked_workers_run_the_properties_and_agree_with_one_worker(tmp_path: Path) -> None:
    args = (
        "--max-examples",
        "40",
        "--property",
        "signature/host-ports",
        "--property",
        "signature/pod-labels",
        "--db",
        "none",
    )
    for name, workers in (("one", "1"), ("two", "2")):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.campaign.cli",
                "campaign",
                "--workers",
                workers,
                "--report",
                str(tmp_path / name),
                *args,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert result.returncode in (0, 1), result.stderr
    one = json.loads((tmp_path / "one" / "report.json").read_text())
    two = json.loads((tmp_path / "two" / "report.json").read_text())
    assert two["run"]["workers"] == 2
    logs = sorted(p.name for p in (tmp_path / "two" / ".campaign").glob("worker-*.log"))
    assert logs == ["worker-0.log", "worker-1.log"]
    for doc in (one, two):
        doc.pop("run")
        for finding in doc["findings"]:
            finding["replay"] = ""
    assert one == two
