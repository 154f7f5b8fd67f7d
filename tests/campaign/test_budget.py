"""The adaptive budget: time goes to the properties that still discover, every property keeps its
floor, the total is the budget, and a real campaign reports how its time was spent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from batchproof.properties.campaign.budget import FLOOR, Share, pick, run_adaptive
from batchproof.properties.campaign.engine import Limits
from batchproof.properties.campaign.property_run import Step
from tests.campaign.cli import run


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class FakeRun:
    """Spends its slice; discovers something in each of its first ``fruitful`` slices."""

    def __init__(self, clock: FakeClock, fruitful: int) -> None:
        self.clock = clock
        self.fruitful = fruitful
        self.slices = 0

    def done(self, limits: Limits) -> bool:
        return limits.expired()

    def step(self, limits: Limits) -> Step:
        assert limits.deadline is not None
        spent = limits.deadline - self.clock.now
        self.clock.now = limits.deadline
        self.slices += 1
        return Step(10, 1 if self.slices <= self.fruitful else 0, spent)


def test_time_goes_to_the_property_that_keeps_discovering_and_every_property_keeps_its_floor() -> None:
    clock = FakeClock()
    runs = [FakeRun(clock, 0), FakeRun(clock, 1000), FakeRun(clock, 2)]
    shares = run_adaptive(runs, [1, 1, 1], Limits(deadline=120.0, clock=clock), slice_seconds=2.0)
    seconds = [s.seconds for s in shares]
    assert sum(seconds) == pytest.approx(120.0)
    assert seconds[1] > seconds[2] and seconds[1] > seconds[0]
    assert seconds[1] >= 60.0  # the fruitful one gets most of the time
    assert all(s >= FLOOR * 120.0 / 3 - 2.0 for s in seconds)  # within one slice of the floor
    assert [s.slices for s in shares] == [r.slices for r in runs]


def test_with_nothing_discovered_the_time_splits_by_weight() -> None:
    clock = FakeClock()
    runs = [FakeRun(clock, 0), FakeRun(clock, 0)]
    shares = run_adaptive(runs, [1, 3], Limits(deadline=80.0, clock=clock), slice_seconds=1.0)
    assert shares[1].seconds > shares[0].seconds >= FLOOR * 80.0 / 4 - 1.0


def test_a_starved_property_runs_next_whatever_its_priority() -> None:
    shares = [Share(1.0, seconds=50.0, discoveries=40, last_discovery=50.0), Share(1.0, seconds=1.0)]
    assert pick(shares, [0, 1]) == 1
    shares = [Share(1.0, seconds=50.0, discoveries=40, last_discovery=50.0), Share(1.0, seconds=20.0)]
    assert pick(shares, [0, 1]) == 0
    assert pick(shares, [1]) == 1


def test_a_budgeted_campaign_reports_how_its_time_was_spent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "budget"
    argv = ["campaign", "--workers", "1", "--db", "none", "--report", str(report), "--budget", "6"]
    argv += ["--property", "signature/host-ports", "--property", "signature/pod-namespace", "--format", "json"]
    assert run(argv) in (0, 1)  # whether it found something in 6 s depends on how busy the machine is
    capsys.readouterr()
    doc = json.loads((report / "report.json").read_text())
    budget = doc["run"]["budget"]
    assert budget["mode"] == "adaptive"
    spent = budget["seconds"]
    assert set(spent) == {"signature/host-ports", "signature/pod-namespace"}
    assert all(seconds >= FLOOR * 6 / 2 - 2.5 for seconds in spent.values())
    assert sum(spent.values()) <= doc["run"]["elapsed_seconds"] + 0.5
    assert sum(budget["share"].values()) == pytest.approx(1.0, abs=0.01)
    assert "## Budget" in (report / "report.md").read_text()
