"""A campaign that cannot test what it claims fails unless --allow-unreached; reports say when each
finding was first detected."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.campaign.cli import run

ROOT = Path(__file__).resolve().parents[2]
NOTHING_BATCHES = ROOT / "examples" / "config" / "default.yaml"  # PodTopologySpread System defaulting


def campaign(tmp_path: Path, name: str, *args: str) -> tuple[int, dict[str, Any]]:
    report = tmp_path / name
    code = run(["campaign", "--workers", "1", "--db", "none", "--report", str(report), *args])
    return code, json.loads((report / "report.json").read_text())


def test_a_profile_under_which_nothing_batches_fails_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("--max-examples", "30", "--config", str(NOTHING_BATCHES), "--property", "lockstep/equivalence")
    code, report = campaign(tmp_path, "vacuous", *args)
    out = capsys.readouterr().out
    assert code == 1
    assert report["findings"] == [] and report["summary"]["errors"] == []
    assert report["summary"]["vacuous"] == ["lockstep/equivalence"]
    assert "cannot test what it claims" in out and "--allow-unreached" in out
    assert "cannot test what it claims" in (tmp_path / "vacuous" / "report.md").read_text()
    code, report = campaign(tmp_path, "accepted", *args, "--allow-unreached")
    assert code == 0
    assert report["summary"]["vacuous"] == ["lockstep/equivalence"] and report["summary"]["allow_unreached"]


def test_every_finding_has_its_time_to_detection(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = campaign(
        tmp_path, "timed", "--max-examples", "80", "--property", "signature/host-ports", "--format", "json"
    )
    capsys.readouterr()
    assert code == 1 and report["findings"]
    detection = report["run"]["detection"]
    assert set(detection) == {f["id"] for f in report["findings"]}
    for entry in detection.values():
        assert 0 < entry["property_examples"] <= entry["examples"] <= 80
        assert 0 <= entry["property_seconds"] <= entry["seconds"] <= report["run"]["elapsed_seconds"]
        assert entry["replayed"] is False
    points = report["run"]["findings_over_time"]
    assert [p["findings"] for p in points] == list(range(1, len(detection) + 1))
    assert [p["seconds"] for p in points] == sorted(p["seconds"] for p in points)
    assert "found after" in (tmp_path / "timed" / "report.md").read_text()
