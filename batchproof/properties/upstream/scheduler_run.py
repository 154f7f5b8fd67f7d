"""Drive the scheduler-level diff over generated scenarios with an explicit seed (the CLI's engine)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from batchproof.model.profiles import batching_profile
from batchproof.properties.lockstep import Scenario
from batchproof.properties.strategies.batches import batch_stress_scenarios
from batchproof.properties.strategies.workloads import other_profile, scenarios
from batchproof.properties.upstream.scheduler_diff import (
    SchedulerDiffReport,
    SchedulerDisagreement,
    diff_scenario,
    write_scenario_reproducer,
)
from batchproof.properties.upstream.seeded import seeded
from batchproof.upstream.client import Oracle


def scheduler_scenarios() -> st.SearchStrategy[Scenario]:
    """The lockstep properties' scenarios: every workload shape with events, and batch-breaking runs."""
    batching = batching_profile()
    return st.one_of(
        scenarios(profiles=(batching, other_profile(batching)), events=True),
        scenarios(profiles=(batching,), shape="one-per-node"),
        batch_stress_scenarios(profiles=(batching,)),
    )


def run_scheduler_diff(
    oracle: Oracle,
    *,
    examples: int,
    seed_value: int,
    out: Path | None = None,
    progress: Callable[[SchedulerDiffReport], None] | None = None,
) -> SchedulerDiffReport:
    """Compare ``examples`` generated scenarios; the same seed draws the same scenarios.

    Raises:
        OracleError: the oracle failed.

    """
    report = SchedulerDiffReport()

    @seeded(examples, seed_value)
    @given(scheduler_scenarios())
    def one(scenario: Scenario) -> None:
        def writer(item: SchedulerDisagreement) -> Path:
            assert out is not None
            return write_scenario_reproducer(out, scenario, item)

        report.add(diff_scenario(oracle, scenario), writer if out is not None else None)
        if progress is not None:
            progress(report)

    one()
    return report
